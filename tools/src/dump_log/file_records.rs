//! A read-only view of a log file (Kafka's `FileRecords` + `FileLogInputStream`): batches are
//! framed one at a time by their 12-byte `offset | size` prefix, exactly as Kafka frames them,
//! so the dump stops, reports trailing bytes or fails where Kafka's tool does. The file is only
//! ever opened for reading and read with positioned reads (no mmap, nothing written); an
//! object fetched by URL is read from memory the same way.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::error::DumpError;

/// Bytes of `offset: int64 | size: int32` before every batch (Kafka's LOG_OVERHEAD).
pub(crate) const LOG_OVERHEAD: u64 = 12;
/// Bytes up to and including the magic byte (Kafka's HEADER_SIZE_UP_TO_MAGIC).
const HEADER_BYTES_UP_TO_MAGIC: u64 = 17;
/// The smallest size field Kafka accepts (LegacyRecord.RECORD_OVERHEAD_V0).
const RECORD_SIZE_MIN: i32 = 14;
/// Where the magic byte sits in every format.
const MAGIC_OFFSET: usize = 16;

/// One framed batch: its position and all its bytes (prefix included).
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// Byte position of the batch in the file.
    pub(crate) position: u64,
    /// `12 + size` bytes.
    pub(crate) bytes: Vec<u8>,
}

impl Frame {
    /// The magic byte.
    pub(crate) fn magic(&self) -> i8 {
        self.bytes[MAGIC_OFFSET] as i8
    }

    /// The offset field of the prefix (base offset for v2, last inner offset for legacy).
    pub(crate) fn offset_field(&self) -> i64 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&self.bytes[..8]);
        i64::from_be_bytes(b)
    }

    /// Bytes of the batch including the prefix.
    pub(crate) fn size(&self) -> u64 {
        self.bytes.len() as u64
    }
}

/// Where the bytes are.
#[derive(Debug)]
enum Data {
    /// A local file, opened read-only.
    File(File),
    /// A fetched object.
    Memory(Vec<u8>),
}

/// A file opened read-only, limited to its first `end` bytes.
#[derive(Debug)]
pub(crate) struct FileRecords {
    data: Data,
    path: PathBuf,
    end: u64,
}

impl FileRecords {
    /// Opens `path` for reading; only the first `limit_bytes` bytes are looked at.
    pub(crate) fn open(path: &Path, limit_bytes: u64) -> Result<Self, DumpError> {
        if super::remote_object::is_url(path) {
            let bytes = super::remote_object::fetch_existing(path)?;
            return Ok(Self {
                end: (bytes.len() as u64).min(limit_bytes),
                data: Data::Memory(bytes),
                path: path.to_path_buf(),
            });
        }
        let file = File::open(path).map_err(|source| DumpError::Io {
            action: "open",
            path: path.display().to_string(),
            source,
        })?;
        let metadata = file.metadata().map_err(|source| DumpError::Io {
            action: "stat",
            path: path.display().to_string(),
            source,
        })?;
        if metadata.is_dir() {
            return Err(DumpError::Corrupt {
                path: path.display().to_string(),
                reason: "is a directory, not a file".to_string(),
            });
        }
        Ok(Self {
            data: Data::File(file),
            path: path.to_path_buf(),
            end: metadata.len().min(limit_bytes),
        })
    }

    /// Bytes in view (`min(file length, limit)`).
    pub(crate) fn size_bytes(&self) -> u64 {
        self.end
    }

    fn read_at(&self, position: u64, len: usize) -> Result<Vec<u8>, DumpError> {
        match &self.data {
            Data::File(file) => {
                let mut buf = vec![0u8; len];
                file.read_exact_at(&mut buf, position)
                    .map_err(|source| DumpError::Io {
                        action: "read",
                        path: self.path.display().to_string(),
                        source,
                    })?;
                Ok(buf)
            }
            Data::Memory(bytes) => usize::try_from(position)
                .ok()
                .and_then(|start| bytes.get(start..start.checked_add(len)?))
                .map(<[u8]>::to_vec)
                .ok_or_else(|| DumpError::Corrupt {
                    path: self.path.display().to_string(),
                    reason: format!("a read of {len} bytes at {position} is past the end"),
                }),
        }
    }

    /// The batch at `position`, if a whole one fits before `end` (at most the view's end).
    /// `Ok(None)` is where Kafka's iteration stops (the rest counts as trailing bytes); a size
    /// field below 14 is Kafka's CorruptRecordException.
    pub(crate) fn frame_at(&self, position: u64, end: u64) -> Result<Option<Frame>, DumpError> {
        let end = end.min(self.end);
        if position.saturating_add(HEADER_BYTES_UP_TO_MAGIC) >= end {
            return Ok(None);
        }
        let header = self.read_at(position, HEADER_BYTES_UP_TO_MAGIC as usize)?;
        let size = i32::from_be_bytes([header[8], header[9], header[10], header[11]]);
        if size < RECORD_SIZE_MIN {
            return Err(DumpError::RecordSizeTooSmall {
                size,
                path: self.path.display().to_string(),
            });
        }
        let total = LOG_OVERHEAD + size as u64;
        if position + total > end {
            return Ok(None);
        }
        let bytes = self.read_at(position, total as usize)?;
        Ok(Some(Frame { position, bytes }))
    }

    /// Iterates over the batches from `position` to the end of the view.
    pub(crate) fn frames_from(&self, position: u64) -> Frames<'_> {
        Frames {
            records: self,
            position,
            done: false,
        }
    }
}

/// Iterator over consecutive frames; ends at the first position where no whole batch fits, or
/// after the first error.
#[derive(Debug)]
pub(crate) struct Frames<'a> {
    records: &'a FileRecords,
    position: u64,
    done: bool,
}

impl Iterator for Frames<'_> {
    type Item = Result<Frame, DumpError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.records.frame_at(self.position, self.records.end) {
            Ok(Some(frame)) => {
                self.position += frame.size();
                Some(Ok(frame))
            }
            Ok(None) => {
                self.done = true;
                None
            }
            Err(error) => {
                self.done = true;
                Some(Err(error))
            }
        }
    }
}
