//! The remote tier (KIP-405 semantics, Redpanda's layering): closed segments are copied to an
//! object store under the topic's total retention, and offsets below the local log start are
//! served from there.
//!
//! Layers, bottom up:
//! - [`RemoteStore`] (`store.rs`): one bucket/prefix over `object_store` (`file://`,
//!   `memory://`, `s3://`), per-request timeouts, retries with capped jittered backoff,
//!   multipart uploads for large objects;
//! - `manifest.rs`: the per-partition manifest and the object layout (a public interface);
//! - `copier.rs`: uploads eligible segments, then commits them to the manifest;
//! - `reader.rs` + `cache.rs` + `range_body.rs` + `batch_checker.rs`: ranged, cached,
//!   read-ahead reads (one GET per read-ahead block, its chunks handed out as they arrive and
//!   CRC-checked on the way) and timestamp lookups;
//! - `expirer.rs`: deletes segments past total retention and advances the log start;
//! - [`RemotePartition`] ties them to one [`crate::Log`], [`RemoteLogManager`] to the node.
//!
//! The local [`crate::Log`] stays synchronous and knows only offsets: the highest tiered offset
//! gates its local retention, and reads below its local start fail with
//! [`crate::LogError::OffsetMovedToTieredStorage`] so the caller can read remotely.

mod batch_checker;
mod cache;
pub mod config;
mod copier;
mod error;
mod expirer;
mod file_read;
mod manager;
pub mod manifest;
mod partition;
mod quota;
mod range_body;
mod reader;
mod stats;
mod store;

pub use config::RemoteLogConfig;
pub use copier::CopyOutcome;
pub use error::RemoteError;
pub use expirer::ExpireOutcome;
pub use manager::{LeadershipFn, RemoteLogManager};
pub use manifest::{
    partition_dir, ObjectInfo, PartitionManifest, RemoteSegmentMetadata, SegmentState,
    MANIFEST_FILE,
};
pub use partition::RemotePartition;
pub use stats::RemotePartitionStats;
pub use store::RemoteStore;
