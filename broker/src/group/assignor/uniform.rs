//! The `uniform` assignor (Kafka's `UniformAssignor`, the default): spreads partitions evenly
//! over members while keeping as many current assignments as balance allows.
//!
//! Homogeneous groups (everyone subscribes to the same topics): every member gets `total / n`
//! partitions and `total % n` members get one more, so max - min <= 1. Members keep their current
//! partitions up to their quota; the extra slots go first to members that already hold more than
//! the minimum, which keeps more partitions in place than handing them out in member order.
//!
//! Heterogeneous groups: members keep the current partitions they still subscribe to, unassigned
//! partitions go to the least loaded subscriber (topics with fewer subscribers first), then
//! partitions move from a member to a less loaded subscriber of the same topic while that narrows
//! the gap by two or more. At the end no single move can improve balance: for every partition
//! owned by `a` and every other subscriber `b` of its topic, `count(a) <= count(b) + 1`.
//! Rack-aware placement is not implemented.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use uuid::Uuid;

use super::{
    valid_partition, GroupSpec, PartitionAssignor, SubscribedTopicMetadata, SubscriptionType,
    TargetAssignment, TopicPartitions,
};

/// Kafka's uniform assignor.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct UniformAssignor;

impl PartitionAssignor for UniformAssignor {
    fn name(&self) -> &'static str {
        "uniform"
    }

    fn assign(&self, spec: &GroupSpec, topics: &SubscribedTopicMetadata) -> TargetAssignment {
        if spec.members.is_empty() {
            return TargetAssignment::default();
        }
        match spec.subscription_type {
            SubscriptionType::Homogeneous => assign_homogeneous(spec, topics),
            SubscriptionType::Heterogeneous => assign_heterogeneous(spec, topics),
        }
    }
}

/// The valid current partitions of every member, a partition claimed twice going to the first
/// member in id order.
fn retained(
    spec: &GroupSpec,
    topics: &SubscribedTopicMetadata,
) -> BTreeMap<String, Vec<(Uuid, i32)>> {
    let mut taken: HashSet<(Uuid, i32)> = HashSet::new();
    let mut out = BTreeMap::new();
    for (member_id, member) in &spec.members {
        let mut kept = Vec::new();
        for (topic_id, partitions) in &member.assignment {
            for partition in partitions {
                if valid_partition(member, topics, topic_id, *partition)
                    && taken.insert((*topic_id, *partition))
                {
                    kept.push((*topic_id, *partition));
                }
            }
        }
        out.insert(member_id.clone(), kept);
    }
    out
}

fn to_assignment(partitions: &[(Uuid, i32)]) -> TopicPartitions {
    let mut out: TopicPartitions = BTreeMap::new();
    for (topic_id, partition) in partitions {
        out.entry(*topic_id).or_default().insert(*partition);
    }
    out
}

fn assign_homogeneous(spec: &GroupSpec, topics: &SubscribedTopicMetadata) -> TargetAssignment {
    let subscribed: BTreeSet<Uuid> = spec
        .members
        .values()
        .next()
        .map(|m| {
            m.subscribed_topic_ids
                .iter()
                .filter(|t| topics.topics.contains_key(t))
                .copied()
                .collect()
        })
        .unwrap_or_default();
    let all: Vec<(Uuid, i32)> = subscribed
        .iter()
        .flat_map(|t| (0..topics.num_partitions(t).unwrap_or(0)).map(move |p| (*t, p)))
        .collect();
    let members = spec.members.len();
    let min_quota = all.len() / members;
    let mut extras = all.len() % members;

    let mut kept = retained(spec, topics);
    // Extra slots first to members already above the minimum (fewer moves), then in id order.
    let mut quota: BTreeMap<String, usize> = kept.keys().map(|m| (m.clone(), min_quota)).collect();
    for (member_id, partitions) in &kept {
        if extras > 0 && partitions.len() > min_quota {
            *quota.get_mut(member_id).expect("every member has a quota") += 1;
            extras -= 1;
        }
    }
    for (member_id, partitions) in &kept {
        if extras > 0 && partitions.len() <= min_quota {
            *quota.get_mut(member_id).expect("every member has a quota") += 1;
            extras -= 1;
        }
    }

    let mut assigned: HashSet<(Uuid, i32)> = HashSet::new();
    for (member_id, partitions) in kept.iter_mut() {
        partitions.truncate(quota[member_id]);
        assigned.extend(partitions.iter().copied());
    }
    let mut unassigned = all.into_iter().filter(|tp| !assigned.contains(tp));
    for (member_id, partitions) in kept.iter_mut() {
        while partitions.len() < quota[member_id] {
            match unassigned.next() {
                Some(tp) => partitions.push(tp),
                None => break,
            }
        }
    }

    TargetAssignment {
        members: kept
            .iter()
            .map(|(m, parts)| (m.clone(), to_assignment(parts)))
            .collect(),
    }
}

fn assign_heterogeneous(spec: &GroupSpec, topics: &SubscribedTopicMetadata) -> TargetAssignment {
    // Subscribers of every existing topic.
    let mut subscribers: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
    for (member_id, member) in &spec.members {
        for topic_id in &member.subscribed_topic_ids {
            if topics.topics.contains_key(topic_id) {
                subscribers
                    .entry(*topic_id)
                    .or_default()
                    .push(member_id.clone());
            }
        }
    }

    let mut owner: HashMap<(Uuid, i32), String> = HashMap::new();
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for (member_id, partitions) in retained(spec, topics) {
        count.insert(member_id.clone(), partitions.len());
        for tp in partitions {
            owner.insert(tp, member_id.clone());
        }
    }

    // Unassigned partitions: topics with fewer subscribers first (they have fewer choices).
    let mut order: Vec<(&Uuid, &Vec<String>)> = subscribers.iter().collect();
    order.sort_by_key(|(topic_id, subs)| (subs.len(), **topic_id));
    for (topic_id, subs) in order {
        for partition in 0..topics.num_partitions(topic_id).unwrap_or(0) {
            if owner.contains_key(&(*topic_id, partition)) {
                continue;
            }
            let Some(target) = subs.iter().min_by_key(|m| (count[*m], *m)) else {
                continue;
            };
            *count.get_mut(target).expect("subscribers are members") += 1;
            owner.insert((*topic_id, partition), target.clone());
        }
    }

    // Balance: move a partition to a less loaded subscriber while that narrows the gap.
    let mut by_member: BTreeMap<String, BTreeSet<(Uuid, i32)>> = spec
        .members
        .keys()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for (tp, member_id) in &owner {
        by_member.entry(member_id.clone()).or_default().insert(*tp);
    }
    loop {
        let mut moved = false;
        let mut members: Vec<String> = by_member.keys().cloned().collect();
        members.sort_by_key(|m| std::cmp::Reverse(count[m]));
        for from in members {
            let partitions: Vec<(Uuid, i32)> = by_member[&from].iter().copied().collect();
            for tp in partitions {
                let Some(subs) = subscribers.get(&tp.0) else {
                    continue;
                };
                let Some(to) = subs
                    .iter()
                    .filter(|m| **m != from)
                    .min_by_key(|m| (count[*m], *m))
                else {
                    continue;
                };
                if count[to] + 1 < count[&from] {
                    let to = to.clone();
                    by_member.get_mut(&from).expect("member").remove(&tp);
                    by_member.get_mut(&to).expect("member").insert(tp);
                    *count.get_mut(&from).expect("member") -= 1;
                    *count.get_mut(&to).expect("member") += 1;
                    moved = true;
                }
            }
        }
        if !moved {
            break;
        }
    }

    TargetAssignment {
        members: by_member
            .iter()
            .map(|(m, parts)| {
                (
                    m.clone(),
                    to_assignment(&parts.iter().copied().collect::<Vec<_>>()),
                )
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{MemberSpec, TopicInfo};
    use super::*;

    fn topic(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn metadata(counts: &[(u128, i32)]) -> SubscribedTopicMetadata {
        SubscribedTopicMetadata {
            topics: counts
                .iter()
                .map(|(id, n)| {
                    (
                        topic(*id),
                        TopicInfo {
                            name: format!("t{id}"),
                            num_partitions: *n,
                        },
                    )
                })
                .collect(),
        }
    }

    fn member(topics: &[u128], current: &[(u128, &[i32])]) -> MemberSpec {
        MemberSpec {
            subscribed_topic_ids: topics.iter().map(|t| topic(*t)).collect(),
            assignment: current
                .iter()
                .map(|(t, ps)| (topic(*t), ps.iter().copied().collect()))
                .collect(),
            ..MemberSpec::default()
        }
    }

    fn count(out: &TargetAssignment, m: &str) -> usize {
        out.members[m].values().map(BTreeSet::len).sum()
    }

    #[test]
    fn uniform_homogeneous_spreads_partitions_within_one_of_each_other() {
        let spec = GroupSpec::new(
            ["a", "b", "c"]
                .iter()
                .map(|m| (m.to_string(), member(&[1, 2], &[])))
                .collect(),
        );
        let out = UniformAssignor.assign(&spec, &metadata(&[(1, 4), (2, 3)]));
        let counts: Vec<usize> = ["a", "b", "c"].iter().map(|m| count(&out, m)).collect();
        assert_eq!(counts.iter().sum::<usize>(), 7);
        assert!(counts.iter().max().expect("3") - counts.iter().min().expect("3") <= 1);
    }

    #[test]
    fn uniform_homogeneous_keeps_current_owners_when_a_member_joins() {
        let spec = GroupSpec::new(
            [
                ("a".to_owned(), member(&[1], &[(1, &[0, 1, 2])])),
                ("b".to_owned(), member(&[1], &[(1, &[3, 4, 5])])),
                ("c".to_owned(), member(&[1], &[])),
            ]
            .into_iter()
            .collect(),
        );
        let out = UniformAssignor.assign(&spec, &metadata(&[(1, 6)]));
        // Each old member gives up exactly one partition; nothing else moves.
        assert_eq!(out.members["a"][&topic(1)].len(), 2);
        assert!(out.members["a"][&topic(1)].is_subset(&[0, 1, 2].into_iter().collect()));
        assert!(out.members["b"][&topic(1)].is_subset(&[3, 4, 5].into_iter().collect()));
        assert_eq!(out.members["c"][&topic(1)].len(), 2);
    }

    #[test]
    fn uniform_drops_partitions_of_topics_no_longer_subscribed_or_gone() {
        let spec = GroupSpec::new(
            [("a".to_owned(), member(&[1], &[(1, &[0, 7]), (2, &[0])]))]
                .into_iter()
                .collect(),
        );
        let out = UniformAssignor.assign(&spec, &metadata(&[(1, 2), (2, 1)]));
        assert_eq!(
            out.members["a"],
            [(topic(1), [0, 1].into_iter().collect())]
                .into_iter()
                .collect()
        );
    }

    #[test]
    fn uniform_heterogeneous_gives_each_topic_only_to_its_subscribers_and_balances() {
        let spec = GroupSpec::new(
            [
                ("a".to_owned(), member(&[1], &[])),
                ("b".to_owned(), member(&[1, 2], &[])),
                ("c".to_owned(), member(&[2], &[])),
            ]
            .into_iter()
            .collect(),
        );
        let out = UniformAssignor.assign(&spec, &metadata(&[(1, 3), (2, 3)]));
        assert!(!out.members["a"].contains_key(&topic(2)));
        assert!(!out.members["c"].contains_key(&topic(1)));
        assert_eq!(count(&out, "a") + count(&out, "b") + count(&out, "c"), 6);
        assert_eq!(
            [count(&out, "a"), count(&out, "b"), count(&out, "c")],
            [2, 2, 2]
        );
    }

    #[test]
    fn uniform_heterogeneous_moves_only_what_balance_requires() {
        let spec = GroupSpec::new(
            [
                (
                    "a".to_owned(),
                    member(&[1, 2], &[(1, &[0, 1, 2, 3]), (2, &[0, 1])]),
                ),
                ("b".to_owned(), member(&[2], &[])),
            ]
            .into_iter()
            .collect(),
        );
        let out = UniformAssignor.assign(&spec, &metadata(&[(1, 4), (2, 2)]));
        // b can only take topic 2: it takes both, a keeps all of topic 1.
        assert_eq!(out.members["a"][&topic(1)].len(), 4);
        assert_eq!(out.members["b"][&topic(2)].len(), 2);
    }
}
