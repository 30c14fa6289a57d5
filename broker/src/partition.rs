//! One partition this node hosts: its log, its leadership as of the latest metadata image, the
//! high watermark, and the waiters (delayed fetches and acks=all produces) woken when it moves.
//!
//! Invariants:
//! - Only the leader appends (`append_as_leader` stamps the current leader epoch).
//! - The high watermark never exceeds the log end offset and only moves forward while the
//!   leader epoch is unchanged; it is the minimum log end offset over the ISR (the leader's own
//!   LEO and each follower's last fetch position). With a single-replica ISR it equals the LEO
//!   after every append.
//! - Waiters are woken after every append (LEO moved, follower fetches care) and every high
//!   watermark or leadership change. A waiter that is woken re-checks its own condition.
//!
//! Thread-safety: `Send + Sync`. Leadership sits behind a `RwLock` held only for synchronous work
//! (never across an await); an append holds the read side so that a leadership change cannot
//! interleave with it.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use kafka_protocol::ResponseError;
use parking_lot::{Mutex, RwLock};
use strata_storage::{AppendInfo, Log, LogConfig, LogError, TopicPartition};
use tokio::sync::Notify;
use uuid::Uuid;

/// Leader epoch a client sends when it does not know one: skips the fencing check.
pub(crate) const NO_LEADER_EPOCH: i32 = -1;

/// Why an operation on a partition failed; each variant maps to one Kafka error code.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PartitionError {
    /// The topic or partition does not exist in the metadata.
    #[error("unknown topic or partition {topic}-{partition}")]
    UnknownTopicOrPartition {
        /// Topic name (or id rendered as text).
        topic: String,
        /// Partition index.
        partition: i32,
    },
    /// The topic id is not in the metadata (Fetch v13+).
    #[error("unknown topic id {topic_id}")]
    UnknownTopicId {
        /// The requested id.
        topic_id: Uuid,
    },
    /// This node is not the leader (or hosts no replica) of the partition.
    #[error("{tp} is led by node {leader} at epoch {leader_epoch}, not by this node")]
    NotLeaderOrFollower {
        /// The partition.
        tp: TopicPartition,
        /// Leader per the metadata, -1 if none.
        leader: i32,
        /// Leader epoch per the metadata, -1 if unknown.
        leader_epoch: i32,
    },
    /// The client's leader epoch is older than ours: its metadata is stale.
    #[error("{tp}: request leader epoch {requested} is older than current {current}")]
    FencedLeaderEpoch {
        /// The partition.
        tp: TopicPartition,
        /// The current leader.
        leader: i32,
        /// Our epoch.
        current: i32,
        /// The client's epoch.
        requested: i32,
    },
    /// The client's leader epoch is newer than ours: our metadata is behind.
    #[error("{tp}: request leader epoch {requested} is newer than current {current}")]
    UnknownLeaderEpoch {
        /// The partition.
        tp: TopicPartition,
        /// Our epoch.
        current: i32,
        /// The client's epoch.
        requested: i32,
    },
    /// acks=all needs `min.insync.replicas` in-sync replicas and there are fewer.
    #[error("{tp}: ISR size {isr} is below min.insync.replicas {min_insync}")]
    NotEnoughReplicas {
        /// The partition.
        tp: TopicPartition,
        /// Current ISR size.
        isr: usize,
        /// `min.insync.replicas`.
        min_insync: i32,
    },
    /// The log refused or failed the operation.
    #[error("{tp}: {source}")]
    Log {
        /// The partition.
        tp: TopicPartition,
        /// What the log said (boxed: `LogError` is large and this travels in `Result`s).
        #[source]
        source: Box<LogError>,
    },
    /// The remote tier failed (a remote timestamp lookup).
    #[error("{tp}: remote storage: {reason}")]
    Remote {
        /// The partition.
        tp: TopicPartition,
        /// Kafka code from `RemoteError::kafka_error_code`.
        code: i16,
        /// What the remote tier said.
        reason: String,
    },
}

impl PartitionError {
    /// A log failure on `tp`.
    pub(crate) fn log(tp: &TopicPartition, source: LogError) -> Self {
        Self::Log {
            tp: tp.clone(),
            source: Box::new(source),
        }
    }

    /// The Kafka error code a client sees for this failure (the one place partition errors map).
    pub(crate) fn code(&self) -> i16 {
        match self {
            Self::UnknownTopicOrPartition { .. } => ResponseError::UnknownTopicOrPartition.code(),
            Self::UnknownTopicId { .. } => ResponseError::UnknownTopicId.code(),
            Self::NotLeaderOrFollower { .. } => ResponseError::NotLeaderOrFollower.code(),
            Self::FencedLeaderEpoch { .. } => ResponseError::FencedLeaderEpoch.code(),
            Self::UnknownLeaderEpoch { .. } => ResponseError::UnknownLeaderEpoch.code(),
            Self::NotEnoughReplicas { .. } => ResponseError::NotEnoughReplicas.code(),
            Self::Log { source, .. } => source.kafka_error_code(),
            Self::Remote { code, .. } => *code,
        }
    }

    /// The current leader and epoch to tell a client that must refresh its metadata (KIP-951:
    /// NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH carry them).
    pub(crate) fn current_leader(&self) -> Option<(i32, i32)> {
        match self {
            Self::NotLeaderOrFollower {
                leader,
                leader_epoch,
                ..
            } => Some((*leader, *leader_epoch)),
            Self::FencedLeaderEpoch {
                leader, current, ..
            } => Some((*leader, *current)),
            _ => None,
        }
    }
}

/// Leadership of a partition as of the latest applied metadata image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LeaderState {
    /// Leader node id, -1 if none.
    pub(crate) leader: i32,
    /// Current leader epoch.
    pub(crate) leader_epoch: i32,
    /// Partition epoch (bumped by every change of the registration).
    pub(crate) partition_epoch: i32,
    /// Assigned replicas.
    pub(crate) replicas: Vec<i32>,
    /// In-sync replicas.
    pub(crate) isr: Vec<i32>,
}

/// Offsets of a partition at one instant, for responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OffsetSnapshot {
    /// First offset still in the log.
    pub(crate) log_start_offset: i64,
    /// Next offset to be written.
    pub(crate) log_end_offset: i64,
    /// Offset below which records are committed (visible to consumers).
    pub(crate) high_watermark: i64,
    /// Last stable offset (= high watermark while transactions are not supported).
    pub(crate) last_stable_offset: i64,
}

/// A partition hosted on this node.
#[derive(Debug)]
pub(crate) struct Partition {
    tp: TopicPartition,
    topic_id: Uuid,
    node_id: i32,
    log: Arc<Log>,
    state: RwLock<LeaderState>,
    /// Effective topic config (broker defaults overlaid with topic overrides) last applied, to
    /// skip re-parsing unchanged configs.
    applied_props: Mutex<BTreeMap<String, String>>,
    min_insync_replicas: Mutex<i32>,
    /// Whether `cleanup.policy` includes `delete` (DeleteRecords is refused on compact-only topics).
    cleanup_delete: std::sync::atomic::AtomicBool,
    /// Last fetch offset (= log end offset) of each follower, for the ISR high watermark.
    follower_end_offsets: Mutex<HashMap<i32, i64>>,
    /// Serializes high-watermark computation and update so that it only moves forward.
    high_watermark_lock: Mutex<()>,
    waiters: Mutex<Vec<Weak<Notify>>>,
    waiter_count: AtomicUsize,
}

impl Partition {
    /// Wraps an opened log with the leadership from the metadata image.
    pub(crate) fn new(
        tp: TopicPartition,
        topic_id: Uuid,
        node_id: i32,
        log: Arc<Log>,
        state: LeaderState,
        props: BTreeMap<String, String>,
        config: &LogConfig,
    ) -> Self {
        Self {
            tp,
            topic_id,
            node_id,
            log,
            state: RwLock::new(state),
            applied_props: Mutex::new(props),
            min_insync_replicas: Mutex::new(config.min_insync_replicas),
            cleanup_delete: std::sync::atomic::AtomicBool::new(config.cleanup_policy.delete),
            follower_end_offsets: Mutex::new(HashMap::new()),
            high_watermark_lock: Mutex::new(()),
            waiters: Mutex::new(Vec::new()),
            waiter_count: AtomicUsize::new(0),
        }
    }

    /// The partition's name.
    pub(crate) fn topic_partition(&self) -> &TopicPartition {
        &self.tp
    }

    /// The topic id the log was created with.
    pub(crate) fn topic_id(&self) -> Uuid {
        self.topic_id
    }

    /// The log.
    pub(crate) fn log(&self) -> &Arc<Log> {
        &self.log
    }

    /// Current leadership.
    pub(crate) fn leader_state(&self) -> LeaderState {
        self.state.read().clone()
    }

    /// Current leader epoch.
    pub(crate) fn leader_epoch(&self) -> i32 {
        self.state.read().leader_epoch
    }

    /// Applies a new registration from the metadata image. A new leader epoch forgets follower
    /// positions (they belong to the previous leadership) and wakes every waiter so that it
    /// re-checks leadership.
    pub(crate) fn update_leadership(&self, next: LeaderState) {
        let changed = {
            let mut state = self.state.write();
            if *state == next {
                false
            } else {
                if state.leader_epoch != next.leader_epoch {
                    self.follower_end_offsets.lock().clear();
                }
                *state = next;
                true
            }
        };
        if changed {
            self.maybe_advance_high_watermark();
            self.wake_waiters();
        }
    }

    /// Whether `props` (defaults overlaid with overrides) differ from the config last applied.
    pub(crate) fn config_changed(&self, props: &BTreeMap<String, String>) -> bool {
        *self.applied_props.lock() != *props
    }

    /// Installs a new log config (after a topic or broker config change).
    pub(crate) fn update_config(&self, props: BTreeMap<String, String>, config: LogConfig) {
        *self.min_insync_replicas.lock() = config.min_insync_replicas;
        self.cleanup_delete
            .store(config.cleanup_policy.delete, Ordering::Release);
        *self.applied_props.lock() = props;
        self.log.update_config(config);
    }

    /// Checks a client's `current_leader_epoch` against ours (Kafka's `checkCurrentLeaderEpoch`).
    pub(crate) fn check_leader_epoch(&self, requested: i32) -> Result<(), PartitionError> {
        let state = self.state.read();
        Self::compare_epochs(&self.tp, &state, requested)
    }

    fn compare_epochs(
        tp: &TopicPartition,
        state: &LeaderState,
        requested: i32,
    ) -> Result<(), PartitionError> {
        let current = state.leader_epoch;
        if requested == NO_LEADER_EPOCH || requested == current {
            Ok(())
        } else if requested < current {
            Err(PartitionError::FencedLeaderEpoch {
                tp: tp.clone(),
                leader: state.leader,
                current,
                requested,
            })
        } else {
            Err(PartitionError::UnknownLeaderEpoch {
                tp: tp.clone(),
                current,
                requested,
            })
        }
    }

    /// Fails unless this node leads the partition and `requested_epoch` matches (or is -1).
    pub(crate) fn check_leader(&self, requested_epoch: i32) -> Result<i32, PartitionError> {
        let state = self.state.read();
        if state.leader != self.node_id {
            return Err(self.not_leader(&state));
        }
        Self::compare_epochs(&self.tp, &state, requested_epoch)?;
        Ok(state.leader_epoch)
    }

    fn not_leader(&self, state: &LeaderState) -> PartitionError {
        PartitionError::NotLeaderOrFollower {
            tp: self.tp.clone(),
            leader: state.leader,
            leader_epoch: state.leader_epoch,
        }
    }

    /// Appends one produce request's records as leader. `required_acks == -1` first checks that
    /// the ISR is at least `min.insync.replicas` (Kafka rejects before appending). Advances the
    /// high watermark and wakes waiters. `records` is only read (the log writes patched copies
    /// of the batch headers), so the request's bytes are appended without a copy.
    pub(crate) fn append_as_leader(
        &self,
        records: impl AsRef<[u8]>,
        required_acks: i16,
    ) -> Result<AppendInfo, PartitionError> {
        let info = {
            let state = self.state.read();
            if state.leader != self.node_id {
                return Err(self.not_leader(&state));
            }
            if required_acks == -1 {
                let min_insync = *self.min_insync_replicas.lock();
                if state.isr.len() < usize::try_from(min_insync).unwrap_or(0) {
                    return Err(PartitionError::NotEnoughReplicas {
                        tp: self.tp.clone(),
                        isr: state.isr.len(),
                        min_insync,
                    });
                }
            }
            self.log
                .append_as_leader(records, state.leader_epoch)
                .map_err(|source| PartitionError::log(&self.tp, source))?
        };
        if !info.duplicate {
            self.maybe_advance_high_watermark();
            self.wake_waiters();
        }
        Ok(info)
    }

    /// Whether records may be deleted by offset (`cleanup.policy` includes `delete`).
    pub(crate) fn allows_record_deletion(&self) -> bool {
        self.cleanup_delete.load(Ordering::Acquire)
    }

    /// Whether acks=all for records up to `required_offset` (exclusive) is satisfied: the high
    /// watermark has reached it. `Err` when leadership was lost meanwhile, or the ISR shrank below
    /// `min.insync.replicas` (Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND).
    pub(crate) fn check_acks_all(&self, required_offset: i64) -> Result<bool, i16> {
        let state = self.state.read();
        if state.leader != self.node_id {
            return Err(ResponseError::NotLeaderOrFollower.code());
        }
        if self.log.high_watermark() < required_offset {
            return Ok(false);
        }
        let min_insync = *self.min_insync_replicas.lock();
        if state.isr.len() < usize::try_from(min_insync).unwrap_or(0) {
            return Err(ResponseError::NotEnoughReplicasAfterAppend.code());
        }
        Ok(true)
    }

    /// Records a follower's fetch position (its log end offset) and advances the high watermark
    /// if the ISR now has more. The seam through which replication plugs in.
    pub(crate) fn update_follower_fetch_position(&self, replica_id: i32, fetch_offset: i64) {
        self.follower_end_offsets
            .lock()
            .insert(replica_id, fetch_offset);
        if self.maybe_advance_high_watermark() {
            self.wake_waiters();
        }
    }

    /// Moves the high watermark to the smallest log end offset over the ISR, if that is higher
    /// than the current one. Returns whether it moved. Followers whose position is unknown hold
    /// the high watermark where it is.
    pub(crate) fn maybe_advance_high_watermark(&self) -> bool {
        let _serialized = self.high_watermark_lock.lock();
        let state = self.state.read();
        if state.leader != self.node_id {
            return false;
        }
        let current = self.log.high_watermark();
        let mut candidate = self.log.log_end_offset();
        {
            let followers = self.follower_end_offsets.lock();
            for replica in state.isr.iter().filter(|r| **r != self.node_id) {
                candidate = candidate.min(followers.get(replica).copied().unwrap_or(current));
            }
        }
        if candidate > current {
            self.log.update_high_watermark(candidate);
            true
        } else {
            false
        }
    }

    /// Offsets at this instant. The high watermark is read before the log end offset so that
    /// `high_watermark <= log_end_offset` holds in the snapshot.
    pub(crate) fn offsets(&self) -> OffsetSnapshot {
        let high_watermark = self.log.high_watermark();
        OffsetSnapshot {
            log_start_offset: self.log.log_start_offset(),
            log_end_offset: self.log.log_end_offset(),
            high_watermark,
            last_stable_offset: high_watermark,
        }
    }

    /// Registers `waiter` to be notified after appends and high-watermark or leadership changes,
    /// until it is dropped. Uses `notify_one`, so a notification between a check and the next
    /// `notified().await` is not lost.
    pub(crate) fn register_waiter(&self, waiter: &Arc<Notify>) {
        let mut waiters = self.waiters.lock();
        waiters.retain(|w| w.strong_count() > 0);
        waiters.push(Arc::downgrade(waiter));
        self.waiter_count.store(waiters.len(), Ordering::Release);
    }

    /// Wakes every live waiter and forgets dropped ones.
    pub(crate) fn wake_waiters(&self) {
        if self.waiter_count.load(Ordering::Acquire) == 0 {
            return;
        }
        let mut waiters = self.waiters.lock();
        waiters.retain(|w| match w.upgrade() {
            Some(notify) => {
                notify.notify_one();
                true
            }
            None => false,
        });
        self.waiter_count.store(waiters.len(), Ordering::Release);
    }
}
