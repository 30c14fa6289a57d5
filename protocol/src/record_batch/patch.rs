//! In-place header patches used by the leader on append. No record is decoded.
//!
//! Each function expects a buffer that starts with a batch already accepted by
//! [`super::RecordBatchView::parse`]; a buffer shorter than the 61-byte header is a programmer
//! error and panics.

use super::{attr, compute_crc, field, RECORD_BATCH_OVERHEAD};

fn assert_header(batch: &[u8]) {
    assert!(
        batch.len() >= RECORD_BATCH_OVERHEAD,
        "patching a {}-byte buffer that cannot hold a 61-byte batch header",
        batch.len()
    );
}

/// Overwrites BaseOffset. Not covered by the CRC, so the CRC stays valid.
pub fn set_base_offset(batch: &mut [u8], base_offset: i64) {
    assert_header(batch);
    batch[field::BASE_OFFSET..field::BASE_OFFSET + 8].copy_from_slice(&base_offset.to_be_bytes());
}

/// Overwrites PartitionLeaderEpoch. Not covered by the CRC, so the CRC stays valid.
pub fn set_partition_leader_epoch(batch: &mut [u8], epoch: i32) {
    assert_header(batch);
    let at = field::PARTITION_LEADER_EPOCH;
    batch[at..at + 4].copy_from_slice(&epoch.to_be_bytes());
}

/// Marks the batch LogAppendTime (attribute bit 3), sets MaxTimestamp to `timestamp_ms`, and
/// recomputes the CRC over the batch (which must be complete: `12 + Length` bytes).
pub fn set_log_append_time(batch: &mut [u8], timestamp_ms: i64) {
    assert_header(batch);
    let attributes = i16::from_be_bytes([batch[field::ATTRIBUTES], batch[field::ATTRIBUTES + 1]])
        | attr::TIMESTAMP_TYPE;
    batch[field::ATTRIBUTES..field::ATTRIBUTES + 2].copy_from_slice(&attributes.to_be_bytes());
    batch[field::MAX_TIMESTAMP..field::MAX_TIMESTAMP + 8]
        .copy_from_slice(&timestamp_ms.to_be_bytes());
    write_crc(batch);
}

/// Recomputes the CRC-32C over attributes..end of `batch` and stores it.
///
/// `batch` must be exactly one batch; bytes after it would be covered too.
pub fn write_crc(batch: &mut [u8]) {
    assert_header(batch);
    let crc = compute_crc(batch);
    batch[field::CRC..field::CRC + 4].copy_from_slice(&crc.to_be_bytes());
}
