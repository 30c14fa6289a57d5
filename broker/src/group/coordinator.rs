//! The broker's group coordinator service: which `__consumer_offsets` partitions this broker
//! leads, a running shard for each, the topic's creation on first use, and FindCoordinator.
//!
//! Shards follow metadata images ([`Coordinator::on_image`], called by the metadata publisher
//! after the replica manager applied the image): a partition this node leads at a new leader
//! epoch gets a fresh shard that loads the log; a partition it no longer leads loses its shard
//! (requests then answer NOT_COORDINATOR). Handlers route a group to its shard with
//! [`Coordinator::shard_for`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use kafka_protocol::ResponseError;
use parking_lot::Mutex;
use strata_controller::{Controller, CreateTopicSpec, MetadataImage};
use strata_storage::Clock;
use tokio::sync::watch;

use super::config::GroupCoordinatorConfig;
use super::partitioner::partition_for_group;
use super::runtime::{start_shard, CoordinatorShard, OpMeta, RunningShard, ShardEnv, ShardHandle};
use crate::replica_manager::ReplicaManager;
use crate::router::RequestContext;

/// Who sent a request, as the state machines record it (`client.id`, Kafka's `/host` form).
pub(crate) fn op_meta(request: &RequestContext) -> OpMeta {
    OpMeta {
        client_id: request.client_id.clone().unwrap_or_default(),
        client_host: format!("/{}", request.peer.ip()),
        api_version: request.api_version,
    }
}

/// How long FindCoordinator waits for this node's shard of the group to finish loading.
const LOAD_WAIT: Duration = Duration::from_secs(5);

/// The coordinator of this broker's groups.
pub(crate) type GroupCoordinator = Coordinator<super::shard::GroupShard>;

/// The internal topic holding group state.
pub(crate) const OFFSETS_TOPIC: &str = "__consumer_offsets";

/// FindCoordinator key types (`CoordinatorType`).
pub(crate) mod key_type {
    /// A consumer group id.
    pub(crate) const GROUP: i8 = 0;
    /// A transactional id.
    pub(crate) const TRANSACTION: i8 = 1;
    /// A share group's state partition (v6+).
    pub(crate) const SHARE: i8 = 2;
}

/// Where a coordinator is reachable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CoordinatorNode {
    /// Broker id.
    pub(crate) node_id: i32,
    /// Host on the request's listener.
    pub(crate) host: String,
    /// Port on the request's listener.
    pub(crate) port: u16,
}

struct ShardSlot<S> {
    leader_epoch: i32,
    running: RunningShard<S>,
}

/// The coordinator service over shards of type `S`.
pub(crate) struct Coordinator<S> {
    config: Arc<GroupCoordinatorConfig>,
    node_id: i32,
    replica_manager: Arc<ReplicaManager>,
    controller: Option<Controller>,
    images: watch::Receiver<Arc<MetadataImage>>,
    clock: Arc<dyn Clock>,
    new_shard: Arc<dyn Fn() -> S + Send + Sync>,
    shards: Mutex<BTreeMap<i32, ShardSlot<S>>>,
    /// Serializes creations of `__consumer_offsets` (concurrent FindCoordinators on a new cluster).
    topic_creation: tokio::sync::Mutex<()>,
}

impl<S> std::fmt::Debug for Coordinator<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coordinator")
            .field("node_id", &self.node_id)
            .field("shards", &self.shards.lock().keys().collect::<Vec<_>>())
            .finish()
    }
}

impl<S: CoordinatorShard> Coordinator<S> {
    /// A coordinator with no shard yet; `controller` is `None` only in tests that pre-create
    /// the topic.
    pub(crate) fn new(
        config: GroupCoordinatorConfig,
        node_id: i32,
        replica_manager: Arc<ReplicaManager>,
        controller: Option<Controller>,
        images: watch::Receiver<Arc<MetadataImage>>,
        clock: Arc<dyn Clock>,
        new_shard: Arc<dyn Fn() -> S + Send + Sync>,
    ) -> Self {
        Self {
            config: Arc::new(config),
            node_id,
            replica_manager,
            controller,
            images,
            clock,
            new_shard,
            shards: Mutex::new(BTreeMap::new()),
            topic_creation: tokio::sync::Mutex::new(()),
        }
    }

    /// The coordinator settings.
    pub(crate) fn config(&self) -> &GroupCoordinatorConfig {
        &self.config
    }

    fn image(&self) -> Arc<MetadataImage> {
        Arc::clone(&self.images.borrow())
    }

    /// The partition count groups hash over: the topic's if it exists, else the configured one
    /// (as Kafka's `partitionFor` does).
    fn partition_count(&self, image: &MetadataImage) -> i32 {
        image
            .topics
            .get_by_name(OFFSETS_TOPIC)
            .map(|t| t.partitions.len() as i32)
            .filter(|n| *n > 0)
            .unwrap_or(self.config.offsets_topic_num_partitions)
    }

    /// The `__consumer_offsets` partition of `group_id`.
    pub(crate) fn partition_for(&self, group_id: &str) -> i32 {
        partition_for_group(group_id, self.partition_count(&self.image()))
    }

    /// The shard coordinating `group_id`: NOT_COORDINATOR when this broker does not lead its
    /// partition, COORDINATOR_LOAD_IN_PROGRESS while it loads.
    pub(crate) fn shard_for(&self, group_id: &str) -> Result<ShardHandle<S>, i16> {
        let partition = self.partition_for(group_id);
        self.shard_of_partition(partition)
    }

    /// The shard of one partition (see [`Self::shard_for`]).
    pub(crate) fn shard_of_partition(&self, partition: i32) -> Result<ShardHandle<S>, i16> {
        let shards = self.shards.lock();
        let Some(slot) = shards.get(&partition) else {
            // Leader per the image but the shard is not started yet (the publisher has not
            // caught up): the partition is about to load, as Kafka reports it.
            return Err(if self.leads(partition) {
                ResponseError::CoordinatorLoadInProgress.code()
            } else {
                ResponseError::NotCoordinator.code()
            });
        };
        if slot.running.handle.is_active() {
            Ok(slot.running.handle.clone())
        } else {
            Err(slot.running.handle.state_error())
        }
    }

    /// Whether the image names this node leader of `__consumer_offsets-<partition>`.
    fn leads(&self, partition: i32) -> bool {
        self.image()
            .topics
            .get_by_name(OFFSETS_TOPIC)
            .and_then(|t| t.partitions.get(&partition))
            .is_some_and(|p| p.leader == self.node_id)
    }

    /// Every shard of this broker (ListGroups); `Err` when one is still loading, as Kafka answers
    /// COORDINATOR_LOAD_IN_PROGRESS then.
    pub(crate) fn all_shards(&self) -> Result<Vec<ShardHandle<S>>, i16> {
        let shards = self.shards.lock();
        let mut out = Vec::with_capacity(shards.len());
        for slot in shards.values() {
            if slot.running.handle.is_active() {
                out.push(slot.running.handle.clone());
            } else if slot.running.handle.is_loading() {
                return Err(ResponseError::CoordinatorLoadInProgress.code());
            }
        }
        Ok(out)
    }

    /// Kafka's FindCoordinator for one group key on `listener`: creates `__consumer_offsets` on
    /// first use, then answers the live leader of the group's partition. `Err` carries the code
    /// and message (COORDINATOR_NOT_AVAILABLE while the topic or its leader is missing).
    pub(crate) async fn find_group_coordinator(
        &self,
        group_id: &str,
        listener: &str,
    ) -> Result<CoordinatorNode, (i16, String)> {
        let mut image = self.image();
        if image.topics.get_by_name(OFFSETS_TOPIC).is_none() {
            self.create_offsets_topic().await?;
            image = self.image();
        }
        // When this node is (about to be) the coordinator, wait a bounded time for its shard to
        // finish loading, so the client's next request does not bounce off a loading shard
        // (librdkafka fails a synchronous commit on COORDINATOR_LOAD_IN_PROGRESS).
        let partition = partition_for_group(group_id, self.partition_count(&image));
        let deadline = tokio::time::Instant::now() + LOAD_WAIT;
        while self.leads(partition)
            && self.shard_of_partition(partition).is_err()
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        image = self.image();
        let not_available = |why: String| (ResponseError::CoordinatorNotAvailable.code(), why);
        let topic = image
            .topics
            .get_by_name(OFFSETS_TOPIC)
            .ok_or_else(|| not_available(format!("{OFFSETS_TOPIC} is being created")))?;
        let partition = partition_for_group(group_id, self.partition_count(&image));
        let leader = topic
            .partitions
            .get(&partition)
            .map(|p| p.leader)
            .filter(|leader| *leader >= 0)
            .ok_or_else(|| not_available(format!("{OFFSETS_TOPIC}-{partition} has no leader")))?;
        let endpoint =
            crate::handlers::live_endpoint(&image, leader, listener).ok_or_else(|| {
                not_available(format!(
                    "broker {leader} is not reachable on listener {listener}"
                ))
            })?;
        Ok(CoordinatorNode {
            node_id: leader,
            host: endpoint.host.clone(),
            port: endpoint.port,
        })
    }

    /// Creates `__consumer_offsets` as Kafka does (compacted, `offsets.topic.segment.bytes`,
    /// `compression.type=producer`). The replication factor is capped at the live brokers so
    /// that a single node works out of the box (docs/decisions.md).
    async fn create_offsets_topic(&self) -> Result<(), (i16, String)> {
        let not_available = |why: String| (ResponseError::CoordinatorNotAvailable.code(), why);
        let Some(controller) = &self.controller else {
            return Err(not_available(format!("{OFFSETS_TOPIC} does not exist")));
        };
        let _serialized = self.topic_creation.lock().await;
        let image = self.image();
        if image.topics.get_by_name(OFFSETS_TOPIC).is_some() {
            return Ok(());
        }
        let live = image.live_brokers().count();
        let configured = self.config.offsets_topic_replication_factor;
        let replication_factor = i16::try_from(live)
            .unwrap_or(i16::MAX)
            .min(configured)
            .max(1);
        if replication_factor < configured {
            tracing::warn!(configured, live, replication_factor, "creating {OFFSETS_TOPIC} with fewer replicas than offsets.topic.replication.factor: only {live} live broker(s)");
        }
        let configs = BTreeMap::from([
            ("cleanup.policy".to_owned(), "compact".to_owned()),
            (
                "segment.bytes".to_owned(),
                self.config.offsets_topic_segment_bytes.to_string(),
            ),
            ("compression.type".to_owned(), "producer".to_owned()),
        ]);
        let spec = CreateTopicSpec {
            name: OFFSETS_TOPIC.to_owned(),
            num_partitions: self.config.offsets_topic_num_partitions,
            replication_factor,
            assignments: Vec::new(),
            configs,
        };
        let outcome = controller
            .create_topics(vec![spec], false)
            .await
            .into_iter()
            .next();
        match outcome {
            Some(Ok(created)) => {
                tracing::info!(
                    partitions = created.num_partitions,
                    replication_factor,
                    "created {OFFSETS_TOPIC}"
                );
                Ok(())
            }
            Some(Err(error))
                if error.kafka_error_code() == ResponseError::TopicAlreadyExists.code() =>
            {
                Ok(())
            }
            Some(Err(error)) => Err(not_available(format!(
                "creating {OFFSETS_TOPIC} failed: {error}"
            ))),
            None => Err(not_available(format!(
                "creating {OFFSETS_TOPIC} returned no result"
            ))),
        }
    }

    /// Starts a shard for every `__consumer_offsets` partition this node leads (at a leader
    /// epoch it has no shard for) and stops the shards of partitions it no longer leads.
    pub(crate) fn on_image(&self, image: &MetadataImage) {
        let mut led: BTreeMap<i32, i32> = BTreeMap::new();
        if let Some(topic) = image.topics.get_by_name(OFFSETS_TOPIC) {
            for (index, registration) in &topic.partitions {
                if registration.leader == self.node_id {
                    led.insert(*index, registration.leader_epoch);
                }
            }
        }
        let mut shards = self.shards.lock();
        let stale: Vec<i32> = shards
            .iter()
            .filter(|(index, slot)| led.get(index) != Some(&slot.leader_epoch))
            .map(|(index, _)| *index)
            .collect();
        for index in stale {
            if let Some(slot) = shards.remove(&index) {
                drop(slot.running.stop());
            }
        }
        for (index, leader_epoch) in led {
            if shards.contains_key(&index) {
                continue;
            }
            let Some(partition) = self.replica_manager.get(OFFSETS_TOPIC, index) else {
                // The replica manager has not opened the log yet; the next image retries.
                continue;
            };
            let running = start_shard(ShardEnv {
                partition,
                config: Arc::clone(&self.config),
                images: self.images.clone(),
                clock: Arc::clone(&self.clock),
                new_shard: Arc::clone(&self.new_shard),
            });
            shards.insert(
                index,
                ShardSlot {
                    leader_epoch,
                    running,
                },
            );
        }
    }

    /// Stops every shard and waits for their tasks (broker shutdown).
    pub(crate) async fn shutdown(&self) {
        let slots: Vec<ShardSlot<S>> = std::mem::take(&mut *self.shards.lock())
            .into_values()
            .collect();
        for slot in slots {
            if let Err(error) = slot.running.stop().await {
                tracing::warn!(%error, "group coordinator shard task failed");
            }
        }
    }
}
