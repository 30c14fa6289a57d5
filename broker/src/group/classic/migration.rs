//! The classic half of online group migration (see `group::migration`): handing a classic group
//! over to the consumer state machine (upgrade) and taking over a consumer group whose members all
//! speak the classic protocol (downgrade, Kafka's `ClassicGroup.fromConsumerGroup`).

use kafka_protocol::messages::{JoinGroupResponse, SyncGroupResponse};
use kafka_protocol::ResponseError;
use strata_protocol::group_records::GroupRecord;

use super::effects::Effects;
use super::group::{ClassicGroup, ClassicGroupState};
use super::member::{ClassicMember, Protocol};
use super::rebalance::{join_key, pending_key, session_key, sync_key};
use super::ClassicGroups;
use crate::group::migration::{
    encode_assignment, ClassicGroupSnapshot, ClassicMemberSnapshot, DowngradedGroup,
    CONSUMER_PROTOCOL_TYPE,
};
use crate::group::op_context::OpContext;
use crate::group::result::{CoordinatorResult, DeferredResponse};

/// A classic group taken out of [`ClassicGroups`] while an upgrade is attempted; either given
/// back with [`ClassicGroups::restore`] or retired with [`ClassicGroups::finish_upgrade`].
#[derive(Debug)]
pub(crate) struct DetachedClassicGroup(ClassicGroup);

impl ClassicGroups {
    /// What a consumer group needs to take the group over, if Kafka's `validateOnlineUpgrade`
    /// conditions other than the policy hold: the group exists, is not empty, its protocol type
    /// is "consumer", it has a selected protocol, and it has at most `consumer_max_size` members.
    pub(crate) fn upgrade_snapshot(
        &self,
        group_id: &str,
        consumer_max_size: usize,
    ) -> Option<ClassicGroupSnapshot> {
        let group = self.groups.get(group_id)?;
        if group.members.is_empty()
            || group.protocol_type.as_deref() != Some(CONSUMER_PROTOCOL_TYPE)
            || group.members.len() > consumer_max_size
        {
            return None;
        }
        // Mid-rebalance (no protocol selected yet) members still support a common protocol.
        let protocol = group
            .protocol_name
            .clone()
            .or_else(|| group.select_protocol())?;
        let members = group
            .members
            .values()
            .map(|m| ClassicMemberSnapshot {
                member_id: m.member_id.clone(),
                instance_id: m.group_instance_id.clone(),
                client_id: m.client_id.clone(),
                client_host: m.client_host.clone(),
                rebalance_timeout_ms: m.rebalance_timeout_ms,
                session_timeout_ms: m.session_timeout_ms,
                protocols: m
                    .protocols
                    .iter()
                    .map(|p| (p.name.clone(), p.metadata.clone()))
                    .collect(),
                subscription: m.metadata(&protocol).cloned().unwrap_or_default(),
                assignment: m.assignment.clone(),
            })
            .collect();
        Some(ClassicGroupSnapshot {
            group_id: group_id.to_owned(),
            generation_id: group.generation_id,
            members,
        })
    }

    /// Takes the group out (its parked requests and timers stay with it).
    pub(crate) fn detach(&mut self, group_id: &str) -> Option<DetachedClassicGroup> {
        self.groups.remove(group_id).map(DetachedClassicGroup)
    }

    /// Puts a detached group back as it was.
    pub(crate) fn restore(&mut self, detached: DetachedClassicGroup) {
        let group = detached.0;
        self.groups.insert(group.group_id.clone(), group);
    }

    /// Retires a group that became a consumer group: its parked JoinGroup/SyncGroup requests are
    /// answered REBALANCE_IN_PROGRESS (the clients rejoin, now into the consumer group) and its
    /// timers are cancelled.
    pub(crate) fn finish_upgrade(
        &mut self,
        ctx: &mut OpContext<'_>,
        detached: DetachedClassicGroup,
    ) -> Vec<DeferredResponse> {
        let mut group = detached.0;
        let mut fx = Effects::default();
        let code = ResponseError::RebalanceInProgress.code();
        ctx.timers.cancel(&join_key(&group.group_id));
        ctx.timers.cancel(&sync_key(&group.group_id));
        for pending in &group.pending_join_members {
            ctx.timers.cancel(&pending_key(&group.group_id, pending));
        }
        for member in group.members.values_mut() {
            ctx.timers
                .cancel(&session_key(&group.group_id, &member.member_id));
            if let Some(tx) = member.awaiting_join.take() {
                fx.answer_join(
                    tx,
                    JoinGroupResponse::default()
                        .with_error_code(code)
                        .with_generation_id(-1),
                );
            }
            if let Some(tx) = member.awaiting_sync.take() {
                fx.answer_sync(tx, SyncGroupResponse::default().with_error_code(code));
            }
        }
        fx.deferred
    }

    /// The `GroupMetadata` tombstone of a group.
    pub(crate) fn tombstone(group_id: &str) -> GroupRecord {
        ClassicGroup::tombstone(group_id)
    }

    /// Takes over a downgraded consumer group (Kafka's `convertToClassicGroup`): a Stable group at
    /// generation = the consumer group epoch whose members keep their target assignments
    /// (serialized at their subscription's version), persisted by a `GroupMetadata` record, then
    /// (unless a static member replacement caused it) a rebalance so the members rejoin.
    pub(crate) fn adopt_downgraded(
        &mut self,
        ctx: &mut OpContext<'_>,
        downgraded: &DowngradedGroup,
    ) -> CoordinatorResult<()> {
        let mut fx = Effects::default();
        let mut group = ClassicGroup::new(&downgraded.group_id, ctx.now_ms);
        group.state = ClassicGroupState::Stable;
        group.previous_state = ClassicGroupState::Dead;
        group.generation_id = downgraded.group_epoch;
        group.protocol_type = Some(CONSUMER_PROTOCOL_TYPE.to_owned());
        for m in &downgraded.members {
            let member = ClassicMember {
                member_id: m.member_id.clone(),
                group_instance_id: m.instance_id.clone(),
                client_id: m.client_id.clone(),
                client_host: m.client_host.clone(),
                rebalance_timeout_ms: m.rebalance_timeout_ms,
                session_timeout_ms: m.session_timeout_ms,
                protocol_type: CONSUMER_PROTOCOL_TYPE.to_owned(),
                protocols: m
                    .protocols
                    .iter()
                    .map(|(name, metadata)| Protocol {
                        name: name.clone(),
                        metadata: metadata.clone(),
                    })
                    .collect(),
                assignment: bytes::Bytes::new(),
                awaiting_join: None,
                awaiting_sync: None,
                is_new: false,
            };
            group.add(member, None);
        }
        group.protocol_name = group.select_protocol();
        let protocol = group.protocol_name.clone().unwrap_or_default();
        for m in &downgraded.members {
            if let Some(member) = group.members.get_mut(&m.member_id) {
                let metadata = member.metadata(&protocol).cloned().unwrap_or_default();
                member.assignment = encode_assignment(&m.target, &metadata);
            }
        }
        fx.records.push(group.metadata_record());
        for member in group.members.values() {
            group.reschedule_session(&member.member_id, i64::from(member.session_timeout_ms), ctx);
        }
        if downgraded.rebalance {
            group.prepare_rebalance(ctx, &mut fx);
        }
        self.groups.insert(downgraded.group_id.clone(), group);
        fx.finish(())
    }
}
