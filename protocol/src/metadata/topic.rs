//! Topic lifecycle records: `TopicRecord` (2) and `RemoveTopicRecord` (9).

use uuid::Uuid;

use super::{skip_tagged_fields, RecordBody};
use crate::wire::{WireError, WireReader, WireWriter};

/// A topic was created (api key 2, version 0).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TopicRecord {
    /// The topic name.
    pub name: String,
    /// The unique id of the topic.
    pub topic_id: Uuid,
}

impl RecordBody for TopicRecord {
    const API_KEY: i16 = 2;
    const VERSION_MIN: i16 = 0;
    const VERSION_MAX: i16 = 0;
    fn version(&self) -> i16 {
        0
    }
    fn encode_body(&self, w: &mut WireWriter) {
        w.put_compact_string(&self.name);
        w.put_uuid(&self.topic_id);
        w.put_tagged_fields(&[]);
    }
    fn decode_body(r: &mut WireReader<'_>, _version: i16) -> Result<Self, WireError> {
        let name = r.compact_string("Name")?;
        let topic_id = r.uuid()?;
        skip_tagged_fields(r)?;
        Ok(Self { name, topic_id })
    }
}

/// A topic and all its partitions were removed (api key 9, version 0).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoveTopicRecord {
    /// The topic to remove.
    pub topic_id: Uuid,
}

impl RecordBody for RemoveTopicRecord {
    const API_KEY: i16 = 9;
    const VERSION_MIN: i16 = 0;
    const VERSION_MAX: i16 = 0;
    fn version(&self) -> i16 {
        0
    }
    fn encode_body(&self, w: &mut WireWriter) {
        w.put_uuid(&self.topic_id);
        w.put_tagged_fields(&[]);
    }
    fn decode_body(r: &mut WireReader<'_>, _version: i16) -> Result<Self, WireError> {
        let topic_id = r.uuid()?;
        skip_tagged_fields(r)?;
        Ok(Self { topic_id })
    }
}
