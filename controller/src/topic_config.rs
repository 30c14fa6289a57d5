//! Validation of topic config overrides, delegated to storage's config table (the one place
//! that knows every topic config's type and rule).

use std::collections::BTreeMap;

use strata_storage::log_config::{
    config_def, validate_topic_config, ConfigError, ConfigKind, LogConfig,
};

use crate::config::ControllerConfig;
use crate::error::ControllerError;

fn invalid(e: ConfigError) -> ControllerError {
    ControllerError::InvalidConfig {
        key: e.key,
        value: e.value,
        reason: e.reason,
    }
}

/// Checks every override alone (known key, value of the right type and range), then all of
/// them together on top of the broker defaults (cross-key rules, Kafka's remote storage rules:
/// tiering needs `remote.log.storage.system.enable`, cannot be combined with compaction, and can
/// be turned off only with `remote.log.delete.on.disable`). `previous` are the topic's current
/// overrides when altering. Errors name the key.
pub(crate) fn validate_topic_configs(
    overrides: &BTreeMap<String, String>,
    config: &ControllerConfig,
    previous: Option<&BTreeMap<String, String>>,
) -> Result<(), ControllerError> {
    for (key, value) in overrides {
        validate_topic_config(key, value).map_err(invalid)?;
    }
    let log_config = LogConfig::from_props(overrides, &config.broker_defaults).map_err(invalid)?;
    let previous = previous.and_then(|p| LogConfig::from_props(p, &config.broker_defaults).ok());
    log_config
        .validate_remote_storage(config.remote_log_storage_system_enable, previous.as_ref())
        .map_err(invalid)?;
    Ok(())
}

/// True when `key` is a list-typed topic config (APPEND and SUBTRACT apply to it).
pub(crate) fn is_list_config(key: &str) -> bool {
    config_def(key).is_some_and(|def| def.kind == ConfigKind::List)
}

/// The static default of a topic config, if it has one.
pub(crate) fn default_value(key: &str) -> Option<&'static str> {
    config_def(key).and_then(|def| def.default)
}

/// The topic config a broker property supplies the default of (`log.retention.ms` →
/// `retention.ms`), if any.
pub(crate) fn topic_config_for_synonym(server_key: &str) -> Option<&'static str> {
    strata_storage::log_config::TOPIC_CONFIGS
        .iter()
        .find(|def| def.server_synonyms.contains(&server_key))
        .map(|def| def.name)
}
