//! The log: Kafka's on-disk format for partition logs — segments (`.log`, `.index`,
//! `.timeindex`), producer-state snapshots, leader-epoch checkpoints, offset checkpoints,
//! `partition.metadata` and `meta.properties` — with crash recovery, retention and idempotent
//! producer checks.
//!
//! Layering (Kafka's): [`LogSegment`] (one file set) ← [`LocalLog`] (the segments of one
//! partition directory) ← [`Log`] (Kafka's `UnifiedLog`: validation, offsets, producer state,
//! leader epochs, high watermark; the seam where a remote tier plugs in) ← [`LogManager`] (every
//! log under `log.dirs`). Storage speaks offsets, epochs and record batches, never requests.
//!
//! The remote tier ([`remote`]) extends a [`Log`] below its local start: closed segments are
//! copied to an object store (`file://`, `memory://`, `s3://`), served back by a cached reader,
//! and expired under the topic's total retention. It is async (tokio); the local API stays sync.

#![warn(missing_docs)]

mod batch_header;
mod checkpoint_file;
mod clock;
mod error;
mod index_file;
mod leader_epoch_cache;
mod local_log;
mod log;
pub mod log_config;
mod log_config_describe;
mod log_manager;
mod log_validator;
mod meta_properties;
mod offset_index;
mod partition_metadata;
mod producer_state;
mod recovery;
pub mod remote;
mod retention;
mod segment;
mod time_index;
mod topic_partition;

pub use batch_header::BatchHeader;
pub use checkpoint_file::{
    read_offsets_checkpoint, write_offsets_checkpoint, CheckpointFile, OFFSETS_CHECKPOINT_VERSION,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::LogError;
pub use leader_epoch_cache::{EpochEntry, LeaderEpochFileCache, LEADER_EPOCH_CHECKPOINT_FILE};
pub use local_log::LocalLog;
pub use log::{
    AppendInfo, Log, LogReadInfo, EARLIEST_LOCAL_TIMESTAMP, EARLIEST_TIMESTAMP,
    LATEST_TIERED_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP,
};
pub use log_config::{ConfigError, LogConfig};
pub use log_manager::{
    LogManager, LOCK_FILE, LOG_START_OFFSET_CHECKPOINT_FILE, RECOVERY_POINT_CHECKPOINT_FILE,
    REPLICATION_OFFSET_CHECKPOINT_FILE,
};
pub use meta_properties::{MetaProperties, META_PROPERTIES_FILE};
pub use offset_index::{OffsetIndex, OffsetPosition, OFFSET_INDEX_ENTRY_BYTES};
pub use partition_metadata::{
    uuid_from_kafka_string, uuid_to_kafka_string, PartitionMetadata, PARTITION_METADATA_FILE,
};
pub use producer_state::{
    snapshot_file, BatchMetadata, ProducerAppendCheck, ProducerStateEntry, ProducerStateManager,
    BATCHES_RETAINED_PER_PRODUCER, PRODUCER_SNAPSHOT_SUFFIX,
};
pub use retention::RetentionOutcome;
pub use segment::{
    filename_prefix, segment_file, BatchLocation, LogSegment, SegmentRecovery, TimestampOffset,
    DELETED_FILE_SUFFIX, INDEX_FILE_SUFFIX, LOG_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX,
};
pub use time_index::{TimeIndex, TimestampOffsetEntry, TIME_INDEX_ENTRY_BYTES};
pub use topic_partition::TopicPartition;
