//! A small async Kafka client over the wire protocol, for the admin commands: bootstrap,
//! ApiVersions negotiation, Metadata, and routing to partition leaders and group coordinators.
//! Message bodies are kafka-protocol's; record batches are strata-protocol's.
//!
//! It speaks to Apache Kafka as well as to Strata: it only relies on what Kafka documents.

pub(crate) mod cluster;
pub(crate) mod connection;
pub(crate) mod error;
pub(crate) mod error_code;
pub(crate) mod groups;
pub(crate) mod log_dirs;
pub(crate) mod offsets;
pub(crate) mod partitioner;
pub(crate) mod records;
pub(crate) mod topology;

pub(crate) use cluster::{Client, Retry, BOOTSTRAP_DEFAULT};
pub(crate) use error::{BrokerError, ClientError};
pub(crate) use topology::Topology;
