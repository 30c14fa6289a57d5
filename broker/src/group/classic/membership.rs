//! SyncGroup (v0–v5), Heartbeat (v0–v4) and LeaveGroup (v0–v5) on a classic group. Mirrors
//! `classicGroupSyncToClassicGroup`, `classicGroupHeartbeatToClassicGroup` and
//! `classicGroupLeaveToClassicGroup` of Kafka's `GroupMetadataManager`.

use std::collections::HashMap;

use bytes::Bytes;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::leave_group_response::MemberResponse;
use kafka_protocol::messages::{
    HeartbeatRequest, HeartbeatResponse, LeaveGroupRequest, LeaveGroupResponse, SyncGroupRequest,
    SyncGroupResponse,
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use tokio::sync::oneshot;

use super::effects::{sync_error, Effects};
use super::group::{ClassicGroup, ClassicGroupState};
use super::rebalance::{pending_key, session_key, sync_key};
use super::ClassicGroups;
use crate::group::op_context::OpContext;

/// First LeaveGroup version with a batch of members (earlier ones carry one member id).
const LEAVE_BATCH_VERSION_MIN: i16 = 3;

impl ClassicGroups {
    /// Handles a SyncGroup request; `tx` receives the response once the records are committed.
    /// A follower's request is parked until the leader's assignment arrives.
    pub(crate) fn sync_group(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &SyncGroupRequest,
        tx: oneshot::Sender<SyncGroupResponse>,
    ) -> Effects {
        let mut fx = Effects::default();
        let member_id = req.member_id.as_str();
        let Some(group) = self.groups.get_mut(req.group_id.0.as_str()) else {
            fx.answer_sync(tx, sync_error(ResponseError::UnknownMemberId.code()));
            return fx;
        };
        if group.is(ClassicGroupState::Empty) {
            fx.answer_sync(tx, sync_error(ResponseError::UnknownMemberId.code()));
            return fx;
        }
        if let Err(code) = validate_sync(group, req) {
            fx.answer_sync(tx, sync_error(code));
            return fx;
        }
        match group.state {
            ClassicGroupState::PreparingRebalance => {
                fx.answer_sync(tx, sync_error(ResponseError::RebalanceInProgress.code()));
            }
            ClassicGroupState::CompletingRebalance => {
                if let Some(member) = group.members.get_mut(member_id) {
                    if let Some(old) = member.awaiting_sync.replace(tx) {
                        fx.answer_sync(old, sync_error(ResponseError::RebalanceInProgress.code()));
                    }
                }
                remove_pending_sync_member(group, member_id, ctx);
                if group.is_leader(member_id) {
                    complete_sync(group, req, ctx, &mut fx);
                }
            }
            ClassicGroupState::Stable => {
                remove_pending_sync_member(group, member_id, ctx);
                let assignment = group
                    .members
                    .get(member_id)
                    .map(|m| m.assignment.clone())
                    .unwrap_or_default();
                let response = SyncGroupResponse::default()
                    .with_protocol_type(group.protocol_type.clone().map(StrBytes::from_string))
                    .with_protocol_name(group.protocol_name.clone().map(StrBytes::from_string))
                    .with_assignment(assignment);
                fx.answer_sync(tx, response);
            }
            ClassicGroupState::Empty | ClassicGroupState::Dead => {
                fx.answer_sync(
                    tx,
                    sync_error(ResponseError::CoordinatorNotAvailable.code()),
                );
            }
        }
        fx
    }

    /// Handles a Heartbeat request: keeps the member's session alive and tells it whether a
    /// rebalance is in progress.
    pub(crate) fn heartbeat_group(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &HeartbeatRequest,
    ) -> HeartbeatResponse {
        let error = |code: i16| HeartbeatResponse::default().with_error_code(code);
        let member_id = req.member_id.as_str();
        let Some(group) = self.groups.get_mut(req.group_id.0.as_str()) else {
            return error(ResponseError::UnknownMemberId.code());
        };
        if group.is(ClassicGroupState::Dead) {
            return error(ResponseError::CoordinatorNotAvailable.code());
        }
        let instance = req.group_instance_id.as_ref().map(|s| s.as_str());
        if let Err(code) = group.validate_member(member_id, instance) {
            return error(code);
        }
        if req.generation_id != group.generation_id {
            return error(ResponseError::IllegalGeneration.code());
        }
        let session_ms = group
            .members
            .get(member_id)
            .map_or(0, |m| m.session_timeout_ms);
        match group.state {
            ClassicGroupState::Empty | ClassicGroupState::Dead => {
                error(ResponseError::UnknownMemberId.code())
            }
            ClassicGroupState::PreparingRebalance => {
                group.reschedule_session(member_id, i64::from(session_ms), ctx);
                error(ResponseError::RebalanceInProgress.code())
            }
            ClassicGroupState::CompletingRebalance | ClassicGroupState::Stable => {
                group.reschedule_session(member_id, i64::from(session_ms), ctx);
                HeartbeatResponse::default()
            }
        }
    }

    /// Handles a LeaveGroup request: each listed member (by member id, or by instance id alone
    /// for an administrative removal of a static member) leaves with its own error code, then the
    /// group rebalances once.
    pub(crate) fn leave_group(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &LeaveGroupRequest,
    ) -> (Effects, LeaveGroupResponse) {
        let mut fx = Effects::default();
        let single = ctx.api_version < LEAVE_BATCH_VERSION_MIN;
        let Some(group) = self.groups.get_mut(req.group_id.0.as_str()) else {
            let response = LeaveGroupResponse::default()
                .with_error_code(ResponseError::UnknownMemberId.code());
            return (fx, response);
        };
        if group.is(ClassicGroupState::Dead) {
            let code = ResponseError::CoordinatorNotAvailable.code();
            return (fx, LeaveGroupResponse::default().with_error_code(code));
        }
        let identities = if single {
            vec![MemberIdentity::default().with_member_id(req.member_id.clone())]
        } else {
            req.members.clone()
        };
        let mut responses = Vec::with_capacity(identities.len());
        for identity in &identities {
            let code = leave_one(group, identity, ctx, &mut fx);
            responses.push(
                MemberResponse::default()
                    .with_member_id(identity.member_id.clone())
                    .with_group_instance_id(identity.group_instance_id.clone())
                    .with_error_code(code),
            );
        }
        if responses.iter().any(|r| r.error_code == 0) {
            match group.state {
                ClassicGroupState::Stable | ClassicGroupState::CompletingRebalance => {
                    group.maybe_prepare_rebalance_or_complete_join(ctx, &mut fx);
                }
                ClassicGroupState::PreparingRebalance => {
                    group.maybe_complete_join_phase(ctx, &mut fx)
                }
                ClassicGroupState::Empty | ClassicGroupState::Dead => {}
            }
        }
        let response = if single {
            // v0–v2 carry the one member's outcome as the top-level error.
            let code = responses.first().map_or(0, |r| r.error_code);
            LeaveGroupResponse::default().with_error_code(code)
        } else {
            LeaveGroupResponse::default().with_members(responses)
        };
        (fx, response)
    }
}

/// Removes one leaving member; its error code (0 when it left).
fn leave_one(
    group: &mut ClassicGroup,
    identity: &MemberIdentity,
    ctx: &mut OpContext<'_>,
    fx: &mut Effects,
) -> i16 {
    let member_id = identity.member_id.as_str();
    let instance = identity.group_instance_id.as_ref().map(|s| s.as_str());
    let target = if member_id.is_empty() {
        match instance.and_then(|i| group.static_members.get(i)) {
            Some(current) => current.clone(),
            None => return ResponseError::UnknownMemberId.code(),
        }
    } else if group.pending_join_members.remove(member_id) {
        ctx.timers.cancel(&pending_key(&group.group_id, member_id));
        return 0;
    } else {
        if let Err(code) = group.validate_member(member_id, instance) {
            return code;
        }
        member_id.to_owned()
    };
    ctx.timers.cancel(&session_key(&group.group_id, &target));
    group.remove(&target, fx);
    0
}

/// Kafka's `validateSyncGroup`: the member must belong to the group, at its generation, with
/// the group's protocol type and name when it states them (v5).
fn validate_sync(group: &ClassicGroup, req: &SyncGroupRequest) -> Result<(), i16> {
    if group.is(ClassicGroupState::Dead) {
        return Err(ResponseError::CoordinatorNotAvailable.code());
    }
    let instance = req.group_instance_id.as_ref().map(|s| s.as_str());
    group.validate_member(req.member_id.as_str(), instance)?;
    if req.generation_id != group.generation_id {
        return Err(ResponseError::IllegalGeneration.code());
    }
    let inconsistent = |stated: Option<&StrBytes>, ours: Option<&String>| match (stated, ours) {
        (Some(stated), Some(ours)) => stated.as_str() != ours.as_str(),
        _ => false,
    };
    if inconsistent(req.protocol_type.as_ref(), group.protocol_type.as_ref())
        || inconsistent(req.protocol_name.as_ref(), group.protocol_name.as_ref())
    {
        return Err(ResponseError::InconsistentGroupProtocol.code());
    }
    Ok(())
}

/// The member synced: it no longer holds up the generation; once everyone has, the sync timer
/// is not needed.
fn remove_pending_sync_member(group: &mut ClassicGroup, member_id: &str, ctx: &mut OpContext<'_>) {
    group.pending_sync_members.remove(member_id);
    if group.pending_sync_members.is_empty() {
        ctx.timers.cancel(&sync_key(&group.group_id));
    }
}

/// The leader's assignment arrived: every member gets its part (empty when the leader gave it
/// none), the group becomes Stable, the generation is persisted, and parked syncs are answered.
fn complete_sync(
    group: &mut ClassicGroup,
    req: &SyncGroupRequest,
    ctx: &mut OpContext<'_>,
    fx: &mut Effects,
) {
    let assignments: HashMap<&str, &Bytes> = req
        .assignments
        .iter()
        .map(|a| (a.member_id.as_str(), &a.assignment))
        .collect();
    for member in group.members.values_mut() {
        member.assignment = assignments
            .get(member.member_id.as_str())
            .map(|a| (*a).clone())
            .unwrap_or_default();
    }
    group.transition_to(ClassicGroupState::Stable, ctx.now_ms);
    let record = group.metadata_record();
    fx.records.push(record);
    group.propagate_assignment(0, ctx, fx);
}
