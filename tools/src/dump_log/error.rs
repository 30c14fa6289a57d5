//! Why a file could not be dumped (or could only be dumped in part).

use std::io;

/// A failure that ends the dump of one file. The message is printed on stderr and the command
/// exits non-zero; the other files are still dumped, except after [`DumpError::Stdout`].
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
}
