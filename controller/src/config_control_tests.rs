//! Validation and semantics of IncrementalAlterConfigs and legacy AlterConfigs.

use std::collections::BTreeMap;

use crate::config_control::{incremental_alter_configs, legacy_alter_configs};
use crate::error::ControllerError;
use crate::operations::{
    AlterConfigOp, AlterConfigOpType, ConfigChange, ConfigReplace, ConfigResource, CreateTopicSpec,
};
use crate::records::config_resource_type::{BROKER, TOPIC};
use crate::replication_control::create_topics;
use crate::test_fixtures::{apply, config, image_with_brokers};
use crate::MetadataImage;

fn image_with_topic() -> MetadataImage {
    let image = image_with_brokers(1);
    let spec = CreateTopicSpec {
        name: "t".into(),
        num_partitions: 1,
        replication_factor: 1,
        assignments: vec![],
        configs: BTreeMap::new(),
    };
    let (records, _) = create_topics(&image, &config(), &[spec]);
    apply(&image, &records)
}

fn op(key: &str, op: AlterConfigOpType, value: Option<&str>) -> AlterConfigOp {
    AlterConfigOp {
        key: key.into(),
        op,
        value: value.map(str::to_string),
    }
}

fn alter(
    image: &MetadataImage,
    resource_type: i8,
    name: &str,
    ops: Vec<AlterConfigOp>,
) -> (MetadataImage, Result<(), ControllerError>) {
    let change = ConfigChange {
        resource: ConfigResource {
            resource_type,
            name: name.into(),
        },
        ops,
    };
    let (records, mut results) = incremental_alter_configs(image, &config(), &[change]);
    (apply(image, &records), results.remove(0))
}

#[test]
fn set_then_delete_a_topic_config() {
    let (image, r) = alter(
        &image_with_topic(),
        TOPIC,
        "t",
        vec![op("retention.ms", AlterConfigOpType::Set, Some("100"))],
    );
    r.expect("set");
    assert_eq!(image.configs.topics["t"]["retention.ms"], "100");
    let (image, r) = alter(
        &image,
        TOPIC,
        "t",
        vec![op("retention.ms", AlterConfigOpType::Delete, None)],
    );
    r.expect("delete");
    assert!(!image.configs.topics.contains_key("t"));
}

#[test]
fn append_and_subtract_work_on_list_configs_starting_from_the_default() {
    let (image, r) = alter(
        &image_with_topic(),
        TOPIC,
        "t",
        vec![op(
            "cleanup.policy",
            AlterConfigOpType::Append,
            Some("compact"),
        )],
    );
    r.expect("append");
    assert_eq!(
        image.configs.topics["t"]["cleanup.policy"],
        "delete,compact"
    );
    let (image, r) = alter(
        &image,
        TOPIC,
        "t",
        vec![op(
            "cleanup.policy",
            AlterConfigOpType::Subtract,
            Some("delete"),
        )],
    );
    r.expect("subtract");
    assert_eq!(image.configs.topics["t"]["cleanup.policy"], "compact");
}

#[test]
fn append_to_a_non_list_config_is_invalid_config() {
    let (_, r) = alter(
        &image_with_topic(),
        TOPIC,
        "t",
        vec![op("retention.ms", AlterConfigOpType::Append, Some("1"))],
    );
    let err = r.expect_err("not a list");
    assert_eq!(err.kafka_error_code(), 40);
    assert!(
        err.to_string()
            .contains("Can't APPEND to key retention.ms because its type is not LIST."),
        "{err}"
    );
}

#[test]
fn invalid_keys_and_values_are_invalid_config() {
    let (_, r) = alter(
        &image_with_topic(),
        TOPIC,
        "t",
        vec![op("bogus", AlterConfigOpType::Set, Some("1"))],
    );
    assert!(matches!(r, Err(ControllerError::InvalidConfig { key, .. }) if key == "bogus"));
    let (_, r) = alter(
        &image_with_topic(),
        TOPIC,
        "t",
        vec![op("min.insync.replicas", AlterConfigOpType::Set, Some("0"))],
    );
    assert!(
        matches!(r, Err(ControllerError::InvalidConfig { key, .. }) if key == "min.insync.replicas")
    );
}

#[test]
fn unknown_topic_is_unknown_topic_or_partition() {
    let (_, r) = alter(
        &image_with_topic(),
        TOPIC,
        "nope",
        vec![op("retention.ms", AlterConfigOpType::Set, Some("1"))],
    );
    assert_eq!(r.expect_err("unknown").kafka_error_code(), 3);
}

#[test]
fn duplicate_keys_and_bad_resources_are_invalid_request() {
    let image = image_with_topic();
    let (_, r) = alter(
        &image,
        TOPIC,
        "t",
        vec![
            op("retention.ms", AlterConfigOpType::Set, Some("1")),
            op("retention.ms", AlterConfigOpType::Delete, None),
        ],
    );
    assert_eq!(r.expect_err("dup").kafka_error_code(), 42);
    let (_, r) = alter(
        &image,
        BROKER,
        "abc",
        vec![op("log.retention.ms", AlterConfigOpType::Set, Some("1"))],
    );
    assert_eq!(r.expect_err("non-integral broker").kafka_error_code(), 42);
    let (_, r) = alter(&image, 16, "x", vec![]);
    assert_eq!(r.expect_err("unsupported type").kafka_error_code(), 42);
}

#[test]
fn broker_configs_are_validated_through_their_topic_synonym() {
    let image = image_with_topic();
    let (image, r) = alter(
        &image,
        BROKER,
        "",
        vec![op("log.retention.ms", AlterConfigOpType::Set, Some("5000"))],
    );
    r.expect("cluster default");
    assert_eq!(image.configs.brokers[""]["log.retention.ms"], "5000");
    let (_, r) = alter(
        &image,
        BROKER,
        "1",
        vec![op("log.retention.ms", AlterConfigOpType::Set, Some("x"))],
    );
    assert!(
        matches!(r, Err(ControllerError::InvalidConfig { key, .. }) if key == "log.retention.ms")
    );
}

#[test]
fn legacy_alter_replaces_every_dynamic_config() {
    let (image, r) = alter(
        &image_with_topic(),
        TOPIC,
        "t",
        vec![op("retention.ms", AlterConfigOpType::Set, Some("100"))],
    );
    r.expect("set");
    let replace = ConfigReplace {
        resource: ConfigResource {
            resource_type: TOPIC,
            name: "t".into(),
        },
        configs: BTreeMap::from([("segment.ms".to_string(), "1000".to_string())]),
    };
    let (records, results) = legacy_alter_configs(&image, &config(), &[replace]);
    results[0].clone().expect("replace");
    let image = apply(&image, &records);
    assert_eq!(
        image.configs.topics["t"],
        BTreeMap::from([("segment.ms".to_string(), "1000".to_string())])
    );
}
