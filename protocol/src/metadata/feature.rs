//! `FeatureLevelRecord` (12): a finalized feature level, e.g. `metadata.version`.

use super::{skip_tagged_fields, RecordBody};
use crate::wire::{WireError, WireReader, WireWriter};

/// The finalized level of one feature (api key 12, version 0). Level 0 removes the feature.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeatureLevelRecord {
    /// The feature name.
    pub name: String,
    /// The finalized level.
    pub feature_level: i16,
}

impl RecordBody for FeatureLevelRecord {
    const API_KEY: i16 = 12;
    const VERSION_MIN: i16 = 0;
    const VERSION_MAX: i16 = 0;
    fn version(&self) -> i16 {
        0
    }
    fn encode_body(&self, w: &mut WireWriter) {
        w.put_compact_string(&self.name);
        w.put_i16(self.feature_level);
        w.put_tagged_fields(&[]);
    }
    fn decode_body(r: &mut WireReader<'_>, _version: i16) -> Result<Self, WireError> {
        let name = r.compact_string("Name")?;
        let feature_level = r.i16()?;
        skip_tagged_fields(r)?;
        Ok(Self {
            name,
            feature_level,
        })
    }
}
