//! Applying consumer group records to the state (Kafka's `GroupMetadataManager.replay`). This is
//! the only way persisted state changes, for live operations and for loading alike.

use strata_protocol::group_records::{GroupRecord, GroupRecordKey, GroupRecordValue};

use super::group::{ConsumerGroup, ResolvedRegex, SubscribedTopic};
use super::member::{ConsumerGroupMember, MemberState, LEAVE_GROUP_MEMBER_EPOCH};
use super::records::from_record_partitions;
use super::ConsumerGroups;
use crate::group::assignor::TopicPartitions;

impl ConsumerGroups {
    /// Applies `record` if it is a consumer group record; returns whether it was one.
    ///
    /// A value creates the group (and member) it names if missing, as Kafka's replay does; a
    /// tombstone removes what its key names. A value whose variant does not match its key is
    /// ignored (it cannot be produced by the codec).
    pub(crate) fn replay(&mut self, record: &GroupRecord) -> bool {
        let value = record.value.as_ref();
        match &record.key {
            GroupRecordKey::ConsumerGroupMetadata(key) => {
                match value {
                    Some(GroupRecordValue::ConsumerGroupMetadata(v)) => {
                        let group = self.group_mut_or_create(&key.group_id);
                        group.persisted.group_epoch = v.epoch;
                        group.persisted.metadata_hash = v.metadata_hash;
                    }
                    None => {
                        self.groups.remove(&key.group_id);
                    }
                    Some(_) => {}
                }
                true
            }
            GroupRecordKey::ConsumerGroupPartitionMetadata(key) => {
                match value {
                    Some(GroupRecordValue::ConsumerGroupPartitionMetadata(v)) => {
                        let group = self.group_mut_or_create(&key.group_id);
                        group.persisted.subscription_metadata = v
                            .topics
                            .iter()
                            .map(|t| {
                                let topic = SubscribedTopic {
                                    topic_id: t.topic_id,
                                    num_partitions: t.num_partitions,
                                };
                                (t.topic_name.clone(), topic)
                            })
                            .collect();
                    }
                    None => {
                        if let Some(group) = self.groups.get_mut(&key.group_id) {
                            group.persisted.subscription_metadata.clear();
                        }
                    }
                    Some(_) => {}
                }
                true
            }
            GroupRecordKey::ConsumerGroupMemberMetadata(key) => {
                match value {
                    Some(GroupRecordValue::ConsumerGroupMemberMetadata(v)) => {
                        let group = self.group_mut_or_create(&key.group_id);
                        let mut member = group
                            .persisted
                            .members
                            .get(&key.member_id)
                            .cloned()
                            .unwrap_or_else(|| ConsumerGroupMember::new(key.member_id.clone()));
                        member.instance_id = v.instance_id.clone();
                        member.rack_id = v.rack_id.clone();
                        member.client_id = v.client_id.clone();
                        member.client_host = v.client_host.clone();
                        member.subscribed_topic_names =
                            v.subscribed_topic_names.iter().cloned().collect();
                        member.subscribed_topic_regex =
                            v.subscribed_topic_regex.clone().filter(|r| !r.is_empty());
                        member.rebalance_timeout_ms = v.rebalance_timeout_ms;
                        member.server_assignor = v.server_assignor.clone();
                        member.classic_member_metadata = v.classic_member_metadata.clone();
                        group.put_member(&key.member_id, Some(member));
                    }
                    None => {
                        if let Some(group) = self.groups.get_mut(&key.group_id) {
                            group.put_member(&key.member_id, None);
                            group.rebalance_timer_epochs.remove(&key.member_id);
                        }
                    }
                    Some(_) => {}
                }
                true
            }
            GroupRecordKey::ConsumerGroupTargetAssignmentMetadata(key) => {
                match value {
                    Some(GroupRecordValue::ConsumerGroupTargetAssignmentMetadata(v)) => {
                        self.group_mut_or_create(&key.group_id)
                            .persisted
                            .target_assignment_epoch = v.assignment_epoch;
                    }
                    None => {
                        if let Some(group) = self.groups.get_mut(&key.group_id) {
                            group.persisted.target_assignment_epoch = 0;
                        }
                    }
                    Some(_) => {}
                }
                true
            }
            GroupRecordKey::ConsumerGroupTargetAssignmentMember(key) => {
                match value {
                    Some(GroupRecordValue::ConsumerGroupTargetAssignmentMember(v)) => {
                        let partitions = from_record_partitions(
                            v.topic_partitions
                                .iter()
                                .map(|tp| (&tp.topic_id, &tp.partitions)),
                        );
                        self.group_mut_or_create(&key.group_id)
                            .persisted
                            .target_assignment
                            .insert(key.member_id.clone(), partitions);
                    }
                    None => {
                        if let Some(group) = self.groups.get_mut(&key.group_id) {
                            group.persisted.target_assignment.remove(&key.member_id);
                        }
                    }
                    Some(_) => {}
                }
                true
            }
            GroupRecordKey::ConsumerGroupCurrentMemberAssignment(key) => {
                match value {
                    Some(GroupRecordValue::ConsumerGroupCurrentMemberAssignment(v)) => {
                        let group = self.group_mut_or_create(&key.group_id);
                        let mut member = group
                            .persisted
                            .members
                            .get(&key.member_id)
                            .cloned()
                            .unwrap_or_else(|| ConsumerGroupMember::new(key.member_id.clone()));
                        member.member_epoch = v.member_epoch;
                        member.previous_member_epoch = v.previous_member_epoch;
                        member.state = MemberState::from_value(v.state);
                        member.assigned_partitions = from_record_partitions(
                            v.assigned_partitions
                                .iter()
                                .map(|tp| (&tp.topic_id, &tp.partitions)),
                        );
                        member.partitions_pending_revocation = from_record_partitions(
                            v.partitions_pending_revocation
                                .iter()
                                .map(|tp| (&tp.topic_id, &tp.partitions)),
                        );
                        group.put_member(&key.member_id, Some(member));
                    }
                    None => {
                        // Kafka keeps the member (its metadata tombstone follows) with no partitions.
                        if let Some(group) = self.groups.get_mut(&key.group_id) {
                            if let Some(mut member) =
                                group.persisted.members.get(&key.member_id).cloned()
                            {
                                member.member_epoch = LEAVE_GROUP_MEMBER_EPOCH;
                                member.previous_member_epoch = LEAVE_GROUP_MEMBER_EPOCH;
                                member.state = MemberState::Stable;
                                member.assigned_partitions = TopicPartitions::new();
                                member.partitions_pending_revocation = TopicPartitions::new();
                                group.put_member(&key.member_id, Some(member));
                            }
                        }
                    }
                    Some(_) => {}
                }
                true
            }
            GroupRecordKey::ConsumerGroupRegularExpression(key) => {
                match value {
                    Some(GroupRecordValue::ConsumerGroupRegularExpression(v)) => {
                        let resolved = ResolvedRegex {
                            topics: v.topics.iter().cloned().collect(),
                            version: v.version,
                            timestamp_ms: v.timestamp,
                        };
                        self.group_mut_or_create(&key.group_id)
                            .persisted
                            .resolved_regexes
                            .insert(key.regular_expression.clone(), resolved);
                    }
                    None => {
                        if let Some(group) = self.groups.get_mut(&key.group_id) {
                            group
                                .persisted
                                .resolved_regexes
                                .remove(&key.regular_expression);
                        }
                    }
                    Some(_) => {}
                }
                true
            }
            // Offsets and classic groups belong to the other state machines.
            _ => false,
        }
    }

    fn group_mut_or_create(&mut self, group_id: &str) -> &mut ConsumerGroup {
        self.groups.entry(group_id.to_owned()).or_default()
    }
}
