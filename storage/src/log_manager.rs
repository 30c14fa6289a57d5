//! Every log of the node, over `log.dirs` (Kafka's `LogManager`).
//!
//! Per log directory: `meta.properties` (created, or checked against the configured node id and
//! cluster id), a `.lock` file held with an exclusive advisory lock for the life of the manager
//! (a second process on the same directory fails with [`LogError::DirLocked`]), and the three
//! offset checkpoints: `recovery-point-offset-checkpoint`, `log-start-offset-checkpoint` and
//! `replication-offset-checkpoint` (high watermarks). Partition directories are opened lazily by
//! [`LogManager::get_or_create`], with the config the caller supplies; checkpoint entries of
//! partitions not opened yet are carried over unchanged.
//!
//! Thread-safety: `Send + Sync`. The map of logs is behind a read-write lock; creation and
//! deletion are serialized; periodic work calls into each log, which synchronizes itself.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fs2::FileExt as _;
use parking_lot::{Mutex, RwLock};
use uuid::Uuid;

use crate::checkpoint_file::{fsync_dir, read_offsets_checkpoint, write_offsets_checkpoint};
use crate::clock::Clock;
use crate::error::{IoContext, LogError};
use crate::log::Log;
use crate::log_config::LogConfig;
use crate::meta_properties::{MetaProperties, META_PROPERTIES_FILE};
use crate::partition_metadata::uuid_to_kafka_string;
use crate::topic_partition::TopicPartition;

/// The lock file in each log directory.
pub const LOCK_FILE: &str = ".lock";
/// Recovery points: every offset below is fsynced.
pub const RECOVERY_POINT_CHECKPOINT_FILE: &str = "recovery-point-offset-checkpoint";
/// Log start offsets.
pub const LOG_START_OFFSET_CHECKPOINT_FILE: &str = "log-start-offset-checkpoint";
/// High watermarks.
pub const REPLICATION_OFFSET_CHECKPOINT_FILE: &str = "replication-offset-checkpoint";
/// Suffix of a partition directory being deleted.
const DELETE_DIR_SUFFIX: &str = "-delete";

/// Checkpointed offsets of one log directory.
#[derive(Debug, Default, Clone)]
struct DirCheckpoints {
    recovery_points: BTreeMap<TopicPartition, i64>,
    log_start_offsets: BTreeMap<TopicPartition, i64>,
    high_watermarks: BTreeMap<TopicPartition, i64>,
}

/// Every log of the node. Thread-safety: `Send + Sync`; creation and deletion are serialized,
/// lookups take a short read lock. See the module docs for the files it owns.
#[derive(Debug)]
pub struct LogManager {
    log_dirs: Vec<PathBuf>,
    locks: Mutex<Vec<File>>,
    cluster_id: String,
    node_id: i32,
    clock: Arc<dyn Clock>,
    logs: RwLock<BTreeMap<TopicPartition, Arc<Log>>>,
    checkpoints: Mutex<Vec<DirCheckpoints>>,
    create_lock: Mutex<()>,
}

impl LogManager {
    /// Locks every directory, creates or checks `meta.properties`, loads the checkpoints and
    /// removes leftover `-delete` directories. With no `cluster_id` configured and none on disk,
    /// a new one is generated.
    pub fn open(
        log_dirs: Vec<PathBuf>,
        node_id: i32,
        cluster_id: Option<String>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, LogError> {
        assert!(
            !log_dirs.is_empty(),
            "log.dirs must name at least one directory"
        );
        let mut locks = Vec::with_capacity(log_dirs.len());
        for dir in &log_dirs {
            std::fs::create_dir_all(dir)
                .io_context(|| format!("create log directory {}", dir.display()))?;
            let path = dir.join(LOCK_FILE);
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .io_context(|| format!("open {}", path.display()))?;
            if file.try_lock_exclusive().is_err() {
                return Err(LogError::DirLocked { path: dir.clone() });
            }
            locks.push(file);
        }
        let cluster_id = Self::check_meta_properties(&log_dirs, node_id, cluster_id)?;
        let mut checkpoints = Vec::with_capacity(log_dirs.len());
        for dir in &log_dirs {
            remove_deleted_partition_dirs(dir)?;
            checkpoints.push(DirCheckpoints {
                recovery_points: read_offsets_checkpoint(
                    &dir.join(RECOVERY_POINT_CHECKPOINT_FILE),
                )?,
                log_start_offsets: read_offsets_checkpoint(
                    &dir.join(LOG_START_OFFSET_CHECKPOINT_FILE),
                )?,
                high_watermarks: read_offsets_checkpoint(
                    &dir.join(REPLICATION_OFFSET_CHECKPOINT_FILE),
                )?,
            });
        }
        Ok(Self {
            log_dirs,
            locks: Mutex::new(locks),
            cluster_id,
            node_id,
            clock,
            logs: RwLock::new(BTreeMap::new()),
            checkpoints: Mutex::new(checkpoints),
            create_lock: Mutex::new(()),
        })
    }

    /// Checks every existing `meta.properties` against the node id, the configured cluster id
    /// and each other; writes it where missing. Returns the cluster id.
    fn check_meta_properties(
        log_dirs: &[PathBuf],
        node_id: i32,
        configured: Option<String>,
    ) -> Result<String, LogError> {
        let mut expected: Option<(String, String)> =
            configured.map(|id| (id, "the configured cluster id".to_string()));
        let mut missing = Vec::new();
        for dir in log_dirs {
            let path = dir.join(META_PROPERTIES_FILE);
            let Some(meta) = MetaProperties::read(dir)? else {
                missing.push(dir);
                continue;
            };
            if meta.node_id != node_id {
                return Err(LogError::MetaPropertiesMismatch {
                    path,
                    key: if meta.version == 0 {
                        "broker.id"
                    } else {
                        "node.id"
                    }
                    .into(),
                    found: meta.node_id.to_string(),
                    expected: node_id.to_string(),
                    expected_source: "the configured node.id".into(),
                });
            }
            match &expected {
                Some((id, source)) if *id != meta.cluster_id => {
                    return Err(LogError::MetaPropertiesMismatch {
                        path,
                        key: "cluster.id".into(),
                        found: meta.cluster_id,
                        expected: id.clone(),
                        expected_source: source.clone(),
                    });
                }
                Some(_) => {}
                None => {
                    expected = Some((
                        meta.cluster_id.clone(),
                        format!("cluster.id in {}", path.display()),
                    ))
                }
            }
        }
        let cluster_id =
            expected.map_or_else(|| uuid_to_kafka_string(Uuid::new_v4()), |(id, _)| id);
        for dir in missing {
            MetaProperties {
                version: 1,
                cluster_id: cluster_id.clone(),
                node_id,
                directory_id: Some(Uuid::new_v4()),
            }
            .write(dir)?;
        }
        Ok(cluster_id)
    }

    /// The cluster id from `meta.properties`.
    pub fn cluster_id(&self) -> &str {
        &self.cluster_id
    }

    /// The node id the directories belong to.
    pub fn node_id(&self) -> i32 {
        self.node_id
    }

    /// The log directories.
    pub fn log_dirs(&self) -> &[PathBuf] {
        &self.log_dirs
    }

    /// The log of `tp`, opening its directory (recovering it) or creating it in the log dir with
    /// the fewest open partitions. An open log gets `config` applied.
    pub fn get_or_create(
        &self,
        tp: &TopicPartition,
        topic_id: Uuid,
        config: LogConfig,
    ) -> Result<Arc<Log>, LogError> {
        if let Some(log) = self.get(tp) {
            Self::check_topic_id(&log, tp, topic_id)?;
            log.update_config(config);
            return Ok(log);
        }
        let _create = self.create_lock.lock();
        if let Some(log) = self.get(tp) {
            Self::check_topic_id(&log, tp, topic_id)?;
            return Ok(log);
        }
        let dir_index = match self
            .log_dirs
            .iter()
            .position(|d| d.join(tp.to_string()).is_dir())
        {
            Some(i) => i,
            None => {
                let logs = self.logs.read();
                let count = |i: usize| {
                    logs.values()
                        .filter(|l| l.dir().parent() == Some(self.log_dirs[i].as_path()))
                        .count()
                };
                (0..self.log_dirs.len())
                    .min_by_key(|&i| count(i))
                    .expect("at least one log dir")
            }
        };
        let (recovery_point, log_start, hw) = {
            let checkpoints = self.checkpoints.lock();
            let c = &checkpoints[dir_index];
            (
                c.recovery_points.get(tp).copied().unwrap_or(0),
                c.log_start_offsets.get(tp).copied().unwrap_or(0),
                c.high_watermarks.get(tp).copied(),
            )
        };
        let dir = self.log_dirs[dir_index].join(tp.to_string());
        let log = Arc::new(Log::open(
            dir,
            tp.clone(),
            topic_id,
            config,
            recovery_point,
            log_start,
            Arc::clone(&self.clock),
        )?);
        if let Some(hw) = hw {
            log.update_high_watermark(hw);
        }
        self.logs.write().insert(tp.clone(), Arc::clone(&log));
        Ok(log)
    }

    fn check_topic_id(log: &Log, tp: &TopicPartition, topic_id: Uuid) -> Result<(), LogError> {
        if !topic_id.is_nil() && !log.topic_id().is_nil() && log.topic_id() != topic_id {
            return Err(LogError::InconsistentTopicId {
                partition: tp.to_string(),
                on_disk: uuid_to_kafka_string(log.topic_id()),
                requested: uuid_to_kafka_string(topic_id),
            });
        }
        Ok(())
    }

    /// The open log of `tp`.
    pub fn get(&self, tp: &TopicPartition) -> Option<Arc<Log>> {
        self.logs.read().get(tp).cloned()
    }

    /// Closes the log of `tp`, renames its directory `<tp>.<id>-delete` and removes it.
    pub fn delete(&self, tp: &TopicPartition) -> Result<(), LogError> {
        let _create = self.create_lock.lock();
        let log = self.logs.write().remove(tp);
        for checkpoints in self.checkpoints.lock().iter_mut() {
            checkpoints.recovery_points.remove(tp);
            checkpoints.log_start_offsets.remove(tp);
            checkpoints.high_watermarks.remove(tp);
        }
        let dir = match &log {
            Some(log) => {
                log.close()?;
                Some(log.dir().to_path_buf())
            }
            None => self
                .log_dirs
                .iter()
                .map(|d| d.join(tp.to_string()))
                .find(|d| d.is_dir()),
        };
        let Some(dir) = dir else { return Ok(()) };
        let parent = dir.parent().map(Path::to_path_buf).unwrap_or_default();
        let doomed = parent.join(format!(
            "{tp}.{}{DELETE_DIR_SUFFIX}",
            Uuid::new_v4().simple()
        ));
        std::fs::rename(&dir, &doomed)
            .io_context(|| format!("rename {} to {}", dir.display(), doomed.display()))?;
        fsync_dir(&parent)?;
        std::fs::remove_dir_all(&doomed).io_context(|| format!("remove {}", doomed.display()))?;
        tracing::info!(partition = %tp, "deleted log");
        Ok(())
    }

    /// Every open log.
    pub fn logs(&self) -> Vec<(TopicPartition, Arc<Log>)> {
        self.logs
            .read()
            .iter()
            .map(|(tp, log)| (tp.clone(), Arc::clone(log)))
            .collect()
    }

    /// Writes all three checkpoint files of every log directory.
    pub fn checkpoint(&self) -> Result<(), LogError> {
        let logs = self.logs();
        let mut checkpoints = self.checkpoints.lock();
        for (i, dir) in self.log_dirs.iter().enumerate() {
            let c = &mut checkpoints[i];
            for (tp, log) in logs
                .iter()
                .filter(|(_, l)| l.dir().parent() == Some(dir.as_path()))
            {
                c.recovery_points.insert(tp.clone(), log.recovery_point());
                c.log_start_offsets
                    .insert(tp.clone(), log.log_start_offset());
                c.high_watermarks.insert(tp.clone(), log.high_watermark());
            }
            write_offsets_checkpoint(
                &dir.join(RECOVERY_POINT_CHECKPOINT_FILE),
                &c.recovery_points,
            )?;
            write_offsets_checkpoint(
                &dir.join(LOG_START_OFFSET_CHECKPOINT_FILE),
                &c.log_start_offsets,
            )?;
            write_offsets_checkpoint(
                &dir.join(REPLICATION_OFFSET_CHECKPOINT_FILE),
                &c.high_watermarks,
            )?;
        }
        Ok(())
    }

    /// One round of background work for every log: retention, segment.ms rolls, flush.ms
    /// flushes, then checkpoints. A failing log does not stop the others; the first error is
    /// returned after all ran.
    pub fn run_periodic(&self) -> Result<(), LogError> {
        let mut first_error = None;
        for (tp, log) in self.logs() {
            if log.is_closed() {
                continue;
            }
            let result = log
                .apply_retention()
                .and_then(|_| log.roll_if_due())
                .and_then(|_| log.flush_if_due());
            if let Err(err) = result {
                tracing::error!(partition = %tp, error = %err, "periodic log maintenance failed");
                first_error.get_or_insert(err);
            }
        }
        if let Err(err) = self.checkpoint() {
            first_error.get_or_insert(err);
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Closes every log (flush, snapshot), writes the checkpoints (recovery points are then the
    /// log ends, so the next open recovers nothing) and releases the directory locks.
    pub fn shutdown(&self) -> Result<(), LogError> {
        let mut first_error = None;
        for (tp, log) in self.logs() {
            if let Err(err) = log.close() {
                tracing::error!(partition = %tp, error = %err, "closing log failed");
                first_error.get_or_insert(err);
            }
        }
        if let Err(err) = self.checkpoint() {
            first_error.get_or_insert(err);
        }
        for lock in self.locks.lock().drain(..) {
            let _ = fs2::FileExt::unlock(&lock);
        }
        first_error.map_or(Ok(()), Err)
    }
}

fn remove_deleted_partition_dirs(dir: &Path) -> Result<(), LogError> {
    for dirent in std::fs::read_dir(dir).io_context(|| format!("list {}", dir.display()))? {
        let dirent = dirent.io_context(|| format!("list {}", dir.display()))?;
        let path = dirent.path();
        if path.is_dir()
            && dirent
                .file_name()
                .to_str()
                .is_some_and(|n| n.ends_with(DELETE_DIR_SUFFIX))
        {
            tracing::info!(dir = %path.display(), "removing partition directory left over from a delete");
            std::fs::remove_dir_all(&path).io_context(|| format!("remove {}", path.display()))?;
        }
    }
    Ok(())
}
