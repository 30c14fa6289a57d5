//! Mixed groups: classic-protocol members inside a consumer group (Kafka's
//! `classicGroupJoinToConsumerGroup`, `classicGroupSyncToConsumerGroup`,
//! `classicGroupHeartbeatToConsumerGroup`, `classicGroupLeaveToConsumerGroup`), and the consumer
//! half of the online migration: adopting a classic group (`ConsumerGroup.fromClassicGroup`) and
//! downgrading to one when the last consumer-protocol member leaves.
//!
//! A classic member's subscription and owned partitions come from its JoinGroup protocol
//! metadata; the server assignor computes its target like any member's; its generation is its
//! member epoch; Heartbeat answers REBALANCE_IN_PROGRESS when it must rejoin to move on; SyncGroup
//! returns its assigned partitions as a `ConsumerProtocolAssignment`. A classic member told to
//! rejoin must do so, and a joined one must sync, within its rebalance timeout, else it is fenced
//! (Kafka's join and sync timeouts). Where this differs from Kafka: malformed embedded metadata is
//! refused with INCONSISTENT_GROUP_PROTOCOL.

use kafka_protocol::messages::leave_group_response::MemberResponse;
use kafka_protocol::messages::{
    HeartbeatRequest, HeartbeatResponse, JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest,
    LeaveGroupResponse, SyncGroupRequest, SyncGroupResponse,
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use strata_protocol::group_records::{ClassicMemberMetadata, ClassicProtocol, GroupRecord};
use tokio::sync::oneshot;

use super::group::ConsumerGroup;
use super::member::{ConsumerGroupMember, MemberState};
use super::{cancel_member_timers, records, ConsumerGroups};
use crate::group::migration::{
    decode_assignment, decode_subscription, encode_assignment, to_topic_ids, to_topic_names,
    ClassicGroupSnapshot, DowngradedGroup, DowngradedMember, CONSUMER_PROTOCOL_TYPE,
};
use crate::group::op_context::OpContext;
use crate::group::result::{CoordinatorResult, DeferredResponse};
use crate::group::timer::TimerKey;

/// From this JoinGroup version a dynamic member must join with a coordinator-given id (KIP-394).
const JOIN_REQUIRES_MEMBER_ID_VERSION: i16 = 4;
/// From this LeaveGroup version members leave in a batch with per-member errors.
const LEAVE_BATCH_VERSION: i16 = 3;

fn join_error(code: i16) -> JoinGroupResponse {
    JoinGroupResponse::default()
        .with_error_code(code)
        .with_generation_id(-1)
}

fn sync_error(code: i16) -> SyncGroupResponse {
    SyncGroupResponse::default().with_error_code(code)
}

fn code(e: ResponseError) -> i16 {
    e.code()
}

/// Kafka's `validateConsumerGroupMember` plus `throwIfMemberDoesNotUseClassicProtocol`.
fn classic_member<'a>(
    group: &'a ConsumerGroup,
    member_id: &str,
    instance_id: Option<&str>,
) -> Result<&'a ConsumerGroupMember, i16> {
    let member = match instance_id {
        None => group
            .persisted
            .members
            .get(member_id)
            .ok_or(code(ResponseError::UnknownMemberId))?,
        Some(instance) => {
            let member = group
                .static_member(instance)
                .ok_or(code(ResponseError::UnknownMemberId))?;
            if member.member_id != member_id {
                return Err(code(ResponseError::FencedInstanceId));
            }
            member
        }
    };
    if member.uses_consumer_protocol() {
        return Err(code(ResponseError::UnknownMemberId));
    }
    Ok(member)
}

/// The first protocol a classic member joined with (the one its responses name).
fn first_protocol(member: &ConsumerGroupMember) -> Option<&ClassicProtocol> {
    member
        .classic_member_metadata
        .as_ref()
        .and_then(|m| m.supported_protocols.first())
}

/// Kafka's `scheduleConsumerGroupJoinTimeoutIfAbsent`: a classic member told to rejoin is fenced
/// if it does not within its rebalance timeout.
fn schedule_join_timeout_if_absent(
    ctx: &mut OpContext<'_>,
    group_id: &str,
    member: &ConsumerGroupMember,
) {
    let key = TimerKey::ConsumerClassicJoin {
        group_id: group_id.to_owned(),
        member_id: member.member_id.clone(),
    };
    if !ctx.timers.is_scheduled(&key) {
        let deadline = ctx.now_ms + i64::from(member.rebalance_timeout_ms.max(0));
        ctx.timers.schedule(key, deadline);
    }
}

fn session_timeout_ms(member: &ConsumerGroupMember, fallback_ms: i32) -> i32 {
    member
        .classic_member_metadata
        .as_ref()
        .map_or(fallback_ms, |m| m.session_timeout_ms)
}

/// Whether the member must rejoin: the group moved on, it must revoke, or the partitions it waits
/// for are free now (Kafka's heartbeat rule).
fn must_rejoin(group: &ConsumerGroup, member: &ConsumerGroupMember) -> bool {
    member.member_epoch < group.persisted.group_epoch
        || member.state == MemberState::UnrevokedPartitions
        || (member.state == MemberState::UnreleasedPartitions
            && !waiting_on_unreleased_partition(group, member))
}

/// Kafka's `waitingOnUnreleasedPartition`: some target partition is still owned by another member.
fn waiting_on_unreleased_partition(group: &ConsumerGroup, member: &ConsumerGroupMember) -> bool {
    group
        .target_of(&member.member_id)
        .iter()
        .any(|(topic_id, partitions)| {
            let assigned = member.assigned_partitions.get(topic_id);
            partitions.iter().any(|p| {
                !assigned.is_some_and(|a| a.contains(p))
                    && group.partition_epoch(topic_id, *p) != -1
            })
        })
}

impl ConsumerGroups {
    /// Builds a consumer group from a classic one (Kafka's `fromClassicGroup` and
    /// `createConsumerGroupRecords`): every member keeps its assignment as current and target
    /// assignment at epoch = the generation. Writes and applies the member subscriptions, the group
    /// epoch, the target assignment and the current assignments, and arms each member's session
    /// with its classic session timeout. `Err` (nothing written) when a member's embedded protocol
    /// is malformed.
    pub(crate) fn adopt_classic(
        &mut self,
        ctx: &mut OpContext<'_>,
        snapshot: &ClassicGroupSnapshot,
    ) -> Result<Vec<GroupRecord>, String> {
        let group_id = snapshot.group_id.as_str();
        let malformed = || {
            format!(
                "Cannot upgrade the classic group {group_id} to consumer group because the embedded consumer \
                 protocol is malformed."
            )
        };
        let epoch = snapshot.generation_id;
        let mut members = Vec::with_capacity(snapshot.members.len());
        for m in &snapshot.members {
            let subscription = decode_subscription(&m.subscription).ok_or_else(malformed)?;
            let assignment = decode_assignment(&m.assignment).ok_or_else(malformed)?;
            let assigned = to_topic_ids(
                assignment
                    .assigned_partitions
                    .iter()
                    .map(|t| (t.topic.0.as_str(), t.partitions.as_slice())),
                ctx.image,
            );
            let mut member = ConsumerGroupMember::new(m.member_id.clone());
            member.member_epoch = epoch;
            member.previous_member_epoch = epoch;
            member.state = MemberState::Stable;
            member.instance_id = m.instance_id.clone();
            member.rack_id = subscription.rack_id.as_ref().map(|r| r.as_str().to_owned());
            member.rebalance_timeout_ms = m.rebalance_timeout_ms;
            member.client_id = m.client_id.clone();
            member.client_host = m.client_host.clone();
            member.subscribed_topic_names = subscription
                .topics
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect();
            member.assigned_partitions = assigned;
            member.classic_member_metadata = Some(ClassicMemberMetadata {
                session_timeout_ms: m.session_timeout_ms,
                supported_protocols: m
                    .protocols
                    .iter()
                    .map(|(name, metadata)| ClassicProtocol {
                        name: name.clone(),
                        metadata: metadata.clone(),
                    })
                    .collect(),
            });
            members.push(member);
        }
        let mut out = Vec::new();
        for member in &members {
            self.emit(&mut out, records::member_metadata(group_id, member));
        }
        self.emit(&mut out, records::group_epoch(group_id, epoch));
        for member in &members {
            self.emit(
                &mut out,
                records::target_member(group_id, &member.member_id, &member.assigned_partitions),
            );
        }
        self.emit(&mut out, records::target_epoch(group_id, epoch));
        for member in &members {
            self.emit(&mut out, records::current_assignment(group_id, member));
            ctx.timers.schedule(
                TimerKey::ConsumerSession {
                    group_id: group_id.to_owned(),
                    member_id: member.member_id.clone(),
                },
                ctx.now_ms + i64::from(session_timeout_ms(member, 0)),
            );
        }
        Ok(out)
    }

    /// Drops a group whose records were never written (an upgrade undone because the heartbeat
    /// that triggered it was refused), with its members' timers.
    pub(crate) fn forget(&mut self, ctx: &mut OpContext<'_>, group_id: &str) {
        if let Some(group) = self.groups.remove(group_id) {
            for member_id in group.persisted.members.keys() {
                cancel_member_timers(ctx, group_id, member_id);
            }
        }
    }

    /// The groups the last operations converted to classic groups, for the classic state machine
    /// to take over.
    pub(crate) fn take_downgraded(&mut self) -> Vec<DowngradedGroup> {
        std::mem::take(&mut self.downgraded)
    }

    /// Kafka's `validateOnlineDowngradeWithFencedMember`: the leaving member is the only one on the
    /// consumer protocol, others remain, the policy allows it, and they fit `group.max.size`.
    pub(super) fn downgrade_allowed_without(
        &self,
        ctx: &OpContext<'_>,
        group_id: &str,
        member_id: &str,
    ) -> bool {
        let Some(group) = self.groups.get(group_id) else {
            return false;
        };
        let members = &group.persisted.members;
        let Some(leaving) = members.get(member_id) else {
            return false;
        };
        leaving.uses_consumer_protocol()
            && members
                .values()
                .filter(|m| m.member_id != member_id)
                .all(|m| !m.uses_consumer_protocol())
            && members.len() > 1
            && ctx.config.migration_policy.downgrade_enabled()
            && members.len() - 1 <= ctx.config.classic_max_size
    }

    /// Kafka's `validateOnlineDowngradeWithReplacedMemberId`, checked after the replacement: every
    /// member now uses the classic protocol, the policy allows it, and they fit `group.max.size`.
    fn downgrade_allowed_after_replacement(&self, ctx: &OpContext<'_>, group_id: &str) -> bool {
        self.groups.get(group_id).is_some_and(|group| {
            let members = &group.persisted.members;
            members.values().all(|m| !m.uses_consumer_protocol())
                && ctx.config.migration_policy.downgrade_enabled()
                && members.len() <= ctx.config.classic_max_size
        })
    }

    /// Kafka's `convertToClassicGroup` (consumer half): tombstones every record of the group,
    /// cancels its members' timers and queues the remaining members with their target assignments
    /// for the classic state machine.
    pub(super) fn downgrade(
        &mut self,
        ctx: &mut OpContext<'_>,
        group_id: &str,
        leaving_member_id: &str,
        rebalance: bool,
        out: &mut Vec<GroupRecord>,
    ) {
        let Some(group) = self.groups.get(group_id).cloned() else {
            return;
        };
        let fallback_session_ms = ctx.config.consumer_session_timeout_ms;
        let remaining = group
            .persisted
            .members
            .values()
            .filter(|m| m.member_id != leaving_member_id)
            .map(|m| DowngradedMember {
                member_id: m.member_id.clone(),
                instance_id: m.instance_id.clone(),
                client_id: m.client_id.clone(),
                client_host: m.client_host.clone(),
                rebalance_timeout_ms: m.rebalance_timeout_ms,
                session_timeout_ms: session_timeout_ms(m, fallback_session_ms),
                protocols: m
                    .classic_member_metadata
                    .iter()
                    .flat_map(|c| c.supported_protocols.iter())
                    .map(|p| (p.name.clone(), p.metadata.clone()))
                    .collect(),
                target: to_topic_names(&group.target_of(&m.member_id), ctx.image),
            })
            .collect();
        let ids: Vec<&String> = group.persisted.members.keys().collect();
        for id in &ids {
            self.emit(out, records::current_assignment_tombstone(group_id, id));
        }
        for id in &ids {
            self.emit(out, records::target_member_tombstone(group_id, id));
        }
        self.emit(out, records::target_epoch_tombstone(group_id));
        for id in &ids {
            self.emit(out, records::member_metadata_tombstone(group_id, id));
        }
        for regex in group.persisted.resolved_regexes.keys() {
            self.emit(out, records::regex_tombstone(group_id, regex));
        }
        self.emit(out, records::subscription_metadata_tombstone(group_id));
        self.emit(out, records::group_epoch_tombstone(group_id));
        for id in &ids {
            cancel_member_timers(ctx, group_id, id);
        }
        self.downgraded.push(DowngradedGroup {
            group_id: group_id.to_owned(),
            group_epoch: group.persisted.group_epoch,
            members: remaining,
            rebalance,
        });
    }

    /// JoinGroup from a classic-protocol consumer for this (non-empty) consumer group.
    pub(crate) fn classic_join(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &JoinGroupRequest,
        tx: oneshot::Sender<JoinGroupResponse>,
    ) -> CoordinatorResult<()> {
        let mut records = Vec::new();
        let response = match self.classic_join_member(ctx, req, &mut records) {
            Ok(response) => response,
            Err((error_code, member_id)) => {
                debug_assert!(records.is_empty(), "a refused join wrote records");
                join_error(error_code).with_member_id(StrBytes::from_string(member_id))
            }
        };
        CoordinatorResult {
            records,
            response: (),
            deferred: vec![DeferredResponse::new(tx, response, join_error)],
        }
    }

    fn classic_join_member(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &JoinGroupRequest,
        records: &mut Vec<GroupRecord>,
    ) -> Result<JoinGroupResponse, (i16, String)> {
        let group_id = req.group_id.as_str().to_owned();
        let unknown = req.member_id.is_empty();
        let member_id = if unknown {
            (self.member_id_source)()
        } else {
            req.member_id.as_str().to_owned()
        };
        let fail = |e: ResponseError| (e.code(), req.member_id.as_str().to_owned());
        let group = self
            .groups
            .get(&group_id)
            .ok_or_else(|| fail(ResponseError::UnknownMemberId))?;
        let config = ctx.config;
        if req.session_timeout_ms < config.classic_min_session_timeout_ms
            || req.session_timeout_ms > config.classic_max_session_timeout_ms
        {
            return Err(fail(ResponseError::InvalidSessionTimeout));
        }
        let members = &group.persisted.members;
        if members.len() >= config.consumer_max_size && !members.contains_key(&member_id) {
            return Err(fail(ResponseError::GroupMaxSizeReached));
        }
        // Kafka's `supportsClassicProtocols`: some protocol every classic member supports.
        let classic_members: Vec<&ConsumerGroupMember> = members
            .values()
            .filter(|m| !m.uses_consumer_protocol())
            .collect();
        let supported = req.protocol_type.as_str() == CONSUMER_PROTOCOL_TYPE
            && !req.protocols.is_empty()
            && req.protocols.iter().any(|p| {
                classic_members.iter().all(|m| {
                    m.classic_member_metadata.as_ref().is_some_and(|c| {
                        c.supported_protocols
                            .iter()
                            .any(|s| s.name == p.name.as_str())
                    })
                })
            });
        if !supported {
            return Err(fail(ResponseError::InconsistentGroupProtocol));
        }
        if ctx.api_version >= JOIN_REQUIRES_MEMBER_ID_VERSION
            && unknown
            && req.group_instance_id.is_none()
        {
            return Err((ResponseError::MemberIdRequired.code(), member_id));
        }
        let first = &req.protocols[0];
        let subscription = decode_subscription(&first.metadata)
            .ok_or_else(|| fail(ResponseError::InconsistentGroupProtocol))?;

        // Get or create the member (Kafka's getOrMaybeSubscribe*ConsumerGroupMember).
        let mut replaces = None;
        let (before, is_new) = match req.group_instance_id.as_deref() {
            None => match members.get(&member_id) {
                Some(m) => (m.clone(), false),
                None => (ConsumerGroupMember::new(member_id.clone()), true),
            },
            Some(instance) => match group.static_member(instance) {
                None if unknown => (ConsumerGroupMember::new(member_id.clone()), true),
                None => return Err(fail(ResponseError::UnknownMemberId)),
                Some(previous) if unknown => {
                    let mut member = previous.clone();
                    member.member_id = member_id.clone();
                    member.member_epoch = 0;
                    member.previous_member_epoch = 0;
                    replaces = Some(previous.clone());
                    (member, false)
                }
                Some(previous) if previous.member_id != member_id => {
                    return Err(fail(ResponseError::FencedInstanceId))
                }
                Some(previous) => (previous.clone(), false),
            },
        };
        let mut updated = before.clone();
        if let Some(instance) = &req.group_instance_id {
            updated.instance_id = Some(instance.as_str().to_owned());
        }
        if let Some(rack) = &subscription.rack_id {
            updated.rack_id = Some(rack.as_str().to_owned());
        }
        if req.rebalance_timeout_ms != -1 {
            updated.rebalance_timeout_ms = req.rebalance_timeout_ms;
        }
        updated.subscribed_topic_names = subscription
            .topics
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect();
        updated.client_id = ctx.client_id.to_owned();
        updated.client_host = ctx.client_host.to_owned();
        updated.classic_member_metadata = Some(ClassicMemberMetadata {
            session_timeout_ms: req.session_timeout_ms,
            supported_protocols: req
                .protocols
                .iter()
                .map(|p| ClassicProtocol {
                    name: p.name.as_str().to_owned(),
                    metadata: p.metadata.clone(),
                })
                .collect(),
        });
        let owned = Some(to_topic_ids(
            subscription
                .owned_partitions
                .iter()
                .map(|t| (t.topic.0.as_str(), t.partitions.as_slice())),
            ctx.image,
        ));

        // Every check passed: from here on, records are written and applied.
        if let Some(previous) = &replaces {
            self.replace_static_member(&group_id, previous, &before, records);
        }
        let after =
            self.apply_member_update(ctx, &group_id, &before, &updated, is_new, &owned, records);
        // Kafka's step 4: a static classic member replacing the last consumer-protocol member
        // downgrades the group, keeping the replaced member's assignment, without a rebalance.
        let downgrade = replaces
            .as_ref()
            .is_some_and(|previous| previous.uses_consumer_protocol())
            && self.downgrade_allowed_after_replacement(ctx, &group_id);
        if downgrade {
            self.downgrade(ctx, &group_id, "", false, records);
            return Ok(JoinGroupResponse::default()
                .with_member_id(StrBytes::from_string(member_id))
                .with_generation_id(after.member_epoch)
                .with_protocol_type(Some(StrBytes::from_static_str(CONSUMER_PROTOCOL_TYPE)))
                .with_protocol_name(Some(first.name.clone()))
                .with_leader(StrBytes::default()));
        }
        ctx.timers.schedule(
            TimerKey::ConsumerSession {
                group_id: group_id.clone(),
                member_id: member_id.clone(),
            },
            ctx.now_ms + i64::from(req.session_timeout_ms),
        );
        ctx.timers.cancel(&TimerKey::ConsumerClassicJoin {
            group_id: group_id.clone(),
            member_id: member_id.clone(),
        });
        ctx.timers.schedule(
            TimerKey::ConsumerClassicSync {
                group_id: group_id.clone(),
                member_id: member_id.clone(),
            },
            ctx.now_ms + i64::from(after.rebalance_timeout_ms.max(0)),
        );
        Ok(JoinGroupResponse::default()
            .with_member_id(StrBytes::from_string(member_id))
            .with_generation_id(after.member_epoch)
            .with_protocol_type(Some(StrBytes::from_static_str(CONSUMER_PROTOCOL_TYPE)))
            .with_protocol_name(Some(first.name.clone()))
            .with_leader(StrBytes::default()))
    }

    /// SyncGroup from a classic member: its assigned partitions, serialized at its subscription's
    /// version, unless it must rejoin first.
    pub(crate) fn classic_sync(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &SyncGroupRequest,
        tx: oneshot::Sender<SyncGroupResponse>,
    ) -> CoordinatorResult<()> {
        let response = match self.classic_sync_member(ctx, req) {
            Ok(response) => response,
            Err(error_code) => sync_error(error_code),
        };
        CoordinatorResult {
            records: Vec::new(),
            response: (),
            deferred: vec![DeferredResponse::new(tx, response, sync_error)],
        }
    }

    fn classic_sync_member(
        &self,
        ctx: &mut OpContext<'_>,
        req: &SyncGroupRequest,
    ) -> Result<SyncGroupResponse, i16> {
        let group_id = req.group_id.as_str();
        let group = self
            .groups
            .get(group_id)
            .ok_or(code(ResponseError::UnknownMemberId))?;
        let member = classic_member(
            group,
            req.member_id.as_str(),
            req.group_instance_id.as_ref().map(|s| s.as_str()),
        )?;
        if req.generation_id != member.member_epoch {
            return Err(code(ResponseError::IllegalGeneration));
        }
        let protocol = first_protocol(member);
        let protocol_name = protocol.map(|p| p.name.as_str()).unwrap_or_default();
        if req
            .protocol_type
            .as_ref()
            .is_some_and(|t| t.as_str() != CONSUMER_PROTOCOL_TYPE)
            || req
                .protocol_name
                .as_ref()
                .is_some_and(|n| n.as_str() != protocol_name)
        {
            return Err(code(ResponseError::InconsistentGroupProtocol));
        }
        if group.persisted.group_epoch > member.member_epoch
            && member.state != MemberState::UnrevokedPartitions
        {
            schedule_join_timeout_if_absent(ctx, group_id, member);
            return Err(code(ResponseError::RebalanceInProgress));
        }
        ctx.timers.cancel(&TimerKey::ConsumerClassicSync {
            group_id: group_id.to_owned(),
            member_id: member.member_id.clone(),
        });
        let timeout_ms = session_timeout_ms(member, ctx.config.consumer_session_timeout_ms);
        ctx.timers.schedule(
            TimerKey::ConsumerSession {
                group_id: group_id.to_owned(),
                member_id: member.member_id.clone(),
            },
            ctx.now_ms + i64::from(timeout_ms),
        );
        let metadata = protocol.map(|p| p.metadata.as_ref()).unwrap_or_default();
        let assignment = encode_assignment(
            &to_topic_names(&member.assigned_partitions, ctx.image),
            metadata,
        );
        Ok(SyncGroupResponse::default()
            .with_protocol_type(req.protocol_type.clone())
            .with_protocol_name(req.protocol_name.clone())
            .with_assignment(assignment))
    }

    /// Heartbeat from a classic member: keeps its session alive; REBALANCE_IN_PROGRESS when it
    /// must rejoin.
    pub(crate) fn classic_heartbeat(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &HeartbeatRequest,
    ) -> CoordinatorResult<HeartbeatResponse> {
        let outcome = (|| {
            let group_id = req.group_id.as_str();
            let group = self
                .groups
                .get(group_id)
                .ok_or(code(ResponseError::UnknownMemberId))?;
            let member = classic_member(
                group,
                req.member_id.as_str(),
                req.group_instance_id.as_ref().map(|s| s.as_str()),
            )?;
            if req.generation_id != member.member_epoch {
                return Err(code(ResponseError::IllegalGeneration));
            }
            let timeout_ms = session_timeout_ms(member, ctx.config.consumer_session_timeout_ms);
            ctx.timers.schedule(
                TimerKey::ConsumerSession {
                    group_id: group_id.to_owned(),
                    member_id: member.member_id.clone(),
                },
                ctx.now_ms + i64::from(timeout_ms),
            );
            if must_rejoin(group, member) {
                schedule_join_timeout_if_absent(ctx, group_id, member);
                return Err(code(ResponseError::RebalanceInProgress));
            }
            Ok(())
        })();
        let error_code = outcome.err().unwrap_or(0);
        CoordinatorResult::response_only(HeartbeatResponse::default().with_error_code(error_code))
    }

    /// LeaveGroup for classic members of this consumer group: each valid member's records are
    /// tombstoned, then the subscription metadata is refreshed and the group epoch bumped once.
    pub(crate) fn classic_leave(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &LeaveGroupRequest,
    ) -> CoordinatorResult<LeaveGroupResponse> {
        let group_id = req.group_id.as_str().to_owned();
        let identities: Vec<(String, Option<String>)> = if ctx.api_version >= LEAVE_BATCH_VERSION {
            req.members
                .iter()
                .map(|m| {
                    (
                        m.member_id.as_str().to_owned(),
                        m.group_instance_id.as_ref().map(|s| s.as_str().to_owned()),
                    )
                })
                .collect()
        } else {
            vec![(req.member_id.as_str().to_owned(), None)]
        };
        let mut records = Vec::new();
        let mut responses = Vec::with_capacity(identities.len());
        for (member_id, instance_id) in identities {
            let resolved = self.groups.get(&group_id).map_or(
                Err(code(ResponseError::UnknownMemberId)),
                |group| match instance_id.as_deref() {
                    None => classic_member(group, &member_id, None).map(|m| m.member_id.clone()),
                    Some(instance) => {
                        // Admin removal by instance id leaves the member id empty.
                        let lookup = if member_id.is_empty() {
                            group
                                .static_member(instance)
                                .map_or(member_id.as_str(), |m| m.member_id.as_str())
                        } else {
                            member_id.as_str()
                        };
                        classic_member(group, lookup, Some(instance)).map(|m| m.member_id.clone())
                    }
                },
            );
            let mut response = MemberResponse::default()
                .with_group_instance_id(instance_id.clone().map(StrBytes::from_string));
            match resolved {
                Ok(id) => {
                    self.emit(
                        &mut records,
                        records::current_assignment_tombstone(&group_id, &id),
                    );
                    self.emit(
                        &mut records,
                        records::target_member_tombstone(&group_id, &id),
                    );
                    self.emit(
                        &mut records,
                        records::member_metadata_tombstone(&group_id, &id),
                    );
                    cancel_member_timers(ctx, &group_id, &id);
                    response = response.with_member_id(StrBytes::from_string(id));
                }
                Err(error_code) => {
                    response = response
                        .with_member_id(StrBytes::from_string(member_id))
                        .with_error_code(error_code);
                }
            }
            responses.push(response);
        }
        if !records.is_empty() {
            self.refresh_subscriptions(ctx, &group_id, false, &mut records);
            let epoch = self
                .groups
                .get(&group_id)
                .map_or(0, |g| g.persisted.group_epoch);
            self.emit(&mut records, records::group_epoch(&group_id, epoch + 1));
        }
        let response = if ctx.api_version >= LEAVE_BATCH_VERSION {
            LeaveGroupResponse::default().with_members(responses)
        } else {
            LeaveGroupResponse::default()
                .with_error_code(responses.first().map_or(0, |r| r.error_code))
        };
        CoordinatorResult::with_records(records, response)
    }
}
