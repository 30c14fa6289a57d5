//! Dumps and verifies `.index` and `.timeindex` files against their `.log`: Kafka's
//! `dumpIndex` and `dumpTimeIndex`, with Kafka's sanity checks.
//!
//! The index files are read here rather than through storage's `OffsetIndex` / `TimeIndex`,
//! because those open the file read-write, map it writable and preallocate a missing or empty
//! file, and dump-log must never change what it reads. The entry formats are Kafka's: `.index`
//! = `relative offset int32 | position int32`, `.timeindex` = `timestamp int64 | relative
//! offset int32`, big-endian, entries = file length / entry size.

use std::path::{Path, PathBuf};

use strata_storage::{OFFSET_INDEX_ENTRY_BYTES, TIME_INDEX_ENTRY_BYTES};

use super::batch::DumpBatch;
use super::error::DumpError;
use super::file_records::{FileRecords, Frame};
use super::findings::{absolute, Findings};
use super::options::Settings;
use super::printer::Printer;
use super::{file_name, offset_from_file_name, read_file};

/// Kafka's RecordBatch.NO_TIMESTAMP.
const NO_TIMESTAMP: i64 = -1;

fn i32_at(bytes: &[u8], at: usize) -> i32 {
    i32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn i64_at(bytes: &[u8], at: usize) -> i64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    i64::from_be_bytes(b)
}

/// The sibling file with the same base name and another suffix (`<base>.log`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = file_name(path);
    let stem = name.split('.').next().unwrap_or_default();
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    dir.join(format!("{stem}{suffix}"))
}

/// An offset index read into memory.
struct OffsetEntries {
    base_offset: i64,
    bytes: Vec<u8>,
}

impl OffsetEntries {
    fn entries(&self) -> usize {
        self.bytes.len() / OFFSET_INDEX_ENTRY_BYTES
    }

    /// (absolute offset, position) of entry `n`.
    fn entry(&self, n: usize) -> (i64, i32) {
        let at = n * OFFSET_INDEX_ENTRY_BYTES;
        (
            self.base_offset
                .wrapping_add(i64::from(i32_at(&self.bytes, at))),
            i32_at(&self.bytes, at + 4),
        )
    }

    /// Kafka's `OffsetIndex.lookup`: the entry with the largest offset ≤ `target`, or
    /// (base offset, 0) if there is none.
    fn lookup(&self, target: i64) -> (i64, i32) {
        let entries = self.entries();
        if entries == 0 || self.entry(0).0 > target {
            return (self.base_offset, 0);
        }
        let (mut lo, mut hi) = (0usize, entries - 1);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            let found = self.entry(mid).0;
            if found == target {
                return self.entry(mid);
            } else if found < target {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        self.entry(lo)
    }

    /// Kafka's `OffsetIndex.sanityCheck`, with its messages.
    fn sanity_check(&self, path: &Path) -> Result<(), DumpError> {
        let entries = self.entries();
        let last_offset = if entries == 0 {
            self.base_offset
        } else {
            self.entry(entries - 1).0
        };
        if entries != 0 && last_offset < self.base_offset {
            return Err(DumpError::Kafka(format!(
                "Corrupt index found, index file {} has non-zero size but the last offset is {last_offset} \
                 which is less than the base offset {}",
                absolute(path),
                self.base_offset
            )));
        }
        if !self.bytes.len().is_multiple_of(OFFSET_INDEX_ENTRY_BYTES) {
            return Err(DumpError::Kafka(format!(
                "Index file {} is corrupt, found {} bytes which is neither positive nor a multiple of {}",
                absolute(path),
                self.bytes.len(),
                OFFSET_INDEX_ENTRY_BYTES
            )));
        }
        Ok(())
    }
}

/// Kafka's `batch.lastOffset` from a batch's header alone (a v2 header may be damaged
/// elsewhere; Kafka does not validate it for this either).
fn header_last_offset(frame: &Frame) -> Option<i64> {
    const LAST_OFFSET_DELTA_AT: usize = 23;
    if frame.magic() < 2 {
        return Some(frame.offset_field());
    }
    let bytes = frame
        .bytes
        .get(LAST_OFFSET_DELTA_AT..LAST_OFFSET_DELTA_AT + 4)?;
    let delta = i32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    Some(frame.offset_field().wrapping_add(i64::from(delta)))
}

/// Dumps (or verifies, or sanity-checks) an offset index.
pub(crate) fn dump_offset_index(
    path: &Path,
    settings: &Settings,
    printer: &mut Printer,
    findings: &mut Findings,
) -> Result<(), DumpError> {
    let base_offset = offset_from_file_name(path)?;
    let log = FileRecords::open(&sibling(path, ".log"), u64::MAX)?;
    let index = OffsetEntries {
        base_offset,
        bytes: read_file(path)?,
    };
    if index.entries() == 0 {
        return printer.empty(path);
    }
    if settings.index_sanity_check {
        index.sanity_check(path)?;
        return printer.sanity_passed(path);
    }
    let mut unreadable = Vec::new();
    for n in 0..index.entries() {
        let (offset, position) = index.entry(n);
        // A preallocated or crashed index ends in zero entries.
        if offset == base_offset && n > 0 {
            break;
        }
        let frame = u64::try_from(position)
            .ok()
            .filter(|&p| p <= log.size_bytes())
            .map(|p| log.frame_at(p, p.saturating_add(settings.max_message_bytes)))
            .transpose()?
            .flatten();
        match frame.as_ref().and_then(header_last_offset) {
            Some(last) if last != offset => findings.index_mismatch(path, offset, last),
            Some(_) => {}
            None => unreadable.push((offset, position)),
        }
        if !settings.verify_index_only {
            printer.index_entry(offset, position)?;
        }
    }
    if let Some(&(offset, position)) = unreadable.first() {
        return Err(DumpError::Corrupt {
            path: path.display().to_string(),
            reason: format!(
                "{} entries point where no whole batch of at most --max-message-size {} bytes starts in the log \
                 (first: offset {offset} position {position})",
                unreadable.len(),
                settings.max_message_bytes
            ),
        });
    }
    Ok(())
}

/// Dumps (or verifies, or sanity-checks) a time index.
pub(crate) fn dump_time_index(
    path: &Path,
    settings: &Settings,
    printer: &mut Printer,
    findings: &mut Findings,
) -> Result<(), DumpError> {
    let base_offset = offset_from_file_name(path)?;
    let log = FileRecords::open(&sibling(path, ".log"), u64::MAX)?;
    // Kafka creates a missing offset index here; an absent one reads as empty instead.
    let index_path = sibling(path, ".index");
    let index = OffsetEntries {
        base_offset,
        bytes: if super::remote_object::is_url(&index_path) {
            super::remote_object::fetch(&index_path)?.unwrap_or_default()
        } else if index_path.exists() {
            read_file(&index_path)?
        } else {
            Vec::new()
        },
    };
    let bytes = read_file(path)?;
    let entries = bytes.len() / TIME_INDEX_ENTRY_BYTES;
    let entry = |n: usize| {
        let at = n * TIME_INDEX_ENTRY_BYTES;
        (
            i64_at(&bytes, at),
            base_offset.wrapping_add(i64::from(i32_at(&bytes, at + 8))),
        )
    };
    if settings.index_sanity_check {
        let (last_timestamp, last_offset) = if entries == 0 {
            (NO_TIMESTAMP, base_offset)
        } else {
            entry(entries - 1)
        };
        let shown = absolute(path);
        if entries != 0 && last_timestamp < entry(0).0 {
            return Err(DumpError::Kafka(format!(
                "Corrupt time index found, time index file ({shown}) has non-zero size but the last timestamp \
                 is {last_timestamp} which is less than the first timestamp {}",
                entry(0).0
            )));
        }
        if entries != 0 && last_offset < base_offset {
            return Err(DumpError::Kafka(format!(
                "Corrupt time index found, time index file ({shown}) has non-zero size but the last offset \
                 is {last_offset} which is less than the first offset {base_offset}"
            )));
        }
        if !bytes.len().is_multiple_of(TIME_INDEX_ENTRY_BYTES) {
            return Err(DumpError::Kafka(format!(
                "Time index file {shown} is corrupt, found {} bytes which is neither positive nor a multiple of {}",
                bytes.len(),
                TIME_INDEX_ENTRY_BYTES
            )));
        }
        return printer.sanity_passed(path);
    }
    let mut previous_timestamp = NO_TIMESTAMP;
    for n in 0..entries {
        let (timestamp, offset) = entry(n);
        if offset == base_offset && n > 0 {
            break;
        }
        let (_, position) = index.lookup(offset);
        let start = u64::try_from(position).unwrap_or(u64::MAX);
        let mut found = None;
        if start <= log.size_bytes() {
            for frame in log.frames_from(start) {
                let frame = frame?;
                match header_last_offset(&frame) {
                    Some(last) if last >= offset => {
                        found = Some((last, frame));
                        break;
                    }
                    Some(_) => {}
                    None => break,
                }
            }
        }
        match found {
            None => findings.time_index_offset_not_found(path, offset, -1),
            Some((last, _)) if last != offset => {
                findings.time_index_offset_not_found(path, offset, last);
            }
            Some((_, frame)) => {
                let corrupt = |reason: String| DumpError::Corrupt {
                    path: path.display().to_string(),
                    reason: format!(
                        "the batch at position {} of the log: {reason}",
                        frame.position
                    ),
                };
                let batch = DumpBatch::parse(&frame).map_err(corrupt)?;
                let max_timestamp = batch
                    .records()
                    .map_err(corrupt)?
                    .iter()
                    .map(|r| r.timestamp)
                    .fold(NO_TIMESTAMP, i64::max);
                if max_timestamp != timestamp {
                    findings.time_index_mismatch(path, timestamp, max_timestamp);
                }
                if previous_timestamp >= timestamp {
                    findings.time_index_out_of_order(path, timestamp, previous_timestamp);
                }
            }
        }
        if !settings.verify_index_only {
            printer.time_index_entry(timestamp, offset)?;
        }
        previous_timestamp = timestamp;
    }
    Ok(())
}
