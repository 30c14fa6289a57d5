//! `strata dump-log`: Kafka's `kafka-dump-log.sh` (DumpLogSegments) over Strata's and Apache
//! Kafka's files, with Kafka's options and Kafka's output lines.
//!
//! Files are dispatched by suffix as Kafka does: `.log` and `.checkpoint` (segments, KRaft
//! snapshots, `bootstrap.checkpoint`) are dumped batch by batch, `.index` / `.timeindex` are
//! printed and verified against their `.log`, `.snapshot` is producer state, `.txnindex` is the
//! aborted-transaction index, and anything else is "Ignoring unknown file".
//!
//! Files are opened read-only and never mapped or written; `s3://` and `file://` URLs are read
//! from the object store (tiered segments). Exit status, as Kafka's tool: 0 when every file
//! was dumped, even if something was found in it (bad CRC, trailing bytes, index mismatches,
//! non-consecutive offsets, an unknown file: Kafka reports these and exits 0); 1 when a file
//! could not be dumped (unreadable, corrupt in a way Kafka's tool throws on, a failed sanity
//! check); 2 for a usage error. `--fail-on-findings` (Strata extension) also exits 1 when
//! anything was found, for scripts. Kafka's own findings are printed on stderr in Kafka's words
//! after all files; failures are printed as they happen and the remaining files are still
//! dumped (Kafka stops at the first).

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
mod remote_object;
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

/// Kafka's `name.split("\\.")(0).toLong`: the base offset a segment file is named after. A
/// tiered object (`<offset>-<segment id>.<suffix>`, fetched by URL) is named by the digits
/// before its `-`.
pub(super) fn offset_from_file_name(path: &Path) -> Result<i64, DumpError> {
    let name = file_name(path);
    let mut stem = name.split('.').next().unwrap_or_default();
    if remote_object::is_url(path) {
        stem = stem.split('-').next().unwrap_or_default();
    }
    stem.parse().map_err(|_| DumpError::BadFileName {
        path: path.display().to_string(),
        reason: format!("the file name does not start with an offset (\"{stem}\" is not a number)"),
    })
}

/// Reads a whole (small) file: indexes, snapshots. Opened read-only.
pub(super) fn read_file(path: &Path) -> Result<Vec<u8>, DumpError> {
    if remote_object::is_url(path) {
        return remote_object::fetch_existing(path);
    }
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
        FileKind::Unknown => Err(DumpError::UnknownFile {
            path: path.display().to_string(),
        }),
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
    let mut found = false;
    for path in &settings.files {
        let outcome = printer
            .dumping(path)
            .and_then(|()| dump_file(path, &settings, &mut printer, &mut findings));
        match outcome {
            Ok(()) => {}
            Err(DumpError::Stdout(_)) => return ExitCode::FAILURE,
            Err(error) => {
                if error.is_finding() {
                    found = true;
                } else {
                    failed = true;
                }
                if printer.flush().is_err() {
                    return ExitCode::FAILURE;
                }
                match error {
                    DumpError::Kafka(_)
                    | DumpError::RecordSizeTooSmall { .. }
                    | DumpError::UnknownFile { .. }
                    | DumpError::TrailingBytes { .. } => {
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
    found |= !findings.is_empty();
    if failed || (found && settings.fail_on_findings) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{file_kind, offset_from_file_name, FileKind};

    #[test]
    fn kinds_follow_the_last_suffix_like_kafka() {
        assert_eq!(file_kind("00000000000000000000.log"), FileKind::Log);
        assert_eq!(file_kind("bootstrap.checkpoint"), FileKind::Log);
        assert_eq!(
            file_kind("00000000000000000000.timeindex"),
            FileKind::TimeIndex
        );
        assert_eq!(
            file_kind("00000000000000000000.log.deleted"),
            FileKind::Unknown
        );
        assert_eq!(file_kind("x-1.checkpoint.part"), FileKind::Unknown);
        assert_eq!(file_kind("leader-epoch-checkpoint"), FileKind::Unknown);
    }

    #[test]
    fn base_offsets_come_from_the_name_and_tiered_objects_from_the_digits_before_the_id() {
        assert_eq!(
            offset_from_file_name(Path::new("d/00000000000000000042.index")).ok(),
            Some(42)
        );
        assert!(offset_from_file_name(Path::new("d/00000000000000000042-abc.log")).is_err());
        assert_eq!(
            offset_from_file_name(Path::new("s3://b/t-0/00000000000000000042-abc.log")).ok(),
            Some(42)
        );
    }
}
