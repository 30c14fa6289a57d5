//! [`ControllerError`]: why an admin operation failed, and the one mapping to Kafka error codes.

use uuid::Uuid;

/// Kafka error codes (`org.apache.kafka.common.protocol.Errors`) the controller answers with.
pub mod error_code {
    /// UNKNOWN_SERVER_ERROR.
    pub const UNKNOWN_SERVER_ERROR: i16 = -1;
    /// UNKNOWN_TOPIC_OR_PARTITION.
    pub const UNKNOWN_TOPIC_OR_PARTITION: i16 = 3;
    /// REQUEST_TIMED_OUT.
    pub const REQUEST_TIMED_OUT: i16 = 7;
    /// INVALID_TOPIC_EXCEPTION.
    pub const INVALID_TOPIC_EXCEPTION: i16 = 17;
    /// TOPIC_ALREADY_EXISTS.
    pub const TOPIC_ALREADY_EXISTS: i16 = 36;
    /// INVALID_PARTITIONS.
    pub const INVALID_PARTITIONS: i16 = 37;
    /// INVALID_REPLICATION_FACTOR.
    pub const INVALID_REPLICATION_FACTOR: i16 = 38;
    /// INVALID_REPLICA_ASSIGNMENT.
    pub const INVALID_REPLICA_ASSIGNMENT: i16 = 39;
    /// INVALID_CONFIG.
    pub const INVALID_CONFIG: i16 = 40;
    /// NOT_CONTROLLER.
    pub const NOT_CONTROLLER: i16 = 41;
    /// INVALID_REQUEST.
    pub const INVALID_REQUEST: i16 = 42;
    /// KAFKA_STORAGE_ERROR.
    pub const KAFKA_STORAGE_ERROR: i16 = 56;
    /// STALE_BROKER_EPOCH.
    pub const STALE_BROKER_EPOCH: i16 = 77;
    /// UNSUPPORTED_VERSION.
    pub const UNSUPPORTED_VERSION: i16 = 35;
    /// UNKNOWN_TOPIC_ID.
    pub const UNKNOWN_TOPIC_ID: i16 = 100;
    /// BROKER_ID_NOT_REGISTERED.
    pub const BROKER_ID_NOT_REGISTERED: i16 = 102;
}

/// Why a controller operation failed. Each variant states the fact with its fields.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControllerError {
    /// CreateTopics for a name that exists.
    #[error("Topic '{name}' already exists.")]
    TopicAlreadyExists {
        /// Topic name.
        name: String,
    },
    /// A topic named in the request does not exist.
    #[error("This server does not host this topic: {name}")]
    UnknownTopic {
        /// Topic name.
        name: String,
    },
    /// A topic id named in the request does not exist.
    #[error("unknown topic id {id}")]
    UnknownTopicId {
        /// Topic id.
        id: Uuid,
    },
    /// The topic name breaks Kafka's naming rules or collides with another topic.
    #[error("{reason}")]
    InvalidTopic {
        /// Topic name.
        name: String,
        /// Which rule it breaks.
        reason: String,
    },
    /// A partition count is not allowed.
    #[error("{reason}")]
    InvalidPartitions {
        /// The requested count.
        requested: i32,
        /// Why not.
        reason: String,
    },
    /// A replication factor is not allowed or cannot be met.
    #[error("{reason}")]
    InvalidReplicationFactor {
        /// The requested factor.
        requested: i32,
        /// Why not.
        reason: String,
    },
    /// A manual replica assignment is not valid.
    #[error("{reason}")]
    InvalidReplicaAssignment {
        /// Why not.
        reason: String,
    },
    /// A config key or value is rejected.
    #[error("Invalid value {value} for configuration {key}: {reason}")]
    InvalidConfig {
        /// The key.
        key: String,
        /// The rejected value.
        value: String,
        /// Why.
        reason: String,
    },
    /// The request itself is malformed.
    #[error("{reason}")]
    InvalidRequest {
        /// Why.
        reason: String,
    },
    /// A broker id is not registered.
    #[error("broker {broker_id} is not registered")]
    BrokerIdNotRegistered {
        /// Broker id.
        broker_id: i32,
    },
    /// A broker epoch does not match its registration.
    #[error("broker {broker_id} epoch {received} is stale; current is {current}")]
    StaleBrokerEpoch {
        /// Broker id.
        broker_id: i32,
        /// Epoch in the request.
        received: i64,
        /// Registered epoch.
        current: i64,
    },
    /// A broker does not support a finalized feature level.
    #[error("broker supports {feature} {min}..={max} but the cluster is at {level}")]
    UnsupportedFeature {
        /// Feature name.
        feature: String,
        /// Finalized level.
        level: i16,
        /// Broker minimum.
        min: i16,
        /// Broker maximum.
        max: i16,
    },
    /// This node is not the active controller.
    #[error("this node is not the active controller")]
    NotController,
    /// The controller's configuration cannot work.
    #[error("invalid controller configuration: {reason}")]
    Config {
        /// What is wrong.
        reason: String,
    },
    /// The controller is shutting down or its task has stopped.
    #[error("the controller is shut down")]
    ShutDown,
    /// The metadata log failed on disk.
    #[error("metadata log storage failed: {0}")]
    Storage(String),
    /// The raft layer failed.
    #[error("raft failed: {0}")]
    Raft(String),
    /// Replaying committed records failed (corrupt or foreign metadata log).
    #[error("replay failed: {0}")]
    Replay(#[from] crate::image::ImageError),
}

impl ControllerError {
    /// The Kafka error code a client expects for this error.
    pub fn kafka_error_code(&self) -> i16 {
        use error_code::*;
        match self {
            ControllerError::TopicAlreadyExists { .. } => TOPIC_ALREADY_EXISTS,
            ControllerError::UnknownTopic { .. } => UNKNOWN_TOPIC_OR_PARTITION,
            ControllerError::UnknownTopicId { .. } => UNKNOWN_TOPIC_ID,
            ControllerError::InvalidTopic { .. } => INVALID_TOPIC_EXCEPTION,
            ControllerError::InvalidPartitions { .. } => INVALID_PARTITIONS,
            ControllerError::InvalidReplicationFactor { .. } => INVALID_REPLICATION_FACTOR,
            ControllerError::InvalidReplicaAssignment { .. } => INVALID_REPLICA_ASSIGNMENT,
            ControllerError::InvalidConfig { .. } => INVALID_CONFIG,
            ControllerError::InvalidRequest { .. } => INVALID_REQUEST,
            ControllerError::BrokerIdNotRegistered { .. } => BROKER_ID_NOT_REGISTERED,
            ControllerError::StaleBrokerEpoch { .. } => STALE_BROKER_EPOCH,
            ControllerError::UnsupportedFeature { .. } => UNSUPPORTED_VERSION,
            ControllerError::NotController | ControllerError::ShutDown => NOT_CONTROLLER,
            ControllerError::Storage(_) => KAFKA_STORAGE_ERROR,
            ControllerError::Raft(_)
            | ControllerError::Replay(_)
            | ControllerError::Config { .. } => UNKNOWN_SERVER_ERROR,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_match_kafka_errors_java() {
        assert_eq!(
            ControllerError::TopicAlreadyExists { name: "t".into() }.kafka_error_code(),
            36
        );
        assert_eq!(
            ControllerError::UnknownTopic { name: "t".into() }.kafka_error_code(),
            3
        );
        assert_eq!(
            ControllerError::UnknownTopicId { id: Uuid::nil() }.kafka_error_code(),
            100
        );
        assert_eq!(
            ControllerError::InvalidTopic {
                name: ".".into(),
                reason: String::new()
            }
            .kafka_error_code(),
            17
        );
        assert_eq!(
            ControllerError::InvalidPartitions {
                requested: 0,
                reason: String::new()
            }
            .kafka_error_code(),
            37
        );
        assert_eq!(
            ControllerError::InvalidReplicationFactor {
                requested: 0,
                reason: String::new()
            }
            .kafka_error_code(),
            38
        );
        assert_eq!(
            ControllerError::InvalidConfig {
                key: "k".into(),
                value: "v".into(),
                reason: String::new()
            }
            .kafka_error_code(),
            40
        );
        assert_eq!(
            ControllerError::InvalidRequest {
                reason: String::new()
            }
            .kafka_error_code(),
            42
        );
        assert_eq!(ControllerError::NotController.kafka_error_code(), 41);
    }
}
