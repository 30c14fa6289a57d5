//! `OffsetCommitKey` (record types 0 and 1) and `OffsetCommitValue` (versions 0–4): one
//! committed offset of one partition for one group.

use super::{RecordKeyBody, RecordValueBody};
use crate::schema::codec::{FlexReader, FlexWriter};
use crate::wire::WireError;

/// The key of a committed offset. Types 0 and 1 share this layout; Kafka writes type 1.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct OffsetCommitKey {
    /// The group id.
    pub group: String,
    /// The topic name.
    pub topic: String,
    /// The partition index.
    pub partition: i32,
}

impl RecordKeyBody for OffsetCommitKey {
    fn encode_body(&self, w: &mut FlexWriter) {
        w.string(&self.group);
        w.string(&self.topic);
        w.w.put_i32(self.partition);
    }
    fn decode_body(r: &mut FlexReader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            group: r.string("group")?,
            topic: r.string("topic")?,
            partition: r.r.i32()?,
        })
    }
}

/// A committed offset (versions 0–4; v4 is the first flexible version).
///
/// `leader_epoch` exists from v3, `expire_timestamp` only in v1. Kafka writes v1
/// when an explicit expire timestamp is set (and loses the leader epoch), v3 otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetCommitValue {
    /// The committed offset.
    pub offset: i64,
    /// v3+: the leader epoch of the last consumed record (default -1).
    pub leader_epoch: i32,
    /// The client's metadata string.
    pub metadata: String,
    /// When the commit was appended, in ms.
    pub commit_timestamp: i64,
    /// v1 only: when the offset expires, in ms (default -1 = by retention).
    pub expire_timestamp: i64,
}

impl Default for OffsetCommitValue {
    fn default() -> Self {
        Self {
            offset: 0,
            leader_epoch: -1,
            metadata: String::new(),
            commit_timestamp: 0,
            expire_timestamp: -1,
        }
    }
}

impl RecordValueBody for OffsetCommitValue {
    const VERSION_MAX: i16 = 4;
    const FLEXIBLE_MIN: i16 = 4;
    fn write_version(&self) -> i16 {
        if self.expire_timestamp != -1 {
            1
        } else {
            3
        }
    }
    fn encode_body(&self, w: &mut FlexWriter, version: i16) {
        w.w.put_i64(self.offset);
        if version >= 3 {
            w.w.put_i32(self.leader_epoch);
        }
        w.string(&self.metadata);
        w.w.put_i64(self.commit_timestamp);
        if version == 1 {
            w.w.put_i64(self.expire_timestamp);
        }
        w.tagged(&[]);
    }
    fn decode_body(r: &mut FlexReader<'_>, version: i16) -> Result<Self, WireError> {
        let mut out = Self {
            offset: r.r.i64()?,
            ..Self::default()
        };
        if version >= 3 {
            out.leader_epoch = r.r.i32()?;
        }
        out.metadata = r.string("metadata")?;
        out.commit_timestamp = r.r.i64()?;
        if version == 1 {
            out.expire_timestamp = r.r.i64()?;
        }
        r.skip_tagged()?;
        Ok(out)
    }
}
