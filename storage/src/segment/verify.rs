//! Verifying a segment's bytes on open: the cheap load check and full recovery (Kafka's
//! `LogSegment.recover`). Split from the segment so the read/append path stays readable.

use std::os::unix::fs::FileExt;
use std::sync::atomic::Ordering;

use strata_protocol::record_batch::RECORD_BATCH_OVERHEAD;

use super::{LogSegment, SegmentRecovery, SegmentState, CRC_CHUNK_BYTES};
use crate::batch_header::BatchHeader;
use crate::error::{IoContext, LogError};

impl LogSegment {
    /// Checks a segment opened without recovery: indexes structurally sane and consistent with the
    /// `.log`, and the tail after the last index entry made of whole, well-framed batches. On
    /// success the segment's next offset and max timestamp are loaded. `Err` names what is
    /// wrong; the caller then recovers the segment.
    pub fn load_check(&self) -> Result<(), String> {
        if self.index_missing_on_open {
            return Err("an index file is missing".into());
        }
        let size = self.size();
        let indexes = self.indexes.read();
        indexes.offset.sanity_check(size)?;
        let last_entry = match indexes.offset.entries() {
            0 => None,
            n => Some(indexes.offset.entry(n - 1)),
        };
        let mut position = 0;
        if let Some(entry) = last_entry {
            let header = self
                .read_header_at(u64::from(entry.position))
                .map_err(|e| e.to_string())?;
            if header.base_offset > entry.offset {
                return Err(format!(
                    "last offset index entry names offset {} but its batch starts at {}",
                    entry.offset, header.base_offset
                ));
            }
            position = u64::from(entry.position);
        }
        let mut next_offset = last_entry.map_or(self.base_offset, |e| e.offset + 1);
        let last_time = indexes.time.last_entry();
        let (mut max_ts, mut max_ts_offset) = (last_time.timestamp, last_time.offset);
        while position < size {
            let header = self.read_header_at(position).map_err(|e| e.to_string())?;
            if header.max_timestamp > max_ts {
                max_ts = header.max_timestamp;
                max_ts_offset = header.last_offset();
            }
            next_offset = header.next_offset();
            position += header.size_bytes();
        }
        if let Some(entry) = last_entry.filter(|e| e.offset >= next_offset) {
            return Err(format!(
                "last offset index entry names offset {} past the segment's last offset {}",
                entry.offset,
                next_offset - 1
            ));
        }
        indexes.time.sanity_check(next_offset - 1)?;
        let first_ts = if size > 0 {
            Some(
                self.read_header_at(0)
                    .map_err(|e| e.to_string())?
                    .max_timestamp,
            )
        } else {
            None
        };
        let mut state = self.state.lock();
        state.next_offset = next_offset;
        state.max_timestamp = max_ts;
        state.offset_of_max_timestamp = max_ts_offset;
        state.rolling_based_timestamp = first_ts;
        Ok(())
    }

    /// Kafka's `LogSegment.recover`: rebuilds both indexes by reading every batch from the start,
    /// checking framing, CRC-32C (streamed, so large batches are never held in memory), offset
    /// contiguity from `expected_first_offset` (`None`: the segment base offset), and whatever
    /// `accept` checks (leader epochs). The `.log` is truncated at the first batch that fails.
    pub fn recover(
        &self,
        index_interval_bytes: u64,
        index_bytes_max: u64,
        expected_first_offset: Option<i64>,
        mut accept: impl FnMut(&BatchHeader) -> Result<(), String>,
    ) -> Result<SegmentRecovery, LogError> {
        let file_len = self
            .log
            .metadata()
            .io_context(|| format!("stat {}", self.log_path().display()))?
            .len();
        let mut indexes = self.indexes.write();
        indexes.offset.reset(index_bytes_max)?;
        indexes.time.reset(index_bytes_max)?;
        let mut state = SegmentState {
            next_offset: self.base_offset,
            bytes_since_last_index_entry: 0,
            max_timestamp: -1,
            offset_of_max_timestamp: self.base_offset,
            rolling_based_timestamp: None,
        };
        let mut expected = expected_first_offset.unwrap_or(self.base_offset);
        let mut position = 0u64;
        let mut batches = 0u64;
        let mut chunk = vec![0u8; CRC_CHUNK_BYTES];
        while position < file_len {
            let header = match self.check_batch_at(position, file_len, expected, &mut chunk)? {
                Ok(header) => header,
                Err(reason) => {
                    tracing::warn!(segment = %self.log_path().display(), position, %reason, "truncating invalid bytes at the end of a segment");
                    break;
                }
            };
            if let Err(reason) = accept(&header) {
                tracing::warn!(segment = %self.log_path().display(), position, %reason, "truncating at a batch inconsistent with the log's state");
                break;
            }
            Self::track_batch(
                &mut state,
                &mut indexes,
                &header,
                position,
                index_interval_bytes,
            )?;
            expected = header.next_offset();
            position += header.size_bytes();
            batches += 1;
        }
        let truncated_bytes = file_len - position;
        if truncated_bytes > 0 {
            self.log
                .set_len(position)
                .io_context(|| format!("truncate {}", self.log_path().display()))?;
        }
        *self.state.lock() = state;
        drop(indexes);
        self.size_bytes.store(position, Ordering::Release);
        Ok(SegmentRecovery {
            truncated_bytes,
            batches,
        })
    }

    /// Validates the batch at `position` for recovery. Outer `Err` is an I/O failure; inner `Err`
    /// says why the bytes are not a valid batch.
    fn check_batch_at(
        &self,
        position: u64,
        file_len: u64,
        expected_offset: i64,
        chunk: &mut [u8],
    ) -> Result<Result<BatchHeader, String>, LogError> {
        if position + RECORD_BATCH_OVERHEAD as u64 > file_len {
            return Ok(Err(format!(
                "{} trailing bytes cannot hold a batch header",
                file_len - position
            )));
        }
        let mut buf = [0u8; RECORD_BATCH_OVERHEAD];
        self.log
            .read_exact_at(&mut buf, position)
            .io_context(|| format!("read {}", self.log_path().display()))?;
        let header = match BatchHeader::decode(&buf) {
            Ok(header) => header,
            Err(reason) => return Ok(Err(reason)),
        };
        let end = position + header.size_bytes();
        if end > file_len {
            return Ok(Err(format!(
                "batch of {} bytes is torn at the end of the file",
                header.size_bytes()
            )));
        }
        if header.base_offset != expected_offset {
            return Ok(Err(format!(
                "batch base offset {} where {expected_offset} was expected",
                header.base_offset
            )));
        }
        if header.last_offset() - self.base_offset > i64::from(i32::MAX) {
            return Ok(Err(format!(
                "batch last offset {} overflows the segment's relative offsets",
                header.last_offset()
            )));
        }
        // CRC over attributes..end, streamed.
        let mut crc = crc32c::crc32c(&buf[21..]);
        let mut at = position + RECORD_BATCH_OVERHEAD as u64;
        while at < end {
            let n = ((end - at) as usize).min(chunk.len());
            self.log
                .read_exact_at(&mut chunk[..n], at)
                .io_context(|| format!("read {}", self.log_path().display()))?;
            crc = crc32c::crc32c_append(crc, &chunk[..n]);
            at += n as u64;
        }
        if crc != header.crc {
            return Ok(Err(format!(
                "crc mismatch: stored {:#010x}, computed {crc:#010x}",
                header.crc
            )));
        }
        Ok(Ok(header))
    }
}
