//! Config changes as pure functions (Kafka's `ConfigurationControlManager`): compute the new
//! overrides of each resource, validate them, and emit a ConfigRecord per changed key.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::ControllerConfig;
use crate::error::ControllerError;
use crate::image::MetadataImage;
use crate::operations::{AlterConfigOpType, ConfigChange, ConfigReplace, ConfigResource};
use crate::records::{config_resource_type, ConfigRecord, MetadataRecord};
use crate::replication_control::Outcome;
use crate::topic_config::{
    default_value, is_list_config, topic_config_for_synonym, validate_topic_configs,
};

/// The current dynamic configs of a resource, after checking that the resource exists.
fn current_configs(
    image: &MetadataImage,
    resource: &ConfigResource,
) -> Result<BTreeMap<String, String>, ControllerError> {
    match resource.resource_type {
        config_resource_type::TOPIC => {
            if !image.topics.by_name.contains_key(&resource.name) {
                return Err(ControllerError::UnknownTopic {
                    name: resource.name.clone(),
                });
            }
            Ok(image.configs.topic(&resource.name))
        }
        config_resource_type::BROKER => {
            if !resource.name.is_empty() && resource.name.parse::<i32>().is_err() {
                return Err(ControllerError::InvalidRequest {
                    reason: format!(
                        "Illegal non-integral BROKER resource type name: {}",
                        resource.name
                    ),
                });
            }
            Ok(image
                .configs
                .brokers
                .get(&resource.name)
                .cloned()
                .unwrap_or_default())
        }
        other => Err(ControllerError::InvalidRequest {
            reason: format!("Unsupported config resource type {other}"),
        }),
    }
}

/// For a broker key, the topic config whose rules apply to it (list type, value validator).
fn topic_key_for(resource: &ConfigResource, key: &str) -> Option<String> {
    if resource.resource_type == config_resource_type::TOPIC {
        Some(key.to_string())
    } else {
        topic_config_for_synonym(key).map(str::to_string)
    }
}

fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn validate(
    config: &ControllerConfig,
    resource: &ConfigResource,
    current: &BTreeMap<String, String>,
    next: &BTreeMap<String, String>,
) -> Result<(), ControllerError> {
    if resource.resource_type == config_resource_type::TOPIC {
        return validate_topic_configs(next, config, Some(current));
    }
    // Broker configs that supply topic defaults are checked by the topic config's rule; other
    // dynamic broker configs belong to the broker crate and are passed through.
    for (key, value) in next {
        if let Some(topic_key) = topic_config_for_synonym(key) {
            strata_storage::log_config::validate_topic_config(topic_key, value).map_err(|e| {
                ControllerError::InvalidConfig {
                    key: key.clone(),
                    value: value.clone(),
                    reason: e.reason,
                }
            })?;
        }
    }
    Ok(())
}

fn diff_records(
    resource: &ConfigResource,
    current: &BTreeMap<String, String>,
    next: &BTreeMap<String, String>,
) -> Vec<MetadataRecord> {
    let record = |name: &str, value: Option<&String>| {
        MetadataRecord::Config(ConfigRecord {
            resource_type: resource.resource_type,
            resource_name: resource.name.clone(),
            name: name.to_string(),
            value: value.cloned(),
        })
    };
    let mut out = Vec::new();
    for (key, value) in next {
        if current.get(key) != Some(value) {
            out.push(record(key, Some(value)));
        }
    }
    for key in current.keys() {
        if !next.contains_key(key) {
            out.push(record(key, None));
        }
    }
    out
}

fn incremental_one(
    image: &MetadataImage,
    config: &ControllerConfig,
    change: &ConfigChange,
) -> Result<Vec<MetadataRecord>, ControllerError> {
    let current = current_configs(image, &change.resource)?;
    let mut seen = BTreeSet::new();
    if let Some(dup) = change.ops.iter().find(|op| !seen.insert(op.key.as_str())) {
        return Err(ControllerError::InvalidRequest {
            reason: format!("Error due to duplicate config keys: {}", dup.key),
        });
    }
    let mut next = current.clone();
    for op in &change.ops {
        match op.op {
            AlterConfigOpType::Set => {
                let value = op
                    .value
                    .clone()
                    .ok_or_else(|| ControllerError::InvalidRequest {
                        reason: format!("Null value not supported for SET of {}", op.key),
                    })?;
                next.insert(op.key.clone(), value);
            }
            AlterConfigOpType::Delete => {
                next.remove(&op.key);
            }
            AlterConfigOpType::Append | AlterConfigOpType::Subtract => {
                let topic_key = topic_key_for(&change.resource, &op.key);
                if !topic_key.as_deref().is_some_and(is_list_config) {
                    let verb = if op.op == AlterConfigOpType::Append {
                        "APPEND"
                    } else {
                        "SUBTRACT"
                    };
                    return Err(ControllerError::InvalidConfig {
                        key: op.key.clone(),
                        value: op.value.clone().unwrap_or_default(),
                        reason: format!(
                            "Can't {verb} to key {} because its type is not LIST.",
                            op.key
                        ),
                    });
                }
                let base = next
                    .get(&op.key)
                    .cloned()
                    .or_else(|| {
                        topic_key
                            .as_deref()
                            .and_then(default_value)
                            .map(str::to_string)
                    })
                    .unwrap_or_default();
                let mut items = split_list(&base);
                let operand = split_list(op.value.as_deref().unwrap_or(""));
                if op.op == AlterConfigOpType::Append {
                    for item in operand {
                        if !items.contains(&item) {
                            items.push(item);
                        }
                    }
                } else {
                    items.retain(|item| !operand.contains(item));
                }
                next.insert(op.key.clone(), items.join(","));
            }
        }
    }
    validate(config, &change.resource, &current, &next)?;
    Ok(diff_records(&change.resource, &current, &next))
}

/// IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT (the last two on list-typed
/// configs only) on topics and brokers, validated as a whole per resource.
pub(crate) fn incremental_alter_configs(
    image: &MetadataImage,
    config: &ControllerConfig,
    changes: &[ConfigChange],
) -> Outcome<()> {
    let mut records = Vec::new();
    let mut results = Vec::with_capacity(changes.len());
    for change in changes {
        match incremental_one(image, config, change) {
            Ok(mut r) => {
                records.append(&mut r);
                results.push(Ok(()));
            }
            Err(e) => results.push(Err(e)),
        }
    }
    (records, results)
}

/// Legacy AlterConfigs: the given configs replace every dynamic config of the resource.
pub(crate) fn legacy_alter_configs(
    image: &MetadataImage,
    config: &ControllerConfig,
    replaces: &[ConfigReplace],
) -> Outcome<()> {
    let mut records = Vec::new();
    let mut results = Vec::with_capacity(replaces.len());
    for replace in replaces {
        let result = current_configs(image, &replace.resource).and_then(|current| {
            validate(config, &replace.resource, &current, &replace.configs)?;
            Ok(diff_records(&replace.resource, &current, &replace.configs))
        });
        match result {
            Ok(mut r) => {
                records.append(&mut r);
                results.push(Ok(()));
            }
            Err(e) => results.push(Err(e)),
        }
    }
    (records, results)
}
