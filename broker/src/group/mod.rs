//! The group coordinator: classic and KIP-848 consumer groups, committed offsets, persisted in
//! `__consumer_offsets`.
//!
//! Layering (Kafka's new group coordinator): pure state machines (`classic`, `consumer`,
//! `offsets`, `assignor`) take an [`op_context::OpContext`] and a request and return a
//! [`result::CoordinatorResult`]: the records to append, the response, and responses to parked
//! requests. One shard per `__consumer_offsets` partition owns the state machines of its groups and is
//! driven by one task (the runtime), which appends the records, waits until they are committed,
//! and only then releases the responses. Loading a partition replays its records through the
//! same `replay` functions.

pub(crate) mod assignor;
pub(crate) mod classic;
pub(crate) mod config;
pub(crate) mod consumer;
pub(crate) mod coordinator;
pub(crate) mod loader;
pub(crate) mod migration;
pub(crate) mod offsets;
pub(crate) mod op_context;
pub(crate) mod partitioner;
pub(crate) mod result;
pub(crate) mod runtime;
pub(crate) mod shard;
pub(crate) mod timer;
pub(crate) mod writer;

/// One group as ListGroups shows it, whichever state machine owns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupListing {
    /// The group id.
    pub(crate) group_id: String,
    /// Kafka's state name ("Empty", "Stable", ...).
    pub(crate) state: &'static str,
    /// "consumer" or "classic".
    pub(crate) group_type: &'static str,
    /// The protocol type ("consumer", "connect", "" for a simple group).
    pub(crate) protocol_type: String,
}
