//! [`Controller`]: the handle the broker holds — starts the metadata quorum on this node and
//! forwards admin operations to the quorum controller task.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use openraft::{BasicNode, Config, SnapshotPolicy};
use strata_storage::Clock;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::config::ControllerConfig;
use crate::error::ControllerError;
use crate::image::MetadataImage;
use crate::operations::{
    BrokerRegistrationRequest, ConfigChange, ConfigReplace, CreatePartitionsSpec, CreateTopicSpec,
    CreatedTopic, ProducerIdBlock, TopicRef,
};
use crate::quorum_controller::{QuorumController, Request};
use crate::raft::LogStart;
use crate::raft::{
    LogStore, MetadataLog, MetadataNetwork, MetadataRaft, NodeId, QuorumState, StateMachine,
    UnreachableTransport, METADATA_PARTITION_DIR,
};

/// How long start-up waits for this node to win the election and replay the log.
const ELECTION_WAIT_MS: u64 = 10_000;
/// How long to wait for a triggered snapshot before triggering again.
const SNAPSHOT_RETRIGGER_MS: u64 = 200;
/// How long shutdown waits for the final snapshot.
const SHUTDOWN_SNAPSHOT_WAIT_MS: u64 = 10_000;

/// A running metadata quorum member and its controller. Cheap to clone; every clone talks to
/// the same task.
#[derive(Clone)]
pub struct Controller {
    requests: mpsc::Sender<Request>,
    image_rx: watch::Receiver<Arc<MetadataImage>>,
    raft: MetadataRaft,
    log_store: LogStore,
    state_machine: StateMachine,
    tasks: Arc<parking_lot::Mutex<Vec<JoinHandle<()>>>>,
}

impl std::fmt::Debug for Controller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controller")
            .field("offset", &self.image().offset)
            .finish_non_exhaustive()
    }
}

fn storage(context: &str) -> impl FnOnce(std::io::Error) -> ControllerError + '_ {
    move |e| ControllerError::Storage(format!("{context}: {e}"))
}

fn node_id(id: i32) -> Result<NodeId, ControllerError> {
    NodeId::try_from(id).map_err(|_| ControllerError::Config {
        reason: format!("node.id {id} is negative"),
    })
}

impl Controller {
    /// Opens `<metadata_log_dir>/__cluster_metadata-0/`, restores the newest snapshot, starts
    /// raft (initializing a single-voter quorum on first start), waits until this node leads and
    /// has replayed the log, and writes the bootstrap feature levels into a new cluster.
    pub async fn start(
        config: ControllerConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<Controller, ControllerError> {
        let voters = if config.voters.is_empty() {
            vec![(config.node_id, String::new())]
        } else {
            config.voters.clone()
        };
        if voters.len() != 1 || voters[0].0 != config.node_id {
            return Err(ControllerError::Config {
                reason: format!(
                    "only a single-voter quorum made of node.id {} is supported, got voters {voters:?}",
                    config.node_id
                ),
            });
        }
        let me = node_id(config.node_id)?;
        let dir = config.metadata_log_dir.join(METADATA_PARTITION_DIR);
        std::fs::create_dir_all(&dir).map_err(storage("create metadata log dir"))?;
        let state = QuorumState::load(&dir)
            .map_err(storage("read quorum-state"))?
            .unwrap_or_else(|| QuorumState::fresh(&config.cluster_id, &[config.node_id]));
        if state.cluster_id != config.cluster_id {
            return Err(ControllerError::Config {
                reason: format!(
                    "metadata log belongs to cluster {} but cluster.id is {}",
                    state.cluster_id, config.cluster_id
                ),
            });
        }
        let log = MetadataLog::open(
            &dir,
            config.metadata_log_segment_bytes,
            state.strata_log_start,
        )
        .map_err(|e| ControllerError::Storage(e.to_string()))?;
        let start = log.start();
        let index_of_end_offset = |end: i64| index_ending_at(&log, start, end);
        // Single voter: this node is the only possible controller.
        let controller_id = Arc::new(AtomicI32::new(config.node_id));
        let (state_machine, image_rx) = StateMachine::open(
            &dir,
            &config.cluster_id,
            index_of_end_offset,
            Arc::clone(&controller_id),
            Arc::clone(&clock),
        )?;
        let log_store = LogStore::new(dir.clone(), log, state, Arc::clone(&clock));
        let pristine = log_store.is_pristine() && state_machine.image().offset < 0;

        let raft_config = Config {
            cluster_name: config.cluster_id.clone(),
            heartbeat_interval: 100,
            election_timeout_min: 300,
            election_timeout_max: 600,
            // The controller task triggers snapshots by applied record count.
            snapshot_policy: SnapshotPolicy::Never,
            max_in_snapshot_log_to_keep: 0,
            ..Config::default()
        }
        .validate()
        .map_err(|e| ControllerError::Config {
            reason: e.to_string(),
        })?;
        let raft = MetadataRaft::new(
            me,
            Arc::new(raft_config),
            MetadataNetwork::new(UnreachableTransport),
            log_store.clone(),
            state_machine.clone(),
        )
        .await
        .map_err(|e| ControllerError::Raft(e.to_string()))?;
        if pristine {
            let members = BTreeMap::from([(
                me,
                BasicNode {
                    addr: voters[0].1.clone(),
                },
            )]);
            raft.initialize(members)
                .await
                .map_err(|e| ControllerError::Raft(e.to_string()))?;
        }
        let wait = Some(Duration::from_millis(ELECTION_WAIT_MS));
        let metrics = raft
            .wait(wait)
            .current_leader(me, "this node leads the single-voter quorum")
            .await
            .map_err(|e| ControllerError::Raft(e.to_string()))?;
        // The leader's first entry of its term (LeaderChange) is committed and everything before
        // it applied once a linearizable read is possible: the image is then current.
        raft.ensure_linearizable()
            .await
            .map_err(|e| ControllerError::Raft(e.to_string()))?;
        tracing::debug!(term = metrics.current_term, "metadata quorum leader ready");

        let (requests_tx, requests_rx) = mpsc::channel(config.request_queue_capacity.max(1));
        let task = QuorumController {
            config: config.clone(),
            raft: raft.clone(),
            image_rx: image_rx.clone(),
            requests: requests_rx,
            state_machine: state_machine.clone(),
        };
        let controller_task = tokio::spawn(task.run());
        let leader_task = tokio::spawn(track_leader(raft.clone(), controller_id));
        let controller = Controller {
            requests: requests_tx,
            image_rx,
            raft,
            log_store,
            state_machine,
            tasks: Arc::new(parking_lot::Mutex::new(vec![controller_task, leader_task])),
        };
        controller
            .call(|reply| Request::Bootstrap { reply })
            .await??;
        tracing::info!(
            node_id = config.node_id,
            offset = controller.image().offset,
            "controller started"
        );
        Ok(controller)
    }

    /// The current metadata image.
    pub fn image(&self) -> Arc<MetadataImage> {
        self.image_rx.borrow().clone()
    }

    /// A receiver that sees every new image.
    pub fn subscribe(&self) -> watch::Receiver<Arc<MetadataImage>> {
        self.image_rx.clone()
    }

    async fn call<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> Request,
    ) -> Result<T, ControllerError> {
        let (tx, rx) = oneshot::channel();
        self.requests
            .send(make(tx))
            .await
            .map_err(|_| ControllerError::ShutDown)?;
        rx.await.map_err(|_| ControllerError::ShutDown)
    }

    fn all_failed<T>(n: usize, e: &ControllerError) -> Vec<Result<T, ControllerError>> {
        (0..n).map(|_| Err(e.clone())).collect()
    }

    /// Registers a broker; returns its new broker epoch.
    pub async fn register_broker(
        &self,
        req: BrokerRegistrationRequest,
    ) -> Result<i64, ControllerError> {
        self.call(|reply| Request::RegisterBroker { req, reply })
            .await?
    }

    /// Creates topics; one result per topic, in order. `validate_only` writes nothing.
    pub async fn create_topics(
        &self,
        topics: Vec<CreateTopicSpec>,
        validate_only: bool,
    ) -> Vec<Result<CreatedTopic, ControllerError>> {
        let n = topics.len();
        self.call(|reply| Request::CreateTopics {
            topics,
            validate_only,
            reply,
        })
        .await
        .unwrap_or_else(|e| Self::all_failed(n, &e))
    }

    /// Deletes topics by name or id; returns (name, id) of each deleted topic.
    pub async fn delete_topics(
        &self,
        topics: Vec<TopicRef>,
    ) -> Vec<Result<(String, uuid::Uuid), ControllerError>> {
        let n = topics.len();
        self.call(|reply| Request::DeleteTopics { topics, reply })
            .await
            .unwrap_or_else(|e| Self::all_failed(n, &e))
    }

    /// Grows topics' partition counts.
    pub async fn create_partitions(
        &self,
        reqs: Vec<CreatePartitionsSpec>,
        validate_only: bool,
    ) -> Vec<Result<(), ControllerError>> {
        let n = reqs.len();
        self.call(|reply| Request::CreatePartitions {
            specs: reqs,
            validate_only,
            reply,
        })
        .await
        .unwrap_or_else(|e| Self::all_failed(n, &e))
    }

    /// IncrementalAlterConfigs: one result per resource.
    pub async fn incremental_alter_configs(
        &self,
        changes: Vec<ConfigChange>,
        validate_only: bool,
    ) -> Vec<Result<(), ControllerError>> {
        let n = changes.len();
        self.call(|reply| Request::IncrementalAlterConfigs {
            changes,
            validate_only,
            reply,
        })
        .await
        .unwrap_or_else(|e| Self::all_failed(n, &e))
    }

    /// Legacy AlterConfigs (full replacement): one result per resource.
    pub async fn legacy_alter_configs(
        &self,
        changes: Vec<ConfigReplace>,
        validate_only: bool,
    ) -> Vec<Result<(), ControllerError>> {
        let n = changes.len();
        self.call(|reply| Request::LegacyAlterConfigs {
            replaces: changes,
            validate_only,
            reply,
        })
        .await
        .unwrap_or_else(|e| Self::all_failed(n, &e))
    }

    /// Hands a block of producer ids to a registered broker.
    pub async fn allocate_producer_ids(
        &self,
        broker_id: i32,
        broker_epoch: i64,
    ) -> Result<ProducerIdBlock, ControllerError> {
        self.call(|reply| Request::AllocateProducerIds {
            broker_id,
            broker_epoch,
            reply,
        })
        .await?
    }

    /// Writes a snapshot of everything applied so far and waits until raft has it.
    ///
    /// openraft ignores a trigger while an earlier build is still running, so the trigger is
    /// repeated until a snapshot covers the state machine's last applied entry.
    pub async fn snapshot(&self) -> Result<(), ControllerError> {
        let target = self.state_machine.last_applied();
        let deadline =
            tokio::time::Instant::now() + Duration::from_millis(SHUTDOWN_SNAPSHOT_WAIT_MS);
        loop {
            self.raft
                .trigger()
                .snapshot()
                .await
                .map_err(|e| ControllerError::Raft(e.to_string()))?;
            let covered = self
                .raft
                .wait(Some(Duration::from_millis(SNAPSHOT_RETRIGGER_MS)))
                .metrics(|m| m.snapshot >= target, "snapshot covers the applied log")
                .await;
            match covered {
                Ok(_) => return Ok(()),
                Err(e) if tokio::time::Instant::now() >= deadline => {
                    return Err(ControllerError::Raft(e.to_string()))
                }
                Err(_) => continue,
            }
        }
    }

    /// The metadata quorum as DescribeQuorum reports it; `now_ms` stamps the local replica's
    /// fetch and caught-up times, as Kafka's leader does for itself.
    pub fn quorum_status(&self, now_ms: i64) -> crate::QuorumStatus {
        let metrics = self.raft.metrics().borrow().clone();
        let to_i32 = |id: NodeId| i32::try_from(id).unwrap_or(-1);
        let membership = metrics.membership_config.membership();
        let local_end = self.log_store.next_offset();
        let leader = metrics.current_leader;
        let voters = membership
            .voter_ids()
            .map(|id| {
                let local = id == metrics.id;
                let log_end_offset = if local {
                    local_end
                } else {
                    metrics
                        .replication
                        .as_ref()
                        .and_then(|r| r.get(&id).copied().flatten())
                        .and_then(|log_id| self.log_store.next_offset_after(log_id.index))
                        .unwrap_or(-1)
                };
                let caught_up =
                    local || (leader == Some(metrics.id) && log_end_offset == local_end);
                crate::ReplicaStatus {
                    replica_id: to_i32(id),
                    log_end_offset,
                    last_fetch_timestamp_ms: if local { now_ms } else { -1 },
                    last_caught_up_timestamp_ms: if caught_up { now_ms } else { -1 },
                }
            })
            .collect();
        let endpoints = membership
            .nodes()
            .filter_map(|(id, node)| {
                let (host, port) = node.addr.rsplit_once(':')?;
                Some((to_i32(*id), (host.to_string(), port.parse().ok()?)))
            })
            .collect();
        crate::QuorumStatus {
            leader_id: leader.map(to_i32).unwrap_or(-1),
            leader_epoch: i32::try_from(metrics.current_term).unwrap_or(i32::MAX),
            high_watermark: self.image().offset + 1,
            voters,
            observers: Vec::new(),
            endpoints,
        }
    }

    /// Base offsets of the metadata log's segment files (for tools and tests).
    pub fn segment_base_offsets(&self) -> Vec<i64> {
        self.log_store.segment_base_offsets()
    }

    /// Records applied since the last snapshot.
    pub fn records_since_snapshot(&self) -> u64 {
        self.state_machine.records_since_snapshot()
    }

    /// Stops raft and the controller task without a final snapshot, as if the process died
    /// after its last fsync; a restart must replay the log.
    pub async fn halt(&self) -> Result<(), ControllerError> {
        let _ = self.call(|reply| Request::Shutdown { reply }).await;
        self.raft
            .shutdown()
            .await
            .map_err(|e| ControllerError::Raft(e.to_string()))?;
        let tasks: Vec<JoinHandle<()>> = std::mem::take(&mut *self.tasks.lock());
        for task in tasks {
            task.abort();
            let _ = task.await;
        }
        Ok(())
    }

    /// Snapshots the image, stops raft and the controller task, and closes the metadata log.
    pub async fn shutdown(&self) -> Result<(), ControllerError> {
        let snapshot = self.snapshot().await;
        self.halt().await?;
        snapshot
    }
}

/// The raft index whose entry ends at Kafka offset `end` (exclusive), from the log.
fn index_ending_at(log: &MetadataLog, start: LogStart, end: i64) -> Option<u64> {
    if end == start.offset {
        return start.index.checked_sub(1);
    }
    let mut index = start.index;
    while let Some((_, next)) = log.offsets_of(index) {
        if next == end {
            return Some(index);
        }
        index += 1;
    }
    None
}

/// Keeps the image's controller id in step with raft's view of the leader.
async fn track_leader(raft: MetadataRaft, controller_id: Arc<AtomicI32>) {
    let mut metrics = raft.metrics();
    loop {
        let leader = metrics
            .borrow()
            .current_leader
            .and_then(|l| i32::try_from(l).ok());
        if let Some(leader) = leader {
            controller_id.store(leader, Ordering::SeqCst);
        }
        if metrics.changed().await.is_err() {
            return;
        }
    }
}
