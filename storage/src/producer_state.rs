//! Idempotent-producer state of one partition and its `<offset>.snapshot` files.
//!
//! Kafka's `ProducerStateManager`: per producer id, the current epoch and the metadata of its last
//! [`BATCHES_RETAINED_PER_PRODUCER`] batches. On a leader append a batch is
//! - a **duplicate** when its epoch is current and its first and last sequence equal one of the
//!   retained batches: the log answers with that batch's original offsets and appends nothing;
//! - **fenced** ([`LogError::InvalidProducerEpoch`]) when its epoch is older than the current one;
//! - **out of order** ([`LogError::OutOfOrderSequence`]) when, in the current epoch, its first
//!   sequence is not last sequence + 1 (wrapping at `i32::MAX`), or when a new epoch does not
//!   start at sequence 0. A producer the log does not know (or whose state was removed) may
//!   start at any sequence, as in Kafka ≥ 2.5.
//!
//! Snapshot format (`ProducerSnapshot.json` v1, big-endian): `i16 version=1 | u32 CRC-32C of
//! everything after it | i32 count | count × {i64 producer id, i16 epoch, i32 last sequence, i64
//! last offset, i32 offset delta, i64 timestamp, i32 coordinator epoch, i64 current txn first
//! offset}`. A snapshot named `<offset>.snapshot` holds the state of every batch below `offset`.
//!
//! Not synchronized: the log holds it behind a lock and updates it only on the append path.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

use crate::batch_header::BatchHeader;
use crate::checkpoint_file::write_atomically;
use crate::error::{IoContext, LogError};
use crate::segment::filename_prefix;

/// Suffix of producer snapshot files.
pub const PRODUCER_SNAPSHOT_SUFFIX: &str = ".snapshot";
/// Batches remembered per producer for duplicate detection (Kafka's `NUM_BATCHES_TO_RETAIN`).
pub const BATCHES_RETAINED_PER_PRODUCER: usize = 5;
const SNAPSHOT_VERSION: i16 = 1;
const SNAPSHOT_ENTRIES_OFFSET: usize = 6;
const SNAPSHOT_ENTRY_BYTES: usize = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;
const NO_PRODUCER_EPOCH: i16 = -1;
const NO_SEQUENCE: i32 = -1;

/// Metadata of one appended batch of a producer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchMetadata {
    /// First sequence of the batch.
    pub first_seq: i32,
    /// Last sequence of the batch.
    pub last_seq: i32,
    /// First offset assigned to the batch.
    pub first_offset: i64,
    /// Last offset assigned to the batch.
    pub last_offset: i64,
    /// The batch's max timestamp (the LogAppendTime when the topic uses it).
    pub timestamp: i64,
}

/// What the log knows about one producer id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerStateEntry {
    /// Producer id.
    pub producer_id: i64,
    /// Current epoch, -1 if unknown.
    pub producer_epoch: i16,
    /// Epoch of the transaction coordinator that last wrote a marker, -1 if none.
    pub coordinator_epoch: i32,
    /// Timestamp of the last batch.
    pub last_timestamp: i64,
    /// First offset of the open transaction, if one is open.
    pub current_txn_first_offset: Option<i64>,
    /// Last batches, oldest first, at most [`BATCHES_RETAINED_PER_PRODUCER`].
    pub batches: VecDeque<BatchMetadata>,
}

impl ProducerStateEntry {
    fn empty(producer_id: i64) -> Self {
        Self {
            producer_id,
            producer_epoch: NO_PRODUCER_EPOCH,
            coordinator_epoch: -1,
            last_timestamp: -1,
            current_txn_first_offset: None,
            batches: VecDeque::new(),
        }
    }

    /// Last sequence written, -1 if none.
    pub fn last_seq(&self) -> i32 {
        self.batches.back().map_or(NO_SEQUENCE, |b| b.last_seq)
    }

    /// Last offset written, -1 if none.
    pub fn last_data_offset(&self) -> i64 {
        self.batches.back().map_or(-1, |b| b.last_offset)
    }

    /// First sequence of the oldest retained batch, -1 if none.
    pub fn first_seq(&self) -> i32 {
        self.batches.front().map_or(NO_SEQUENCE, |b| b.first_seq)
    }

    fn find_duplicate(&self, header: &BatchHeader) -> Option<BatchMetadata> {
        if header.producer_epoch != self.producer_epoch {
            return None;
        }
        let (first, last) = (header.base_sequence, header.last_sequence());
        self.batches
            .iter()
            .find(|b| b.first_seq == first && b.last_seq == last)
            .copied()
    }

    fn add_batch(&mut self, header: &BatchHeader) {
        if header.producer_epoch != self.producer_epoch {
            self.batches.clear();
            self.producer_epoch = header.producer_epoch;
        }
        self.last_timestamp = header.max_timestamp;
        if header.is_control() {
            // A transaction marker ends the open transaction.
            self.current_txn_first_offset = None;
            return;
        }
        if header.is_transactional() && self.current_txn_first_offset.is_none() {
            self.current_txn_first_offset = Some(header.base_offset);
        }
        if header.base_sequence == NO_SEQUENCE {
            return;
        }
        self.batches.push_back(BatchMetadata {
            first_seq: header.base_sequence,
            last_seq: header.last_sequence(),
            first_offset: header.base_offset,
            last_offset: header.last_offset(),
            timestamp: header.max_timestamp,
        });
        while self.batches.len() > BATCHES_RETAINED_PER_PRODUCER {
            self.batches.pop_front();
        }
    }
}

fn in_sequence(last_seq: i32, next_seq: i32) -> bool {
    i64::from(next_seq) == i64::from(last_seq) + 1 || (next_seq == 0 && last_seq == i32::MAX)
}

fn next_sequence(last_seq: i32) -> i32 {
    if last_seq == i32::MAX {
        0
    } else {
        last_seq + 1
    }
}

/// Outcome of checking a leader append against producer state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProducerAppendCheck {
    /// Every batch may be appended.
    Accept,
    /// A batch repeats one already in the log: answer with these offsets, append nothing.
    Duplicate(BatchMetadata),
}

/// See the module docs.
#[derive(Debug)]
pub struct ProducerStateManager {
    dir: PathBuf,
    producers: BTreeMap<i64, ProducerStateEntry>,
    /// Offset after the last batch reflected in `producers`.
    map_end_offset: i64,
}

/// `<dir>/<offset>.snapshot`.
pub fn snapshot_file(dir: &Path, offset: i64) -> PathBuf {
    dir.join(format!(
        "{}{PRODUCER_SNAPSHOT_SUFFIX}",
        filename_prefix(offset)
    ))
}

impl ProducerStateManager {
    /// Empty state for the partition directory `dir`.
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            producers: BTreeMap::new(),
            map_end_offset: 0,
        }
    }

    /// Every known producer.
    pub fn producers(&self) -> impl Iterator<Item = &ProducerStateEntry> {
        self.producers.values()
    }

    /// One producer's state.
    pub fn entry(&self, producer_id: i64) -> Option<&ProducerStateEntry> {
        self.producers.get(&producer_id)
    }

    /// Offset after the last batch the state reflects.
    pub fn map_end_offset(&self) -> i64 {
        self.map_end_offset
    }

    /// Checks the batches of one leader append in order (later batches of the same producer are
    /// checked against the earlier ones). Batches without a producer id are not checked.
    pub fn check_leader_append(
        &self,
        headers: &[BatchHeader],
    ) -> Result<ProducerAppendCheck, LogError> {
        let mut pending: BTreeMap<i64, ProducerStateEntry> = BTreeMap::new();
        for header in headers.iter().filter(|h| h.has_producer_id()) {
            let pid = header.producer_id;
            let entry = pending
                .get(&pid)
                .or_else(|| self.producers.get(&pid))
                .cloned()
                .unwrap_or_else(|| ProducerStateEntry::empty(pid));
            if let Some(duplicate) = self
                .producers
                .get(&pid)
                .and_then(|e| e.find_duplicate(header))
            {
                return Ok(ProducerAppendCheck::Duplicate(duplicate));
            }
            if header.producer_epoch < entry.producer_epoch {
                return Err(LogError::InvalidProducerEpoch {
                    producer_id: pid,
                    current: entry.producer_epoch,
                    received: header.producer_epoch,
                });
            }
            let first_seq = header.base_sequence;
            if header.producer_epoch != entry.producer_epoch {
                if first_seq != 0 && entry.producer_epoch != NO_PRODUCER_EPOCH {
                    return Err(LogError::OutOfOrderSequence {
                        producer_id: pid,
                        expected: 0,
                        received: first_seq,
                    });
                }
            } else {
                let last_seq = entry.last_seq();
                if entry.producer_epoch != NO_PRODUCER_EPOCH && !in_sequence(last_seq, first_seq) {
                    return Err(LogError::OutOfOrderSequence {
                        producer_id: pid,
                        expected: next_sequence(last_seq),
                        received: first_seq,
                    });
                }
            }
            let mut updated = entry;
            updated.add_batch(header);
            pending.insert(pid, updated);
        }
        Ok(ProducerAppendCheck::Accept)
    }

    /// Records an appended batch (offsets assigned). Also used to replay the log on recovery.
    pub fn update(&mut self, header: &BatchHeader) {
        if header.has_producer_id() {
            self.producers
                .entry(header.producer_id)
                .or_insert_with(|| ProducerStateEntry::empty(header.producer_id))
                .add_batch(header);
        }
        self.map_end_offset = self.map_end_offset.max(header.next_offset());
    }

    /// Marks the state as reflecting every batch below `offset` (e.g. after an append of batches
    /// without producer ids, or when the log starts at `offset`).
    pub fn update_map_end_offset(&mut self, offset: i64) {
        self.map_end_offset = offset;
    }

    /// Drops producers whose last batch is older than `now_ms - expiration_ms` and have no open
    /// transaction (`producer.id.expiration.ms`). Returns how many were removed.
    pub fn remove_expired(&mut self, now_ms: i64, expiration_ms: i64) -> usize {
        let before = self.producers.len();
        self.producers.retain(|_, e| {
            e.current_txn_first_offset.is_some()
                || now_ms.saturating_sub(e.last_timestamp) < expiration_ms
        });
        before - self.producers.len()
    }

    /// Forgets everything (the log was emptied) and starts at `offset`.
    pub fn reset(&mut self, offset: i64) {
        self.producers.clear();
        self.map_end_offset = offset;
    }

    /// Writes `<map_end_offset>.snapshot` atomically. Returns the file path.
    pub fn take_snapshot(&self) -> Result<PathBuf, LogError> {
        let path = snapshot_file(&self.dir, self.map_end_offset);
        write_atomically(&path, &self.encode_snapshot())?;
        Ok(path)
    }

    fn encode_snapshot(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(
            SNAPSHOT_ENTRIES_OFFSET + 4 + self.producers.len() * SNAPSHOT_ENTRY_BYTES,
        );
        buf.extend_from_slice(&SNAPSHOT_VERSION.to_be_bytes());
        buf.extend_from_slice(&[0u8; 4]);
        buf.extend_from_slice(&(self.producers.len() as i32).to_be_bytes());
        for entry in self.producers.values() {
            let last = entry.batches.back();
            buf.extend_from_slice(&entry.producer_id.to_be_bytes());
            buf.extend_from_slice(&entry.producer_epoch.to_be_bytes());
            buf.extend_from_slice(&last.map_or(NO_SEQUENCE, |b| b.last_seq).to_be_bytes());
            buf.extend_from_slice(&last.map_or(-1i64, |b| b.last_offset).to_be_bytes());
            buf.extend_from_slice(
                &last
                    .map_or(0i32, |b| (b.last_offset - b.first_offset) as i32)
                    .to_be_bytes(),
            );
            buf.extend_from_slice(&entry.last_timestamp.to_be_bytes());
            buf.extend_from_slice(&entry.coordinator_epoch.to_be_bytes());
            buf.extend_from_slice(&entry.current_txn_first_offset.unwrap_or(-1).to_be_bytes());
        }
        let crc = crc32c::crc32c(&buf[SNAPSHOT_ENTRIES_OFFSET..]);
        buf[2..6].copy_from_slice(&crc.to_be_bytes());
        buf
    }

    /// Decodes a snapshot file's bytes.
    pub fn decode_snapshot(bytes: &[u8]) -> Result<Vec<ProducerStateEntry>, String> {
        if bytes.len() < SNAPSHOT_ENTRIES_OFFSET + 4 {
            return Err(format!("{} bytes is too short for a snapshot", bytes.len()));
        }
        let version = i16::from_be_bytes([bytes[0], bytes[1]]);
        if version != SNAPSHOT_VERSION {
            return Err(format!("unknown snapshot version {version}"));
        }
        let stored = u32::from_be_bytes([bytes[2], bytes[3], bytes[4], bytes[5]]);
        let computed = crc32c::crc32c(&bytes[SNAPSHOT_ENTRIES_OFFSET..]);
        if stored != computed {
            return Err(format!(
                "snapshot CRC is not valid: stored {stored:#010x}, computed {computed:#010x}"
            ));
        }
        let count = i32::from_be_bytes([bytes[6], bytes[7], bytes[8], bytes[9]]);
        let count =
            usize::try_from(count).map_err(|_| format!("negative producer count {count}"))?;
        let body = &bytes[SNAPSHOT_ENTRIES_OFFSET + 4..];
        if body.len() != count * SNAPSHOT_ENTRY_BYTES {
            return Err(format!(
                "{count} entries need {} bytes but {} remain",
                count * SNAPSHOT_ENTRY_BYTES,
                body.len()
            ));
        }
        let mut entries = Vec::with_capacity(count);
        for raw in body.chunks_exact(SNAPSHOT_ENTRY_BYTES) {
            let i64_at =
                |at: usize| i64::from_be_bytes(raw[at..at + 8].try_into().expect("8 bytes"));
            let i32_at =
                |at: usize| i32::from_be_bytes(raw[at..at + 4].try_into().expect("4 bytes"));
            let producer_id = i64_at(0);
            let epoch = i16::from_be_bytes([raw[8], raw[9]]);
            let last_seq = i32_at(10);
            let last_offset = i64_at(14);
            let offset_delta = i32_at(22);
            let timestamp = i64_at(26);
            let coordinator_epoch = i32_at(34);
            let txn_first = i64_at(38);
            let mut batches = VecDeque::new();
            if last_offset >= 0 {
                let first_seq = if i64::from(last_seq) - i64::from(offset_delta) < 0 {
                    (i64::from(last_seq) - i64::from(offset_delta) + i64::from(i32::MAX) + 1) as i32
                } else {
                    last_seq - offset_delta
                };
                batches.push_back(BatchMetadata {
                    first_seq,
                    last_seq,
                    first_offset: last_offset - i64::from(offset_delta),
                    last_offset,
                    timestamp,
                });
            }
            entries.push(ProducerStateEntry {
                producer_id,
                producer_epoch: epoch,
                coordinator_epoch,
                last_timestamp: timestamp,
                current_txn_first_offset: (txn_first >= 0).then_some(txn_first),
                batches,
            });
        }
        Ok(entries)
    }

    /// Offsets of the snapshot files in the directory, ascending.
    pub fn snapshot_offsets(&self) -> Result<Vec<i64>, LogError> {
        let mut offsets = Vec::new();
        let listing =
            std::fs::read_dir(&self.dir).io_context(|| format!("list {}", self.dir.display()))?;
        for dirent in listing {
            let dirent = dirent.io_context(|| format!("list {}", self.dir.display()))?;
            let name = dirent.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(offset) = name
                .strip_suffix(PRODUCER_SNAPSHOT_SUFFIX)
                .and_then(|n| n.parse::<i64>().ok())
            {
                offsets.push(offset);
            }
        }
        offsets.sort_unstable();
        Ok(offsets)
    }

    /// Kafka's `truncateAndReload`: deletes snapshots outside `[log_start, log_end]`, then loads
    /// the newest valid snapshot (a corrupt one is deleted and the next older tried). The state
    /// then reflects everything below the returned offset; the caller replays the log from there
    /// to `log_end`. With no usable snapshot the state is empty at `log_start`.
    pub fn truncate_and_reload(&mut self, log_start: i64, log_end: i64) -> Result<i64, LogError> {
        let offsets = self.snapshot_offsets()?;
        for &offset in offsets.iter().filter(|&&o| o < log_start || o > log_end) {
            remove_if_exists(&snapshot_file(&self.dir, offset))?;
        }
        self.reset(log_start);
        for &offset in offsets
            .iter()
            .rev()
            .filter(|&&o| o >= log_start && o <= log_end)
        {
            let path = snapshot_file(&self.dir, offset);
            let bytes = std::fs::read(&path).io_context(|| format!("read {}", path.display()))?;
            match Self::decode_snapshot(&bytes) {
                Ok(entries) => {
                    self.producers = entries.into_iter().map(|e| (e.producer_id, e)).collect();
                    self.map_end_offset = offset;
                    return Ok(offset);
                }
                Err(reason) => {
                    tracing::warn!(snapshot = %path.display(), %reason, "deleting corrupt producer snapshot");
                    remove_if_exists(&path)?;
                }
            }
        }
        Ok(log_start)
    }

    /// Installs a snapshot taken elsewhere (the remote tier's copy) as `<offset>.snapshot` and
    /// loads it; the state then reflects everything below `offset`. A snapshot that does not
    /// decode is refused (`false`) and nothing changes.
    pub fn install_snapshot(&mut self, offset: i64, bytes: &[u8]) -> Result<bool, LogError> {
        let entries = match Self::decode_snapshot(bytes) {
            Ok(entries) => entries,
            Err(reason) => {
                tracing::warn!(offset, %reason, "ignoring an undecodable producer snapshot");
                return Ok(false);
            }
        };
        write_atomically(&snapshot_file(&self.dir, offset), bytes)?;
        self.producers = entries.into_iter().map(|e| (e.producer_id, e)).collect();
        self.map_end_offset = offset;
        Ok(true)
    }

    /// Deletes snapshot files with offsets below `offset` (their segments are gone).
    pub fn delete_snapshots_before(&self, offset: i64) -> Result<(), LogError> {
        for snapshot in self.snapshot_offsets()?.into_iter().filter(|&o| o < offset) {
            remove_if_exists(&snapshot_file(&self.dir, snapshot))?;
        }
        Ok(())
    }

    /// Deletes snapshot files with offsets above `offset` (the log was truncated).
    pub fn delete_snapshots_after(&self, offset: i64) -> Result<(), LogError> {
        for snapshot in self.snapshot_offsets()?.into_iter().filter(|&o| o > offset) {
            remove_if_exists(&snapshot_file(&self.dir, snapshot))?;
        }
        Ok(())
    }
}

fn remove_if_exists(path: &Path) -> Result<(), LogError> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(LogError::io(format!("delete {}", path.display()), err))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(pid: i64, epoch: i16, base_seq: i32, base_offset: i64, records: i32) -> BatchHeader {
        BatchHeader {
            base_offset,
            length: 49,
            partition_leader_epoch: 0,
            magic: 2,
            crc: 0,
            attributes: 0,
            last_offset_delta: records - 1,
            base_timestamp: 1000,
            max_timestamp: 1000,
            producer_id: pid,
            producer_epoch: epoch,
            base_sequence: base_seq,
            records_count: records,
        }
    }

    #[test]
    fn duplicate_of_retained_batch_returns_original_offsets() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut state = ProducerStateManager::new(dir.path());
        state.update(&batch(7, 0, 0, 100, 3));
        state.update(&batch(7, 0, 3, 103, 2));
        let check = state
            .check_leader_append(&[batch(7, 0, 0, 0, 3)])
            .expect("check");
        assert_eq!(
            check,
            ProducerAppendCheck::Duplicate(BatchMetadata {
                first_seq: 0,
                last_seq: 2,
                first_offset: 100,
                last_offset: 102,
                timestamp: 1000
            })
        );
    }

    #[test]
    fn only_the_last_five_batches_are_remembered() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut state = ProducerStateManager::new(dir.path());
        for n in 0..6 {
            state.update(&batch(1, 0, n, i64::from(n), 1));
        }
        assert_eq!(state.entry(1).expect("entry").batches.len(), 5);
        // Sequence 0 fell out of the window: no longer a duplicate, and out of order.
        assert!(matches!(
            state.check_leader_append(&[batch(1, 0, 0, 0, 1)]),
            Err(LogError::OutOfOrderSequence {
                expected: 6,
                received: 0,
                ..
            })
        ));
    }

    #[test]
    fn gap_in_sequence_is_out_of_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut state = ProducerStateManager::new(dir.path());
        state.update(&batch(1, 0, 0, 0, 5));
        assert_eq!(
            state
                .check_leader_append(&[batch(1, 0, 5, 0, 1)])
                .expect("next"),
            ProducerAppendCheck::Accept
        );
        assert!(matches!(
            state.check_leader_append(&[batch(1, 0, 6, 0, 1)]),
            Err(LogError::OutOfOrderSequence {
                expected: 5,
                received: 6,
                ..
            })
        ));
        // Within one request, the second batch is checked against the first.
        assert_eq!(
            state
                .check_leader_append(&[batch(1, 0, 5, 0, 2), batch(1, 0, 7, 0, 1)])
                .expect("chained"),
            ProducerAppendCheck::Accept
        );
        assert!(state
            .check_leader_append(&[batch(1, 0, 5, 0, 2), batch(1, 0, 8, 0, 1)])
            .is_err());
    }

    #[test]
    fn older_epoch_is_fenced_and_new_epoch_must_start_at_zero() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut state = ProducerStateManager::new(dir.path());
        state.update(&batch(1, 3, 0, 0, 1));
        assert!(matches!(
            state.check_leader_append(&[batch(1, 2, 1, 0, 1)]),
            Err(LogError::InvalidProducerEpoch {
                current: 3,
                received: 2,
                ..
            })
        ));
        assert!(matches!(
            state.check_leader_append(&[batch(1, 4, 1, 0, 1)]),
            Err(LogError::OutOfOrderSequence { expected: 0, .. })
        ));
        assert_eq!(
            state
                .check_leader_append(&[batch(1, 4, 0, 0, 1)])
                .expect("bump"),
            ProducerAppendCheck::Accept
        );
    }

    #[test]
    fn unknown_producer_may_start_at_any_sequence() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = ProducerStateManager::new(dir.path());
        assert_eq!(
            state
                .check_leader_append(&[batch(9, 0, 42, 0, 1)])
                .expect("new producer"),
            ProducerAppendCheck::Accept
        );
    }

    #[test]
    fn snapshot_round_trips_and_detects_corruption() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut state = ProducerStateManager::new(dir.path());
        state.update(&batch(1, 2, 10, 50, 4));
        state.update(&batch(3, 0, 0, 54, 1));
        let path = state.take_snapshot().expect("snapshot");
        assert!(path.ends_with("00000000000000000055.snapshot"));
        let bytes = std::fs::read(&path).expect("read");
        assert_eq!(bytes.len(), 10 + 2 * SNAPSHOT_ENTRY_BYTES);
        let mut loaded = ProducerStateManager::new(dir.path());
        assert_eq!(loaded.truncate_and_reload(0, 55).expect("reload"), 55);
        let entry = loaded.entry(1).expect("producer 1");
        assert_eq!(entry.producer_epoch, 2);
        assert_eq!(
            entry.batches.back().copied(),
            Some(BatchMetadata {
                first_seq: 10,
                last_seq: 13,
                first_offset: 50,
                last_offset: 53,
                timestamp: 1000
            })
        );
        // The duplicate check works from a loaded snapshot.
        assert!(matches!(
            loaded.check_leader_append(&[batch(1, 2, 10, 0, 4)]),
            Ok(ProducerAppendCheck::Duplicate(_))
        ));

        let mut corrupt = bytes.clone();
        corrupt[20] ^= 0xff;
        assert!(ProducerStateManager::decode_snapshot(&corrupt).is_err());
        std::fs::write(&path, &corrupt).expect("write");
        let mut reloaded = ProducerStateManager::new(dir.path());
        assert_eq!(reloaded.truncate_and_reload(0, 55).expect("reload"), 0);
        assert!(!path.exists(), "a corrupt snapshot is deleted");
    }

    #[test]
    fn snapshot_bytes_follow_kafka_producer_snapshot_v1() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut state = ProducerStateManager::new(dir.path());
        let mut txn = batch(42, 3, 7, 100, 2);
        txn.attributes = 0x10;
        state.update(&txn);
        let bytes = std::fs::read(state.take_snapshot().expect("snapshot")).expect("read");
        let mut expected = Vec::new();
        expected.extend_from_slice(&1i16.to_be_bytes()); // version
        expected.extend_from_slice(&[0; 4]); // crc, filled below
        expected.extend_from_slice(&1i32.to_be_bytes()); // one entry
        expected.extend_from_slice(&42i64.to_be_bytes()); // producer id
        expected.extend_from_slice(&3i16.to_be_bytes()); // epoch
        expected.extend_from_slice(&8i32.to_be_bytes()); // last sequence
        expected.extend_from_slice(&101i64.to_be_bytes()); // last offset
        expected.extend_from_slice(&1i32.to_be_bytes()); // offset delta
        expected.extend_from_slice(&1000i64.to_be_bytes()); // timestamp
        expected.extend_from_slice(&(-1i32).to_be_bytes()); // coordinator epoch
        expected.extend_from_slice(&100i64.to_be_bytes()); // current txn first offset
        let crc = crc32c::crc32c(&expected[6..]);
        expected[2..6].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(bytes, expected);
    }

    #[test]
    fn snapshots_beyond_log_end_are_deleted_on_reload() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut state = ProducerStateManager::new(dir.path());
        state.update(&batch(1, 0, 0, 0, 10));
        state.take_snapshot().expect("snapshot");
        let mut reloaded = ProducerStateManager::new(dir.path());
        assert_eq!(reloaded.truncate_and_reload(0, 5).expect("reload"), 0);
        assert!(reloaded.snapshot_offsets().expect("list").is_empty());
    }
}
