//! DescribeConfigs for topics: every topic config with its effective value, where that value
//! comes from, and its synonyms in precedence order, as Kafka's `ConfigHelper` reports them.

use std::collections::BTreeMap;

use crate::log_config::{synonym_scale, ConfigKind, TOPIC_CONFIGS};

/// Where a value comes from (DescribeConfigs `config_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSource {
    /// A topic override.
    TopicConfig,
    /// A dynamic per-broker config.
    DynamicBrokerConfig,
    /// A dynamic cluster-wide broker default.
    DynamicDefaultBrokerConfig,
    /// `server.properties`.
    StaticBrokerConfig,
    /// The static default.
    DefaultConfig,
}

impl ConfigSource {
    /// Kafka's wire code (`DescribeConfigsResponse.ConfigSource`).
    pub fn kafka_code(self) -> i8 {
        match self {
            ConfigSource::TopicConfig => 1,
            ConfigSource::DynamicBrokerConfig => 2,
            ConfigSource::DynamicDefaultBrokerConfig => 3,
            ConfigSource::StaticBrokerConfig => 4,
            ConfigSource::DefaultConfig => 5,
        }
    }
}

/// One synonym of a described config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigSynonym {
    /// Property name (`retention.ms`, `log.retention.hours`, ...).
    pub name: String,
    /// Its value as set (unconverted, e.g. hours).
    pub value: Option<String>,
    /// Where it is set.
    pub source: ConfigSource,
}

/// One topic config as DescribeConfigs reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribedConfig {
    /// Topic config name.
    pub name: &'static str,
    /// Effective value in the topic config's unit; `None` when it has no value.
    pub value: Option<String>,
    /// Source of the effective value.
    pub source: ConfigSource,
    /// Value type.
    pub kind: ConfigKind,
    /// Description.
    pub doc: &'static str,
    /// Every place the config is set, highest precedence first, ending with the static default.
    pub synonyms: Vec<ConfigSynonym>,
}

/// Broker-level properties by layer, highest precedence first: dynamic per-broker, dynamic
/// cluster default, static `server.properties`. Keys are broker property names.
#[derive(Debug, Clone, Default)]
pub struct BrokerConfigLayers<'a> {
    /// Dynamic per-broker configs.
    pub dynamic_broker: Option<&'a BTreeMap<String, String>>,
    /// Dynamic cluster-wide defaults.
    pub dynamic_default: Option<&'a BTreeMap<String, String>>,
    /// `server.properties`.
    pub static_broker: Option<&'a BTreeMap<String, String>>,
}

/// Describes every topic config for a topic with `overrides`, over the broker layers.
pub fn describe_topic_configs(
    overrides: &BTreeMap<String, String>,
    broker: &BrokerConfigLayers<'_>,
) -> Vec<DescribedConfig> {
    let layers = [
        (broker.dynamic_broker, ConfigSource::DynamicBrokerConfig),
        (
            broker.dynamic_default,
            ConfigSource::DynamicDefaultBrokerConfig,
        ),
        (broker.static_broker, ConfigSource::StaticBrokerConfig),
    ];
    TOPIC_CONFIGS
        .iter()
        .map(|def| {
            let mut synonyms = Vec::new();
            if let Some(value) = overrides.get(def.name) {
                synonyms.push(ConfigSynonym {
                    name: def.name.to_string(),
                    value: Some(value.clone()),
                    source: ConfigSource::TopicConfig,
                });
            }
            for (layer, source) in layers {
                let Some(layer) = layer else { continue };
                for synonym in def.server_synonyms {
                    if let Some(value) = layer.get(*synonym) {
                        synonyms.push(ConfigSynonym {
                            name: synonym.to_string(),
                            value: Some(value.clone()),
                            source,
                        });
                    }
                }
            }
            let effective = synonyms.first().map(|s| {
                let scale = synonym_scale(&s.name);
                let value = match (
                    scale,
                    s.value
                        .as_deref()
                        .map(str::trim)
                        .and_then(|v| v.parse::<i64>().ok()),
                ) {
                    (1, _) | (_, None) => s.value.clone(),
                    (_, Some(n)) if n < 0 => Some(n.to_string()),
                    (_, Some(n)) => Some(n.saturating_mul(scale).to_string()),
                };
                (value, s.source)
            });
            synonyms.push(ConfigSynonym {
                name: def.name.to_string(),
                value: def.default.map(str::to_string),
                source: ConfigSource::DefaultConfig,
            });
            let (value, source) =
                effective.unwrap_or((def.default.map(str::to_string), ConfigSource::DefaultConfig));
            DescribedConfig {
                name: def.name,
                value,
                source,
                kind: def.kind,
                doc: def.doc,
                synonyms,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_topic_config_is_described_with_its_source_and_synonyms() {
        let overrides = props(&[("segment.bytes", "1048576")]);
        let server = props(&[
            ("log.retention.hours", "2"),
            ("log.retention.minutes", "30"),
        ]);
        let described = describe_topic_configs(
            &overrides,
            &BrokerConfigLayers {
                static_broker: Some(&server),
                ..Default::default()
            },
        );
        assert_eq!(described.len(), TOPIC_CONFIGS.len());
        let get = |name: &str| {
            described
                .iter()
                .find(|d| d.name == name)
                .expect("described")
        };
        let segment = get("segment.bytes");
        assert_eq!(
            (segment.value.as_deref(), segment.source),
            (Some("1048576"), ConfigSource::TopicConfig)
        );
        let retention = get("retention.ms");
        assert_eq!(
            (retention.value.as_deref(), retention.source),
            (Some("1800000"), ConfigSource::StaticBrokerConfig)
        );
        let names: Vec<&str> = retention.synonyms.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "log.retention.minutes",
                "log.retention.hours",
                "retention.ms"
            ]
        );
        let flush = get("flush.messages");
        assert_eq!(
            (flush.value.as_deref(), flush.source),
            (Some("9223372036854775807"), ConfigSource::DefaultConfig)
        );
        assert_eq!(ConfigSource::DefaultConfig.kafka_code(), 5);
    }

    #[test]
    fn dynamic_broker_config_beats_static() {
        let dynamic = props(&[("log.segment.bytes", "2000")]);
        let server = props(&[("log.segment.bytes", "3000")]);
        let described = describe_topic_configs(
            &BTreeMap::new(),
            &BrokerConfigLayers {
                dynamic_broker: Some(&dynamic),
                static_broker: Some(&server),
                ..Default::default()
            },
        );
        let segment = described
            .iter()
            .find(|d| d.name == "segment.bytes")
            .expect("described");
        assert_eq!(
            (segment.value.as_deref(), segment.source),
            (Some("2000"), ConfigSource::DynamicBrokerConfig)
        );
        assert_eq!(segment.synonyms.len(), 3);
    }
}
