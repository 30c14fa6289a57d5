//! One `__consumer_offsets` partition's group state: the classic groups, the consumer groups and
//! the committed offsets of every group that hashes to it, and the operations that span them.
//!
//! A group id lives in at most one of [`ClassicGroups`] and [`ConsumerGroups`]. Where a request
//! meets a group of the other type, the answers are Kafka 4's (`GroupMetadataManager`):
//! - JoinGroup on an empty consumer group converts it (tombstones, then a classic join); on a
//!   non-empty one the member joins the consumer group as a classic member (mixed group).
//! - ConsumerGroupHeartbeat on an empty classic group converts it the same way; on a non-empty one
//!   the group upgrades online if `group.consumer.migration.policy` allows (see
//!   [`super::migration`]), else GROUP_ID_NOT_FOUND ("Group X is not a consumer group.").
//! - SyncGroup/Heartbeat/LeaveGroup on a consumer group go to its classic members; a consumer
//!   group whose last consumer-protocol member leaves downgrades to a classic group.
//! - DescribeGroups on a consumer group: Dead (GROUP_ID_NOT_FOUND from v6);
//!   ConsumerGroupDescribe on a classic group: GROUP_ID_NOT_FOUND.
//!
//! Loading: records are offered to all three state machines. After the load, the shard schedules
//! a session timeout for every member the records name (Kafka's `onLoaded`), so a member that died
//! with the broker is eventually removed, and creates an Empty classic group for every group that
//! has offsets but no group record (a "simple" group, as Kafka's loader does).

use std::collections::{BTreeMap, BTreeSet};

use kafka_protocol::messages::consumer_group_describe_response;
use kafka_protocol::messages::describe_groups_response::DescribedGroup;
use kafka_protocol::messages::offset_commit_request::OffsetCommitRequestTopic;
use kafka_protocol::messages::offset_commit_response::{
    OffsetCommitResponsePartition, OffsetCommitResponseTopic,
};
use kafka_protocol::messages::{
    ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, GroupId, HeartbeatRequest,
    HeartbeatResponse, JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest, LeaveGroupResponse,
    OffsetCommitRequest, SyncGroupRequest, SyncGroupResponse,
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;
use strata_protocol::group_records::{GroupRecord, GroupRecordKey, GroupRecordValue};
use tokio::sync::oneshot;

use super::classic::ClassicGroups;
use super::consumer::ConsumerGroups;
use super::migration;
use super::offsets::{CommittedOffset, ExpiryBase, OffsetStore};
use super::op_context::OpContext;
use super::result::{CoordinatorResult, DeferredResponse};
use super::runtime::CoordinatorShard;
use super::timer::TimerKey;
use super::GroupListing;

/// A member named by the loaded records, whose session the shard arms after the load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LoadedSession {
    /// A classic member with its session timeout.
    Classic { session_timeout_ms: i32 },
    /// A consumer group member: its classic session timeout if it joined with the classic
    /// protocol (mixed group), else `group.consumer.session.timeout.ms`.
    Consumer { session_timeout_ms: Option<i32> },
}

/// OffsetDelete's answer: per topic, (partition, error code); or the group's error code.
pub(crate) type OffsetDeleteOutcome = Result<Vec<(String, Vec<(i32, i16)>)>, i16>;

/// The group state of one `__consumer_offsets` partition.
#[derive(Debug, Default)]
pub(crate) struct GroupShard {
    classic: ClassicGroups,
    consumer: ConsumerGroups,
    offsets: OffsetStore,
    /// Members named by replayed records, (group, member) → session kind; consumed by `on_loaded`.
    loaded_sessions: BTreeMap<(String, String), LoadedSession>,
}

fn str_bytes(text: &str) -> StrBytes {
    StrBytes::from_string(text.to_owned())
}

impl GroupShard {
    /// An empty shard.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn track_loaded_members(&mut self, record: &GroupRecord) {
        match (&record.key, &record.value) {
            (GroupRecordKey::GroupMetadata(key), value) => {
                self.loaded_sessions.retain(|(group, _), kind| {
                    group != &key.group || matches!(kind, LoadedSession::Consumer { .. })
                });
                if let Some(GroupRecordValue::GroupMetadata(value)) = value {
                    for member in &value.members {
                        self.loaded_sessions.insert(
                            (key.group.clone(), member.member_id.clone()),
                            LoadedSession::Classic {
                                session_timeout_ms: member.session_timeout,
                            },
                        );
                    }
                }
            }
            (GroupRecordKey::ConsumerGroupMemberMetadata(key), value) => {
                let id = (key.group_id.clone(), key.member_id.clone());
                if let Some(value) = value {
                    let session_timeout_ms = match value {
                        GroupRecordValue::ConsumerGroupMemberMetadata(v) => v
                            .classic_member_metadata
                            .as_ref()
                            .map(|c| c.session_timeout_ms),
                        _ => None,
                    };
                    let session = LoadedSession::Consumer { session_timeout_ms };
                    self.loaded_sessions.insert(id, session);
                } else {
                    self.loaded_sessions.remove(&id);
                }
            }
            _ => {}
        }
    }

    /// JoinGroup. The response goes to `tx` once committed.
    pub(crate) fn join(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &JoinGroupRequest,
        tx: oneshot::Sender<JoinGroupResponse>,
    ) -> CoordinatorResult<()> {
        let group_id = req.group_id.as_str();
        let mut records = Vec::new();
        if self.consumer.contains(group_id) {
            if !self.consumer.is_empty(group_id) {
                // A classic member joins the consumer group (mixed group, group::migration).
                let mut result = self.consumer.classic_join(ctx, req, tx);
                self.complete_downgrades(ctx, &mut result);
                return result;
            }
            match self.consumer.delete_group(ctx, group_id) {
                Ok(tombstones) => records = tombstones,
                Err(code) => {
                    return CoordinatorResult {
                        records,
                        response: (),
                        deferred: vec![DeferredResponse::new(tx, join_error(code), join_error)],
                    }
                }
            }
        }
        let mut result = self.classic.join(ctx, req, tx);
        records.append(&mut result.records);
        result.records = records;
        result
    }

    /// SyncGroup. The response goes to `tx` once committed (a follower's after the leader's).
    pub(crate) fn sync(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &SyncGroupRequest,
        tx: oneshot::Sender<SyncGroupResponse>,
    ) -> CoordinatorResult<()> {
        if self.consumer.contains(req.group_id.as_str()) {
            return self.consumer.classic_sync(ctx, req, tx);
        }
        self.classic.sync(ctx, req, tx)
    }

    /// Heartbeat (classic).
    pub(crate) fn heartbeat(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &HeartbeatRequest,
    ) -> CoordinatorResult<HeartbeatResponse> {
        if self.consumer.contains(req.group_id.as_str()) {
            return self.consumer.classic_heartbeat(ctx, req);
        }
        self.classic.heartbeat(ctx, req)
    }

    /// LeaveGroup (classic).
    pub(crate) fn leave(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &LeaveGroupRequest,
    ) -> CoordinatorResult<LeaveGroupResponse> {
        if self.consumer.contains(req.group_id.as_str()) {
            return self.consumer.classic_leave(ctx, req);
        }
        self.classic.leave(ctx, req)
    }

    /// The persisted state of the classic and consumer groups, rendered for comparing a live
    /// shard with one rebuilt from its records.
    #[cfg(test)]
    pub(crate) fn persisted_debug(&self) -> String {
        format!(
            "{:?}\n{:?}",
            self.classic.persisted_view(),
            self.consumer.persisted_view()
        )
    }

    /// Hands the groups the consumer state machine downgraded over to the classic one.
    fn complete_downgrades<R>(
        &mut self,
        ctx: &mut OpContext<'_>,
        result: &mut CoordinatorResult<R>,
    ) {
        migration::complete_downgrades(&mut self.classic, &mut self.consumer, ctx, result);
    }

    /// ConsumerGroupHeartbeat.
    pub(crate) fn consumer_heartbeat(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &ConsumerGroupHeartbeatRequest,
    ) -> CoordinatorResult<ConsumerGroupHeartbeatResponse> {
        let group_id = req.group_id.as_str();
        let mut records = Vec::new();
        if self.classic.contains(group_id) {
            let convertible = self.classic.is_empty(group_id) && req.member_epoch == 0;
            if !convertible && !self.classic.is_empty(group_id) {
                // Online upgrade of a non-empty classic group (group::migration).
                let mut result = migration::upgrade_and_heartbeat(
                    &mut self.classic,
                    &mut self.consumer,
                    ctx,
                    req,
                );
                self.complete_downgrades(ctx, &mut result);
                return result;
            }
            if !convertible {
                return CoordinatorResult::response_only(
                    ConsumerGroupHeartbeatResponse::default()
                        .with_error_code(ResponseError::GroupIdNotFound.code())
                        .with_error_message(Some(str_bytes(&format!(
                            "Group {group_id} is not a consumer group."
                        )))),
                );
            }
            match self.classic.delete_group(ctx, group_id) {
                Ok(tombstones) => records = tombstones,
                Err(code) => {
                    return CoordinatorResult::response_only(
                        ConsumerGroupHeartbeatResponse::default().with_error_code(code),
                    )
                }
            }
        }
        let mut result = self.consumer.heartbeat(ctx, req);
        self.complete_downgrades(ctx, &mut result);
        if result.response.error_code != 0 && !records.is_empty() {
            // The join was refused: keep the classic group (replay the removal back).
            // Cheapest correct undo: rebuild it as an Empty group, as the load would.
            let _ = self.classic.ensure_empty_group(ctx, group_id);
            return CoordinatorResult::response_only(result.response);
        }
        records.append(&mut result.records);
        result.records = records;
        result
    }

    /// OffsetCommit: validates the committer against the group (classic generation, consumer
    /// member epoch, or a simple commit), then commits.
    pub(crate) fn commit_offsets(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &OffsetCommitRequest,
    ) -> CoordinatorResult<Vec<OffsetCommitResponseTopic>> {
        let group_id = req.group_id.as_str();
        let member_id = req.member_id.as_str();
        let epoch = req.generation_id_or_member_epoch;
        let validation = if self.consumer.contains(group_id) {
            self.consumer
                .validate_offset_commit(group_id, member_id, epoch)
        } else {
            let instance = req.group_instance_id.as_ref().map(|s| s.as_str());
            match self
                .classic
                .validate_offset_commit(group_id, member_id, epoch, instance)
            {
                // Below v9 Kafka answers ILLEGAL_GENERATION for an unknown group with a generation.
                Err(code)
                    if code == ResponseError::GroupIdNotFound.code() && ctx.api_version < 9 =>
                {
                    Err(ResponseError::IllegalGeneration.code())
                }
                other => other,
            }
        };
        if let Err(code) = validation {
            return CoordinatorResult::response_only(all_partitions_failed(&req.topics, code));
        }
        let mut result = CoordinatorResult::response_only(());
        if !self.consumer.contains(group_id) {
            if !self.classic.contains(group_id) {
                let created = self.classic.ensure_empty_group(ctx, group_id);
                result.absorb(created);
            }
            self.classic.on_offset_commit(ctx, group_id, member_id);
        }
        let committed = self
            .offsets
            .commit(ctx, group_id, &req.topics, req.retention_time_ms);
        let response = result.absorb(committed);
        result.map(|()| response)
    }

    /// OffsetFetch for one group. `member` is (member id, member epoch) from v9. An unknown group
    /// has no offsets (every partition -1), as Kafka.
    pub(crate) fn fetch_offsets(
        &self,
        group_id: &str,
        member: Option<(&str, i32)>,
        topics: Option<&[(String, Vec<i32>)]>,
        require_stable: bool,
    ) -> Result<Vec<(String, Vec<CommittedOffset>)>, i16> {
        if let Some((member_id, member_epoch)) = member {
            if self.consumer.contains(group_id) {
                self.consumer
                    .validate_offset_fetch(group_id, member_id, member_epoch)?;
            }
        }
        Ok(self.offsets.fetch(group_id, topics, require_stable))
    }

    /// OffsetDelete: GROUP_ID_NOT_FOUND for an unknown group; per partition
    /// GROUP_SUBSCRIBED_TO_TOPIC while a member of a non-empty group subscribes to the topic.
    /// Returns (top-level error, per-topic per-partition errors).
    pub(crate) fn delete_offsets(
        &mut self,
        ctx: &mut OpContext<'_>,
        group_id: &str,
        topics: &[(String, Vec<i32>)],
    ) -> CoordinatorResult<OffsetDeleteOutcome> {
        let subscribed: Option<BTreeSet<String>> = if self.consumer.contains(group_id) {
            (!self.consumer.is_empty(group_id))
                .then(|| self.consumer_subscriptions(group_id, ctx.image))
        } else if self.classic.contains(group_id) {
            (!self.classic.is_empty(group_id)).then(|| self.classic_subscriptions(group_id))
        } else if self.offsets.has_offsets(group_id) {
            None
        } else {
            return CoordinatorResult::response_only(Err(ResponseError::GroupIdNotFound.code()));
        };
        let mut deletable = Vec::new();
        let mut response = Vec::with_capacity(topics.len());
        for (topic, partitions) in topics {
            let is_subscribed = subscribed
                .as_ref()
                .is_some_and(|s| s.contains(topic) || s.contains("*"));
            let code = if is_subscribed {
                ResponseError::GroupSubscribedToTopic.code()
            } else {
                0
            };
            if code == 0 {
                deletable.extend(partitions.iter().map(|p| (topic.clone(), *p)));
            }
            response.push((
                topic.clone(),
                partitions.iter().map(|p| (*p, code)).collect(),
            ));
        }
        let records = self.offsets.delete(ctx, group_id, &deletable);
        CoordinatorResult::with_records(records, Ok(response))
    }

    fn consumer_subscriptions(&self, group_id: &str, image: &MetadataImage) -> BTreeSet<String> {
        let mut topics = BTreeSet::new();
        if let Some(group) = self.consumer.describe(group_id, image) {
            for member in group.members {
                topics.extend(
                    member
                        .subscribed_topic_names
                        .iter()
                        .map(|t| t.0.to_string()),
                );
                if member.subscribed_topic_regex.is_some() {
                    // A regex may match any topic: treat every topic as subscribed.
                    topics.insert("*".to_owned());
                }
            }
        }
        topics
    }

    /// Topics named in the classic members' `ConsumerProtocolSubscription`s (protocol type
    /// "consumer"); a group of another protocol type, or one mid-rebalance whose metadata is not
    /// shown, counts as subscribed to everything (Kafka answers NON_EMPTY_GROUP-like refusals then).
    fn classic_subscriptions(&self, group_id: &str) -> BTreeSet<String> {
        let mut topics = BTreeSet::new();
        let Some(group) = self.classic.describe(group_id) else {
            return topics;
        };
        if group.protocol_type.as_str() != "consumer"
            || group.members.iter().any(|m| m.member_metadata.is_empty())
        {
            topics.insert("*".to_owned());
            return topics;
        }
        for member in &group.members {
            match parse_subscription_topics(&member.member_metadata) {
                Some(names) => topics.extend(names),
                None => {
                    topics.insert("*".to_owned());
                }
            }
        }
        topics
    }

    /// DescribeGroups for one group (classic groups only; others are Dead).
    pub(crate) fn describe_classic(&self, group_id: &str, api_version: i16) -> DescribedGroup {
        if let Some(group) = self.classic.describe(group_id) {
            return group;
        }
        let message = if self.consumer.contains(group_id) {
            format!("Group {group_id} is not a classic group.")
        } else {
            format!("Group {group_id} not found.")
        };
        let mut dead = DescribedGroup::default()
            .with_group_id(GroupId(str_bytes(group_id)))
            .with_group_state(StrBytes::from_static_str("Dead"));
        if api_version >= 6 {
            dead = dead
                .with_error_code(ResponseError::GroupIdNotFound.code())
                .with_error_message(Some(str_bytes(&message)));
        }
        dead
    }

    /// ConsumerGroupDescribe for one group.
    pub(crate) fn describe_consumer(
        &self,
        group_id: &str,
        image: &MetadataImage,
    ) -> Result<consumer_group_describe_response::DescribedGroup, (i16, String)> {
        if let Some(group) = self.consumer.describe(group_id, image) {
            return Ok(group);
        }
        let message = if self.classic.contains(group_id) {
            format!("Group {group_id} is not a consumer group.")
        } else {
            format!("Group {group_id} not found.")
        };
        Err((ResponseError::GroupIdNotFound.code(), message))
    }

    /// Every group of the shard.
    pub(crate) fn list(&self) -> Vec<GroupListing> {
        let mut all = self.classic.list();
        all.extend(self.consumer.list());
        all
    }

    /// DeleteGroups for one group: its offsets' and its own tombstones; the code is 0 or
    /// GROUP_ID_NOT_FOUND / NON_EMPTY_GROUP.
    pub(crate) fn delete_group(
        &mut self,
        ctx: &mut OpContext<'_>,
        group_id: &str,
    ) -> CoordinatorResult<i16> {
        let group_records = if self.consumer.contains(group_id) {
            self.consumer.delete_group(ctx, group_id)
        } else {
            self.classic.delete_group(ctx, group_id)
        };
        match group_records {
            Ok(group_records) => {
                let mut records = self.offsets.delete_group(group_id);
                records.extend(group_records);
                CoordinatorResult::with_records(records, 0)
            }
            Err(code) => CoordinatorResult::response_only(code),
        }
    }

    fn expire_offsets(&mut self, ctx: &mut OpContext<'_>) -> CoordinatorResult<()> {
        let classic = &self.classic;
        let consumer = &self.consumer;
        let base_of = |group_id: &str| {
            if !(classic.is_empty(group_id) && consumer.is_empty(group_id)) {
                ExpiryBase::NotExpiring
            } else {
                classic
                    .empty_since(group_id)
                    .map_or(ExpiryBase::CommitTime, ExpiryBase::Since)
            }
        };
        let mut records = self.offsets.expire_with_base(ctx, &base_of);
        // An empty classic group whose last offsets expired goes too (Kafka's cleanupGroupMetadata).
        let expired_groups: BTreeSet<String> = records
            .iter()
            .filter_map(|r| match &r.key {
                GroupRecordKey::OffsetCommit(key) => Some(key.group.clone()),
                _ => None,
            })
            .collect();
        for group_id in expired_groups {
            if !self.offsets.has_offsets(&group_id)
                && self.classic.contains(&group_id)
                && self.classic.is_empty(&group_id)
            {
                if let Ok(tombstones) = self.classic.delete_group(ctx, &group_id) {
                    records.extend(tombstones);
                }
            }
        }
        CoordinatorResult::with_records(records, ())
    }
}

impl CoordinatorShard for GroupShard {
    fn replay(&mut self, record: &GroupRecord) {
        self.track_loaded_members(record);
        let known = self.offsets.replay(record)
            | self.classic.replay(record)
            | self.consumer.replay(record);
        if !known {
            tracing::debug!(
                record_type = record.type_id(),
                "group record no state machine claims"
            );
        }
    }

    fn on_loaded(&mut self, ctx: &mut OpContext<'_>) -> CoordinatorResult<()> {
        let mut result = CoordinatorResult::response_only(());
        let simple: Vec<String> = self
            .offsets
            .groups()
            .filter(|g| !self.classic.contains(g) && !self.consumer.contains(g))
            .map(str::to_owned)
            .collect();
        for group_id in simple {
            let created = self.classic.ensure_empty_group(ctx, &group_id);
            result.absorb(created);
        }
        for ((group_id, member_id), session) in std::mem::take(&mut self.loaded_sessions) {
            let (key, timeout_ms) = match session {
                LoadedSession::Classic { session_timeout_ms } => (
                    TimerKey::ClassicMemberSession {
                        group_id,
                        member_id,
                    },
                    session_timeout_ms,
                ),
                LoadedSession::Consumer { session_timeout_ms } => (
                    TimerKey::ConsumerSession {
                        group_id,
                        member_id,
                    },
                    session_timeout_ms.unwrap_or(ctx.config.consumer_session_timeout_ms),
                ),
            };
            ctx.timers
                .schedule(key, ctx.now_ms.saturating_add(i64::from(timeout_ms)));
        }
        result
    }

    fn on_timer(&mut self, ctx: &mut OpContext<'_>, key: &TimerKey) -> CoordinatorResult<()> {
        match key {
            TimerKey::OffsetsExpiry => self.expire_offsets(ctx),
            TimerKey::ConsumerSession { .. }
            | TimerKey::ConsumerRebalance { .. }
            | TimerKey::ConsumerClassicJoin { .. }
            | TimerKey::ConsumerClassicSync { .. } => {
                let mut result = self.consumer.on_timer(ctx, key);
                self.complete_downgrades(ctx, &mut result);
                result
            }
            _ => self.classic.on_timer(ctx, key),
        }
    }

    fn on_metadata_image(&mut self, ctx: &mut OpContext<'_>) -> CoordinatorResult<()> {
        self.consumer.on_metadata_image(ctx)
    }
}

fn join_error(code: i16) -> JoinGroupResponse {
    JoinGroupResponse::default()
        .with_error_code(code)
        .with_generation_id(-1)
}

fn all_partitions_failed(
    topics: &[OffsetCommitRequestTopic],
    code: i16,
) -> Vec<OffsetCommitResponseTopic> {
    topics
        .iter()
        .map(|topic| {
            OffsetCommitResponseTopic::default()
                .with_name(topic.name.clone())
                .with_topic_id(topic.topic_id)
                .with_partitions(
                    topic
                        .partitions
                        .iter()
                        .map(|p| {
                            OffsetCommitResponsePartition::default()
                                .with_partition_index(p.partition_index)
                                .with_error_code(code)
                        })
                        .collect(),
                )
        })
        .collect()
}

/// Topic names of a `ConsumerProtocolSubscription` (any version: int16 version, then an array of
/// int16-length strings). `None` when the bytes are not one.
fn parse_subscription_topics(metadata: &[u8]) -> Option<Vec<String>> {
    let mut at = 2_usize;
    let read_i16 = |buf: &[u8], at: usize| -> Option<i16> {
        Some(i16::from_be_bytes([*buf.get(at)?, *buf.get(at + 1)?]))
    };
    let _version = read_i16(metadata, 0)?;
    let count = i32::from_be_bytes(metadata.get(at..at + 4)?.try_into().ok()?);
    at += 4;
    let mut topics = Vec::with_capacity(usize::try_from(count).ok()?.min(10_000));
    for _ in 0..count {
        let len = usize::try_from(read_i16(metadata, at)?).ok()?;
        at += 2;
        let name = std::str::from_utf8(metadata.get(at..at + len)?).ok()?;
        at += len;
        topics.push(name.to_owned());
    }
    Some(topics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_topics_parse_from_consumer_protocol_bytes() {
        // version 1, ["a", "bc"], then user data and owned partitions that are ignored.
        let bytes = [
            0, 1, 0, 0, 0, 2, 0, 1, b'a', 0, 2, b'b', b'c', 0xff, 0xff, 0xff, 0xff,
        ];
        assert_eq!(
            parse_subscription_topics(&bytes),
            Some(vec!["a".to_owned(), "bc".to_owned()])
        );
        assert_eq!(parse_subscription_topics(&[0, 1, 0]), None);
    }
}
