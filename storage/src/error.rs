//! The one error type of the storage crate, and its mapping to Kafka error codes.

use std::io;
use std::path::PathBuf;

use crate::log_config::ConfigError;

/// Why a storage operation failed. Variants state facts; [`LogError::kafka_error_code`] is the one
/// place that maps them to the code a Kafka client expects.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The requested offset is outside `[log_start, log_end]`.
    #[error("offset {requested} is out of range [{log_start}, {log_end}]")]
    OffsetOutOfRange {
        /// The offset asked for.
        requested: i64,
        /// The log start offset.
        log_start: i64,
        /// The log end offset.
        log_end: i64,
    },
    /// The offset is in the log but only in remote storage (`[log_start, local_log_start)`):
    /// a consumer's fetch is served by the remote reader, a follower gets Kafka's
    /// OFFSET_MOVED_TO_TIERED_STORAGE.
    #[error(
        "offset {requested} is tiered: log start {log_start}, local log start {local_log_start}"
    )]
    OffsetMovedToTieredStorage {
        /// The offset asked for.
        requested: i64,
        /// The log start offset (remote log start).
        log_start: i64,
        /// The first offset held locally.
        local_log_start: i64,
    },
    /// A batch failed its CRC or its framing is broken.
    #[error("corrupt record batch at byte {position}: {reason}")]
    CorruptRecord {
        /// Byte position of the batch in the buffer or segment.
        position: usize,
        /// What is wrong.
        reason: String,
    },
    /// A batch is larger than `max.message.bytes`.
    #[error("record batch of {size} bytes exceeds max.message.bytes {max}")]
    RecordTooLarge {
        /// Batch size in bytes (12 + Length).
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The records of one append do not fit into an empty segment (`segment.bytes`).
    #[error("appended records of {size} bytes exceed segment.bytes {segment_bytes}")]
    RecordsLargerThanSegment {
        /// Size of the appended records.
        size: usize,
        /// The segment size limit.
        segment_bytes: u64,
    },
    /// A batch breaks a rule of the log format (magic, record count, control batch from a client...).
    #[error("invalid record: {reason}")]
    InvalidRecord {
        /// What rule is broken.
        reason: String,
    },
    /// Records without a key were produced to a topic whose `cleanup.policy` includes `compact`
    /// (Kafka's LogValidator rule: compaction keeps the latest record per key, so a keyless
    /// record could never be compacted).
    #[error("Compacted topic cannot accept message without key in topic partition {topic_partition}: records {record_indexes:?} of the batch have no key")]
    KeylessRecordsOnCompactedTopic {
        /// The partition, as `topic-partition`.
        topic_partition: String,
        /// Indexes within the batch of the records without a key (KIP-467 batch indexes).
        record_indexes: Vec<i32>,
    },
    /// A CreateTime timestamp is outside `message.timestamp.before.max.ms`/`after.max.ms` of now.
    #[error("timestamp {timestamp} of a batch is out of range at broker time {now_ms}: {reason}")]
    InvalidTimestamp {
        /// The offending timestamp.
        timestamp: i64,
        /// Broker time of the append.
        now_ms: i64,
        /// Which bound is broken.
        reason: String,
    },
    /// An idempotent producer skipped or reordered a sequence number.
    #[error("out of order sequence for producer {producer_id}: expected {expected}, received {received}")]
    OutOfOrderSequence {
        /// Producer id.
        producer_id: i64,
        /// The next sequence the log expects.
        expected: i32,
        /// The base sequence received.
        received: i32,
    },
    /// A producer with an older epoch than the one the log knows tried to write (fenced).
    #[error("producer {producer_id} has epoch {received}, older than current epoch {current}")]
    InvalidProducerEpoch {
        /// Producer id.
        producer_id: i64,
        /// The epoch the log knows.
        current: i16,
        /// The epoch received.
        received: i16,
    },
    /// The producer id is not known to the log where it must be (reserved for transactional checks).
    #[error("unknown producer id {producer_id}")]
    UnknownProducerId {
        /// Producer id.
        producer_id: i64,
    },
    /// A file or directory operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, naming the file.
        context: String,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// A topic config is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `meta.properties` disagrees with the configuration or with another log dir.
    #[error("{path}: {key} is {found} but {expected_source} is {expected}")]
    MetaPropertiesMismatch {
        /// The meta.properties file.
        path: PathBuf,
        /// The property that differs.
        key: String,
        /// The value in the file.
        found: String,
        /// The value expected.
        expected: String,
        /// Where the expected value comes from (the node config, another log dir).
        expected_source: String,
    },
    /// Another process holds the log directory's `.lock`.
    #[error("log directory {path} is locked by another process (its .lock file is held)")]
    DirLocked {
        /// The log directory.
        path: PathBuf,
    },
    /// A state file (checkpoint, snapshot, partition.metadata, meta.properties, index) is unreadable.
    #[error("{path} is corrupt: {reason}")]
    CorruptFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The partition directory belongs to a different topic id.
    #[error("partition {partition} on disk has topic id {on_disk}, but topic id {requested} was requested")]
    InconsistentTopicId {
        /// `topic-partition`.
        partition: String,
        /// Topic id in partition.metadata.
        on_disk: String,
        /// Topic id asked for.
        requested: String,
    },
    /// A replicated append does not start at the log end offset.
    #[error("replicated records start at offset {received} but the log end offset is {expected}")]
    UnexpectedAppendOffset {
        /// The log end offset.
        expected: i64,
        /// The first offset of the records.
        received: i64,
    },
    /// The log was closed or deleted; no more reads or writes.
    #[error("log {partition} is closed")]
    Closed {
        /// `topic-partition`.
        partition: String,
    },
}

impl LogError {
    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: io::Error) -> Self {
        LogError::Io {
            context: context.into(),
            source,
        }
    }

    /// The Kafka protocol error code a client expects for this error.
    pub fn kafka_error_code(&self) -> i16 {
        match self {
            LogError::OffsetOutOfRange { .. } => 1,
            LogError::CorruptRecord { .. } => 2,
            LogError::RecordTooLarge { .. } => 10,
            LogError::RecordsLargerThanSegment { .. } => 18,
            LogError::InvalidTimestamp { .. } => 32,
            LogError::Config(_) => 40,
            LogError::OutOfOrderSequence { .. } => 45,
            LogError::InvalidProducerEpoch { .. } => 47,
            LogError::UnknownProducerId { .. } => 59,
            LogError::InvalidRecord { .. } | LogError::KeylessRecordsOnCompactedTopic { .. } => 87,
            LogError::InconsistentTopicId { .. } => 103,
            LogError::OffsetMovedToTieredStorage { .. } => 109,
            LogError::UnexpectedAppendOffset { .. } => -1,
            LogError::Io { .. }
            | LogError::MetaPropertiesMismatch { .. }
            | LogError::DirLocked { .. }
            | LogError::CorruptFile { .. }
            | LogError::Closed { .. } => 56,
        }
    }
}

/// Adds file context to `io::Result`s.
pub(crate) trait IoContext<T> {
    /// Maps an I/O error to [`LogError::Io`] with `context()` as its description.
    fn io_context<C: Into<String>>(self, context: impl FnOnce() -> C) -> Result<T, LogError>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn io_context<C: Into<String>>(self, context: impl FnOnce() -> C) -> Result<T, LogError> {
        self.map_err(|source| LogError::Io {
            context: context().into(),
            source,
        })
    }
}
