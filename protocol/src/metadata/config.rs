//! `ConfigRecord` (4): one configuration key set or deleted on a resource.

use super::{skip_tagged_fields, RecordBody};
use crate::wire::{WireError, WireReader, WireWriter};

/// A configuration change (api key 4, version 0).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigRecord {
    /// The resource type (Kafka's `ConfigResource.Type`: 2 = topic, 4 = broker, 8 = broker logger).
    pub resource_type: i8,
    /// The resource name (topic name; broker id; "" for the cluster default).
    pub resource_name: String,
    /// The configuration key.
    pub name: String,
    /// The value, or `None` to delete the key.
    pub value: Option<String>,
}

impl RecordBody for ConfigRecord {
    const API_KEY: i16 = 4;
    const VERSION_MIN: i16 = 0;
    const VERSION_MAX: i16 = 0;
    fn version(&self) -> i16 {
        0
    }
    fn encode_body(&self, w: &mut WireWriter) {
        w.put_i8(self.resource_type);
        w.put_compact_string(&self.resource_name);
        w.put_compact_string(&self.name);
        w.put_compact_nullable_string(self.value.as_deref());
        w.put_tagged_fields(&[]);
    }
    fn decode_body(r: &mut WireReader<'_>, _version: i16) -> Result<Self, WireError> {
        let resource_type = r.i8()?;
        let resource_name = r.compact_string("ResourceName")?;
        let name = r.compact_string("Name")?;
        let value = r.compact_nullable_string()?;
        skip_tagged_fields(r)?;
        Ok(Self {
            resource_type,
            resource_name,
            name,
            value,
        })
    }
}
