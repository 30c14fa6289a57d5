//! The segments of one partition directory: roll, append, read across segments, flush, delete.
//!
//! Kafka's `LocalLog`. Segments are keyed by base offset; the last one is the active segment,
//! the only one appended to. Offsets are contiguous across segments: a new segment starts at the
//! log end offset.
//!
//! Thread-safety: mutation (`append`, `roll`, `remove_segments`, `truncate_*`) is serialized by
//! the owning [`crate::Log`]'s writer lock. Readers take the segment map's read lock only long
//! enough to clone the `Arc`s they need, then read without locks; the log end offset is
//! published after the bytes it covers. `flush` fsyncs outside every lock readers use.

use std::collections::BTreeMap;
use std::io::IoSlice;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use parking_lot::RwLock;

use crate::batch_header::BatchHeader;
use crate::error::LogError;
use crate::segment::LogSegment;
use crate::topic_partition::TopicPartition;

/// The local segments of one partition. Thread-safety: mutation is serialized by the owning
/// `Log`; readers clone segment `Arc`s under a short read lock and read without locks.
#[derive(Debug)]
pub struct LocalLog {
    dir: PathBuf,
    tp: TopicPartition,
    segments: RwLock<BTreeMap<i64, Arc<LogSegment>>>,
    log_end_offset: AtomicI64,
    recovery_point: AtomicI64,
    last_flush_ms: AtomicI64,
}

impl LocalLog {
    /// A local log over already loaded `segments` (at least one).
    pub(crate) fn new(
        dir: PathBuf,
        tp: TopicPartition,
        segments: BTreeMap<i64, Arc<LogSegment>>,
        log_end_offset: i64,
        recovery_point: i64,
        now_ms: i64,
    ) -> Self {
        assert!(
            !segments.is_empty(),
            "a local log always has an active segment"
        );
        Self {
            dir,
            tp,
            segments: RwLock::new(segments),
            log_end_offset: AtomicI64::new(log_end_offset),
            recovery_point: AtomicI64::new(recovery_point),
            last_flush_ms: AtomicI64::new(now_ms),
        }
    }

    /// The partition directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The partition.
    pub fn topic_partition(&self) -> &TopicPartition {
        &self.tp
    }

    /// Offset the next appended record gets.
    pub fn log_end_offset(&self) -> i64 {
        self.log_end_offset.load(Ordering::Acquire)
    }

    /// Every offset below this is fsynced.
    pub fn recovery_point(&self) -> i64 {
        self.recovery_point.load(Ordering::Acquire)
    }

    /// When the log was last flushed (ms).
    pub fn last_flush_ms(&self) -> i64 {
        self.last_flush_ms.load(Ordering::Acquire)
    }

    /// All segments, oldest first.
    pub fn segments(&self) -> Vec<Arc<LogSegment>> {
        self.segments.read().values().cloned().collect()
    }

    /// The segment appended to.
    pub fn active_segment(&self) -> Arc<LogSegment> {
        self.segments
            .read()
            .values()
            .next_back()
            .cloned()
            .expect("a local log always has an active segment")
    }

    /// Base offset of the oldest segment.
    pub fn first_segment_base_offset(&self) -> i64 {
        *self
            .segments
            .read()
            .keys()
            .next()
            .expect("a local log always has an active segment")
    }

    /// Total bytes of all segments.
    pub fn size_bytes(&self) -> u64 {
        self.segments.read().values().map(|s| s.size()).sum()
    }

    /// Appends batches with assigned offsets to the active segment and publishes the new end.
    pub(crate) fn append(
        &self,
        records: &[u8],
        headers: &[BatchHeader],
        index_interval_bytes: u64,
    ) -> Result<(), LogError> {
        self.append_vectored(&mut [IoSlice::new(records)], headers, index_interval_bytes)
    }

    /// Like [`LocalLog::append`], with the batches given as consecutive pieces written with one
    /// gather write (see [`LogSegment::append_vectored`]).
    pub(crate) fn append_vectored(
        &self,
        pieces: &mut [IoSlice<'_>],
        headers: &[BatchHeader],
        index_interval_bytes: u64,
    ) -> Result<(), LogError> {
        let Some(last) = headers.last() else {
            return Ok(());
        };
        self.active_segment()
            .append_vectored(pieces, headers, index_interval_bytes)?;
        self.log_end_offset
            .store(last.next_offset(), Ordering::Release);
        Ok(())
    }

    /// Starts a new active segment at `max(expected_next_offset, log end offset)`. An empty active
    /// segment already at that offset is kept. The old active segment's indexes are trimmed.
    pub(crate) fn roll(
        &self,
        expected_next_offset: Option<i64>,
        index_bytes_max: u64,
        preallocate_bytes: Option<u64>,
        now_ms: i64,
    ) -> Result<Arc<LogSegment>, LogError> {
        let new_base = expected_next_offset.unwrap_or(0).max(self.log_end_offset());
        let active = self.active_segment();
        if active.base_offset() == new_base && active.size() == 0 {
            return Ok(active);
        }
        assert!(
            new_base > active.base_offset(),
            "rolling to {new_base} would not follow the active segment at {}",
            active.base_offset()
        );
        active.on_become_inactive()?;
        let segment = Arc::new(LogSegment::create(
            &self.dir,
            new_base,
            index_bytes_max,
            preallocate_bytes,
            now_ms,
        )?);
        self.segments.write().insert(new_base, Arc::clone(&segment));
        tracing::info!(partition = %self.tp, base_offset = new_base, "rolled new log segment");
        Ok(segment)
    }

    /// Reads whole batches starting with the one containing `fetch_offset`, continuing into later
    /// segments, up to `max_bytes` (the first batch may exceed it when `min_one_message`), never
    /// including a batch whose last offset is ≥ `max_offset`. Bounds against the log start are
    /// the caller's job.
    pub fn read(
        &self,
        fetch_offset: i64,
        max_bytes: usize,
        max_offset: i64,
        min_one_message: bool,
    ) -> Result<Bytes, LogError> {
        let limit_offset = max_offset.min(self.log_end_offset());
        if fetch_offset >= limit_offset {
            return Ok(Bytes::new());
        }
        let segments: Vec<Arc<LogSegment>> = {
            let map = self.segments.read();
            let start = map.range(..=fetch_offset).next_back().map_or_else(
                || map.keys().next().copied().unwrap_or(0),
                |(base, _)| *base,
            );
            map.range(start..).map(|(_, s)| Arc::clone(s)).collect()
        };
        let mut pieces: Vec<Bytes> = Vec::new();
        let mut remaining = max_bytes as u64;
        for segment in segments {
            if segment.base_offset() >= limit_offset {
                break;
            }
            let Some(location) =
                segment.translate_offset(fetch_offset.max(segment.base_offset()))?
            else {
                continue;
            };
            let piece = segment.read_batches(
                location.position,
                remaining,
                limit_offset,
                min_one_message && pieces.is_empty(),
            )?;
            if piece.is_empty() {
                break;
            }
            let end = location.position + piece.len() as u64;
            remaining = remaining.saturating_sub(piece.len() as u64);
            pieces.push(piece);
            if end < segment.size() {
                break;
            }
        }
        Ok(match pieces.len() {
            0 => Bytes::new(),
            1 => pieces.pop().expect("one piece"),
            _ => {
                let mut joined = BytesMut::with_capacity(pieces.iter().map(Bytes::len).sum());
                for piece in pieces {
                    joined.extend_from_slice(&piece);
                }
                joined.freeze()
            }
        })
    }

    /// fsyncs every segment holding offsets in `[recovery point, offset)` and advances the
    /// recovery point to `offset`. Holds no lock during the fsync.
    pub(crate) fn flush(&self, offset: i64, now_ms: i64) -> Result<(), LogError> {
        let recovery_point = self.recovery_point();
        if offset <= recovery_point {
            return Ok(());
        }
        let segments: Vec<Arc<LogSegment>> = {
            let map = self.segments.read();
            let start = map
                .range(..=recovery_point)
                .next_back()
                .map_or(i64::MIN, |(base, _)| *base);
            map.range(start..offset)
                .map(|(_, s)| Arc::clone(s))
                .collect()
        };
        for segment in segments {
            segment.flush()?;
        }
        self.recovery_point.fetch_max(offset, Ordering::AcqRel);
        self.last_flush_ms.store(now_ms, Ordering::Release);
        Ok(())
    }

    /// Removes `segments` from the map and renames their files to `.deleted`. Returns the
    /// renamed paths for the caller to unlink after `file.delete.delay.ms`.
    pub(crate) fn remove_segments(
        &self,
        segments: &[Arc<LogSegment>],
    ) -> Result<Vec<PathBuf>, LogError> {
        {
            let mut map = self.segments.write();
            for segment in segments {
                map.remove(&segment.base_offset());
            }
            assert!(
                !map.is_empty(),
                "the active segment is never removed; roll first"
            );
        }
        let mut renamed = Vec::new();
        for segment in segments {
            renamed.extend(segment.mark_deleted()?);
        }
        Ok(renamed)
    }

    /// Removes every batch at and after `offset`, dropping whole segments above it.
    /// Returns the renamed files of dropped segments.
    pub(crate) fn truncate_to(
        &self,
        offset: i64,
        index_bytes_max: u64,
    ) -> Result<Vec<PathBuf>, LogError> {
        if offset >= self.log_end_offset() {
            return Ok(Vec::new());
        }
        let (doomed, keep): (Vec<Arc<LogSegment>>, Vec<Arc<LogSegment>>) =
            self.segments().into_iter().partition(|s| {
                s.base_offset() >= offset && s.base_offset() > self.first_segment_base_offset()
            });
        let renamed = if doomed.is_empty() {
            Vec::new()
        } else {
            self.remove_segments(&doomed)?
        };
        if let Some(last) = keep.last() {
            last.truncate_to(offset)?;
            last.resize_indexes(index_bytes_max)?;
            self.log_end_offset.store(
                last.next_offset().max(last.base_offset()),
                Ordering::Release,
            );
        }
        self.recovery_point
            .fetch_min(self.log_end_offset(), Ordering::AcqRel);
        Ok(renamed)
    }

    /// Drops every segment and starts empty at `offset`. Returns the renamed files.
    pub(crate) fn truncate_fully_and_start_at(
        &self,
        offset: i64,
        index_bytes_max: u64,
        preallocate_bytes: Option<u64>,
        now_ms: i64,
    ) -> Result<Vec<PathBuf>, LogError> {
        let old = self.segments();
        let mut renamed = Vec::new();
        for segment in &old {
            renamed.extend(segment.mark_deleted()?);
        }
        let fresh = Arc::new(LogSegment::create(
            &self.dir,
            offset,
            index_bytes_max,
            preallocate_bytes,
            now_ms,
        )?);
        let mut map = self.segments.write();
        map.clear();
        map.insert(offset, fresh);
        self.log_end_offset.store(offset, Ordering::Release);
        self.recovery_point.store(offset, Ordering::Release);
        Ok(renamed)
    }

    /// Closes every segment (trims indexes, fsyncs) and marks everything flushed.
    pub(crate) fn close(&self) -> Result<(), LogError> {
        for segment in self.segments() {
            segment.close()?;
        }
        self.recovery_point
            .store(self.log_end_offset(), Ordering::Release);
        Ok(())
    }
}
