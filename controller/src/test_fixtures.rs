//! Images and configs shared by the unit tests of the pure controller functions.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::ControllerConfig;
use crate::image::{MetadataDelta, MetadataImage};
use crate::records::{MetadataRecord, RegisterBrokerRecord};

pub(crate) fn config() -> ControllerConfig {
    ControllerConfig::single_node(1, PathBuf::from("/nonexistent"), "cluster")
}

/// Applies records on top of an image (panics on a replay error: fixtures are valid).
pub(crate) fn apply(image: &MetadataImage, records: &[MetadataRecord]) -> MetadataImage {
    let mut delta = MetadataDelta::new(Arc::new(image.clone()));
    for r in records {
        delta.replay(r).expect("fixture records replay");
    }
    delta.apply()
}

/// An image with brokers `1..=n` registered and unfenced, at metadata.version 25.
pub(crate) fn image_with_brokers(n: i32) -> MetadataImage {
    let mut records = crate::cluster_control::bootstrap_records();
    for id in 1..=n {
        records.push(MetadataRecord::RegisterBroker(RegisterBrokerRecord {
            broker_id: id,
            broker_epoch: i64::from(id),
            fenced: false,
            ..RegisterBrokerRecord::default()
        }));
    }
    apply(&MetadataImage::empty("cluster"), &records)
}
