//! `strata dump-log`: Kafka's `kafka-dump-log.sh` (DumpLogSegments) over Strata's and Apache
//! Kafka's files, with Kafka's options and Kafka's output lines.
//!
//! Files are dispatched by suffix as Kafka does: `.log` and `.checkpoint` (segments, KRaft
//! snapshots, `bootstrap.checkpoint`) are dumped batch by batch, `.index` / `.timeindex` are
//! printed and verified against their `.log`, `.snapshot` is producer state, `.txnindex` is the
//! aborted-transaction index, and anything else is "Ignoring unknown file".
//!
//! Files are opened read-only and never mapped or written. Exit status: 0 when every file was
//! dumped and nothing was wrong with it; 1 when a file could not be dumped or something was
//! found (bad CRC, trailing bytes, index mismatches, non-consecutive offsets, an unknown file);
//! 2 for a usage error. Kafka's own findings are printed on stderr in Kafka's words after all
//! files; failures are printed as they happen and the remaining files are still dumped.

mod batch;
mod control_line;
mod error;
mod file_records;
mod findings;
mod index_dump;
mod internal_topics;
mod json_object;
mod log_dump;
mod message_parser;
mod options;
mod printer;
mod producer_snapshot_dump;
mod txn_index_dump;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub(crate) use options::DumpLogArgs;

use error::DumpError;
use findings::Findings;
use options::Settings;
use printer::Printer;

/// Exit status of a usage error (as clap uses).
const EXIT_USAGE: u8 = 2;

/// The kinds of file dump-log reads, by suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Log,
    OffsetIndex,
    TimeIndex,
    ProducerSnapshot,
    TxnIndex,
    Unknown,
}

/// Kafka's dispatch on `name.substring(name.lastIndexOf("."))`.
fn file_kind(name: &str) -> FileKind {
    match name.rfind('.').map(|at| &name[at..]) {
        Some(".log" | ".checkpoint") => FileKind::Log,
        Some(".index") => FileKind::OffsetIndex,
        Some(".timeindex") => FileKind::TimeIndex,
        Some(".snapshot") => FileKind::ProducerSnapshot,
        Some(".txnindex") => FileKind::TxnIndex,
        _ => FileKind::Unknown,
    }
}

/// The last component of `path` as text.
pub(super) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Kafka's `name.split("\\.")(0).toLong`: the base offset a segment file is named after.
pub(super) fn offset_from_file_name(path: &Path) -> Result<i64, DumpError> {
    let name = file_name(path);
    let stem = name.split('.').next().unwrap_or_default();
    stem.parse().map_err(|_| DumpError::BadFileName {
        path: path.display().to_string(),
        reason: format!("the file name does not start with an offset (\"{stem}\" is not a number)"),
    })
}

/// Reads a whole (small) file: indexes, snapshots. Opened read-only.
pub(super) fn read_file(path: &Path) -> Result<Vec<u8>, DumpError> {
    std::fs::read(path).map_err(|source| DumpError::Io {
        action: "read",
        path: path.display().to_string(),
        source,
    })
}

fn dump_file(
    path: &Path,
    settings: &Settings,
    printer: &mut Printer,
    findings: &mut Findings,
) -> Result<(), DumpError> {
    match file_kind(&file_name(path)) {
        FileKind::Log => log_dump::dump_log(path, settings, printer, findings),
        FileKind::OffsetIndex => index_dump::dump_offset_index(path, settings, printer, findings),
        FileKind::TimeIndex => index_dump::dump_time_index(path, settings, printer, findings),
        FileKind::ProducerSnapshot => producer_snapshot_dump::dump_producer_snapshot(path, printer),
        FileKind::TxnIndex => txn_index_dump::dump_txn_index(path, printer),
        FileKind::Unknown => Err(DumpError::Kafka(format!(
            "Ignoring unknown file {}",
            path.display()
        ))),
    }
}

/// Runs `strata dump-log`.
pub(crate) fn run(args: DumpLogArgs) -> ExitCode {
    let settings = match args.settings() {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("strata dump-log: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let mut printer = Printer::new(settings.json);
    let mut findings = Findings::default();
    let mut failed = false;
    for path in &settings.files {
        let outcome = printer
            .dumping(path)
            .and_then(|()| dump_file(path, &settings, &mut printer, &mut findings));
        match outcome {
            Ok(()) => {}
            Err(DumpError::Stdout(_)) => return ExitCode::FAILURE,
            Err(error) => {
                failed = true;
                if printer.flush().is_err() {
                    return ExitCode::FAILURE;
                }
                match error {
                    DumpError::Kafka(_) | DumpError::RecordSizeTooSmall { .. } => {
                        eprintln!("{error}");
                    }
                    _ => eprintln!("Error: {error}"),
                }
            }
        }
    }
    if printer.flush().is_err() {
        return ExitCode::FAILURE;
    }
    let mut stderr = std::io::stderr().lock();
    // Nothing useful can be done if stderr itself is gone.
    let _ = findings.print(&mut stderr);
    let _ = stderr.flush();
    if failed || !findings.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
