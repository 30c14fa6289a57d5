//! One log segment: `<base>.log` plus its sparse `<base>.index` and `<base>.timeindex`.
//!
//! Kafka's `LogSegment`. The `.log` holds whole v2 record batches back to back, exactly as
//! produced (after the leader patched base offsets and epochs). Every `index.interval.bytes` of
//! appended data the segment adds an offset index entry `(last offset of the batch, its position)`
//! and a time index entry `(max timestamp so far, offset of that timestamp)`.
//!
//! Thread-safety: one writer (the owning log serializes `append`, `recover`, `truncate_to`,
//! `on_become_inactive`), any number of concurrent readers. The file is written with positional
//! writes and read with positional reads (`FileExt::read_exact_at`), so readers never share a
//! cursor with the writer. `size_bytes` is published (release) only after the bytes and index
//! entries are in place, and readers never look past it, so a reader sees whole batches only.
//! `flush` takes no lock a reader needs, so reads never wait for an fsync.

use std::fs::{File, OpenOptions};
use std::io::IoSlice;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::{Bytes, BytesMut};
use parking_lot::{Mutex, RwLock};
use strata_protocol::record_batch::{
    decode_records, RecordBatchView, TimestampType, RECORD_BATCH_OVERHEAD,
};

mod positional_read;
mod vectored_write;
mod verify;

use crate::batch_header::BatchHeader;
use crate::error::{IoContext, LogError};
use crate::offset_index::OffsetIndex;
use crate::time_index::TimeIndex;

/// A fetch reads its whole window at once when at least this many batches like the first fit.
const SMALL_BATCHES_PER_READ_MIN: u64 = 16;

/// File name suffix of the log data.
pub const LOG_FILE_SUFFIX: &str = ".log";
/// File name suffix of the offset index.
pub const INDEX_FILE_SUFFIX: &str = ".index";
/// File name suffix of the time index.
pub const TIME_INDEX_FILE_SUFFIX: &str = ".timeindex";
/// Suffix added to files scheduled for deletion.
pub const DELETED_FILE_SUFFIX: &str = ".deleted";

/// Bytes read per step when streaming a batch payload through the CRC.
const CRC_CHUNK_BYTES: usize = 64 * 1024;

/// Kafka's file name prefix for an offset: 20 digits, zero padded.
pub fn filename_prefix(offset: i64) -> String {
    format!("{offset:020}")
}

/// `<dir>/<20-digit base><suffix>`.
pub fn segment_file(dir: &Path, base_offset: i64, suffix: &str) -> PathBuf {
    dir.join(format!("{}{suffix}", filename_prefix(base_offset)))
}

/// A timestamp and the offset of the record that carries it, with the batch's leader epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampOffset {
    /// Timestamp in ms (-1 when not applicable).
    pub timestamp: i64,
    /// Offset.
    pub offset: i64,
    /// Leader epoch of the batch holding the offset, if known.
    pub leader_epoch: Option<i32>,
}

/// Where a batch sits in the segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLocation {
    /// Byte position of the batch in `.log`.
    pub position: u64,
    /// The batch header.
    pub header: BatchHeader,
}

/// What recovery did to a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentRecovery {
    /// Bytes cut from the end because they were not a valid batch.
    pub truncated_bytes: u64,
    /// Number of valid batches.
    pub batches: u64,
}

struct Indexes {
    offset: OffsetIndex,
    time: TimeIndex,
}

/// Writer-side bookkeeping, readable by readers through short critical sections.
#[derive(Debug, Clone, Copy)]
struct SegmentState {
    /// Offset after the last batch (the base offset when empty).
    next_offset: i64,
    bytes_since_last_index_entry: u64,
    /// Largest batch max timestamp, -1 when none.
    max_timestamp: i64,
    /// Last offset of the batch carrying `max_timestamp`.
    offset_of_max_timestamp: i64,
    /// Max timestamp of the first batch; drives segment.ms rolls.
    rolling_based_timestamp: Option<i64>,
}

/// One segment. Thread-safety: one writer (serialized by the log), many concurrent readers that
/// only see bytes below the published size; `flush` holds no lock during the fsync. See the
/// module docs for the format.
pub struct LogSegment {
    base_offset: i64,
    log: File,
    log_path: Mutex<PathBuf>,
    size_bytes: AtomicU64,
    indexes: RwLock<Indexes>,
    state: Mutex<SegmentState>,
    created_ms: i64,
    /// An index file was missing when the segment was opened (it must be rebuilt).
    index_missing_on_open: bool,
}

impl std::fmt::Debug for LogSegment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogSegment")
            .field("base_offset", &self.base_offset)
            .field("size_bytes", &self.size())
            .finish()
    }
}

impl LogSegment {
    /// Creates an empty segment at `base_offset` in `dir`, replacing nothing: fails if the `.log`
    /// exists. With `preallocate_bytes` the `.log` is extended up front and trimmed on roll.
    pub fn create(
        dir: &Path,
        base_offset: i64,
        index_bytes_max: u64,
        preallocate_bytes: Option<u64>,
        now_ms: i64,
    ) -> Result<Self, LogError> {
        let path = segment_file(dir, base_offset, LOG_FILE_SUFFIX);
        let log = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .io_context(|| format!("create segment {}", path.display()))?;
        if let Some(bytes) = preallocate_bytes {
            log.set_len(bytes)
                .io_context(|| format!("preallocate {}", path.display()))?;
        }
        // Stale indexes from an earlier segment at this offset would describe other data.
        for suffix in [INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX] {
            let stale = segment_file(dir, base_offset, suffix);
            if stale.exists() {
                std::fs::remove_file(&stale)
                    .io_context(|| format!("remove stale {}", stale.display()))?;
            }
        }
        Self::from_parts(dir, base_offset, log, path, 0, index_bytes_max, now_ms)
    }

    /// Opens an existing segment; missing index files are created empty (the caller then finds
    /// `load_check` failing and recovers the segment). The size is the file length.
    pub fn open(
        dir: &Path,
        base_offset: i64,
        index_bytes_max: u64,
        now_ms: i64,
    ) -> Result<Self, LogError> {
        let path = segment_file(dir, base_offset, LOG_FILE_SUFFIX);
        let log = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .io_context(|| format!("open segment {}", path.display()))?;
        let size = log
            .metadata()
            .io_context(|| format!("stat {}", path.display()))?
            .len();
        let index_missing = [INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX]
            .iter()
            .any(|suffix| !segment_file(dir, base_offset, suffix).exists());
        let mut segment =
            Self::from_parts(dir, base_offset, log, path, size, index_bytes_max, now_ms)?;
        segment.index_missing_on_open = index_missing;
        Ok(segment)
    }

    fn from_parts(
        dir: &Path,
        base_offset: i64,
        log: File,
        path: PathBuf,
        size: u64,
        index_bytes_max: u64,
        now_ms: i64,
    ) -> Result<Self, LogError> {
        let offset = OffsetIndex::open(
            &segment_file(dir, base_offset, INDEX_FILE_SUFFIX),
            base_offset,
            index_bytes_max,
        )?;
        let time = TimeIndex::open(
            &segment_file(dir, base_offset, TIME_INDEX_FILE_SUFFIX),
            base_offset,
            index_bytes_max,
        )?;
        Ok(Self {
            base_offset,
            log,
            log_path: Mutex::new(path),
            size_bytes: AtomicU64::new(size),
            indexes: RwLock::new(Indexes { offset, time }),
            state: Mutex::new(SegmentState {
                next_offset: base_offset,
                bytes_since_last_index_entry: 0,
                max_timestamp: -1,
                offset_of_max_timestamp: base_offset,
                rolling_based_timestamp: None,
            }),
            created_ms: now_ms,
            index_missing_on_open: false,
        })
    }

    /// First offset this segment may hold.
    pub fn base_offset(&self) -> i64 {
        self.base_offset
    }

    /// Bytes of whole batches in `.log` (readers never look past this).
    pub fn size(&self) -> u64 {
        self.size_bytes.load(Ordering::Acquire)
    }

    /// Offset after the last batch; the base offset when empty.
    pub fn next_offset(&self) -> i64 {
        self.state.lock().next_offset
    }

    /// Largest batch timestamp in the segment, -1 if none.
    pub fn max_timestamp(&self) -> i64 {
        self.state.lock().max_timestamp
    }

    /// Largest timestamp and the last offset of the batch that carries it.
    pub fn max_timestamp_and_offset(&self) -> (i64, i64) {
        let state = self.state.lock();
        (state.max_timestamp, state.offset_of_max_timestamp)
    }

    /// Kafka's `largestTimestamp`: the max record timestamp, or the file's modification time
    /// when the segment has no timestamps. Retention by time compares this with now.
    pub fn largest_timestamp(&self) -> i64 {
        let max = self.max_timestamp();
        if max >= 0 {
            return max;
        }
        self.log
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(self.created_ms, |d| d.as_millis() as i64)
    }

    /// Milliseconds the segment has waited for a time-based roll, Kafka's `timeWaitedForRoll`:
    /// measured from the first batch's timestamp to `message_timestamp` when the first batch has
    /// one, else from the segment's creation to `now_ms`.
    pub fn time_waited_for_roll(&self, now_ms: i64, message_timestamp: i64) -> i64 {
        match self.state.lock().rolling_based_timestamp {
            Some(first) if first >= 0 => message_timestamp - first,
            _ => now_ms - self.created_ms,
        }
    }

    /// True when neither index can take another entry.
    pub fn indexes_full(&self) -> bool {
        let indexes = self.indexes.read();
        indexes.offset.is_full() || indexes.time.is_full()
    }

    /// The `.log` path (changes when the segment is marked deleted).
    pub fn log_path(&self) -> PathBuf {
        self.log_path.lock().clone()
    }

    /// Appends whole batches whose offsets are already assigned. `headers` describe `records`
    /// batch by batch, in order. Adds index entries every `index_interval_bytes`.
    pub fn append(
        &self,
        records: &[u8],
        headers: &[BatchHeader],
        index_interval_bytes: u64,
    ) -> Result<(), LogError> {
        self.append_vectored(&mut [IoSlice::new(records)], headers, index_interval_bytes)
    }

    /// Like [`LogSegment::append`], with the batches given as consecutive pieces (for example a
    /// patched header followed by the untouched rest of a batch) written with one `pwritev`, so
    /// the caller needs no contiguous copy. The pieces together must be exactly the batches
    /// `headers` describe.
    pub fn append_vectored(
        &self,
        pieces: &mut [IoSlice<'_>],
        headers: &[BatchHeader],
        index_interval_bytes: u64,
    ) -> Result<(), LogError> {
        let start = self.size();
        let length: u64 = pieces.iter().map(|piece| piece.len() as u64).sum();
        vectored_write::write_all_vectored_at(&self.log, pieces, start)
            .io_context(|| format!("append to {}", self.log_path().display()))?;
        let mut indexes = self.indexes.write();
        let mut state = self.state.lock();
        let mut position = start;
        for header in headers {
            Self::track_batch(
                &mut state,
                &mut indexes,
                header,
                position,
                index_interval_bytes,
            )?;
            position += header.size_bytes();
        }
        debug_assert_eq!(
            position,
            start + length,
            "headers must cover the records exactly"
        );
        drop(state);
        drop(indexes);
        self.size_bytes.store(start + length, Ordering::Release);
        Ok(())
    }

    fn track_batch(
        state: &mut SegmentState,
        indexes: &mut Indexes,
        header: &BatchHeader,
        position: u64,
        index_interval_bytes: u64,
    ) -> Result<(), LogError> {
        if header.max_timestamp > state.max_timestamp {
            state.max_timestamp = header.max_timestamp;
            state.offset_of_max_timestamp = header.last_offset();
        }
        if state.rolling_based_timestamp.is_none() {
            state.rolling_based_timestamp = Some(header.max_timestamp);
        }
        if state.bytes_since_last_index_entry > index_interval_bytes {
            // A full index only loses sparseness, never correctness; the log rolls before the next append.
            if !indexes.offset.is_full() {
                indexes
                    .offset
                    .append(header.last_offset(), position as u32)?;
            }
            indexes
                .time
                .maybe_append(state.max_timestamp, state.offset_of_max_timestamp, false)?;
            state.bytes_since_last_index_entry = 0;
        }
        state.bytes_since_last_index_entry += header.size_bytes();
        state.next_offset = header.next_offset();
        Ok(())
    }

    /// Reads and decodes the header of the batch at `position`.
    pub fn read_header_at(&self, position: u64) -> Result<BatchHeader, LogError> {
        let size = self.size();
        if position + RECORD_BATCH_OVERHEAD as u64 > size {
            return Err(self.corrupt(position, format!("a batch header at byte {position} would pass the end of the {size}-byte segment")));
        }
        let mut buf = [0u8; RECORD_BATCH_OVERHEAD];
        self.log
            .read_exact_at(&mut buf, position)
            .io_context(|| format!("read {}", self.log_path().display()))?;
        let header = BatchHeader::decode(&buf).map_err(|reason| self.corrupt(position, reason))?;
        if position + header.size_bytes() > size {
            return Err(self.corrupt(
                position,
                format!(
                    "batch of {} bytes at byte {position} passes the end of the segment",
                    header.size_bytes()
                ),
            ));
        }
        Ok(header)
    }

    fn corrupt(&self, position: u64, reason: String) -> LogError {
        LogError::CorruptRecord {
            position: position as usize,
            reason: format!("{}: {reason}", self.log_path().display()),
        }
    }

    /// The batch that contains `target` or, if no batch does, the first batch after it; `None`
    /// when every batch in the segment ends before `target`. Starts from the offset index and
    /// scans headers forward. An entry is trusted when a batch starting at or before its offset
    /// sits at its position: Strata writes `(last offset of the batch, its position)` and Kafka
    /// `(last offset of the append, position of its first batch)`, and scanning forward from
    /// either is correct. Any other entry (a damaged index) is ignored and the scan starts at
    /// the segment's first batch.
    pub fn translate_offset(&self, target: i64) -> Result<Option<BatchLocation>, LogError> {
        let entry = self.indexes.read().offset.lookup(target);
        let mut position = u64::from(entry.position);
        if position > 0 {
            let trusted = self
                .read_header_at(position)
                .map(|h| h.base_offset <= entry.offset)
                .unwrap_or(false);
            if !trusted {
                tracing::warn!(segment = %self.log_path().display(), offset = entry.offset, position, "offset index entry does not match the log; scanning from the segment start");
                position = 0;
            }
        }
        let size = self.size();
        while position < size {
            let header = self.read_header_at(position)?;
            if header.last_offset() >= target {
                return Ok(Some(BatchLocation { position, header }));
            }
            position += header.size_bytes();
        }
        Ok(None)
    }

    /// Reads `[start, end)` of the `.log` into one buffer.
    ///
    /// The buffer is not zeroed first: on a consume-heavy broker that memset cost as much as the
    /// read itself (see `positional_read`).
    pub fn read_bytes(&self, start: u64, end: u64) -> Result<Bytes, LogError> {
        let len = (end - start) as usize;
        let mut buf = BytesMut::with_capacity(len);
        positional_read::read_exact_into_spare_at(&self.log, &mut buf, len, start)
            .io_context(|| format!("read {}", self.log_path().display()))?;
        Ok(buf.freeze())
    }

    /// The whole batches from `start` that [`LogSegment::scan_read_end`] accepts (last offset
    /// below `max_offset`, total within `max_bytes`, the first batch whole even past `max_bytes`
    /// when `min_one_batch`). When the first batch is small against the read window (more than
    /// `SMALL_BATCHES_PER_READ_MIN` fit), the window is read at once and the headers are walked
    /// in memory instead of one `pread` per batch header (2 KB batches: 2.1 → 8.5 GB/s in
    /// `append_bench`); a trailing partial batch is dropped from the buffer. Otherwise the
    /// headers are read one by one and exactly the accepted bytes are read.
    pub fn read_batches(
        &self,
        start: u64,
        max_bytes: u64,
        max_offset: i64,
        min_one_batch: bool,
    ) -> Result<Bytes, LogError> {
        let size = self.size();
        let available = size.saturating_sub(start);
        let mut want = available.min(max_bytes);
        if want > 0 {
            // Large batches: a few header reads find the exact end, and the buffer is then
            // exactly the batches returned. Measured: a buffer sized to the window instead
            // (1 MiB for ~1 MB batches) changed glibc's trim/mmap decisions for the fetch and
            // response buffers and made every fetch page-fault fresh memory (1.9 → 0.7 GB/s).
            let first = self.read_header_at(start)?;
            if first
                .size_bytes()
                .saturating_mul(SMALL_BATCHES_PER_READ_MIN)
                >= want
            {
                let end = self.scan_read_end(start, max_bytes, max_offset, min_one_batch)?;
                return self.read_bytes(start, end);
            }
        }
        if min_one_batch {
            // The first header decides whether its batch is returned past max_bytes.
            want = want.max(available.min(RECORD_BATCH_OVERHEAD as u64));
        }
        let mut buf = BytesMut::with_capacity(want as usize);
        let read_context = || format!("read {}", self.log_path().display());
        positional_read::read_exact_into_spare_at(&self.log, &mut buf, want as usize, start)
            .io_context(read_context)?;
        let mut position = 0usize;
        loop {
            let at = start + position as u64;
            if at >= size {
                break;
            }
            if position + RECORD_BATCH_OVERHEAD > buf.len() {
                if buf.len() as u64 == available {
                    return Err(self.corrupt(at, format!("a batch header at byte {at} would pass the end of the {size}-byte segment")));
                }
                // Any batch starting here would end past max_bytes.
                break;
            }
            let header = BatchHeader::decode(&buf[position..position + RECORD_BATCH_OVERHEAD])
                .map_err(|reason| self.corrupt(at, reason))?;
            if at + header.size_bytes() > size {
                return Err(self.corrupt(
                    at,
                    format!(
                        "batch of {} bytes at byte {at} passes the end of the segment",
                        header.size_bytes()
                    ),
                ));
            }
            if header.last_offset() >= max_offset {
                break;
            }
            let end = position + header.size_bytes() as usize;
            let first = position == 0;
            if end as u64 > max_bytes && !(first && min_one_batch) {
                break;
            }
            if end > buf.len() {
                // Only an oversized first batch gets here: everything else ends within
                // min(max_bytes, segment end), which was read.
                let missing = end - buf.len();
                let from = start + buf.len() as u64;
                positional_read::read_exact_into_spare_at(&self.log, &mut buf, missing, from)
                    .io_context(read_context)?;
            }
            position = end;
        }
        buf.truncate(position);
        Ok(buf.freeze())
    }

    /// Header-only walk from `start`: batches whose last offset is below `max_offset`, whose total
    /// size stays within `max_bytes` (the first batch may exceed it when `min_one_batch`). Returns
    /// the end position of the accepted batches.
    pub fn scan_read_end(
        &self,
        start: u64,
        max_bytes: u64,
        max_offset: i64,
        min_one_batch: bool,
    ) -> Result<u64, LogError> {
        let size = self.size();
        let mut position = start;
        while position < size {
            let header = self.read_header_at(position)?;
            if header.last_offset() >= max_offset {
                break;
            }
            let end = position + header.size_bytes();
            let first = position == start;
            if end - start > max_bytes && !(first && min_one_batch) {
                break;
            }
            position = end;
        }
        Ok(position)
    }

    /// Kafka's `findOffsetByTimestamp`: the first record at or after `starting_offset` whose
    /// timestamp is ≥ `timestamp`, searching from the time index entry below the target.
    pub fn find_offset_by_timestamp(
        &self,
        timestamp: i64,
        starting_offset: i64,
    ) -> Result<Option<TimestampOffset>, LogError> {
        let from_offset = {
            let indexes = self.indexes.read();
            indexes.time.lookup(timestamp).offset.max(starting_offset)
        };
        let Some(location) = self.translate_offset(from_offset)? else {
            return Ok(None);
        };
        let size = self.size();
        let mut position = location.position;
        while position < size {
            let header = self.read_header_at(position)?;
            if header.max_timestamp >= timestamp && header.last_offset() >= starting_offset {
                let bytes = self.read_bytes(position, position + header.size_bytes())?;
                if let Some(found) =
                    first_record_at_or_after(&bytes, &header, timestamp, starting_offset)
                        .map_err(|reason| self.corrupt(position, reason))?
                {
                    return Ok(Some(found));
                }
            }
            position += header.size_bytes();
        }
        Ok(None)
    }

    /// Removes every batch at or after the batch containing `offset` (Kafka's `truncateTo`).
    /// Returns the bytes removed. Readers must not be reading past `offset` concurrently.
    pub fn truncate_to(&self, offset: i64) -> Result<u64, LogError> {
        let Some(location) = self.translate_offset(offset)? else {
            return Ok(0);
        };
        let position = location.position;
        let old_size = self.size();
        let mut indexes = self.indexes.write();
        indexes.offset.truncate_to(offset);
        indexes.time.truncate_to(offset);
        self.size_bytes.store(position, Ordering::Release);
        self.log
            .set_len(position)
            .io_context(|| format!("truncate {}", self.log_path().display()))?;
        // Recompute the bookkeeping from what remains.
        let mut state = SegmentState {
            next_offset: self.base_offset,
            bytes_since_last_index_entry: 0,
            max_timestamp: -1,
            offset_of_max_timestamp: self.base_offset,
            rolling_based_timestamp: None,
        };
        let mut at = 0;
        while at < position {
            let header = self.read_header_at(at)?;
            if header.max_timestamp > state.max_timestamp {
                state.max_timestamp = header.max_timestamp;
                state.offset_of_max_timestamp = header.last_offset();
            }
            state
                .rolling_based_timestamp
                .get_or_insert(header.max_timestamp);
            state.next_offset = header.next_offset();
            at += header.size_bytes();
        }
        let last_indexed = if indexes.offset.entries() > 0 {
            u64::from(indexes.offset.entry(indexes.offset.entries() - 1).position)
        } else {
            0
        };
        state.bytes_since_last_index_entry = position.saturating_sub(last_indexed);
        *self.state.lock() = state;
        Ok(old_size - position)
    }

    /// The segment stops being active: writes the final time index entry and trims both indexes
    /// (and a preallocated `.log`) to their used size.
    pub fn on_become_inactive(&self) -> Result<(), LogError> {
        let (max_ts, offset) = self.max_timestamp_and_offset();
        let mut indexes = self.indexes.write();
        if max_ts >= 0 {
            indexes.time.maybe_append(max_ts, offset, true)?;
        }
        indexes.offset.trim_to_valid_size()?;
        indexes.time.trim_to_valid_size()?;
        let size = self.size();
        let file_len = self
            .log
            .metadata()
            .io_context(|| format!("stat {}", self.log_path().display()))?
            .len();
        if file_len != size {
            self.log
                .set_len(size)
                .io_context(|| format!("trim {}", self.log_path().display()))?;
        }
        Ok(())
    }

    /// The valid entries of the offset index and the time index, in their on-disk formats
    /// (without preallocated padding): what the remote tier uploads as `.index`/`.timeindex`.
    pub fn index_bytes(&self) -> (Vec<u8>, Vec<u8>) {
        let indexes = self.indexes.read();
        let mut offset = Vec::with_capacity(indexes.offset.entries() * 8);
        for n in 0..indexes.offset.entries() {
            let entry = indexes.offset.entry(n);
            offset.extend_from_slice(&((entry.offset - self.base_offset) as i32).to_be_bytes());
            offset.extend_from_slice(&entry.position.to_be_bytes());
        }
        let mut time = Vec::with_capacity(indexes.time.entries() * 12);
        for n in 0..indexes.time.entries() {
            let entry = indexes.time.entry(n);
            time.extend_from_slice(&entry.timestamp.to_be_bytes());
            time.extend_from_slice(&((entry.offset - self.base_offset) as i32).to_be_bytes());
        }
        (offset, time)
    }

    /// Grows both indexes back to `index_bytes_max` (when a closed segment becomes active again).
    pub fn resize_indexes(&self, index_bytes_max: u64) -> Result<(), LogError> {
        let mut indexes = self.indexes.write();
        indexes.offset.resize(index_bytes_max)?;
        indexes.time.resize(index_bytes_max)
    }

    /// fsyncs the `.log` and flushes both index mappings. Takes no lock readers need.
    pub fn flush(&self) -> Result<(), LogError> {
        self.log
            .sync_data()
            .io_context(|| format!("fsync {}", self.log_path().display()))?;
        let indexes = self.indexes.read();
        indexes.offset.flush()?;
        indexes.time.flush()
    }

    /// Renames all three files with the `.deleted` suffix (Kafka's asynchronous delete, step 1).
    /// Readers holding the segment keep reading through the open file handles.
    pub fn mark_deleted(&self) -> Result<Vec<PathBuf>, LogError> {
        let mut renamed = Vec::with_capacity(3);
        {
            let mut path = self.log_path.lock();
            let to = PathBuf::from(format!("{}{DELETED_FILE_SUFFIX}", path.display()));
            std::fs::rename(&*path, &to)
                .io_context(|| format!("rename {} to {}", path.display(), to.display()))?;
            *path = to.clone();
            renamed.push(to);
        }
        let mut indexes = self.indexes.write();
        let to = PathBuf::from(format!(
            "{}{DELETED_FILE_SUFFIX}",
            indexes.offset.path().display()
        ));
        indexes.offset.rename(to.clone())?;
        renamed.push(to);
        let to = PathBuf::from(format!(
            "{}{DELETED_FILE_SUFFIX}",
            indexes.time.path().display()
        ));
        indexes.time.rename(to.clone())?;
        renamed.push(to);
        Ok(renamed)
    }

    /// Closes the segment cleanly: final time index entry, trimmed indexes, fsync.
    pub fn close(&self) -> Result<(), LogError> {
        self.on_become_inactive()?;
        self.flush()
    }
}

/// The first record of one batch at or after `starting_offset` with timestamp ≥ `target`.
pub(crate) fn first_record_at_or_after(
    bytes: &[u8],
    header: &BatchHeader,
    target: i64,
    starting_offset: i64,
) -> Result<Option<TimestampOffset>, String> {
    let leader_epoch =
        (header.partition_leader_epoch >= 0).then_some(header.partition_leader_epoch);
    if header.is_log_append_time() {
        // Every record carries the batch's MaxTimestamp.
        let offset = header.base_offset.max(starting_offset);
        return Ok(
            (header.max_timestamp >= target && offset <= header.last_offset()).then_some(
                TimestampOffset {
                    timestamp: header.max_timestamp,
                    offset,
                    leader_epoch,
                },
            ),
        );
    }
    let view = RecordBatchView::parse(bytes).map_err(|e| e.to_string())?;
    debug_assert_eq!(view.timestamp_type(), TimestampType::CreateTime);
    let records = decode_records(&view).map_err(|e| e.to_string())?;
    Ok(records
        .iter()
        .find(|r| r.timestamp >= target && r.offset >= starting_offset)
        .map(|r| TimestampOffset {
            timestamp: r.timestamp,
            offset: r.offset,
            leader_epoch,
        }))
}

#[cfg(test)]
mod tests {
    use strata_protocol::record_batch::{Compression, RecordBatchBuilder};

    use super::*;

    /// Appends `count` one-record batches starting at `base`; returns the batches.
    fn fill(segment: &LogSegment, base: i64, count: i64, interval: u64) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for n in 0..count {
            let mut builder =
                RecordBatchBuilder::new(base + n, Compression::None).partition_leader_epoch(0);
            builder.append(1000 + n, None, Some(&[7u8; 50]), &[]);
            let bytes = builder.build().expect("build");
            let header = BatchHeader::decode(&bytes).expect("header");
            segment.append(&bytes, &[header], interval).expect("append");
            out.push(bytes.to_vec());
        }
        out
    }

    #[test]
    fn read_batches_returns_exactly_what_the_header_walk_accepts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let segment = LogSegment::create(dir.path(), 0, 4096, None, 0).expect("create");
        // 40 batches: windows of 16+ batches take the one-read path, smaller ones the header walk.
        let batches = fill(&segment, 0, 40, 0);
        let batch_bytes = batches[0].len() as u64;
        let starts = [0, batch_bytes, 5 * batch_bytes];
        let max_bytes_cases = [
            0,
            1,
            batch_bytes - 1,
            batch_bytes,
            3 * batch_bytes + 7,
            20 * batch_bytes + 3,
            u64::MAX / 2,
        ];
        for start in starts {
            for max_bytes in max_bytes_cases {
                for max_offset in [0, 3, 7, 12, 30, 40, i64::MAX] {
                    for min_one in [false, true] {
                        let end = segment
                            .scan_read_end(start, max_bytes, max_offset, min_one)
                            .expect("scan");
                        let expected = segment.read_bytes(start, end).expect("read");
                        let got = segment
                            .read_batches(start, max_bytes, max_offset, min_one)
                            .expect("read_batches");
                        assert_eq!(
                            got, expected,
                            "start {start} max_bytes {max_bytes} max_offset {max_offset} min_one {min_one}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn read_batches_reports_a_batch_passing_the_segment_end_as_corrupt() {
        let dir = tempfile::tempdir().expect("tempdir");
        let segment = LogSegment::create(dir.path(), 0, 4096, None, 0).expect("create");
        let batches = fill(&segment, 0, 2, 0);
        // Claim a longer batch than the segment holds.
        let mut bad = batches[0].clone();
        bad[8..12].copy_from_slice(&10_000i32.to_be_bytes());
        segment.log.write_all_at(&bad, 0).expect("overwrite");
        let error = segment
            .read_batches(0, 1 << 20, i64::MAX, true)
            .expect_err("corrupt");
        assert!(
            matches!(error, LogError::CorruptRecord { position: 0, .. }),
            "{error:?}"
        );
    }

    #[test]
    fn index_entry_every_index_interval_bytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let segment = LogSegment::create(dir.path(), 0, 4096, None, 0).expect("create");
        let batches = fill(&segment, 0, 20, 250);
        let batch_bytes = batches[0].len() as u64;
        let entries = segment.indexes.read().offset.entries();
        // An entry is added once more than 250 bytes accumulated since the last one.
        let per_entry = 250 / batch_bytes + 1;
        assert_eq!(entries as u64, (20 - 1) / per_entry);
        assert_eq!(segment.next_offset(), 20);
    }

    #[test]
    fn translate_offset_finds_the_batch_containing_the_offset() {
        let dir = tempfile::tempdir().expect("tempdir");
        let segment = LogSegment::create(dir.path(), 100, 4096, None, 0).expect("create");
        let batches = fill(&segment, 100, 10, 0);
        let location = segment
            .translate_offset(104)
            .expect("translate")
            .expect("found");
        assert_eq!(location.header.base_offset, 104);
        assert_eq!(
            location.position,
            batches[..4].iter().map(|b| b.len() as u64).sum::<u64>()
        );
        assert!(segment.translate_offset(110).expect("translate").is_none());
    }

    #[test]
    fn recover_rebuilds_a_deleted_index_identically() {
        let dir = tempfile::tempdir().expect("tempdir");
        let segment = LogSegment::create(dir.path(), 0, 4096, None, 0).expect("create");
        fill(&segment, 0, 30, 100);
        segment.close().expect("close");
        let original: Vec<_> = {
            let indexes = segment.indexes.read();
            (0..indexes.offset.entries())
                .map(|n| indexes.offset.entry(n))
                .collect()
        };
        drop(segment);
        std::fs::remove_file(segment_file(dir.path(), 0, INDEX_FILE_SUFFIX)).expect("delete index");
        let reopened = LogSegment::open(dir.path(), 0, 4096, 0).expect("open");
        assert!(
            reopened.load_check().is_err(),
            "a missing index is detected"
        );
        let outcome = reopened
            .recover(100, 4096, None, |_| Ok(()))
            .expect("recover");
        assert_eq!(
            outcome,
            SegmentRecovery {
                truncated_bytes: 0,
                batches: 30
            }
        );
        let rebuilt: Vec<_> = {
            let indexes = reopened.indexes.read();
            (0..indexes.offset.entries())
                .map(|n| indexes.offset.entry(n))
                .collect()
        };
        assert_eq!(rebuilt, original);
    }

    #[test]
    fn recover_truncates_a_torn_last_batch() {
        let dir = tempfile::tempdir().expect("tempdir");
        let segment = LogSegment::create(dir.path(), 0, 4096, None, 0).expect("create");
        let batches = fill(&segment, 0, 5, 100);
        drop(segment);
        let path = segment_file(dir.path(), 0, LOG_FILE_SUFFIX);
        let full: u64 = batches.iter().map(|b| b.len() as u64).sum();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .expect("open")
            .set_len(full - 10)
            .expect("tear");
        let reopened = LogSegment::open(dir.path(), 0, 4096, 0).expect("open");
        let outcome = reopened
            .recover(100, 4096, None, |_| Ok(()))
            .expect("recover");
        assert_eq!(outcome.batches, 4);
        assert_eq!(reopened.size(), full - batches[4].len() as u64);
        assert_eq!(reopened.next_offset(), 4);
    }

    #[test]
    fn truncate_to_removes_the_batch_containing_the_offset_and_after() {
        let dir = tempfile::tempdir().expect("tempdir");
        let segment = LogSegment::create(dir.path(), 0, 4096, None, 0).expect("create");
        let batches = fill(&segment, 0, 6, 0);
        segment.truncate_to(3).expect("truncate");
        assert_eq!(segment.next_offset(), 3);
        assert_eq!(
            segment.size(),
            batches[..3].iter().map(|b| b.len() as u64).sum::<u64>()
        );
        fill(&segment, 3, 1, 0);
        assert_eq!(segment.next_offset(), 4);
    }
}
