//! Why a remote-tier operation failed.

use crate::error::LogError;

/// Why a remote-tier operation failed. Variants state facts; [`RemoteError::kafka_error_code`]
/// maps them to what a Kafka client expects.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// A broker setting has a value the remote tier cannot use.
    #[error("invalid value {value:?} for {key}: {reason}")]
    InvalidConfig {
        /// The property name.
        key: String,
        /// The value given.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The store URL cannot be parsed or names an unsupported scheme.
    #[error("invalid {setting} {url:?}: {reason}")]
    InvalidUrl {
        /// The setting that holds the URL.
        setting: &'static str,
        /// The URL.
        url: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The store did not answer a probe at start (wrong credentials, no such bucket, no endpoint).
    #[error("remote storage at {setting}={url:?} is unreachable: {reason}")]
    Unreachable {
        /// The setting that holds the URL.
        setting: &'static str,
        /// The URL.
        url: String,
        /// The store's answer.
        reason: String,
    },
    /// A store request failed after every retry.
    #[error("remote storage {operation} of {path} failed: {source}")]
    Store {
        /// The request (`put`, `get`, `delete`, ...).
        operation: &'static str,
        /// The object.
        path: String,
        /// The store's error.
        #[source]
        source: object_store::Error,
    },
    /// An object read back does not match its checksum or framing; it is not served.
    #[error("corrupt remote object {path}: {reason}")]
    CorruptObject {
        /// The object.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The offset is not in the tiered range.
    #[error("offset {requested} is not in remote storage [{remote_log_start}, {highest_tiered}]")]
    OffsetOutOfRange {
        /// The offset asked for.
        requested: i64,
        /// First offset in remote storage (-1 none).
        remote_log_start: i64,
        /// Last offset in remote storage (-1 none).
        highest_tiered: i64,
    },
    /// Too many remote reads are queued (`remote.log.reader.max.pending.tasks`).
    #[error("{pending} remote reads pending, limit {max}")]
    ReaderBusy {
        /// Reads running or waiting.
        pending: usize,
        /// The limit.
        max: usize,
    },
    /// The manifest was written by a newer leader: this node must stop copying and expiring.
    #[error("leader epoch {leader_epoch} is older than the manifest's epoch {manifest_epoch}")]
    Fenced {
        /// The caller's leader epoch.
        leader_epoch: i32,
        /// The epoch recorded in the manifest.
        manifest_epoch: i32,
    },
    /// A manifest cannot be decoded.
    #[error("remote manifest {path} is malformed: {reason}")]
    MalformedManifest {
        /// The object.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The local log failed.
    #[error(transparent)]
    Log(#[from] LogError),
}

impl RemoteError {
    pub(crate) fn invalid_config(
        key: &str,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        RemoteError::InvalidConfig {
            key: key.to_string(),
            value: value.into(),
            reason: reason.into(),
        }
    }

    /// The Kafka error code a client gets for this failure (a fetch or ListOffsets partition
    /// error): OFFSET_OUT_OF_RANGE (1), CORRUPT_MESSAGE (2), NOT_LEADER_OR_FOLLOWER (6) when
    /// fenced, KAFKA_STORAGE_ERROR (56) for store failures, else the log's code.
    pub fn kafka_error_code(&self) -> i16 {
        match self {
            RemoteError::OffsetOutOfRange { .. } => 1,
            RemoteError::CorruptObject { .. } | RemoteError::MalformedManifest { .. } => 2,
            RemoteError::Fenced { .. } => 6,
            RemoteError::Log(err) => err.kafka_error_code(),
            RemoteError::InvalidConfig { .. } | RemoteError::InvalidUrl { .. } => 40,
            RemoteError::Unreachable { .. }
            | RemoteError::Store { .. }
            | RemoteError::ReaderBusy { .. } => 56,
        }
    }

    /// True when the store answered "no such object" (deletes treat it as done).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            RemoteError::Store {
                source: object_store::Error::NotFound { .. },
                ..
            }
        )
    }
}
