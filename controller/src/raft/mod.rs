//! The openraft wiring of the metadata quorum.
//!
//! - [`TypeConfig`]: log entries carry a [`MetadataCommand`] (a list of metadata records);
//!   node ids are Kafka node ids; one leader per term (`single-term-leader`), like KRaft epochs.
//! - `metadata_log`: the raft log as Kafka segments in `__cluster_metadata-0/`, one record
//!   batch per entry (partition leader epoch = term); blank and membership entries are control
//!   batches (LeaderChange, KRaftVoters) so offsets stay dense.
//! - `quorum_state`: vote, committed log id and log start in Kafka's `quorum-state` JSON.
//! - `checkpoint`: snapshots as `<endOffset:020>-<epoch:010>.checkpoint` files.
//! - `state_machine`: replays committed records into the next [`MetadataImage`](crate::MetadataImage).
//! - `network`: the transport seam; single voter now, so every peer is unreachable.

mod checkpoint;
mod codec;
mod log_store;
mod metadata_log;
mod network;
mod quorum_state;
mod state_machine;

use std::io::Cursor;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::records::MetadataRecord;

pub use checkpoint::{checkpoint_file_name, parse_checkpoint_file_name, CHECKPOINT_SUFFIX};
pub use codec::{decode_metadata_record, encode_metadata_record, CodecError};
pub use log_store::LogStore;
pub use metadata_log::{LogStart, MetadataLog, MetadataLogError, METADATA_PARTITION_DIR};
pub use network::{
    MetadataNetwork, UnreachableTransport, UnreachableVoter, VoterTransport, VoterUnreachable,
};
pub use quorum_state::{QuorumState, QUORUM_STATE_FILE};
pub use state_machine::StateMachine;

/// Kafka node id as openraft sees it.
pub type NodeId = u64;

/// The payload of a normal raft entry: metadata records that commit atomically.
///
/// Serialized (for openraft's transport) as the records' ApiMessageAndVersion bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataCommand(pub Vec<MetadataRecord>);

impl Serialize for MetadataCommand {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let encoded: Vec<Vec<u8>> = self.0.iter().map(encode_metadata_record).collect();
        encoded.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for MetadataCommand {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let encoded: Vec<Vec<u8>> = Vec::deserialize(deserializer)?;
        let records = encoded
            .iter()
            .map(|b| decode_metadata_record(b))
            .collect::<Result<Vec<_>, _>>()
            .map_err(serde::de::Error::custom)?;
        Ok(MetadataCommand(records))
    }
}

/// What applying one entry produced: the Kafka offset of its last record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedResponse {
    /// Offset of the last record of the entry in `__cluster_metadata`.
    pub offset: i64,
}

openraft::declare_raft_types!(
    /// openraft types of the metadata quorum.
    pub TypeConfig:
        D = MetadataCommand,
        R = AppliedResponse,
        NodeId = NodeId,
        Node = openraft::BasicNode,
        Entry = openraft::Entry<TypeConfig>,
        SnapshotData = Cursor<Vec<u8>>,
        AsyncRuntime = openraft::TokioRuntime,
);

/// The raft handle of the metadata quorum.
pub type MetadataRaft = openraft::Raft<TypeConfig>;
/// A raft log entry of the metadata quorum.
pub type MetadataEntry = openraft::Entry<TypeConfig>;
/// A raft log id (term, index).
pub type MetadataLogId = openraft::LogId<NodeId>;

/// Kafka offsets one entry occupies in `__cluster_metadata`: one per record of its batch.
/// The log store and the state machine both count with this, so they agree on offsets.
pub fn entry_offset_count(entry: &MetadataEntry) -> i64 {
    let count = match &entry.payload {
        openraft::EntryPayload::Blank => 1,
        openraft::EntryPayload::Normal(cmd) => cmd.0.len().max(1),
        openraft::EntryPayload::Membership(m) => m.get_joint_config().len().max(1),
    };
    i64::try_from(count).expect("an entry holds far fewer than i64::MAX records")
}
