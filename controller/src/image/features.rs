//! Finalized feature levels (Kafka's `FeaturesImage`).

use std::collections::BTreeMap;

use crate::image::METADATA_VERSION_FEATURE;
use crate::records::FeatureLevelRecord;

/// Replays a FeatureLevelRecord: level 0 removes a feature, except `metadata.version`, which
/// cannot be removed once set (Kafka's `FeaturesDelta`).
pub(crate) fn replay_feature_level(
    features: &mut BTreeMap<String, i16>,
    record: &FeatureLevelRecord,
) {
    if record.feature_level == 0 && record.name != METADATA_VERSION_FEATURE {
        features.remove(&record.name);
    } else {
        features.insert(record.name.clone(), record.feature_level);
    }
}
