//! The node's remote tier (Kafka's `RemoteLogManager`, without its fetch and leadership logic,
//! which belong to the broker): the store, the index and chunk caches, the copier, expirer and
//! reader limits, the bandwidth quotas, and the attached partitions. The caller says which
//! partitions this node leads; [`RemoteLogManager::spawn`] runs copy and expiry every
//! `remote.log.manager.task.interval.ms`.

use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use parking_lot::RwLock;
use uuid::Uuid;

use crate::clock::Clock;
use crate::log::Log;
use crate::remote::cache::ByteCache;
use crate::remote::config::RemoteLogConfig;
use crate::remote::error::RemoteError;
use crate::remote::manifest::{partition_dir, PartitionManifest, MANIFEST_FILE};
use crate::remote::partition::RemotePartition;
use crate::remote::quota::ByteRateQuota;
use crate::remote::reader::Chunk;
use crate::remote::stats::RemotePartitionStats;
use crate::remote::store::RemoteStore;
use crate::topic_partition::TopicPartition;

/// Says whether this node leads a partition: `Some((leader_epoch, last_stable_offset))`.
pub type LeadershipFn = dyn Fn(&TopicPartition) -> Option<(i32, i64)> + Send + Sync;

/// What every partition's tier shares.
#[derive(Debug)]
pub(crate) struct TierContext {
    pub(crate) store: RemoteStore,
    pub(crate) config: RemoteLogConfig,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) index_cache: ByteCache,
    pub(crate) chunk_cache: ByteCache<Chunk>,
    pub(crate) copy_quota: ByteRateQuota,
    pub(crate) fetch_quota: ByteRateQuota,
    pub(crate) readers: tokio::sync::Semaphore,
    pub(crate) pending_reads: AtomicUsize,
    /// Chunks that read-ahead may have in flight on the node (see [`read_ahead_chunks_max`]).
    pub(crate) read_ahead_in_flight: Arc<tokio::sync::Semaphore>,
}

/// Limit: read-ahead holds at most half the chunk cache in flight across the node (at least
/// one chunk), so many partitions catching up at once cannot hold unbounded memory in
/// responses not yet cached; read-ahead beyond it is skipped, not queued.
pub(crate) fn read_ahead_chunks_max(config: &RemoteLogConfig) -> usize {
    usize::try_from(config.chunk_cache_bytes / 2 / config.chunk_bytes.max(1))
        .unwrap_or(usize::MAX)
        .clamp(1, tokio::sync::Semaphore::MAX_PERMITS)
}

/// See the module docs. Thread-safety: `Send + Sync`, shared as `Arc`.
#[derive(Debug)]
pub struct RemoteLogManager {
    ctx: Arc<TierContext>,
    partitions: RwLock<HashMap<TopicPartition, Arc<RemotePartition>>>,
}

impl RemoteLogManager {
    /// Opens the store at `remote.log.storage.url` and probes it: wrong credentials, a missing
    /// bucket or an unreachable endpoint fail here with [`RemoteError::Unreachable`] naming the
    /// setting.
    pub async fn start(
        config: RemoteLogConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<Arc<Self>, RemoteError> {
        let store = RemoteStore::from_url(&config.storage_url, &config)?;
        store.check_reachable().await?;
        tracing::info!(url = store.url(), "remote log storage reachable");
        Ok(Self::with_store(store, config, clock))
    }

    /// A manager over an already opened store (tests, fault-injection wrappers).
    pub fn with_store(
        store: RemoteStore,
        config: RemoteLogConfig,
        clock: Arc<dyn Clock>,
    ) -> Arc<Self> {
        let ctx = TierContext {
            store,
            index_cache: ByteCache::new(config.index_cache_bytes),
            chunk_cache: ByteCache::new(config.chunk_cache_bytes),
            copy_quota: ByteRateQuota::new(config.copy_max_bytes_per_second),
            fetch_quota: ByteRateQuota::new(config.fetch_max_bytes_per_second),
            readers: tokio::sync::Semaphore::new(config.reader_threads.max(1)),
            pending_reads: AtomicUsize::new(0),
            read_ahead_in_flight: Arc::new(tokio::sync::Semaphore::new(read_ahead_chunks_max(
                &config,
            ))),
            config,
            clock,
        };
        Arc::new(Self {
            ctx: Arc::new(ctx),
            partitions: RwLock::new(HashMap::new()),
        })
    }

    /// The settings.
    pub fn config(&self) -> &RemoteLogConfig {
        &self.ctx.config
    }

    /// The store.
    pub fn store(&self) -> &RemoteStore {
        &self.ctx.store
    }

    /// Reads the partition's manifest from the bucket (the truth), restores the log's tiered
    /// prefix from it (log start, highest tiered offset, leader epochs; a wiped or new local
    /// directory restarts after the tiered range) and registers the partition. Attaching an
    /// attached partition returns the existing handle.
    pub async fn attach(&self, log: Arc<Log>) -> Result<Arc<RemotePartition>, RemoteError> {
        let tp = log.topic_partition().clone();
        if let Some(existing) = self.partition(&tp) {
            if Arc::ptr_eq(existing.log(), &log) {
                return Ok(existing);
            }
        }
        let dir = partition_dir(&tp, log.topic_id());
        let key = format!("{dir}/{MANIFEST_FILE}");
        let manifest = match self.ctx.store.get(&key).await {
            Ok(bytes) => {
                let manifest = PartitionManifest::decode(&key, &bytes)?;
                if manifest.topic != tp.topic || manifest.partition != tp.partition {
                    return Err(RemoteError::MalformedManifest {
                        path: key,
                        reason: format!(
                            "names {}-{}, expected {tp}",
                            manifest.topic, manifest.partition
                        ),
                    });
                }
                manifest
            }
            Err(err) if err.is_not_found() => PartitionManifest::empty(&tp, log.topic_id()),
            Err(err) => return Err(err),
        };
        let highest = manifest.highest_offset();
        if highest >= 0 {
            // A local log behind the tiered range restarts after it, with the producer state
            // of the last tiered segment (Kafka's follower rebuilds its aux state the same way).
            let snapshot = if log.log_end_offset() <= highest {
                self.last_producer_snapshot(&dir, &manifest).await?
            } else {
                None
            };
            log.restore_tiered_prefix(
                manifest.remote_log_start(),
                highest,
                &manifest.leader_epochs(),
                snapshot.as_deref(),
            )?;
            tracing::info!(partition = %tp, remote_log_start = manifest.remote_log_start(), highest_tiered = highest, segments = manifest.committed().count(), "attached remote tier");
        }
        let partition = Arc::new(RemotePartition::new(
            log,
            Arc::clone(&self.ctx),
            dir,
            manifest,
        ));
        self.partitions.write().insert(tp, Arc::clone(&partition));
        Ok(partition)
    }

    /// The producer snapshot object of the newest committed segment, checked against its CRC.
    async fn last_producer_snapshot(
        &self,
        dir: &str,
        manifest: &PartitionManifest,
    ) -> Result<Option<bytes::Bytes>, RemoteError> {
        let Some(last) = manifest.committed().last() else {
            return Ok(None);
        };
        let Some(info) = last.objects.get("snapshot") else {
            return Ok(None);
        };
        let key = last.object_key(dir, "snapshot");
        let bytes = self.ctx.store.get(&key).await?;
        if crc32c::crc32c(&bytes) != info.crc32c {
            return Err(RemoteError::CorruptObject {
                path: self.ctx.store.path(&key).to_string(),
                reason: "producer snapshot does not match its manifest CRC32C".into(),
            });
        }
        Ok(Some(bytes))
    }

    /// The attached partition.
    pub fn partition(&self, tp: &TopicPartition) -> Option<Arc<RemotePartition>> {
        self.partitions.read().get(tp).cloned()
    }

    /// Stops tiering a partition here (replica moved away or log closed); its data stays.
    pub fn detach(&self, tp: &TopicPartition) {
        self.partitions.write().remove(tp);
    }

    /// Deletes every object of a partition (topic deletion, or disabling tiering with
    /// `remote.log.delete.on.disable`): segment objects first, the manifest last, so an
    /// interrupted deletion is finished by calling again. Detaches the partition. Returns the
    /// number of objects deleted.
    pub async fn delete_partition(
        &self,
        tp: &TopicPartition,
        topic_id: Uuid,
    ) -> Result<usize, RemoteError> {
        let attached = self.partitions.write().remove(tp);
        let _writer = match &attached {
            Some(partition) => Some(partition.writer.lock().await),
            None => None,
        };
        let dir = partition_dir(tp, topic_id);
        let manifest_key = format!("{dir}/{MANIFEST_FILE}");
        let keys: Vec<String> = self
            .ctx
            .store
            .list(&dir)
            .await?
            .into_iter()
            .map(|(key, _)| key)
            .filter(|key| *key != manifest_key)
            .collect();
        for key in &keys {
            self.ctx.chunk_cache.invalidate_object(key);
            self.ctx.index_cache.invalidate_object(key);
        }
        let mut deleted = self.ctx.store.delete_all(keys).await?;
        self.ctx.store.delete(&manifest_key).await?;
        deleted += 1;
        tracing::info!(partition = %tp, objects = deleted, "deleted the partition's remote data");
        Ok(deleted)
    }

    /// One pass over the attached partitions this node leads: copy, then expire, at most
    /// `copier_threads` partitions at a time. Failures are logged and counted in the
    /// partition's stats; they never stop the pass.
    pub async fn run_once(&self, leader: &LeadershipFn) {
        let partitions: Vec<(Arc<RemotePartition>, i32, i64)> = self
            .partitions
            .read()
            .iter()
            .filter_map(|(tp, p)| leader(tp).map(|(epoch, lso)| (Arc::clone(p), epoch, lso)))
            .collect();
        let concurrency = self
            .ctx
            .config
            .copier_threads
            .min(self.ctx.config.expiration_threads)
            .max(1);
        futures::stream::iter(partitions)
            .for_each_concurrent(concurrency, |(partition, epoch, lso)| async move {
                if partition.log().is_closed() {
                    return;
                }
                if let Err(err) = partition.copy_segments(epoch, lso).await {
                    tracing::warn!(partition = %partition.log().topic_partition(), error = %err, "remote copy pass failed");
                }
                if let Err(err) = partition.expire_segments(epoch).await {
                    tracing::warn!(partition = %partition.log().topic_partition(), error = %err, "remote expiry pass failed");
                }
                let s = partition.stats();
                tracing::debug!(partition = %s.topic_partition, log_start = s.log_start_offset,
                    local_log_start = s.local_log_start_offset, highest_tiered = s.highest_tiered_offset,
                    pending_upload_bytes = s.bytes_pending_upload, upload_errors = s.upload_errors,
                    download_errors = s.download_errors, cache_hit_ratio = s.cache_hit_ratio(),
                    "remote tier pass done");
            })
            .await;
    }

    /// Runs [`RemoteLogManager::run_once`] every `remote.log.manager.task.interval.ms` until
    /// `shutdown` turns true (or its sender is dropped).
    pub fn spawn(
        self: &Arc<Self>,
        leader: Arc<LeadershipFn>,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let manager = Arc::clone(self);
        tokio::spawn(async move {
            let period = Duration::from_millis(manager.ctx.config.task_interval_ms.max(1));
            let mut ticker = tokio::time::interval(period);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticker.tick() => manager.run_once(leader.as_ref()).await,
                    changed = shutdown.changed() => {
                        if changed.is_err() || *shutdown.borrow() {
                            return;
                        }
                    }
                }
            }
        })
    }

    /// Bytes held by the index cache and the chunk cache.
    pub fn cache_bytes(&self) -> (u64, u64) {
        (
            self.ctx.index_cache.size_bytes(),
            self.ctx.chunk_cache.size_bytes(),
        )
    }

    /// Every attached partition's figures.
    pub fn stats(&self) -> Vec<RemotePartitionStats> {
        let mut stats: Vec<RemotePartitionStats> =
            self.partitions.read().values().map(|p| p.stats()).collect();
        stats.sort_by(|a, b| {
            (&a.topic_partition.topic, a.topic_partition.partition)
                .cmp(&(&b.topic_partition.topic, b.topic_partition.partition))
        });
        stats
    }
}
