//! The 61-byte header of a stored record batch, read from disk without its records.
//!
//! Segment scans (offset translation, recovery, timestamp search) only need header fields, and
//! reading just the header avoids pulling megabyte batches into memory. Payload checks (CRC) are
//! done by streaming over the file. Batches handed in by producers are viewed through
//! `strata_protocol::record_batch::RecordBatchView` instead; [`BatchHeader::from_view`] bridges
//! the two so producer-state and epoch bookkeeping have one input type.

use strata_protocol::record_batch::{
    RecordBatchView, LOG_OVERHEAD, MAGIC_V2, NO_SEQUENCE, RECORD_BATCH_OVERHEAD,
};

/// Attribute bit: timestamps are LogAppendTime.
const ATTR_LOG_APPEND_TIME: i16 = 0x08;
/// Attribute bit: transactional batch.
const ATTR_TRANSACTIONAL: i16 = 0x10;
/// Attribute bit: control batch.
const ATTR_CONTROL: i16 = 0x20;
/// Smallest legal Length field.
const LENGTH_MIN: i32 = (RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) as i32;

/// Header fields of one v2 batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchHeader {
    /// Offset of the first record.
    pub base_offset: i64,
    /// Length field: bytes after it.
    pub length: i32,
    /// Leader epoch stamped on append.
    pub partition_leader_epoch: i32,
    /// Magic byte.
    pub magic: i8,
    /// Stored CRC-32C over attributes..end.
    pub crc: u32,
    /// Attribute bits.
    pub attributes: i16,
    /// Last offset − base offset.
    pub last_offset_delta: i32,
    /// First record's timestamp.
    pub base_timestamp: i64,
    /// Largest timestamp in the batch.
    pub max_timestamp: i64,
    /// Producer id, -1 if none.
    pub producer_id: i64,
    /// Producer epoch.
    pub producer_epoch: i16,
    /// First sequence, -1 if none.
    pub base_sequence: i32,
    /// Record count.
    pub records_count: i32,
}

fn i16_at(b: &[u8], at: usize) -> i16 {
    i16::from_be_bytes([b[at], b[at + 1]])
}
fn i32_at(b: &[u8], at: usize) -> i32 {
    i32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
fn i64_at(b: &[u8], at: usize) -> i64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    i64::from_be_bytes(x)
}

impl BatchHeader {
    /// Decodes the first 61 bytes of `buf`. Errors say what is malformed (short buffer, magic,
    /// length below the header size); nothing beyond the header is checked.
    pub fn decode(buf: &[u8]) -> Result<Self, String> {
        if buf.len() < RECORD_BATCH_OVERHEAD {
            return Err(format!(
                "{} bytes cannot hold a {RECORD_BATCH_OVERHEAD}-byte batch header",
                buf.len()
            ));
        }
        let header = BatchHeader {
            base_offset: i64_at(buf, 0),
            length: i32_at(buf, 8),
            partition_leader_epoch: i32_at(buf, 12),
            magic: buf[16] as i8,
            crc: u32::from_be_bytes([buf[17], buf[18], buf[19], buf[20]]),
            attributes: i16_at(buf, 21),
            last_offset_delta: i32_at(buf, 23),
            base_timestamp: i64_at(buf, 27),
            max_timestamp: i64_at(buf, 35),
            producer_id: i64_at(buf, 43),
            producer_epoch: i16_at(buf, 51),
            base_sequence: i32_at(buf, 53),
            records_count: i32_at(buf, 57),
        };
        if header.magic != MAGIC_V2 {
            return Err(format!("magic is {}, expected 2", header.magic));
        }
        if header.length < LENGTH_MIN {
            return Err(format!(
                "length {} is below the minimum {LENGTH_MIN}",
                header.length
            ));
        }
        if header.last_offset_delta < 0 {
            return Err(format!(
                "last offset delta {} is negative",
                header.last_offset_delta
            ));
        }
        Ok(header)
    }

    /// The header of a parsed batch; fails only where [`BatchHeader::decode`] is stricter than
    /// the view's parser (a negative last offset delta).
    pub fn from_view(view: &RecordBatchView<'_>) -> Result<Self, String> {
        Self::decode(view.bytes())
    }

    /// Bytes of the whole batch: 12 + Length.
    pub fn size_bytes(&self) -> u64 {
        LOG_OVERHEAD as u64 + self.length as u64
    }

    /// Offset of the last record.
    pub fn last_offset(&self) -> i64 {
        self.base_offset + i64::from(self.last_offset_delta)
    }

    /// Offset after the batch.
    pub fn next_offset(&self) -> i64 {
        self.last_offset() + 1
    }

    /// True for control batches (transaction markers, KRaft control records).
    pub fn is_control(&self) -> bool {
        self.attributes & ATTR_CONTROL != 0
    }

    /// True for transactional batches.
    pub fn is_transactional(&self) -> bool {
        self.attributes & ATTR_TRANSACTIONAL != 0
    }

    /// True when timestamps are LogAppendTime.
    pub fn is_log_append_time(&self) -> bool {
        self.attributes & ATTR_LOG_APPEND_TIME != 0
    }

    /// True when written by an idempotent or transactional producer.
    pub fn has_producer_id(&self) -> bool {
        self.producer_id >= 0
    }

    /// Last sequence, wrapping from `i32::MAX` to 0 as Kafka does.
    pub fn last_sequence(&self) -> i32 {
        if self.base_sequence == NO_SEQUENCE {
            return NO_SEQUENCE;
        }
        let last = i64::from(self.base_sequence) + i64::from(self.last_offset_delta);
        if last > i64::from(i32::MAX) {
            (last - i64::from(i32::MAX) - 1) as i32
        } else {
            last as i32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_sequence_wraps_past_i32_max() {
        let mut buf = vec![0u8; RECORD_BATCH_OVERHEAD];
        buf[8..12].copy_from_slice(&49i32.to_be_bytes());
        buf[16] = 2;
        buf[23..27].copy_from_slice(&4i32.to_be_bytes());
        buf[53..57].copy_from_slice(&(i32::MAX - 1).to_be_bytes());
        let header = BatchHeader::decode(&buf).expect("decode");
        assert_eq!(header.last_sequence(), 2);
        assert_eq!(header.size_bytes(), 61);
    }

    #[test]
    fn wrong_magic_is_rejected() {
        let mut buf = vec![0u8; RECORD_BATCH_OVERHEAD];
        buf[8..12].copy_from_slice(&49i32.to_be_bytes());
        buf[16] = 1;
        assert!(BatchHeader::decode(&buf).is_err());
    }
}
