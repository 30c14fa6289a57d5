//! JoinGroup (v0–v9) on a classic group: new dynamic members (KIP-394 member id required from
//! v4), new and returning static members, rejoining members, the group size limit and protocol
//! checks. Mirrors `classicGroupJoinToClassicGroup` and friends of Kafka's `GroupMetadataManager`.

use kafka_protocol::messages::{JoinGroupRequest, JoinGroupResponse};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use tokio::sync::oneshot;
use uuid::Uuid;

use super::effects::Effects;
use super::group::{join_failure, ClassicGroup, ClassicGroupState};
use super::member::{ClassicMember, Protocol};
use super::rebalance::{pending_key, session_key, NEW_MEMBER_JOIN_TIMEOUT_MS};
use super::ClassicGroups;
use crate::group::op_context::OpContext;

/// First JoinGroup version that requires a member id handed out by the coordinator (KIP-394).
const KNOWN_MEMBER_ID_REQUIRED_VERSION_MIN: i16 = 4;
/// First JoinGroup version whose response can tell a static leader to skip assigning.
const SKIP_ASSIGNMENT_VERSION_MIN: i16 = 9;

/// The fields of a JoinGroup request the state machine uses, as owned strings.
struct Join {
    member_id: String,
    group_instance_id: Option<String>,
    protocol_type: String,
    protocols: Vec<Protocol>,
    rebalance_timeout_ms: i32,
    session_timeout_ms: i32,
}

impl Join {
    fn from_request(req: &JoinGroupRequest) -> Self {
        Self {
            member_id: req.member_id.to_string(),
            group_instance_id: req.group_instance_id.as_ref().map(ToString::to_string),
            protocol_type: req.protocol_type.to_string(),
            protocols: req
                .protocols
                .iter()
                .map(|p| Protocol {
                    name: p.name.to_string(),
                    metadata: p.metadata.clone(),
                })
                .collect(),
            // v0 has no rebalance timeout: the session timeout serves both.
            rebalance_timeout_ms: if req.rebalance_timeout_ms < 0 {
                req.session_timeout_ms
            } else {
                req.rebalance_timeout_ms
            },
            session_timeout_ms: req.session_timeout_ms,
        }
    }

    fn protocol_names(&self) -> Vec<&str> {
        self.protocols.iter().map(|p| p.name.as_str()).collect()
    }
}

impl ClassicGroups {
    /// Handles a JoinGroup request; `tx` receives the response once the records are committed
    /// (possibly much later, when the join phase ends).
    pub(crate) fn join_group(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &JoinGroupRequest,
        tx: oneshot::Sender<JoinGroupResponse>,
    ) -> Effects {
        let mut fx = Effects::default();
        let group_id = req.group_id.0.as_str();
        let join = Join::from_request(req);
        if group_id.is_empty() {
            fx.answer_join(
                tx,
                join_failure(ResponseError::InvalidGroupId.code(), &join.member_id),
            );
            return fx;
        }
        if join.session_timeout_ms < ctx.config.classic_min_session_timeout_ms
            || join.session_timeout_ms > ctx.config.classic_max_session_timeout_ms
        {
            let code = ResponseError::InvalidSessionTimeout.code();
            fx.answer_join(tx, join_failure(code, &join.member_id));
            return fx;
        }
        let is_unknown_member = join.member_id.is_empty();
        let is_new_group = !self.groups.contains_key(group_id);
        if is_new_group && !is_unknown_member {
            // A member id for a group that does not exist (any more): start over.
            let code = ResponseError::UnknownMemberId.code();
            fx.answer_join(tx, join_failure(code, &join.member_id));
            return fx;
        }
        let group = self
            .groups
            .entry(group_id.to_owned())
            .or_insert_with(|| ClassicGroup::new(group_id, ctx.now_ms));

        if !accept_joining_member(group, &join.member_id, ctx.config.classic_max_size) {
            group.remove(&join.member_id, &mut fx);
            ctx.timers.cancel(&session_key(group_id, &join.member_id));
            fx.answer_join(
                tx,
                join_failure(ResponseError::GroupMaxSizeReached.code(), ""),
            );
        } else if is_unknown_member {
            join_new_member(group, ctx, join, tx, &mut fx);
        } else {
            join_existing_member(group, ctx, join, tx, &mut fx);
        }
        if is_new_group && fx.records.is_empty() {
            // Kafka persists every group a join creates, even before it has members.
            let record = group.new_group_record();
            fx.records.push(record);
        }
        fx
    }
}

/// Whether the group has room for `member_id` (Kafka's `acceptJoiningMember`): existing members
/// always; new ones up to `group.max.size`, counting rejoined members during a rebalance.
fn accept_joining_member(group: &ClassicGroup, member_id: &str, max_size: usize) -> bool {
    match group.state {
        ClassicGroupState::Empty | ClassicGroupState::Dead => true,
        ClassicGroupState::PreparingRebalance => {
            group
                .members
                .get(member_id)
                .is_some_and(ClassicMember::is_awaiting_join)
                || group.num_awaiting_join() < max_size
        }
        ClassicGroupState::CompletingRebalance | ClassicGroupState::Stable => {
            group.members.contains_key(member_id) || group.members.len() < max_size
        }
    }
}

fn join_new_member(
    group: &mut ClassicGroup,
    ctx: &mut OpContext<'_>,
    join: Join,
    tx: oneshot::Sender<JoinGroupResponse>,
    fx: &mut Effects,
) {
    if group.is(ClassicGroupState::Dead) {
        fx.answer_join(
            tx,
            join_failure(ResponseError::CoordinatorNotAvailable.code(), ""),
        );
        return;
    }
    if !group.supports_protocols(&join.protocol_type, &join.protocol_names()) {
        fx.answer_join(
            tx,
            join_failure(ResponseError::InconsistentGroupProtocol.code(), ""),
        );
        return;
    }
    let prefix = join.group_instance_id.as_deref().unwrap_or(ctx.client_id);
    let new_member_id = format!("{prefix}-{}", Uuid::new_v4());
    match join.group_instance_id.clone() {
        Some(instance) => match group.static_members.get(&instance).cloned() {
            Some(old_member_id) => update_static_member(
                group,
                ctx,
                join,
                &instance,
                &old_member_id,
                &new_member_id,
                tx,
                fx,
            ),
            None => add_member_then_rebalance(group, ctx, join, new_member_id, tx, fx),
        },
        None if ctx.api_version >= KNOWN_MEMBER_ID_REQUIRED_VERSION_MIN => {
            // KIP-394: hand out the id and make the client rejoin with it, so that a client
            // that times out and retries does not leave a defunct member behind.
            group.pending_join_members.insert(new_member_id.clone());
            let deadline = ctx.now_ms + i64::from(join.session_timeout_ms);
            ctx.timers
                .schedule(pending_key(&group.group_id, &new_member_id), deadline);
            fx.answer_join(
                tx,
                join_failure(ResponseError::MemberIdRequired.code(), &new_member_id),
            );
        }
        None => add_member_then_rebalance(group, ctx, join, new_member_id, tx, fx),
    }
}

fn join_existing_member(
    group: &mut ClassicGroup,
    ctx: &mut OpContext<'_>,
    join: Join,
    tx: oneshot::Sender<JoinGroupResponse>,
    fx: &mut Effects,
) {
    let member_id = join.member_id.clone();
    if group.is(ClassicGroupState::Dead) {
        fx.answer_join(
            tx,
            join_failure(ResponseError::CoordinatorNotAvailable.code(), &member_id),
        );
        return;
    }
    if !group.supports_protocols(&join.protocol_type, &join.protocol_names()) {
        let code = ResponseError::InconsistentGroupProtocol.code();
        fx.answer_join(tx, join_failure(code, &member_id));
        return;
    }
    if group.pending_join_members.contains(&member_id) {
        if join.group_instance_id.is_some() {
            // Pending ids are only handed to dynamic members.
            fx.answer_join(
                tx,
                join_failure(ResponseError::InvalidRequest.code(), &member_id),
            );
            return;
        }
        ctx.timers.cancel(&pending_key(&group.group_id, &member_id));
        add_member_then_rebalance(group, ctx, join, member_id, tx, fx);
        return;
    }
    if let Err(code) = group.validate_member(&member_id, join.group_instance_id.as_deref()) {
        fx.answer_join(tx, join_failure(code, &member_id));
        return;
    }
    let matches = group
        .members
        .get(&member_id)
        .is_some_and(|m| m.matches(&join.protocols));
    match group.state {
        ClassicGroupState::PreparingRebalance => {
            update_member_then_rebalance(group, ctx, join, tx, fx);
        }
        ClassicGroupState::CompletingRebalance if matches => {
            // The member lost its JoinGroup response: resend the current generation.
            let response = group.join_success(&member_id, group.is_leader(&member_id));
            fx.answer_join(tx, response);
        }
        ClassicGroupState::Stable if matches && !group.is_leader(&member_id) => {
            // A follower with unchanged metadata just learns the current generation and syncs.
            fx.answer_join(tx, group.join_success(&member_id, false));
        }
        ClassicGroupState::CompletingRebalance | ClassicGroupState::Stable => {
            // Changed metadata, or the leader asking for a rebalance (e.g. topic metadata changed).
            update_member_then_rebalance(group, ctx, join, tx, fx);
        }
        ClassicGroupState::Empty | ClassicGroupState::Dead => {
            fx.answer_join(
                tx,
                join_failure(ResponseError::UnknownMemberId.code(), &member_id),
            );
        }
    }
}

fn update_member_then_rebalance(
    group: &mut ClassicGroup,
    ctx: &mut OpContext<'_>,
    join: Join,
    tx: oneshot::Sender<JoinGroupResponse>,
    fx: &mut Effects,
) {
    group.update_member(
        &join.member_id,
        join.protocols,
        join.rebalance_timeout_ms,
        join.session_timeout_ms,
        Some(tx),
        fx,
    );
    group.maybe_prepare_rebalance_or_complete_join(ctx, fx);
}

fn add_member_then_rebalance(
    group: &mut ClassicGroup,
    ctx: &mut OpContext<'_>,
    join: Join,
    member_id: String,
    tx: oneshot::Sender<JoinGroupResponse>,
    fx: &mut Effects,
) {
    let member = ClassicMember {
        member_id: member_id.clone(),
        group_instance_id: join.group_instance_id,
        client_id: ctx.client_id.to_owned(),
        client_host: ctx.client_host.to_owned(),
        rebalance_timeout_ms: join.rebalance_timeout_ms,
        session_timeout_ms: join.session_timeout_ms,
        protocol_type: join.protocol_type,
        protocols: join.protocols,
        assignment: bytes::Bytes::new(),
        awaiting_join: None,
        awaiting_sync: None,
        is_new: true,
    };
    if group.is(ClassicGroupState::PreparingRebalance)
        && group.previous_state == ClassicGroupState::Empty
    {
        group.new_member_added = true;
    }
    group.add(member, Some(tx));
    // The session does not run while a new member's join is parked; bound the wait instead.
    group.reschedule_session(&member_id, NEW_MEMBER_JOIN_TIMEOUT_MS, ctx);
    group.maybe_prepare_rebalance_or_complete_join(ctx, fx);
}

/// A known static member rejoined without its member id (a restarted instance): it takes a new
/// member id, fencing the old one. A Stable group whose protocol does not change only persists
/// the new id, without a rebalance (KIP-345).
#[allow(clippy::too_many_arguments)]
fn update_static_member(
    group: &mut ClassicGroup,
    ctx: &mut OpContext<'_>,
    join: Join,
    instance: &str,
    old_member_id: &str,
    new_member_id: &str,
    tx: oneshot::Sender<JoinGroupResponse>,
    fx: &mut Effects,
) {
    let previous_leader = group.leader_or_empty().to_owned();
    group.replace_static_member(instance, old_member_id, new_member_id, fx);
    ctx.timers
        .cancel(&session_key(&group.group_id, old_member_id));
    let session_ms = i64::from(join.session_timeout_ms);
    group.update_member(
        new_member_id,
        join.protocols,
        join.rebalance_timeout_ms,
        join.session_timeout_ms,
        Some(tx),
        fx,
    );
    group.reschedule_session(new_member_id, session_ms, ctx);
    match group.state {
        ClassicGroupState::Stable => {
            if group.protocol_name == group.select_protocol() {
                let record = group.metadata_record();
                fx.records.push(record);
                let is_leader = group.is_leader(new_member_id);
                let response = if ctx.api_version >= SKIP_ASSIGNMENT_VERSION_MIN {
                    group
                        .join_success(new_member_id, is_leader)
                        .with_skip_assignment(is_leader)
                } else {
                    group
                        .join_success(new_member_id, false)
                        .with_leader(StrBytes::from_string(previous_leader))
                };
                if let Some(tx) = group
                    .members
                    .get_mut(new_member_id)
                    .and_then(|m| m.awaiting_join.take())
                {
                    fx.answer_join(tx, response);
                }
            } else {
                group.maybe_prepare_rebalance_or_complete_join(ctx, fx);
            }
        }
        ClassicGroupState::CompletingRebalance => {
            // The leader may already be assigning to the old member id: rebalance again.
            group.prepare_rebalance(ctx, fx);
        }
        ClassicGroupState::PreparingRebalance => group.maybe_complete_join_phase(ctx, fx),
        ClassicGroupState::Empty | ClassicGroupState::Dead => {}
    }
}
