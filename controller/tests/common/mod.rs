//! Helpers shared by the controller's integration tests.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use strata_controller::{
    BrokerRegistrationRequest, Controller, ControllerConfig, CreateTopicSpec, Endpoint,
    MetadataImage,
};
use strata_storage::ManualClock;
use uuid::Uuid;

pub const CLUSTER_ID: &str = "MkU3OEVBNTcwNTJENDM2Qk";

pub fn config(dir: &Path) -> ControllerConfig {
    let mut config = ControllerConfig::single_node(1, dir.to_path_buf(), CLUSTER_ID);
    config.voters = vec![(1, "localhost:9093".to_string())];
    config.metadata_max_snapshot_interval_records = 0;
    config
}

pub async fn start(dir: &Path) -> Controller {
    Controller::start(config(dir), Arc::new(ManualClock::new(1_700_000_000_000)))
        .await
        .expect("controller starts")
}

pub async fn register(controller: &Controller, id: i32) -> i64 {
    controller
        .register_broker(BrokerRegistrationRequest {
            broker_id: id,
            incarnation_id: Uuid::new_v4(),
            listeners: vec![Endpoint {
                name: "PLAINTEXT".into(),
                host: "localhost".into(),
                port: 9092,
                security_protocol: 0,
            }],
            rack: None,
            features: vec![("metadata.version".into(), 1, 25)],
            log_dirs: vec![],
        })
        .await
        .expect("broker registers")
}

pub fn topic(name: &str, partitions: i32) -> CreateTopicSpec {
    CreateTopicSpec {
        name: name.to_string(),
        num_partitions: partitions,
        replication_factor: -1,
        assignments: vec![],
        configs: BTreeMap::new(),
    }
}

/// The image without its position (offset, epoch), which a restart legitimately advances by
/// the new term's LeaderChange batch.
pub fn content(image: &MetadataImage) -> MetadataImage {
    MetadataImage {
        offset: 0,
        epoch: 0,
        ..image.clone()
    }
}
