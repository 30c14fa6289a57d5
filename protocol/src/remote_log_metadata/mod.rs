//! Records of `__remote_log_metadata`, the topic of Kafka's `TopicBasedRemoteLogMetadataManager`.
//!
//! A record value is framed as Kafka's `RemoteLogMetadataSerde` (an `ApiMessageAndVersion`,
//! the same frame as KRaft metadata records); the record key is null:
//!
//! ```text
//! frame version: unsigned varint (= 1) | api key: unsigned varint | version: unsigned varint (= 0)
//! body: the record in the flexible encoding
//! ```
//!
//! Api keys: 0 segment metadata, 1 segment update, 2 partition delete, 3 snapshot entry.

mod display;
mod records;

pub use records::{
    RemoteLogSegmentIdEntry, RemoteLogSegmentMetadataRecord,
    RemoteLogSegmentMetadataSnapshotRecord, RemoteLogSegmentMetadataUpdateRecord,
    RemotePartitionDeleteMetadataRecord, SegmentLeaderEpochEntry, TopicIdPartitionEntry,
};

use records::RemoteBody;
use serde_json::Value;

use crate::schema::codec::{FlexReader, FlexWriter};
use crate::schema::{self, SchemaError};
use crate::wire::{WireError, WireReader};

/// The only frame version Kafka defines.
pub const FRAME_VERSION: u32 = 1;
/// The only record version Kafka defines for every remote log metadata record.
pub const RECORD_VERSION: i16 = 0;

/// Kafka's `RemoteLogSegmentState` ids.
pub mod segment_state {
    /// `COPY_SEGMENT_STARTED`.
    pub const COPY_SEGMENT_STARTED: i8 = 0;
    /// `COPY_SEGMENT_FINISHED`.
    pub const COPY_SEGMENT_FINISHED: i8 = 1;
    /// `DELETE_SEGMENT_STARTED`.
    pub const DELETE_SEGMENT_STARTED: i8 = 2;
    /// `DELETE_SEGMENT_FINISHED`.
    pub const DELETE_SEGMENT_FINISHED: i8 = 3;
}

/// Kafka's `RemotePartitionDeleteState` ids.
pub mod partition_delete_state {
    /// `DELETE_PARTITION_MARKED`.
    pub const DELETE_PARTITION_MARKED: i8 = 0;
    /// `DELETE_PARTITION_STARTED`.
    pub const DELETE_PARTITION_STARTED: i8 = 1;
    /// `DELETE_PARTITION_FINISHED`.
    pub const DELETE_PARTITION_FINISHED: i8 = 2;
}

/// Why bytes are not a remote log metadata record.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum RemoteLogMetadataError {
    /// The frame version is not 1.
    #[error("remote log metadata frame version {frame_version} is unknown (only {FRAME_VERSION} is defined)")]
    UnknownFrameVersion {
        /// The frame version found.
        frame_version: u32,
    },
    /// The api key names no remote log metadata record.
    #[error("remote log metadata api key {api_key} is unknown")]
    UnknownApiKey {
        /// The api key found.
        api_key: u32,
    },
    /// The record version is not 0.
    #[error("remote log metadata api key {api_key} version {version} is unknown (only {RECORD_VERSION} is defined)")]
    UnsupportedVersion {
        /// The record type.
        api_key: i16,
        /// The version found.
        version: u32,
    },
    /// The frame or body is malformed.
    #[error("remote log metadata api key {api_key:?} is malformed: {source}")]
    Malformed {
        /// The record type, once known.
        api_key: Option<i16>,
        /// The primitive that failed.
        source: WireError,
    },
    /// Bytes remain after the record.
    #[error(
        "remote log metadata api key {api_key} ends at byte {position} but {trailing} bytes follow"
    )]
    TrailingBytes {
        /// The record type.
        api_key: i16,
        /// Where the record ended.
        position: usize,
        /// How many bytes follow.
        trailing: usize,
    },
}

/// One `__remote_log_metadata` record value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteLogMetadataRecord {
    /// Api key 0.
    Segment(RemoteLogSegmentMetadataRecord),
    /// Api key 1.
    SegmentUpdate(RemoteLogSegmentMetadataUpdateRecord),
    /// Api key 2.
    PartitionDelete(RemotePartitionDeleteMetadataRecord),
    /// Api key 3.
    Snapshot(RemoteLogSegmentMetadataSnapshotRecord),
}

fn frame<T: RemoteBody>(body: &T) -> Vec<u8> {
    let mut w = FlexWriter::new(true);
    w.w.put_unsigned_varint(FRAME_VERSION);
    w.w.put_unsigned_varint(T::API_KEY as u32);
    w.w.put_unsigned_varint(RECORD_VERSION as u32);
    body.encode_body(&mut w);
    w.into_inner()
}

fn unframe<T: RemoteBody>(body: &[u8], offset: usize) -> Result<T, RemoteLogMetadataError> {
    let mut r = FlexReader::new(body, true);
    let out = T::decode_body(&mut r).map_err(|source| RemoteLogMetadataError::Malformed {
        api_key: Some(T::API_KEY),
        source,
    })?;
    if !r.r.is_empty() {
        return Err(RemoteLogMetadataError::TrailingBytes {
            api_key: T::API_KEY,
            position: offset + r.r.position(),
            trailing: r.r.remaining(),
        });
    }
    Ok(out)
}

/// Reads the frame header: (api key, version, where the body starts).
fn header(bytes: &[u8]) -> Result<(u32, u32, usize), RemoteLogMetadataError> {
    let mut r = WireReader::new(bytes);
    let malformed = |source| RemoteLogMetadataError::Malformed {
        api_key: None,
        source,
    };
    let frame_version = r.unsigned_varint().map_err(malformed)?;
    if frame_version != FRAME_VERSION {
        return Err(RemoteLogMetadataError::UnknownFrameVersion { frame_version });
    }
    let api_key = r.unsigned_varint().map_err(malformed)?;
    let version = r.unsigned_varint().map_err(malformed)?;
    Ok((api_key, version, r.position()))
}

impl RemoteLogMetadataRecord {
    /// Kafka's api key of the record type.
    pub fn api_key(&self) -> i16 {
        match self {
            Self::Segment(_) => RemoteLogSegmentMetadataRecord::API_KEY,
            Self::SegmentUpdate(_) => RemoteLogSegmentMetadataUpdateRecord::API_KEY,
            Self::PartitionDelete(_) => RemotePartitionDeleteMetadataRecord::API_KEY,
            Self::Snapshot(_) => RemoteLogSegmentMetadataSnapshotRecord::API_KEY,
        }
    }

    /// The framed record value, as `RemoteLogMetadataSerde.serialize` writes it.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Self::Segment(r) => frame(r),
            Self::SegmentUpdate(r) => frame(r),
            Self::PartitionDelete(r) => frame(r),
            Self::Snapshot(r) => frame(r),
        }
    }

    /// Decodes one framed record value; `bytes` must hold exactly one record. Never panics.
    pub fn decode(bytes: &[u8]) -> Result<Self, RemoteLogMetadataError> {
        let (api_key, version, start) = header(bytes)?;
        let known = matches!(api_key, 0..=3);
        if !known {
            return Err(RemoteLogMetadataError::UnknownApiKey { api_key });
        }
        if version != RECORD_VERSION as u32 {
            return Err(RemoteLogMetadataError::UnsupportedVersion {
                api_key: api_key as i16,
                version,
            });
        }
        let body = &bytes[start..];
        Ok(match api_key {
            0 => Self::Segment(unframe(body, start)?),
            1 => Self::SegmentUpdate(unframe(body, start)?),
            2 => Self::PartitionDelete(unframe(body, start)?),
            _ => Self::Snapshot(unframe(body, start)?),
        })
    }

    /// The record's fields as Kafka's generated `*JsonConverter` prints them.
    pub fn to_json(&self) -> Value {
        let (_, _, data) = decode_remote_log_metadata_json(&self.encode())
            .expect("bytes this codec wrote fit Kafka's schema");
        data
    }
}

/// Decodes one framed record value into (api key, version, Kafka's JSON of its fields), through
/// the schema table. Never panics.
pub fn decode_remote_log_metadata_json(
    bytes: &[u8],
) -> Result<(i16, i16, Value), RemoteLogMetadataError> {
    let (api_key, version, start) = header(bytes)?;
    let schema = i16::try_from(api_key)
        .ok()
        .and_then(schema::remote_log_metadata_schema)
        .ok_or(RemoteLogMetadataError::UnknownApiKey { api_key })?;
    let key = api_key as i16;
    let unsupported = || RemoteLogMetadataError::UnsupportedVersion {
        api_key: key,
        version,
    };
    let version16 = i16::try_from(version).map_err(|_| unsupported())?;
    let data = schema::decode_json(schema, version16, &bytes[start..]).map_err(|e| match e {
        SchemaError::Malformed { source, .. } => RemoteLogMetadataError::Malformed {
            api_key: Some(key),
            source,
        },
        SchemaError::TrailingBytes {
            position, trailing, ..
        } => RemoteLogMetadataError::TrailingBytes {
            api_key: key,
            position: start + position,
            trailing,
        },
        SchemaError::UnsupportedVersion { .. } | SchemaError::JsonType { .. } => unsupported(),
    })?;
    Ok((key, version16, data))
}

#[cfg(test)]
mod tests;
