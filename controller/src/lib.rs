//! The Strata metadata quorum: a KRaft-style replicated metadata log over openraft, the
//! immutable [`MetadataImage`] it produces, and the quorum controller that turns admin operations
//! into metadata records.
//!
//! Data flow: an operation reaches the [`Controller`] handle → the single controller task
//! validates it against the current image and produces records (pure functions in
//! `replication_control`, `config_control`, `cluster_control`) → `raft.client_write` appends them
//! as one record batch to `__cluster_metadata-0` → once committed the state machine replays them
//! through a [`MetadataDelta`] into the next image, published on a watch channel → the operation
//! is answered.

#![warn(missing_docs)]

mod cluster_control;
mod config;
mod config_control;
mod controller;
mod error;
pub mod image;
mod operations;
mod placement;
mod quorum_controller;
mod quorum_status;
pub mod raft;
pub mod records;
mod replication_control;
mod topic_config;
pub mod topic_name;

#[cfg(test)]
mod config_control_tests;
#[cfg(test)]
mod replication_control_tests;
#[cfg(test)]
mod test_fixtures;

pub use cluster_control::{KRAFT_VERSION_LEVEL, METADATA_VERSION_LEVEL};
pub use config::{ControllerConfig, PRODUCER_ID_BLOCK_SIZE, REQUEST_QUEUE_CAPACITY_DEFAULT};
pub use controller::Controller;
pub use error::{error_code, ControllerError};
pub use image::{
    BrokerRegistration, ConfigsImage, Endpoint, MetadataDelta, MetadataImage,
    PartitionRegistration, TopicImage, TopicsImage,
};
pub use operations::{
    AlterConfigOp, AlterConfigOpType, BrokerRegistrationRequest, ConfigChange, ConfigReplace,
    ConfigResource, CreatePartitionsSpec, CreateTopicSpec, CreatedTopic, ProducerIdBlock, TopicRef,
};
pub use quorum_status::{QuorumStatus, ReplicaStatus};
pub use replication_control::PARTITIONS_PER_TOPIC_MAX;
