//! The inputs and outputs of controller operations (what the broker's admin handlers pass in).

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::image::Endpoint;

/// A broker asking to join (BrokerRegistration, api 62).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerRegistrationRequest {
    /// `node.id` of the broker.
    pub broker_id: i32,
    /// Random per process run; a restart registers a new one.
    pub incarnation_id: Uuid,
    /// Advertised listeners.
    pub listeners: Vec<Endpoint>,
    /// `broker.rack`.
    pub rack: Option<String>,
    /// Supported feature ranges: (name, min, max).
    pub features: Vec<(String, i16, i16)>,
    /// Log directory ids.
    pub log_dirs: Vec<Uuid>,
}

/// One topic of a CreateTopics request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTopicSpec {
    /// Topic name.
    pub name: String,
    /// Partition count; -1 = `num.partitions`. Must be -1 when `assignments` is given.
    pub num_partitions: i32,
    /// Replication factor; -1 = `default.replication.factor`. Must be -1 when `assignments` is given.
    pub replication_factor: i16,
    /// Manual assignment: (partition index, replica broker ids). Empty = let the controller place.
    pub assignments: Vec<(i32, Vec<i32>)>,
    /// Topic config overrides.
    pub configs: BTreeMap<String, String>,
}

/// The outcome of creating one topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedTopic {
    /// Topic name.
    pub name: String,
    /// Assigned id (a fresh one in validate-only mode, never persisted).
    pub topic_id: Uuid,
    /// Partition count.
    pub num_partitions: i32,
    /// Replication factor.
    pub replication_factor: i16,
    /// The overrides stored for the topic.
    pub configs: BTreeMap<String, String>,
}

/// A topic named by name or by id (DeleteTopics v6+ accepts either).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TopicRef {
    /// By name.
    Name(String),
    /// By id.
    Id(Uuid),
}

/// One topic of a CreatePartitions request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePartitionsSpec {
    /// Topic name.
    pub name: String,
    /// The new total partition count; must exceed the current one.
    pub count: i32,
    /// Replicas of each new partition, or `None` to let the controller place them.
    pub assignments: Option<Vec<Vec<i32>>>,
}

/// A resource whose configs can be altered (Kafka's `ConfigResource`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigResource {
    /// `ConfigResource.Type` id: 2 = topic, 4 = broker (see [`crate::records::config_resource_type`]).
    pub resource_type: i8,
    /// Topic name, broker id, or `""` for the cluster-wide broker default.
    pub name: String,
}

/// `AlterConfigOp.OpType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlterConfigOpType {
    /// 0: set the value.
    Set,
    /// 1: remove the override.
    Delete,
    /// 2: add elements to a list-typed config.
    Append,
    /// 3: remove elements from a list-typed config.
    Subtract,
}

impl AlterConfigOpType {
    /// From the wire id; `None` for an unknown id.
    pub fn from_id(id: i8) -> Option<Self> {
        match id {
            0 => Some(AlterConfigOpType::Set),
            1 => Some(AlterConfigOpType::Delete),
            2 => Some(AlterConfigOpType::Append),
            3 => Some(AlterConfigOpType::Subtract),
            _ => None,
        }
    }
}

/// One key operation of IncrementalAlterConfigs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlterConfigOp {
    /// Config key.
    pub key: String,
    /// What to do.
    pub op: AlterConfigOpType,
    /// The value (ignored for Delete).
    pub value: Option<String>,
}

/// IncrementalAlterConfigs for one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigChange {
    /// The resource.
    pub resource: ConfigResource,
    /// Operations, applied in order.
    pub ops: Vec<AlterConfigOp>,
}

/// Legacy AlterConfigs for one resource: the given configs replace all dynamic ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigReplace {
    /// The resource.
    pub resource: ConfigResource,
    /// The complete new set of overrides.
    pub configs: BTreeMap<String, String>,
}

/// A block of producer ids handed to one broker (AllocateProducerIds, api 67).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducerIdBlock {
    /// The broker that owns the block.
    pub assigned_broker_id: i32,
    /// First id of the block.
    pub first_producer_id: i64,
    /// Number of ids in the block.
    pub size: i32,
}
