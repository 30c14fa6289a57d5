//! Committed offsets of the groups of one `__consumer_offsets` partition (Kafka's
//! `OffsetMetadataManager`, without transactional offsets), as a pure state machine.
//!
//! Every commit, deletion and expiry is an `OffsetCommit` record (value v3 as Kafka 4 writes it,
//! with the leader epoch and the commit timestamp) or its tombstone; `replay` rebuilds the store
//! from them. Which member may commit is decided before, by the group's state machine.

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use kafka_protocol::messages::offset_commit_request::OffsetCommitRequestTopic;
use kafka_protocol::messages::offset_commit_response::{
    OffsetCommitResponsePartition, OffsetCommitResponseTopic,
};
use kafka_protocol::ResponseError;
use strata_protocol::group_records::{
    GroupRecord, GroupRecordKey, GroupRecordValue, OffsetCommitKey, OffsetCommitValue,
};

use super::op_context::OpContext;
use super::result::CoordinatorResult;

/// The committed offset of one partition as OffsetFetch reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommittedOffset {
    /// The partition index.
    pub(crate) partition: i32,
    /// The committed offset, -1 when none.
    pub(crate) offset: i64,
    /// The leader epoch committed with it, -1 when unknown.
    pub(crate) leader_epoch: i32,
    /// The client's metadata string ("" when none).
    pub(crate) metadata: String,
    /// Per-partition error (0).
    pub(crate) error_code: i16,
}

/// OffsetCommit's `retention_time_ms` meaning "the broker's retention" (Kafka's
/// `OffsetCommitRequest.DEFAULT_RETENTION_TIME`).
const DEFAULT_RETENTION_TIME_MS: i64 = -1;

/// Offsets of one group: topic → partition → committed value.
type GroupOffsets = BTreeMap<String, BTreeMap<i32, OffsetCommitValue>>;

/// The committed offsets of one shard, by group.
///
/// Invariant: no group or topic map is empty (removing the last offset removes the map), so
/// `groups()` lists exactly the groups that have offsets.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct OffsetStore {
    offsets: BTreeMap<String, GroupOffsets>,
}

impl OffsetStore {
    /// Commits offsets of `group_id` (OffsetCommit, any version). Topics named by id (v10) are
    /// resolved through the metadata image (UNKNOWN_TOPIC_ID if absent); metadata longer than
    /// `offset.metadata.max.bytes` is refused with OFFSET_METADATA_TOO_LARGE; every other
    /// partition is committed at `ctx.now_ms` with its leader epoch. `retention_time_ms`
    /// (OffsetCommit v2–v4; -1 otherwise) other than -1 gives the offsets an explicit expire
    /// timestamp `now + retention_time_ms`, as Kafka does, instead of the group's retention.
    pub(crate) fn commit(
        &mut self,
        ctx: &mut OpContext<'_>,
        group_id: &str,
        topics: &[OffsetCommitRequestTopic],
        retention_time_ms: i64,
    ) -> CoordinatorResult<Vec<OffsetCommitResponseTopic>> {
        let expire_timestamp = if retention_time_ms == DEFAULT_RETENTION_TIME_MS {
            -1
        } else {
            ctx.now_ms.saturating_add(retention_time_ms)
        };
        let mut records = Vec::new();
        let mut response = Vec::with_capacity(topics.len());
        for topic in topics {
            let name = if topic.name.0.is_empty() && !topic.topic_id.is_nil() {
                ctx.image
                    .topics
                    .by_id
                    .get(&topic.topic_id)
                    .map(|t| t.name.clone())
            } else {
                Some(topic.name.0.to_string())
            };
            let mut partitions = Vec::with_capacity(topic.partitions.len());
            for partition in &topic.partitions {
                let metadata = partition
                    .committed_metadata
                    .as_ref()
                    .map_or("", |m| m.as_str());
                let error_code = match &name {
                    None => ResponseError::UnknownTopicId.code(),
                    Some(_) if metadata.chars().count() > ctx.config.offset_metadata_max_bytes => {
                        ResponseError::OffsetMetadataTooLarge.code()
                    }
                    Some(name) => {
                        let value = OffsetCommitValue {
                            offset: partition.committed_offset,
                            leader_epoch: partition.committed_leader_epoch,
                            metadata: metadata.to_owned(),
                            commit_timestamp: ctx.now_ms,
                            expire_timestamp,
                        };
                        records.push(self.put(group_id, name, partition.partition_index, value));
                        0
                    }
                };
                partitions.push(
                    OffsetCommitResponsePartition::default()
                        .with_partition_index(partition.partition_index)
                        .with_error_code(error_code),
                );
            }
            response.push(
                OffsetCommitResponseTopic::default()
                    .with_name(topic.name.clone())
                    .with_topic_id(topic.topic_id)
                    .with_partitions(partitions),
            );
        }
        CoordinatorResult::with_records(records, response)
    }

    /// Committed offsets of `group_id`: of every partition it has (`topics` None), or of the
    /// listed partitions (-1 for those without one). `require_stable` asks to fail partitions
    /// with pending transactional commits (UNSTABLE_OFFSET_COMMIT); Strata has no transactional
    /// offset commits, so every committed offset is stable and the flag changes nothing.
    pub(crate) fn fetch(
        &self,
        group_id: &str,
        topics: Option<&[(String, Vec<i32>)]>,
        require_stable: bool,
    ) -> Vec<(String, Vec<CommittedOffset>)> {
        let _ = require_stable;
        let group = self.offsets.get(group_id);
        let committed = |partition: i32, value: Option<&OffsetCommitValue>| match value {
            Some(v) => CommittedOffset {
                partition,
                offset: v.offset,
                leader_epoch: v.leader_epoch,
                metadata: v.metadata.clone(),
                error_code: 0,
            },
            None => CommittedOffset {
                partition,
                offset: -1,
                leader_epoch: -1,
                metadata: String::new(),
                error_code: 0,
            },
        };
        match topics {
            None => group
                .into_iter()
                .flatten()
                .map(|(topic, partitions)| {
                    let offsets = partitions
                        .iter()
                        .map(|(p, v)| committed(*p, Some(v)))
                        .collect();
                    (topic.clone(), offsets)
                })
                .collect(),
            Some(topics) => topics
                .iter()
                .map(|(topic, partitions)| {
                    let stored = group.and_then(|g| g.get(topic));
                    let offsets = partitions
                        .iter()
                        .map(|p| committed(*p, stored.and_then(|s| s.get(p))))
                        .collect();
                    (topic.clone(), offsets)
                })
                .collect(),
        }
    }

    /// OffsetDelete: tombstones for the listed partitions that have a committed offset, which are
    /// removed. (Whether the group may delete them is the shard's check.)
    pub(crate) fn delete(
        &mut self,
        ctx: &mut OpContext<'_>,
        group_id: &str,
        partitions: &[(String, i32)],
    ) -> Vec<GroupRecord> {
        let _ = ctx;
        partitions
            .iter()
            .filter_map(|(topic, partition)| self.remove(group_id, topic, *partition))
            .collect()
    }

    /// Tombstones for every offset of `group_id` (DeleteGroups), which are removed.
    pub(crate) fn delete_group(&mut self, group_id: &str) -> Vec<GroupRecord> {
        let Some(group) = self.offsets.remove(group_id) else {
            return Vec::new();
        };
        group
            .into_iter()
            .flat_map(|(topic, partitions)| {
                partitions
                    .into_keys()
                    .map(move |p| tombstone(group_id, &topic, p))
            })
            .collect()
    }

    /// Expires committed offsets of empty groups after `offsets.retention.minutes`, counted from
    /// the commit timestamp (see [`Self::expire_with_base`] for Kafka's full rule). Test shorthand.
    #[cfg(test)]
    pub(crate) fn expire(
        &mut self,
        ctx: &mut OpContext<'_>,
        group_is_empty: &dyn Fn(&str) -> bool,
    ) -> Vec<GroupRecord> {
        self.expire_with_base(ctx, &|group_id| {
            if group_is_empty(group_id) {
                ExpiryBase::CommitTime
            } else {
                ExpiryBase::NotExpiring
            }
        })
    }

    /// Expires committed offsets whose retention ran out, Kafka's `OffsetExpirationCondition`:
    /// an offset committed with an explicit expire timestamp expires then; otherwise it expires
    /// `offsets.retention.minutes` after its group's [`ExpiryBase`] — for a classic consumer group
    /// that became Empty, the time it became Empty (so a group that committed long ago and just
    /// emptied keeps its offsets a full retention period); for groups without a protocol type
    /// (simple commits), the commit timestamp. Returns the tombstones, already applied.
    pub(crate) fn expire_with_base(
        &mut self,
        ctx: &mut OpContext<'_>,
        base_of: &dyn Fn(&str) -> ExpiryBase,
    ) -> Vec<GroupRecord> {
        let now_ms = ctx.now_ms;
        let retention_ms = ctx.config.offsets_retention_ms;
        let expired: Vec<(String, String, i32)> = self
            .offsets
            .iter()
            .filter_map(|(group_id, topics)| match base_of(group_id) {
                ExpiryBase::NotExpiring => None,
                base => Some((group_id, topics, base)),
            })
            .flat_map(|(group_id, topics, base)| {
                topics.iter().flat_map(move |(topic, partitions)| {
                    partitions
                        .iter()
                        .filter(move |(_, v)| is_expired(v, now_ms, retention_ms, base))
                        .map(move |(p, _)| (group_id.clone(), topic.clone(), *p))
                })
            })
            .collect();
        expired
            .into_iter()
            .filter_map(|(group_id, topic, partition)| self.remove(&group_id, &topic, partition))
            .collect()
    }

    /// Applies an `OffsetCommit` record or tombstone; returns whether the record was one.
    pub(crate) fn replay(&mut self, record: &GroupRecord) -> bool {
        let GroupRecordKey::OffsetCommit(key) = &record.key else {
            return false;
        };
        match &record.value {
            Some(GroupRecordValue::OffsetCommit(value)) => {
                self.put(&key.group, &key.topic, key.partition, value.clone());
            }
            None => {
                self.remove(&key.group, &key.topic, key.partition);
            }
            // An OffsetCommit key with another value type cannot be decoded; ignore it.
            Some(_) => {}
        }
        true
    }

    /// Whether `group_id` has any committed offset.
    pub(crate) fn has_offsets(&self, group_id: &str) -> bool {
        self.offsets.contains_key(group_id)
    }

    /// Groups with committed offsets.
    pub(crate) fn groups(&self) -> impl Iterator<Item = &str> {
        self.offsets.keys().map(String::as_str)
    }

    /// Stores `value` and returns its record.
    fn put(
        &mut self,
        group_id: &str,
        topic: &str,
        partition: i32,
        value: OffsetCommitValue,
    ) -> GroupRecord {
        let record = GroupRecord {
            key: offset_key(group_id, topic, partition),
            value: Some(GroupRecordValue::OffsetCommit(value.clone())),
        };
        self.offsets
            .entry(group_id.to_owned())
            .or_default()
            .entry(topic.to_owned())
            .or_default()
            .insert(partition, value);
        record
    }

    /// Removes one offset; its tombstone if it existed.
    fn remove(&mut self, group_id: &str, topic: &str, partition: i32) -> Option<GroupRecord> {
        let group = self.offsets.get_mut(group_id)?;
        let partitions = group.get_mut(topic)?;
        partitions.remove(&partition)?;
        if partitions.is_empty() {
            group.remove(topic);
        }
        if group.is_empty() {
            self.offsets.remove(group_id);
        }
        Some(tombstone(group_id, topic, partition))
    }
}

/// Kafka's `OffsetExpirationConditionImpl` with the commit timestamp as base.
/// From when a group's offsets age toward `offsets.retention.minutes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExpiryBase {
    /// The group has members: its offsets do not expire.
    NotExpiring,
    /// Each offset's own commit timestamp (simple commits, consumer-protocol groups).
    CommitTime,
    /// A fixed time: when the classic group became Empty.
    Since(i64),
}

fn is_expired(value: &OffsetCommitValue, now_ms: i64, retention_ms: i64, base: ExpiryBase) -> bool {
    if value.expire_timestamp != -1 {
        return now_ms >= value.expire_timestamp;
    }
    let base_ms = match base {
        ExpiryBase::NotExpiring => return false,
        ExpiryBase::CommitTime => value.commit_timestamp,
        ExpiryBase::Since(ms) => ms,
    };
    now_ms - base_ms >= retention_ms
}

fn offset_key(group_id: &str, topic: &str, partition: i32) -> GroupRecordKey {
    GroupRecordKey::OffsetCommit(OffsetCommitKey {
        group: group_id.to_owned(),
        topic: topic.to_owned(),
        partition,
    })
}

fn tombstone(group_id: &str, topic: &str, partition: i32) -> GroupRecord {
    GroupRecord {
        key: offset_key(group_id, topic, partition),
        value: None,
    }
}
