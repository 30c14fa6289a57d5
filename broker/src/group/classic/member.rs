//! One member of a classic group (Kafka's `ClassicGroupMember`): what it joined with, its
//! assignment, and its parked JoinGroup/SyncGroup requests.

use bytes::Bytes;
use kafka_protocol::messages::{JoinGroupResponse, SyncGroupResponse};
use tokio::sync::oneshot;

/// One protocol a member supports (`JoinGroupRequestProtocol`): an assignor name and the
/// member's metadata for it (for consumers, the serialized subscription).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Protocol {
    /// The protocol (assignor) name, e.g. "range", "cooperative-sticky".
    pub(crate) name: String,
    /// The member's metadata for this protocol.
    pub(crate) metadata: Bytes,
}

/// A member of a classic group.
///
/// Invariant: `protocols` is non-empty and in the member's order of preference.
#[derive(Debug)]
pub(crate) struct ClassicMember {
    /// The member id handed out by the coordinator.
    pub(crate) member_id: String,
    /// `group.instance.id` of a static member.
    pub(crate) group_instance_id: Option<String>,
    /// `client.id` of the member's connection.
    pub(crate) client_id: String,
    /// Host of the member's connection (`/127.0.0.1`).
    pub(crate) client_host: String,
    /// How long the join phase may wait for this member to rejoin.
    pub(crate) rebalance_timeout_ms: i32,
    /// How long the member may go without a heartbeat.
    pub(crate) session_timeout_ms: i32,
    /// The protocol type ("consumer", "connect", ...).
    pub(crate) protocol_type: String,
    /// Supported protocols, most preferred first.
    pub(crate) protocols: Vec<Protocol>,
    /// The member's assignment of the current generation (empty until the leader syncs).
    pub(crate) assignment: Bytes,
    /// The parked JoinGroup request of this member, answered when the join phase completes.
    pub(crate) awaiting_join: Option<oneshot::Sender<JoinGroupResponse>>,
    /// The parked SyncGroup request of this member, answered when the leader's assignment lands.
    pub(crate) awaiting_sync: Option<oneshot::Sender<SyncGroupResponse>>,
    /// Joined in the current rebalance and has not received its JoinGroup response yet. Such a
    /// member expires by its join timeout even while its JoinGroup request is parked.
    pub(crate) is_new: bool,
}

impl ClassicMember {
    /// The member's metadata for `protocol_name`, if it supports that protocol.
    pub(crate) fn metadata(&self, protocol_name: &str) -> Option<&Bytes> {
        self.protocols
            .iter()
            .find(|p| p.name == protocol_name)
            .map(|p| &p.metadata)
    }

    /// Whether the member joined with exactly these protocols (names, metadata and order).
    pub(crate) fn matches(&self, protocols: &[Protocol]) -> bool {
        self.protocols == protocols
    }

    /// The member's most preferred protocol among `candidates`.
    pub(crate) fn vote<'a>(&'a self, candidates: &[&str]) -> Option<&'a str> {
        self.protocols
            .iter()
            .map(|p| p.name.as_str())
            .find(|name| candidates.contains(name))
    }

    /// Whether the member supports a protocol named `name`.
    pub(crate) fn supports(&self, name: &str) -> bool {
        self.protocols.iter().any(|p| p.name == name)
    }

    /// Whether a JoinGroup request of this member is parked.
    pub(crate) fn is_awaiting_join(&self) -> bool {
        self.awaiting_join.is_some()
    }

    /// Whether a SyncGroup request of this member is parked.
    pub(crate) fn is_awaiting_sync(&self) -> bool {
        self.awaiting_sync.is_some()
    }

    /// Whether the member counts as alive when its session timer fires: a member with a parked
    /// request is waiting on the coordinator, not the other way round, unless it is new.
    pub(crate) fn has_satisfied_heartbeat(&self) -> bool {
        !self.is_new && (self.is_awaiting_join() || self.is_awaiting_sync())
    }
}
