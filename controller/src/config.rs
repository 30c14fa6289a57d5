//! [`ControllerConfig`]: what a controller node needs to know at start.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Records per producer id block (Kafka's `ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE`).
pub const PRODUCER_ID_BLOCK_SIZE: i64 = 1000;

/// Default bound of the controller's request queue.
pub const REQUEST_QUEUE_CAPACITY_DEFAULT: usize = 1024;

/// Configuration of one controller (the metadata quorum member on this node).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControllerConfig {
    /// `node.id`; must be one of `voters`.
    pub node_id: i32,
    /// `metadata.log.dir`; the log lives in `<dir>/__cluster_metadata-0/`.
    pub metadata_log_dir: PathBuf,
    /// `controller.quorum.voters`: (id, "host:port"). Only a single voter is supported for now.
    pub voters: Vec<(i32, String)>,
    /// `num.partitions`: partitions of a topic created with -1.
    pub num_partitions: i32,
    /// `default.replication.factor`: replication factor of a topic created with -1.
    pub default_replication_factor: i16,
    /// Broker-level defaults of topic configs, already resolved to topic config names.
    pub broker_defaults: BTreeMap<String, String>,
    /// The cluster id from `meta.properties`.
    pub cluster_id: String,
    /// `remote.log.storage.system.enable`: whether topics may set `remote.storage.enable=true`.
    pub remote_log_storage_system_enable: bool,
    /// Take a snapshot once this many metadata records were applied since the last one
    /// (`metadata.log.max.record.bytes.between.snapshots`, counted in records); 0 disables.
    pub metadata_max_snapshot_interval_records: u64,
    /// Roll the metadata log to a new segment past this size (`metadata.log.segment.bytes`).
    pub metadata_log_segment_bytes: u64,
    /// Bound of the queue of pending admin operations.
    pub request_queue_capacity: usize,
}

impl ControllerConfig {
    /// A single-voter (combined mode) config with Kafka's defaults.
    pub fn single_node(
        node_id: i32,
        metadata_log_dir: PathBuf,
        cluster_id: impl Into<String>,
    ) -> Self {
        ControllerConfig {
            node_id,
            metadata_log_dir,
            voters: vec![(node_id, "localhost:9093".to_string())],
            num_partitions: 1,
            default_replication_factor: 1,
            broker_defaults: BTreeMap::new(),
            cluster_id: cluster_id.into(),
            remote_log_storage_system_enable: false,
            metadata_max_snapshot_interval_records: 20_000,
            metadata_log_segment_bytes: 8 * 1024 * 1024,
            request_queue_capacity: REQUEST_QUEUE_CAPACITY_DEFAULT,
        }
    }
}
