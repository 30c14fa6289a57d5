//! What the dump found wrong in otherwise readable files, printed on stderr after all files in
//! Kafka's words and order: offset-index mismatches, time-index errors, then non-consecutive
//! offsets. Files are keyed by absolute path, as Kafka keys them.

use std::io::Write;
use std::path::Path;

/// Pairs of numbers recorded against files, in first-seen file order.
#[derive(Debug, Default)]
struct PerFile {
    files: Vec<(String, Vec<(i64, i64)>)>,
}

impl PerFile {
    fn push(&mut self, path: &Path, pair: (i64, i64)) {
        let key = absolute(path);
        match self.files.iter_mut().find(|(file, _)| *file == key) {
            Some((_, pairs)) => pairs.push(pair),
            None => self.files.push((key, vec![pair])),
        }
    }

    fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Java's `File.getAbsolutePath()`: the working directory joined, nothing normalized.
pub(crate) fn absolute(path: &Path) -> String {
    if path.is_absolute() || super::remote_object::is_url(path) {
        return path.display().to_string();
    }
    match std::env::current_dir() {
        Ok(cwd) => cwd.join(path).display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

/// Everything found while dumping, printed at the end.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    index_mismatches: PerFile,
    time_index_mismatches: PerFile,
    time_index_out_of_order: PerFile,
    time_index_offsets_not_found: PerFile,
    non_consecutive_offsets: PerFile,
    invalid_crcs: PerFile,
}

impl Findings {
    /// An index entry whose offset is not the last offset of the batch at its position.
    pub(crate) fn index_mismatch(&mut self, index: &Path, index_offset: i64, log_offset: i64) {
        self.index_mismatches
            .push(index, (index_offset, log_offset));
    }

    /// A time index entry whose timestamp is not the max timestamp of its batch.
    pub(crate) fn time_index_mismatch(&mut self, index: &Path, index_ts: i64, log_ts: i64) {
        self.time_index_mismatches.push(index, (index_ts, log_ts));
    }

    /// A time index entry not after the previous one.
    pub(crate) fn time_index_out_of_order(
        &mut self,
        index: &Path,
        index_ts: i64,
        previous_ts: i64,
    ) {
        self.time_index_out_of_order
            .push(index, (index_ts, previous_ts));
    }

    /// A time index entry whose offset is not a batch's last offset (-1: no batch at all).
    pub(crate) fn time_index_offset_not_found(
        &mut self,
        index: &Path,
        index_offset: i64,
        log_offset: i64,
    ) {
        self.time_index_offsets_not_found
            .push(index, (index_offset, log_offset));
    }

    /// A record offset that does not follow the previous record's.
    pub(crate) fn non_consecutive(&mut self, log: &Path, previous: i64, offset: i64) {
        self.non_consecutive_offsets.push(log, (previous, offset));
    }

    /// A batch whose stored CRC is not the computed one (Kafka only prints `isvalid: false`).
    pub(crate) fn invalid_crc(&mut self, log: &Path, position: u64, last_offset: i64) {
        self.invalid_crcs.push(log, (position as i64, last_offset));
    }

    /// True if nothing was found.
    pub(crate) fn is_empty(&self) -> bool {
        self.index_mismatches.is_empty()
            && self.time_index_mismatches.is_empty()
            && self.time_index_out_of_order.is_empty()
            && self.time_index_offsets_not_found.is_empty()
            && self.non_consecutive_offsets.is_empty()
            && self.invalid_crcs.is_empty()
    }

    /// Prints the findings as Kafka does. Kafka prepends index mismatches and non-consecutive
    /// pairs to a list, so those come out newest first; the time-index lists are in order.
    pub(crate) fn print(&self, err: &mut impl Write) -> std::io::Result<()> {
        for (file, pairs) in &self.index_mismatches.files {
            writeln!(err, "Mismatches in :{file}")?;
            for (index_offset, log_offset) in pairs.iter().rev() {
                writeln!(
                    err,
                    "  Index offset: {index_offset}, log offset: {log_offset}"
                )?;
            }
        }
        for (file, pairs) in &self.time_index_mismatches.files {
            writeln!(err, "Found timestamp mismatch in :{file}")?;
            for (index_ts, log_ts) in pairs {
                writeln!(
                    err,
                    "  Index timestamp: {index_ts}, log timestamp: {log_ts}"
                )?;
            }
        }
        for (file, pairs) in &self.time_index_out_of_order.files {
            writeln!(err, "Found out of order timestamp in :{file}")?;
            for (index_ts, previous_ts) in pairs {
                writeln!(
                    err,
                    "  Index timestamp: {index_ts}, Previously indexed timestamp: {previous_ts}"
                )?;
            }
        }
        for (_, pairs) in &self.time_index_offsets_not_found.files {
            writeln!(
                err,
                "The following indexed offsets are not found in the log."
            )?;
            for (index_offset, log_offset) in pairs {
                writeln!(
                    err,
                    "Indexed offset: {index_offset}, found log offset: {log_offset}"
                )?;
            }
        }
        for (file, pairs) in &self.non_consecutive_offsets.files {
            writeln!(err, "Non-consecutive offsets in {file}")?;
            for (previous, offset) in pairs.iter().rev() {
                writeln!(err, "  {previous} is followed by {offset}")?;
            }
        }
        // Not in Kafka's output, which only shows `isvalid: false` on the batch line.
        for (file, pairs) in &self.invalid_crcs.files {
            writeln!(err, "Invalid CRC in {file}")?;
            for (position, last_offset) in pairs {
                writeln!(
                    err,
                    "  batch at position {position} with last offset {last_offset}"
                )?;
            }
        }
        Ok(())
    }
}
