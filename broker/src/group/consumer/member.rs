//! One member of a consumer group (Kafka's `ConsumerGroupMember`): its subscription, persisted by
//! `ConsumerGroupMemberMetadata` records, and its current assignment and epochs, persisted by
//! `ConsumerGroupCurrentMemberAssignment` records.

use std::collections::BTreeSet;

use strata_protocol::group_records::ClassicMemberMetadata;

use crate::group::assignor::TopicPartitions;

/// Member epoch of a member that leaves the group.
pub(crate) const LEAVE_GROUP_MEMBER_EPOCH: i32 = -1;
/// Member epoch of a static member that left temporarily and will rejoin with its instance id.
pub(crate) const LEAVE_GROUP_STATIC_MEMBER_EPOCH: i32 = -2;

/// Where a member is in its reconciliation (Kafka's `MemberState`, persisted as its byte value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemberState {
    /// The member owns its target assignment at the target epoch, or is moving to it without
    /// waiting for anyone.
    Stable,
    /// The member must revoke partitions before it may move to the next epoch.
    UnrevokedPartitions,
    /// The member waits for partitions that other members have not released yet.
    UnreleasedPartitions,
    /// A state written by a newer coordinator; the member is fenced on its next heartbeat.
    Unknown,
}

impl MemberState {
    /// The persisted byte.
    pub(crate) fn value(self) -> i8 {
        match self {
            Self::Stable => 0,
            Self::UnrevokedPartitions => 1,
            Self::UnreleasedPartitions => 2,
            Self::Unknown => 127,
        }
    }

    /// The state of a persisted byte (unknown values become `Unknown`, as in Kafka).
    pub(crate) fn from_value(value: i8) -> Self {
        match value {
            0 => Self::Stable,
            1 => Self::UnrevokedPartitions,
            2 => Self::UnreleasedPartitions,
            _ => Self::Unknown,
        }
    }
}

/// A consumer group member.
///
/// Invariant (kept by the reconciliation, checked by the proptests): `assigned_partitions` and
/// `partitions_pending_revocation` are disjoint, and across members no partition appears twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConsumerGroupMember {
    /// The member id (client-generated since ConsumerGroupHeartbeat v1).
    pub(crate) member_id: String,
    /// Static membership id.
    pub(crate) instance_id: Option<String>,
    /// The client's rack.
    pub(crate) rack_id: Option<String>,
    /// `client.id` of the member's last heartbeat that changed something.
    pub(crate) client_id: String,
    /// Host of the member's client (`/1.2.3.4`).
    pub(crate) client_host: String,
    /// Topics subscribed by name.
    pub(crate) subscribed_topic_names: BTreeSet<String>,
    /// Topics subscribed by regular expression (matched against whole topic names).
    pub(crate) subscribed_topic_regex: Option<String>,
    /// How long the member may take to revoke partitions, in ms (-1 until given).
    pub(crate) rebalance_timeout_ms: i32,
    /// The server assignor the member asked for.
    pub(crate) server_assignor: Option<String>,
    /// Present when the member joined with the classic protocol (kept as replayed).
    pub(crate) classic_member_metadata: Option<ClassicMemberMetadata>,
    /// The epoch the member must send next.
    pub(crate) member_epoch: i32,
    /// The epoch before the last bump, accepted in case the response carrying the bump was lost.
    pub(crate) previous_member_epoch: i32,
    /// The reconciliation state.
    pub(crate) state: MemberState,
    /// Partitions the member may use.
    pub(crate) assigned_partitions: TopicPartitions,
    /// Partitions the member still owns and must give up.
    pub(crate) partitions_pending_revocation: TopicPartitions,
}

impl ConsumerGroupMember {
    /// A member that has just been created: epoch 0, nothing assigned (Kafka's builder defaults).
    pub(crate) fn new(member_id: impl Into<String>) -> Self {
        Self {
            member_id: member_id.into(),
            instance_id: None,
            rack_id: None,
            client_id: String::new(),
            client_host: String::new(),
            subscribed_topic_names: BTreeSet::new(),
            subscribed_topic_regex: None,
            rebalance_timeout_ms: -1,
            server_assignor: None,
            classic_member_metadata: None,
            member_epoch: 0,
            previous_member_epoch: -1,
            state: MemberState::Stable,
            assigned_partitions: TopicPartitions::new(),
            partitions_pending_revocation: TopicPartitions::new(),
        }
    }

    /// Whether the member owns its target assignment at `target_epoch`.
    pub(crate) fn is_reconciled_to(&self, target_epoch: i32) -> bool {
        self.state == MemberState::Stable && self.member_epoch == target_epoch
    }

    /// Whether the subscription-level fields (those of `ConsumerGroupMemberMetadata`) differ.
    pub(crate) fn metadata_differs(&self, other: &Self) -> bool {
        self.instance_id != other.instance_id
            || self.rack_id != other.rack_id
            || self.client_id != other.client_id
            || self.client_host != other.client_host
            || self.subscribed_topic_names != other.subscribed_topic_names
            || self.subscribed_topic_regex != other.subscribed_topic_regex
            || self.rebalance_timeout_ms != other.rebalance_timeout_ms
            || self.server_assignor != other.server_assignor
            || self.classic_member_metadata != other.classic_member_metadata
    }

    /// Whether the assignment-level fields (those of `ConsumerGroupCurrentMemberAssignment`) differ.
    pub(crate) fn assignment_differs(&self, other: &Self) -> bool {
        self.member_epoch != other.member_epoch
            || self.previous_member_epoch != other.previous_member_epoch
            || self.state != other.state
            || self.assigned_partitions != other.assigned_partitions
            || self.partitions_pending_revocation != other.partitions_pending_revocation
    }

    /// Whether the member speaks the consumer protocol (not the classic one).
    pub(crate) fn uses_consumer_protocol(&self) -> bool {
        self.classic_member_metadata.is_none()
    }
}
