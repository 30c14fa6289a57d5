//! `KafkaConfig`: the node's server properties, with Kafka's names, typed and validated.
//!
//! Sources, lowest precedence first: the defaults of [`defs::BROKER_CONFIGS`], the
//! `server.properties` file, then each `--override key=value`. Unlike Kafka, an unknown key is an
//! error (a typo must not silently fall back to a default); keys Kafka defines that Strata does
//! not act on yet are accepted with a warning (entries with `honoured: false`).

mod defs;
pub(crate) mod describe;
mod listener;
mod properties;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use defs::{
    broker_config, broker_synonyms, topic_synonyms, ConfigDef, ConfigType, SynonymUnit, Validator,
    BROKER_CONFIGS,
};
pub use listener::{ListenerAddress, QuorumVoter, SecurityProtocol};
pub(crate) use properties::parse_properties;

/// Why a configuration could not be loaded. Every variant names what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The key is not a Kafka broker property Strata knows.
    #[error("unknown configuration `{key}`")]
    UnknownKey {
        /// The offending key.
        key: String,
    },
    /// The value does not parse as the key's type or breaks its constraint.
    #[error("invalid value `{value}` for configuration `{key}`: {reason}")]
    InvalidValue {
        /// The key.
        key: String,
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A properties file line could not be parsed.
    #[error("line {line} of the properties text: {reason}")]
    Syntax {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// An `--override` argument lacks `=`.
    #[error("override `{text}` is not of the form key=value")]
    MalformedOverride {
        /// The argument.
        text: String,
    },
    /// The config file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Which roles this process plays (`process.roles`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessRoles {
    /// Serves clients.
    pub broker: bool,
    /// Votes in the metadata quorum.
    pub controller: bool,
}

/// The validated server properties of one node.
///
/// Invariants: every key in `explicit` is known; every typed field agrees with the property of the
/// same name; `log_dirs` is non-empty; every listener's name maps to a security protocol.
#[derive(Debug, Clone)]
pub struct KafkaConfig {
    /// `node.id`.
    pub node_id: i32,
    /// `process.roles`.
    pub process_roles: ProcessRoles,
    /// `listeners`, controller listeners included.
    pub listeners: Vec<ListenerAddress>,
    /// `advertised.listeners`; empty = advertise the bound client listeners.
    pub advertised_listeners: Vec<ListenerAddress>,
    /// `controller.listener.names`, upper-case.
    pub controller_listener_names: Vec<String>,
    /// Effective `listener.security.protocol.map` (controller names default to PLAINTEXT, as Kafka does).
    pub security_protocols: BTreeMap<String, SecurityProtocol>,
    /// `controller.quorum.voters` (defaulted to this node on 127.0.0.1:9093).
    pub controller_quorum_voters: Vec<QuorumVoter>,
    /// `log.dirs`, else `log.dir`.
    pub log_dirs: Vec<PathBuf>,
    /// `metadata.log.dir`, else the first log dir. The metadata log lives in `<this>/__cluster_metadata-0`.
    pub metadata_log_dir: PathBuf,
    /// `metadata.log.max.record.bytes.between.snapshots`.
    pub metadata_snapshot_interval_bytes: u64,
    /// `num.partitions`.
    pub num_partitions: i32,
    /// `default.replication.factor`.
    pub default_replication_factor: i16,
    /// `auto.create.topics.enable`.
    pub auto_create_topics_enable: bool,
    /// `message.max.bytes`.
    pub message_max_bytes: i32,
    /// `socket.request.max.bytes`.
    pub socket_request_max_bytes: usize,
    /// `connections.max.idle.ms`.
    pub connections_max_idle_ms: u64,
    /// `max.connections`.
    pub max_connections: usize,
    /// `socket.listen.backlog.size`.
    pub listen_backlog: u32,
    /// `queued.max.requests` (per-connection read-ahead in Strata).
    pub queued_max_requests: usize,
    /// `log.retention.check.interval.ms`.
    pub log_retention_check_interval_ms: u64,
    /// `log.flush.offset.checkpoint.interval.ms`.
    pub log_flush_offset_checkpoint_interval_ms: u64,
    /// `log.flush.scheduler.interval.ms`.
    pub log_flush_scheduler_interval_ms: i64,
    /// `replica.high.watermark.checkpoint.interval.ms`.
    pub replica_high_watermark_checkpoint_interval_ms: u64,
    /// `offsets.topic.num.partitions`.
    pub offsets_topic_num_partitions: i32,
    /// `fetch.max.bytes`.
    pub fetch_max_bytes: i32,
    /// `max.incremental.fetch.session.cache.slots`.
    pub max_incremental_fetch_session_cache_slots: usize,
    /// `producer.id.expiration.ms`.
    pub producer_id_expiration_ms: i64,
    /// Properties set explicitly (file and overrides), after validation.
    explicit: BTreeMap<String, String>,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        Self::from_properties(BTreeMap::new()).expect("the built-in defaults are valid")
    }
}

impl KafkaConfig {
    /// Reads `file` (when given), then applies `overrides` (`key=value` each), then validates.
    pub fn load(file: Option<&Path>, overrides: &[String]) -> Result<Self, ConfigError> {
        let mut props = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
                parse_properties(&text)?
            }
            None => BTreeMap::new(),
        };
        for text in overrides {
            let (key, value) = text
                .split_once('=')
                .ok_or_else(|| ConfigError::MalformedOverride { text: text.clone() })?;
            props.insert(key.trim().to_string(), value.trim().to_string());
        }
        Self::from_properties(props)
    }

    /// Parses `server.properties` text (no overrides).
    pub fn from_properties_text(text: &str) -> Result<Self, ConfigError> {
        Self::from_properties(parse_properties(text)?)
    }

    /// Validates explicit properties and builds the typed config.
    pub fn from_properties(props: BTreeMap<String, String>) -> Result<Self, ConfigError> {
        for (key, value) in &props {
            let def =
                broker_config(key).ok_or_else(|| ConfigError::UnknownKey { key: key.clone() })?;
            check_value(def, value).map_err(|reason| invalid(key, value, reason))?;
            if !def.honoured {
                tracing::warn!(key = %key, "configuration is accepted for Kafka compatibility but not used by Strata");
            }
        }
        let raw = Resolver { explicit: &props };
        let node_id = raw.int("node.id")?;
        if let Some(broker_id) = props.get("broker.id") {
            if broker_id.trim() != "-1" && broker_id.trim() != node_id.to_string() {
                return Err(invalid(
                    "broker.id",
                    broker_id,
                    format!("must equal node.id ({node_id})"),
                ));
            }
        }
        let process_roles = parse_roles(&raw.string("process.roles"))?;
        let listeners = parse_listeners("listeners", &raw.string("listeners"))?;
        let advertised_listeners = match props.get("advertised.listeners") {
            Some(text) => parse_listeners("advertised.listeners", text)?,
            None => Vec::new(),
        };
        let controller_listener_names: Vec<String> =
            split_list(&raw.string("controller.listener.names"))
                .map(|name| name.to_ascii_uppercase())
                .collect();
        let map_text = raw.string("listener.security.protocol.map");
        let mut security_protocols = listener::parse_security_protocol_map(&map_text)
            .map_err(|reason| invalid("listener.security.protocol.map", &map_text, reason))?;
        if !props.contains_key("listener.security.protocol.map") {
            for name in &controller_listener_names {
                security_protocols
                    .entry(name.clone())
                    .or_insert(SecurityProtocol::Plaintext);
            }
        }
        for listener in listeners.iter().chain(&advertised_listeners) {
            let key = if listeners.contains(listener) {
                "listeners"
            } else {
                "advertised.listeners"
            };
            match security_protocols.get(&listener.name) {
                None => {
                    return Err(invalid(key, &listener.to_string(), format!(
                        "listener name {} is not in listener.security.protocol.map", listener.name
                    )))
                }
                Some(SecurityProtocol::Plaintext) => {}
                Some(other) => {
                    return Err(invalid(key, &listener.to_string(), format!(
                        "security protocol {other:?} is not supported yet; only PLAINTEXT listeners are"
                    )))
                }
            }
        }
        let voters_text = raw.string("controller.quorum.voters");
        let controller_quorum_voters = if voters_text.trim().is_empty() {
            vec![QuorumVoter {
                id: node_id,
                address: "127.0.0.1:9093".to_string(),
            }]
        } else {
            split_list(&voters_text)
                .map(|v| {
                    QuorumVoter::parse(v)
                        .map_err(|reason| invalid("controller.quorum.voters", &voters_text, reason))
                })
                .collect::<Result<_, _>>()?
        };
        let log_dirs: Vec<PathBuf> = match props.get("log.dirs") {
            Some(text) => split_list(text).map(PathBuf::from).collect(),
            None => vec![PathBuf::from(raw.string("log.dir"))],
        };
        if log_dirs.is_empty() {
            return Err(invalid(
                "log.dirs",
                props.get("log.dirs").map_or("", String::as_str),
                "no directory given".into(),
            ));
        }
        let metadata_log_dir = props
            .get("metadata.log.dir")
            .map(PathBuf::from)
            .unwrap_or_else(|| log_dirs[0].clone());
        let config = KafkaConfig {
            node_id,
            process_roles,
            listeners,
            advertised_listeners,
            controller_listener_names,
            security_protocols,
            controller_quorum_voters,
            log_dirs,
            metadata_log_dir,
            metadata_snapshot_interval_bytes: raw
                .long("metadata.log.max.record.bytes.between.snapshots")?
                as u64,
            num_partitions: raw.int("num.partitions")?,
            default_replication_factor: raw.int_in::<i16>("default.replication.factor")?,
            auto_create_topics_enable: raw.boolean("auto.create.topics.enable")?,
            message_max_bytes: raw.int("message.max.bytes")?,
            socket_request_max_bytes: raw.int("socket.request.max.bytes")? as usize,
            connections_max_idle_ms: raw.long("connections.max.idle.ms")? as u64,
            max_connections: raw.int("max.connections")? as usize,
            queued_max_requests: raw.int("queued.max.requests")? as usize,
            listen_backlog: raw.int("socket.listen.backlog.size")? as u32,
            log_retention_check_interval_ms: raw.long("log.retention.check.interval.ms")? as u64,
            log_flush_offset_checkpoint_interval_ms: raw
                .int("log.flush.offset.checkpoint.interval.ms")?
                as u64,
            log_flush_scheduler_interval_ms: raw.long("log.flush.scheduler.interval.ms")?,
            replica_high_watermark_checkpoint_interval_ms: raw
                .long("replica.high.watermark.checkpoint.interval.ms")?
                .max(1) as u64,
            offsets_topic_num_partitions: raw.int("offsets.topic.num.partitions")?,
            fetch_max_bytes: raw.int("fetch.max.bytes")?,
            max_incremental_fetch_session_cache_slots: raw
                .int("max.incremental.fetch.session.cache.slots")?
                as usize,
            producer_id_expiration_ms: raw.int("producer.id.expiration.ms")? as i64,
            explicit: props,
        };
        config.check_consistency()?;
        config.remote_log_config()?;
        Ok(config)
    }

    /// The remote tier's settings (`remote.log.*`, `remote.fetch.max.wait.ms`): explicit values
    /// over Strata's defaults; an empty `remote.log.storage.url` becomes
    /// `file://<first log.dir>/remote-storage`, so tiering works with no extra config.
    pub fn remote_log_config(
        &self,
    ) -> Result<strata_storage::remote::RemoteLogConfig, ConfigError> {
        use strata_storage::remote::{RemoteError, RemoteLogConfig};
        let props: BTreeMap<String, String> = RemoteLogConfig::KEYS
            .iter()
            .filter_map(|key| self.value(key).map(|value| (key.to_string(), value)))
            .collect();
        let mut config = RemoteLogConfig::from_properties(&props).map_err(|error| match error {
            RemoteError::InvalidConfig { key, value, reason } => invalid(&key, &value, reason),
            other => invalid("remote.log.storage.url", "", other.to_string()),
        })?;
        if config.storage_url.is_empty() {
            let dir = self.log_dirs[0].join("remote-storage");
            let dir = std::path::absolute(&dir).unwrap_or(dir);
            config.storage_url = format!("file://{}", dir.display());
        }
        Ok(config)
    }

    fn check_consistency(&self) -> Result<(), ConfigError> {
        if self.process_roles.broker && self.client_listeners().next().is_none() {
            return Err(invalid(
                "listeners",
                &self.value("listeners").unwrap_or_default(),
                "a broker needs at least one non-controller listener".into(),
            ));
        }
        for advertised in &self.advertised_listeners {
            if self.controller_listener_names.contains(&advertised.name) {
                return Err(invalid(
                    "advertised.listeners",
                    &advertised.to_string(),
                    "controller listeners must not be advertised".into(),
                ));
            }
            if !self.listeners.iter().any(|l| l.name == advertised.name) {
                return Err(invalid(
                    "advertised.listeners",
                    &advertised.to_string(),
                    format!("no listener named {} in listeners", advertised.name),
                ));
            }
            if advertised.host.is_empty() || advertised.host == "0.0.0.0" {
                return Err(invalid(
                    "advertised.listeners",
                    &advertised.to_string(),
                    "cannot advertise the meta-address 0.0.0.0".into(),
                ));
            }
        }
        if self.process_roles.controller
            && !self
                .controller_quorum_voters
                .iter()
                .any(|v| v.id == self.node_id)
        {
            return Err(invalid(
                "controller.quorum.voters",
                &self.value("controller.quorum.voters").unwrap_or_default(),
                format!(
                    "node {} has the controller role but is not a voter",
                    self.node_id
                ),
            ));
        }
        // Kafka's cross-key rules of the group coordinator settings.
        crate::group::config::GroupCoordinatorConfig::from_kafka_config(self)?;
        Ok(())
    }

    /// Listeners that serve clients (all but the controller listeners), in configuration order.
    pub fn client_listeners(&self) -> impl Iterator<Item = &ListenerAddress> {
        self.listeners
            .iter()
            .filter(|l| !self.controller_listener_names.contains(&l.name))
    }

    /// The properties set explicitly (static broker configs), by name.
    pub fn explicit_properties(&self) -> &BTreeMap<String, String> {
        &self.explicit
    }

    /// The value of `name` as this node sees it: explicit, else its default; `None` = null or unknown key.
    pub fn value(&self, name: &str) -> Option<String> {
        if let Some(value) = self.explicit.get(name) {
            return Some(value.clone());
        }
        match name {
            "node.id" => Some(self.node_id.to_string()),
            "controller.quorum.voters" => Some(
                self.controller_quorum_voters
                    .iter()
                    .map(|v| format!("{}@{}", v.id, v.address))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            _ => broker_config(name)
                .and_then(|def| def.default)
                .map(str::to_string),
        }
    }

    /// Topic-config defaults supplied by broker properties (Kafka's `extractLogConfigMap`): for
    /// every topic config with broker synonyms, the first synonym (in Kafka's precedence order)
    /// that has a value — from `dynamic` (dynamic broker configs, already merged per-broker over
    /// cluster-wide), else set explicitly, else its own default — converted to the topic's unit.
    pub fn topic_defaults(&self, dynamic: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for def in BROKER_CONFIGS {
            let Some((topic, unit)) = def.topic_synonym else {
                continue;
            };
            if out.contains_key(topic) {
                continue;
            }
            let value = dynamic
                .get(def.name)
                .or_else(|| self.explicit.get(def.name))
                .map(|v| v.trim().to_string())
                .or_else(|| def.default.map(str::to_string));
            if let Some(value) = value {
                out.insert(topic.to_string(), convert_unit(&value, unit));
            }
        }
        out
    }
}

fn convert_unit(value: &str, unit: SynonymUnit) -> String {
    let factor: i64 = match unit {
        SynonymUnit::Same => return value.to_string(),
        SynonymUnit::MinutesToMs => 60_000,
        SynonymUnit::HoursToMs => 3_600_000,
    };
    match value.trim().parse::<i64>() {
        Ok(v) if v < 0 => "-1".to_string(),
        Ok(v) => v.saturating_mul(factor).to_string(),
        Err(_) => value.to_string(),
    }
}

fn invalid(key: &str, value: &str, reason: String) -> ConfigError {
    ConfigError::InvalidValue {
        key: key.to_string(),
        value: value.to_string(),
        reason,
    }
}

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}

fn parse_roles(text: &str) -> Result<ProcessRoles, ConfigError> {
    let mut roles = ProcessRoles {
        broker: false,
        controller: false,
    };
    for role in split_list(text) {
        match role {
            "broker" => roles.broker = true,
            "controller" => roles.controller = true,
            other => {
                return Err(invalid(
                    "process.roles",
                    text,
                    format!("unknown role `{other}`"),
                ))
            }
        }
    }
    if !roles.controller {
        return Err(invalid(
            "process.roles",
            text,
            "Strata runs the controller in every process (combined mode); include `controller`"
                .into(),
        ));
    }
    if !roles.broker {
        return Err(invalid(
            "process.roles",
            text,
            "a controller-only process is not supported yet; include `broker`".into(),
        ));
    }
    Ok(roles)
}

fn parse_listeners(key: &str, text: &str) -> Result<Vec<ListenerAddress>, ConfigError> {
    let mut out: Vec<ListenerAddress> = Vec::new();
    for entry in split_list(text) {
        let listener =
            ListenerAddress::parse(entry).map_err(|reason| invalid(key, text, reason))?;
        if out.iter().any(|l| l.name == listener.name) {
            return Err(invalid(
                key,
                text,
                format!("listener name {} appears twice", listener.name),
            ));
        }
        out.push(listener);
    }
    Ok(out)
}

/// Checks a dynamic broker config change (AlterConfigs / IncrementalAlterConfigs on a BROKER
/// resource): the key must be a broker property Kafka can change at runtime, and a value (`None`
/// for a deletion) must be valid for it.
pub fn validate_dynamic_broker_config(key: &str, value: Option<&str>) -> Result<(), ConfigError> {
    let def = broker_config(key).ok_or_else(|| ConfigError::UnknownKey {
        key: key.to_string(),
    })?;
    if !def.dynamic {
        return Err(invalid(
            key,
            value.unwrap_or(""),
            "Cannot update this config dynamically".into(),
        ));
    }
    match value {
        Some(value) => check_value(def, value).map_err(|reason| invalid(key, value, reason)),
        None => Ok(()),
    }
}

/// Checks a value against its definition's type and validator; the error is the reason.
pub(crate) fn check_value(def: &ConfigDef, value: &str) -> Result<(), String> {
    let value = value.trim();
    let number: Option<f64> = match def.kind {
        ConfigType::Boolean => {
            if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") {
                return Err("expected true or false".into());
            }
            None
        }
        ConfigType::Int => Some(
            value
                .parse::<i32>()
                .map_err(|_| "expected a 32-bit integer".to_string())? as f64,
        ),
        ConfigType::Short => Some(
            value
                .parse::<i16>()
                .map_err(|_| "expected a 16-bit integer".to_string())? as f64,
        ),
        ConfigType::Long => Some(
            value
                .parse::<i64>()
                .map_err(|_| "expected a 64-bit integer".to_string())? as f64,
        ),
        ConfigType::Double => Some(
            value
                .parse::<f64>()
                .map_err(|_| "expected a number".to_string())?,
        ),
        ConfigType::String | ConfigType::List | ConfigType::Class | ConfigType::Password => None,
    };
    match (def.validator, number) {
        (Validator::AtLeast(min), Some(n)) if n < min as f64 => {
            Err(format!("must be at least {min}"))
        }
        (Validator::Between(min, max), Some(n)) if n < min as f64 || n > max as f64 => {
            Err(format!("must be between {min} and {max}"))
        }
        (Validator::OneOf(allowed), _)
            if !allowed.iter().any(|a| a.eq_ignore_ascii_case(value)) =>
        {
            Err(format!("must be one of {}", allowed.join(", ")))
        }
        _ => Ok(()),
    }
}

/// Reads typed values of validated properties, falling back to defaults.
struct Resolver<'a> {
    explicit: &'a BTreeMap<String, String>,
}

impl Resolver<'_> {
    fn string(&self, name: &str) -> String {
        self.explicit
            .get(name)
            .map(|v| v.trim().to_string())
            .or_else(|| {
                broker_config(name)
                    .and_then(|d| d.default)
                    .map(str::to_string)
            })
            .unwrap_or_default()
    }
    fn long(&self, name: &str) -> Result<i64, ConfigError> {
        let text = self.string(name);
        text.parse::<i64>()
            .map_err(|_| invalid(name, &text, "expected an integer".into()))
    }
    fn int(&self, name: &str) -> Result<i32, ConfigError> {
        self.int_in::<i32>(name)
    }
    fn int_in<T: TryFrom<i64>>(&self, name: &str) -> Result<T, ConfigError> {
        let value = self.long(name)?;
        T::try_from(value).map_err(|_| invalid(name, &value.to_string(), "out of range".into()))
    }
    fn boolean(&self, name: &str) -> Result<bool, ConfigError> {
        Ok(self.string(name).eq_ignore_ascii_case("true"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<KafkaConfig, ConfigError> {
        KafkaConfig::from_properties_text(text)
    }

    #[test]
    fn defaults_describe_a_single_combined_node() {
        let config = KafkaConfig::default();
        assert_eq!(config.node_id, 1);
        assert!(config.process_roles.broker && config.process_roles.controller);
        assert_eq!(
            config
                .client_listeners()
                .map(|l| l.to_string())
                .collect::<Vec<_>>(),
            ["PLAINTEXT://127.0.0.1:9092"]
        );
        assert_eq!(
            config.controller_quorum_voters,
            [QuorumVoter {
                id: 1,
                address: "127.0.0.1:9093".into()
            }]
        );
        assert_eq!(config.log_dirs, [PathBuf::from("./strata-data")]);
        assert_eq!(config.socket_request_max_bytes, 104_857_600);
        assert_eq!(config.connections_max_idle_ms, 600_000);
        assert_eq!(config.offsets_topic_num_partitions, 50);
        assert!(config.auto_create_topics_enable);
    }

    #[test]
    fn unknown_key_is_rejected_by_name() {
        let error = load("num.partitons=3\n").expect_err("typo must fail");
        assert!(
            matches!(&error, ConfigError::UnknownKey { key } if key == "num.partitons"),
            "{error}"
        );
        assert!(error.to_string().contains("num.partitons"));
    }

    #[test]
    fn invalid_value_names_the_key() {
        for (text, key) in [
            ("num.partitions=zero", "num.partitions"),
            ("num.partitions=0", "num.partitions"),
            ("auto.create.topics.enable=yes", "auto.create.topics.enable"),
            ("listeners=PLAINTEXT//x:1", "listeners"),
            (
                "log.message.timestamp.type=Wallclock",
                "log.message.timestamp.type",
            ),
            ("controller.quorum.voters=a@b", "controller.quorum.voters"),
            ("process.roles=broker", "process.roles"),
            (
                "default.replication.factor=70000",
                "default.replication.factor",
            ),
        ] {
            let error = load(text).expect_err(text);
            assert!(
                matches!(&error, ConfigError::InvalidValue { key: k, .. } if k == key),
                "{text}: {error}"
            );
            assert!(error.to_string().contains(key), "{error}");
        }
    }

    #[test]
    fn kafka_keys_not_used_yet_are_accepted() {
        let config =
            load("num.network.threads=3\nnum.io.threads=8\noffsets.topic.replication.factor=1\n")
                .expect("accepted");
        assert_eq!(config.value("num.io.threads").as_deref(), Some("8"));
    }

    #[test]
    fn overrides_replace_file_values() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("server.properties");
        std::fs::write(&path, "num.partitions=3\nlog.dirs=/a,/b\n").expect("write");
        let config =
            KafkaConfig::load(Some(&path), &["num.partitions=5".to_string()]).expect("valid");
        assert_eq!(config.num_partitions, 5);
        assert_eq!(config.log_dirs, [PathBuf::from("/a"), PathBuf::from("/b")]);
        assert_eq!(config.metadata_log_dir, PathBuf::from("/a"));
        let error = KafkaConfig::load(None, &["num.partitions".to_string()]).expect_err("no =");
        assert!(matches!(error, ConfigError::MalformedOverride { .. }));
    }

    #[test]
    fn ssl_listener_is_rejected_until_supported() {
        let error = load("listeners=SSL://:9094,CONTROLLER://:9093\n").expect_err("ssl");
        assert!(
            matches!(&error, ConfigError::InvalidValue { key, .. } if key == "listeners"),
            "{error}"
        );
    }

    #[test]
    fn topic_defaults_convert_hours_and_prefer_explicit_synonyms() {
        let config = load("log.retention.hours=1\nlog.segment.bytes=2048\n").expect("valid");
        let defaults = config.topic_defaults(&BTreeMap::new());
        assert_eq!(
            defaults.get("retention.ms").map(String::as_str),
            Some("3600000")
        );
        assert_eq!(
            defaults.get("segment.bytes").map(String::as_str),
            Some("2048")
        );
        assert_eq!(
            defaults.get("segment.ms").map(String::as_str),
            Some("604800000")
        );
        assert_eq!(
            defaults.get("max.message.bytes").map(String::as_str),
            Some("1048588")
        );
        let ms = load("log.retention.hours=1\nlog.retention.ms=5\n").expect("valid");
        assert_eq!(
            ms.topic_defaults(&BTreeMap::new())
                .get("retention.ms")
                .map(String::as_str),
            Some("5")
        );
        // Kafka resolves synonym by synonym: a static log.retention.ms beats a dynamic log.retention.minutes.
        let dynamic = BTreeMap::from([("log.retention.minutes".to_string(), "2".to_string())]);
        assert_eq!(
            ms.topic_defaults(&dynamic)
                .get("retention.ms")
                .map(String::as_str),
            Some("5")
        );
        assert_eq!(
            config
                .topic_defaults(&dynamic)
                .get("retention.ms")
                .map(String::as_str),
            Some("120000")
        );
    }

    #[test]
    fn kafka_sample_server_properties_load() {
        let text = "process.roles=broker,controller\nnode.id=1\ncontroller.quorum.bootstrap.servers=localhost:9093\n\
            listeners=PLAINTEXT://:9092,CONTROLLER://:9093\ninter.broker.listener.name=PLAINTEXT\n\
            advertised.listeners=PLAINTEXT://localhost:9092\ncontroller.listener.names=CONTROLLER\n\
            listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL\n\
            num.network.threads=3\nnum.io.threads=8\nsocket.send.buffer.bytes=102400\nsocket.receive.buffer.bytes=102400\n\
            socket.request.max.bytes=104857600\nlog.dirs=/tmp/kraft-combined-logs\nnum.partitions=1\n\
            num.recovery.threads.per.data.dir=1\noffsets.topic.replication.factor=1\n\
            share.coordinator.state.topic.replication.factor=1\nshare.coordinator.state.topic.min.isr=1\n\
            transaction.state.log.replication.factor=1\ntransaction.state.log.min.isr=1\nlog.retention.hours=168\n\
            log.segment.bytes=1073741824\nlog.retention.check.interval.ms=300000\n";
        let config = load(text).expect("Kafka's own sample config loads");
        assert_eq!(
            config.advertised_listeners[0].to_string(),
            "PLAINTEXT://localhost:9092"
        );
    }

    #[test]
    fn every_default_passes_its_own_validation() {
        for def in BROKER_CONFIGS {
            if let Some(default) = def.default {
                assert!(
                    check_value(def, default).is_ok() || default.is_empty(),
                    "{}",
                    def.name
                );
            }
        }
    }
}
