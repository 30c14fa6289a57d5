//! Reads metadata from disk into a [`ShellImage`]: one file (`--snapshot`, a `.log` segment or a
//! `.checkpoint`, read batch by batch as Kafka's `SnapshotFileReader` does) or a whole
//! `__cluster_metadata-0` directory (`--directory`: the newest `.checkpoint`, then every log
//! batch after it).
//!
//! The tools never write to what they read. Before reading, the log directory's `.lock` is
//! taken when it exists, as Kafka's shell does, so a live node's files are never read while it
//! writes them; `--copy` reads a private copy of the files instead.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use fs2::FileExt;
use strata_controller::image::ImageError;
use strata_controller::raft::{parse_checkpoint_file_name, METADATA_PARTITION_DIR};
use strata_controller::records::{MetadataError, MetadataRecord};
use strata_protocol::record_batch::{batches, decode_records, BatchError};

use super::extra_records::{decode_extra_record, ExtraRecord};
use super::image::{AnyRecord, Provenance, ShellImage};

/// Name of the lock file of a log directory.
const LOCK_FILE: &str = ".lock";

/// Why metadata could not be loaded.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LoadError {
    /// A file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Another process holds the log directory's lock.
    #[error("Unable to lock {dir}. Please ensure that no broker or controller process is using this directory before proceeding. (To inspect a live node's metadata, add --copy to read a private copy of the files, or use --bootstrap-server.)")]
    Locked { dir: PathBuf },
    /// The record batches are broken.
    #[error("{path}: invalid record batch at byte {position}: {source}")]
    Batch {
        path: PathBuf,
        position: usize,
        source: BatchError,
    },
    /// A record inside a valid batch does not decode.
    #[error("{path}: record at offset {offset} is not a metadata record: {reason}")]
    Record {
        path: PathBuf,
        offset: i64,
        reason: String,
    },
    /// A record does not fit the image built so far.
    #[error(
        "{path}: record batch at offset {offset} does not apply to the metadata image: {source}"
    )]
    Inconsistent {
        path: PathBuf,
        offset: i64,
        source: ImageError,
    },
    /// Nothing to read.
    #[error("{path}: {reason}")]
    Empty { path: PathBuf, reason: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LoadError + '_ {
    move |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A held `.lock` of a log directory; released on drop.
#[derive(Debug)]
pub(crate) struct DirLock {
    _file: File,
}

/// Takes `<dir>/.lock` if the file exists (Kafka's `takeDirectoryLockIfExists`).
pub(crate) fn lock_dir_if_exists(dir: &Path) -> Result<Option<DirLock>, LoadError> {
    let path = dir.join(LOCK_FILE);
    if !path.exists() {
        return Ok(None);
    }
    // Read access suffices for flock; the tool never writes to the lock file.
    let file = OpenOptions::new()
        .read(true)
        .open(&path)
        .map_err(io(&path))?;
    if file.try_lock_exclusive().is_err() {
        let dir = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        return Err(LoadError::Locked { dir });
    }
    Ok(Some(DirLock { _file: file }))
}

/// Replays batches into an image, carrying metadata transactions across batches.
struct Replayer {
    image: ShellImage,
    /// Records of an open metadata transaction (BeginTransactionRecord seen, End not yet).
    pending: Option<Vec<AnyRecord>>,
    batches_read: usize,
}

impl Replayer {
    fn new(image: ShellImage) -> Self {
        Replayer {
            image,
            pending: None,
            batches_read: 0,
        }
    }

    /// Replays every batch of `bytes` whose last offset is at least `from_offset`.
    /// `tolerate_torn_tail` accepts a partial last batch (a copy of a segment being written).
    fn replay_bytes(
        &mut self,
        path: &Path,
        bytes: &[u8],
        from_offset: i64,
        tolerate_torn_tail: bool,
    ) -> Result<(), LoadError> {
        let mut iter = batches(bytes);
        loop {
            let position = iter.position();
            let Some(item) = iter.next() else { break };
            let view = match item {
                Ok(view) => view,
                Err(BatchError::Truncated { .. }) if tolerate_torn_tail => {
                    eprintln!(
                        "warning: {}: ignoring a partial batch at byte {position} (the file is being written)",
                        path.display()
                    );
                    break;
                }
                Err(source) => {
                    return Err(LoadError::Batch {
                        path: path.to_path_buf(),
                        position,
                        source,
                    })
                }
            };
            view.verify_crc().map_err(|source| LoadError::Batch {
                path: path.to_path_buf(),
                position,
                source,
            })?;
            self.batches_read += 1;
            if view.last_offset() < from_offset || view.is_control() {
                continue;
            }
            let records = decode_records(&view).map_err(|source| LoadError::Batch {
                path: path.to_path_buf(),
                position,
                source,
            })?;
            let mut decoded = Vec::with_capacity(records.len());
            for record in &records {
                let value = record.value.as_deref().ok_or_else(|| LoadError::Record {
                    path: path.to_path_buf(),
                    offset: record.offset,
                    reason: "the record has a null value".to_string(),
                })?;
                decoded.push(decode_value(value).map_err(|reason| LoadError::Record {
                    path: path.to_path_buf(),
                    offset: record.offset,
                    reason,
                })?);
            }
            let provenance = Provenance {
                offset: view.last_offset(),
                epoch: view.partition_leader_epoch(),
                time_ms: view.max_timestamp(),
            };
            self.replay_records(decoded, provenance)
                .map_err(|source| LoadError::Inconsistent {
                    path: path.to_path_buf(),
                    offset: view.base_offset(),
                    source,
                })?;
        }
        Ok(())
    }

    /// Applies one batch's records, honouring Begin/End/AbortTransaction records.
    fn replay_records(
        &mut self,
        records: Vec<AnyRecord>,
        provenance: Provenance,
    ) -> Result<(), ImageError> {
        let mut ready = Vec::new();
        for record in records {
            match record {
                AnyRecord::Extra(ExtraRecord::BeginTransaction) => {
                    self.pending = Some(Vec::new());
                }
                AnyRecord::Extra(ExtraRecord::EndTransaction) => {
                    if let Some(pending) = self.pending.take() {
                        ready.extend(pending);
                    }
                }
                AnyRecord::Extra(ExtraRecord::AbortTransaction) => {
                    self.pending = None;
                }
                other => match &mut self.pending {
                    Some(pending) => pending.push(other),
                    None => ready.push(other),
                },
            }
        }
        self.image.replay_batch(&ready, provenance)
    }
}

/// Decodes one metadata record value, typed when the controller models it.
fn decode_value(value: &[u8]) -> Result<AnyRecord, String> {
    match MetadataRecord::decode(value) {
        Ok(record) => Ok(AnyRecord::Typed(record)),
        Err(MetadataError::UnknownApiKey { .. }) => decode_extra_record(value)
            .map(AnyRecord::Extra)
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    fs::read(path).map_err(io(path))
}

/// The directory two levels above a file (Kafka's `parentParent`): the log dir of a segment.
fn parent_parent(path: &Path) -> PathBuf {
    let absolute = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let parent = absolute.parent().unwrap_or(&absolute).to_path_buf();
    parent.parent().unwrap_or(&parent).to_path_buf()
}

/// Loads one `.log` segment or `.checkpoint` file (Kafka's `--snapshot`). Holds the log dir's
/// lock while reading when `lock` is set.
pub(crate) fn load_file(path: &Path, lock: bool) -> Result<ShellImage, LoadError> {
    let metadata = fs::metadata(path).map_err(io(path))?;
    if metadata.is_dir() {
        return Err(LoadError::Empty {
            path: path.to_path_buf(),
            reason: "is a directory; use --directory to load a __cluster_metadata-0 directory"
                .to_string(),
        });
    }
    let _lock = if lock {
        lock_dir_if_exists(&parent_parent(path))?
    } else {
        None
    };
    let bytes = read_file(path)?;
    let mut replayer = Replayer::new(ShellImage::empty());
    replayer.replay_bytes(path, &bytes, 0, false)?;
    if replayer.batches_read == 0 {
        return Err(LoadError::Empty {
            path: path.to_path_buf(),
            reason: "contains no record batches".to_string(),
        });
    }
    Ok(replayer.image)
}

/// The `__cluster_metadata-0` directory named by `dir` (itself, or the child of a log dir).
pub(crate) fn metadata_partition_dir(dir: &Path) -> PathBuf {
    let child = dir.join(METADATA_PARTITION_DIR);
    if child.is_dir() {
        child
    } else {
        dir.to_path_buf()
    }
}

/// Loads a metadata log directory: the newest `.checkpoint`, then the log batches after it.
/// `copy` reads a private copy of the files without taking the lock (a live node may be
/// appending, so a partial last batch is tolerated).
pub(crate) fn load_directory(dir: &Path, copy: bool) -> Result<ShellImage, LoadError> {
    let partition_dir = metadata_partition_dir(dir);
    let listing = fs::read_dir(&partition_dir).map_err(io(&partition_dir))?;
    let mut checkpoints = Vec::new();
    let mut segments = Vec::new();
    for entry in listing {
        let entry = entry.map_err(io(&partition_dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some((end, epoch)) = parse_checkpoint_file_name(&name) {
            checkpoints.push((end, epoch, entry.path()));
        } else if let Some(base) = name
            .strip_suffix(".log")
            .filter(|stem| stem.len() == 20)
            .and_then(|stem| stem.parse::<i64>().ok())
        {
            segments.push((base, entry.path()));
        }
    }
    checkpoints.sort();
    segments.sort();
    if checkpoints.is_empty() && segments.is_empty() {
        return Err(LoadError::Empty {
            path: partition_dir,
            reason: "holds no .checkpoint snapshot and no .log segment (is it a __cluster_metadata-0 directory?)".to_string(),
        });
    }
    let log_dir = fs::canonicalize(&partition_dir)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| partition_dir.clone());
    let _lock = if copy {
        None
    } else {
        lock_dir_if_exists(&log_dir)?
    };
    // In copy mode every file is read into memory once, which is the private copy.
    let mut replayer = Replayer::new(ShellImage::empty());
    let mut from_offset = 0;
    if let Some((end, epoch, path)) = checkpoints.last() {
        let bytes = read_file(path)?;
        replayer.replay_bytes(path, &bytes, 0, false)?;
        // Batch offsets inside a checkpoint are local to the file; the snapshot id says which
        // log position it stands for (Kafka's provenance of a snapshot: end offset - 1, epoch).
        replayer.image.provenance.offset = end - 1;
        replayer.image.provenance.epoch = *epoch;
        from_offset = *end;
    }
    let last = segments.len().saturating_sub(1);
    for (i, (_, path)) in segments.iter().enumerate() {
        let bytes = read_file(path)?;
        replayer.replay_bytes(path, &bytes, from_offset, copy && i == last)?;
    }
    Ok(replayer.image)
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_controller::records::{FeatureLevelRecord, TopicRecord};
    use strata_protocol::record_batch::{write_crc, Compression, RecordBatchBuilder};

    fn sample_batch() -> Vec<u8> {
        let mut builder = RecordBatchBuilder::new(0, Compression::None);
        let records = [
            MetadataRecord::FeatureLevel(FeatureLevelRecord {
                name: "metadata.version".to_string(),
                feature_level: 19,
            }),
            MetadataRecord::Topic(TopicRecord {
                name: "foo".to_string(),
                topic_id: uuid::Uuid::from_u128(9),
            }),
        ];
        for record in &records {
            builder.append(1, None, Some(&record.encode()), &[]);
        }
        let mut bytes = builder.build().expect("builds").to_vec();
        // An ACL record (type 18), which only the shell's own decoder knows.
        let mut acl = vec![1u8, 18, 0];
        acl.extend_from_slice(&[0; 16]);
        acl.extend_from_slice(&[2, 4, b'f', b'o', b'o', 3, 2, b'U', 2, b'*', 3, 3, 0]);
        let mut second = RecordBatchBuilder::new(2, Compression::None);
        second.append(1, None, Some(&acl), &[]);
        bytes.extend_from_slice(&second.build().expect("builds"));
        bytes
    }

    fn replay(bytes: &[u8]) -> Result<(), LoadError> {
        let mut replayer = Replayer::new(ShellImage::empty());
        replayer.replay_bytes(Path::new("fuzz.log"), bytes, 0, false)
    }

    #[test]
    fn the_sample_replays_into_a_topic_and_an_acl() {
        let mut replayer = Replayer::new(ShellImage::empty());
        replayer
            .replay_bytes(Path::new("sample.log"), &sample_batch(), 0, false)
            .expect("replays");
        assert!(replayer.image.base.topics.by_name.contains_key("foo"));
        assert_eq!(replayer.image.acls.len(), 1);
    }

    #[test]
    fn every_truncation_and_every_byte_flip_is_an_error_or_an_image_never_a_panic() {
        let good = sample_batch();
        for len in 0..good.len() {
            let _ = replay(&good[..len]);
        }
        // Flip each byte and fix the CRC, so the decoders behind the CRC check see the damage.
        let first_len = 12 + i32::from_be_bytes([good[8], good[9], good[10], good[11]]) as usize;
        for position in 0..good.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut bytes = good.clone();
                bytes[position] ^= mask;
                if position >= 17 && position < first_len {
                    write_crc(&mut bytes[..first_len]);
                } else if position >= first_len + 17 {
                    write_crc(&mut bytes[first_len..]);
                }
                let _ = replay(&bytes);
            }
        }
    }

    #[test]
    fn arbitrary_record_values_never_panic_the_decoders() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for round in 0..20_000usize {
            let len = round % 64;
            let mut value = Vec::with_capacity(len);
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                value.push(state as u8);
            }
            // Keep a valid frame header on most inputs so the bodies get exercised.
            if len >= 3 && round % 4 != 0 {
                value[0] = 1;
                value[1] = [7u8, 8, 10, 11, 14, 18, 19, 21, 22, 23, 24, 25, 26, 27][round % 14];
                value[2] = 0;
            }
            let _ = decode_value(&value);
        }
    }
}
