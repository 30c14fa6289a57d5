//! Per-partition counters of the remote tier, kept apart from the logic that bumps them.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::topic_partition::TopicPartition;

/// A snapshot of one partition's remote-tier figures (for `strata topic describe --tiering`,
/// metrics and logs).
#[derive(Debug, Clone, PartialEq)]
pub struct RemotePartitionStats {
    /// The partition.
    pub topic_partition: TopicPartition,
    /// The log start offset (the remote log start when tiered).
    pub log_start_offset: i64,
    /// The first offset held locally.
    pub local_log_start_offset: i64,
    /// The highest offset in remote storage, -1 none.
    pub highest_tiered_offset: i64,
    /// Bytes of closed local segments not yet uploaded.
    pub bytes_pending_upload: u64,
    /// Bytes of committed remote segments.
    pub remote_bytes: u64,
    /// Committed remote segments.
    pub remote_segments: usize,
    /// Bytes uploaded since start.
    pub upload_bytes: u64,
    /// Uploads that failed after their retries.
    pub upload_errors: u64,
    /// Bytes downloaded since start.
    pub download_bytes: u64,
    /// Downloads that failed after their retries.
    pub download_errors: u64,
    /// Objects that failed their checksum on read.
    pub corrupt_objects: u64,
    /// Segments local retention keeps because they are not uploaded yet.
    pub local_retention_blocked: u64,
    /// Cache lookups answered without a GET.
    pub cache_hits: u64,
    /// Cache lookups that issued a GET.
    pub cache_misses: u64,
}

impl RemotePartitionStats {
    /// Hits over lookups, 0 when there were none.
    pub fn cache_hit_ratio(&self) -> f64 {
        let total = self.cache_hits + self.cache_misses;
        if total == 0 {
            0.0
        } else {
            self.cache_hits as f64 / total as f64
        }
    }
}

/// The live counters behind [`RemotePartitionStats`].
#[derive(Debug, Default)]
pub(crate) struct PartitionCounters {
    pub(crate) upload_bytes: AtomicU64,
    pub(crate) upload_errors: AtomicU64,
    pub(crate) download_bytes: AtomicU64,
    pub(crate) download_errors: AtomicU64,
    pub(crate) corrupt_objects: AtomicU64,
    pub(crate) cache_hits: AtomicU64,
    pub(crate) cache_misses: AtomicU64,
}

impl PartitionCounters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn read(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}
