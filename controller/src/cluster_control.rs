//! Broker registration, producer id blocks and the bootstrap records, as pure functions
//! (Kafka's `ClusterControlManager`, `ProducerIdControlManager`, `FeatureControlManager`).

use crate::config::PRODUCER_ID_BLOCK_SIZE;
use crate::error::ControllerError;
use crate::image::{MetadataImage, KRAFT_VERSION_FEATURE, METADATA_VERSION_FEATURE};
use crate::operations::{BrokerRegistrationRequest, ProducerIdBlock};
use crate::records::{
    BrokerEndpoint, BrokerFeature, FeatureLevelRecord, MetadataRecord, ProducerIdsRecord,
    RegisterBrokerRecord,
};

/// `metadata.version` written at bootstrap: 4.0-IV3 (feature level 25 in Kafka's `MetadataVersion`).
pub const METADATA_VERSION_LEVEL: i16 = 25;
/// `kraft.version` written at bootstrap: 0, a static voter set.
pub const KRAFT_VERSION_LEVEL: i16 = 0;

/// The records a freshly formatted quorum starts with: the finalized feature levels.
pub(crate) fn bootstrap_records() -> Vec<MetadataRecord> {
    vec![
        MetadataRecord::FeatureLevel(FeatureLevelRecord {
            name: METADATA_VERSION_FEATURE.to_string(),
            feature_level: METADATA_VERSION_LEVEL,
        }),
        MetadataRecord::FeatureLevel(FeatureLevelRecord {
            name: KRAFT_VERSION_FEATURE.to_string(),
            feature_level: KRAFT_VERSION_LEVEL,
        }),
    ]
}

/// Registers (or re-registers) a broker. The new epoch is larger than any earlier one of this
/// broker and than every offset already in the log (Kafka uses the record's offset).
///
/// The broker is registered unfenced: Strata has no broker heartbeat path yet, which is what
/// unfences a Kafka broker.
pub(crate) fn register_broker(
    image: &MetadataImage,
    req: &BrokerRegistrationRequest,
) -> Result<(Vec<MetadataRecord>, i64), ControllerError> {
    if req.broker_id < 0 {
        return Err(ControllerError::InvalidRequest {
            reason: format!("Invalid broker id {}", req.broker_id),
        });
    }
    if let Some(level) = image.metadata_version() {
        if let Some((_, min, max)) = req
            .features
            .iter()
            .find(|(name, _, _)| name == METADATA_VERSION_FEATURE)
        {
            if level < *min || level > *max {
                return Err(ControllerError::UnsupportedFeature {
                    feature: METADATA_VERSION_FEATURE.to_string(),
                    level,
                    min: *min,
                    max: *max,
                });
            }
        }
    }
    let previous = image.brokers.get(&req.broker_id).map_or(-1, |b| b.epoch);
    let epoch = (image.offset + 1).max(previous + 1);
    let record = RegisterBrokerRecord {
        broker_id: req.broker_id,
        incarnation_id: req.incarnation_id,
        broker_epoch: epoch,
        end_points: req.listeners.iter().map(BrokerEndpoint::from).collect(),
        features: req
            .features
            .iter()
            .map(|(name, min, max)| BrokerFeature {
                name: name.clone(),
                min_supported_version: *min,
                max_supported_version: *max,
            })
            .collect(),
        rack: req.rack.clone(),
        fenced: false,
        in_controlled_shutdown: false,
        log_dirs: req.log_dirs.clone(),
        is_migrating_zk_broker: false,
        ..RegisterBrokerRecord::default()
    };
    Ok((vec![MetadataRecord::RegisterBroker(record)], epoch))
}

/// Hands the next block of [`PRODUCER_ID_BLOCK_SIZE`] producer ids to a registered broker.
pub(crate) fn allocate_producer_ids(
    image: &MetadataImage,
    broker_id: i32,
    broker_epoch: i64,
) -> Result<(Vec<MetadataRecord>, ProducerIdBlock), ControllerError> {
    let broker = image
        .brokers
        .get(&broker_id)
        .ok_or(ControllerError::BrokerIdNotRegistered { broker_id })?;
    if broker.epoch != broker_epoch {
        return Err(ControllerError::StaleBrokerEpoch {
            broker_id,
            received: broker_epoch,
            current: broker.epoch,
        });
    }
    let first = image.next_producer_id;
    let next = first.checked_add(PRODUCER_ID_BLOCK_SIZE).ok_or_else(|| {
        ControllerError::InvalidRequest {
            reason: "producer ids are exhausted".to_string(),
        }
    })?;
    let record = MetadataRecord::ProducerIds(ProducerIdsRecord {
        broker_id,
        broker_epoch,
        next_producer_id: next,
    });
    let size = i32::try_from(PRODUCER_ID_BLOCK_SIZE).expect("block size fits i32");
    Ok((
        vec![record],
        ProducerIdBlock {
            assigned_broker_id: broker_id,
            first_producer_id: first,
            size,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixtures::{apply, image_with_brokers};

    fn request(id: i32) -> BrokerRegistrationRequest {
        BrokerRegistrationRequest {
            broker_id: id,
            incarnation_id: uuid::Uuid::from_u128(7),
            listeners: vec![],
            rack: None,
            features: vec![(METADATA_VERSION_FEATURE.to_string(), 1, 25)],
            log_dirs: vec![],
        }
    }

    #[test]
    fn re_registration_gets_a_larger_epoch() {
        let image = image_with_brokers(1);
        let first = image.brokers[&1].epoch;
        let (records, epoch) = register_broker(&image, &request(1)).expect("registers");
        assert!(epoch > first);
        let image = apply(&image, &records);
        assert_eq!(image.brokers[&1].epoch, epoch);
        assert!(!image.brokers[&1].fenced);
    }

    #[test]
    fn broker_without_the_finalized_metadata_version_is_rejected() {
        let mut req = request(2);
        req.features = vec![(METADATA_VERSION_FEATURE.to_string(), 1, 20)];
        let err = register_broker(&image_with_brokers(1), &req).expect_err("too old");
        assert_eq!(err.kafka_error_code(), 35);
    }

    #[test]
    fn producer_id_blocks_are_consecutive_and_checked_against_the_broker_epoch() {
        let image = image_with_brokers(1);
        let (records, block) = allocate_producer_ids(&image, 1, 1).expect("block");
        assert_eq!((block.first_producer_id, block.size), (0, 1000));
        let image = apply(&image, &records);
        let (_, block) = allocate_producer_ids(&image, 1, 1).expect("block");
        assert_eq!(block.first_producer_id, 1000);
        assert_eq!(
            allocate_producer_ids(&image, 1, 9)
                .expect_err("stale")
                .kafka_error_code(),
            77
        );
        assert_eq!(
            allocate_producer_ids(&image, 5, 1)
                .expect_err("unknown")
                .kafka_error_code(),
            102
        );
    }
}
