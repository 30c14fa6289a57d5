//! Records → image: the replay rules of [`MetadataDelta`].

use std::sync::Arc;

use uuid::Uuid;

use super::*;
use crate::records::*;

fn topic_id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn apply(base: MetadataImage, records: &[MetadataRecord]) -> MetadataImage {
    let mut delta = MetadataDelta::new(Arc::new(base));
    for r in records {
        delta.replay(r).expect("record applies");
    }
    delta.apply()
}

fn topic_records(name: &str, id: Uuid, partitions: i32) -> Vec<MetadataRecord> {
    let mut out = vec![MetadataRecord::Topic(TopicRecord {
        name: name.into(),
        topic_id: id,
    })];
    for p in 0..partitions {
        out.push(MetadataRecord::Partition(PartitionRecord {
            partition_id: p,
            topic_id: id,
            replicas: vec![1],
            isr: vec![1],
            leader: 1,
            leader_epoch: 0,
            partition_epoch: 0,
            ..PartitionRecord::default()
        }));
    }
    out
}

fn topic_config(topic: &str, key: &str, value: Option<&str>) -> MetadataRecord {
    MetadataRecord::Config(ConfigRecord {
        resource_type: config_resource_type::TOPIC,
        resource_name: topic.into(),
        name: key.into(),
        value: value.map(str::to_string),
    })
}

#[test]
fn topic_and_partition_records_build_a_topic_indexed_both_ways() {
    let image = apply(
        MetadataImage::empty("c"),
        &topic_records("orders", topic_id(1), 3),
    );
    let by_name = &image.topics.by_name["orders"];
    assert_eq!(by_name.id, topic_id(1));
    assert_eq!(by_name.partitions.len(), 3);
    assert_eq!(image.topics.by_id[&topic_id(1)].name, "orders");
    assert_eq!(by_name.partitions[&2].leader, 1);
}

#[test]
fn remove_topic_drops_the_topic_and_its_configs() {
    let mut records = topic_records("t", topic_id(1), 1);
    records.push(topic_config("t", "retention.ms", Some("1000")));
    let image = apply(MetadataImage::empty("c"), &records);
    assert_eq!(image.configs.topics["t"]["retention.ms"], "1000");
    let image = apply(
        image,
        &[MetadataRecord::RemoveTopic(RemoveTopicRecord {
            topic_id: topic_id(1),
        })],
    );
    assert!(image.topics.is_empty());
    assert!(image.topics.by_name.is_empty());
    assert!(image.configs.topics.is_empty());
}

#[test]
fn topic_created_and_removed_in_one_delta_leaves_nothing() {
    let mut records = topic_records("t", topic_id(1), 2);
    records.push(MetadataRecord::RemoveTopic(RemoveTopicRecord {
        topic_id: topic_id(1),
    }));
    let image = apply(MetadataImage::empty("c"), &records);
    assert!(image.topics.is_empty());
}

#[test]
fn partition_change_with_new_leader_bumps_leader_and_partition_epochs() {
    let image = apply(
        MetadataImage::empty("c"),
        &topic_records("t", topic_id(1), 1),
    );
    let change = PartitionChangeRecord {
        partition_id: 0,
        topic_id: topic_id(1),
        leader: 2,
        isr: Some(vec![2]),
        ..PartitionChangeRecord::default()
    };
    let image = apply(image, &[MetadataRecord::PartitionChange(change)]);
    let p = &image.topics.by_name["t"].partitions[&0];
    assert_eq!((p.leader, p.leader_epoch, p.partition_epoch), (2, 1, 1));
    assert_eq!(p.isr, vec![2]);
    assert_eq!(p.replicas, vec![1]);
}

#[test]
fn partition_change_without_leader_keeps_leader_epoch() {
    let image = apply(
        MetadataImage::empty("c"),
        &topic_records("t", topic_id(1), 1),
    );
    let change = PartitionChangeRecord {
        partition_id: 0,
        topic_id: topic_id(1),
        isr: Some(vec![]),
        ..PartitionChangeRecord::default()
    };
    let image = apply(image, &[MetadataRecord::PartitionChange(change)]);
    let p = &image.topics.by_name["t"].partitions[&0];
    assert_eq!((p.leader, p.leader_epoch, p.partition_epoch), (1, 0, 1));
}

#[test]
fn config_record_with_null_value_deletes_the_key_and_empty_resource() {
    let mut records = topic_records("t", topic_id(1), 1);
    records.push(topic_config("t", "retention.ms", Some("1")));
    records.push(topic_config("t", "retention.ms", None));
    let image = apply(MetadataImage::empty("c"), &records);
    assert!(!image.configs.topics.contains_key("t"));
}

#[test]
fn broker_registration_fencing_and_unregistration() {
    let register = MetadataRecord::RegisterBroker(RegisterBrokerRecord {
        broker_id: 3,
        broker_epoch: 7,
        fenced: true,
        ..RegisterBrokerRecord::default()
    });
    let image = apply(MetadataImage::empty("c"), &[register]);
    assert!(image.brokers[&3].fenced);
    assert_eq!(image.live_brokers().count(), 0);
    let unfence = MetadataRecord::BrokerRegistrationChange(BrokerRegistrationChangeRecord {
        broker_id: 3,
        broker_epoch: 7,
        fenced: -1,
        ..BrokerRegistrationChangeRecord::default()
    });
    let image = apply(image, &[unfence]);
    assert!(!image.brokers[&3].fenced);
    let stale = MetadataRecord::UnregisterBroker(UnregisterBrokerRecord {
        broker_id: 3,
        broker_epoch: 6,
    });
    let image = apply(image, &[stale]);
    assert!(
        image.brokers.contains_key(&3),
        "an unregistration with a stale epoch is ignored"
    );
    let current = MetadataRecord::UnregisterBroker(UnregisterBrokerRecord {
        broker_id: 3,
        broker_epoch: 7,
    });
    let image = apply(image, &[current]);
    assert!(image.brokers.is_empty());
}

#[test]
fn feature_level_zero_removes_a_feature_but_not_metadata_version() {
    let set = |name: &str, level| {
        MetadataRecord::FeatureLevel(FeatureLevelRecord {
            name: name.into(),
            feature_level: level,
        })
    };
    let image = apply(
        MetadataImage::empty("c"),
        &[set("metadata.version", 25), set("group.version", 1)],
    );
    assert_eq!(image.metadata_version(), Some(25));
    let image = apply(
        image,
        &[set("group.version", 0), set("metadata.version", 0)],
    );
    assert!(!image.features.contains_key("group.version"));
    assert_eq!(image.metadata_version(), Some(0));
}

#[test]
fn unchanged_topics_keep_their_arc_in_the_next_image() {
    let mut records = topic_records("a", topic_id(1), 1);
    records.extend(topic_records("b", topic_id(2), 1));
    let base = apply(MetadataImage::empty("c"), &records);
    let next = apply(base.clone(), &topic_records("c", topic_id(3), 1));
    assert!(Arc::ptr_eq(
        &base.topics.by_name["a"],
        &next.topics.by_name["a"]
    ));
    assert!(Arc::ptr_eq(
        &next.topics.by_name["b"],
        &next.topics.by_id[&topic_id(2)]
    ));
}

#[test]
fn records_naming_unknown_topics_are_rejected() {
    let mut delta = MetadataDelta::new(Arc::new(MetadataImage::empty("c")));
    let orphan = MetadataRecord::Partition(PartitionRecord {
        partition_id: 0,
        topic_id: topic_id(9),
        ..PartitionRecord::default()
    });
    assert!(matches!(
        delta.replay(&orphan),
        Err(ImageError::UnknownTopicId { .. })
    ));
    let remove = MetadataRecord::RemoveTopic(RemoveTopicRecord {
        topic_id: topic_id(9),
    });
    assert!(matches!(
        delta.replay(&remove),
        Err(ImageError::UnknownTopicId { .. })
    ));
}

#[test]
fn duplicate_topic_name_is_rejected() {
    let base = apply(
        MetadataImage::empty("c"),
        &topic_records("t", topic_id(1), 1),
    );
    let mut delta = MetadataDelta::new(Arc::new(base));
    let dup = MetadataRecord::Topic(TopicRecord {
        name: "t".into(),
        topic_id: topic_id(2),
    });
    assert!(matches!(
        delta.replay(&dup),
        Err(ImageError::DuplicateTopic { .. })
    ));
}

#[test]
fn producer_ids_only_move_forward() {
    let rec = |next| {
        MetadataRecord::ProducerIds(ProducerIdsRecord {
            broker_id: 1,
            broker_epoch: 1,
            next_producer_id: next,
        })
    };
    let image = apply(MetadataImage::empty("c"), &[rec(1000)]);
    assert_eq!(image.next_producer_id, 1000);
    let mut delta = MetadataDelta::new(Arc::new(image));
    assert!(matches!(
        delta.replay(&rec(500)),
        Err(ImageError::ProducerIdsWentBackwards { .. })
    ));
}

#[test]
fn to_records_recreates_the_same_image() {
    let mut records = vec![
        MetadataRecord::FeatureLevel(FeatureLevelRecord {
            name: "metadata.version".into(),
            feature_level: 25,
        }),
        MetadataRecord::RegisterBroker(RegisterBrokerRecord {
            broker_id: 1,
            broker_epoch: 4,
            fenced: false,
            features: vec![BrokerFeature {
                name: "metadata.version".into(),
                min_supported_version: 1,
                max_supported_version: 25,
            }],
            log_dirs: vec![Uuid::from_u128(9)],
            ..RegisterBrokerRecord::default()
        }),
    ];
    records.extend(topic_records("a", topic_id(1), 2));
    records.extend(topic_records("b.c", topic_id(2), 1));
    records.push(topic_config("a", "cleanup.policy", Some("compact")));
    records.push(MetadataRecord::Config(ConfigRecord {
        resource_type: config_resource_type::BROKER,
        resource_name: String::new(),
        name: "log.retention.ms".into(),
        value: Some("5".into()),
    }));
    records.push(MetadataRecord::ProducerIds(ProducerIdsRecord {
        broker_id: 1,
        broker_epoch: 4,
        next_producer_id: 2000,
    }));
    let image = apply(MetadataImage::empty("c"), &records);
    assert_eq!(
        image.brokers[&1].supported_features,
        vec![("metadata.version".to_string(), 1, 25)]
    );
    let rebuilt = apply(MetadataImage::empty("c"), &image.to_records());
    assert_eq!(
        MetadataImage {
            offset: 0,
            ..rebuilt
        },
        MetadataImage { offset: 0, ..image }
    );
}

#[test]
fn a_registration_change_with_log_dirs_replaces_them_and_an_empty_one_keeps_them() {
    let register = MetadataRecord::RegisterBroker(RegisterBrokerRecord {
        broker_id: 3,
        broker_epoch: 7,
        log_dirs: vec![Uuid::from_u128(1)],
        ..RegisterBrokerRecord::default()
    });
    let change = |log_dirs: Vec<Uuid>| {
        MetadataRecord::BrokerRegistrationChange(BrokerRegistrationChangeRecord {
            broker_id: 3,
            broker_epoch: 7,
            log_dirs,
            ..BrokerRegistrationChangeRecord::default()
        })
    };
    let image = apply(MetadataImage::empty("c"), &[register, change(Vec::new())]);
    assert_eq!(image.brokers[&3].log_dirs, vec![Uuid::from_u128(1)]);
    let image = apply(image, &[change(vec![Uuid::from_u128(2)])]);
    assert_eq!(image.brokers[&3].log_dirs, vec![Uuid::from_u128(2)]);
}
