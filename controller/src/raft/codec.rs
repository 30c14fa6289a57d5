//! Raft entries ↔ Kafka record batches, and the record codecs underneath.
//!
//! A normal entry is one data batch whose records are the entry's metadata records, each
//! ApiMessageAndVersion-encoded in the value (no key). A blank entry is a control batch holding
//! one LeaderChange record; a membership entry is a control batch holding one KRaftVoters record
//! per joint config. The partition leader epoch of every batch is the entry's raft term.

use std::collections::{BTreeMap, BTreeSet};

use bytes::BytesMut;
use openraft::{BasicNode, CommittedLeaderId, EntryPayload, LogId, Membership};
pub(crate) use strata_protocol::control::ControlRecord;
use strata_protocol::control::{
    LeaderChangeMessage, Voter, VoterEndpoint, VoterEntry, VotersRecord,
};
use strata_protocol::record_batch::{
    decode_records, BatchError, Compression, RecordBatchBuilder, RecordBatchView,
};

use super::{MetadataCommand, MetadataEntry, NodeId};
use crate::records::MetadataRecord;

/// Highest KRaft version this node supports (written into KRaftVoters entries).
const KRAFT_VERSION_MAX: i16 = 1;

/// Listener name written into KRaftVoters endpoints.
pub(crate) const CONTROLLER_LISTENER: &str = "CONTROLLER";

/// A batch or record of the metadata log could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The batch framing is broken.
    #[error("record batch: {0}")]
    Batch(#[from] BatchError),
    /// A metadata record value does not decode.
    #[error("metadata record does not decode: {reason}")]
    Record {
        /// Why.
        reason: String,
    },
    /// A control record does not decode or is of an unexpected type.
    #[error("control record: {reason}")]
    Control {
        /// Why.
        reason: String,
    },
}

/// Encodes a metadata record as ApiMessageAndVersion bytes (frame version 1).
pub fn encode_metadata_record(record: &MetadataRecord) -> Vec<u8> {
    record.encode().to_vec()
}

/// Decodes ApiMessageAndVersion bytes into a metadata record.
pub fn decode_metadata_record(bytes: &[u8]) -> Result<MetadataRecord, CodecError> {
    MetadataRecord::decode(bytes).map_err(|e| CodecError::Record {
        reason: e.to_string(),
    })
}

fn decode_control(key: &[u8], value: &[u8]) -> Result<ControlRecord, CodecError> {
    ControlRecord::decode(key, value).map_err(|e| CodecError::Control {
        reason: e.to_string(),
    })
}

/// Builds a batch of control records at `base_offset`.
pub(crate) fn control_batch(
    base_offset: i64,
    epoch: i32,
    timestamp_ms: i64,
    records: &[ControlRecord],
) -> Result<BytesMut, CodecError> {
    let mut builder = RecordBatchBuilder::new(base_offset, Compression::None)
        .partition_leader_epoch(epoch)
        .control(true);
    for record in records {
        builder.append(
            timestamp_ms,
            Some(&record.encode_key()),
            Some(&record.encode_value()),
            &[],
        );
    }
    Ok(builder.build()?)
}

/// Builds a data batch of metadata records at `base_offset` (a NoOp record if `records` is
/// empty, since a batch holds at least one record).
pub(crate) fn data_batch(
    base_offset: i64,
    epoch: i32,
    timestamp_ms: i64,
    records: &[MetadataRecord],
) -> Result<BytesMut, CodecError> {
    let mut builder =
        RecordBatchBuilder::new(base_offset, Compression::None).partition_leader_epoch(epoch);
    let noop = [MetadataRecord::NoOp];
    let records = if records.is_empty() {
        &noop[..]
    } else {
        records
    };
    for record in records {
        builder.append(
            timestamp_ms,
            None,
            Some(&encode_metadata_record(record)),
            &[],
        );
    }
    Ok(builder.build()?)
}

fn term_to_epoch(term: u64) -> i32 {
    i32::try_from(term).expect("raft terms stay below i32::MAX, Kafka's epoch range")
}

fn node_to_i32(node: NodeId) -> i32 {
    i32::try_from(node).expect("node ids come from Kafka i32 node ids")
}

/// Encodes one raft entry as the record batch that holds it at `base_offset`.
/// `leader_id` is the leader of the entry's term as far as this node knows (LeaderChange).
pub(crate) fn entry_to_batch(
    entry: &MetadataEntry,
    base_offset: i64,
    leader_id: i32,
    timestamp_ms: i64,
) -> Result<BytesMut, CodecError> {
    let epoch = term_to_epoch(entry.log_id.leader_id.term);
    match &entry.payload {
        EntryPayload::Normal(cmd) => data_batch(base_offset, epoch, timestamp_ms, &cmd.0),
        EntryPayload::Blank => control_batch(
            base_offset,
            epoch,
            timestamp_ms,
            &[ControlRecord::LeaderChange(LeaderChangeMessage {
                version: 0,
                leader_id,
                voters: vec![Voter {
                    voter_id: leader_id,
                }],
                granting_voters: vec![Voter {
                    voter_id: leader_id,
                }],
            })],
        ),
        EntryPayload::Membership(m) => {
            control_batch(base_offset, epoch, timestamp_ms, &membership_to_voters(m))
        }
    }
}

/// One KRaftVoters record per joint config.
pub(crate) fn membership_to_voters(m: &Membership<NodeId, BasicNode>) -> Vec<ControlRecord> {
    let nodes: BTreeMap<NodeId, &BasicNode> = m.nodes().map(|(id, n)| (*id, n)).collect();
    m.get_joint_config()
        .iter()
        .map(|config| {
            ControlRecord::KRaftVoters(VotersRecord {
                version: 0,
                voters: config
                    .iter()
                    .map(|id| VoterEntry {
                        voter_id: node_to_i32(*id),
                        voter_directory_id: uuid::Uuid::nil(),
                        endpoints: endpoint_of(nodes.get(id).copied()),
                        min_supported_version: 0,
                        max_supported_version: KRAFT_VERSION_MAX,
                    })
                    .collect(),
            })
        })
        .collect()
}

fn endpoint_of(node: Option<&BasicNode>) -> Vec<VoterEndpoint> {
    let Some(node) = node else { return Vec::new() };
    match node.addr.rsplit_once(':') {
        Some((host, port)) => match port.parse() {
            Ok(port) => vec![VoterEndpoint {
                name: CONTROLLER_LISTENER.to_string(),
                host: host.to_string(),
                port,
            }],
            Err(_) => Vec::new(),
        },
        None => Vec::new(),
    }
}

/// Rebuilds a membership from KRaftVoters records.
pub(crate) fn voters_to_membership(
    records: &[ControlRecord],
) -> Result<Membership<NodeId, BasicNode>, CodecError> {
    let mut configs = Vec::new();
    let mut nodes = BTreeMap::new();
    for record in records {
        let ControlRecord::KRaftVoters(VotersRecord { voters, .. }) = record else {
            return Err(CodecError::Control {
                reason: format!("expected KRaftVoters, found {record:?}"),
            });
        };
        let mut config = BTreeSet::new();
        for v in voters {
            let id = NodeId::try_from(v.voter_id).map_err(|_| CodecError::Control {
                reason: format!("negative voter id {}", v.voter_id),
            })?;
            config.insert(id);
            let addr = v
                .endpoints
                .first()
                .map(|e| format!("{}:{}", e.host, e.port))
                .unwrap_or_default();
            nodes.insert(id, BasicNode { addr });
        }
        configs.push(config);
    }
    if configs.is_empty() {
        return Err(CodecError::Control {
            reason: "membership batch without voters".to_string(),
        });
    }
    Ok(Membership::new(configs, nodes))
}

/// Decodes every control record of a control batch.
pub(crate) fn decode_control_batch(
    view: &RecordBatchView<'_>,
) -> Result<Vec<ControlRecord>, CodecError> {
    decode_records(view)?
        .iter()
        .map(|r| {
            decode_control(
                r.key.as_deref().unwrap_or(&[]),
                r.value.as_deref().unwrap_or(&[]),
            )
        })
        .collect()
}

/// Decodes every metadata record of a data batch.
pub(crate) fn decode_data_batch(
    view: &RecordBatchView<'_>,
) -> Result<Vec<MetadataRecord>, CodecError> {
    decode_records(view)?
        .iter()
        .map(|r| {
            let value = r.value.as_deref().ok_or_else(|| CodecError::Record {
                reason: "null value".to_string(),
            })?;
            decode_metadata_record(value)
        })
        .collect()
}

/// Decodes the batch that holds the raft entry at `index`.
pub(crate) fn batch_to_entry(
    view: &RecordBatchView<'_>,
    index: u64,
) -> Result<MetadataEntry, CodecError> {
    let term = u64::try_from(view.partition_leader_epoch()).map_err(|_| CodecError::Control {
        reason: format!("negative epoch {}", view.partition_leader_epoch()),
    })?;
    let log_id = LogId::new(CommittedLeaderId::new(term, 0), index);
    let payload = if view.is_control() {
        let records = decode_control_batch(view)?;
        match records.first() {
            Some(ControlRecord::LeaderChange(_)) => EntryPayload::Blank,
            Some(ControlRecord::KRaftVoters(_)) => {
                EntryPayload::Membership(voters_to_membership(&records)?)
            }
            other => {
                return Err(CodecError::Control {
                    reason: format!("unexpected control record {other:?} in the log"),
                })
            }
        }
    } else {
        EntryPayload::Normal(MetadataCommand(decode_data_batch(view)?))
    };
    Ok(MetadataEntry { log_id, payload })
}
