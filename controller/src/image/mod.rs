//! The immutable metadata image and the deltas that advance it (Kafka's `MetadataImage` /
//! `MetadataDelta` pattern).
//!
//! A [`MetadataImage`] is the whole cluster metadata as of one committed offset of
//! `__cluster_metadata`. It is never mutated: a [`MetadataDelta`] replays records on top of a
//! base image and [`MetadataDelta::apply`] produces the next image, sharing every unchanged topic
//! with the base. Readers hold an `Arc<MetadataImage>` and never take a lock.

mod cluster;
mod configs;
mod delta;
mod features;
mod producer_ids;
mod topics;

use std::collections::BTreeMap;

pub use cluster::{BrokerRegistration, Endpoint};
pub use configs::ConfigsImage;
pub use delta::{ImageError, MetadataDelta};
pub use topics::{PartitionRegistration, TopicImage, TopicsImage};

/// Name of the feature that versions the metadata log (Kafka's `MetadataVersion`).
pub const METADATA_VERSION_FEATURE: &str = "metadata.version";
/// Name of the feature that versions the KRaft protocol itself.
pub const KRAFT_VERSION_FEATURE: &str = "kraft.version";

/// Cluster metadata at one committed offset of `__cluster_metadata`.
///
/// Invariants: every partition belongs to a topic present in both `topics` maps; `offset` is the
/// Kafka offset of the last record replayed (-1 for the empty image).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataImage {
    /// Offset of the last metadata record (or control batch) included; -1 when empty.
    pub offset: i64,
    /// Raft term (Kafka leader epoch) of that offset; 0 when empty.
    pub epoch: i32,
    /// The cluster this metadata belongs to.
    pub cluster_id: String,
    /// The active controller (the raft leader that wrote the last entry); -1 when unknown.
    pub controller_id: i32,
    /// Finalized feature levels (`metadata.version`, `kraft.version`, ...).
    pub features: BTreeMap<String, i16>,
    /// Registered brokers by id.
    pub brokers: BTreeMap<i32, BrokerRegistration>,
    /// Topics and their partitions.
    pub topics: TopicsImage,
    /// Dynamic topic and broker configs.
    pub configs: ConfigsImage,
    /// First producer id of the next block `AllocateProducerIds` hands out.
    pub next_producer_id: i64,
}

impl MetadataImage {
    /// The image before any record: offset -1, nothing registered.
    pub fn empty(cluster_id: impl Into<String>) -> Self {
        MetadataImage {
            offset: -1,
            epoch: 0,
            cluster_id: cluster_id.into(),
            controller_id: -1,
            features: BTreeMap::new(),
            brokers: BTreeMap::new(),
            topics: TopicsImage::default(),
            configs: ConfigsImage::default(),
            next_producer_id: 0,
        }
    }

    /// The finalized `metadata.version` level, if bootstrapped.
    pub fn metadata_version(&self) -> Option<i16> {
        self.features.get(METADATA_VERSION_FEATURE).copied()
    }

    /// Brokers that are registered and not fenced.
    pub fn live_brokers(&self) -> impl Iterator<Item = &BrokerRegistration> {
        self.brokers.values().filter(|b| !b.fenced)
    }

    /// True when the image holds no metadata at all (a freshly formatted quorum).
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
            && self.brokers.is_empty()
            && self.topics.by_id.is_empty()
            && self.configs.topics.is_empty()
            && self.configs.brokers.is_empty()
            && self.next_producer_id == 0
    }
}

impl MetadataImage {
    /// Records that recreate this image from the empty one (the body of a snapshot), in Kafka's
    /// snapshot order: features first (metadata.version leading), then brokers, topics with their
    /// partitions, configs, producer ids.
    pub fn to_records(&self) -> Vec<crate::records::MetadataRecord> {
        use crate::records::{
            config_resource_type, ConfigRecord, FeatureLevelRecord, MetadataRecord,
            ProducerIdsRecord, TopicRecord,
        };
        let mut out = Vec::new();
        let mut features: Vec<_> = self.features.iter().collect();
        features.sort_by_key(|(name, _)| name.as_str() != METADATA_VERSION_FEATURE);
        for (name, level) in features {
            out.push(MetadataRecord::FeatureLevel(FeatureLevelRecord {
                name: name.clone(),
                feature_level: *level,
            }));
        }
        for broker in self.brokers.values() {
            out.push(MetadataRecord::RegisterBroker(broker.to_record()));
        }
        for topic in self.topics.by_name.values() {
            out.push(MetadataRecord::Topic(TopicRecord {
                name: topic.name.clone(),
                topic_id: topic.id,
            }));
            for (index, partition) in &topic.partitions {
                out.push(MetadataRecord::Partition(
                    partition.to_record(topic.id, *index),
                ));
            }
        }
        for (resource_type, map) in [
            (config_resource_type::TOPIC, &self.configs.topics),
            (config_resource_type::BROKER, &self.configs.brokers),
        ] {
            for (resource, keys) in map {
                for (key, value) in keys {
                    out.push(MetadataRecord::Config(ConfigRecord {
                        resource_type,
                        resource_name: resource.clone(),
                        name: key.clone(),
                        value: Some(value.clone()),
                    }));
                }
            }
        }
        if self.next_producer_id > 0 {
            out.push(MetadataRecord::ProducerIds(ProducerIdsRecord {
                broker_id: -1,
                broker_epoch: -1,
                next_producer_id: self.next_producer_id,
            }));
        }
        out
    }
}

#[cfg(test)]
mod delta_tests;
