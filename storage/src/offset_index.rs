//! The sparse offset index of one segment (`<base>.index`).
//!
//! Format (Kafka's `OffsetIndex`): 8-byte entries, big-endian `i32 relative offset` (offset −
//! segment base) and `i32 position` (byte position of a batch in the `.log`). An entry
//! `(offset, position)` is written for a batch whose *last* offset is `offset` and which starts at
//! `position`; entries are strictly increasing in both fields. Lookups binary-search the greatest
//! entry whose offset is ≤ the target, then the caller scans batch headers forward from there.
//!
//! Not synchronized: the owning segment guards it with a lock.

use std::path::Path;

use crate::error::LogError;
use crate::index_file::IndexFile;

/// Bytes per offset index entry.
pub const OFFSET_INDEX_ENTRY_BYTES: usize = 8;

/// An offset and the byte position of the batch that ends at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetPosition {
    /// Absolute offset.
    pub offset: i64,
    /// Byte position in the segment's `.log`.
    pub position: u32,
}

/// A memory-mapped offset index. See the module docs for the format.
#[derive(Debug)]
pub struct OffsetIndex {
    file: IndexFile,
    base_offset: i64,
}

impl OffsetIndex {
    /// Opens or creates the index; a new file is preallocated to `max_index_bytes`.
    pub fn open(path: &Path, base_offset: i64, max_index_bytes: u64) -> Result<Self, LogError> {
        Ok(Self {
            file: IndexFile::open(path, OFFSET_INDEX_ENTRY_BYTES, max_index_bytes)?,
            base_offset,
        })
    }

    /// The segment base offset entries are relative to.
    pub fn base_offset(&self) -> i64 {
        self.base_offset
    }

    /// Number of entries.
    pub fn entries(&self) -> usize {
        self.file.entries()
    }

    /// True when no entry can be appended without a resize (the segment must roll).
    pub fn is_full(&self) -> bool {
        self.file.is_full()
    }

    /// Entry `n` (< `entries()`).
    pub fn entry(&self, n: usize) -> OffsetPosition {
        let bytes = self.file.entry(n);
        let relative = i32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let position = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        OffsetPosition {
            offset: self.base_offset + i64::from(relative),
            position,
        }
    }

    /// The last entry's offset, or the base offset when empty.
    pub fn last_offset(&self) -> i64 {
        match self.entries() {
            0 => self.base_offset,
            n => self.entry(n - 1).offset,
        }
    }

    /// Appends `(offset, position)`. Entries must strictly increase; offsets must fit the 32-bit
    /// relative encoding. The caller checked `!is_full()`.
    pub fn append(&mut self, offset: i64, position: u32) -> Result<(), LogError> {
        let relative = offset - self.base_offset;
        if relative < 0 || relative > i64::from(i32::MAX) {
            return Err(LogError::InvalidRecord {
                reason: format!(
                    "offset {offset} does not fit the index of segment {}",
                    self.base_offset
                ),
            });
        }
        if let Some(last) = self.entries().checked_sub(1).map(|n| self.entry(n)) {
            if offset <= last.offset || position <= last.position {
                return Err(LogError::InvalidRecord {
                    reason: format!(
                        "index entry ({offset}, {position}) does not follow ({}, {}) in segment {}",
                        last.offset, last.position, self.base_offset
                    ),
                });
            }
        }
        let mut bytes = [0u8; OFFSET_INDEX_ENTRY_BYTES];
        bytes[..4].copy_from_slice(&(relative as i32).to_be_bytes());
        bytes[4..].copy_from_slice(&position.to_be_bytes());
        self.file.push(&bytes);
        Ok(())
    }

    /// The greatest entry with offset ≤ `target`, or `(base_offset, 0)` if there is none.
    pub fn lookup(&self, target: i64) -> OffsetPosition {
        // Index of the first entry whose offset is > target.
        let (mut low, mut high) = (0usize, self.entries());
        while low < high {
            let mid = low + (high - low) / 2;
            if self.entry(mid).offset <= target {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        match low {
            0 => OffsetPosition {
                offset: self.base_offset,
                position: 0,
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

    /// Checks the structural invariants against a `.log` of `log_size` bytes: entries strictly
    /// increasing, relative offsets non-negative, positions inside the log. Returns the reason
    /// on failure.
    pub fn sanity_check(&self, log_size: u64) -> Result<(), String> {
        let mut previous: Option<OffsetPosition> = None;
        for n in 0..self.entries() {
            let entry = self.entry(n);
            if entry.offset < self.base_offset {
                return Err(format!(
                    "entry {n} has offset {} below the base offset {}",
                    entry.offset, self.base_offset
                ));
            }
            if u64::from(entry.position) >= log_size.max(1) {
                return Err(format!(
                    "entry {n} points at byte {} of a {log_size}-byte log",
                    entry.position
                ));
            }
            if let Some(prev) = previous {
                if entry.offset <= prev.offset || entry.position <= prev.position {
                    return Err(format!(
                        "entry {n} ({}, {}) does not follow ({}, {})",
                        entry.offset, entry.position, prev.offset, prev.position
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

    /// Entries the file can hold at its current size.
    pub fn max_entries(&self) -> usize {
        self.file.max_entries()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_finds_greatest_entry_at_or_below_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut index =
            OffsetIndex::open(&dir.path().join("00000000000000000100.index"), 100, 1024)
                .expect("open");
        assert_eq!(
            index.lookup(150),
            OffsetPosition {
                offset: 100,
                position: 0
            }
        );
        for (offset, position) in [(110, 4000), (120, 8000), (130, 12000)] {
            index.append(offset, position).expect("append");
        }
        assert_eq!(
            index.lookup(99),
            OffsetPosition {
                offset: 100,
                position: 0
            }
        );
        assert_eq!(
            index.lookup(109),
            OffsetPosition {
                offset: 100,
                position: 0
            }
        );
        assert_eq!(
            index.lookup(110),
            OffsetPosition {
                offset: 110,
                position: 4000
            }
        );
        assert_eq!(
            index.lookup(125),
            OffsetPosition {
                offset: 120,
                position: 8000
            }
        );
        assert_eq!(
            index.lookup(10_000),
            OffsetPosition {
                offset: 130,
                position: 12000
            }
        );
    }

    #[test]
    fn non_increasing_entries_are_rejected() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut index = OffsetIndex::open(&dir.path().join("0.index"), 0, 1024).expect("open");
        index.append(5, 100).expect("append");
        assert!(index.append(5, 200).is_err());
        assert!(index.append(6, 100).is_err());
    }

    #[test]
    fn index_is_full_at_preallocated_size_and_trims_on_close() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("0.index");
        let mut index = OffsetIndex::open(&path, 0, 20).expect("open");
        assert_eq!(index.max_entries(), 2);
        index.append(1, 10).expect("append");
        index.append(2, 20).expect("append");
        assert!(index.is_full());
        index.trim_to_valid_size().expect("trim");
        drop(index);
        assert_eq!(std::fs::metadata(&path).expect("stat").len(), 16);
        let reopened = OffsetIndex::open(&path, 0, 20).expect("reopen");
        assert_eq!(reopened.entries(), 2);
        assert_eq!(
            reopened.entry(1),
            OffsetPosition {
                offset: 2,
                position: 20
            }
        );
    }

    #[test]
    fn truncate_removes_entries_at_and_above_offset() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut index = OffsetIndex::open(&dir.path().join("0.index"), 0, 1024).expect("open");
        for n in 1..=5 {
            index.append(n * 10, (n * 100) as u32).expect("append");
        }
        index.truncate_to(30);
        assert_eq!(index.entries(), 2);
        assert_eq!(index.last_offset(), 20);
        index.append(25, 250).expect("append after truncate");
    }

    #[test]
    fn preallocated_zero_tail_fails_sanity_check() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("0.index");
        let mut index = OffsetIndex::open(&path, 0, 64).expect("open");
        index.append(3, 100).expect("append");
        index.flush().expect("flush");
        drop(index);
        // Reopened without a trim (as after a crash): the zero entries count as entries.
        let reopened = OffsetIndex::open(&path, 0, 64).expect("reopen");
        assert!(reopened.sanity_check(1000).is_err());
    }
}
