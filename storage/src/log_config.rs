//! Topic-level log configs: Kafka's names, types, defaults, validators and the broker properties
//! that supply their defaults (synonyms), plus the typed [`LogConfig`] a [`crate::Log`] runs with.
//!
//! Precedence, as in Kafka: a topic override, else the broker's synonym (the first synonym present
//! wins, so `log.retention.ms` beats `log.retention.minutes` beats `log.retention.hours`), else the
//! static default. [`topic_defaults_from_server_props`] resolves broker properties to topic names.

use std::collections::BTreeMap;

use strata_protocol::record_batch::TimestampType;

pub use crate::log_config_describe::{
    describe_topic_configs, BrokerConfigLayers, ConfigSource, ConfigSynonym, DescribedConfig,
};

/// A config value was rejected. Names the key, the value and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value {value:?} for configuration {key}: {reason}")]
pub struct ConfigError {
    /// The config name.
    pub key: String,
    /// The rejected value.
    pub value: String,
    /// Why it was rejected.
    pub reason: String,
}

impl ConfigError {
    fn new(key: &str, value: &str, reason: impl Into<String>) -> Self {
        Self {
            key: key.to_string(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}

/// The value type of a config, as Kafka's `ConfigDef.Type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKind {
    /// `true` / `false`.
    Boolean,
    /// 32-bit signed integer.
    Int,
    /// 64-bit signed integer.
    Long,
    /// Floating point.
    Double,
    /// A string.
    String,
    /// Comma-separated list of strings.
    List,
}

impl ConfigKind {
    /// Kafka's upper-case name of the type (DescribeConfigs `config_type` is derived from it).
    pub fn kafka_name(self) -> &'static str {
        match self {
            ConfigKind::Boolean => "BOOLEAN",
            ConfigKind::Int => "INT",
            ConfigKind::Long => "LONG",
            ConfigKind::Double => "DOUBLE",
            ConfigKind::String => "STRING",
            ConfigKind::List => "LIST",
        }
    }
}

/// A rule a value must satisfy beyond parsing as its [`ConfigKind`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Validator {
    /// Any value of the right type.
    Any,
    /// Integer ≥ the bound.
    AtLeast(i64),
    /// Integer within the inclusive bounds.
    Between(i64, i64),
    /// Float within the inclusive bounds.
    BetweenFloat(f64, f64),
    /// One of the strings (case-sensitive, as Kafka's `ValidString`).
    OneOf(&'static [&'static str]),
    /// A list whose every element is one of the strings (Kafka's `ValidList`).
    ListOf(&'static [&'static str]),
    /// gzip level: 1..=9 or -1 (the codec default).
    GzipLevel,
}

/// One topic config Kafka defines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConfigDef {
    /// Topic-level name (`retention.ms`).
    pub name: &'static str,
    /// Value type.
    pub kind: ConfigKind,
    /// Static default as Kafka prints it; `None` for no default.
    pub default: Option<&'static str>,
    /// Broker properties that supply the default, highest precedence first.
    pub server_synonyms: &'static [&'static str],
    /// Value rule.
    pub validator: Validator,
    /// One-line description.
    pub doc: &'static str,
}

const LONG_MAX: &str = "9223372036854775807";

/// Every topic config Strata accepts, in Kafka's alphabetical order. DescribeConfigs answers from
/// this table: each config, its default and its synonyms.
pub static TOPIC_CONFIGS: &[ConfigDef] = &[
    ConfigDef { name: "cleanup.policy", kind: ConfigKind::List, default: Some("delete"), server_synonyms: &["log.cleanup.policy"], validator: Validator::ListOf(&["compact", "delete"]), doc: "Retention policy for old segments: delete, compact, or both." },
    ConfigDef { name: "compression.gzip.level", kind: ConfigKind::Int, default: Some("-1"), server_synonyms: &["compression.gzip.level"], validator: Validator::GzipLevel, doc: "Compression level for gzip." },
    ConfigDef { name: "compression.lz4.level", kind: ConfigKind::Int, default: Some("9"), server_synonyms: &["compression.lz4.level"], validator: Validator::Between(1, 17), doc: "Compression level for lz4." },
    ConfigDef { name: "compression.type", kind: ConfigKind::String, default: Some("producer"), server_synonyms: &["compression.type"], validator: Validator::OneOf(&["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]), doc: "Final compression type for the topic; producer keeps the producer's codec." },
    ConfigDef { name: "compression.zstd.level", kind: ConfigKind::Int, default: Some("3"), server_synonyms: &["compression.zstd.level"], validator: Validator::Between(-131_072, 22), doc: "Compression level for zstd." },
    ConfigDef { name: "delete.retention.ms", kind: ConfigKind::Long, default: Some("86400000"), server_synonyms: &["log.cleaner.delete.retention.ms"], validator: Validator::AtLeast(0), doc: "How long delete tombstones are retained on compacted topics." },
    ConfigDef { name: "file.delete.delay.ms", kind: ConfigKind::Long, default: Some("60000"), server_synonyms: &["log.segment.delete.delay.ms"], validator: Validator::AtLeast(0), doc: "Time to wait before deleting a file from the filesystem." },
    ConfigDef { name: "flush.messages", kind: ConfigKind::Long, default: Some(LONG_MAX), server_synonyms: &["log.flush.interval.messages"], validator: Validator::AtLeast(1), doc: "Force an fsync after this many messages." },
    ConfigDef { name: "flush.ms", kind: ConfigKind::Long, default: Some(LONG_MAX), server_synonyms: &["log.flush.interval.ms", "log.flush.scheduler.interval.ms"], validator: Validator::AtLeast(0), doc: "Force an fsync after this many milliseconds." },
    ConfigDef { name: "follower.replication.throttled.replicas", kind: ConfigKind::List, default: Some(""), server_synonyms: &[], validator: Validator::Any, doc: "Replicas whose log replication is throttled on the follower side." },
    ConfigDef { name: "index.interval.bytes", kind: ConfigKind::Int, default: Some("4096"), server_synonyms: &["log.index.interval.bytes"], validator: Validator::AtLeast(0), doc: "Bytes of log between offset index entries." },
    ConfigDef { name: "leader.replication.throttled.replicas", kind: ConfigKind::List, default: Some(""), server_synonyms: &[], validator: Validator::Any, doc: "Replicas whose log replication is throttled on the leader side." },
    ConfigDef { name: "local.retention.bytes", kind: ConfigKind::Long, default: Some("-2"), server_synonyms: &["log.local.retention.bytes"], validator: Validator::AtLeast(-2), doc: "Local bytes kept before local segments become eligible for deletion; -2 means retention.bytes." },
    ConfigDef { name: "local.retention.ms", kind: ConfigKind::Long, default: Some("-2"), server_synonyms: &["log.local.retention.ms"], validator: Validator::AtLeast(-2), doc: "Time local segments are kept; -2 means retention.ms." },
    ConfigDef { name: "max.compaction.lag.ms", kind: ConfigKind::Long, default: Some(LONG_MAX), server_synonyms: &["log.cleaner.max.compaction.lag.ms"], validator: Validator::AtLeast(1), doc: "Maximum time a message stays ineligible for compaction." },
    ConfigDef { name: "max.message.bytes", kind: ConfigKind::Int, default: Some("1048588"), server_synonyms: &["message.max.bytes"], validator: Validator::AtLeast(0), doc: "Largest record batch size allowed." },
    ConfigDef { name: "message.timestamp.after.max.ms", kind: ConfigKind::Long, default: Some(LONG_MAX), server_synonyms: &["log.message.timestamp.after.max.ms"], validator: Validator::AtLeast(0), doc: "How far a CreateTime timestamp may be ahead of the broker clock." },
    ConfigDef { name: "message.timestamp.before.max.ms", kind: ConfigKind::Long, default: Some(LONG_MAX), server_synonyms: &["log.message.timestamp.before.max.ms"], validator: Validator::AtLeast(0), doc: "How far a CreateTime timestamp may be behind the broker clock." },
    ConfigDef { name: "message.timestamp.type", kind: ConfigKind::String, default: Some("CreateTime"), server_synonyms: &["log.message.timestamp.type"], validator: Validator::OneOf(&["CreateTime", "LogAppendTime"]), doc: "Whether record timestamps are the producer's or the broker's append time." },
    ConfigDef { name: "min.cleanable.dirty.ratio", kind: ConfigKind::Double, default: Some("0.5"), server_synonyms: &["log.cleaner.min.cleanable.ratio"], validator: Validator::BetweenFloat(0.0, 1.0), doc: "Minimum dirty ratio before the log is compacted." },
    ConfigDef { name: "min.compaction.lag.ms", kind: ConfigKind::Long, default: Some("0"), server_synonyms: &["log.cleaner.min.compaction.lag.ms"], validator: Validator::AtLeast(0), doc: "Minimum time a message stays uncompacted." },
    ConfigDef { name: "min.insync.replicas", kind: ConfigKind::Int, default: Some("1"), server_synonyms: &["min.insync.replicas"], validator: Validator::AtLeast(1), doc: "Minimum in-sync replicas for acks=all produce." },
    ConfigDef { name: "preallocate", kind: ConfigKind::Boolean, default: Some("false"), server_synonyms: &["log.preallocate"], validator: Validator::Any, doc: "Preallocate the segment file when creating a segment." },
    ConfigDef { name: "remote.log.copy.disable", kind: ConfigKind::Boolean, default: Some("false"), server_synonyms: &[], validator: Validator::Any, doc: "Stop copying segments to remote storage; tiered data becomes read-only." },
    ConfigDef { name: "remote.log.delete.on.disable", kind: ConfigKind::Boolean, default: Some("false"), server_synonyms: &[], validator: Validator::Any, doc: "Delete tiered data when tiering is disabled for the topic." },
    ConfigDef { name: "remote.storage.enable", kind: ConfigKind::Boolean, default: Some("false"), server_synonyms: &[], validator: Validator::Any, doc: "Enable tiered storage for the topic." },
    ConfigDef { name: "retention.bytes", kind: ConfigKind::Long, default: Some("-1"), server_synonyms: &["log.retention.bytes"], validator: Validator::Any, doc: "Maximum partition size before old segments are deleted; -1 is unlimited." },
    ConfigDef { name: "retention.ms", kind: ConfigKind::Long, default: Some("604800000"), server_synonyms: &["log.retention.ms", "log.retention.minutes", "log.retention.hours"], validator: Validator::AtLeast(-1), doc: "Maximum age of a segment before deletion; -1 is unlimited." },
    ConfigDef { name: "segment.bytes", kind: ConfigKind::Int, default: Some("1073741824"), server_synonyms: &["log.segment.bytes"], validator: Validator::AtLeast(14), doc: "Segment file size before rolling a new segment." },
    ConfigDef { name: "segment.index.bytes", kind: ConfigKind::Int, default: Some("10485760"), server_synonyms: &["log.index.size.max.bytes"], validator: Validator::AtLeast(4), doc: "Preallocated size of each offset and time index file." },
    ConfigDef { name: "segment.jitter.ms", kind: ConfigKind::Long, default: Some("0"), server_synonyms: &["log.roll.jitter.ms", "log.roll.jitter.hours"], validator: Validator::AtLeast(0), doc: "Maximum random jitter subtracted from segment.ms." },
    ConfigDef { name: "segment.ms", kind: ConfigKind::Long, default: Some("604800000"), server_synonyms: &["log.roll.ms", "log.roll.hours"], validator: Validator::AtLeast(1), doc: "Time after which a segment is rolled even if not full." },
    ConfigDef { name: "unclean.leader.election.enable", kind: ConfigKind::Boolean, default: Some("false"), server_synonyms: &["unclean.leader.election.enable"], validator: Validator::Any, doc: "Allow out-of-sync replicas to become leader as a last resort." },
];

/// The definition of topic config `name`, if Kafka defines it.
pub fn config_def(name: &str) -> Option<&'static ConfigDef> {
    TOPIC_CONFIGS.iter().find(|def| def.name == name)
}

/// Milliseconds per unit of a broker synonym whose unit is not milliseconds (`log.retention.hours`).
/// 1 for synonyms already in the topic's unit.
pub fn synonym_scale(server_name: &str) -> i64 {
    if server_name.ends_with(".hours") {
        3_600_000
    } else if server_name.ends_with(".minutes") {
        60_000
    } else {
        1
    }
}

/// Checks one topic config value: the key must be a known topic config and the value must parse
/// as its type and satisfy its validator.
pub fn validate_topic_config(key: &str, value: &str) -> Result<(), ConfigError> {
    let def =
        config_def(key).ok_or_else(|| ConfigError::new(key, value, "unknown topic config"))?;
    validate_value(def, value)
}

fn validate_value(def: &ConfigDef, value: &str) -> Result<(), ConfigError> {
    let key = def.name;
    let trimmed = value.trim();
    let int = |v: &str| -> Result<i64, ConfigError> {
        let parsed: i64 = v.parse().map_err(|_| {
            ConfigError::new(
                key,
                value,
                format!("expected a {} value", def.kind.kafka_name()),
            )
        })?;
        if def.kind == ConfigKind::Int && i32::try_from(parsed).is_err() {
            return Err(ConfigError::new(
                key,
                value,
                "value does not fit in a 32-bit INT",
            ));
        }
        Ok(parsed)
    };
    match def.kind {
        ConfigKind::Boolean => {
            if !trimmed.eq_ignore_ascii_case("true") && !trimmed.eq_ignore_ascii_case("false") {
                return Err(ConfigError::new(key, value, "expected true or false"));
            }
        }
        ConfigKind::Int | ConfigKind::Long => {
            let n = int(trimmed)?;
            match def.validator {
                Validator::AtLeast(min) if n < min => {
                    return Err(ConfigError::new(
                        key,
                        value,
                        format!("value must be at least {min}"),
                    ));
                }
                Validator::Between(min, max) if n < min || n > max => {
                    return Err(ConfigError::new(
                        key,
                        value,
                        format!("value must be between {min} and {max}"),
                    ));
                }
                Validator::GzipLevel if !(n == -1 || (1..=9).contains(&n)) => {
                    return Err(ConfigError::new(
                        key,
                        value,
                        "value must be -1 or between 1 and 9",
                    ));
                }
                _ => {}
            }
        }
        ConfigKind::Double => {
            let n: f64 = trimmed
                .parse()
                .map_err(|_| ConfigError::new(key, value, "expected a DOUBLE value"))?;
            if let Validator::BetweenFloat(min, max) = def.validator {
                if !(min..=max).contains(&n) {
                    return Err(ConfigError::new(
                        key,
                        value,
                        format!("value must be between {min} and {max}"),
                    ));
                }
            }
        }
        ConfigKind::String => {
            if let Validator::OneOf(allowed) = def.validator {
                if !allowed.contains(&trimmed) {
                    return Err(ConfigError::new(
                        key,
                        value,
                        format!("value must be one of {}", allowed.join(", ")),
                    ));
                }
            }
        }
        ConfigKind::List => {
            if let Validator::ListOf(allowed) = def.validator {
                let items: Vec<&str> = split_list(trimmed);
                if items.is_empty() {
                    return Err(ConfigError::new(key, value, "list must not be empty"));
                }
                if let Some(bad) = items.iter().find(|item| !allowed.contains(item)) {
                    return Err(ConfigError::new(
                        key,
                        value,
                        format!("{bad} is not one of {}", allowed.join(", ")),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn split_list(value: &str) -> Vec<&str> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .collect()
}

/// Resolves broker properties (`server.properties` names) to topic-level default values, applying
/// synonym precedence and unit conversion (`log.retention.hours=1` → `retention.ms=3600000`).
/// Only configs whose synonyms are present appear in the result. Values are validated.
pub fn topic_defaults_from_server_props(
    server: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, ConfigError> {
    let mut resolved = BTreeMap::new();
    for def in TOPIC_CONFIGS {
        let Some((synonym, raw)) = def
            .server_synonyms
            .iter()
            .find_map(|s| server.get(*s).map(|v| (*s, v)))
        else {
            continue;
        };
        let scale = synonym_scale(synonym);
        let value = if scale == 1 {
            raw.trim().to_string()
        } else {
            let n: i64 = raw
                .trim()
                .parse()
                .map_err(|_| ConfigError::new(synonym, raw, "expected an integer"))?;
            // Kafka keeps -1 ("unlimited") as -1 regardless of the unit.
            if n < 0 {
                n.to_string()
            } else {
                n.saturating_mul(scale).to_string()
            }
        };
        validate_value(def, &value).map_err(|err| ConfigError {
            key: synonym.to_string(),
            value: raw.clone(),
            reason: err.reason,
        })?;
        resolved.insert(def.name.to_string(), value);
    }
    Ok(resolved)
}

/// Which retention policies apply (`cleanup.policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CleanupPolicy {
    /// Old segments are deleted by retention.ms / retention.bytes.
    pub delete: bool,
    /// The log is compacted by key.
    pub compact: bool,
}

/// The effective configuration of one log. Build it with [`LogConfig::from_props`]; `Default` is
/// Kafka's static defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct LogConfig {
    /// `segment.bytes`: roll when the active segment would exceed this.
    pub segment_bytes: u64,
    /// `segment.ms`: roll when the active segment's first batch is this old.
    pub segment_ms: i64,
    /// `segment.jitter.ms`: upper bound of the random amount subtracted from segment.ms.
    pub segment_jitter_ms: i64,
    /// `segment.index.bytes`: preallocated index file size.
    pub segment_index_bytes: u64,
    /// `index.interval.bytes`: log bytes between sparse index entries.
    pub index_interval_bytes: u64,
    /// `retention.ms`; -1 = unlimited.
    pub retention_ms: i64,
    /// `retention.bytes`; -1 = unlimited.
    pub retention_bytes: i64,
    /// `flush.messages`: fsync after this many records.
    pub flush_messages: i64,
    /// `flush.ms`: fsync when the last flush is this old.
    pub flush_ms: i64,
    /// `max.message.bytes`: largest batch accepted.
    pub max_message_bytes: usize,
    /// `message.timestamp.type`.
    pub message_timestamp_type: TimestampType,
    /// `message.timestamp.before.max.ms`.
    pub message_timestamp_before_max_ms: i64,
    /// `message.timestamp.after.max.ms`.
    pub message_timestamp_after_max_ms: i64,
    /// `cleanup.policy`.
    pub cleanup_policy: CleanupPolicy,
    /// `file.delete.delay.ms`: delay between renaming to `.deleted` and unlinking.
    pub file_delete_delay_ms: i64,
    /// `delete.retention.ms`.
    pub delete_retention_ms: i64,
    /// `min.compaction.lag.ms`.
    pub min_compaction_lag_ms: i64,
    /// `max.compaction.lag.ms`.
    pub max_compaction_lag_ms: i64,
    /// `min.cleanable.dirty.ratio`.
    pub min_cleanable_dirty_ratio: f64,
    /// `min.insync.replicas`.
    pub min_insync_replicas: i32,
    /// `compression.type`.
    pub compression_type: String,
    /// `compression.gzip.level`.
    pub compression_gzip_level: i32,
    /// `compression.lz4.level`.
    pub compression_lz4_level: i32,
    /// `compression.zstd.level`.
    pub compression_zstd_level: i32,
    /// `preallocate`.
    pub preallocate: bool,
    /// `unclean.leader.election.enable`.
    pub unclean_leader_election_enable: bool,
    /// `remote.storage.enable`.
    pub remote_storage_enable: bool,
    /// `local.retention.ms`; -2 = follow retention.ms.
    pub local_retention_ms: i64,
    /// `local.retention.bytes`; -2 = follow retention.bytes.
    pub local_retention_bytes: i64,
    /// `remote.log.copy.disable`.
    pub remote_log_copy_disable: bool,
    /// `remote.log.delete.on.disable`.
    pub remote_log_delete_on_disable: bool,
}

impl Default for LogConfig {
    fn default() -> Self {
        let empty = BTreeMap::new();
        Self::from_props(&empty, &empty).expect("the static defaults are valid")
    }
}

impl LogConfig {
    /// Topic overrides on top of broker defaults (both keyed by topic config names; resolve broker
    /// properties first with [`topic_defaults_from_server_props`]). Every key must be a known topic
    /// config; errors name the key.
    pub fn from_props(
        overrides: &BTreeMap<String, String>,
        broker_defaults: &BTreeMap<String, String>,
    ) -> Result<Self, ConfigError> {
        for (key, value) in overrides.iter().chain(broker_defaults.iter()) {
            validate_topic_config(key, value)?;
        }
        let get = |name: &str| -> String {
            overrides
                .get(name)
                .or_else(|| broker_defaults.get(name))
                .map(|v| v.trim().to_string())
                .or_else(|| config_def(name).and_then(|d| d.default).map(str::to_string))
                .unwrap_or_default()
        };
        // Values are validated above (or are static defaults), so parsing cannot fail; a failure
        // would be a bug in TOPIC_CONFIGS and is reported as a config error rather than a panic.
        let long = |name: &str| -> Result<i64, ConfigError> {
            let v = get(name);
            v.parse::<i64>()
                .map_err(|_| ConfigError::new(name, &v, "expected an integer"))
        };
        let boolean = |name: &str| get(name).eq_ignore_ascii_case("true");
        let policy = get("cleanup.policy");
        let items = split_list(&policy);
        let config = LogConfig {
            segment_bytes: long("segment.bytes")? as u64,
            segment_ms: long("segment.ms")?,
            segment_jitter_ms: long("segment.jitter.ms")?,
            segment_index_bytes: long("segment.index.bytes")? as u64,
            index_interval_bytes: long("index.interval.bytes")? as u64,
            retention_ms: long("retention.ms")?,
            retention_bytes: long("retention.bytes")?,
            flush_messages: long("flush.messages")?,
            flush_ms: long("flush.ms")?,
            max_message_bytes: long("max.message.bytes")? as usize,
            message_timestamp_type: if get("message.timestamp.type") == "LogAppendTime" {
                TimestampType::LogAppendTime
            } else {
                TimestampType::CreateTime
            },
            message_timestamp_before_max_ms: long("message.timestamp.before.max.ms")?,
            message_timestamp_after_max_ms: long("message.timestamp.after.max.ms")?,
            cleanup_policy: CleanupPolicy {
                delete: items.contains(&"delete"),
                compact: items.contains(&"compact"),
            },
            file_delete_delay_ms: long("file.delete.delay.ms")?,
            delete_retention_ms: long("delete.retention.ms")?,
            min_compaction_lag_ms: long("min.compaction.lag.ms")?,
            max_compaction_lag_ms: long("max.compaction.lag.ms")?,
            min_cleanable_dirty_ratio: get("min.cleanable.dirty.ratio").parse().unwrap_or(0.5),
            min_insync_replicas: long("min.insync.replicas")? as i32,
            compression_type: get("compression.type"),
            compression_gzip_level: long("compression.gzip.level")? as i32,
            compression_lz4_level: long("compression.lz4.level")? as i32,
            compression_zstd_level: long("compression.zstd.level")? as i32,
            preallocate: boolean("preallocate"),
            unclean_leader_election_enable: boolean("unclean.leader.election.enable"),
            remote_storage_enable: boolean("remote.storage.enable"),
            local_retention_ms: long("local.retention.ms")?,
            local_retention_bytes: long("local.retention.bytes")?,
            remote_log_copy_disable: boolean("remote.log.copy.disable"),
            remote_log_delete_on_disable: boolean("remote.log.delete.on.disable"),
        };
        config.validate_cross_field()?;
        Ok(config)
    }

    /// Kafka's rules between configs (`LogConfig.validate`, KIP-405 §2a).
    fn validate_cross_field(&self) -> Result<(), ConfigError> {
        if self.remote_storage_enable && self.cleanup_policy.compact {
            return Err(ConfigError::new(
                "remote.storage.enable",
                "true",
                "remote log storage is not supported for topics with cleanup.policy containing compact",
            ));
        }
        if self.retention_ms != -1 && self.local_retention_ms != -2 {
            if self.local_retention_ms == -1 {
                return Err(ConfigError::new(
                    "local.retention.ms",
                    "-1",
                    "value must not be -1 when retention.ms is not -1",
                ));
            }
            if self.local_retention_ms > self.retention_ms {
                return Err(ConfigError::new(
                    "local.retention.ms",
                    &self.local_retention_ms.to_string(),
                    format!(
                        "value must not be more than retention.ms property value: {}",
                        self.retention_ms
                    ),
                ));
            }
        }
        if self.retention_bytes != -1 && self.local_retention_bytes != -2 {
            if self.local_retention_bytes == -1 {
                return Err(ConfigError::new(
                    "local.retention.bytes",
                    "-1",
                    "value must not be -1 when retention.bytes is not -1",
                ));
            }
            if self.local_retention_bytes > self.retention_bytes {
                return Err(ConfigError::new(
                    "local.retention.bytes",
                    &self.local_retention_bytes.to_string(),
                    format!(
                        "value must not be more than retention.bytes property value: {}",
                        self.retention_bytes
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Broker-dependent rules: tiering may only be enabled when the broker has
    /// `remote.log.storage.system.enable=true`; turning it off requires
    /// `remote.log.delete.on.disable=true` (KIP-950). `previous` is the topic's config before the change.
    pub fn validate_remote_storage(
        &self,
        remote_log_storage_system_enable: bool,
        previous: Option<&LogConfig>,
    ) -> Result<(), ConfigError> {
        if self.remote_storage_enable && !remote_log_storage_system_enable {
            return Err(ConfigError::new(
                "remote.storage.enable",
                "true",
                "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.",
            ));
        }
        if let Some(previous) = previous {
            if previous.remote_storage_enable
                && !self.remote_storage_enable
                && !self.remote_log_delete_on_disable
            {
                return Err(ConfigError::new(
                    "remote.storage.enable",
                    "false",
                    "it is invalid to disable remote storage without deleting remote data; set remote.log.delete.on.disable=true",
                ));
            }
        }
        Ok(())
    }

    /// Tiering is on and copying is not disabled (Kafka's `remoteLogEnabledAndRemoteCopyEnabled`):
    /// local retention then follows `local.retention.*` and deletes only uploaded segments.
    pub fn remote_copy_enabled(&self) -> bool {
        self.remote_storage_enable && !self.remote_log_copy_disable
    }

    /// Local retention in ms: `local.retention.ms` when tiering (with copying) is on and it is
    /// set, else retention.ms (Kafka falls back to it when `remote.log.copy.disable=true`).
    pub fn local_retention_ms_effective(&self) -> i64 {
        if self.remote_copy_enabled() && self.local_retention_ms != -2 {
            self.local_retention_ms
        } else {
            self.retention_ms
        }
    }

    /// Local retention in bytes: `local.retention.bytes` when tiering is on and it is set, else retention.bytes.
    pub fn local_retention_bytes_effective(&self) -> i64 {
        if self.remote_copy_enabled() && self.local_retention_bytes != -2 {
            self.local_retention_bytes
        } else {
            self.retention_bytes
        }
    }
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
    fn defaults_match_kafka() {
        let config = LogConfig::default();
        assert_eq!(config.segment_bytes, 1 << 30);
        assert_eq!(config.retention_ms, 604_800_000);
        assert_eq!(config.retention_bytes, -1);
        assert_eq!(config.max_message_bytes, 1_048_588);
        assert_eq!(config.index_interval_bytes, 4096);
        assert_eq!(config.segment_index_bytes, 10 * 1024 * 1024);
        assert_eq!(config.flush_messages, i64::MAX);
        assert!(config.cleanup_policy.delete && !config.cleanup_policy.compact);
    }

    #[test]
    fn topic_override_beats_broker_default() {
        let config = LogConfig::from_props(
            &props(&[("retention.ms", "1000")]),
            &props(&[("retention.ms", "2000"), ("segment.bytes", "4096")]),
        )
        .expect("valid");
        assert_eq!(config.retention_ms, 1000);
        assert_eq!(config.segment_bytes, 4096);
    }

    #[test]
    fn unknown_key_is_rejected_with_its_name() {
        let err = validate_topic_config("retention.mss", "1").expect_err("unknown");
        assert_eq!(err.key, "retention.mss");
    }

    #[test]
    fn out_of_range_and_bad_type_are_rejected() {
        assert!(validate_topic_config("segment.ms", "0").is_err());
        assert!(validate_topic_config("segment.bytes", "abc").is_err());
        assert!(validate_topic_config("segment.bytes", "99999999999").is_err());
        assert!(validate_topic_config("cleanup.policy", "delete,compact").is_ok());
        assert!(validate_topic_config("cleanup.policy", "delete,shred").is_err());
        assert!(validate_topic_config("message.timestamp.type", "LogAppendTime").is_ok());
        assert!(validate_topic_config("message.timestamp.type", "logappendtime").is_err());
        assert!(validate_topic_config("min.cleanable.dirty.ratio", "1.5").is_err());
        assert!(validate_topic_config("compression.gzip.level", "0").is_err());
        assert!(validate_topic_config("preallocate", "yes").is_err());
    }

    #[test]
    fn broker_synonyms_resolve_with_precedence_and_units() {
        let resolved = topic_defaults_from_server_props(&props(&[
            ("log.retention.hours", "2"),
            ("log.retention.minutes", "3"),
            ("log.roll.hours", "1"),
            ("log.segment.bytes", "2048"),
            ("message.max.bytes", "5000"),
            ("log.segment.delete.delay.ms", "0"),
        ]))
        .expect("valid");
        assert_eq!(resolved["retention.ms"], "180000");
        assert_eq!(resolved["segment.ms"], "3600000");
        assert_eq!(resolved["segment.bytes"], "2048");
        assert_eq!(resolved["max.message.bytes"], "5000");
        assert_eq!(resolved["file.delete.delay.ms"], "0");
        let with_ms = topic_defaults_from_server_props(&props(&[
            ("log.retention.ms", "5"),
            ("log.retention.hours", "2"),
        ]))
        .expect("valid");
        assert_eq!(with_ms["retention.ms"], "5");
    }

    #[test]
    fn tiering_rules_follow_kip_405() {
        assert!(LogConfig::from_props(
            &props(&[
                ("remote.storage.enable", "true"),
                ("cleanup.policy", "compact")
            ]),
            &BTreeMap::new()
        )
        .is_err());
        assert!(LogConfig::from_props(
            &props(&[("retention.ms", "1000"), ("local.retention.ms", "2000")]),
            &BTreeMap::new()
        )
        .is_err());
        assert!(LogConfig::from_props(
            &props(&[("retention.ms", "1000"), ("local.retention.ms", "-1")]),
            &BTreeMap::new()
        )
        .is_err());
        assert!(LogConfig::from_props(
            &props(&[("retention.ms", "-1"), ("local.retention.ms", "-1")]),
            &BTreeMap::new()
        )
        .is_ok());
        assert!(LogConfig::from_props(
            &props(&[("retention.bytes", "100"), ("local.retention.bytes", "50")]),
            &BTreeMap::new()
        )
        .is_ok());
        let tiered = LogConfig::from_props(
            &props(&[("remote.storage.enable", "true")]),
            &BTreeMap::new(),
        )
        .expect("valid");
        assert!(tiered.validate_remote_storage(false, None).is_err());
        assert!(tiered.validate_remote_storage(true, None).is_ok());
        let off = LogConfig::default();
        assert!(off.validate_remote_storage(true, Some(&tiered)).is_err());
    }

    #[test]
    fn every_default_validates() {
        for def in TOPIC_CONFIGS {
            if let Some(default) = def.default {
                validate_topic_config(def.name, default)
                    .unwrap_or_else(|e| panic!("{}: {e}", def.name));
            }
        }
    }
}
