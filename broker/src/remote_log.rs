//! The broker's side of tiered storage (Kafka's `RemoteLogManager` leadership and lifecycle
//! logic; the copy, read and expiry work is `strata_storage::remote`).
//!
//! - At start the store named by `remote.log.storage.url` is opened and probed: a wrong bucket,
//!   wrong credentials or an unreachable endpoint refuse the start with a message naming the
//!   setting.
//! - After every metadata image ([`RemoteTier::sync`]) each hosted log of a topic with
//!   `remote.storage.enable=true` is attached to the remote log manager (which restores a wiped
//!   or new local log's tiered prefix from the bucket's manifest), partitions this node no longer
//!   hosts are detached, and partitions of deleted topics have their remote data deleted.
//! - Every `remote.log.manager.task.interval.ms` the manager copies and expires the partitions
//!   this node leads (leader epoch and last stable offset from the replica manager).
//! - Every [`STATS_LOG_INTERVAL`] one `tiering stats` info line per attached partition goes to the
//!   log: log start, local log start, highest tiered offset, bytes pending upload, upload and
//!   download bytes and errors, cache hit ratio.
//!
//! Thread-safety: shared as `Arc`; the attached set is behind an async mutex held by `sync` only.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use strata_controller::MetadataImage;
use strata_storage::remote::{LeadershipFn, RemoteError, RemoteLogManager, RemotePartition};
use strata_storage::{Clock, Log, TopicPartition};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::config::{ConfigError, KafkaConfig};
use crate::replica_manager::ReplicaManager;

/// How often the per-partition tiering figures are logged.
pub(crate) const STATS_LOG_INTERVAL: Duration = Duration::from_secs(30);
/// How long shutdown lets an in-flight copy or expiry pass finish before abandoning it (an
/// abandoned upload leaves only orphans the next leader's first pass deletes).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A partition attached to the manager: which topic incarnation and which log object.
struct Attached {
    topic_id: Uuid,
    log: Arc<Log>,
}

/// The node's remote tier, present when `remote.log.storage.system.enable=true`.
pub(crate) struct RemoteTier {
    manager: Arc<RemoteLogManager>,
    node_id: i32,
    attached: tokio::sync::Mutex<HashMap<TopicPartition, Attached>>,
    /// Partitions of deleted topics whose remote deletion failed; retried by every sync.
    pending_deletes: Mutex<Vec<(TopicPartition, Uuid)>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    shutdown_tx: watch::Sender<bool>,
    /// Held by a remote expiry and by the local retention pass, never by both: the two delete
    /// local segments of the same log, and one at a time keeps each pass's view of the log
    /// start, local log start and highest tiered offset consistent.
    retention_lock: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for RemoteTier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteTier")
            .field("url", &self.manager.store().url())
            .finish()
    }
}

impl RemoteTier {
    /// Opens and probes the store when `remote.log.storage.system.enable` is true; `None` when
    /// tiering is off on this broker.
    pub(crate) async fn start(
        config: &KafkaConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<Option<Arc<Self>>, RemoteError> {
        let remote_config = config.remote_log_config().map_err(|error| match error {
            ConfigError::InvalidValue { key, value, reason } => {
                RemoteError::InvalidConfig { key, value, reason }
            }
            other => RemoteError::InvalidConfig {
                key: "remote.log.storage.url".into(),
                value: String::new(),
                reason: other.to_string(),
            },
        })?;
        if !remote_config.system_enable {
            return Ok(None);
        }
        let url = remote_config.storage_url.clone();
        let manager = RemoteLogManager::start(remote_config, clock).await?;
        tracing::info!(%url, "tiered storage enabled");
        let (shutdown_tx, _) = watch::channel(false);
        Ok(Some(Arc::new(Self {
            manager,
            node_id: config.node_id,
            attached: tokio::sync::Mutex::new(HashMap::new()),
            pending_deletes: Mutex::new(Vec::new()),
            tasks: Mutex::new(Vec::new()),
            shutdown_tx,
            retention_lock: Arc::new(tokio::sync::Mutex::new(())),
        })))
    }

    /// The attached remote tier of a partition, if tiered here.
    pub(crate) fn partition(&self, tp: &TopicPartition) -> Option<Arc<RemotePartition>> {
        self.manager.partition(tp)
    }

    /// The lock local retention holds while it deletes segments (see the field).
    pub(crate) fn retention_lock(&self) -> Arc<tokio::sync::Mutex<()>> {
        Arc::clone(&self.retention_lock)
    }

    /// `remote.fetch.max.wait.ms`.
    pub(crate) fn fetch_max_wait(&self) -> Duration {
        Duration::from_millis(self.manager.config().fetch_max_wait_ms.max(1))
    }

    /// Makes the attached set follow the hosted partitions and `image`: attach logs of tiered
    /// topics (restoring a wiped log's tiered prefix), detach partitions no longer hosted,
    /// delete the remote data of deleted topics. Failures are logged and retried next time.
    pub(crate) async fn sync(&self, replica_manager: &ReplicaManager, image: &MetadataImage) {
        let mut attached = self.attached.lock().await;
        let mut wanted: HashMap<TopicPartition, (Uuid, Arc<Log>)> = HashMap::new();
        for partition in replica_manager.partitions() {
            let log = partition.log();
            let config = log.config();
            // With delete.on.disable the expirer deletes the tiered data of a topic whose
            // tiering was just turned off, so the partition stays attached for it.
            if config.remote_storage_enable || config.remote_log_delete_on_disable {
                wanted.insert(
                    partition.topic_partition().clone(),
                    (partition.topic_id(), Arc::clone(log)),
                );
            }
        }
        let gone: Vec<TopicPartition> = attached
            .iter()
            .filter(|(tp, a)| {
                wanted
                    .get(*tp)
                    .is_none_or(|(id, log)| *id != a.topic_id || !Arc::ptr_eq(log, &a.log))
            })
            .map(|(tp, _)| tp.clone())
            .collect();
        for tp in gone {
            let Some(old) = attached.remove(&tp) else {
                continue;
            };
            let topic_alive = image
                .topics
                .get_by_id(&old.topic_id)
                .is_some_and(|t| t.partitions.contains_key(&tp.partition));
            if topic_alive {
                self.manager.detach(&tp);
                tracing::info!(partition = %tp, "stopped tiering (replica no longer hosted)");
            } else {
                self.pending_deletes.lock().push((tp, old.topic_id));
            }
        }
        let deletes: Vec<(TopicPartition, Uuid)> =
            std::mem::take(&mut *self.pending_deletes.lock());
        for (tp, topic_id) in deletes {
            match self.manager.delete_partition(&tp, topic_id).await {
                Ok(_) => {
                    // delete_partition detaches by name: a new topic of the same name that was
                    // attached meanwhile is attached again below.
                    if attached.get(&tp).is_some_and(|a| a.topic_id != topic_id) {
                        attached.remove(&tp);
                    }
                }
                Err(error) => {
                    tracing::warn!(partition = %tp, %error, "deleting remote data of a deleted topic failed; will retry");
                    self.pending_deletes.lock().push((tp, topic_id));
                }
            }
        }
        for (tp, (topic_id, log)) in wanted {
            if attached.contains_key(&tp) {
                continue;
            }
            match self.manager.attach(Arc::clone(&log)).await {
                Ok(_) => {
                    attached.insert(tp, Attached { topic_id, log });
                }
                Err(error) => {
                    tracing::error!(partition = %tp, %error, "attaching the remote tier failed; will retry");
                }
            }
        }
    }

    /// Starts the periodic copy/expiry passes (on partitions this node leads), the retry of
    /// failed attaches, and the stats log line. Holds the replica manager weakly (it owns us).
    pub(crate) fn spawn(
        self: &Arc<Self>,
        replica_manager: &Arc<ReplicaManager>,
        image: watch::Receiver<Arc<MetadataImage>>,
    ) {
        let rm: Weak<ReplicaManager> = Arc::downgrade(replica_manager);
        let node_id = self.node_id;
        let leader: Arc<LeadershipFn> =
            Arc::new(move |tp: &TopicPartition| -> Option<(i32, i64)> {
                let replica_manager = rm.upgrade()?;
                let partition = replica_manager.get(&tp.topic, tp.partition)?;
                let state = partition.leader_state();
                (state.leader == node_id)
                    .then(|| (state.leader_epoch, partition.offsets().last_stable_offset))
            });
        let copier =
            tokio::spawn(Arc::clone(self).run_passes(leader, self.shutdown_tx.subscribe()));
        let housekeeping = tokio::spawn(Arc::clone(self).housekeeping(
            Arc::downgrade(replica_manager),
            image,
            self.shutdown_tx.subscribe(),
        ));
        self.tasks.lock().extend([copier, housekeeping]);
    }

    /// Copy then expire every attached partition this node leads, every
    /// `remote.log.manager.task.interval.ms`, at most `copier_threads` partitions at a time
    /// (Kafka's RLMCopyTask and RLMExpirationTask). Failures are logged and counted in the
    /// partition's stats, then retried by the next pass.
    async fn run_passes(
        self: Arc<Self>,
        leader: Arc<LeadershipFn>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let config = self.manager.config();
        let period = Duration::from_millis(config.task_interval_ms.max(1));
        let concurrency = config.copier_threads.min(config.expiration_threads).max(1);
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => self.run_pass(leader.as_ref(), concurrency).await,
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        return;
                    }
                }
            }
        }
    }

    async fn run_pass(&self, leader: &LeadershipFn, concurrency: usize) {
        let tps: Vec<TopicPartition> = self.attached.lock().await.keys().cloned().collect();
        let permits = Arc::new(tokio::sync::Semaphore::new(concurrency));
        let mut running = tokio::task::JoinSet::new();
        for tp in tps {
            let (Some(partition), Some((epoch, last_stable))) =
                (self.manager.partition(&tp), leader(&tp))
            else {
                continue;
            };
            let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                break;
            };
            let retention_lock = Arc::clone(&self.retention_lock);
            running.spawn(async move {
                let _permit = permit;
                if partition.log().is_closed() {
                    return;
                }
                if let Err(error) = partition.copy_segments(epoch, last_stable).await {
                    tracing::warn!(partition = %tp, %error, "remote copy pass failed");
                }
                let _serialized = retention_lock.lock().await;
                if let Err(error) = partition.expire_segments(epoch).await {
                    tracing::warn!(partition = %tp, %error, "remote expiry pass failed");
                }
            });
        }
        while running.join_next().await.is_some() {}
    }

    /// Retries failed attaches and deletions every task interval; logs the stats every
    /// [`STATS_LOG_INTERVAL`].
    async fn housekeeping(
        self: Arc<Self>,
        replica_manager: Weak<ReplicaManager>,
        image: watch::Receiver<Arc<MetadataImage>>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let retry_every = Duration::from_millis(self.manager.config().task_interval_ms.max(100));
        let mut retry = tokio::time::interval(retry_every);
        let mut stats = tokio::time::interval(STATS_LOG_INTERVAL);
        retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        stats.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = retry.tick() => {
                    let Some(rm) = replica_manager.upgrade() else { return };
                    let current = Arc::clone(&image.borrow());
                    self.sync(&rm, &current).await;
                }
                _ = stats.tick() => self.log_stats(),
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        return;
                    }
                }
            }
        }
    }

    /// One `tiering stats` info line per attached partition.
    pub(crate) fn log_stats(&self) {
        for s in self.manager.stats() {
            tracing::info!(
                partition = %s.topic_partition,
                log_start_offset = s.log_start_offset,
                local_log_start_offset = s.local_log_start_offset,
                highest_tiered_offset = s.highest_tiered_offset,
                bytes_pending_upload = s.bytes_pending_upload,
                remote_segments = s.remote_segments,
                remote_bytes = s.remote_bytes,
                upload_bytes = s.upload_bytes,
                upload_errors = s.upload_errors,
                download_bytes = s.download_bytes,
                download_errors = s.download_errors,
                corrupt_objects = s.corrupt_objects,
                local_retention_blocked = s.local_retention_blocked,
                cache_hit_ratio = s.cache_hit_ratio(),
                "tiering stats"
            );
        }
    }

    /// Stops the passes: an in-flight pass gets [`SHUTDOWN_GRACE`] to finish, then is dropped.
    pub(crate) async fn shutdown(&self) {
        self.shutdown_tx.send_replace(true);
        let tasks: Vec<JoinHandle<()>> = std::mem::take(&mut *self.tasks.lock());
        for mut task in tasks {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
            {
                tracing::warn!(
                    "a remote copy or expiry pass did not finish in time; abandoning it"
                );
                task.abort();
            }
        }
        self.log_stats();
    }
}
