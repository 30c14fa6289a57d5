//! The partitions this node hosts, kept in step with the metadata image.
//!
//! `apply_image` is the only writer: for every partition whose replica set includes this node it
//! opens (or creates) the log with the topic's config over the broker defaults, applies
//! leadership and config changes, and deletes the logs of partitions that left the image (topic
//! deleted, or this node removed from the replicas). Handlers look partitions up by topic name
//! or id and partition index without allocating.
//!
//! The lookup table is an immutable snapshot behind an `Arc`, replaced whole by `apply_image`;
//! readers clone the `Arc` under a lock held for nanoseconds and never across an await.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use strata_controller::{MetadataImage, PartitionRegistration};
use strata_storage::log_config::{config_def, ConfigError};
use strata_storage::{Clock, LogConfig, LogError, LogManager, TopicPartition};
use uuid::Uuid;

use crate::config::KafkaConfig;
use crate::partition::{LeaderState, Partition, PartitionError};

/// Why applying a metadata image to the local logs failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReplicaError {
    /// A topic's (or the broker's) config does not form a valid log config.
    #[error("topic {topic}: invalid log config: {source}")]
    InvalidConfig {
        /// The topic.
        topic: String,
        /// Which key and why.
        #[source]
        source: ConfigError,
    },
    /// Creating, opening or deleting a log failed.
    #[error("{tp}: {source}")]
    Log {
        /// The partition.
        tp: TopicPartition,
        /// What storage said (boxed: `LogError` is large).
        #[source]
        source: Box<LogError>,
    },
}

/// Where a partition's leader is reachable on one listener (KIP-951 `node_endpoints`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LeaderEndpoint {
    /// The leader's node id.
    pub(crate) node_id: i32,
    /// Host of the listener.
    pub(crate) host: String,
    /// Port of the listener.
    pub(crate) port: u16,
    /// The leader's rack, if any.
    pub(crate) rack: Option<String>,
}

/// The endpoint of live (unfenced) broker `node_id` on `listener`, as Kafka's
/// `getAliveBrokerNode` finds it; `None` when unknown, fenced or without that listener.
pub(crate) fn leader_endpoint(
    image: &MetadataImage,
    node_id: i32,
    listener: &str,
) -> Option<LeaderEndpoint> {
    let broker = image.brokers.get(&node_id).filter(|b| !b.fenced)?;
    let endpoint = broker.listeners.iter().find(|e| e.name == listener)?;
    Some(LeaderEndpoint {
        node_id,
        host: endpoint.host.clone(),
        port: endpoint.port,
        rack: broker.rack.clone(),
    })
}

/// KIP-951: the endpoints to add to a response for `leaders`, each node once, skipping nodes the
/// response already lists and nodes with no live endpoint on `listener`.
pub(crate) fn leader_endpoints_to_add(
    image: &MetadataImage,
    listener: &str,
    leaders: impl IntoIterator<Item = i32>,
    already_listed: &[i32],
) -> Vec<LeaderEndpoint> {
    let mut seen: Vec<i32> = already_listed.to_vec();
    let mut endpoints = Vec::new();
    for leader in leaders {
        if seen.contains(&leader) {
            continue;
        }
        seen.push(leader);
        endpoints.extend(leader_endpoint(image, leader, listener));
    }
    endpoints
}

/// Hosted partitions of one topic.
#[derive(Debug)]
struct HostedTopic {
    id: Uuid,
    partitions: BTreeMap<i32, Arc<Partition>>,
}

/// Immutable lookup table of hosted partitions.
#[derive(Debug, Default)]
struct Hosted {
    by_name: HashMap<String, Arc<HostedTopic>>,
    names_by_id: HashMap<Uuid, String>,
}

/// Every partition replica on this node and the logs behind them.
pub(crate) struct ReplicaManager {
    log_manager: Arc<LogManager>,
    node_id: i32,
    clock: Arc<dyn Clock>,
    config: Arc<KafkaConfig>,
    hosted: RwLock<Arc<Hosted>>,
    /// Serializes `apply_image` calls (the publisher is one task, but be safe).
    apply_lock: Mutex<()>,
    shutting_down: AtomicBool,
    /// The remote tier, set once at start when `remote.log.storage.system.enable`.
    remote_tier: std::sync::OnceLock<Arc<crate::remote_log::RemoteTier>>,
}

impl std::fmt::Debug for ReplicaManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplicaManager")
            .field("node_id", &self.node_id)
            .field("partitions", &self.partition_count())
            .finish()
    }
}

impl ReplicaManager {
    /// A replica manager over `log_manager`, hosting nothing until the first `apply_image`.
    pub(crate) fn new(
        log_manager: Arc<LogManager>,
        node_id: i32,
        clock: Arc<dyn Clock>,
        config: Arc<KafkaConfig>,
    ) -> Self {
        Self {
            log_manager,
            node_id,
            clock,
            config,
            hosted: RwLock::new(Arc::new(Hosted::default())),
            apply_lock: Mutex::new(()),
            shutting_down: AtomicBool::new(false),
            remote_tier: std::sync::OnceLock::new(),
        }
    }

    /// Installs the remote tier (once, at start, before serving).
    pub(crate) fn set_remote_tier(&self, tier: Arc<crate::remote_log::RemoteTier>) {
        if self.remote_tier.set(tier).is_err() {
            tracing::warn!("the remote tier was already installed");
        }
    }

    /// The remote tier, when tiering is enabled on this broker.
    pub(crate) fn remote_tier(&self) -> Option<&Arc<crate::remote_log::RemoteTier>> {
        self.remote_tier.get()
    }

    /// The injected clock.
    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The log manager (log dirs, sizes).
    pub(crate) fn log_manager(&self) -> &Arc<LogManager> {
        &self.log_manager
    }

    /// Whether `shutdown` has begun; delayed operations stop waiting.
    pub(crate) fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    fn snapshot(&self) -> Arc<Hosted> {
        self.hosted.read().clone()
    }

    /// Number of hosted partitions.
    pub(crate) fn partition_count(&self) -> usize {
        self.snapshot()
            .by_name
            .values()
            .map(|t| t.partitions.len())
            .sum()
    }

    /// Every hosted partition.
    pub(crate) fn partitions(&self) -> Vec<Arc<Partition>> {
        self.snapshot()
            .by_name
            .values()
            .flat_map(|t| t.partitions.values().cloned())
            .collect()
    }

    /// The hosted partition `topic`-`partition`, if any.
    pub(crate) fn get(&self, topic: &str, partition: i32) -> Option<Arc<Partition>> {
        self.snapshot()
            .by_name
            .get(topic)
            .and_then(|t| t.partitions.get(&partition).cloned())
    }

    /// The hosted partition, or the error a client gets: UNKNOWN_TOPIC_OR_PARTITION when the
    /// metadata has no such partition, NOT_LEADER_OR_FOLLOWER when it exists but is not (yet)
    /// hosted here.
    pub(crate) fn partition_or_error(
        &self,
        image: &MetadataImage,
        topic: &str,
        partition: i32,
    ) -> Result<Arc<Partition>, PartitionError> {
        if let Some(hosted) = self.get(topic, partition) {
            return Ok(hosted);
        }
        match image
            .topics
            .get_by_name(topic)
            .and_then(|t| t.partitions.get(&partition))
        {
            Some(registration) => Err(PartitionError::NotLeaderOrFollower {
                tp: TopicPartition::new(topic, partition),
                leader: registration.leader,
                leader_epoch: registration.leader_epoch,
            }),
            None => Err(PartitionError::UnknownTopicOrPartition {
                topic: topic.to_string(),
                partition,
            }),
        }
    }

    /// Broker-level topic defaults: static server properties overlaid with dynamic cluster-wide
    /// (`""`) and per-broker configs from the image, resolved to topic config names. Keys the
    /// storage layer does not know are left out (they cannot affect a log).
    fn broker_topic_defaults(&self, image: &MetadataImage) -> BTreeMap<String, String> {
        let mut dynamic = BTreeMap::new();
        for resource in [String::new(), self.node_id.to_string()] {
            if let Some(configs) = image.configs.brokers.get(&resource) {
                dynamic.extend(configs.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        let mut defaults = self.config.topic_defaults(&dynamic);
        defaults.retain(|key, _| config_def(key).is_some());
        defaults
    }

    /// Makes local state follow a new metadata image: create logs for partitions whose replicas
    /// include this node, apply leadership and topic config changes, delete logs of removed
    /// topics. Called by the metadata publisher for every image. A failure on one topic does not
    /// stop the others; the first error is returned after all were tried.
    pub(crate) fn apply_image(&self, image: &MetadataImage) -> Result<(), ReplicaError> {
        let _serialized = self.apply_lock.lock();
        let defaults = self.broker_topic_defaults(image);
        let previous = self.snapshot();
        let mut next = Hosted::default();
        let mut first_error: Option<ReplicaError> = None;
        let mut recreated: Vec<String> = Vec::new();

        for (name, topic) in &image.topics.by_name {
            let local: Vec<(i32, &PartitionRegistration)> = topic
                .partitions
                .iter()
                .filter(|(_, r)| r.replicas.contains(&self.node_id))
                .map(|(index, r)| (*index, r))
                .collect();
            if local.is_empty() {
                continue;
            }
            if let Some(stale) = previous.by_name.get(name).filter(|t| t.id != topic.id) {
                // Deleted and recreated under the same name: the old logs go before new ones
                // take their directories.
                for partition in stale.partitions.values() {
                    self.remove_partition(partition, &mut first_error);
                }
                recreated.push(name.clone());
            }
            let overrides = image.configs.topic(name);
            let mut effective = defaults.clone();
            effective.extend(overrides.iter().map(|(k, v)| (k.clone(), v.clone())));
            let old_topic = previous.by_name.get(name).filter(|t| t.id == topic.id);
            // Parsed at most once per topic, and only when some partition needs it.
            let mut parsed: Option<Option<LogConfig>> = None;
            let mut partitions = BTreeMap::new();
            for (index, registration) in local {
                let state = LeaderState {
                    leader: registration.leader,
                    leader_epoch: registration.leader_epoch,
                    partition_epoch: registration.partition_epoch,
                    replicas: registration.replicas.clone(),
                    isr: registration.isr.clone(),
                };
                let existing = old_topic.and_then(|t| t.partitions.get(&index));
                let config = if existing.is_none_or(|p| p.config_changed(&effective)) {
                    parsed
                        .get_or_insert_with(|| match LogConfig::from_props(&overrides, &defaults) {
                            Ok(config) => Some(config),
                            Err(source) => {
                                first_error.get_or_insert(ReplicaError::InvalidConfig {
                                    topic: name.clone(),
                                    source,
                                });
                                None
                            }
                        })
                        .clone()
                } else {
                    None
                };
                match existing {
                    Some(p) => {
                        if let Some(config) = config {
                            p.update_config(effective.clone(), config);
                        }
                        p.update_leadership(state);
                        partitions.insert(index, p.clone());
                    }
                    None => {
                        // An invalid config was reported above; the partition waits for a fix.
                        let Some(config) = config else { continue };
                        let tp = TopicPartition::new(name.clone(), index);
                        match self
                            .log_manager
                            .get_or_create(&tp, topic.id, config.clone())
                        {
                            Ok(log) => {
                                let partition = Partition::new(
                                    tp,
                                    topic.id,
                                    self.node_id,
                                    log,
                                    state,
                                    effective.clone(),
                                    &config,
                                );
                                partition.maybe_advance_high_watermark();
                                partitions.insert(index, Arc::new(partition));
                            }
                            Err(source) => {
                                first_error.get_or_insert(ReplicaError::Log {
                                    tp,
                                    source: Box::new(source),
                                });
                            }
                        }
                    }
                }
            }
            if !partitions.is_empty() {
                next.names_by_id.insert(topic.id, name.clone());
                next.by_name.insert(
                    name.clone(),
                    Arc::new(HostedTopic {
                        id: topic.id,
                        partitions,
                    }),
                );
            }
        }

        // Partitions that are no longer hosted: drop from the table first, then delete logs.
        let mut removed = Vec::new();
        for (name, old) in &previous.by_name {
            if recreated.contains(name) {
                continue;
            }
            let kept = next.by_name.get(name).filter(|t| t.id == old.id);
            for (index, partition) in &old.partitions {
                if kept.is_none_or(|t| !t.partitions.contains_key(index)) {
                    removed.push(partition.clone());
                }
            }
        }
        *self.hosted.write() = Arc::new(next);
        for partition in removed {
            self.remove_partition(&partition, &mut first_error);
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// Deletes a partition's log and wakes its waiters (they then see it gone).
    fn remove_partition(&self, partition: &Partition, first_error: &mut Option<ReplicaError>) {
        partition.wake_waiters();
        let tp = partition.topic_partition().clone();
        if let Err(source) = self.log_manager.delete(&tp) {
            first_error.get_or_insert(ReplicaError::Log {
                tp,
                source: Box::new(source),
            });
        }
    }

    /// Stops delayed operations (they answer at once) and writes the checkpoints.
    pub(crate) async fn shutdown(&self) {
        self.shutting_down.store(true, Ordering::Release);
        for partition in self.partitions() {
            partition.wake_waiters();
        }
        if let Err(error) = self.log_manager.checkpoint() {
            tracing::warn!(%error, "checkpoint at shutdown failed");
        }
    }
}

/// A replica manager over real logs in a temporary directory, with a hand-built metadata image.
#[cfg(test)]
pub(crate) mod testing {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use strata_controller::{MetadataImage, PartitionRegistration, TopicImage};
    use strata_storage::{Clock, LogManager, SystemClock};
    use uuid::Uuid;

    use super::ReplicaManager;
    use crate::config::KafkaConfig;

    /// This node's id in fixtures.
    pub(crate) const NODE_ID: i32 = 1;

    /// A topic of a fixture: name, partition count, topic config overrides.
    pub(crate) type TopicSpec<'a> = (&'a str, i32, &'a [(&'a str, &'a str)]);

    /// A node hosting the topics it was given, led by itself.
    pub(crate) struct Fixture {
        /// Keeps the log dir alive.
        pub(crate) _dir: tempfile::TempDir,
        /// The replica manager under test.
        pub(crate) replica_manager: Arc<ReplicaManager>,
        /// The image applied last.
        pub(crate) image: MetadataImage,
    }

    impl Fixture {
        /// A node hosting `topics` (name, partition count, topic config overrides).
        pub(crate) fn new(topics: &[TopicSpec<'_>]) -> Self {
            let dir = tempfile::tempdir().expect("temp dir");
            let clock: Arc<dyn Clock> = Arc::new(SystemClock);
            let log_manager = LogManager::open(
                vec![dir.path().to_path_buf()],
                NODE_ID,
                Some("test-cluster".to_string()),
                clock.clone(),
            )
            .expect("log manager opens");
            let config = Arc::new(KafkaConfig::default());
            let replica_manager = Arc::new(ReplicaManager::new(
                Arc::new(log_manager),
                NODE_ID,
                clock,
                config,
            ));
            let mut image = MetadataImage::empty("test-cluster");
            for (name, partitions, configs) in topics {
                add_topic(&mut image, name, *partitions);
                if !configs.is_empty() {
                    let map: BTreeMap<String, String> = configs
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect();
                    image.configs.topics.insert(name.to_string(), map);
                }
            }
            replica_manager.apply_image(&image).expect("image applies");
            Self {
                _dir: dir,
                replica_manager,
                image,
            }
        }
    }

    /// Adds a topic led by [`NODE_ID`] at leader epoch 0 to `image`.
    pub(crate) fn add_topic(image: &mut MetadataImage, name: &str, partitions: i32) -> Uuid {
        let id = Uuid::new_v4();
        let registrations = (0..partitions)
            .map(|index| {
                (
                    index,
                    PartitionRegistration {
                        replicas: vec![NODE_ID],
                        isr: vec![NODE_ID],
                        removing_replicas: vec![],
                        adding_replicas: vec![],
                        leader: NODE_ID,
                        leader_recovery_state: 0,
                        leader_epoch: 0,
                        partition_epoch: 0,
                        directories: vec![],
                    },
                )
            })
            .collect();
        let topic = Arc::new(TopicImage {
            name: name.to_string(),
            id,
            partitions: registrations,
        });
        image.topics.by_name.insert(name.to_string(), topic.clone());
        image.topics.by_id.insert(id, topic);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{add_topic, Fixture, NODE_ID};
    use bytes::BytesMut;
    use strata_protocol::compression::Compression;
    use strata_protocol::record_batch::RecordBatchBuilder;

    fn batch(records: usize) -> BytesMut {
        let mut builder = RecordBatchBuilder::new(0, Compression::None);
        for i in 0..records {
            builder.append(1_000 + i as i64, None, Some(b"value"), &[]);
        }
        builder.build().expect("batch builds")
    }

    #[test]
    fn apply_image_hosts_partitions_whose_replicas_include_this_node() {
        let mut fixture = Fixture::new(&[("a", 2, &[])]);
        assert_eq!(fixture.replica_manager.partition_count(), 2);
        // A topic placed on another node is not hosted.
        add_topic(&mut fixture.image, "elsewhere", 1);
        let topic = fixture.image.topics.by_name["elsewhere"].clone();
        let mut moved = (*topic).clone();
        for registration in moved.partitions.values_mut() {
            registration.replicas = vec![NODE_ID + 1];
            registration.leader = NODE_ID + 1;
        }
        fixture
            .image
            .topics
            .by_name
            .insert("elsewhere".into(), std::sync::Arc::new(moved));
        fixture
            .replica_manager
            .apply_image(&fixture.image)
            .expect("applies");
        assert_eq!(fixture.replica_manager.partition_count(), 2);
        let error = fixture
            .replica_manager
            .partition_or_error(&fixture.image, "elsewhere", 0)
            .expect_err("not hosted");
        assert_eq!(
            error.code(),
            kafka_protocol::ResponseError::NotLeaderOrFollower.code()
        );
    }

    #[test]
    fn removed_topic_is_no_longer_hosted() {
        let mut fixture = Fixture::new(&[("a", 1, &[]), ("b", 1, &[])]);
        let id = fixture.image.topics.by_name["b"].id;
        fixture.image.topics.by_name.remove("b");
        fixture.image.topics.by_id.remove(&id);
        fixture
            .replica_manager
            .apply_image(&fixture.image)
            .expect("applies");
        assert!(fixture.replica_manager.get("b", 0).is_none());
        assert!(fixture.replica_manager.get("a", 0).is_some());
        let error = fixture
            .replica_manager
            .partition_or_error(&fixture.image, "b", 0)
            .expect_err("gone");
        assert_eq!(
            error.code(),
            kafka_protocol::ResponseError::UnknownTopicOrPartition.code()
        );
    }

    #[test]
    fn single_replica_high_watermark_follows_each_append() {
        let fixture = Fixture::new(&[("a", 1, &[])]);
        let partition = fixture.replica_manager.get("a", 0).expect("hosted");
        partition.append_as_leader(batch(3), 1).expect("appends");
        assert_eq!(partition.offsets().high_watermark, 3);
        partition.append_as_leader(batch(2), -1).expect("appends");
        assert_eq!(partition.offsets().high_watermark, 5);
        assert_eq!(partition.check_acks_all(5), Ok(true));
    }

    #[test]
    fn high_watermark_waits_for_every_isr_follower() {
        let mut fixture = Fixture::new(&[("a", 1, &[])]);
        let topic = fixture.image.topics.by_name["a"].clone();
        let mut widened = (*topic).clone();
        for registration in widened.partitions.values_mut() {
            registration.replicas = vec![NODE_ID, 2];
            registration.isr = vec![NODE_ID, 2];
            registration.partition_epoch += 1;
        }
        fixture
            .image
            .topics
            .by_name
            .insert("a".into(), std::sync::Arc::new(widened));
        fixture
            .replica_manager
            .apply_image(&fixture.image)
            .expect("applies");
        let partition = fixture.replica_manager.get("a", 0).expect("hosted");
        partition.append_as_leader(batch(4), 1).expect("appends");
        assert_eq!(
            partition.offsets().high_watermark,
            0,
            "follower 2 has nothing yet"
        );
        assert_eq!(partition.check_acks_all(4), Ok(false));
        partition.update_follower_fetch_position(2, 3);
        assert_eq!(partition.offsets().high_watermark, 3);
        partition.update_follower_fetch_position(2, 4);
        assert_eq!(partition.offsets().high_watermark, 4);
        assert_eq!(partition.check_acks_all(4), Ok(true));
    }

    #[test]
    fn stale_client_epoch_is_fenced_and_newer_one_unknown() {
        let fixture = Fixture::new(&[("a", 1, &[])]);
        let partition = fixture.replica_manager.get("a", 0).expect("hosted");
        let mut state = partition.leader_state();
        state.leader_epoch = 5;
        partition.update_leadership(state);
        let fenced = partition.check_leader(4).expect_err("older");
        assert_eq!(
            fenced.code(),
            kafka_protocol::ResponseError::FencedLeaderEpoch.code()
        );
        let unknown = partition.check_leader(6).expect_err("newer");
        assert_eq!(
            unknown.code(),
            kafka_protocol::ResponseError::UnknownLeaderEpoch.code()
        );
        assert_eq!(partition.check_leader(5).expect("current"), 5);
        assert_eq!(partition.check_leader(-1).expect("no epoch"), 5);
    }
}
