//! Kafka's text checkpoint files, written atomically.
//!
//! Format (`CheckpointFile.java`): line 1 the version, line 2 the number of entries, then one
//! entry per line. Offset checkpoints (`recovery-point-offset-checkpoint`,
//! `log-start-offset-checkpoint`, `replication-offset-checkpoint`) are version 0 with entries
//! `<topic> <partition> <offset>`; `leader-epoch-checkpoint` is version 0 with `<epoch> <offset>`.
//!
//! Writes go to `<file>.tmp`, are fsynced, renamed over the file, and the directory is fsynced,
//! so a crash leaves either the old or the new content, never a mix.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{IoContext, LogError};
use crate::topic_partition::TopicPartition;

/// Version of the offset checkpoint files.
pub const OFFSETS_CHECKPOINT_VERSION: i32 = 0;

/// A text checkpoint file of one version. Not synchronized: callers serialize writes per file.
#[derive(Debug, Clone)]
pub struct CheckpointFile {
    path: PathBuf,
    version: i32,
}

impl CheckpointFile {
    /// A checkpoint at `path` expecting `version`.
    pub fn new(path: impl Into<PathBuf>, version: i32) -> Self {
        Self {
            path: path.into(),
            version,
        }
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Atomically replaces the file with `entries` (each one line, without the newline).
    pub fn write(&self, entries: &[String]) -> Result<(), LogError> {
        let mut text = format!("{}\n{}\n", self.version, entries.len());
        for entry in entries {
            text.push_str(entry);
            text.push('\n');
        }
        write_atomically(&self.path, text.as_bytes())
    }

    /// The entries, or `None` when the file does not exist. A wrong version, a count that does
    /// not match the lines, or a malformed header is [`LogError::CorruptFile`].
    pub fn read(&self) -> Result<Option<Vec<String>>, LogError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(LogError::io(format!("read {}", self.path.display()), err)),
        };
        let corrupt = |reason: String| LogError::CorruptFile {
            path: self.path.clone(),
            reason,
        };
        let mut lines = text.lines();
        let version: i32 = lines
            .next()
            .and_then(|l| l.trim().parse().ok())
            .ok_or_else(|| corrupt("missing or malformed version line".into()))?;
        if version != self.version {
            return Err(corrupt(format!(
                "unrecognized version {version}, expected {}",
                self.version
            )));
        }
        let count: usize = lines
            .next()
            .and_then(|l| l.trim().parse().ok())
            .ok_or_else(|| corrupt("missing or malformed entry count line".into()))?;
        let entries: Vec<String> = lines
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        if entries.len() != count {
            return Err(corrupt(format!(
                "expected {count} entries but found {}",
                entries.len()
            )));
        }
        Ok(Some(entries))
    }
}

/// Writes `bytes` to `path` via a fsynced temporary file and a rename, then fsyncs the directory.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), LogError> {
    let tmp = PathBuf::from(format!("{}.tmp", path.display()));
    {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .io_context(|| format!("create {}", tmp.display()))?;
        file.write_all(bytes)
            .io_context(|| format!("write {}", tmp.display()))?;
        file.sync_all()
            .io_context(|| format!("fsync {}", tmp.display()))?;
    }
    std::fs::rename(&tmp, path)
        .io_context(|| format!("rename {} to {}", tmp.display(), path.display()))?;
    if let Some(dir) = path.parent() {
        fsync_dir(dir)?;
    }
    Ok(())
}

/// fsyncs a directory so renames and creations in it are durable.
pub(crate) fn fsync_dir(dir: &Path) -> Result<(), LogError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .io_context(|| format!("fsync directory {}", dir.display()))
}

/// Writes an offsets checkpoint (`<topic> <partition> <offset>` per line).
pub fn write_offsets_checkpoint(
    path: &Path,
    offsets: &BTreeMap<TopicPartition, i64>,
) -> Result<(), LogError> {
    let entries: Vec<String> = offsets
        .iter()
        .map(|(tp, offset)| format!("{} {} {offset}", tp.topic, tp.partition))
        .collect();
    CheckpointFile::new(path, OFFSETS_CHECKPOINT_VERSION).write(&entries)
}

/// Reads an offsets checkpoint; a missing file is empty.
pub fn read_offsets_checkpoint(path: &Path) -> Result<BTreeMap<TopicPartition, i64>, LogError> {
    let Some(entries) = CheckpointFile::new(path, OFFSETS_CHECKPOINT_VERSION).read()? else {
        return Ok(BTreeMap::new());
    };
    let mut offsets = BTreeMap::new();
    for line in entries {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let parsed = match fields.as_slice() {
            [topic, partition, offset] => partition
                .parse::<i32>()
                .ok()
                .zip(offset.parse::<i64>().ok())
                .map(|(p, o)| (TopicPartition::new(*topic, p), o)),
            _ => None,
        };
        let (tp, offset) = parsed.ok_or_else(|| LogError::CorruptFile {
            path: path.to_path_buf(),
            reason: format!("malformed entry {line:?}"),
        })?;
        offsets.insert(tp, offset);
    }
    Ok(offsets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_checkpoint_round_trips_in_kafka_text_format() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("recovery-point-offset-checkpoint");
        let mut offsets = BTreeMap::new();
        offsets.insert(TopicPartition::new("orders", 0), 42);
        offsets.insert(TopicPartition::new("my-topic", 3), 7);
        write_offsets_checkpoint(&path, &offsets).expect("write");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "0\n2\nmy-topic 3 7\norders 0 42\n"
        );
        assert_eq!(read_offsets_checkpoint(&path).expect("read"), offsets);
    }

    #[test]
    fn missing_checkpoint_reads_as_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(read_offsets_checkpoint(&dir.path().join("nope"))
            .expect("read")
            .is_empty());
    }

    #[test]
    fn wrong_count_or_version_is_corrupt() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("cp");
        std::fs::write(&path, "0\n2\nt 0 1\n").expect("write");
        assert!(matches!(
            read_offsets_checkpoint(&path),
            Err(LogError::CorruptFile { .. })
        ));
        std::fs::write(&path, "1\n0\n").expect("write");
        assert!(matches!(
            read_offsets_checkpoint(&path),
            Err(LogError::CorruptFile { .. })
        ));
    }
}
