//! Control records: the records of batches with the control attribute set.
//!
//! Key (`ControlRecordType.java`): `version: i16 (= 0) | type: i16`. Types: 0 ABORT, 1 COMMIT
//! (transaction markers, value `EndTxnMarker`: `version: i16 | coordinator_epoch: i32`), 2
//! LEADER_CHANGE, 3 SNAPSHOT_HEADER, 4 SNAPSHOT_FOOTER, 5 KRAFT_VERSION, 6 KRAFT_VOTERS (KRaft
//! values, encoded in the flexible format at schema version 0 with their own `Version` field,
//! from `clients/src/main/resources/common/message/*.json`).

use uuid::Uuid;

use crate::metadata::skip_tagged_fields;
use crate::wire::{WireError, WireReader, WireWriter};

/// Bytes of a control record key.
pub const CONTROL_KEY_BYTES: usize = 4;
/// Bytes of an EndTxnMarker value (version 0).
pub const END_TXN_MARKER_BYTES: usize = 6;

/// The type in a control record key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ControlRecordType {
    /// Transaction aborted (0).
    Abort,
    /// Transaction committed (1).
    Commit,
    /// A new KRaft leader (2).
    LeaderChange,
    /// First record of a KRaft snapshot (3).
    SnapshotHeader,
    /// Last record of a KRaft snapshot (4).
    SnapshotFooter,
    /// The KRaft protocol version (5).
    KRaftVersion,
    /// The KRaft voter set (6).
    KRaftVoters,
}

impl ControlRecordType {
    /// The type id in the key.
    pub fn id(self) -> i16 {
        match self {
            Self::Abort => 0,
            Self::Commit => 1,
            Self::LeaderChange => 2,
            Self::SnapshotHeader => 3,
            Self::SnapshotFooter => 4,
            Self::KRaftVersion => 5,
            Self::KRaftVoters => 6,
        }
    }

    /// The type for an id, `None` if unknown (Kafka's UNKNOWN, which readers ignore).
    pub fn from_id(id: i16) -> Option<Self> {
        Some(match id {
            0 => Self::Abort,
            1 => Self::Commit,
            2 => Self::LeaderChange,
            3 => Self::SnapshotHeader,
            4 => Self::SnapshotFooter,
            5 => Self::KRaftVersion,
            6 => Self::KRaftVoters,
            _ => return None,
        })
    }

    /// The 4-byte key of a control record of this type (key version 0).
    pub fn key(self) -> [u8; CONTROL_KEY_BYTES] {
        let mut key = [0u8; CONTROL_KEY_BYTES];
        key[2..].copy_from_slice(&self.id().to_be_bytes());
        key
    }
}

/// Why a control record could not be decoded.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ControlError {
    /// The key or value is null or shorter than its fixed part.
    #[error("control record {part} has {len} bytes, needs at least {min}")]
    TooShort {
        /// "key" or "value".
        part: &'static str,
        /// Bytes present.
        len: usize,
        /// Bytes needed.
        min: usize,
    },
    /// The key or marker version is negative, which Kafka treats as corruption.
    #[error("control record {part} version {version} is negative")]
    NegativeVersion {
        /// "key" or "value".
        part: &'static str,
        /// The version found.
        version: i16,
    },
    /// The type id is unknown.
    #[error("control record type {type_id} is unknown")]
    UnknownType {
        /// The type id found.
        type_id: i16,
    },
    /// A KRaft control value is malformed.
    #[error("control record value of type {record_type:?} is malformed: {source}")]
    Malformed {
        /// The record type.
        record_type: ControlRecordType,
        /// The primitive that failed.
        source: WireError,
    },
    /// Bytes remain after a KRaft control value.
    #[error("control record value of type {record_type:?} has {trailing} trailing bytes")]
    TrailingBytes {
        /// The record type.
        record_type: ControlRecordType,
        /// How many bytes follow.
        trailing: usize,
    },
}

/// Reads the type from a control record key.
pub fn decode_key(key: &[u8]) -> Result<ControlRecordType, ControlError> {
    let [v0, v1, t0, t1, ..] = *key else {
        return Err(ControlError::TooShort {
            part: "key",
            len: key.len(),
            min: CONTROL_KEY_BYTES,
        });
    };
    let version = i16::from_be_bytes([v0, v1]);
    if version < 0 {
        return Err(ControlError::NegativeVersion {
            part: "key",
            version,
        });
    }
    let type_id = i16::from_be_bytes([t0, t1]);
    ControlRecordType::from_id(type_id).ok_or(ControlError::UnknownType { type_id })
}

/// A transaction marker's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EndTxnMarker {
    /// Epoch of the transaction coordinator that wrote the marker.
    pub coordinator_epoch: i32,
}

/// One KRaft voter in a `LeaderChangeMessage` (schema v0: id only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Voter {
    /// The voter's replica id.
    pub voter_id: i32,
}

/// LEADER_CHANGE value: the leader elected for an epoch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LeaderChangeMessage {
    /// The message's own version field.
    pub version: i16,
    /// The new leader.
    pub leader_id: i32,
    /// The voters of the epoch.
    pub voters: Vec<Voter>,
    /// The voters that voted for the leader.
    pub granting_voters: Vec<Voter>,
}

/// SNAPSHOT_HEADER value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SnapshotHeaderRecord {
    /// The record's own version field.
    pub version: i16,
    /// Append time of the last log record the snapshot contains.
    pub last_contained_log_timestamp: i64,
}

/// SNAPSHOT_FOOTER value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SnapshotFooterRecord {
    /// The record's own version field.
    pub version: i16,
}

/// KRAFT_VERSION value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KRaftVersionRecord {
    /// The record's own version field.
    pub version: i16,
    /// The KRaft protocol version.
    pub kraft_version: i16,
}

/// A listener of a voter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VoterEndpoint {
    /// Listener name.
    pub name: String,
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
}

/// One voter of a `VotersRecord`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VoterEntry {
    /// Replica id.
    pub voter_id: i32,
    /// Log directory id.
    pub voter_directory_id: Uuid,
    /// Listeners.
    pub endpoints: Vec<VoterEndpoint>,
    /// Lowest supported KRaft version.
    pub min_supported_version: i16,
    /// Highest supported KRaft version.
    pub max_supported_version: i16,
}

/// KRAFT_VOTERS value: the voter set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VotersRecord {
    /// The record's own version field.
    pub version: i16,
    /// The voters.
    pub voters: Vec<VoterEntry>,
}

/// A decoded control record (key type + value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlRecord {
    /// ABORT marker.
    Abort(EndTxnMarker),
    /// COMMIT marker.
    Commit(EndTxnMarker),
    /// LEADER_CHANGE.
    LeaderChange(LeaderChangeMessage),
    /// SNAPSHOT_HEADER.
    SnapshotHeader(SnapshotHeaderRecord),
    /// SNAPSHOT_FOOTER.
    SnapshotFooter(SnapshotFooterRecord),
    /// KRAFT_VERSION.
    KRaftVersion(KRaftVersionRecord),
    /// KRAFT_VOTERS.
    KRaftVoters(VotersRecord),
}

impl ControlRecord {
    /// The key type.
    pub fn record_type(&self) -> ControlRecordType {
        match self {
            Self::Abort(_) => ControlRecordType::Abort,
            Self::Commit(_) => ControlRecordType::Commit,
            Self::LeaderChange(_) => ControlRecordType::LeaderChange,
            Self::SnapshotHeader(_) => ControlRecordType::SnapshotHeader,
            Self::SnapshotFooter(_) => ControlRecordType::SnapshotFooter,
            Self::KRaftVersion(_) => ControlRecordType::KRaftVersion,
            Self::KRaftVoters(_) => ControlRecordType::KRaftVoters,
        }
    }

    /// The record key.
    pub fn encode_key(&self) -> [u8; CONTROL_KEY_BYTES] {
        self.record_type().key()
    }

    /// The record value.
    pub fn encode_value(&self) -> Vec<u8> {
        let mut w = WireWriter::new();
        match self {
            Self::Abort(m) | Self::Commit(m) => {
                w.put_i16(0);
                w.put_i32(m.coordinator_epoch);
            }
            Self::LeaderChange(m) => {
                w.put_i16(m.version);
                w.put_i32(m.leader_id);
                for voters in [&m.voters, &m.granting_voters] {
                    w.put_compact_len(Some(voters.len()));
                    for v in voters {
                        w.put_i32(v.voter_id);
                        w.put_tagged_fields(&[]);
                    }
                }
                w.put_tagged_fields(&[]);
            }
            Self::SnapshotHeader(m) => {
                w.put_i16(m.version);
                w.put_i64(m.last_contained_log_timestamp);
                w.put_tagged_fields(&[]);
            }
            Self::SnapshotFooter(m) => {
                w.put_i16(m.version);
                w.put_tagged_fields(&[]);
            }
            Self::KRaftVersion(m) => {
                w.put_i16(m.version);
                w.put_i16(m.kraft_version);
                w.put_tagged_fields(&[]);
            }
            Self::KRaftVoters(m) => encode_voters(m, &mut w),
        }
        w.into_inner()
    }

    /// Decodes a control record from its key and value.
    pub fn decode(key: &[u8], value: &[u8]) -> Result<Self, ControlError> {
        let record_type = decode_key(key)?;
        let mut r = WireReader::new(value);
        let decoded = match record_type {
            ControlRecordType::Abort => return decode_end_txn(value).map(Self::Abort),
            ControlRecordType::Commit => return decode_end_txn(value).map(Self::Commit),
            ControlRecordType::LeaderChange => decode_leader_change(&mut r).map(Self::LeaderChange),
            ControlRecordType::SnapshotHeader => {
                decode_snapshot_header(&mut r).map(Self::SnapshotHeader)
            }
            ControlRecordType::SnapshotFooter => {
                decode_snapshot_footer(&mut r).map(Self::SnapshotFooter)
            }
            ControlRecordType::KRaftVersion => decode_kraft_version(&mut r).map(Self::KRaftVersion),
            ControlRecordType::KRaftVoters => decode_voters(&mut r).map(Self::KRaftVoters),
        };
        let record = decoded.map_err(|source| ControlError::Malformed {
            record_type,
            source,
        })?;
        if !r.is_empty() {
            return Err(ControlError::TrailingBytes {
                record_type,
                trailing: r.remaining(),
            });
        }
        Ok(record)
    }
}

/// Kafka reads later marker versions as version 0, so bytes after the fixed part are ignored.
fn decode_end_txn(value: &[u8]) -> Result<EndTxnMarker, ControlError> {
    let [v0, v1, e0, e1, e2, e3, ..] = *value else {
        return Err(ControlError::TooShort {
            part: "value",
            len: value.len(),
            min: END_TXN_MARKER_BYTES,
        });
    };
    let version = i16::from_be_bytes([v0, v1]);
    if version < 0 {
        return Err(ControlError::NegativeVersion {
            part: "value",
            version,
        });
    }
    Ok(EndTxnMarker {
        coordinator_epoch: i32::from_be_bytes([e0, e1, e2, e3]),
    })
}

fn encode_voters(m: &VotersRecord, w: &mut WireWriter) {
    w.put_i16(m.version);
    w.put_compact_len(Some(m.voters.len()));
    for v in &m.voters {
        w.put_i32(v.voter_id);
        w.put_uuid(&v.voter_directory_id);
        w.put_compact_len(Some(v.endpoints.len()));
        for e in &v.endpoints {
            w.put_compact_string(&e.name);
            w.put_compact_string(&e.host);
            w.put_u16(e.port);
            w.put_tagged_fields(&[]);
        }
        w.put_i16(v.min_supported_version);
        w.put_i16(v.max_supported_version);
        w.put_tagged_fields(&[]);
        w.put_tagged_fields(&[]);
    }
    w.put_tagged_fields(&[]);
}

fn decode_voter_list(r: &mut WireReader<'_>, field: &'static str) -> Result<Vec<Voter>, WireError> {
    let n = r.compact_array_len_non_null(field)?;
    let mut out = Vec::with_capacity(n.min(r.remaining()));
    for _ in 0..n {
        out.push(Voter { voter_id: r.i32()? });
        skip_tagged_fields(r)?;
    }
    Ok(out)
}

fn decode_leader_change(r: &mut WireReader<'_>) -> Result<LeaderChangeMessage, WireError> {
    let out = LeaderChangeMessage {
        version: r.i16()?,
        leader_id: r.i32()?,
        voters: decode_voter_list(r, "Voters")?,
        granting_voters: decode_voter_list(r, "GrantingVoters")?,
    };
    skip_tagged_fields(r)?;
    Ok(out)
}

fn decode_snapshot_header(r: &mut WireReader<'_>) -> Result<SnapshotHeaderRecord, WireError> {
    let out = SnapshotHeaderRecord {
        version: r.i16()?,
        last_contained_log_timestamp: r.i64()?,
    };
    skip_tagged_fields(r)?;
    Ok(out)
}

fn decode_snapshot_footer(r: &mut WireReader<'_>) -> Result<SnapshotFooterRecord, WireError> {
    let out = SnapshotFooterRecord { version: r.i16()? };
    skip_tagged_fields(r)?;
    Ok(out)
}

fn decode_kraft_version(r: &mut WireReader<'_>) -> Result<KRaftVersionRecord, WireError> {
    let out = KRaftVersionRecord {
        version: r.i16()?,
        kraft_version: r.i16()?,
    };
    skip_tagged_fields(r)?;
    Ok(out)
}

fn decode_voters(r: &mut WireReader<'_>) -> Result<VotersRecord, WireError> {
    let version = r.i16()?;
    let out = decode_voters_body(version, r)?;
    skip_tagged_fields(r)?;
    Ok(out)
}

fn decode_voters_body(version: i16, r: &mut WireReader<'_>) -> Result<VotersRecord, WireError> {
    let n = r.compact_array_len_non_null("Voters")?;
    let mut voters = Vec::with_capacity(n.min(r.remaining()));
    for _ in 0..n {
        let voter_id = r.i32()?;
        let voter_directory_id = r.uuid()?;
        let m = r.compact_array_len_non_null("Endpoints")?;
        let mut endpoints = Vec::with_capacity(m.min(r.remaining()));
        for _ in 0..m {
            endpoints.push(VoterEndpoint {
                name: r.compact_string("Endpoints.Name")?,
                host: r.compact_string("Endpoints.Host")?,
                port: r.u16()?,
            });
            skip_tagged_fields(r)?;
        }
        let min_supported_version = r.i16()?;
        let max_supported_version = r.i16()?;
        skip_tagged_fields(r)?; // KRaftVersionFeature's tagged fields
        skip_tagged_fields(r)?; // the voter's tagged fields
        voters.push(VoterEntry {
            voter_id,
            voter_directory_id,
            endpoints,
            min_supported_version,
            max_supported_version,
        });
    }
    Ok(VotersRecord { version, voters })
}
