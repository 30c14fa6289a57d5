//! Records of `__consumer_offsets`, the log of Kafka's group coordinator.
//!
//! Every record has a key and, unless it is a tombstone, a value:
//!
//! ```text
//! key:   record type: int16 | key body (classic encoding: int16-length strings)
//! value: version: int16     | value body (flexible from the version the schema says)
//! ```
//!
//! The key's leading `int16` is what Kafka's schemas call the key "version"; it names the record
//! type (0 and 1 offset commit, 2 classic group, 3–8 consumer group, 16 regular expression).
//! Field lists follow Kafka's JSON schemas in `group-coordinator/src/main/resources/common/message/`.
//! Values are written at the version Kafka 4.x writes; every version Kafka defines is read.
//! A tombstone (value `None`) deletes the key's state on replay.

mod consumer_group;
mod consumer_member;
mod group_metadata;
mod json;
mod offset_commit;

pub use consumer_group::{
    ConsumerGroupMetadataKey, ConsumerGroupMetadataValue, ConsumerGroupPartitionMetadataKey,
    ConsumerGroupPartitionMetadataValue, ConsumerGroupRegularExpressionKey,
    ConsumerGroupRegularExpressionValue, ConsumerGroupTargetAssignmentMetadataKey,
    ConsumerGroupTargetAssignmentMetadataValue, PartitionMetadata, TopicMetadata,
};
pub use consumer_member::{
    ClassicMemberMetadata, ClassicProtocol, ConsumerGroupCurrentMemberAssignmentKey,
    ConsumerGroupCurrentMemberAssignmentValue, ConsumerGroupMemberMetadataKey,
    ConsumerGroupMemberMetadataValue, ConsumerGroupTargetAssignmentMemberKey,
    ConsumerGroupTargetAssignmentMemberValue, TopicPartition, TopicPartitions,
};
pub use group_metadata::{GroupMetadataKey, GroupMetadataValue, MemberMetadata};
pub use json::{decode_group_record_json, expand_consumer_protocol, GroupRecordJson};
pub use offset_commit::{OffsetCommitKey, OffsetCommitValue};

use crate::schema::codec::{FlexReader, FlexWriter};
use crate::wire::WireError;

/// Why bytes are not a `__consumer_offsets` record this build understands.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum GroupRecordError {
    /// The key or value is shorter than its 2-byte type/version prefix.
    #[error("group record {part} has {len} bytes, fewer than its 2-byte version prefix")]
    MissingVersion {
        /// "key" or "value".
        part: &'static str,
        /// Its length.
        len: usize,
    },
    /// The key's type names no record this build knows (share and streams groups included).
    #[error("group record type {record_type} is unknown")]
    UnknownRecordType {
        /// The type found.
        record_type: i16,
    },
    /// The value version is outside the schema's valid versions.
    #[error("group record type {record_type} value version {version} is outside 0..={max}")]
    UnsupportedValueVersion {
        /// The record type.
        record_type: i16,
        /// The version found.
        version: i16,
        /// The highest valid version.
        max: i16,
    },
    /// The key or value body is malformed.
    #[error("group record type {record_type} {part} is malformed: {source}")]
    Malformed {
        /// The record type.
        record_type: i16,
        /// "key" or "value".
        part: &'static str,
        /// The primitive that failed.
        source: WireError,
    },
    /// Bytes remain after the key or value body.
    #[error("group record type {record_type} {part} ends at byte {position} but {trailing} bytes follow")]
    TrailingBytes {
        /// The record type.
        record_type: i16,
        /// "key" or "value".
        part: &'static str,
        /// Where the body ended (after the prefix).
        position: usize,
        /// How many bytes follow.
        trailing: usize,
    },
}

/// A key body: always the classic (non-flexible) encoding.
pub(crate) trait RecordKeyBody: Sized {
    /// Writes the body (after the type prefix).
    fn encode_body(&self, w: &mut FlexWriter);
    /// Reads the body (after the type prefix).
    fn decode_body(r: &mut FlexReader<'_>) -> Result<Self, WireError>;
}

/// A value body with its schema's versions.
pub(crate) trait RecordValueBody: Sized {
    /// The highest valid version (the lowest is 0 for every group record).
    const VERSION_MAX: i16;
    /// The first flexible version.
    const FLEXIBLE_MIN: i16;
    /// The version Kafka 4.x writes for this value.
    fn write_version(&self) -> i16;
    /// Writes the body at `version`.
    fn encode_body(&self, w: &mut FlexWriter, version: i16);
    /// Reads a body of `version`.
    fn decode_body(r: &mut FlexReader<'_>, version: i16) -> Result<Self, WireError>;
}

/// One `__consumer_offsets` record: a key and a value, or a tombstone (`value` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRecord {
    /// The key; its variant is the record type.
    pub key: GroupRecordKey,
    /// The value, or `None` for a tombstone.
    pub value: Option<GroupRecordValue>,
}

/// The key of a group record; the variant is the record type. Two records with equal keys
/// address the same state (the later one wins on replay, as after compaction).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GroupRecordKey {
    /// Types 0 and 1: a committed offset (written as type 1).
    OffsetCommit(OffsetCommitKey),
    /// Type 2: a classic group.
    GroupMetadata(GroupMetadataKey),
    /// Type 3: a consumer group's epoch.
    ConsumerGroupMetadata(ConsumerGroupMetadataKey),
    /// Type 4: a consumer group's subscribed-topic metadata.
    ConsumerGroupPartitionMetadata(ConsumerGroupPartitionMetadataKey),
    /// Type 5: a consumer group member.
    ConsumerGroupMemberMetadata(ConsumerGroupMemberMetadataKey),
    /// Type 6: a consumer group's target-assignment epoch.
    ConsumerGroupTargetAssignmentMetadata(ConsumerGroupTargetAssignmentMetadataKey),
    /// Type 7: a member's target assignment.
    ConsumerGroupTargetAssignmentMember(ConsumerGroupTargetAssignmentMemberKey),
    /// Type 8: a member's current assignment.
    ConsumerGroupCurrentMemberAssignment(ConsumerGroupCurrentMemberAssignmentKey),
    /// Type 16: a resolved regular expression.
    ConsumerGroupRegularExpression(ConsumerGroupRegularExpressionKey),
}

/// The value of a group record; the variant matches the key's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupRecordValue {
    /// Types 0 and 1.
    OffsetCommit(OffsetCommitValue),
    /// Type 2.
    GroupMetadata(GroupMetadataValue),
    /// Type 3.
    ConsumerGroupMetadata(ConsumerGroupMetadataValue),
    /// Type 4.
    ConsumerGroupPartitionMetadata(ConsumerGroupPartitionMetadataValue),
    /// Type 5.
    ConsumerGroupMemberMetadata(ConsumerGroupMemberMetadataValue),
    /// Type 6.
    ConsumerGroupTargetAssignmentMetadata(ConsumerGroupTargetAssignmentMetadataValue),
    /// Type 7.
    ConsumerGroupTargetAssignmentMember(ConsumerGroupTargetAssignmentMemberValue),
    /// Type 8.
    ConsumerGroupCurrentMemberAssignment(ConsumerGroupCurrentMemberAssignmentValue),
    /// Type 16.
    ConsumerGroupRegularExpression(ConsumerGroupRegularExpressionValue),
}

impl GroupRecordKey {
    /// The record type this key is written with.
    pub fn type_id(&self) -> i16 {
        match self {
            Self::OffsetCommit(_) => 1,
            Self::GroupMetadata(_) => 2,
            Self::ConsumerGroupMetadata(_) => 3,
            Self::ConsumerGroupPartitionMetadata(_) => 4,
            Self::ConsumerGroupMemberMetadata(_) => 5,
            Self::ConsumerGroupTargetAssignmentMetadata(_) => 6,
            Self::ConsumerGroupTargetAssignmentMember(_) => 7,
            Self::ConsumerGroupCurrentMemberAssignment(_) => 8,
            Self::ConsumerGroupRegularExpression(_) => 16,
        }
    }

    /// The key bytes: `int16` record type, then the body.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = FlexWriter::new(false);
        w.w.put_i16(self.type_id());
        match self {
            Self::OffsetCommit(k) => k.encode_body(&mut w),
            Self::GroupMetadata(k) => k.encode_body(&mut w),
            Self::ConsumerGroupMetadata(k) => k.encode_body(&mut w),
            Self::ConsumerGroupPartitionMetadata(k) => k.encode_body(&mut w),
            Self::ConsumerGroupMemberMetadata(k) => k.encode_body(&mut w),
            Self::ConsumerGroupTargetAssignmentMetadata(k) => k.encode_body(&mut w),
            Self::ConsumerGroupTargetAssignmentMember(k) => k.encode_body(&mut w),
            Self::ConsumerGroupCurrentMemberAssignment(k) => k.encode_body(&mut w),
            Self::ConsumerGroupRegularExpression(k) => k.encode_body(&mut w),
        }
        w.into_inner()
    }

    /// Decodes key bytes of any record type Kafka defines for consumer and classic groups.
    pub fn decode(key: &[u8]) -> Result<Self, GroupRecordError> {
        let record_type = read_prefix(key, "key")?;
        let mut r = FlexReader::new(&key[2..], false);
        let malformed = |source| GroupRecordError::Malformed {
            record_type,
            part: "key",
            source,
        };
        let r2 = &mut r;
        let out = match record_type {
            0 | 1 => Self::OffsetCommit(RecordKeyBody::decode_body(r2).map_err(malformed)?),
            2 => Self::GroupMetadata(RecordKeyBody::decode_body(r2).map_err(malformed)?),
            3 => Self::ConsumerGroupMetadata(RecordKeyBody::decode_body(r2).map_err(malformed)?),
            4 => Self::ConsumerGroupPartitionMetadata(
                RecordKeyBody::decode_body(r2).map_err(malformed)?,
            ),
            5 => Self::ConsumerGroupMemberMetadata(
                RecordKeyBody::decode_body(r2).map_err(malformed)?,
            ),
            6 => Self::ConsumerGroupTargetAssignmentMetadata(
                RecordKeyBody::decode_body(r2).map_err(malformed)?,
            ),
            7 => Self::ConsumerGroupTargetAssignmentMember(
                RecordKeyBody::decode_body(r2).map_err(malformed)?,
            ),
            8 => Self::ConsumerGroupCurrentMemberAssignment(
                RecordKeyBody::decode_body(r2).map_err(malformed)?,
            ),
            16 => Self::ConsumerGroupRegularExpression(
                RecordKeyBody::decode_body(r2).map_err(malformed)?,
            ),
            _ => return Err(GroupRecordError::UnknownRecordType { record_type }),
        };
        check_trailing(&r, record_type, "key")?;
        Ok(out)
    }
}

impl GroupRecordValue {
    /// The version `encode` writes (the one Kafka 4.x writes for this content).
    pub fn version(&self) -> i16 {
        match self {
            Self::OffsetCommit(v) => v.write_version(),
            Self::GroupMetadata(v) => v.write_version(),
            Self::ConsumerGroupMetadata(v) => v.write_version(),
            Self::ConsumerGroupPartitionMetadata(v) => v.write_version(),
            Self::ConsumerGroupMemberMetadata(v) => v.write_version(),
            Self::ConsumerGroupTargetAssignmentMetadata(v) => v.write_version(),
            Self::ConsumerGroupTargetAssignmentMember(v) => v.write_version(),
            Self::ConsumerGroupCurrentMemberAssignment(v) => v.write_version(),
            Self::ConsumerGroupRegularExpression(v) => v.write_version(),
        }
    }

    /// The value bytes: `int16` version, then the body.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Self::OffsetCommit(v) => encode_value(v),
            Self::GroupMetadata(v) => encode_value(v),
            Self::ConsumerGroupMetadata(v) => encode_value(v),
            Self::ConsumerGroupPartitionMetadata(v) => encode_value(v),
            Self::ConsumerGroupMemberMetadata(v) => encode_value(v),
            Self::ConsumerGroupTargetAssignmentMetadata(v) => encode_value(v),
            Self::ConsumerGroupTargetAssignmentMember(v) => encode_value(v),
            Self::ConsumerGroupCurrentMemberAssignment(v) => encode_value(v),
            Self::ConsumerGroupRegularExpression(v) => encode_value(v),
        }
    }

    /// The value bytes at an explicit `version` (0..=the schema's highest); fields the version
    /// lacks are dropped, as Kafka does. For tools and tests that need old layouts.
    pub fn encode_version(&self, version: i16) -> Result<Vec<u8>, GroupRecordError> {
        match self {
            Self::OffsetCommit(v) => encode_value_at(v, 1, version),
            Self::GroupMetadata(v) => encode_value_at(v, 2, version),
            Self::ConsumerGroupMetadata(v) => encode_value_at(v, 3, version),
            Self::ConsumerGroupPartitionMetadata(v) => encode_value_at(v, 4, version),
            Self::ConsumerGroupMemberMetadata(v) => encode_value_at(v, 5, version),
            Self::ConsumerGroupTargetAssignmentMetadata(v) => encode_value_at(v, 6, version),
            Self::ConsumerGroupTargetAssignmentMember(v) => encode_value_at(v, 7, version),
            Self::ConsumerGroupCurrentMemberAssignment(v) => encode_value_at(v, 8, version),
            Self::ConsumerGroupRegularExpression(v) => encode_value_at(v, 16, version),
        }
    }

    /// Decodes the value bytes of a record of `record_type` (the key's type), any version.
    pub fn decode(record_type: i16, value: &[u8]) -> Result<Self, GroupRecordError> {
        Ok(match record_type {
            0 | 1 => Self::OffsetCommit(decode_value(record_type, value)?),
            2 => Self::GroupMetadata(decode_value(record_type, value)?),
            3 => Self::ConsumerGroupMetadata(decode_value(record_type, value)?),
            4 => Self::ConsumerGroupPartitionMetadata(decode_value(record_type, value)?),
            5 => Self::ConsumerGroupMemberMetadata(decode_value(record_type, value)?),
            6 => Self::ConsumerGroupTargetAssignmentMetadata(decode_value(record_type, value)?),
            7 => Self::ConsumerGroupTargetAssignmentMember(decode_value(record_type, value)?),
            8 => Self::ConsumerGroupCurrentMemberAssignment(decode_value(record_type, value)?),
            16 => Self::ConsumerGroupRegularExpression(decode_value(record_type, value)?),
            _ => return Err(GroupRecordError::UnknownRecordType { record_type }),
        })
    }
}

impl GroupRecord {
    /// The record type written in the key (1 for offset commits).
    pub fn type_id(&self) -> i16 {
        self.key.type_id()
    }

    /// The key bytes: `int16` record type, then the key body.
    pub fn encode_key(&self) -> Vec<u8> {
        self.key.encode()
    }

    /// The value bytes (`int16` version, then the body), or `None` for a tombstone.
    pub fn encode_value(&self) -> Option<Vec<u8>> {
        self.value.as_ref().map(GroupRecordValue::encode)
    }

    /// Decodes a record from its key bytes and value bytes (`None` = tombstone). Reads every
    /// key type and value version Kafka defines for classic and consumer groups; never panics.
    pub fn decode(key: &[u8], value: Option<&[u8]>) -> Result<GroupRecord, GroupRecordError> {
        let key = GroupRecordKey::decode(key)?;
        let record_type = key.type_id();
        let value = value
            .map(|v| GroupRecordValue::decode(record_type, v))
            .transpose()?;
        Ok(GroupRecord { key, value })
    }
}

fn read_prefix(buf: &[u8], part: &'static str) -> Result<i16, GroupRecordError> {
    match buf {
        [a, b, ..] => Ok(i16::from_be_bytes([*a, *b])),
        _ => Err(GroupRecordError::MissingVersion {
            part,
            len: buf.len(),
        }),
    }
}

fn check_trailing(
    r: &FlexReader<'_>,
    record_type: i16,
    part: &'static str,
) -> Result<(), GroupRecordError> {
    if r.r.is_empty() {
        return Ok(());
    }
    Err(GroupRecordError::TrailingBytes {
        record_type,
        part,
        position: r.r.position(),
        trailing: r.r.remaining(),
    })
}

fn encode_value<T: RecordValueBody>(v: &T) -> Vec<u8> {
    write_value(v, v.write_version())
}

fn encode_value_at<T: RecordValueBody>(
    v: &T,
    record_type: i16,
    version: i16,
) -> Result<Vec<u8>, GroupRecordError> {
    if !(0..=T::VERSION_MAX).contains(&version) {
        return Err(GroupRecordError::UnsupportedValueVersion {
            record_type,
            version,
            max: T::VERSION_MAX,
        });
    }
    Ok(write_value(v, version))
}

fn write_value<T: RecordValueBody>(v: &T, version: i16) -> Vec<u8> {
    let mut w = FlexWriter::new(version >= T::FLEXIBLE_MIN);
    w.w.put_i16(version);
    v.encode_body(&mut w, version);
    w.into_inner()
}

fn decode_value<T: RecordValueBody>(record_type: i16, value: &[u8]) -> Result<T, GroupRecordError> {
    let version = read_prefix(value, "value")?;
    if !(0..=T::VERSION_MAX).contains(&version) {
        return Err(GroupRecordError::UnsupportedValueVersion {
            record_type,
            version,
            max: T::VERSION_MAX,
        });
    }
    let mut r = FlexReader::new(&value[2..], version >= T::FLEXIBLE_MIN);
    let out = T::decode_body(&mut r, version).map_err(|source| GroupRecordError::Malformed {
        record_type,
        part: "value",
        source,
    })?;
    check_trailing(&r, record_type, "value")?;
    Ok(out)
}

#[cfg(test)]
mod tests;
