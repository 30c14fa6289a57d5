//! One classic group (Kafka's `ClassicGroup`): its state, generation, selected protocol, leader,
//! members, and the ephemeral bookkeeping of a rebalance in progress.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bytes::Bytes;
use kafka_protocol::messages::join_group_response::JoinGroupResponseMember;
use kafka_protocol::messages::{JoinGroupResponse, SyncGroupResponse};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use strata_protocol::group_records::{
    GroupMetadataKey, GroupMetadataValue, GroupRecord, GroupRecordKey, GroupRecordValue,
    MemberMetadata,
};
use tokio::sync::oneshot;

use super::effects::Effects;
use super::member::{ClassicMember, Protocol};

/// The states of a classic group, named as Kafka prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClassicGroupState {
    /// No members; offsets may still be committed (by a simple consumer or admin).
    Empty,
    /// Waiting for members to (re)join before the next generation.
    PreparingRebalance,
    /// The generation is chosen; waiting for the leader's assignment.
    CompletingRebalance,
    /// Every member has its assignment.
    Stable,
    /// The group is gone (deleted or moved away).
    Dead,
}

impl ClassicGroupState {
    /// Kafka's name of the state (DescribeGroups, ListGroups).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Empty => "Empty",
            Self::PreparingRebalance => "PreparingRebalance",
            Self::CompletingRebalance => "CompletingRebalance",
            Self::Stable => "Stable",
            Self::Dead => "Dead",
        }
    }

    /// Whether a group may move from `from` to `self` (Kafka's `validPreviousStates`).
    fn may_follow(self, from: Self) -> bool {
        use ClassicGroupState::*;
        match self {
            Empty => from == PreparingRebalance,
            PreparingRebalance => matches!(from, Stable | CompletingRebalance | Empty),
            CompletingRebalance => from == PreparingRebalance,
            Stable => from == CompletingRebalance,
            Dead => true,
        }
    }
}

/// A classic group.
///
/// Persisted state (what a `GroupMetadata` record holds and replay rebuilds): generation,
/// protocol type and name, leader, state timestamp and members with their selected-protocol
/// metadata and assignment. Everything else (parked requests, pending members, the initial delay,
/// awaited syncs) is ephemeral and lost on reload, as in Kafka, where a reloaded group is Empty or
/// Stable.
#[derive(Debug)]
pub(crate) struct ClassicGroup {
    /// The group id.
    pub(crate) group_id: String,
    /// The current state.
    pub(crate) state: ClassicGroupState,
    /// The state before the current one (Dead for a freshly created or loaded group).
    pub(crate) previous_state: ClassicGroupState,
    /// When the group entered its current state (ms), if known.
    pub(crate) current_state_timestamp: Option<i64>,
    /// The protocol type of the members; `None` for a group nobody joined (a simple group).
    pub(crate) protocol_type: Option<String>,
    /// The protocol selected for the current generation.
    pub(crate) protocol_name: Option<String>,
    /// The generation id.
    pub(crate) generation_id: i32,
    /// The leader's member id.
    pub(crate) leader_id: Option<String>,
    /// Members by member id (ordered, so iteration and leader re-election are deterministic).
    pub(crate) members: BTreeMap<String, ClassicMember>,
    /// `group.instance.id` → member id of static members.
    pub(crate) static_members: HashMap<String, String>,
    /// Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet (KIP-394).
    pub(crate) pending_join_members: BTreeSet<String>,
    /// Members of the current generation whose SyncGroup has not arrived.
    pub(crate) pending_sync_members: BTreeSet<String>,
    /// A member joined during the initial rebalance delay (so the delay may be extended).
    pub(crate) new_member_added: bool,
    /// During the initial rebalance of a new group: (current delay, remaining extension), ms.
    pub(crate) initial_delay: Option<(i32, i32)>,
    /// The generation the pending-sync timer was scheduled for.
    pub(crate) sync_timer_generation: i32,
    /// The value of the last GroupMetadata record written or replayed for this group.
    pub(crate) persisted: Option<GroupMetadataValue>,
}

impl ClassicGroup {
    /// A new Empty group with no protocol type, generation 0.
    pub(crate) fn new(group_id: &str, now_ms: i64) -> Self {
        Self {
            group_id: group_id.to_owned(),
            state: ClassicGroupState::Empty,
            previous_state: ClassicGroupState::Dead,
            current_state_timestamp: Some(now_ms),
            protocol_type: None,
            protocol_name: None,
            generation_id: 0,
            leader_id: None,
            members: BTreeMap::new(),
            static_members: HashMap::new(),
            pending_join_members: BTreeSet::new(),
            pending_sync_members: BTreeSet::new(),
            new_member_added: false,
            initial_delay: None,
            sync_timer_generation: -1,
            persisted: None,
        }
    }

    /// The group a GroupMetadata value describes: Empty without members, Stable with them
    /// (Kafka's loader). Members support exactly the selected protocol with their persisted
    /// subscription; a rebalance timeout of -1 (v0 records) means the session timeout.
    pub(crate) fn from_value(group_id: &str, value: &GroupMetadataValue) -> Self {
        let mut group = Self::new(group_id, 0);
        group.state = if value.members.is_empty() {
            ClassicGroupState::Empty
        } else {
            ClassicGroupState::Stable
        };
        group.current_state_timestamp =
            (value.current_state_timestamp != -1).then_some(value.current_state_timestamp);
        group.protocol_type =
            (!value.protocol_type.is_empty()).then(|| value.protocol_type.clone());
        group.protocol_name = value.protocol.clone();
        group.generation_id = value.generation;
        group.leader_id = value.leader.clone();
        for m in &value.members {
            let member = ClassicMember {
                member_id: m.member_id.clone(),
                group_instance_id: m.group_instance_id.clone(),
                client_id: m.client_id.clone(),
                client_host: m.client_host.clone(),
                rebalance_timeout_ms: if m.rebalance_timeout == -1 {
                    m.session_timeout
                } else {
                    m.rebalance_timeout
                },
                session_timeout_ms: m.session_timeout,
                protocol_type: value.protocol_type.clone(),
                protocols: vec![Protocol {
                    name: value.protocol.clone().unwrap_or_default(),
                    metadata: m.subscription.clone(),
                }],
                assignment: m.assignment.clone(),
                awaiting_join: None,
                awaiting_sync: None,
                is_new: false,
            };
            if let Some(instance) = &member.group_instance_id {
                group
                    .static_members
                    .insert(instance.clone(), member.member_id.clone());
            }
            group.members.insert(member.member_id.clone(), member);
        }
        group.persisted = Some(value.clone());
        group
    }

    /// The GroupMetadata value describing the group now: every member with its metadata for
    /// the selected protocol and its assignment.
    pub(crate) fn to_value(&self) -> GroupMetadataValue {
        let protocol = self.protocol_name.as_deref().unwrap_or_default();
        GroupMetadataValue {
            protocol_type: self.protocol_type.clone().unwrap_or_default(),
            generation: self.generation_id,
            protocol: self.protocol_name.clone(),
            leader: self.leader_id.clone(),
            current_state_timestamp: self.current_state_timestamp.unwrap_or(-1),
            members: self
                .members
                .values()
                .map(|m| MemberMetadata {
                    member_id: m.member_id.clone(),
                    group_instance_id: m.group_instance_id.clone(),
                    client_id: m.client_id.clone(),
                    client_host: m.client_host.clone(),
                    rebalance_timeout: m.rebalance_timeout_ms,
                    session_timeout: m.session_timeout_ms,
                    subscription: m.metadata(protocol).cloned().unwrap_or_default(),
                    assignment: m.assignment.clone(),
                })
                .collect(),
        }
    }

    /// A GroupMetadata record of the group as it is now; remembered as persisted.
    pub(crate) fn metadata_record(&mut self) -> GroupRecord {
        self.record_of(self.to_value())
    }

    /// The record Kafka writes when a join creates a group: no members, generation 0, no protocol.
    pub(crate) fn new_group_record(&mut self) -> GroupRecord {
        let value = GroupMetadataValue {
            protocol_type: String::new(),
            generation: 0,
            protocol: None,
            leader: None,
            current_state_timestamp: self.current_state_timestamp.unwrap_or(-1),
            members: Vec::new(),
        };
        self.record_of(value)
    }

    fn record_of(&mut self, value: GroupMetadataValue) -> GroupRecord {
        self.persisted = Some(value.clone());
        GroupRecord {
            key: GroupRecordKey::GroupMetadata(GroupMetadataKey {
                group: self.group_id.clone(),
            }),
            value: Some(GroupRecordValue::GroupMetadata(value)),
        }
    }

    /// The tombstone deleting `group_id`'s metadata.
    pub(crate) fn tombstone(group_id: &str) -> GroupRecord {
        GroupRecord {
            key: GroupRecordKey::GroupMetadata(GroupMetadataKey {
                group: group_id.to_owned(),
            }),
            value: None,
        }
    }

    /// Whether the group is in `state`.
    pub(crate) fn is(&self, state: ClassicGroupState) -> bool {
        self.state == state
    }

    /// Moves to `state` at `now_ms`.
    pub(crate) fn transition_to(&mut self, state: ClassicGroupState, now_ms: i64) {
        debug_assert!(
            state.may_follow(self.state),
            "group {} cannot move from {:?} to {:?}",
            self.group_id,
            self.state,
            state
        );
        self.previous_state = self.state;
        self.state = state;
        self.current_state_timestamp = Some(now_ms);
    }

    /// Whether a rebalance may start from the current state.
    pub(crate) fn can_rebalance(&self) -> bool {
        ClassicGroupState::PreparingRebalance.may_follow(self.state)
    }

    /// Whether `member_id` is the leader.
    pub(crate) fn is_leader(&self, member_id: &str) -> bool {
        self.leader_id.as_deref() == Some(member_id)
    }

    /// The leader id as the responses carry it ("" when there is none).
    pub(crate) fn leader_or_empty(&self) -> &str {
        self.leader_id.as_deref().unwrap_or_default()
    }

    /// Members whose JoinGroup request is parked.
    pub(crate) fn num_awaiting_join(&self) -> usize {
        self.members
            .values()
            .filter(|m| m.is_awaiting_join())
            .count()
    }

    /// Every member has rejoined and no KIP-394 member id is outstanding.
    pub(crate) fn has_all_members_joined(&self) -> bool {
        self.members.values().all(ClassicMember::is_awaiting_join)
            && self.pending_join_members.is_empty()
    }

    /// The longest rebalance timeout of the members (0 without members).
    pub(crate) fn rebalance_timeout_ms(&self) -> i32 {
        self.members
            .values()
            .map(|m| m.rebalance_timeout_ms)
            .max()
            .unwrap_or(0)
    }

    /// Protocols every member supports.
    fn candidate_protocols(&self) -> Vec<&str> {
        let Some(first) = self.members.values().next() else {
            return Vec::new();
        };
        first
            .protocols
            .iter()
            .map(|p| p.name.as_str())
            .filter(|name| self.members.values().all(|m| m.supports(name)))
            .collect()
    }

    /// Whether a member of `protocol_type` supporting `names` may join: any type and protocol
    /// start an Empty group; otherwise the type must match and one protocol must be supported
    /// by every member.
    pub(crate) fn supports_protocols(&self, protocol_type: &str, names: &[&str]) -> bool {
        if self.is(ClassicGroupState::Empty) {
            !protocol_type.is_empty() && !names.is_empty()
        } else {
            self.protocol_type.as_deref() == Some(protocol_type)
                && names
                    .iter()
                    .any(|name| self.members.values().all(|m| m.supports(name)))
        }
    }

    /// The protocol of the next generation: each member votes for its most preferred protocol
    /// among those all members support; most votes wins (ties: first by name).
    pub(crate) fn select_protocol(&self) -> Option<String> {
        let candidates = self.candidate_protocols();
        let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
        for member in self.members.values() {
            if let Some(name) = member.vote(&candidates) {
                *votes.entry(name).or_default() += 1;
            }
        }
        let best = votes.values().copied().max()?;
        votes
            .into_iter()
            .find(|(_, count)| *count == best)
            .map(|(name, _)| name.to_owned())
    }

    /// Adds `member` (the first member fixes the protocol type; the first member leads).
    pub(crate) fn add(
        &mut self,
        mut member: ClassicMember,
        join: Option<oneshot::Sender<JoinGroupResponse>>,
    ) {
        if let Some(instance) = &member.group_instance_id {
            self.static_members
                .insert(instance.clone(), member.member_id.clone());
        }
        if self.members.is_empty() {
            self.protocol_type = Some(member.protocol_type.clone());
        }
        if self.leader_id.is_none() {
            self.leader_id = Some(member.member_id.clone());
        }
        member.awaiting_join = join;
        self.pending_join_members.remove(&member.member_id);
        self.members.insert(member.member_id.clone(), member);
    }

    /// Removes a member (or pending member), electing the first remaining member as leader if it
    /// led. Its parked requests are answered with UNKNOWN_MEMBER_ID so the client rejoins.
    pub(crate) fn remove(&mut self, member_id: &str, fx: &mut Effects) -> Option<ClassicMember> {
        let removed = self.members.remove(member_id);
        if let Some(member) = &removed {
            if let Some(instance) = &member.group_instance_id {
                self.static_members.remove(instance);
            }
        }
        if self.is_leader(member_id) {
            self.leader_id = self.members.keys().next().cloned();
        }
        self.pending_join_members.remove(member_id);
        self.pending_sync_members.remove(member_id);
        let mut removed = removed;
        if let Some(member) = removed.as_mut() {
            let unknown = ResponseError::UnknownMemberId.code();
            if let Some(tx) = member.awaiting_join.take() {
                fx.answer_join(tx, join_failure(unknown, ""));
            }
            if let Some(tx) = member.awaiting_sync.take() {
                fx.answer_sync(tx, SyncGroupResponse::default().with_error_code(unknown));
            }
        }
        removed
    }

    /// Replaces a member's parked JoinGroup request with `join` (an earlier parked one, from a
    /// client that retried, is answered REBALANCE_IN_PROGRESS) and updates what it joined with.
    pub(crate) fn update_member(
        &mut self,
        member_id: &str,
        protocols: Vec<Protocol>,
        rebalance_timeout_ms: i32,
        session_timeout_ms: i32,
        join: Option<oneshot::Sender<JoinGroupResponse>>,
        fx: &mut Effects,
    ) {
        let Some(member) = self.members.get_mut(member_id) else {
            return;
        };
        member.protocols = protocols;
        member.rebalance_timeout_ms = rebalance_timeout_ms;
        member.session_timeout_ms = session_timeout_ms;
        if let Some(old) = std::mem::replace(&mut member.awaiting_join, join) {
            fx.answer_join(
                old,
                join_failure(ResponseError::RebalanceInProgress.code(), member_id),
            );
        }
    }

    /// If the leader has not rejoined, makes the first rejoined member the leader. False when a
    /// leader exists but no member has rejoined (the generation cannot advance).
    pub(crate) fn maybe_elect_new_joined_leader(&mut self) -> bool {
        let Some(leader) = self.leader_id.as_deref() else {
            return false;
        };
        if self
            .members
            .get(leader)
            .is_some_and(ClassicMember::is_awaiting_join)
        {
            return true;
        }
        match self.members.values().find(|m| m.is_awaiting_join()) {
            Some(member) => {
                self.leader_id = Some(member.member_id.clone());
                true
            }
            None => false,
        }
    }

    /// Moves the member of `group_instance_id` from `old_member_id` to `new_member_id`, keeping
    /// what it joined with and its assignment. Requests parked under the old id are fenced.
    pub(crate) fn replace_static_member(
        &mut self,
        group_instance_id: &str,
        old_member_id: &str,
        new_member_id: &str,
        fx: &mut Effects,
    ) {
        let Some(mut member) = self.members.remove(old_member_id) else {
            return;
        };
        let fenced = ResponseError::FencedInstanceId.code();
        if let Some(tx) = member.awaiting_join.take() {
            fx.answer_join(tx, join_failure(fenced, old_member_id));
        }
        if let Some(tx) = member.awaiting_sync.take() {
            fx.answer_sync(tx, SyncGroupResponse::default().with_error_code(fenced));
        }
        self.pending_sync_members.remove(old_member_id);
        member.member_id = new_member_id.to_owned();
        member.is_new = false;
        self.members.insert(new_member_id.to_owned(), member);
        if self.is_leader(old_member_id) {
            self.leader_id = Some(new_member_id.to_owned());
        }
        self.static_members
            .insert(group_instance_id.to_owned(), new_member_id.to_owned());
    }

    /// Checks that `member_id` (with `group_instance_id` for a static member) is a member:
    /// FENCED_INSTANCE_ID when the instance id maps to another member id, UNKNOWN_MEMBER_ID when
    /// it maps to none or the member id is unknown.
    pub(crate) fn validate_member(
        &self,
        member_id: &str,
        group_instance_id: Option<&str>,
    ) -> Result<(), i16> {
        if let Some(instance) = group_instance_id {
            match self.static_members.get(instance) {
                None => return Err(ResponseError::UnknownMemberId.code()),
                Some(existing) if existing != member_id => {
                    return Err(ResponseError::FencedInstanceId.code())
                }
                Some(_) => {}
            }
        }
        if self.members.contains_key(member_id) {
            Ok(())
        } else {
            Err(ResponseError::UnknownMemberId.code())
        }
    }

    /// Starts the next generation: CompletingRebalance with the selected protocol, or Empty
    /// without members.
    pub(crate) fn init_next_generation(&mut self, now_ms: i64) {
        self.generation_id += 1;
        if self.members.is_empty() {
            self.protocol_name = None;
            self.transition_to(ClassicGroupState::Empty, now_ms);
        } else {
            self.protocol_name = self.select_protocol();
            self.transition_to(ClassicGroupState::CompletingRebalance, now_ms);
        }
        self.pending_sync_members.clear();
    }

    /// The member list the leader's JoinGroup response carries: ids, instance ids and metadata
    /// for the selected protocol.
    pub(crate) fn leader_member_list(&self) -> Vec<JoinGroupResponseMember> {
        let protocol = self.protocol_name.as_deref().unwrap_or_default();
        self.members
            .values()
            .map(|m| {
                JoinGroupResponseMember::default()
                    .with_member_id(StrBytes::from_string(m.member_id.clone()))
                    .with_group_instance_id(m.group_instance_id.clone().map(StrBytes::from_string))
                    .with_metadata(m.metadata(protocol).cloned().unwrap_or_else(Bytes::new))
            })
            .collect()
    }

    /// A successful JoinGroup response for `member_id` describing the current generation;
    /// the leader's carries the member list when `with_members`.
    pub(crate) fn join_success(&self, member_id: &str, with_members: bool) -> JoinGroupResponse {
        JoinGroupResponse::default()
            .with_member_id(StrBytes::from_string(member_id.to_owned()))
            .with_generation_id(self.generation_id)
            .with_protocol_type(self.protocol_type.clone().map(StrBytes::from_string))
            .with_protocol_name(self.protocol_name.clone().map(StrBytes::from_string))
            .with_leader(StrBytes::from_string(self.leader_or_empty().to_owned()))
            .with_members(if with_members {
                self.leader_member_list()
            } else {
                Vec::new()
            })
    }
}

/// A failed JoinGroup response for `member_id`.
pub(crate) fn join_failure(code: i16, member_id: &str) -> JoinGroupResponse {
    JoinGroupResponse::default()
        .with_error_code(code)
        .with_member_id(StrBytes::from_string(member_id.to_owned()))
}
