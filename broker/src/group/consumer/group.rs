//! One KIP-848 consumer group (Kafka's `ConsumerGroup`): epochs, members, target assignment,
//! subscribed-topic metadata, resolved regular expressions, and the partition-ownership index
//! derived from the members.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use uuid::Uuid;

use super::member::ConsumerGroupMember;
use crate::group::assignor::TopicPartitions;

/// One subscribed topic as persisted in `ConsumerGroupPartitionMetadata`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SubscribedTopic {
    /// The topic id.
    pub(crate) topic_id: Uuid,
    /// Its partition count when last computed.
    pub(crate) num_partitions: i32,
}

/// The topics one regular expression matched (`ConsumerGroupRegularExpression`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResolvedRegex {
    /// Matching topic names.
    pub(crate) topics: BTreeSet<String>,
    /// Offset of the metadata image it was resolved against.
    pub(crate) version: i64,
    /// When it was resolved, in ms.
    pub(crate) timestamp_ms: i64,
}

/// Kafka's `ConsumerGroupState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupState {
    /// No members.
    Empty,
    /// The group epoch is ahead of the target assignment.
    Assigning,
    /// Some member has not reached the target assignment.
    Reconciling,
    /// Every member owns its target assignment.
    Stable,
}

impl GroupState {
    /// Kafka's name (`ConsumerGroupState.toString()`), used by ConsumerGroupDescribe and ListGroups.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Empty => "Empty",
            Self::Assigning => "Assigning",
            Self::Reconciling => "Reconciling",
            Self::Stable => "Stable",
        }
    }
}

/// The persisted state of a consumer group: exactly what its records rebuild.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct PersistedGroup {
    /// The group epoch (`ConsumerGroupMetadata`).
    pub(crate) group_epoch: i32,
    /// Kafka 4.1's subscribed-topic metadata hash (`ConsumerGroupMetadata` tag 0); replayed, 0 when
    /// this build wrote the record (it writes `ConsumerGroupPartitionMetadata` instead, as 4.0 does).
    pub(crate) metadata_hash: i64,
    /// Subscribed topics by name (`ConsumerGroupPartitionMetadata`).
    pub(crate) subscription_metadata: BTreeMap<String, SubscribedTopic>,
    /// Members by id (`ConsumerGroupMemberMetadata` + `ConsumerGroupCurrentMemberAssignment`).
    pub(crate) members: BTreeMap<String, ConsumerGroupMember>,
    /// The epoch of the target assignment (`ConsumerGroupTargetAssignmentMetadata`).
    pub(crate) target_assignment_epoch: i32,
    /// Target partitions by member id (`ConsumerGroupTargetAssignmentMember`).
    pub(crate) target_assignment: BTreeMap<String, TopicPartitions>,
    /// Resolved regular expressions (`ConsumerGroupRegularExpression`).
    pub(crate) resolved_regexes: BTreeMap<String, ResolvedRegex>,
}

/// A consumer group: persisted state plus indexes and ephemeral bookkeeping.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConsumerGroup {
    /// What the records rebuild.
    pub(crate) persisted: PersistedGroup,
    /// Owner and epoch of every owned partition (assigned or pending revocation), derived from the
    /// members on every current-assignment replay.
    partition_owners: HashMap<Uuid, HashMap<i32, (String, i32)>>,
    /// Member epoch at which each member's rebalance timer was armed (ephemeral).
    pub(crate) rebalance_timer_epochs: HashMap<String, i32>,
    /// Offset of the metadata image the subscription metadata was last checked against (ephemeral).
    pub(crate) metadata_checked_at: Option<i64>,
}

impl ConsumerGroup {
    /// The group's state, derived as Kafka's `maybeUpdateGroupState` does.
    pub(crate) fn state(&self) -> GroupState {
        let p = &self.persisted;
        if p.members.is_empty() {
            GroupState::Empty
        } else if p.group_epoch > p.target_assignment_epoch {
            GroupState::Assigning
        } else if p
            .members
            .values()
            .any(|m| !m.is_reconciled_to(p.target_assignment_epoch))
        {
            GroupState::Reconciling
        } else {
            GroupState::Stable
        }
    }

    /// The epoch of the member owning a partition, or -1 when no member owns it.
    pub(crate) fn partition_epoch(&self, topic_id: &Uuid, partition: i32) -> i32 {
        self.partition_owners
            .get(topic_id)
            .and_then(|p| p.get(&partition))
            .map_or(-1, |(_, epoch)| *epoch)
    }

    /// The member owning a partition, if any.
    #[cfg(test)]
    pub(crate) fn partition_owner(&self, topic_id: &Uuid, partition: i32) -> Option<&str> {
        self.partition_owners
            .get(topic_id)
            .and_then(|p| p.get(&partition))
            .map(|(m, _)| m.as_str())
    }

    /// The member holding `instance_id`, if any.
    pub(crate) fn static_member(&self, instance_id: &str) -> Option<&ConsumerGroupMember> {
        self.persisted
            .members
            .values()
            .find(|m| m.instance_id.as_deref() == Some(instance_id))
    }

    /// The target partitions of a member (empty when it has none).
    pub(crate) fn target_of(&self, member_id: &str) -> TopicPartitions {
        self.persisted
            .target_assignment
            .get(member_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Replaces (or with `None` removes) a member, keeping the ownership index in step.
    pub(crate) fn put_member(&mut self, member_id: &str, member: Option<ConsumerGroupMember>) {
        if let Some(old) = self.persisted.members.remove(member_id) {
            for (topic_id, partitions) in old
                .assigned_partitions
                .iter()
                .chain(&old.partitions_pending_revocation)
            {
                if let Some(owners) = self.partition_owners.get_mut(topic_id) {
                    for p in partitions {
                        if owners.get(p).is_some_and(|(owner, _)| owner == member_id) {
                            owners.remove(p);
                        }
                    }
                    if owners.is_empty() {
                        self.partition_owners.remove(topic_id);
                    }
                }
            }
        }
        if let Some(new) = member {
            for (topic_id, partitions) in new
                .assigned_partitions
                .iter()
                .chain(&new.partitions_pending_revocation)
            {
                let owners = self.partition_owners.entry(*topic_id).or_default();
                for p in partitions {
                    owners.insert(*p, (member_id.to_owned(), new.member_epoch));
                }
            }
            self.persisted.members.insert(member_id.to_owned(), new);
        }
    }

    /// The topic names a member subscribes to: its names plus what its regex resolved to.
    pub(crate) fn member_topics(&self, member: &ConsumerGroupMember) -> BTreeSet<String> {
        let mut topics = member.subscribed_topic_names.clone();
        if let Some(regex) = &member.subscribed_topic_regex {
            if let Some(resolved) = self.persisted.resolved_regexes.get(regex) {
                topics.extend(resolved.topics.iter().cloned());
            }
        }
        topics
    }

    /// All topic names the group subscribes to.
    pub(crate) fn subscribed_topic_names(&self) -> BTreeSet<String> {
        self.persisted
            .members
            .values()
            .flat_map(|m| self.member_topics(m))
            .collect()
    }

    /// The regexes some member uses.
    pub(crate) fn regexes_in_use(&self) -> BTreeSet<String> {
        self.persisted
            .members
            .values()
            .filter_map(|m| m.subscribed_topic_regex.clone())
            .collect()
    }

    /// The assignor most members asked for (ties: the earlier one in `configured`), else the
    /// first configured one (Kafka's `computePreferredServerAssignor`).
    pub(crate) fn preferred_assignor<'a>(&self, configured: &'a [String]) -> Option<&'a str> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for member in self.persisted.members.values() {
            if let Some(name) = &member.server_assignor {
                *counts.entry(name.as_str()).or_default() += 1;
            }
        }
        let best = configured
            .iter()
            .filter_map(|name| counts.get(name.as_str()).map(|c| (name.as_str(), *c)))
            .fold(None::<(&str, usize)>, |best, (name, c)| match best {
                Some((_, bc)) if bc >= c => best,
                _ => Some((name, c)),
            });
        best.map(|(name, _)| name)
            .or_else(|| configured.first().map(String::as_str))
    }
}
