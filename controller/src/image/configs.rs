//! Dynamic configs of topics and brokers (Kafka's `ConfigurationsImage`).

use std::collections::BTreeMap;

/// Dynamic configs that were set through the controller, by resource.
///
/// Invariant: no resource maps to an empty key map (the last delete removes the resource).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigsImage {
    /// Topic name → overrides.
    pub topics: BTreeMap<String, BTreeMap<String, String>>,
    /// `""` (cluster-wide default) or a broker id → dynamic broker configs.
    pub brokers: BTreeMap<String, BTreeMap<String, String>>,
}

impl ConfigsImage {
    /// The overrides of one topic (empty when none).
    pub fn topic(&self, name: &str) -> BTreeMap<String, String> {
        self.topics.get(name).cloned().unwrap_or_default()
    }
}

/// Sets or removes one key of one resource in a config map, keeping the invariant.
pub(crate) fn set_config(
    map: &mut BTreeMap<String, BTreeMap<String, String>>,
    resource: &str,
    key: &str,
    value: Option<&str>,
) {
    match value {
        Some(v) => {
            map.entry(resource.to_string())
                .or_default()
                .insert(key.to_string(), v.to_string());
        }
        None => {
            if let Some(keys) = map.get_mut(resource) {
                keys.remove(key);
                if keys.is_empty() {
                    map.remove(resource);
                }
            }
        }
    }
}
