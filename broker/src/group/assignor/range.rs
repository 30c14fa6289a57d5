//! The `range` assignor (Kafka's server-side `RangeAssignor`): per topic, the subscribed members
//! in a fixed order each receive one contiguous range of partitions.
//!
//! Members are ordered static members first (by instance id), then dynamic members (by member id),
//! so a static member that restarts keeps its range. Because every topic uses the same order, two
//! topics with the same partition count are co-partitioned: the member that gets partitions 0..k of
//! one gets 0..k of the other. Like Kafka's, it is not sticky beyond that ordering.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use super::{GroupSpec, MemberSpec, PartitionAssignor, SubscribedTopicMetadata, TargetAssignment};

/// Kafka's range assignor.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RangeAssignor;

impl PartitionAssignor for RangeAssignor {
    fn name(&self) -> &'static str {
        "range"
    }

    fn assign(&self, spec: &GroupSpec, topics: &SubscribedTopicMetadata) -> TargetAssignment {
        let mut order: Vec<(&String, &MemberSpec)> = spec.members.iter().collect();
        order.sort_by(|(id_a, a), (id_b, b)| compare_members(id_a, a, id_b, b));

        // Subscribers per topic, in member order.
        let mut subscribers: BTreeMap<Uuid, Vec<&String>> = BTreeMap::new();
        for (member_id, member) in &order {
            for topic_id in &member.subscribed_topic_ids {
                if topics.num_partitions(topic_id).is_some() {
                    subscribers.entry(*topic_id).or_default().push(member_id);
                }
            }
        }

        let mut out = TargetAssignment::default();
        for member_id in spec.members.keys() {
            out.members.insert(member_id.clone(), BTreeMap::new());
        }
        for (topic_id, members) in subscribers {
            let num_partitions = topics.num_partitions(&topic_id).unwrap_or(0).max(0);
            let count = i32::try_from(members.len()).unwrap_or(i32::MAX);
            let quota = num_partitions / count;
            let mut extra = num_partitions % count;
            let mut start = 0;
            for member_id in members {
                let mut size = quota;
                if extra > 0 {
                    size += 1;
                    extra -= 1;
                }
                let end = (start + size).min(num_partitions);
                if start < end {
                    let partitions: BTreeSet<i32> = (start..end).collect();
                    out.members
                        .entry(member_id.clone())
                        .or_default()
                        .insert(topic_id, partitions);
                }
                start = end;
            }
        }
        out
    }
}

/// Static members first, ordered by instance id; then dynamic members by member id.
fn compare_members(id_a: &str, a: &MemberSpec, id_b: &str, b: &MemberSpec) -> Ordering {
    match (&a.instance_id, &b.instance_id) {
        (Some(x), Some(y)) => x.cmp(y).then_with(|| id_a.cmp(id_b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => id_a.cmp(id_b),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{GroupSpec, MemberSpec, TopicInfo};
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

    fn member(topics: &[u128], instance: Option<&str>) -> MemberSpec {
        MemberSpec {
            instance_id: instance.map(str::to_owned),
            subscribed_topic_ids: topics.iter().map(|t| topic(*t)).collect(),
            ..MemberSpec::default()
        }
    }

    fn parts(range: std::ops::Range<i32>) -> BTreeSet<i32> {
        range.collect()
    }

    #[test]
    fn range_gives_each_member_a_contiguous_range_with_extras_to_the_first_members() {
        let spec = GroupSpec::new(
            [
                ("a".to_owned(), member(&[1], None)),
                ("b".to_owned(), member(&[1], None)),
            ]
            .into_iter()
            .collect(),
        );
        let out = RangeAssignor.assign(&spec, &metadata(&[(1, 5)]));
        assert_eq!(out.members["a"][&topic(1)], parts(0..3));
        assert_eq!(out.members["b"][&topic(1)], parts(3..5));
    }

    #[test]
    fn range_co_partitions_topics_with_the_same_partition_count() {
        let spec = GroupSpec::new(
            [
                ("a".to_owned(), member(&[1, 2], None)),
                ("b".to_owned(), member(&[1, 2], None)),
                ("c".to_owned(), member(&[1, 2], None)),
            ]
            .into_iter()
            .collect(),
        );
        let out = RangeAssignor.assign(&spec, &metadata(&[(1, 7), (2, 7)]));
        for m in ["a", "b", "c"] {
            assert_eq!(
                out.members[m][&topic(1)],
                out.members[m][&topic(2)],
                "member {m}"
            );
        }
    }

    #[test]
    fn range_orders_static_members_before_dynamic_ones() {
        let spec = GroupSpec::new(
            [
                ("a".to_owned(), member(&[1], None)),
                ("z".to_owned(), member(&[1], Some("i1"))),
            ]
            .into_iter()
            .collect(),
        );
        let out = RangeAssignor.assign(&spec, &metadata(&[(1, 2)]));
        assert_eq!(out.members["z"][&topic(1)], parts(0..1));
        assert_eq!(out.members["a"][&topic(1)], parts(1..2));
    }

    #[test]
    fn range_splits_each_topic_among_its_own_subscribers() {
        let spec = GroupSpec::new(
            [
                ("a".to_owned(), member(&[1], None)),
                ("b".to_owned(), member(&[1, 2], None)),
            ]
            .into_iter()
            .collect(),
        );
        let out = RangeAssignor.assign(&spec, &metadata(&[(1, 4), (2, 3)]));
        assert_eq!(out.members["a"][&topic(1)], parts(0..2));
        assert_eq!(out.members["b"][&topic(1)], parts(2..4));
        assert_eq!(out.members["b"][&topic(2)], parts(0..3));
        assert!(!out.members["a"].contains_key(&topic(2)));
    }

    #[test]
    fn range_leaves_members_beyond_the_partition_count_empty() {
        let spec = GroupSpec::new(
            [
                ("a".to_owned(), member(&[1], None)),
                ("b".to_owned(), member(&[1], None)),
            ]
            .into_iter()
            .collect(),
        );
        let out = RangeAssignor.assign(&spec, &metadata(&[(1, 1)]));
        assert_eq!(out.members["a"][&topic(1)], parts(0..1));
        assert!(out.members["b"].is_empty());
    }
}
