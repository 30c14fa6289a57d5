//! Dumps a `.log` segment or a `.checkpoint` snapshot (the same batch format): Kafka's
//! `dumpLog`.

use std::path::Path;

use strata_protocol::record_batch::Record;

use super::batch::DumpBatch;
use super::control_line::control_line;
use super::error::DumpError;
use super::file_records::FileRecords;
use super::findings::Findings;
use super::options::{Settings, MAX_BYTES_UNLIMITED};
use super::printer::{Printer, RecordLine};
use super::{file_name, offset_from_file_name};

/// `BootstrapDirectory.BINARY_BOOTSTRAP_FILENAME`.
const BOOTSTRAP_FILE_NAME: &str = "bootstrap.checkpoint";
/// `Snapshots.OFFSET_WIDTH` and `EPOCH_WIDTH`: `<offset:020>-<epoch:010>.checkpoint`.
const SNAPSHOT_OFFSET_WIDTH: usize = 20;
const SNAPSHOT_EPOCH_WIDTH: usize = 10;

/// Kafka's `Snapshots.parse`: end offset and epoch from a snapshot file name.
fn snapshot_id(path: &Path, name: &str) -> Result<(i64, i32), DumpError> {
    let bad = || {
        DumpError::BadFileName {
        path: path.display().to_string(),
        reason: format!(
            "\"{name}\" is not a snapshot file name (<end offset: 20 digits>-<epoch: 10 digits>.checkpoint)"
        ),
    }
    };
    let offset = name.get(..SNAPSHOT_OFFSET_WIDTH).ok_or_else(bad)?;
    let epoch = name
        .get(SNAPSHOT_OFFSET_WIDTH + 1..SNAPSHOT_OFFSET_WIDTH + 1 + SNAPSHOT_EPOCH_WIDTH)
        .ok_or_else(bad)?;
    Ok((
        offset.parse().map_err(|_| bad())?,
        epoch.parse().map_err(|_| bad())?,
    ))
}

/// Dumps one log or snapshot file.
pub(crate) fn dump_log(
    path: &Path,
    settings: &Settings,
    printer: &mut Printer,
    findings: &mut Findings,
) -> Result<(), DumpError> {
    let name = file_name(path);
    if name.ends_with(".log") {
        let start = offset_from_file_name(path)?;
        printer.log_start(start)?;
    } else if name == BOOTSTRAP_FILE_NAME {
        printer.bootstrap_snapshot()?;
    } else {
        let (end_offset, epoch) = snapshot_id(path, &name)?;
        printer.snapshot_id(end_offset, epoch)?;
    }
    let limit = u64::try_from(settings.max_bytes).unwrap_or(0);
    let records = FileRecords::open(path, limit)?;
    let corrupt = |position: u64, reason: String| DumpError::Corrupt {
        path: path.display().to_string(),
        reason: format!("batch at position {position}: {reason}"),
    };
    let mut valid_bytes = 0u64;
    // Kafka's sentinel for "no record yet".
    let mut last_offset = -1i64;
    for frame in records.frames_from(0) {
        let frame = frame?;
        let batch = DumpBatch::parse(&frame).map_err(|reason| corrupt(frame.position, reason))?;
        let line = batch.line(valid_bytes);
        if !line.is_valid {
            findings.invalid_crc(path, valid_bytes, line.last_offset);
        }
        printer.batch(&line)?;
        if settings.deep_iteration {
            let dumped = batch.records().map_err(|reason| {
                corrupt(frame.position, format!("cannot read its records: {reason}"))
            })?;
            for record in dumped {
                if last_offset != -1 && record.offset != last_offset.wrapping_add(1) {
                    findings.non_consecutive(path, last_offset, record.offset);
                }
                last_offset = record.offset;
                let control = if batch.is_control() && !settings.skip_record_metadata {
                    Some(
                        control_line(record.key.as_deref(), record.value.as_deref()).map_err(
                            |reason| {
                                corrupt(
                                    frame.position,
                                    format!("control record at offset {}: {reason}", record.offset),
                                )
                            },
                        )?,
                    )
                } else {
                    None
                };
                let data = if settings.print_data_log && !batch.is_control() {
                    let as_record = Record {
                        offset: record.offset,
                        timestamp: record.timestamp,
                        key: record.key.clone().map(Into::into),
                        value: record.value.clone().map(Into::into),
                        headers: Vec::new(),
                    };
                    Some(
                        settings
                            .parser
                            .parse(&as_record)
                            .map_err(|reason| corrupt(frame.position, reason))?,
                    )
                } else {
                    None
                };
                printer.record(&RecordLine {
                    offset: record.offset,
                    timestamp_type: batch.timestamp_type(),
                    timestamp: record.timestamp,
                    key_size: record.key.as_ref().map_or(-1, |k| k.len() as i32),
                    value_size: record.value.as_ref().map_or(-1, |v| v.len() as i32),
                    v2: record.v2,
                    legacy: record.legacy,
                    control,
                    data,
                    skip_metadata: settings.skip_record_metadata,
                })?;
            }
        }
        valid_bytes += frame.size();
    }
    let trailing = records.size_bytes() - valid_bytes;
    if trailing > 0 && settings.max_bytes == MAX_BYTES_UNLIMITED {
        printer.trailing_bytes(trailing, &name)?;
        return Err(DumpError::TrailingBytes {
            path: path.display().to_string(),
            trailing,
        });
    }
    Ok(())
}
