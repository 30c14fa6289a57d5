//! Classic consumer groups (JoinGroup/SyncGroup/Heartbeat/LeaveGroup), as Kafka 4's group
//! coordinator runs them, as a pure state machine.
//!
//! Persistence: a `GroupMetadata` record (value v3, as Kafka 4 writes it) is emitted when a join
//! creates a group, when the leader's assignment lands (the group becomes Stable), when the group
//! becomes Empty, and when a static member is replaced in a Stable group; a tombstone when the
//! group is deleted. Replay rebuilds each group as Kafka's loader does: Empty without members,
//! Stable with them, no rebalance in progress. Ephemeral state (parked requests, KIP-394 pending
//! members, the initial delay, awaited syncs, timers) is mutated directly and lost on reload.
//!
//! Timers: `on_timer` expects keys as [`Timers::pop_expired`](crate::group::timer::Timers)
//! returns them; a key scheduled again since it was popped is stale and ignored.

mod effects;
mod group;
mod join;
mod member;
mod membership;
mod migration;
mod rebalance;

#[cfg(test)]
mod harness;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use kafka_protocol::messages::describe_groups_response::{DescribedGroup, DescribedGroupMember};
use kafka_protocol::messages::{
    GroupId, HeartbeatRequest, HeartbeatResponse, JoinGroupRequest, JoinGroupResponse,
    LeaveGroupRequest, LeaveGroupResponse, SyncGroupRequest, SyncGroupResponse,
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
#[cfg(test)]
use strata_protocol::group_records::GroupMetadataValue;
use strata_protocol::group_records::{GroupRecord, GroupRecordKey, GroupRecordValue};
use tokio::sync::oneshot;

use self::effects::Effects;
use self::group::{ClassicGroup, ClassicGroupState};
use self::rebalance::session_key;
use super::op_context::OpContext;
use super::result::CoordinatorResult;
use super::timer::TimerKey;
use super::GroupListing;

/// The classic groups of one `__consumer_offsets` partition.
#[derive(Debug, Default)]
pub(crate) struct ClassicGroups {
    groups: BTreeMap<String, ClassicGroup>,
}

impl ClassicGroups {
    /// JoinGroup v0–v9. `tx` receives the response (after the records are committed), at once or
    /// when the join phase ends.
    pub(crate) fn join(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &JoinGroupRequest,
        tx: oneshot::Sender<JoinGroupResponse>,
    ) -> CoordinatorResult<()> {
        self.join_group(ctx, req, tx).finish(())
    }

    /// SyncGroup v0–v5. `tx` receives the response; a follower's waits for the leader's sync.
    pub(crate) fn sync(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &SyncGroupRequest,
        tx: oneshot::Sender<SyncGroupResponse>,
    ) -> CoordinatorResult<()> {
        self.sync_group(ctx, req, tx).finish(())
    }

    /// Heartbeat v0–v4.
    pub(crate) fn heartbeat(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &HeartbeatRequest,
    ) -> CoordinatorResult<HeartbeatResponse> {
        CoordinatorResult::response_only(self.heartbeat_group(ctx, req))
    }

    /// LeaveGroup v0–v5 (v3+ batched, with per-member errors).
    pub(crate) fn leave(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &LeaveGroupRequest,
    ) -> CoordinatorResult<LeaveGroupResponse> {
        let (fx, response) = self.leave_group(ctx, req);
        fx.finish(response)
    }

    /// A classic timer fired (join phase end, pending sync, member session, KIP-394 pending
    /// member). Other keys are ignored.
    pub(crate) fn on_timer(
        &mut self,
        ctx: &mut OpContext<'_>,
        key: &TimerKey,
    ) -> CoordinatorResult<()> {
        let mut fx = Effects::default();
        if ctx.timers.is_scheduled(key) {
            // Rescheduled after it was popped: this firing is stale.
            return fx.finish(());
        }
        let Some(group) = key.group_id().and_then(|id| self.groups.get_mut(id)) else {
            return fx.finish(());
        };
        match key {
            TimerKey::ClassicJoin { .. } => group.on_join_timer(ctx, &mut fx),
            TimerKey::ClassicSync { .. } => group.on_sync_timer(ctx, &mut fx),
            TimerKey::ClassicMemberSession { member_id, .. } => {
                group.on_session_timer(member_id, ctx, &mut fx);
            }
            TimerKey::ClassicPendingMember { member_id, .. } => {
                group.on_pending_member_timer(member_id, ctx, &mut fx);
            }
            _ => {}
        }
        fx.finish(())
    }

    /// Applies a `GroupMetadata` record (the only record type of classic groups); returns
    /// whether the record was one. A value replaces the group as Kafka's loader builds it; a
    /// tombstone removes it.
    pub(crate) fn replay(&mut self, record: &GroupRecord) -> bool {
        let GroupRecordKey::GroupMetadata(key) = &record.key else {
            return false;
        };
        match &record.value {
            Some(GroupRecordValue::GroupMetadata(value)) => {
                self.groups.insert(
                    key.group.clone(),
                    ClassicGroup::from_value(&key.group, value),
                );
            }
            None => {
                self.groups.remove(&key.group);
            }
            // A GroupMetadata key with another value type cannot be decoded; ignore it.
            Some(_) => {}
        }
        true
    }

    /// Whether `group_id` is a classic group here.
    pub(crate) fn contains(&self, group_id: &str) -> bool {
        self.groups.contains_key(group_id)
    }

    /// DescribeGroups entry of `group_id`, `None` if it is not a classic group here (the handler
    /// answers Dead then). Member metadata and assignments are shown only when Stable, as Kafka.
    pub(crate) fn describe(&self, group_id: &str) -> Option<DescribedGroup> {
        let group = self.groups.get(group_id)?;
        let stable = group.is(ClassicGroupState::Stable);
        let protocol = group.protocol_name.clone().unwrap_or_default();
        let members = group
            .members
            .values()
            .map(|m| {
                let described = DescribedGroupMember::default()
                    .with_member_id(StrBytes::from_string(m.member_id.clone()))
                    .with_group_instance_id(m.group_instance_id.clone().map(StrBytes::from_string))
                    .with_client_id(StrBytes::from_string(m.client_id.clone()))
                    .with_client_host(StrBytes::from_string(m.client_host.clone()));
                if stable {
                    described
                        .with_member_metadata(m.metadata(&protocol).cloned().unwrap_or_default())
                        .with_member_assignment(m.assignment.clone())
                } else {
                    described
                }
            })
            .collect();
        Some(
            DescribedGroup::default()
                .with_group_id(GroupId(StrBytes::from_string(group_id.to_owned())))
                .with_group_state(StrBytes::from_static_str(group.state.name()))
                .with_protocol_type(StrBytes::from_string(
                    group.protocol_type.clone().unwrap_or_default(),
                ))
                .with_protocol_data(StrBytes::from_string(if stable {
                    protocol
                } else {
                    String::new()
                }))
                .with_members(members),
        )
    }

    /// ListGroups entries of every classic group.
    pub(crate) fn list(&self) -> Vec<GroupListing> {
        self.groups
            .values()
            .map(|g| GroupListing {
                group_id: g.group_id.clone(),
                state: g.state.name(),
                group_type: "classic",
                protocol_type: g.protocol_type.clone().unwrap_or_default(),
            })
            .collect()
    }

    /// Kafka's `ClassicGroup.validateOffsetCommit` for a non-transactional commit. A commit with
    /// a negative generation and no member is a simple (or admin) commit, allowed while the group
    /// is Empty or unknown (the shard then calls [`Self::ensure_empty_group`]). An unknown group
    /// with a generation is GROUP_ID_NOT_FOUND (the handler answers ILLEGAL_GENERATION below
    /// OffsetCommit v9, as Kafka).
    pub(crate) fn validate_offset_commit(
        &self,
        group_id: &str,
        member_id: &str,
        generation_id: i32,
        group_instance_id: Option<&str>,
    ) -> Result<(), i16> {
        let Some(group) = self.groups.get(group_id) else {
            return if generation_id < 0 {
                Ok(())
            } else {
                Err(ResponseError::GroupIdNotFound.code())
            };
        };
        if group.is(ClassicGroupState::Dead) {
            return Err(ResponseError::CoordinatorNotAvailable.code());
        }
        if generation_id < 0 && group.is(ClassicGroupState::Empty) {
            return Ok(());
        }
        if generation_id >= 0 || !member_id.is_empty() || group_instance_id.is_some() {
            group.validate_member(member_id, group_instance_id)?;
            if generation_id != group.generation_id {
                return Err(ResponseError::IllegalGeneration.code());
            }
        } else if !group.is(ClassicGroupState::Empty) {
            // No member and no generation: only an Empty group accepts such commits.
            return Err(ResponseError::UnknownMemberId.code());
        }
        if group.is(ClassicGroupState::CompletingRebalance) {
            // The member has its JoinGroup response but not its assignment yet.
            return Err(ResponseError::RebalanceInProgress.code());
        }
        Ok(())
    }

    /// An accepted offset commit keeps a member's session alive while the group is Stable or
    /// rebalancing (Kafka reschedules the heartbeat on commit). No-op for unknown members.
    pub(crate) fn on_offset_commit(
        &mut self,
        ctx: &mut OpContext<'_>,
        group_id: &str,
        member_id: &str,
    ) {
        let Some(group) = self.groups.get(group_id) else {
            return;
        };
        if !matches!(
            group.state,
            ClassicGroupState::Stable | ClassicGroupState::PreparingRebalance
        ) {
            return;
        }
        if let Some(member) = group.members.get(member_id) {
            let deadline = ctx.now_ms + i64::from(member.session_timeout_ms);
            ctx.timers
                .schedule(session_key(group_id, member_id), deadline);
        }
    }

    /// Creates an Empty group with no protocol type (a "simple" group) if `group_id` is unknown:
    /// Kafka does so when offsets are committed for a group nobody joined. Writes no record, as
    /// Kafka: on load the shard calls this for every group that has offsets but no group record.
    pub(crate) fn ensure_empty_group(
        &mut self,
        ctx: &mut OpContext<'_>,
        group_id: &str,
    ) -> CoordinatorResult<()> {
        self.groups
            .entry(group_id.to_owned())
            .or_insert_with(|| ClassicGroup::new(group_id, ctx.now_ms));
        CoordinatorResult::response_only(())
    }

    /// Whether `group_id` is Empty here; true for a group this state machine does not hold, so
    /// the shard can AND it with the consumer groups' answer.
    pub(crate) fn is_empty(&self, group_id: &str) -> bool {
        self.groups
            .get(group_id)
            .is_none_or(|g| g.is(ClassicGroupState::Empty))
    }

    /// When `group_id` became Empty, if it is an Empty group with a protocol type (a consumer group
    /// run through the classic protocol): Kafka counts offset retention from then.
    pub(crate) fn empty_since(&self, group_id: &str) -> Option<i64> {
        self.groups
            .get(group_id)
            .filter(|g| g.is(ClassicGroupState::Empty) && g.protocol_type.is_some())
            .and_then(|g| g.current_state_timestamp)
    }

    /// DeleteGroups for one group: GROUP_ID_NOT_FOUND if unknown, NON_EMPTY_GROUP unless Empty.
    /// Removes the group and its timers and returns its tombstone (offsets are the shard's).
    pub(crate) fn delete_group(
        &mut self,
        ctx: &mut OpContext<'_>,
        group_id: &str,
    ) -> Result<Vec<GroupRecord>, i16> {
        let group = self
            .groups
            .get(group_id)
            .ok_or(ResponseError::GroupIdNotFound.code())?;
        match group.state {
            ClassicGroupState::Dead => return Err(ResponseError::GroupIdNotFound.code()),
            ClassicGroupState::Empty => {}
            _ => return Err(ResponseError::NonEmptyGroup.code()),
        }
        self.groups.remove(group_id);
        ctx.timers.cancel_group(group_id);
        Ok(vec![ClassicGroup::tombstone(group_id)])
    }

    /// The persisted state of every group with a record, for replay checks: groups at rest
    /// (Empty, or Stable with no sync outstanding) are rendered from their live fields, so a
    /// difference from a replayed copy shows that a change was not persisted; groups mid-rebalance
    /// show their last record.
    #[cfg(test)]
    pub(crate) fn persisted_view(&self) -> BTreeMap<String, GroupMetadataValue> {
        self.groups
            .iter()
            .filter_map(|(id, g)| {
                let persisted = g.persisted.as_ref()?;
                let at_rest = g.is(ClassicGroupState::Empty)
                    || (g.is(ClassicGroupState::Stable) && g.pending_sync_members.is_empty());
                Some((
                    id.clone(),
                    if at_rest {
                        g.to_value()
                    } else {
                        persisted.clone()
                    },
                ))
            })
            .collect()
    }
}
