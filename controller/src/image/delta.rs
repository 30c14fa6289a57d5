//! [`MetadataDelta`]: records replayed on top of a base image.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use uuid::Uuid;

use super::cluster::BrokerRegistration;
use super::configs::{set_config, ConfigsImage};
use super::features::replay_feature_level;
use super::producer_ids::replay_producer_ids;
use super::topics::{PartitionRegistration, TopicImage, TopicsImage};
use super::MetadataImage;
use crate::records::{config_resource_type, MetadataRecord};

/// A record that does not fit the image it is replayed on. The controller validates before it
/// writes, so on replay this means a corrupt or foreign log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// A record names a topic id the image does not have.
    #[error("record {record} names unknown topic id {topic_id}")]
    UnknownTopicId {
        /// The record type.
        record: &'static str,
        /// The missing id.
        topic_id: Uuid,
    },
    /// A TopicRecord reuses a name or id.
    #[error("TopicRecord for {name} ({topic_id}) collides with an existing topic")]
    DuplicateTopic {
        /// Topic name.
        name: String,
        /// Topic id.
        topic_id: Uuid,
    },
    /// A PartitionChangeRecord names a partition that does not exist.
    #[error("PartitionChangeRecord names unknown partition {partition} of topic {topic_id}")]
    UnknownPartition {
        /// Topic id.
        topic_id: Uuid,
        /// Partition index.
        partition: i32,
    },
    /// A ConfigRecord names a resource type the image does not keep.
    #[error("ConfigRecord has unsupported resource type {resource_type}")]
    UnsupportedConfigResource {
        /// The `ConfigResource.Type` id.
        resource_type: i8,
    },
    /// A ProducerIdsRecord moves the next producer id backwards.
    #[error("ProducerIdsRecord moves next producer id from {current} back to {record}")]
    ProducerIdsWentBackwards {
        /// Current next id.
        current: i64,
        /// The record's next id.
        record: i64,
    },
}

/// Changes replayed on top of a base image. Build one per committed batch of records, then
/// [`apply`](Self::apply) it. Unchanged topics keep their `Arc` in the next image.
#[derive(Debug)]
pub struct MetadataDelta {
    base: Arc<MetadataImage>,
    changed_topics: HashMap<Uuid, TopicImage>,
    removed_topics: HashSet<Uuid>,
    brokers: Option<BTreeMap<i32, BrokerRegistration>>,
    configs: Option<ConfigsImage>,
    features: Option<BTreeMap<String, i16>>,
    next_producer_id: i64,
    offset: i64,
    epoch: i32,
    controller_id: i32,
}

impl MetadataDelta {
    /// An empty delta over `base`.
    pub fn new(base: Arc<MetadataImage>) -> Self {
        MetadataDelta {
            next_producer_id: base.next_producer_id,
            offset: base.offset,
            epoch: base.epoch,
            controller_id: base.controller_id,
            base,
            changed_topics: HashMap::new(),
            removed_topics: HashSet::new(),
            brokers: None,
            configs: None,
            features: None,
        }
    }

    /// Records that everything up to `offset` (written in raft term `epoch` by `controller_id`)
    /// is part of this delta, including control batches that carry no metadata record.
    pub fn set_position(&mut self, offset: i64, epoch: i32, controller_id: i32) {
        self.offset = offset;
        self.epoch = epoch;
        self.controller_id = controller_id;
    }

    /// The topic as this delta sees it (changed version first, then the base).
    pub fn topic(&self, id: &Uuid) -> Option<&TopicImage> {
        if self.removed_topics.contains(id) {
            return None;
        }
        self.changed_topics
            .get(id)
            .or_else(|| self.base.topics.by_id.get(id).map(|t| t.as_ref()))
    }

    fn topic_mut(&mut self, record: &'static str, id: Uuid) -> Result<&mut TopicImage, ImageError> {
        if !self.changed_topics.contains_key(&id) {
            let existing = match self.base.topics.by_id.get(&id) {
                Some(t) if !self.removed_topics.contains(&id) => t.as_ref().clone(),
                _ => {
                    return Err(ImageError::UnknownTopicId {
                        record,
                        topic_id: id,
                    })
                }
            };
            self.changed_topics.insert(id, existing);
        }
        self.changed_topics
            .get_mut(&id)
            .ok_or(ImageError::UnknownTopicId {
                record,
                topic_id: id,
            })
    }

    fn topic_name_taken(&self, name: &str) -> bool {
        self.changed_topics.values().any(|t| t.name == name)
            || self
                .base
                .topics
                .by_name
                .get(name)
                .is_some_and(|t| !self.removed_topics.contains(&t.id))
    }

    /// Replays one record. On error the delta is unchanged.
    pub fn replay(&mut self, record: &MetadataRecord) -> Result<(), ImageError> {
        match record {
            MetadataRecord::Topic(r) => {
                if self.topic(&r.topic_id).is_some() || self.topic_name_taken(&r.name) {
                    return Err(ImageError::DuplicateTopic {
                        name: r.name.clone(),
                        topic_id: r.topic_id,
                    });
                }
                self.removed_topics.remove(&r.topic_id);
                self.changed_topics.insert(
                    r.topic_id,
                    TopicImage {
                        name: r.name.clone(),
                        id: r.topic_id,
                        partitions: BTreeMap::new(),
                    },
                );
            }
            MetadataRecord::Partition(r) => {
                let topic = self.topic_mut("PartitionRecord", r.topic_id)?;
                topic
                    .partitions
                    .insert(r.partition_id, PartitionRegistration::from_record(r));
            }
            MetadataRecord::PartitionChange(r) => {
                let topic = self.topic_mut("PartitionChangeRecord", r.topic_id)?;
                let current =
                    topic
                        .partitions
                        .get(&r.partition_id)
                        .ok_or(ImageError::UnknownPartition {
                            topic_id: r.topic_id,
                            partition: r.partition_id,
                        })?;
                let next = current.merge(r);
                topic.partitions.insert(r.partition_id, next);
            }
            MetadataRecord::RemoveTopic(r) => {
                let name = match self.topic(&r.topic_id) {
                    Some(t) => t.name.clone(),
                    None => {
                        return Err(ImageError::UnknownTopicId {
                            record: "RemoveTopicRecord",
                            topic_id: r.topic_id,
                        })
                    }
                };
                self.changed_topics.remove(&r.topic_id);
                if self.base.topics.by_id.contains_key(&r.topic_id) {
                    self.removed_topics.insert(r.topic_id);
                }
                // Kafka's MetadataDelta drops a deleted topic's configs with it.
                let configs = self
                    .configs
                    .get_or_insert_with(|| self.base.configs.clone());
                configs.topics.remove(&name);
            }
            MetadataRecord::Config(r) => {
                let configs = self
                    .configs
                    .get_or_insert_with(|| self.base.configs.clone());
                let map = match r.resource_type {
                    config_resource_type::TOPIC => &mut configs.topics,
                    config_resource_type::BROKER => &mut configs.brokers,
                    other => {
                        return Err(ImageError::UnsupportedConfigResource {
                            resource_type: other,
                        })
                    }
                };
                set_config(map, &r.resource_name, &r.name, r.value.as_deref());
            }
            MetadataRecord::RegisterBroker(r) => {
                let brokers = self
                    .brokers
                    .get_or_insert_with(|| self.base.brokers.clone());
                brokers.insert(r.broker_id, BrokerRegistration::from_record(r));
            }
            MetadataRecord::UnregisterBroker(r) => {
                let brokers = self
                    .brokers
                    .get_or_insert_with(|| self.base.brokers.clone());
                if brokers
                    .get(&r.broker_id)
                    .is_some_and(|b| b.epoch == r.broker_epoch)
                {
                    brokers.remove(&r.broker_id);
                }
            }
            MetadataRecord::BrokerRegistrationChange(r) => {
                let brokers = self
                    .brokers
                    .get_or_insert_with(|| self.base.brokers.clone());
                if let Some(b) = brokers.get_mut(&r.broker_id) {
                    match r.fenced {
                        -1 => b.fenced = false,
                        1 => b.fenced = true,
                        _ => {}
                    }
                    if r.in_controlled_shutdown == 1 {
                        b.in_controlled_shutdown = true;
                    }
                    if !r.log_dirs.is_empty() {
                        b.log_dirs = r.log_dirs.clone();
                    }
                }
            }
            MetadataRecord::FeatureLevel(r) => {
                let features = self
                    .features
                    .get_or_insert_with(|| self.base.features.clone());
                replay_feature_level(features, r);
            }
            MetadataRecord::ProducerIds(r) => replay_producer_ids(&mut self.next_producer_id, r)?,
            MetadataRecord::NoOp => {}
        }
        Ok(())
    }

    /// Produces the next image. Unchanged topics share their `Arc` with the base.
    pub fn apply(self) -> MetadataImage {
        let base = self.base;
        let topics = if self.changed_topics.is_empty() && self.removed_topics.is_empty() {
            base.topics.clone()
        } else {
            let mut topics: TopicsImage = base.topics.clone();
            for id in &self.removed_topics {
                if let Some(t) = topics.by_id.remove(id) {
                    topics.by_name.remove(&t.name);
                }
            }
            for (id, topic) in self.changed_topics {
                if let Some(old) = topics.by_id.get(&id) {
                    topics.by_name.remove(&old.name);
                }
                let topic = Arc::new(topic);
                topics
                    .by_name
                    .insert(topic.name.clone(), Arc::clone(&topic));
                topics.by_id.insert(id, topic);
            }
            topics
        };
        MetadataImage {
            offset: self.offset,
            epoch: self.epoch,
            cluster_id: base.cluster_id.clone(),
            controller_id: self.controller_id,
            features: self.features.unwrap_or_else(|| base.features.clone()),
            brokers: self.brokers.unwrap_or_else(|| base.brokers.clone()),
            topics,
            configs: self.configs.unwrap_or_else(|| base.configs.clone()),
            next_producer_id: self.next_producer_id,
        }
    }
}
