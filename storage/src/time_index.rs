//! The sparse time index of one segment (`<base>.timeindex`).
//!
//! Format (Kafka's `TimeIndex`): 12-byte entries, big-endian `i64 timestamp` and `i32 relative
//! offset`. An entry `(T, O)` means "every record with a timestamp greater than T is at an offset
//! after O": T is the largest timestamp seen so far in the segment and O the last offset of the
//! batch that carried it. Timestamps strictly increase; offsets never decrease. One slot is always
//! kept free so the final entry can be written when the segment rolls.
//!
//! Not synchronized: the owning segment guards it with a lock.

use std::path::Path;

use crate::error::LogError;
use crate::index_file::IndexFile;

/// Bytes per time index entry.
pub const TIME_INDEX_ENTRY_BYTES: usize = 12;

/// A timestamp and an offset, as stored in the time index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampOffsetEntry {
    /// Timestamp in ms.
    pub timestamp: i64,
    /// Absolute offset.
    pub offset: i64,
}

/// A memory-mapped time index. See the module docs for the format.
#[derive(Debug)]
pub struct TimeIndex {
    file: IndexFile,
    base_offset: i64,
}

impl TimeIndex {
    /// Opens or creates the index; a new file is preallocated to `max_index_bytes`.
    pub fn open(path: &Path, base_offset: i64, max_index_bytes: u64) -> Result<Self, LogError> {
        Ok(Self {
            file: IndexFile::open(path, TIME_INDEX_ENTRY_BYTES, max_index_bytes)?,
            base_offset,
        })
    }

    /// Number of entries.
    pub fn entries(&self) -> usize {
        self.file.entries()
    }

    /// True when only the slot reserved for the roll entry is left.
    pub fn is_full(&self) -> bool {
        self.file.entries() + 1 >= self.file.max_entries()
    }

    /// Entry `n` (< `entries()`).
    pub fn entry(&self, n: usize) -> TimestampOffsetEntry {
        let bytes = self.file.entry(n);
        let mut ts = [0u8; 8];
        ts.copy_from_slice(&bytes[..8]);
        let relative = i32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        TimestampOffsetEntry {
            timestamp: i64::from_be_bytes(ts),
            offset: self.base_offset + i64::from(relative),
        }
    }

    /// The last entry, or `(-1, base_offset)` when empty.
    pub fn last_entry(&self) -> TimestampOffsetEntry {
        match self.entries() {
            0 => TimestampOffsetEntry {
                timestamp: -1,
                offset: self.base_offset,
            },
            n => self.entry(n - 1),
        }
    }

    /// Appends `(timestamp, offset)` if `timestamp` is larger than the last entry's. With
    /// `skip_full_check` the reserved last slot may be used (on roll).
    pub fn maybe_append(
        &mut self,
        timestamp: i64,
        offset: i64,
        skip_full_check: bool,
    ) -> Result<(), LogError> {
        if self.file.is_full() || (!skip_full_check && self.is_full()) {
            return Ok(());
        }
        let relative = offset - self.base_offset;
        if relative < 0 || relative > i64::from(i32::MAX) {
            return Err(LogError::InvalidRecord {
                reason: format!(
                    "offset {offset} does not fit the time index of segment {}",
                    self.base_offset
                ),
            });
        }
        if self.entries() > 0 {
            let last = self.last_entry();
            if offset < last.offset {
                return Err(LogError::InvalidRecord {
                    reason: format!(
                        "time index offset {offset} is below the last entry's {}",
                        last.offset
                    ),
                });
            }
            if timestamp <= last.timestamp {
                return Ok(());
            }
        }
        let mut bytes = [0u8; TIME_INDEX_ENTRY_BYTES];
        bytes[..8].copy_from_slice(&timestamp.to_be_bytes());
        bytes[8..].copy_from_slice(&(relative as i32).to_be_bytes());
        self.file.push(&bytes);
        Ok(())
    }

    /// The entry with the largest timestamp ≤ `target`, or `(-1, base_offset)` if none.
    pub fn lookup(&self, target: i64) -> TimestampOffsetEntry {
        let (mut low, mut high) = (0usize, self.entries());
        while low < high {
            let mid = low + (high - low) / 2;
            if self.entry(mid).timestamp <= target {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        match low {
            0 => TimestampOffsetEntry {
                timestamp: -1,
                offset: self.base_offset,
            },
            n => self.entry(n - 1),
        }
    }

    /// Removes every entry with offset ≥ `offset`.
    pub fn truncate_to(&mut self, offset: i64) {
        let keep = (0..self.entries())
            .take_while(|&n| self.entry(n).offset < offset)
            .count();
        self.file.truncate_entries(keep);
    }

    /// Checks structure: offsets within `[base, last_offset]` and non-decreasing, timestamps strictly
    /// increasing. Returns the reason on failure.
    pub fn sanity_check(&self, last_offset: i64) -> Result<(), String> {
        let mut previous: Option<TimestampOffsetEntry> = None;
        for n in 0..self.entries() {
            let entry = self.entry(n);
            if entry.offset < self.base_offset || entry.offset > last_offset.max(self.base_offset) {
                return Err(format!(
                    "entry {n} has offset {} outside [{}, {last_offset}]",
                    entry.offset, self.base_offset
                ));
            }
            if let Some(prev) = previous {
                if entry.timestamp <= prev.timestamp || entry.offset < prev.offset {
                    return Err(format!(
                        "entry {n} ({}, {}) does not follow ({}, {})",
                        entry.timestamp, entry.offset, prev.timestamp, prev.offset
                    ));
                }
            }
            previous = Some(entry);
        }
        Ok(())
    }

    /// Resizes the file (rounded down to whole entries).
    pub fn resize(&mut self, max_index_bytes: u64) -> Result<(), LogError> {
        self.file.resize(max_index_bytes)
    }

    /// Shrinks the file to the used entries.
    pub fn trim_to_valid_size(&mut self) -> Result<(), LogError> {
        self.file.trim_to_valid_size()
    }

    /// Drops every entry (before a rebuild) and preallocates `max_index_bytes`.
    pub fn reset(&mut self, max_index_bytes: u64) -> Result<(), LogError> {
        self.file.reset(max_index_bytes)
    }

    /// Writes dirty pages to disk.
    pub fn flush(&self) -> Result<(), LogError> {
        self.file.flush()
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    pub(crate) fn rename(&mut self, to: std::path::PathBuf) -> Result<(), LogError> {
        self.file.rename(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_returns_largest_timestamp_at_or_below_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut index = TimeIndex::open(&dir.path().join("0.timeindex"), 50, 1200).expect("open");
        assert_eq!(
            index.lookup(5),
            TimestampOffsetEntry {
                timestamp: -1,
                offset: 50
            }
        );
        index.maybe_append(100, 55, false).expect("append");
        index
            .maybe_append(100, 60, false)
            .expect("same timestamp is skipped");
        index.maybe_append(200, 70, false).expect("append");
        assert_eq!(index.entries(), 2);
        assert_eq!(index.lookup(99).offset, 50);
        assert_eq!(
            index.lookup(150),
            TimestampOffsetEntry {
                timestamp: 100,
                offset: 55
            }
        );
        assert_eq!(
            index.lookup(200),
            TimestampOffsetEntry {
                timestamp: 200,
                offset: 70
            }
        );
    }

    #[test]
    fn last_slot_is_reserved_for_the_roll_entry() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut index = TimeIndex::open(&dir.path().join("0.timeindex"), 0, 24).expect("open");
        index.maybe_append(1, 1, false).expect("append");
        assert!(index.is_full());
        index.maybe_append(2, 2, false).expect("skipped when full");
        assert_eq!(index.entries(), 1);
        index.maybe_append(2, 2, true).expect("roll entry");
        assert_eq!(index.entries(), 2);
    }

    #[test]
    fn offsets_going_backwards_are_rejected() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut index = TimeIndex::open(&dir.path().join("0.timeindex"), 0, 1200).expect("open");
        index.maybe_append(10, 10, false).expect("append");
        assert!(index.maybe_append(20, 5, false).is_err());
    }

    #[test]
    fn truncate_drops_entries_from_offset() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut index = TimeIndex::open(&dir.path().join("0.timeindex"), 0, 1200).expect("open");
        for n in 1..=4 {
            index.maybe_append(n * 100, n * 10, false).expect("append");
        }
        index.truncate_to(25);
        assert_eq!(index.entries(), 2);
        assert_eq!(
            index.last_entry(),
            TimestampOffsetEntry {
                timestamp: 200,
                offset: 20
            }
        );
    }
}
