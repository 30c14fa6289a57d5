//! What DescribeConfigs (and CreateTopics v5+) report for each config: effective value, source,
//! read-only and sensitive flags, type, documentation and synonyms — Kafka's `ConfigHelper` rules.
//!
//! Sources, highest precedence first: a topic override (TOPIC_CONFIG 1), a dynamic config of this
//! broker (DYNAMIC_BROKER_CONFIG 2), a dynamic cluster-wide default (DYNAMIC_DEFAULT_BROKER_CONFIG
//! 3), `server.properties` or `--override` (STATIC_BROKER_CONFIG 4), the built-in default
//! (DEFAULT_CONFIG 5). Synonyms list every broker name that supplies the value, in that order;
//! like Kafka, entries before the first one with the described name are dropped.

use std::collections::BTreeMap;

use strata_storage::log_config::{ConfigKind, TOPIC_CONFIGS};

use super::{broker_config, broker_synonyms, ConfigType, KafkaConfig, BROKER_CONFIGS};

/// Kafka's `DescribeConfigsResponse.ConfigSource` ids (TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConfigSource {
    /// A topic override.
    Topic,
    /// A dynamic config of this broker.
    DynamicBroker,
    /// A dynamic cluster-wide broker default.
    DynamicDefaultBroker,
    /// `server.properties` or `--override`.
    StaticBroker,
    /// The built-in default.
    Default,
}

impl ConfigSource {
    /// The wire id.
    pub(crate) fn id(self) -> i8 {
        match self {
            ConfigSource::Topic => 1,
            ConfigSource::DynamicBroker => 2,
            ConfigSource::DynamicDefaultBroker => 3,
            ConfigSource::StaticBroker => 4,
            ConfigSource::Default => 5,
        }
    }
}

/// One place a value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Synonym {
    /// Config name at that source (a broker name for broker sources).
    pub(crate) name: String,
    /// Its value (`None` for sensitive configs).
    pub(crate) value: Option<String>,
    /// Where it is set.
    pub(crate) source: ConfigSource,
}

/// One described config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DescribedConfig {
    /// Config name.
    pub(crate) name: &'static str,
    /// Effective value (`None`: no value, or sensitive).
    pub(crate) value: Option<String>,
    /// Source of the effective value.
    pub(crate) source: ConfigSource,
    /// Whether it cannot be altered at runtime.
    pub(crate) read_only: bool,
    /// Whether the value is secret.
    pub(crate) sensitive: bool,
    /// `ConfigType` wire code.
    pub(crate) config_type: i8,
    /// Documentation.
    pub(crate) doc: &'static str,
    /// Every source that supplies a value, highest precedence first.
    pub(crate) synonyms: Vec<Synonym>,
}

/// Dynamic broker configs from the metadata image.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DynamicBrokerConfigs<'a> {
    /// Configs of this broker (`ConfigResource(BROKER, "<id>")`).
    pub(crate) node: &'a BTreeMap<String, String>,
    /// Cluster-wide defaults (`ConfigResource(BROKER, "")`).
    pub(crate) cluster: &'a BTreeMap<String, String>,
}

impl DynamicBrokerConfigs<'_> {
    /// Per-broker values over cluster-wide ones (what `KafkaConfig::topic_defaults` takes).
    pub(crate) fn merged(&self) -> BTreeMap<String, String> {
        let mut merged = self.cluster.clone();
        merged.extend(self.node.iter().map(|(k, v)| (k.clone(), v.clone())));
        merged
    }
}

fn topic_type_code(kind: ConfigKind) -> i8 {
    match kind {
        ConfigKind::Boolean => ConfigType::Boolean.code(),
        ConfigKind::String => ConfigType::String.code(),
        ConfigKind::Int => ConfigType::Int.code(),
        ConfigKind::Long => ConfigType::Long.code(),
        ConfigKind::Double => ConfigType::Double.code(),
        ConfigKind::List => ConfigType::List.code(),
    }
}

/// Kafka's `configSynonyms(name, synonyms)`: each synonym at each broker source where it is set,
/// sources in precedence order, then dropping leading entries not named `name`.
fn broker_source_synonyms(
    config: &KafkaConfig,
    dynamic: &DynamicBrokerConfigs<'_>,
    name: &str,
    synonyms: &[&'static str],
    sensitive: bool,
) -> Vec<Synonym> {
    let mut out = Vec::new();
    let shown = |v: &str| if sensitive { None } else { Some(v.to_string()) };
    for synonym in synonyms {
        if let Some(v) = dynamic.node.get(*synonym) {
            out.push(Synonym {
                name: synonym.to_string(),
                value: shown(v),
                source: ConfigSource::DynamicBroker,
            });
        }
    }
    for synonym in synonyms {
        if let Some(v) = dynamic.cluster.get(*synonym) {
            out.push(Synonym {
                name: synonym.to_string(),
                value: shown(v),
                source: ConfigSource::DynamicDefaultBroker,
            });
        }
    }
    for synonym in synonyms {
        if let Some(v) = config.explicit_properties().get(*synonym) {
            out.push(Synonym {
                name: synonym.to_string(),
                value: shown(v),
                source: ConfigSource::StaticBroker,
            });
        }
    }
    for synonym in synonyms {
        if let Some(v) = broker_config(synonym).and_then(|d| d.default) {
            out.push(Synonym {
                name: synonym.to_string(),
                value: shown(v),
                source: ConfigSource::Default,
            });
        }
    }
    match out.iter().position(|s| s.name == name) {
        Some(first) => out.split_off(first),
        None => Vec::new(),
    }
}

/// Every topic config of a topic with `overrides`, as DescribeConfigs(TOPIC) reports it.
pub(crate) fn describe_topic_configs(
    config: &KafkaConfig,
    dynamic: &DynamicBrokerConfigs<'_>,
    overrides: &BTreeMap<String, String>,
) -> Vec<DescribedConfig> {
    let defaults = config.topic_defaults(&dynamic.merged());
    TOPIC_CONFIGS
        .iter()
        .map(|def| {
            let value = overrides
                .get(def.name)
                .or_else(|| defaults.get(def.name))
                .cloned()
                .or_else(|| def.default.map(str::to_string));
            let mut synonyms = Vec::new();
            if let Some(v) = overrides.get(def.name) {
                synonyms.push(Synonym {
                    name: def.name.to_string(),
                    value: Some(v.clone()),
                    source: ConfigSource::Topic,
                });
            }
            if let Some(first) = def.server_synonyms.first() {
                synonyms.extend(broker_source_synonyms(
                    config,
                    dynamic,
                    first,
                    &broker_synonyms(first),
                    false,
                ));
            }
            DescribedConfig {
                name: def.name,
                value,
                source: synonyms.first().map_or(ConfigSource::Default, |s| s.source),
                read_only: false,
                sensitive: false,
                config_type: topic_type_code(def.kind),
                doc: def.doc,
                synonyms,
            }
        })
        .collect()
}

/// Broker configs as DescribeConfigs(BROKER) reports them: with `per_broker`, every config of this
/// broker; without (resource name ""), only the cluster-wide dynamic defaults that are set.
pub(crate) fn describe_broker_configs(
    config: &KafkaConfig,
    dynamic: &DynamicBrokerConfigs<'_>,
    per_broker: bool,
) -> Vec<DescribedConfig> {
    BROKER_CONFIGS
        .iter()
        .filter(|def| per_broker || dynamic.cluster.contains_key(def.name))
        .map(|def| {
            let sensitive = def.kind == ConfigType::Password;
            let mut synonyms = broker_source_synonyms(
                config,
                dynamic,
                def.name,
                &broker_synonyms(def.name),
                sensitive,
            );
            if !per_broker {
                synonyms.retain(|s| s.source == ConfigSource::DynamicDefaultBroker);
            }
            let value = if sensitive {
                None
            } else if per_broker {
                dynamic
                    .node
                    .get(def.name)
                    .or_else(|| dynamic.cluster.get(def.name))
                    .cloned()
                    .or_else(|| config.value(def.name))
            } else {
                dynamic.cluster.get(def.name).cloned()
            };
            DescribedConfig {
                name: def.name,
                value,
                source: synonyms.first().map_or(ConfigSource::Default, |s| s.source),
                read_only: !def.dynamic,
                sensitive,
                config_type: def.kind.code(),
                doc: def.doc,
                synonyms,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    #[test]
    fn every_storage_topic_synonym_is_a_known_broker_config_that_maps_back() {
        for def in TOPIC_CONFIGS {
            for synonym in def.server_synonyms {
                let broker = broker_config(synonym).unwrap_or_else(|| {
                    panic!("{synonym} (for {}) is not a broker config", def.name)
                });
                assert_eq!(
                    broker.topic_synonym.map(|(t, _)| t),
                    Some(def.name),
                    "{synonym}"
                );
            }
        }
        for broker in BROKER_CONFIGS {
            if let Some((topic, _)) = broker.topic_synonym {
                let def = strata_storage::log_config::config_def(topic)
                    .unwrap_or_else(|| panic!("{topic} unknown to storage"));
                assert!(
                    def.server_synonyms.contains(&broker.name),
                    "{} missing from {topic}'s synonyms",
                    broker.name
                );
            }
        }
    }

    #[test]
    fn topic_override_is_the_source_and_heads_the_synonyms() {
        let config = KafkaConfig::from_properties_text("log.retention.ms=100\n").expect("valid");
        let (node, cluster) = (empty(), empty());
        let dynamic = DynamicBrokerConfigs {
            node: &node,
            cluster: &cluster,
        };
        let overrides = BTreeMap::from([("retention.ms".to_string(), "5".to_string())]);
        let described = describe_topic_configs(&config, &dynamic, &overrides);
        let retention = described
            .iter()
            .find(|c| c.name == "retention.ms")
            .expect("listed");
        assert_eq!(retention.value.as_deref(), Some("5"));
        assert_eq!(retention.source, ConfigSource::Topic);
        let sources: Vec<_> = retention
            .synonyms
            .iter()
            .map(|s| (s.name.as_str(), s.source))
            .collect();
        assert_eq!(
            sources,
            [
                ("retention.ms", ConfigSource::Topic),
                ("log.retention.ms", ConfigSource::StaticBroker),
                ("log.retention.hours", ConfigSource::Default)
            ]
        );
        let segment = described
            .iter()
            .find(|c| c.name == "segment.bytes")
            .expect("listed");
        assert_eq!(segment.source, ConfigSource::Default);
        assert_eq!(segment.value.as_deref(), Some("1073741824"));
        assert_eq!(described.len(), TOPIC_CONFIGS.len());
    }

    #[test]
    fn broker_configs_report_static_dynamic_and_default_sources() {
        let config = KafkaConfig::from_properties_text("num.partitions=3\n").expect("valid");
        let node = BTreeMap::from([("log.retention.bytes".to_string(), "10".to_string())]);
        let cluster = BTreeMap::from([("log.retention.bytes".to_string(), "20".to_string())]);
        let dynamic = DynamicBrokerConfigs {
            node: &node,
            cluster: &cluster,
        };
        let all = describe_broker_configs(&config, &dynamic, true);
        let find = |name: &str| all.iter().find(|c| c.name == name).expect("listed").clone();
        assert_eq!(find("num.partitions").source, ConfigSource::StaticBroker);
        assert_eq!(find("num.partitions").value.as_deref(), Some("3"));
        assert!(find("num.partitions").read_only);
        let bytes = find("log.retention.bytes");
        assert_eq!(
            (bytes.value.as_deref(), bytes.source),
            (Some("10"), ConfigSource::DynamicBroker)
        );
        assert_eq!(
            bytes.synonyms.iter().map(|s| s.source).collect::<Vec<_>>(),
            [
                ConfigSource::DynamicBroker,
                ConfigSource::DynamicDefaultBroker,
                ConfigSource::Default
            ]
        );
        assert_eq!(find("message.max.bytes").source, ConfigSource::Default);
        assert_eq!(all.len(), BROKER_CONFIGS.len());
        let defaults_only = describe_broker_configs(&config, &dynamic, false);
        assert_eq!(defaults_only.len(), 1);
        assert_eq!(defaults_only[0].source, ConfigSource::DynamicDefaultBroker);
    }
}
