//! One partition's remote tier: its manifest (the in-memory copy of the bucket's truth), the
//! lock that serializes manifest writers (copy, expiry), counters, and the pieces the copier,
//! reader and expirer share. The work itself lives in `copier.rs`, `reader.rs`, `expirer.rs`.
//!
//! Thread-safety: `Send + Sync`. Readers clone what they need from the manifest under a short
//! read lock and never wait for a copy or an expiry; copy and expiry serialize on an async
//! mutex, so the manifest has one writer at a time per node; across nodes the leader epoch
//! fences an old leader (checked against the stored manifest before every write).

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;

use crate::log::Log;
use crate::remote::error::RemoteError;
use crate::remote::manager::TierContext;
use crate::remote::manifest::{PartitionManifest, RemoteSegmentMetadata, MANIFEST_FILE};
use crate::remote::stats::{PartitionCounters, RemotePartitionStats};

/// One partition's remote tier. See the module docs; created by
/// `RemoteLogManager::attach`.
#[derive(Debug)]
pub struct RemotePartition {
    pub(crate) log: Arc<Log>,
    pub(crate) ctx: Arc<TierContext>,
    /// Key prefix of the partition's objects (`<topic>-<partition>-<topicId>`).
    pub(crate) dir: String,
    pub(crate) manifest: RwLock<Arc<PartitionManifest>>,
    /// Serializes manifest writers (copy, expiry, delete).
    pub(crate) writer: tokio::sync::Mutex<()>,
    /// The leader's first copy pass deletes orphans of interrupted uploads.
    pub(crate) orphans_cleaned: AtomicBool,
    /// Where a sequential reader will fetch next (drives read-ahead).
    pub(crate) next_sequential_offset: AtomicI64,
    /// Shared with background read-ahead tasks.
    pub(crate) counters: Arc<PartitionCounters>,
}

impl RemotePartition {
    pub(crate) fn new(
        log: Arc<Log>,
        ctx: Arc<TierContext>,
        dir: String,
        manifest: PartitionManifest,
    ) -> Self {
        Self {
            log,
            ctx,
            dir,
            manifest: RwLock::new(Arc::new(manifest)),
            writer: tokio::sync::Mutex::new(()),
            orphans_cleaned: AtomicBool::new(false),
            next_sequential_offset: AtomicI64::new(-1),
            counters: Arc::new(PartitionCounters::default()),
        }
    }

    /// The local log this tier extends.
    pub fn log(&self) -> &Arc<Log> {
        &self.log
    }

    /// The committed remote segments, oldest first.
    pub fn segments(&self) -> Vec<RemoteSegmentMetadata> {
        self.manifest().committed().cloned().collect()
    }

    /// The highest offset in remote storage, -1 when nothing is tiered.
    pub fn highest_tiered_offset(&self) -> i64 {
        self.manifest().highest_offset()
    }

    /// The first offset readable from remote storage, -1 when nothing is tiered.
    pub fn remote_log_start_offset(&self) -> i64 {
        self.manifest().remote_log_start()
    }

    /// The key prefix of this partition's objects.
    pub fn object_dir(&self) -> &str {
        &self.dir
    }

    pub(crate) fn manifest(&self) -> Arc<PartitionManifest> {
        Arc::clone(&self.manifest.read())
    }

    pub(crate) fn manifest_key(&self) -> String {
        format!("{}/{MANIFEST_FILE}", self.dir)
    }

    /// Writes `next` as the manifest (caller holds `writer`), after checking that the stored
    /// manifest was not written by a newer leader; then publishes it in memory.
    pub(crate) async fn commit_manifest(
        &self,
        next: PartitionManifest,
        leader_epoch: i32,
    ) -> Result<(), RemoteError> {
        let key = self.manifest_key();
        match self.ctx.store.get(&key).await {
            Ok(bytes) => {
                let stored = PartitionManifest::decode(&key, &bytes)?;
                if stored.leader_epoch > leader_epoch {
                    *self.manifest.write() = Arc::new(stored.clone());
                    return Err(RemoteError::Fenced {
                        leader_epoch,
                        manifest_epoch: stored.leader_epoch,
                    });
                }
            }
            Err(err) if err.is_not_found() => {}
            Err(err) => return Err(err),
        }
        self.ctx
            .store
            .put(&key, bytes::Bytes::from(next.encode()))
            .await?;
        *self.manifest.write() = Arc::new(next);
        Ok(())
    }

    /// Fails with [`RemoteError::Fenced`] when the in-memory manifest is from a newer leader.
    pub(crate) fn check_epoch(&self, leader_epoch: i32) -> Result<(), RemoteError> {
        let manifest_epoch = self.manifest().leader_epoch;
        if manifest_epoch > leader_epoch {
            return Err(RemoteError::Fenced {
                leader_epoch,
                manifest_epoch,
            });
        }
        Ok(())
    }

    /// Bytes of closed local segments above the highest tiered offset (the copy lag).
    pub(crate) fn bytes_pending_upload(&self) -> u64 {
        let tiered_end = self.log.highest_tiered_offset() + 1;
        let segments = self.log.segments();
        segments
            .windows(2)
            .filter(|pair| pair[1].base_offset() > tiered_end)
            .map(|pair| pair[0].size())
            .sum()
    }

    /// The partition's figures now.
    pub fn stats(&self) -> RemotePartitionStats {
        let manifest = self.manifest();
        let c = &self.counters;
        RemotePartitionStats {
            topic_partition: self.log.topic_partition().clone(),
            log_start_offset: self.log.log_start_offset(),
            local_log_start_offset: self.log.local_log_start_offset(),
            highest_tiered_offset: manifest.highest_offset(),
            bytes_pending_upload: self.bytes_pending_upload(),
            remote_bytes: manifest.size_bytes(),
            remote_segments: manifest.committed().count(),
            upload_bytes: PartitionCounters::read(&c.upload_bytes),
            upload_errors: PartitionCounters::read(&c.upload_errors),
            download_bytes: PartitionCounters::read(&c.download_bytes),
            download_errors: PartitionCounters::read(&c.download_errors),
            corrupt_objects: PartitionCounters::read(&c.corrupt_objects),
            local_retention_blocked: self.log.local_retention_blocked(),
            cache_hits: PartitionCounters::read(&c.cache_hits),
            cache_misses: PartitionCounters::read(&c.cache_misses),
        }
    }

    pub(crate) fn set_next_sequential(&self, offset: i64) {
        self.next_sequential_offset.store(offset, Ordering::Release);
    }
}
