//! Properties every assignor must keep, on random groups: complete, no duplicates, only
//! subscribed topics, balanced (uniform), sticky (uniform keeps what balance allows).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proptest::prelude::*;
use uuid::Uuid;

use super::{
    GroupSpec, MemberSpec, PartitionAssignor, RangeAssignor, SubscribedTopicMetadata,
    SubscriptionType, TargetAssignment, TopicInfo, UniformAssignor,
};

fn topic(n: usize) -> Uuid {
    Uuid::from_u128(n as u128 + 1)
}

fn metadata(counts: &[i32]) -> SubscribedTopicMetadata {
    SubscribedTopicMetadata {
        topics: counts
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    topic(i),
                    TopicInfo {
                        name: format!("t{i}"),
                        num_partitions: *n,
                    },
                )
            })
            .collect(),
    }
}

/// A random group: partition counts per topic, and per member a subscription mask and a current
/// assignment drawn from an earlier random assignment (possibly stale, possibly overlapping).
fn group(homogeneous: bool) -> impl Strategy<Value = (GroupSpec, SubscribedTopicMetadata)> {
    (prop::collection::vec(0..12i32, 1..5), 1..9usize).prop_flat_map(move |(counts, members)| {
        let topics = counts.len();
        let masks = prop::collection::vec(prop::collection::vec(any::<bool>(), topics), members);
        let current =
            prop::collection::vec(prop::collection::vec((0..topics, 0..14i32), 0..10), members);
        (Just(counts), masks, current).prop_map(move |(counts, masks, current)| {
            let mut specs = BTreeMap::new();
            for (i, (mask, current)) in masks.iter().zip(current).enumerate() {
                let mask = if homogeneous { &masks[0] } else { mask };
                let subscribed: BTreeSet<Uuid> = mask
                    .iter()
                    .enumerate()
                    .filter(|(_, on)| **on)
                    .map(|(t, _)| topic(t))
                    .collect();
                let mut assignment: BTreeMap<Uuid, BTreeSet<i32>> = BTreeMap::new();
                for (t, p) in current {
                    assignment.entry(topic(t)).or_default().insert(p);
                }
                specs.insert(
                    format!("m{i}"),
                    MemberSpec {
                        subscribed_topic_ids: subscribed,
                        assignment,
                        ..MemberSpec::default()
                    },
                );
            }
            (GroupSpec::new(specs), metadata(&counts))
        })
    })
}

fn check_valid(spec: &GroupSpec, topics: &SubscribedTopicMetadata, out: &TargetAssignment) {
    assert_eq!(
        out.members.keys().collect::<Vec<_>>(),
        spec.members.keys().collect::<Vec<_>>()
    );
    let mut owner: HashMap<(Uuid, i32), &String> = HashMap::new();
    for (member_id, assignment) in &out.members {
        for (topic_id, partitions) in assignment {
            assert!(
                spec.members[member_id]
                    .subscribed_topic_ids
                    .contains(topic_id),
                "unsubscribed topic"
            );
            let n = topics.num_partitions(topic_id).expect("existing topic");
            for p in partitions {
                assert!((0..n).contains(p), "partition {p} out of range");
                assert!(
                    owner.insert((*topic_id, *p), member_id).is_none(),
                    "partition {p} assigned twice"
                );
            }
        }
    }
    for (topic_id, info) in &topics.topics {
        if spec
            .members
            .values()
            .any(|m| m.subscribed_topic_ids.contains(topic_id))
        {
            for p in 0..info.num_partitions {
                assert!(
                    owner.contains_key(&(*topic_id, p)),
                    "partition {p} unassigned"
                );
            }
        }
    }
}

fn count(a: &BTreeMap<Uuid, BTreeSet<i32>>) -> usize {
    a.values().map(BTreeSet::len).sum()
}

proptest! {
    #[test]
    fn uniform_is_complete_and_balanced_for_homogeneous_groups((spec, topics) in group(true)) {
        let out = UniformAssignor.assign(&spec, &topics);
        check_valid(&spec, &topics, &out);
        let counts: Vec<usize> = out.members.values().map(count).collect();
        let (max, min) = (counts.iter().max().expect("members"), counts.iter().min().expect("members"));
        prop_assert!(max - min <= 1);
    }

    #[test]
    fn uniform_is_complete_and_no_move_improves_heterogeneous_groups((spec, topics) in group(false)) {
        let out = UniformAssignor.assign(&spec, &topics);
        check_valid(&spec, &topics, &out);
        for (a, assignment) in &out.members {
            for topic_id in assignment.keys() {
                for (b, other) in &spec.members {
                    if b != a && other.subscribed_topic_ids.contains(topic_id) {
                        prop_assert!(count(assignment) <= count(&out.members[b]) + 1,
                            "{a} has {} partitions, {b} subscribes to the same topic and has {}",
                            count(assignment), count(&out.members[b]));
                    }
                }
            }
        }
    }

    #[test]
    fn uniform_is_sticky_when_the_input_is_its_own_output((spec, topics) in group(false)) {
        // Re-running on a stable group changes nothing.
        let first = UniformAssignor.assign(&spec, &topics);
        let mut again = spec.clone();
        for (m, member) in again.members.iter_mut() {
            member.assignment = first.members[m].clone();
        }
        let second = UniformAssignor.assign(&again, &topics);
        prop_assert_eq!(first, second);
    }

    #[test]
    fn uniform_homogeneous_keeps_at_least_the_quota_of_each_member_current_partitions(
        (spec, topics) in group(true)
    ) {
        let first = UniformAssignor.assign(&spec, &topics);
        // Now one member leaves: every remaining member keeps all it had (its quota only grows).
        let mut after = spec.clone();
        let Some(leaver) = after.members.keys().next().cloned() else { return Ok(()) };
        after.members.remove(&leaver);
        if after.members.is_empty() { return Ok(()) }
        for (m, member) in after.members.iter_mut() {
            member.assignment = first.members[m].clone();
        }
        let after = GroupSpec::new(after.members);
        let second = UniformAssignor.assign(&after, &topics);
        check_valid(&after, &topics, &second);
        for (m, before) in &first.members {
            if let Some(now) = second.members.get(m) {
                for (t, ps) in before {
                    let kept = now.get(t).cloned().unwrap_or_default();
                    prop_assert!(ps.is_subset(&kept), "{m} lost partitions of {t} when another member left");
                }
            }
        }
    }

    #[test]
    fn range_is_complete_and_balanced_per_topic((spec, topics) in group(false)) {
        let out = RangeAssignor.assign(&spec, &topics);
        check_valid(&spec, &topics, &out);
        for topic_id in topics.topics.keys() {
            let sizes: Vec<usize> = spec
                .members
                .iter()
                .filter(|(_, m)| m.subscribed_topic_ids.contains(topic_id))
                .map(|(id, _)| out.members[id].get(topic_id).map_or(0, BTreeSet::len))
                .collect();
            if let (Some(max), Some(min)) = (sizes.iter().max(), sizes.iter().min()) {
                prop_assert!(max - min <= 1);
            }
        }
    }
}

#[test]
fn group_spec_detects_homogeneous_subscriptions() {
    let same = GroupSpec::new(
        ["a", "b"]
            .iter()
            .map(|m| {
                (
                    m.to_string(),
                    MemberSpec {
                        subscribed_topic_ids: [topic(0)].into(),
                        ..MemberSpec::default()
                    },
                )
            })
            .collect(),
    );
    assert_eq!(same.subscription_type, SubscriptionType::Homogeneous);
    let mut members = same.members.clone();
    members
        .get_mut("b")
        .expect("b")
        .subscribed_topic_ids
        .insert(topic(1));
    assert_eq!(
        GroupSpec::new(members).subscription_type,
        SubscriptionType::Heterogeneous
    );
}
