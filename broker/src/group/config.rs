//! Group coordinator settings (Kafka's `GroupCoordinatorConfig`), read once from `KafkaConfig`.
//!
//! Keys, defaults and per-key bounds live in `config/defs.rs` (checked when the properties load);
//! the cross-key rules of Kafka's `GroupCoordinatorConfig` constructor are checked here, and
//! `KafkaConfig::from_properties` calls [`GroupCoordinatorConfig::from_kafka_config`] so that a bad
//! combination fails the start, as it does in Kafka.

use crate::config::{ConfigError, KafkaConfig};

/// `group.consumer.migration.policy`: whether a classic group may convert online to a consumer
/// group and back. Empty groups always convert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MigrationPolicy {
    /// Both directions (Kafka's default).
    Bidirectional,
    /// Classic → consumer only.
    Upgrade,
    /// Consumer → classic only.
    Downgrade,
    /// No online conversion of non-empty groups.
    Disabled,
}

impl MigrationPolicy {
    /// Whether a non-empty classic group may become a consumer group.
    pub(crate) fn upgrade_enabled(self) -> bool {
        matches!(self, Self::Bidirectional | Self::Upgrade)
    }

    /// Whether a non-empty consumer group may become a classic group.
    pub(crate) fn downgrade_enabled(self) -> bool {
        matches!(self, Self::Bidirectional | Self::Downgrade)
    }
}

/// Settings of the group coordinator. `Default` is Kafka 4's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupCoordinatorConfig {
    /// `offsets.topic.num.partitions`: shards, one per `__consumer_offsets` partition.
    pub(crate) offsets_topic_num_partitions: i32,
    /// `offsets.retention.minutes` in ms: how long offsets of an empty group are kept.
    pub(crate) offsets_retention_ms: i64,
    /// `offsets.retention.check.interval.ms`.
    pub(crate) offsets_retention_check_interval_ms: i64,
    /// `offset.metadata.max.bytes`: longest commit metadata string (OFFSET_METADATA_TOO_LARGE above).
    pub(crate) offset_metadata_max_bytes: usize,
    /// `group.min.session.timeout.ms` (classic; INVALID_SESSION_TIMEOUT below).
    pub(crate) classic_min_session_timeout_ms: i32,
    /// `group.max.session.timeout.ms` (classic; INVALID_SESSION_TIMEOUT above).
    pub(crate) classic_max_session_timeout_ms: i32,
    /// `group.initial.rebalance.delay.ms` (classic: wait for more members of a new group).
    pub(crate) classic_initial_rebalance_delay_ms: i32,
    /// `group.max.size` (classic; GROUP_MAX_SIZE_REACHED above).
    pub(crate) classic_max_size: usize,
    /// `group.consumer.session.timeout.ms`.
    pub(crate) consumer_session_timeout_ms: i32,
    /// `group.consumer.heartbeat.interval.ms`.
    pub(crate) consumer_heartbeat_interval_ms: i32,
    /// `group.consumer.max.size` (GROUP_MAX_SIZE_REACHED above).
    pub(crate) consumer_max_size: usize,
    /// `group.consumer.assignors` by name (`uniform`, `range`); the first is the default.
    pub(crate) consumer_assignors: Vec<String>,
    /// `group.consumer.migration.policy`.
    pub(crate) migration_policy: MigrationPolicy,
    /// `group.coordinator.rebalance.protocols` includes `consumer`.
    pub(crate) consumer_protocol_enabled: bool,
    /// `group.consumer.min.session.timeout.ms`: lowest session timeout a member may ask for.
    pub(crate) consumer_min_session_timeout_ms: i32,
    /// `group.consumer.max.session.timeout.ms`.
    pub(crate) consumer_max_session_timeout_ms: i32,
    /// `group.consumer.min.heartbeat.interval.ms`.
    pub(crate) consumer_min_heartbeat_interval_ms: i32,
    /// `group.consumer.max.heartbeat.interval.ms`.
    pub(crate) consumer_max_heartbeat_interval_ms: i32,
    /// `offsets.topic.replication.factor` as configured (creation caps it at the live brokers).
    pub(crate) offsets_topic_replication_factor: i16,
    /// `offsets.topic.segment.bytes`: `segment.bytes` of `__consumer_offsets`.
    pub(crate) offsets_topic_segment_bytes: i32,
    /// `offsets.topic.compression.codec` (Kafka's codec id: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd).
    pub(crate) offsets_topic_compression_codec: i32,
    /// `offsets.commit.timeout.ms`: how long a write waits for the high watermark to pass it.
    pub(crate) offsets_commit_timeout_ms: i32,
    /// `offsets.load.buffer.size`: bytes read per step while loading a partition.
    pub(crate) offsets_load_buffer_bytes: usize,
}

impl Default for GroupCoordinatorConfig {
    fn default() -> Self {
        Self {
            offsets_topic_num_partitions: 50,
            offsets_retention_ms: 7 * 24 * 60 * 60 * 1000,
            offsets_retention_check_interval_ms: 600_000,
            offset_metadata_max_bytes: 4096,
            classic_min_session_timeout_ms: 6_000,
            classic_max_session_timeout_ms: 1_800_000,
            classic_initial_rebalance_delay_ms: 3_000,
            classic_max_size: i32::MAX as usize,
            consumer_session_timeout_ms: 45_000,
            consumer_heartbeat_interval_ms: 5_000,
            consumer_max_size: i32::MAX as usize,
            consumer_assignors: vec!["uniform".to_owned(), "range".to_owned()],
            migration_policy: MigrationPolicy::Bidirectional,
            consumer_protocol_enabled: true,
            consumer_min_session_timeout_ms: 45_000,
            consumer_max_session_timeout_ms: 60_000,
            consumer_min_heartbeat_interval_ms: 5_000,
            consumer_max_heartbeat_interval_ms: 15_000,
            offsets_topic_replication_factor: 3,
            offsets_topic_segment_bytes: 104_857_600,
            offsets_topic_compression_codec: 0,
            offsets_commit_timeout_ms: 5_000,
            offsets_load_buffer_bytes: 5 * 1024 * 1024,
        }
    }
}

/// Rebalance protocols Kafka knows in `group.coordinator.rebalance.protocols`.
const REBALANCE_PROTOCOLS: &[&str] = &["classic", "consumer", "share", "streams"];

/// Server-side assignors this build has, by Kafka's short name and class name.
const ASSIGNORS: &[(&str, &str)] = &[
    (
        "uniform",
        "org.apache.kafka.coordinator.group.assignor.UniformAssignor",
    ),
    (
        "range",
        "org.apache.kafka.coordinator.group.assignor.RangeAssignor",
    ),
];

impl MigrationPolicy {
    /// Parses Kafka's `ConsumerGroupMigrationPolicy` names (case-insensitive).
    fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "bidirectional" => Some(Self::Bidirectional),
            "upgrade" => Some(Self::Upgrade),
            "downgrade" => Some(Self::Downgrade),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

impl GroupCoordinatorConfig {
    /// Reads the group coordinator keys of `config` and checks Kafka's cross-key rules
    /// (`GroupCoordinatorConfig`'s constructor): heartbeat interval and session timeout within
    /// their min/max, heartbeat interval below the session timeout, `classic` enabled, known
    /// assignors. Per-key bounds were already checked when the properties loaded.
    pub(crate) fn from_kafka_config(config: &KafkaConfig) -> Result<Self, ConfigError> {
        let read = Reader { config };
        let protocols_text = read.text("group.coordinator.rebalance.protocols");
        let protocols: Vec<String> = split_list(&protocols_text)
            .map(str::to_ascii_lowercase)
            .collect();
        if let Some(unknown) = protocols
            .iter()
            .find(|p| !REBALANCE_PROTOCOLS.contains(&p.as_str()))
        {
            return Err(read.invalid(
                "group.coordinator.rebalance.protocols",
                format!(
                    "unknown rebalance protocol {unknown}; known: {}",
                    REBALANCE_PROTOCOLS.join(", ")
                ),
            ));
        }
        if !protocols.iter().any(|p| p == "classic") {
            return Err(read.invalid(
                "group.coordinator.rebalance.protocols",
                "the classic rebalance protocol must be enabled".into(),
            ));
        }
        let assignors_text = read.text("group.consumer.assignors");
        let mut consumer_assignors = Vec::new();
        for name in split_list(&assignors_text) {
            let short = ASSIGNORS
                .iter()
                .find(|(short, class)| name.eq_ignore_ascii_case(short) || name == *class)
                .map(|(short, _)| (*short).to_owned())
                .ok_or_else(|| {
                    read.invalid(
                        "group.consumer.assignors",
                        format!("unknown assignor {name}"),
                    )
                })?;
            if !consumer_assignors.contains(&short) {
                consumer_assignors.push(short);
            }
        }
        if consumer_assignors.is_empty() {
            return Err(read.invalid(
                "group.consumer.assignors",
                "at least one assignor is required".into(),
            ));
        }
        let policy_text = read.text("group.consumer.migration.policy");
        let migration_policy = MigrationPolicy::parse(&policy_text).ok_or_else(|| {
            read.invalid(
                "group.consumer.migration.policy",
                "must be one of disabled, downgrade, upgrade, bidirectional".into(),
            )
        })?;
        let retention_minutes = read.long("offsets.retention.minutes")?;
        let out = Self {
            offsets_topic_num_partitions: read.int("offsets.topic.num.partitions")?,
            offsets_retention_ms: retention_minutes.saturating_mul(60_000),
            offsets_retention_check_interval_ms: read
                .long("offsets.retention.check.interval.ms")?,
            offset_metadata_max_bytes: read.int("offset.metadata.max.bytes")?.max(0) as usize,
            classic_min_session_timeout_ms: read.int("group.min.session.timeout.ms")?,
            classic_max_session_timeout_ms: read.int("group.max.session.timeout.ms")?,
            classic_initial_rebalance_delay_ms: read.int("group.initial.rebalance.delay.ms")?,
            classic_max_size: read.int("group.max.size")?.max(1) as usize,
            consumer_session_timeout_ms: read.int("group.consumer.session.timeout.ms")?,
            consumer_heartbeat_interval_ms: read.int("group.consumer.heartbeat.interval.ms")?,
            consumer_max_size: read.int("group.consumer.max.size")?.max(1) as usize,
            consumer_assignors,
            migration_policy,
            consumer_protocol_enabled: protocols.iter().any(|p| p == "consumer"),
            consumer_min_session_timeout_ms: read.int("group.consumer.min.session.timeout.ms")?,
            consumer_max_session_timeout_ms: read.int("group.consumer.max.session.timeout.ms")?,
            consumer_min_heartbeat_interval_ms: read
                .int("group.consumer.min.heartbeat.interval.ms")?,
            consumer_max_heartbeat_interval_ms: read
                .int("group.consumer.max.heartbeat.interval.ms")?,
            offsets_topic_replication_factor: i16::try_from(
                read.int("offsets.topic.replication.factor")?,
            )
            .map_err(|_| read.invalid("offsets.topic.replication.factor", "out of range".into()))?,
            offsets_topic_segment_bytes: read.int("offsets.topic.segment.bytes")?,
            offsets_topic_compression_codec: read.int("offsets.topic.compression.codec")?,
            offsets_commit_timeout_ms: read.int("offsets.commit.timeout.ms")?,
            offsets_load_buffer_bytes: read.int("offsets.load.buffer.size")?.max(1) as usize,
        };
        out.check_rules(&read)?;
        Ok(out)
    }

    /// Kafka's `require(...)` rules between keys.
    fn check_rules(&self, read: &Reader<'_>) -> Result<(), ConfigError> {
        let rules: [(bool, &str, String); 8] = [
            (
                self.consumer_max_heartbeat_interval_ms >= self.consumer_min_heartbeat_interval_ms,
                "group.consumer.max.heartbeat.interval.ms",
                "must be greater than or equal to group.consumer.min.heartbeat.interval.ms".into(),
            ),
            (
                self.consumer_heartbeat_interval_ms >= self.consumer_min_heartbeat_interval_ms,
                "group.consumer.heartbeat.interval.ms",
                "must be greater than or equal to group.consumer.min.heartbeat.interval.ms".into(),
            ),
            (
                self.consumer_heartbeat_interval_ms <= self.consumer_max_heartbeat_interval_ms,
                "group.consumer.heartbeat.interval.ms",
                "must be less than or equal to group.consumer.max.heartbeat.interval.ms".into(),
            ),
            (
                self.consumer_max_session_timeout_ms >= self.consumer_min_session_timeout_ms,
                "group.consumer.max.session.timeout.ms",
                "must be greater than or equal to group.consumer.min.session.timeout.ms".into(),
            ),
            (
                self.consumer_session_timeout_ms >= self.consumer_min_session_timeout_ms,
                "group.consumer.session.timeout.ms",
                "must be greater than or equal to group.consumer.min.session.timeout.ms".into(),
            ),
            (
                self.consumer_session_timeout_ms <= self.consumer_max_session_timeout_ms,
                "group.consumer.session.timeout.ms",
                "must be less than or equal to group.consumer.max.session.timeout.ms".into(),
            ),
            (
                self.consumer_heartbeat_interval_ms < self.consumer_session_timeout_ms,
                "group.consumer.heartbeat.interval.ms",
                "must be less than group.consumer.session.timeout.ms".into(),
            ),
            (
                self.classic_max_session_timeout_ms >= self.classic_min_session_timeout_ms,
                "group.max.session.timeout.ms",
                "must be greater than or equal to group.min.session.timeout.ms".into(),
            ),
        ];
        for (holds, key, reason) in rules {
            if !holds {
                return Err(read.invalid(key, reason));
            }
        }
        Ok(())
    }
}

/// Typed reads of validated keys (defaults come from `config/defs.rs`).
struct Reader<'a> {
    config: &'a KafkaConfig,
}

impl Reader<'_> {
    fn text(&self, key: &str) -> String {
        self.config.value(key).unwrap_or_default()
    }

    fn long(&self, key: &str) -> Result<i64, ConfigError> {
        let text = self.text(key);
        text.trim()
            .parse::<i64>()
            .map_err(|_| self.invalid(key, "expected an integer".into()))
    }

    fn int(&self, key: &str) -> Result<i32, ConfigError> {
        i32::try_from(self.long(key)?).map_err(|_| self.invalid(key, "out of range".into()))
    }

    fn invalid(&self, key: &str, reason: String) -> ConfigError {
        ConfigError::InvalidValue {
            key: key.to_owned(),
            value: self.text(key),
            reason,
        }
    }
}

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<GroupCoordinatorConfig, ConfigError> {
        let config = KafkaConfig::from_properties_text(text)?;
        GroupCoordinatorConfig::from_kafka_config(&config)
    }

    #[test]
    fn kafka_defaults_give_the_default_config() {
        assert_eq!(
            load("").expect("defaults load"),
            GroupCoordinatorConfig::default()
        );
    }

    #[test]
    fn keys_are_read_with_their_units() {
        let config = load(
            "offsets.retention.minutes=2\noffsets.topic.num.partitions=3\ngroup.consumer.assignors=range,uniform\n\
             group.consumer.migration.policy=UPGRADE\ngroup.coordinator.rebalance.protocols=classic\n",
        )
        .expect("loads");
        assert_eq!(config.offsets_retention_ms, 120_000);
        assert_eq!(config.offsets_topic_num_partitions, 3);
        assert_eq!(
            config.consumer_assignors,
            vec!["range".to_owned(), "uniform".to_owned()]
        );
        assert_eq!(config.migration_policy, MigrationPolicy::Upgrade);
        assert!(!config.consumer_protocol_enabled);
    }

    #[test]
    fn assignor_class_names_map_to_short_names() {
        let config = load(
            "group.consumer.assignors=org.apache.kafka.coordinator.group.assignor.RangeAssignor\n",
        )
        .expect("loads");
        assert_eq!(config.consumer_assignors, vec!["range".to_owned()]);
    }

    #[test]
    fn heartbeat_interval_must_be_below_session_timeout() {
        let error = load(
            "group.consumer.heartbeat.interval.ms=15000\ngroup.consumer.min.session.timeout.ms=10000\n\
             group.consumer.session.timeout.ms=12000\n",
        )
        .expect_err("interval above timeout");
        assert!(error.to_string().contains("group.consumer"), "{error}");
    }

    #[test]
    fn session_timeout_outside_min_max_is_rejected() {
        let error = load("group.consumer.session.timeout.ms=30000\n").expect_err("below min");
        assert!(
            error
                .to_string()
                .contains("group.consumer.session.timeout.ms"),
            "{error}"
        );
    }

    #[test]
    fn classic_protocol_cannot_be_disabled() {
        let error =
            load("group.coordinator.rebalance.protocols=consumer\n").expect_err("no classic");
        assert!(error.to_string().contains("classic"), "{error}");
    }

    #[test]
    fn unknown_assignor_and_policy_are_rejected() {
        assert!(load("group.consumer.assignors=sticky\n").is_err());
        assert!(load("group.consumer.migration.policy=sideways\n").is_err());
    }
}
