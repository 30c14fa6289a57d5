//! Builders of the `__consumer_offsets` records a consumer group writes (Kafka's
//! `GroupCoordinatorRecordHelpers`), and conversions between record and in-memory shapes.

use std::collections::BTreeMap;

use strata_protocol::group_records::{
    ConsumerGroupCurrentMemberAssignmentKey, ConsumerGroupCurrentMemberAssignmentValue,
    ConsumerGroupMemberMetadataKey, ConsumerGroupMemberMetadataValue, ConsumerGroupMetadataKey,
    ConsumerGroupMetadataValue, ConsumerGroupPartitionMetadataKey,
    ConsumerGroupPartitionMetadataValue, ConsumerGroupRegularExpressionKey,
    ConsumerGroupRegularExpressionValue, ConsumerGroupTargetAssignmentMemberKey,
    ConsumerGroupTargetAssignmentMemberValue, ConsumerGroupTargetAssignmentMetadataKey,
    ConsumerGroupTargetAssignmentMetadataValue, GroupRecord, GroupRecordKey, GroupRecordValue,
    TopicMetadata, TopicPartition, TopicPartitions as RecordPartitions,
};

use super::group::{ResolvedRegex, SubscribedTopic};
use super::member::ConsumerGroupMember;
use crate::group::assignor::TopicPartitions;

fn record(key: GroupRecordKey, value: Option<GroupRecordValue>) -> GroupRecord {
    GroupRecord { key, value }
}

/// `ConsumerGroupMetadata`: the group epoch.
pub(crate) fn group_epoch(group_id: &str, epoch: i32) -> GroupRecord {
    record(
        GroupRecordKey::ConsumerGroupMetadata(ConsumerGroupMetadataKey {
            group_id: group_id.to_owned(),
        }),
        Some(GroupRecordValue::ConsumerGroupMetadata(
            ConsumerGroupMetadataValue {
                epoch,
                metadata_hash: 0,
            },
        )),
    )
}

/// Tombstone of `ConsumerGroupMetadata`: the group is gone.
pub(crate) fn group_epoch_tombstone(group_id: &str) -> GroupRecord {
    record(
        GroupRecordKey::ConsumerGroupMetadata(ConsumerGroupMetadataKey {
            group_id: group_id.to_owned(),
        }),
        None,
    )
}

/// `ConsumerGroupPartitionMetadata`: the subscribed topics.
pub(crate) fn subscription_metadata(
    group_id: &str,
    topics: &BTreeMap<String, SubscribedTopic>,
) -> GroupRecord {
    let topics = topics
        .iter()
        .map(|(name, t)| TopicMetadata {
            topic_id: t.topic_id,
            topic_name: name.clone(),
            num_partitions: t.num_partitions,
            partition_metadata: Vec::new(),
        })
        .collect();
    record(
        GroupRecordKey::ConsumerGroupPartitionMetadata(ConsumerGroupPartitionMetadataKey {
            group_id: group_id.to_owned(),
        }),
        Some(GroupRecordValue::ConsumerGroupPartitionMetadata(
            ConsumerGroupPartitionMetadataValue { topics },
        )),
    )
}

/// Tombstone of `ConsumerGroupPartitionMetadata`.
pub(crate) fn subscription_metadata_tombstone(group_id: &str) -> GroupRecord {
    record(
        GroupRecordKey::ConsumerGroupPartitionMetadata(ConsumerGroupPartitionMetadataKey {
            group_id: group_id.to_owned(),
        }),
        None,
    )
}

/// `ConsumerGroupMemberMetadata`: a member's subscription.
pub(crate) fn member_metadata(group_id: &str, member: &ConsumerGroupMember) -> GroupRecord {
    record(
        member_metadata_key(group_id, &member.member_id),
        Some(GroupRecordValue::ConsumerGroupMemberMetadata(
            ConsumerGroupMemberMetadataValue {
                instance_id: member.instance_id.clone(),
                rack_id: member.rack_id.clone(),
                client_id: member.client_id.clone(),
                client_host: member.client_host.clone(),
                subscribed_topic_names: member.subscribed_topic_names.iter().cloned().collect(),
                subscribed_topic_regex: member.subscribed_topic_regex.clone(),
                rebalance_timeout_ms: member.rebalance_timeout_ms,
                server_assignor: member.server_assignor.clone(),
                classic_member_metadata: member.classic_member_metadata.clone(),
            },
        )),
    )
}

fn member_metadata_key(group_id: &str, member_id: &str) -> GroupRecordKey {
    GroupRecordKey::ConsumerGroupMemberMetadata(ConsumerGroupMemberMetadataKey {
        group_id: group_id.to_owned(),
        member_id: member_id.to_owned(),
    })
}

/// Tombstone of `ConsumerGroupMemberMetadata`: the member is gone.
pub(crate) fn member_metadata_tombstone(group_id: &str, member_id: &str) -> GroupRecord {
    record(member_metadata_key(group_id, member_id), None)
}

/// `ConsumerGroupCurrentMemberAssignment`: a member's epochs, state and partitions.
pub(crate) fn current_assignment(group_id: &str, member: &ConsumerGroupMember) -> GroupRecord {
    record(
        current_assignment_key(group_id, &member.member_id),
        Some(GroupRecordValue::ConsumerGroupCurrentMemberAssignment(
            ConsumerGroupCurrentMemberAssignmentValue {
                member_epoch: member.member_epoch,
                previous_member_epoch: member.previous_member_epoch,
                state: member.state.value(),
                assigned_partitions: to_record_partitions(&member.assigned_partitions),
                partitions_pending_revocation: to_record_partitions(
                    &member.partitions_pending_revocation,
                ),
            },
        )),
    )
}

fn current_assignment_key(group_id: &str, member_id: &str) -> GroupRecordKey {
    GroupRecordKey::ConsumerGroupCurrentMemberAssignment(ConsumerGroupCurrentMemberAssignmentKey {
        group_id: group_id.to_owned(),
        member_id: member_id.to_owned(),
    })
}

/// Tombstone of `ConsumerGroupCurrentMemberAssignment`.
pub(crate) fn current_assignment_tombstone(group_id: &str, member_id: &str) -> GroupRecord {
    record(current_assignment_key(group_id, member_id), None)
}

/// `ConsumerGroupTargetAssignmentMember`: a member's target partitions.
pub(crate) fn target_member(
    group_id: &str,
    member_id: &str,
    partitions: &TopicPartitions,
) -> GroupRecord {
    record(
        target_member_key(group_id, member_id),
        Some(GroupRecordValue::ConsumerGroupTargetAssignmentMember(
            ConsumerGroupTargetAssignmentMemberValue {
                topic_partitions: partitions
                    .iter()
                    .map(|(topic_id, ps)| TopicPartition {
                        topic_id: *topic_id,
                        partitions: ps.iter().copied().collect(),
                    })
                    .collect(),
            },
        )),
    )
}

fn target_member_key(group_id: &str, member_id: &str) -> GroupRecordKey {
    GroupRecordKey::ConsumerGroupTargetAssignmentMember(ConsumerGroupTargetAssignmentMemberKey {
        group_id: group_id.to_owned(),
        member_id: member_id.to_owned(),
    })
}

/// Tombstone of `ConsumerGroupTargetAssignmentMember`.
pub(crate) fn target_member_tombstone(group_id: &str, member_id: &str) -> GroupRecord {
    record(target_member_key(group_id, member_id), None)
}

/// `ConsumerGroupTargetAssignmentMetadata`: the target assignment epoch.
pub(crate) fn target_epoch(group_id: &str, epoch: i32) -> GroupRecord {
    record(
        target_epoch_key(group_id),
        Some(GroupRecordValue::ConsumerGroupTargetAssignmentMetadata(
            ConsumerGroupTargetAssignmentMetadataValue {
                assignment_epoch: epoch,
            },
        )),
    )
}

fn target_epoch_key(group_id: &str) -> GroupRecordKey {
    GroupRecordKey::ConsumerGroupTargetAssignmentMetadata(
        ConsumerGroupTargetAssignmentMetadataKey {
            group_id: group_id.to_owned(),
        },
    )
}

/// Tombstone of `ConsumerGroupTargetAssignmentMetadata`.
pub(crate) fn target_epoch_tombstone(group_id: &str) -> GroupRecord {
    record(target_epoch_key(group_id), None)
}

/// `ConsumerGroupRegularExpression`: the topics a regex matched.
pub(crate) fn regex(group_id: &str, regex: &str, resolved: &ResolvedRegex) -> GroupRecord {
    record(
        regex_key(group_id, regex),
        Some(GroupRecordValue::ConsumerGroupRegularExpression(
            ConsumerGroupRegularExpressionValue {
                topics: resolved.topics.iter().cloned().collect(),
                version: resolved.version,
                timestamp: resolved.timestamp_ms,
            },
        )),
    )
}

fn regex_key(group_id: &str, regex: &str) -> GroupRecordKey {
    GroupRecordKey::ConsumerGroupRegularExpression(ConsumerGroupRegularExpressionKey {
        group_id: group_id.to_owned(),
        regular_expression: regex.to_owned(),
    })
}

/// Tombstone of `ConsumerGroupRegularExpression`: no member uses the regex any more.
pub(crate) fn regex_tombstone(group_id: &str, regex: &str) -> GroupRecord {
    record(regex_key(group_id, regex), None)
}

/// Record shape of an assignment (topics and partitions in ascending order).
pub(crate) fn to_record_partitions(partitions: &TopicPartitions) -> Vec<RecordPartitions> {
    partitions
        .iter()
        .filter(|(_, ps)| !ps.is_empty())
        .map(|(topic_id, ps)| RecordPartitions {
            topic_id: *topic_id,
            partitions: ps.iter().copied().collect(),
        })
        .collect()
}

/// In-memory shape of a record assignment (empty topics dropped, duplicates merged).
pub(crate) fn from_record_partitions<'a>(
    partitions: impl IntoIterator<Item = (&'a uuid::Uuid, &'a Vec<i32>)>,
) -> TopicPartitions {
    let mut out = TopicPartitions::new();
    for (topic_id, ps) in partitions {
        if !ps.is_empty() {
            out.entry(*topic_id).or_default().extend(ps.iter().copied());
        }
    }
    out
}
