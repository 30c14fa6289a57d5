//! Validation of CreateTopics, DeleteTopics and CreatePartitions (each error case).

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::error::ControllerError;
use crate::operations::{CreatePartitionsSpec, CreateTopicSpec, TopicRef};
use crate::records::MetadataRecord;
use crate::replication_control::{create_partitions, create_topics, delete_topics};
use crate::test_fixtures::{apply, config, image_with_brokers};

fn spec(name: &str, partitions: i32, rf: i16) -> CreateTopicSpec {
    CreateTopicSpec {
        name: name.into(),
        num_partitions: partitions,
        replication_factor: rf,
        assignments: vec![],
        configs: BTreeMap::new(),
    }
}

fn create_one(
    image: &crate::MetadataImage,
    s: CreateTopicSpec,
) -> Result<crate::CreatedTopic, ControllerError> {
    let (_, mut results) = create_topics(image, &config(), &[s]);
    results.remove(0)
}

fn code(r: Result<impl std::fmt::Debug, ControllerError>) -> i16 {
    r.expect_err("the operation is rejected").kafka_error_code()
}

#[test]
fn create_topic_emits_topic_partition_and_config_records() {
    let image = image_with_brokers(3);
    let mut s = spec("orders", 4, 2);
    s.configs.insert("retention.ms".into(), "1000".into());
    let (records, results) = create_topics(&image, &config(), &[s]);
    let created = results[0].as_ref().expect("created");
    assert_eq!((created.num_partitions, created.replication_factor), (4, 2));
    assert!(
        matches!(&records[0], MetadataRecord::Topic(t) if t.name == "orders" && t.topic_id == created.topic_id)
    );
    let partitions: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            MetadataRecord::Partition(p) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(partitions.len(), 4);
    for p in &partitions {
        assert_eq!(p.replicas.len(), 2);
        assert_eq!(p.isr, p.replicas);
        assert_eq!(p.leader, p.replicas[0]);
        assert_eq!((p.leader_epoch, p.partition_epoch), (0, 0));
    }
    // Leadership spreads over the brokers.
    let leaders: std::collections::BTreeSet<i32> = partitions.iter().map(|p| p.leader).collect();
    assert_eq!(leaders.len(), 3);
    assert!(records
        .iter()
        .any(|r| matches!(r, MetadataRecord::Config(c) if c.name == "retention.ms")));
}

#[test]
fn minus_one_uses_the_configured_defaults() {
    let image = image_with_brokers(1);
    let mut cfg = config();
    cfg.num_partitions = 5;
    let (_, results) = create_topics(&image, &cfg, &[spec("t", -1, -1)]);
    let created = results[0].as_ref().expect("created");
    assert_eq!((created.num_partitions, created.replication_factor), (5, 1));
}

#[test]
fn illegal_names_are_invalid_topic() {
    let image = image_with_brokers(1);
    for name in ["", ".", "..", "a b", &"x".repeat(250)] {
        assert_eq!(code(create_one(&image, spec(name, 1, 1))), 17, "{name:?}");
    }
}

#[test]
fn existing_topic_is_topic_already_exists() {
    let image = image_with_brokers(1);
    let (records, _) = create_topics(&image, &config(), &[spec("t", 1, 1)]);
    let image = apply(&image, &records);
    assert_eq!(code(create_one(&image, spec("t", 1, 1))), 36);
}

#[test]
fn dot_underscore_collision_is_invalid_topic() {
    let image = image_with_brokers(1);
    let (records, _) = create_topics(&image, &config(), &[spec("a.b", 1, 1)]);
    let image = apply(&image, &records);
    let err = create_one(&image, spec("a_b", 1, 1)).expect_err("collides");
    assert_eq!(err.kafka_error_code(), 17);
    assert!(
        err.to_string()
            .contains("collides with existing topic: a.b"),
        "{err}"
    );
    // Also within one request.
    let (_, results) = create_topics(
        &image_with_brokers(1),
        &config(),
        &[spec("x.y", 1, 1), spec("x_y", 1, 1)],
    );
    assert!(results[0].is_ok());
    assert_eq!(code(results[1].clone()), 17);
}

#[test]
fn duplicate_names_in_one_request_are_invalid_request() {
    let (records, results) = create_topics(
        &image_with_brokers(1),
        &config(),
        &[spec("t", 1, 1), spec("t", 1, 1)],
    );
    assert!(records.is_empty());
    assert!(results
        .iter()
        .all(|r| r.as_ref().err().map(ControllerError::kafka_error_code) == Some(42)));
}

#[test]
fn non_positive_partitions_are_invalid_partitions() {
    let image = image_with_brokers(1);
    assert_eq!(code(create_one(&image, spec("t", 0, 1))), 37);
    assert_eq!(code(create_one(&image, spec("t", -2, 1))), 37);
}

#[test]
fn bad_replication_factors_are_invalid_replication_factor() {
    let image = image_with_brokers(1);
    assert_eq!(code(create_one(&image, spec("t", 1, 0))), 38);
    let err = create_one(&image, spec("t", 1, 3)).expect_err("only one broker");
    assert_eq!(err.kafka_error_code(), 38);
    assert!(
        err.to_string().contains("only 1 broker(s) are registered"),
        "{err}"
    );
}

#[test]
fn invalid_configs_are_invalid_config_naming_the_key() {
    let image = image_with_brokers(1);
    let mut s = spec("t", 1, 1);
    s.configs.insert("no.such.config".into(), "1".into());
    let err = create_one(&image, s).expect_err("unknown key");
    assert!(
        matches!(&err, ControllerError::InvalidConfig { key, .. } if key == "no.such.config"),
        "{err:?}"
    );
    assert_eq!(err.kafka_error_code(), 40);
    let mut s = spec("t", 1, 1);
    s.configs.insert("retention.ms".into(), "soon".into());
    assert!(
        matches!(create_one(&image, s), Err(ControllerError::InvalidConfig { key, .. }) if key == "retention.ms")
    );
}

#[test]
fn manual_assignments_are_checked() {
    let image = image_with_brokers(2);
    let mut s = spec("t", -1, -1);
    s.assignments = vec![(0, vec![1, 2]), (1, vec![2, 1])];
    let created = create_one(&image, s.clone()).expect("valid assignment");
    assert_eq!((created.num_partitions, created.replication_factor), (2, 2));
    let mut bad = s.clone();
    bad.num_partitions = 2;
    assert_eq!(code(create_one(&image, bad)), 42);
    let mut bad = s.clone();
    bad.assignments = vec![(0, vec![1]), (2, vec![2])];
    assert_eq!(code(create_one(&image, bad)), 39);
    let mut bad = s.clone();
    bad.assignments = vec![(0, vec![1, 1])];
    assert_eq!(code(create_one(&image, bad)), 39);
    let mut bad = s;
    bad.assignments = vec![(0, vec![7])];
    assert_eq!(code(create_one(&image, bad)), 39);
}

#[test]
fn delete_unknown_topics_by_name_and_id() {
    let image = image_with_brokers(1);
    let (records, results) = delete_topics(
        &image,
        &[
            TopicRef::Name("nope".into()),
            TopicRef::Id(Uuid::from_u128(5)),
        ],
    );
    assert!(records.is_empty());
    assert_eq!(code(results[0].clone()), 3);
    assert_eq!(code(results[1].clone()), 100);
}

#[test]
fn delete_by_name_or_id_removes_the_topic() {
    let image = image_with_brokers(1);
    let (records, results) = create_topics(&image, &config(), &[spec("a", 1, 1), spec("b", 1, 1)]);
    let b_id = results[1].as_ref().expect("b").topic_id;
    let image = apply(&image, &records);
    let (records, results) =
        delete_topics(&image, &[TopicRef::Name("a".into()), TopicRef::Id(b_id)]);
    assert_eq!(
        results[1].as_ref().expect("b deleted"),
        &("b".to_string(), b_id)
    );
    let image = apply(&image, &records);
    assert!(image.topics.is_empty());
}

#[test]
fn deleting_the_same_topic_twice_in_one_request_is_invalid_request() {
    let image = image_with_brokers(1);
    let (records, results) = create_topics(&image, &config(), &[spec("a", 1, 1)]);
    let id = results[0].as_ref().expect("a").topic_id;
    let image = apply(&image, &records);
    let (records, results) = delete_topics(&image, &[TopicRef::Name("a".into()), TopicRef::Id(id)]);
    assert_eq!(records.len(), 1);
    assert_eq!(code(results[1].clone()), 42);
}

#[test]
fn create_partitions_must_grow_the_count() {
    let image = image_with_brokers(1);
    let (records, _) = create_topics(&image, &config(), &[spec("t", 2, 1)]);
    let image = apply(&image, &records);
    let grow = |count, assignments| CreatePartitionsSpec {
        name: "t".into(),
        count,
        assignments,
    };
    let (_, results) = create_partitions(&image, &[grow(1, None)]);
    assert_eq!(code(results[0].clone()), 37);
    let (_, results) = create_partitions(&image, &[grow(2, None)]);
    assert_eq!(code(results[0].clone()), 37);
    let (_, results) = create_partitions(
        &image,
        &[CreatePartitionsSpec {
            name: "nope".into(),
            count: 3,
            assignments: None,
        }],
    );
    assert_eq!(code(results[0].clone()), 3);
    let (_, results) = create_partitions(&image, &[grow(4, Some(vec![vec![1]]))]);
    assert_eq!(code(results[0].clone()), 39);
    let (records, results) = create_partitions(&image, &[grow(4, None)]);
    assert!(results[0].is_ok());
    let image = apply(&image, &records);
    let partitions = &image.topics.by_name["t"].partitions;
    assert_eq!(
        partitions.keys().copied().collect::<Vec<_>>(),
        vec![0, 1, 2, 3]
    );
}

#[test]
fn remote_storage_needs_the_system_switch_and_no_compaction() {
    let image = image_with_brokers(1);
    let mut s = spec("t", 1, 1);
    s.configs
        .insert("remote.storage.enable".into(), "true".into());
    let (_, results) = create_topics(&image, &config(), &[s.clone()]);
    let err = results[0]
        .clone()
        .expect_err("tiering is disabled in the broker");
    assert!(
        matches!(&err, ControllerError::InvalidConfig { key, .. } if key == "remote.storage.enable"),
        "{err:?}"
    );
    let mut enabled = config();
    enabled.remote_log_storage_system_enable = true;
    let (_, results) = create_topics(&image, &enabled, &[s.clone()]);
    assert!(results[0].is_ok());
    s.configs.insert("cleanup.policy".into(), "compact".into());
    let (_, results) = create_topics(&image, &enabled, &[s]);
    assert!(
        matches!(&results[0], Err(ControllerError::InvalidConfig { key, .. }) if key == "remote.storage.enable"),
        "{:?}",
        results[0]
    );
}
