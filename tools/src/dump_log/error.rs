//! Why a file could not be dumped (or could only be dumped in part).

use std::io;

/// A failure that ends the dump of one file. The message is printed on stderr and the other
/// files are still dumped, except after [`DumpError::Stdout`]. The command exits non-zero,
/// except for what Kafka's tool reports and goes on from ([`DumpError::is_finding`]), which
/// fails the run only under `--fail-on-findings`.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DumpError {
    /// A file could not be opened or read.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was attempted ("open", "read").
        action: &'static str,
        /// The path as given.
        path: String,
        /// The operating-system error.
        source: io::Error,
    },
    /// Standard output is gone (a closed pipe): nothing more can be printed.
    #[error("cannot write to standard output: {0}")]
    Stdout(io::Error),
    /// A batch's size field is below the smallest legal batch; Kafka's exact wording.
    #[error("Found record size {size} smaller than minimum record overhead (14) in file {path}.")]
    RecordSizeTooSmall {
        /// The size field read.
        size: i32,
        /// The file.
        path: String,
    },
    /// The file's name does not carry what its kind needs (a base offset, a snapshot id).
    #[error("{path}: {reason}")]
    BadFileName {
        /// The file.
        path: String,
        /// What is wrong with the name.
        reason: String,
    },
    /// The content is corrupt in a way Kafka's tool does not survive either.
    #[error("{path}: {reason}")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong, and where.
        reason: String,
    },
    /// A check or reader failed with a message that Kafka prints verbatim (sanity checks,
    /// producer snapshots, transaction indexes).
    #[error("{0}")]
    Kafka(String),
    /// The file's suffix is none dump-log reads; Kafka's words, and Kafka goes on (exit 0).
    #[error("Ignoring unknown file {path}")]
    UnknownFile {
        /// The path as given.
        path: String,
    },
    /// Bytes after the last whole batch of a `.log` (a torn write, garbage). Kafka prints
    /// `Found N invalid bytes at the end of ..` on stdout and goes on (exit 0).
    #[error("{path}: {trailing} bytes after the last whole batch are not a batch")]
    TrailingBytes {
        /// The path as given.
        path: String,
        /// How many bytes follow the last whole batch.
        trailing: u64,
    },
}

impl DumpError {
    /// True for what Kafka's DumpLogSegments reports and then goes on from, exiting 0 (an
    /// unknown file, trailing bytes); false for what ends Kafka's tool with an exception.
    pub(crate) fn is_finding(&self) -> bool {
        matches!(self, Self::UnknownFile { .. } | Self::TrailingBytes { .. })
    }
}
