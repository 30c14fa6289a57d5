//! The raft log of the metadata quorum, stored as Kafka log segments in
//! `<metadata.log.dir>/__cluster_metadata-0/`.
//!
//! Format: `<baseOffset:020>.log` files of record batches v2 with sparse `.index` (4-byte
//! relative offset + 4-byte position) and `.timeindex` (8-byte timestamp + 4-byte relative
//! offset) files, as Kafka writes them. Each raft entry is one batch; its Kafka offsets are
//! dense (`entry_offset_count` per entry), so `kafka-dump-log` and metadata tools read the files.
//!
//! Why not `strata_storage::Log`: the raft log needs to write batches at offsets it assigns,
//! truncate a suffix (a follower's conflicting entries) and purge a prefix (after a snapshot),
//! which a partition log's leader-append API does not offer; this file writes the same segment
//! format directly.
//!
//! Invariants: entries are contiguous by raft index from `start_index`; the entry at
//! `start_index` begins at `start_offset`; batches below `start_offset` (in a partly purged first
//! segment) are ignored. Only one owner (the log store) mutates it.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::ops::RangeBounds;
use std::path::{Path, PathBuf};

use strata_protocol::record_batch::batches;

use super::codec::{batch_to_entry, entry_to_batch, CodecError};
use super::{entry_offset_count, MetadataEntry};

/// Directory of the metadata log inside `metadata.log.dir`.
pub const METADATA_PARTITION_DIR: &str = "__cluster_metadata-0";

/// Bytes of log between offset index entries (Kafka's `index.interval.bytes` default).
const INDEX_INTERVAL_BYTES: u64 = 4096;

/// The metadata log failed on disk or holds bytes it cannot read.
#[derive(Debug, thiserror::Error)]
pub enum MetadataLogError {
    /// A file operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A batch could not be encoded or decoded.
    #[error("{context}: {source}")]
    Codec {
        /// Where.
        context: String,
        /// Why.
        source: CodecError,
    },
    /// The files contradict the log start recorded in quorum-state.
    #[error("metadata log is inconsistent: {reason}")]
    Inconsistent {
        /// What does not fit.
        reason: String,
    },
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> MetadataLogError {
    let context = context.into();
    move |source| MetadataLogError::Io { context, source }
}

/// File name of a segment file: the base offset as 20 digits plus the suffix.
fn segment_file(dir: &Path, base_offset: i64, suffix: &str) -> PathBuf {
    dir.join(format!("{base_offset:020}{suffix}"))
}

struct Segment {
    base_offset: i64,
    log: File,
    size: u64,
    /// (relative last offset, position) entries of the `.index` file.
    index: Vec<(u32, u32)>,
    /// (max timestamp, relative last offset) entries of the `.timeindex` file.
    time_index: Vec<(i64, u32)>,
    bytes_since_index: u64,
}

impl Segment {
    fn create(dir: &Path, base_offset: i64) -> Result<Self, MetadataLogError> {
        let path = segment_file(dir, base_offset, ".log");
        let log = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)
            .map_err(io(format!("open {}", path.display())))?;
        let size = log
            .metadata()
            .map_err(io(format!("stat {}", path.display())))?
            .len();
        Ok(Segment {
            base_offset,
            log,
            size,
            index: Vec::new(),
            time_index: Vec::new(),
            bytes_since_index: 0,
        })
    }

    fn relative(&self, offset: i64) -> u32 {
        u32::try_from(offset - self.base_offset).expect("a segment spans fewer than 2^32 offsets")
    }

    /// Notes a batch written at `position` in the in-memory indexes (Kafka's sparse rule: an
    /// offset index entry once `INDEX_INTERVAL_BYTES` accumulated; a time index entry when the
    /// max timestamp grows).
    fn index_batch(&mut self, position: u64, size: u64, last_offset: i64, max_timestamp: i64) {
        let pos = u32::try_from(position).expect("segments stay below 4 GiB");
        if self.index.is_empty() || self.bytes_since_index >= INDEX_INTERVAL_BYTES {
            let rel = self.relative(last_offset);
            self.index.push((rel, pos));
            self.bytes_since_index = 0;
            if self
                .time_index
                .last()
                .is_none_or(|(ts, _)| max_timestamp > *ts)
            {
                self.time_index.push((max_timestamp, rel));
            }
        }
        self.bytes_since_index += size;
    }

    /// Rewrites both index files from the in-memory entries.
    fn write_indexes(&self, dir: &Path) -> Result<(), MetadataLogError> {
        let mut index = Vec::with_capacity(self.index.len() * 8);
        for (rel, pos) in &self.index {
            index.extend_from_slice(&rel.to_be_bytes());
            index.extend_from_slice(&pos.to_be_bytes());
        }
        let mut time_index = Vec::with_capacity(self.time_index.len() * 12);
        for (ts, rel) in &self.time_index {
            time_index.extend_from_slice(&ts.to_be_bytes());
            time_index.extend_from_slice(&rel.to_be_bytes());
        }
        for (suffix, bytes) in [(".index", index), (".timeindex", time_index)] {
            let path = segment_file(dir, self.base_offset, suffix);
            fs::write(&path, bytes).map_err(io(format!("write {}", path.display())))?;
        }
        Ok(())
    }

    fn delete(self, dir: &Path) -> Result<(), MetadataLogError> {
        drop(self.log);
        for suffix in [".log", ".index", ".timeindex"] {
            let path = segment_file(dir, self.base_offset, suffix);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(MetadataLogError::Io {
                        context: format!("delete {}", path.display()),
                        source: e,
                    })
                }
            }
        }
        Ok(())
    }
}

struct Located {
    entry: MetadataEntry,
    base_offset: i64,
    segment: i64,
    position: u64,
}

/// Where the retained log begins: the raft index of its first entry and that entry's offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogStart {
    /// Raft index of the first retained entry.
    pub index: u64,
    /// Kafka offset of that entry.
    pub offset: i64,
}

/// The metadata raft log on disk plus an in-memory copy of the retained entries.
pub struct MetadataLog {
    dir: PathBuf,
    segment_bytes_max: u64,
    segments: BTreeMap<i64, Segment>,
    entries: BTreeMap<u64, Located>,
    start: LogStart,
    next_offset: i64,
}

impl std::fmt::Debug for MetadataLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetadataLog")
            .field("dir", &self.dir)
            .field("segments", &self.segments.keys().collect::<Vec<_>>())
            .field("start", &self.start)
            .field("next_offset", &self.next_offset)
            .finish()
    }
}

impl MetadataLog {
    /// Opens (or creates) the log in `dir`, reading every segment: a torn or corrupt tail
    /// (a crash during append) is truncated away, later segments are deleted, and the index files
    /// are rebuilt.
    pub fn open(
        dir: &Path,
        segment_bytes_max: u64,
        start: LogStart,
    ) -> Result<Self, MetadataLogError> {
        fs::create_dir_all(dir).map_err(io(format!("create {}", dir.display())))?;
        let mut bases = Vec::new();
        for item in fs::read_dir(dir).map_err(io(format!("list {}", dir.display())))? {
            let item = item.map_err(io(format!("list {}", dir.display())))?;
            let name = item.file_name().to_string_lossy().into_owned();
            if let Some(base) = name
                .strip_suffix(".log")
                .and_then(|b| b.parse::<i64>().ok())
            {
                bases.push(base);
            }
        }
        bases.sort_unstable();
        let mut log = MetadataLog {
            dir: dir.to_path_buf(),
            segment_bytes_max,
            segments: BTreeMap::new(),
            entries: BTreeMap::new(),
            start,
            next_offset: start.offset,
        };
        let mut torn = false;
        for base in bases {
            if torn {
                Segment::create(dir, base)?.delete(dir)?;
                continue;
            }
            torn = log.load_segment(base)?;
        }
        if log.segments.is_empty() {
            let segment = Segment::create(dir, log.next_offset)?;
            log.segments.insert(segment.base_offset, segment);
        }
        for segment in log.segments.values() {
            segment.write_indexes(dir)?;
        }
        Ok(log)
    }

    /// Reads one segment into memory; returns true when its tail was torn (so later segments
    /// cannot be trusted).
    fn load_segment(&mut self, base: i64) -> Result<bool, MetadataLogError> {
        let mut segment = Segment::create(&self.dir, base)?;
        let mut bytes = Vec::new();
        segment
            .log
            .seek(SeekFrom::Start(0))
            .map_err(io("seek segment"))?;
        segment
            .log
            .read_to_end(&mut bytes)
            .map_err(io(format!("read segment {base}")))?;
        let mut iter = batches(&bytes);
        let mut valid_end = 0usize;
        let mut torn = false;
        for item in iter.by_ref() {
            let view = match item {
                Ok(view) if view.verify_crc().is_ok() => view,
                _ => {
                    torn = true;
                    break;
                }
            };
            let position = valid_end as u64;
            valid_end += view.size_bytes();
            segment.index_batch(
                position,
                view.size_bytes() as u64,
                view.last_offset(),
                view.max_timestamp(),
            );
            if view.base_offset() < self.start.offset {
                continue;
            }
            if view.base_offset() != self.next_offset {
                return Err(MetadataLogError::Inconsistent {
                    reason: format!(
                        "batch at offset {} in segment {base}, expected offset {}",
                        view.base_offset(),
                        self.next_offset
                    ),
                });
            }
            let index = self.start.index + self.entries.len() as u64;
            let entry = batch_to_entry(&view, index).map_err(|source| MetadataLogError::Codec {
                context: format!("batch at offset {}", view.base_offset()),
                source,
            })?;
            self.next_offset = view.next_offset();
            self.entries.insert(
                index,
                Located {
                    entry,
                    base_offset: view.base_offset(),
                    segment: base,
                    position,
                },
            );
        }
        if torn || valid_end < bytes.len() {
            tracing::warn!(
                segment = base,
                valid_bytes = valid_end,
                file_bytes = bytes.len(),
                "truncating torn metadata log tail"
            );
            segment
                .log
                .set_len(valid_end as u64)
                .map_err(io("truncate torn tail"))?;
            segment.size = valid_end as u64;
            torn = true;
        }
        segment.size = valid_end as u64;
        self.segments.insert(base, segment);
        Ok(torn)
    }

    /// Where the retained log begins.
    pub fn start(&self) -> LogStart {
        self.start
    }

    /// The offset the next entry will get (the log end offset).
    pub fn next_offset(&self) -> i64 {
        self.next_offset
    }

    /// The last entry, if any is retained.
    pub fn last_entry(&self) -> Option<&MetadataEntry> {
        self.entries.values().next_back().map(|l| &l.entry)
    }

    /// The Kafka offset range `[base, next)` of the entry at `index`, if retained.
    pub fn offsets_of(&self, index: u64) -> Option<(i64, i64)> {
        let located = self.entries.get(&index)?;
        Some((
            located.base_offset,
            located.base_offset + entry_offset_count(&located.entry),
        ))
    }

    /// Copies of the retained entries in `range`.
    pub fn entries<R: RangeBounds<u64>>(&self, range: R) -> Vec<MetadataEntry> {
        self.entries
            .range(range)
            .map(|(_, l)| l.entry.clone())
            .collect()
    }

    /// Appends an entry as the next batch; rolls to a new segment past `segment_bytes_max`.
    /// Not durable until [`flush`](Self::flush).
    pub fn append(
        &mut self,
        entry: MetadataEntry,
        leader_id: i32,
        timestamp_ms: i64,
    ) -> Result<(), MetadataLogError> {
        let expected = self
            .entries
            .keys()
            .next_back()
            .map_or(self.start.index, |i| i + 1);
        if entry.log_id.index != expected {
            return Err(MetadataLogError::Inconsistent {
                reason: format!(
                    "append of index {} but the next index is {expected}",
                    entry.log_id.index
                ),
            });
        }
        let base_offset = self.next_offset;
        let batch =
            entry_to_batch(&entry, base_offset, leader_id, timestamp_ms).map_err(|source| {
                MetadataLogError::Codec {
                    context: format!("encode entry {}", entry.log_id.index),
                    source,
                }
            })?;
        let active_full =
            self.segments.values().next_back().is_some_and(|s| {
                s.size > 0 && s.size + batch.len() as u64 > self.segment_bytes_max
            });
        if active_full {
            if let Some(active) = self.segments.values_mut().next_back() {
                active.log.sync_data().map_err(io("fsync rolled segment"))?;
            }
            let segment = Segment::create(&self.dir, base_offset)?;
            self.segments.insert(base_offset, segment);
        }
        let dir = self.dir.clone();
        let segment = self
            .segments
            .values_mut()
            .next_back()
            .expect("the log always has an active segment");
        let position = segment.size;
        segment
            .log
            .write_all(&batch)
            .map_err(io("append to metadata log"))?;
        segment.size += batch.len() as u64;
        let count = entry_offset_count(&entry);
        let index_len = (segment.index.len(), segment.time_index.len());
        segment.index_batch(
            position,
            batch.len() as u64,
            base_offset + count - 1,
            timestamp_ms,
        );
        if (segment.index.len(), segment.time_index.len()) != index_len {
            segment.write_indexes(&dir)?;
        }
        let seg_base = segment.base_offset;
        self.next_offset = base_offset + count;
        self.entries.insert(
            entry.log_id.index,
            Located {
                entry,
                base_offset,
                segment: seg_base,
                position,
            },
        );
        Ok(())
    }

    /// Makes every appended batch durable (fsync of the active segment).
    pub fn flush(&mut self) -> Result<(), MetadataLogError> {
        if let Some(active) = self.segments.values_mut().next_back() {
            active.log.sync_data().map_err(io("fsync metadata log"))?;
        }
        Ok(())
    }

    /// Removes the entries at `index` and after (a follower's conflicting suffix).
    pub fn truncate_from(&mut self, index: u64) -> Result<(), MetadataLogError> {
        let Some(located) = self.entries.get(&index) else {
            return Ok(());
        };
        let (seg_base, position, base_offset) =
            (located.segment, located.position, located.base_offset);
        self.entries.retain(|i, _| *i < index);
        let later: Vec<i64> = self
            .segments
            .range(seg_base + 1..)
            .map(|(b, _)| *b)
            .collect();
        for base in later {
            if let Some(segment) = self.segments.remove(&base) {
                segment.delete(&self.dir)?;
            }
        }
        let dir = self.dir.clone();
        let segment = self
            .segments
            .get_mut(&seg_base)
            .expect("a retained entry's segment exists");
        segment
            .log
            .set_len(position)
            .map_err(io("truncate metadata log"))?;
        segment
            .log
            .sync_data()
            .map_err(io("fsync truncated metadata log"))?;
        segment.size = position;
        let pos = u32::try_from(position).expect("segments stay below 4 GiB");
        let rel = segment.relative(base_offset);
        segment.index.retain(|(_, p)| *p < pos);
        segment.time_index.retain(|(_, r)| *r < rel);
        segment.bytes_since_index = 0;
        segment.write_indexes(&dir)?;
        self.next_offset = base_offset;
        Ok(())
    }

    /// Drops the entries up to and including `index` from memory and returns the new log start.
    /// The caller persists the start, then calls [`delete_purged_segments`](Self::delete_purged_segments).
    pub fn purge_through(&mut self, index: u64) -> LogStart {
        self.entries.retain(|i, _| *i > index);
        let offset = self
            .entries
            .values()
            .next()
            .map_or(self.next_offset, |l| l.base_offset);
        self.start = LogStart {
            index: index + 1,
            offset: offset.max(self.start.offset),
        };
        self.start
    }

    /// Deletes segments that hold only purged batches (never the active one).
    pub fn delete_purged_segments(&mut self) -> Result<(), MetadataLogError> {
        let bases: Vec<i64> = self.segments.keys().copied().collect();
        for pair in bases.windows(2) {
            if pair[1] <= self.start.offset {
                if let Some(segment) = self.segments.remove(&pair[0]) {
                    segment.delete(&self.dir)?;
                }
            }
        }
        Ok(())
    }

    /// Base offsets of the segment files, oldest first.
    pub fn segment_base_offsets(&self) -> Vec<i64> {
        self.segments.keys().copied().collect()
    }
}
