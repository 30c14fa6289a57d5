//! The rebalance protocol of one classic group: preparing a rebalance, ending the join phase
//! (by everyone rejoining, the rebalance timeout or the initial delay), handing out the
//! generation, propagating the leader's assignment, and the session and sync timeouts.
//! Mirrors the `classicGroup*` rebalance methods of Kafka's `GroupMetadataManager`.

use bytes::Bytes;
use kafka_protocol::messages::SyncGroupResponse;
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;

use super::effects::Effects;
use super::group::{ClassicGroup, ClassicGroupState};
use crate::group::op_context::OpContext;
use crate::group::timer::TimerKey;

/// How long a new member's parked JoinGroup may wait before the member is dropped (Kafka's
/// `classicGroupNewMemberJoinTimeoutMs`): sockets are muted while a join is parked, so a client
/// that gave up cannot be detected otherwise.
pub(crate) const NEW_MEMBER_JOIN_TIMEOUT_MS: i64 = 5 * 60 * 1000;

/// The join-phase timer of `group_id`.
pub(crate) fn join_key(group_id: &str) -> TimerKey {
    TimerKey::ClassicJoin {
        group_id: group_id.to_owned(),
    }
}

/// The pending-sync timer of `group_id`.
pub(crate) fn sync_key(group_id: &str) -> TimerKey {
    TimerKey::ClassicSync {
        group_id: group_id.to_owned(),
    }
}

/// The session timer of a member.
pub(crate) fn session_key(group_id: &str, member_id: &str) -> TimerKey {
    TimerKey::ClassicMemberSession {
        group_id: group_id.to_owned(),
        member_id: member_id.to_owned(),
    }
}

/// The timer of a KIP-394 member id that must be used to rejoin.
pub(crate) fn pending_key(group_id: &str, member_id: &str) -> TimerKey {
    TimerKey::ClassicPendingMember {
        group_id: group_id.to_owned(),
        member_id: member_id.to_owned(),
    }
}

impl ClassicGroup {
    /// Starts a rebalance if the state allows one, else tries to end the join phase.
    pub(crate) fn maybe_prepare_rebalance_or_complete_join(
        &mut self,
        ctx: &mut OpContext<'_>,
        fx: &mut Effects,
    ) {
        if self.can_rebalance() {
            self.prepare_rebalance(ctx, fx);
        } else {
            self.maybe_complete_join_phase(ctx, fx);
        }
    }

    /// Moves to PreparingRebalance. Members waiting for their assignment are told
    /// REBALANCE_IN_PROGRESS. A group leaving Empty waits `group.initial.rebalance.delay.ms`
    /// (extended while members keep arriving, up to the rebalance timeout); otherwise the join
    /// phase ends when everyone rejoined or after the rebalance timeout.
    pub(crate) fn prepare_rebalance(&mut self, ctx: &mut OpContext<'_>, fx: &mut Effects) {
        if self.is(ClassicGroupState::CompletingRebalance) {
            self.reset_and_propagate_assignment_with_error(
                ResponseError::RebalanceInProgress.code(),
                ctx,
                fx,
            );
        }
        self.pending_sync_members.clear();
        ctx.timers.cancel(&sync_key(&self.group_id));

        let is_initial = self.is(ClassicGroupState::Empty);
        if is_initial {
            let delay_ms = ctx.config.classic_initial_rebalance_delay_ms;
            let remaining_ms = (self.rebalance_timeout_ms() - delay_ms).max(0);
            ctx.timers
                .schedule(join_key(&self.group_id), ctx.now_ms + i64::from(delay_ms));
            self.initial_delay = Some((delay_ms, remaining_ms));
        }
        self.transition_to(ClassicGroupState::PreparingRebalance, ctx.now_ms);
        if !is_initial {
            self.initial_delay = None;
            self.maybe_complete_join_else_schedule(ctx, fx);
        }
    }

    fn maybe_complete_join_else_schedule(&mut self, ctx: &mut OpContext<'_>, fx: &mut Effects) {
        if self.has_all_members_joined() {
            self.complete_join(ctx, fx);
        } else {
            let deadline = ctx.now_ms + i64::from(self.rebalance_timeout_ms());
            ctx.timers.schedule(join_key(&self.group_id), deadline);
        }
    }

    /// Ends the join phase early when every member has rejoined, except during the initial
    /// delay of a new group (which only its timer ends).
    pub(crate) fn maybe_complete_join_phase(&mut self, ctx: &mut OpContext<'_>, fx: &mut Effects) {
        if self.is(ClassicGroupState::PreparingRebalance)
            && self.previous_state != ClassicGroupState::Empty
            && self.has_all_members_joined()
        {
            self.complete_join(ctx, fx);
        }
    }

    /// The join timer fired: extend the initial delay if members are still arriving and time
    /// remains, else end the join phase.
    pub(crate) fn on_join_timer(&mut self, ctx: &mut OpContext<'_>, fx: &mut Effects) {
        if !self.is(ClassicGroupState::PreparingRebalance) {
            return;
        }
        if let Some((delay_ms, remaining_ms)) = self.initial_delay {
            if self.new_member_added && remaining_ms != 0 {
                self.new_member_added = false;
                let new_delay_ms = ctx
                    .config
                    .classic_initial_rebalance_delay_ms
                    .min(remaining_ms);
                let new_remaining_ms = (remaining_ms - delay_ms).max(0);
                ctx.timers.schedule(
                    join_key(&self.group_id),
                    ctx.now_ms + i64::from(new_delay_ms),
                );
                self.initial_delay = Some((new_delay_ms, new_remaining_ms));
                return;
            }
        }
        self.complete_join(ctx, fx);
    }

    /// Ends the join phase: dynamic members that did not rejoin are removed, then the next
    /// generation starts. An Empty generation is persisted; otherwise every member gets its
    /// JoinGroup response (the leader with the member list) and the group awaits the syncs.
    pub(crate) fn complete_join(&mut self, ctx: &mut OpContext<'_>, fx: &mut Effects) {
        ctx.timers.cancel(&join_key(&self.group_id));
        self.initial_delay = None;
        self.new_member_added = false;

        let laggards: Vec<String> = self
            .members
            .values()
            .filter(|m| !m.is_awaiting_join() && m.group_instance_id.is_none())
            .map(|m| m.member_id.clone())
            .collect();
        for member_id in &laggards {
            self.remove(member_id, fx);
            ctx.timers.cancel(&session_key(&self.group_id, member_id));
        }

        if self.is(ClassicGroupState::Dead) {
            return;
        }
        if !self.maybe_elect_new_joined_leader() && !self.members.is_empty() {
            // Nobody rejoined (only static members remain): wait another rebalance timeout for
            // session expiry to remove the silent ones.
            let deadline = ctx.now_ms + i64::from(self.rebalance_timeout_ms());
            ctx.timers.schedule(join_key(&self.group_id), deadline);
            return;
        }
        self.init_next_generation(ctx.now_ms);
        if self.is(ClassicGroupState::Empty) {
            let record = self.metadata_record();
            fx.records.push(record);
            return;
        }
        let member_ids: Vec<String> = self.members.keys().cloned().collect();
        for member_id in member_ids {
            let response = self.join_success(&member_id, self.is_leader(&member_id));
            let session_ms = if let Some(member) = self.members.get_mut(&member_id) {
                if let Some(tx) = member.awaiting_join.take() {
                    fx.answer_join(tx, response);
                }
                member.is_new = false;
                member.session_timeout_ms
            } else {
                continue;
            };
            self.reschedule_session(&member_id, i64::from(session_ms), ctx);
            self.pending_sync_members.insert(member_id);
        }
        let deadline = ctx.now_ms + i64::from(self.rebalance_timeout_ms());
        ctx.timers.schedule(sync_key(&self.group_id), deadline);
        self.sync_timer_generation = self.generation_id;
    }

    /// (Re)arms a member's session timer `timeout_ms` from now.
    pub(crate) fn reschedule_session(
        &self,
        member_id: &str,
        timeout_ms: i64,
        ctx: &mut OpContext<'_>,
    ) {
        ctx.timers.schedule(
            session_key(&self.group_id, member_id),
            ctx.now_ms + timeout_ms,
        );
    }

    /// Clears every member's assignment and answers parked syncs with `error_code`.
    pub(crate) fn reset_and_propagate_assignment_with_error(
        &mut self,
        error_code: i16,
        ctx: &mut OpContext<'_>,
        fx: &mut Effects,
    ) {
        for member in self.members.values_mut() {
            member.assignment = Bytes::new();
        }
        self.propagate_assignment(error_code, ctx, fx);
    }

    /// Answers every parked SyncGroup with the member's assignment (or `error_code`), rearming
    /// the session of each member answered.
    pub(crate) fn propagate_assignment(
        &mut self,
        error_code: i16,
        ctx: &mut OpContext<'_>,
        fx: &mut Effects,
    ) {
        let ok = error_code == 0;
        let protocol_type = if ok { self.protocol_type.clone() } else { None };
        let protocol_name = if ok { self.protocol_name.clone() } else { None };
        let mut answered = Vec::new();
        for member in self.members.values_mut() {
            if let Some(tx) = member.awaiting_sync.take() {
                let response = SyncGroupResponse::default()
                    .with_error_code(error_code)
                    .with_protocol_type(protocol_type.clone().map(StrBytes::from_string))
                    .with_protocol_name(protocol_name.clone().map(StrBytes::from_string))
                    .with_assignment(member.assignment.clone());
                fx.answer_sync(tx, response);
                answered.push((member.member_id.clone(), member.session_timeout_ms));
            }
        }
        for (member_id, session_ms) in answered {
            self.reschedule_session(&member_id, i64::from(session_ms), ctx);
        }
    }

    /// The pending-sync timer fired: members of the generation that never sent SyncGroup are
    /// removed and the group rebalances.
    pub(crate) fn on_sync_timer(&mut self, ctx: &mut OpContext<'_>, fx: &mut Effects) {
        if self.sync_timer_generation != self.generation_id
            || !matches!(
                self.state,
                ClassicGroupState::CompletingRebalance | ClassicGroupState::Stable
            )
            || self.pending_sync_members.is_empty()
        {
            return;
        }
        let laggards: Vec<String> = self.pending_sync_members.iter().cloned().collect();
        for member_id in &laggards {
            self.remove(member_id, fx);
            ctx.timers.cancel(&session_key(&self.group_id, member_id));
        }
        self.prepare_rebalance(ctx, fx);
    }

    /// A member's session timer fired: a member that is not waiting on the coordinator (or is
    /// new) is removed and the group rebalances or finishes its join phase.
    pub(crate) fn on_session_timer(
        &mut self,
        member_id: &str,
        ctx: &mut OpContext<'_>,
        fx: &mut Effects,
    ) {
        let Some(member) = self.members.get(member_id) else {
            return;
        };
        if member.has_satisfied_heartbeat() {
            return;
        }
        self.remove(member_id, fx);
        self.after_member_removed(ctx, fx);
    }

    /// A KIP-394 member id was not used in time: forget it.
    pub(crate) fn on_pending_member_timer(
        &mut self,
        member_id: &str,
        ctx: &mut OpContext<'_>,
        fx: &mut Effects,
    ) {
        if !self.pending_join_members.remove(member_id) {
            return;
        }
        if self.is(ClassicGroupState::PreparingRebalance) && self.has_all_members_joined() {
            self.complete_join(ctx, fx);
        }
    }

    /// After a member was removed (session expiry): rebalance a settled group, or end a join
    /// phase that now has everyone.
    fn after_member_removed(&mut self, ctx: &mut OpContext<'_>, fx: &mut Effects) {
        match self.state {
            ClassicGroupState::Stable | ClassicGroupState::CompletingRebalance => {
                self.maybe_prepare_rebalance_or_complete_join(ctx, fx);
            }
            ClassicGroupState::PreparingRebalance if self.has_all_members_joined() => {
                self.complete_join(ctx, fx);
            }
            _ => {}
        }
    }
}
