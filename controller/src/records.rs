//! The metadata records the controller produces and the image replays: Kafka's KRaft records
//! from `strata_protocol::metadata` (ApiMessageAndVersion framing lives there), plus the
//! constants the controller needs to fill them in.

pub use strata_protocol::metadata::{
    BrokerEndpoint, BrokerFeature, BrokerRegistrationChangeRecord, ConfigRecord,
    FeatureLevelRecord, MetadataError, MetadataRecord, PartitionChangeRecord, PartitionRecord,
    ProducerIdsRecord, RegisterBrokerRecord, RemoveTopicRecord, TopicRecord,
    UnregisterBrokerRecord, LEADER_UNCHANGED,
};

/// `ConfigResource.Type` of Kafka: the resource a [`ConfigRecord`] applies to.
pub mod config_resource_type {
    /// A topic's configs.
    pub const TOPIC: i8 = 2;
    /// A broker's configs (name = broker id) or the cluster default (empty name).
    pub const BROKER: i8 = 4;
}
