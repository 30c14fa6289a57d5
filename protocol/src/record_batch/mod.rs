//! Record batch v2 (magic 2): header views, CRC32C, in-place patches, iteration, full decoding
//! and building.
//!
//! Layout (big-endian, `DefaultRecordBatch.java`):
//!
//! | offset | field | type |
//! |---|---|---|
//! | 0 | BaseOffset | i64 |
//! | 8 | Length (bytes after this field) | i32 |
//! | 12 | PartitionLeaderEpoch (not CRC-covered) | i32 |
//! | 16 | Magic (= 2) | i8 |
//! | 17 | CRC-32C over Attributes..end | u32 |
//! | 21 | Attributes | i16 |
//! | 23 | LastOffsetDelta | i32 |
//! | 27 | BaseTimestamp | i64 |
//! | 35 | MaxTimestamp | i64 |
//! | 43 | ProducerId | i64 |
//! | 51 | ProducerEpoch | i16 |
//! | 53 | BaseSequence | i32 |
//! | 57 | RecordsCount | i32 |
//! | 61 | Records (one compressed block when compression ≠ none) | |
//!
//! The produce and fetch paths only use [`RecordBatchView`] and the patch functions, which never
//! allocate or look at individual records. [`decode_records`] decompresses and is meant for tools
//! and internal topics.

mod builder;
mod error;
mod iter;
mod patch;
mod records;
mod view;

pub use builder::RecordBatchBuilder;
pub use error::BatchError;
pub use iter::{batches, BatchIter};
pub use patch::{set_base_offset, set_log_append_time, set_partition_leader_epoch, write_crc};
pub use records::{decode_records, Record};
pub use view::RecordBatchView;

pub use crate::compression::Compression;

/// Bytes of the v2 batch header, from BaseOffset through RecordsCount.
pub const RECORD_BATCH_OVERHEAD: usize = 61;
/// Bytes before a batch's length-covered part: BaseOffset (8) + Length (4).
pub const LOG_OVERHEAD: usize = 12;
/// The only magic this crate reads or writes.
pub const MAGIC_V2: i8 = 2;
/// Smallest legal value of the Length field (header minus `LOG_OVERHEAD`).
pub const BATCH_LENGTH_MIN: i32 = (RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) as i32;
/// ProducerId of a batch written without an idempotent producer.
pub const NO_PRODUCER_ID: i64 = -1;
/// ProducerEpoch of a batch written without an idempotent producer.
pub const NO_PRODUCER_EPOCH: i16 = -1;
/// BaseSequence of a batch written without an idempotent producer.
pub const NO_SEQUENCE: i32 = -1;
/// PartitionLeaderEpoch before the leader stamps it.
pub const NO_PARTITION_LEADER_EPOCH: i32 = -1;
/// Timestamp meaning "none" (e.g. the base timestamp of an empty batch).
pub const NO_TIMESTAMP: i64 = -1;

/// Byte offsets of the header fields.
pub(crate) mod field {
    pub(crate) const BASE_OFFSET: usize = 0;
    pub(crate) const LENGTH: usize = 8;
    pub(crate) const PARTITION_LEADER_EPOCH: usize = 12;
    pub(crate) const MAGIC: usize = 16;
    pub(crate) const CRC: usize = 17;
    pub(crate) const ATTRIBUTES: usize = 21;
    pub(crate) const LAST_OFFSET_DELTA: usize = 23;
    pub(crate) const BASE_TIMESTAMP: usize = 27;
    pub(crate) const MAX_TIMESTAMP: usize = 35;
    pub(crate) const PRODUCER_ID: usize = 43;
    pub(crate) const PRODUCER_EPOCH: usize = 51;
    pub(crate) const BASE_SEQUENCE: usize = 53;
    pub(crate) const RECORDS_COUNT: usize = 57;
}

/// Attribute bits.
pub(crate) mod attr {
    pub(crate) const COMPRESSION_MASK: i16 = 0x07;
    pub(crate) const TIMESTAMP_TYPE: i16 = 0x08;
    pub(crate) const TRANSACTIONAL: i16 = 0x10;
    pub(crate) const CONTROL: i16 = 0x20;
    pub(crate) const DELETE_HORIZON: i16 = 0x40;
}

/// Which clock the batch's timestamps come from (attribute bit 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TimestampType {
    /// Set by the producer.
    #[default]
    CreateTime,
    /// Set by the broker on append; every record's timestamp is the batch's MaxTimestamp.
    LogAppendTime,
}

/// CRC-32C over `batch[21..]`, the bytes the stored CRC covers.
pub(crate) fn compute_crc(batch: &[u8]) -> u32 {
    crc32c::crc32c(&batch[field::ATTRIBUTES..])
}
