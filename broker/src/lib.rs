//! The Kafka server: listeners, connections, request routing, one handler per API, the replica
//! manager and delayed operations.
//!
//! `Broker::start` opens the logs, starts the (combined-mode) controller, registers this node,
//! follows metadata images, and serves the configured listeners until `RunningBroker::shutdown`.

#![warn(missing_docs)]

pub mod config;

mod broker;
mod connection;
mod context;
mod errors;
mod group;
mod handlers;
mod limits;
mod metadata_publisher;
mod router;
mod server;

mod delayed_fetch;
mod delayed_remote_fetch;
mod fetch_session;
mod partition;
mod producer_id_manager;
mod remote_log;
mod replica_manager;

pub use broker::{Broker, BrokerError, RunningBroker, ShutdownTrigger};
pub use config::{ConfigError, KafkaConfig};
