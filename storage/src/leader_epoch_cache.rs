//! The leader-epoch cache of one partition and its `leader-epoch-checkpoint` file.
//!
//! Kafka's `LeaderEpochFileCache`: an ordered list of `(epoch, start offset)` — the first offset
//! written in each leader epoch — strictly increasing in both fields. It answers
//! OffsetForLeaderEpoch (`end_offset_for`) and stamps ListOffsets answers. Every change is written
//! to the checkpoint (`0\n<count>\n<epoch> <offset>\n...`) before the batch that caused it is
//! appended, so recovery can trust the file and check batch epochs against it.
//!
//! Not synchronized: the log holds it behind a lock.

use std::path::Path;

use crate::checkpoint_file::CheckpointFile;
use crate::error::LogError;

/// File name in the partition directory.
pub const LEADER_EPOCH_CHECKPOINT_FILE: &str = "leader-epoch-checkpoint";
const LEADER_EPOCH_CHECKPOINT_VERSION: i32 = 0;

/// One epoch and the first offset written in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochEntry {
    /// Leader epoch.
    pub epoch: i32,
    /// First offset of the epoch.
    pub start_offset: i64,
}

/// See the module docs.
#[derive(Debug)]
pub struct LeaderEpochFileCache {
    checkpoint: CheckpointFile,
    entries: Vec<EpochEntry>,
}

impl LeaderEpochFileCache {
    /// Loads `dir/leader-epoch-checkpoint` (empty when absent).
    pub fn load(dir: &Path) -> Result<Self, LogError> {
        let checkpoint = CheckpointFile::new(
            dir.join(LEADER_EPOCH_CHECKPOINT_FILE),
            LEADER_EPOCH_CHECKPOINT_VERSION,
        );
        let mut entries = Vec::new();
        for line in checkpoint.read()?.unwrap_or_default() {
            let parsed = line.split_once(' ').and_then(|(e, o)| {
                Some(EpochEntry {
                    epoch: e.trim().parse().ok()?,
                    start_offset: o.trim().parse().ok()?,
                })
            });
            let entry = parsed.ok_or_else(|| LogError::CorruptFile {
                path: checkpoint.path().to_path_buf(),
                reason: format!("malformed entry {line:?}"),
            })?;
            if let Some(last) = entries.last().copied() {
                let last: EpochEntry = last;
                if entry.epoch <= last.epoch || entry.start_offset < last.start_offset {
                    return Err(LogError::CorruptFile {
                        path: checkpoint.path().to_path_buf(),
                        reason: format!(
                            "entry {line:?} does not follow epoch {} at {}",
                            last.epoch, last.start_offset
                        ),
                    });
                }
            }
            entries.push(entry);
        }
        Ok(Self {
            checkpoint,
            entries,
        })
    }

    /// All entries, oldest first.
    pub fn entries(&self) -> &[EpochEntry] {
        &self.entries
    }

    /// The latest epoch.
    pub fn latest_epoch(&self) -> Option<i32> {
        self.entries.last().map(|e| e.epoch)
    }

    /// Records that `epoch` starts at `start_offset` (Kafka's `assign`): a no-op for a known
    /// latest epoch starting at or before the offset; otherwise entries that would break
    /// monotonicity are removed and the checkpoint is rewritten. Negative epochs are ignored.
    pub fn assign(&mut self, epoch: i32, start_offset: i64) -> Result<bool, LogError> {
        if epoch < 0 {
            return Ok(false);
        }
        if let Some(last) = self.entries.last() {
            if last.epoch == epoch && last.start_offset <= start_offset {
                return Ok(false);
            }
        }
        self.entries
            .retain(|e| e.epoch < epoch && e.start_offset < start_offset);
        self.entries.push(EpochEntry {
            epoch,
            start_offset,
        });
        self.flush()?;
        Ok(true)
    }

    /// The epoch whose range contains `offset`.
    pub fn epoch_for_offset(&self, offset: i64) -> Option<i32> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.start_offset <= offset)
            .map(|e| e.epoch)
    }

    /// OffsetForLeaderEpoch: `(largest epoch ≤ requested, the start offset of the next higher
    /// epoch)`, or `(requested, log_end_offset)` for the latest epoch. `None` for an undefined
    /// request (negative) or an epoch above every known one (Kafka answers UNDEFINED).
    pub fn end_offset_for(&self, requested: i32, log_end_offset: i64) -> Option<(i32, i64)> {
        if requested < 0 {
            return None;
        }
        if self.latest_epoch() == Some(requested) {
            return Some((requested, log_end_offset));
        }
        let higher = self.entries.iter().find(|e| e.epoch > requested)?;
        match self.entries.iter().rev().find(|e| e.epoch <= requested) {
            Some(floor) => Some((floor.epoch, higher.start_offset)),
            None => Some((requested, higher.start_offset)),
        }
    }

    /// Removes epochs starting at or after `end_offset` (the log was truncated to it).
    pub fn truncate_from_end(&mut self, end_offset: i64) -> Result<(), LogError> {
        let before = self.entries.len();
        self.entries.retain(|e| e.start_offset < end_offset);
        if self.entries.len() != before {
            self.flush()?;
        }
        Ok(())
    }

    /// Drops epochs wholly before `start_offset`; the epoch containing it now starts there.
    pub fn truncate_from_start(&mut self, start_offset: i64) -> Result<(), LogError> {
        let Some(keep_from) = self
            .entries
            .iter()
            .rposition(|e| e.start_offset <= start_offset)
        else {
            return Ok(());
        };
        if keep_from == 0 && self.entries[0].start_offset == start_offset {
            return Ok(());
        }
        self.entries.drain(..keep_from);
        self.entries[0].start_offset = start_offset;
        self.flush()
    }

    /// Prepends `older` entries (from the remote tier's leader-epoch slices) that precede every
    /// local entry: kept are those with a lower epoch and start offset than the first local
    /// entry, in increasing order. Returns whether anything changed (then the checkpoint is
    /// rewritten).
    pub fn restore_prefix(&mut self, older: &[EpochEntry]) -> Result<bool, LogError> {
        let first = self.entries.first().copied();
        let mut prefix: Vec<EpochEntry> = Vec::new();
        for entry in older {
            let precedes_local =
                first.is_none_or(|f| entry.epoch < f.epoch && entry.start_offset < f.start_offset);
            let follows_prefix = prefix
                .last()
                .is_none_or(|p| entry.epoch > p.epoch && entry.start_offset >= p.start_offset);
            if entry.epoch >= 0 && precedes_local && follows_prefix {
                prefix.push(*entry);
            }
        }
        if prefix.is_empty() {
            return Ok(false);
        }
        prefix.append(&mut self.entries);
        self.entries = prefix;
        self.flush()?;
        Ok(true)
    }

    /// Removes every entry (the log was emptied).
    pub fn clear(&mut self) -> Result<(), LogError> {
        self.entries.clear();
        self.flush()
    }

    /// Writes the checkpoint.
    pub fn flush(&self) -> Result<(), LogError> {
        let lines: Vec<String> = self
            .entries
            .iter()
            .map(|e| format!("{} {}", e.epoch, e.start_offset))
            .collect();
        self.checkpoint.write(&lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_offset_for_follows_offset_for_leader_epoch_semantics() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cache = LeaderEpochFileCache::load(dir.path()).expect("load");
        cache.assign(1, 0).expect("assign");
        cache.assign(3, 10).expect("assign");
        cache.assign(5, 20).expect("assign");
        assert_eq!(cache.end_offset_for(5, 30), Some((5, 30)));
        assert_eq!(cache.end_offset_for(3, 30), Some((3, 20)));
        assert_eq!(cache.end_offset_for(4, 30), Some((3, 20)));
        assert_eq!(cache.end_offset_for(0, 30), Some((0, 0)));
        assert_eq!(cache.end_offset_for(6, 30), None);
        assert_eq!(cache.end_offset_for(-1, 30), None);
    }

    #[test]
    fn checkpoint_is_kafka_text_and_reloads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cache = LeaderEpochFileCache::load(dir.path()).expect("load");
        cache.assign(0, 0).expect("assign");
        cache
            .assign(0, 5)
            .expect("same epoch later offset is a no-op");
        cache.assign(2, 7).expect("assign");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(LEADER_EPOCH_CHECKPOINT_FILE)).expect("read"),
            "0\n2\n0 0\n2 7\n"
        );
        let reloaded = LeaderEpochFileCache::load(dir.path()).expect("reload");
        assert_eq!(reloaded.entries(), cache.entries());
    }

    #[test]
    fn truncation_from_both_ends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cache = LeaderEpochFileCache::load(dir.path()).expect("load");
        for (e, o) in [(1, 0), (2, 10), (3, 20)] {
            cache.assign(e, o).expect("assign");
        }
        cache.truncate_from_start(15).expect("start");
        assert_eq!(
            cache.entries(),
            &[
                EpochEntry {
                    epoch: 2,
                    start_offset: 15
                },
                EpochEntry {
                    epoch: 3,
                    start_offset: 20
                }
            ]
        );
        cache.truncate_from_end(20).expect("end");
        assert_eq!(cache.latest_epoch(), Some(2));
        assert_eq!(cache.epoch_for_offset(100), Some(2));
    }
}
