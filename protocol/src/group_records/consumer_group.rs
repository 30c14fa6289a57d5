//! Group-level records of a KIP-848 consumer group: `ConsumerGroupMetadata` (type 3),
//! `ConsumerGroupPartitionMetadata` (4), `ConsumerGroupTargetAssignmentMetadata` (6) and
//! `ConsumerGroupRegularExpression` (16). Every value has the single flexible version 0.

use uuid::Uuid;

use super::{RecordKeyBody, RecordValueBody};
use crate::schema::codec::{FlexReader, FlexWriter};
use crate::wire::WireError;

/// Key of a consumer group's epoch record (type 3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ConsumerGroupMetadataKey {
    /// The group id.
    pub group_id: String,
}

/// Key of a consumer group's subscribed-topic metadata (type 4).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ConsumerGroupPartitionMetadataKey {
    /// The group id.
    pub group_id: String,
}

/// Key of a consumer group's target-assignment epoch (type 6).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ConsumerGroupTargetAssignmentMetadataKey {
    /// The group id.
    pub group_id: String,
}

macro_rules! group_id_key {
    ($t:ty) => {
        impl RecordKeyBody for $t {
            fn encode_body(&self, w: &mut FlexWriter) {
                w.string(&self.group_id);
            }
            fn decode_body(r: &mut FlexReader<'_>) -> Result<Self, WireError> {
                Ok(Self {
                    group_id: r.string("GroupId")?,
                })
            }
        }
    };
}
group_id_key!(ConsumerGroupMetadataKey);
group_id_key!(ConsumerGroupPartitionMetadataKey);
group_id_key!(ConsumerGroupTargetAssignmentMetadataKey);

/// Key of one resolved regular expression of a consumer group (type 16, Kafka 4.0+).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ConsumerGroupRegularExpressionKey {
    /// The group id.
    pub group_id: String,
    /// The regular expression.
    pub regular_expression: String,
}

impl RecordKeyBody for ConsumerGroupRegularExpressionKey {
    fn encode_body(&self, w: &mut FlexWriter) {
        w.string(&self.group_id);
        w.string(&self.regular_expression);
    }
    fn decode_body(r: &mut FlexReader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            group_id: r.string("GroupId")?,
            regular_expression: r.string("RegularExpression")?,
        })
    }
}

/// The group epoch of a consumer group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConsumerGroupMetadataValue {
    /// The group epoch.
    pub epoch: i32,
    /// Tag 0 (Kafka 4.1, KIP-1101): hash of the subscribed topics' metadata (default 0).
    pub metadata_hash: i64,
}

impl RecordValueBody for ConsumerGroupMetadataValue {
    const VERSION_MAX: i16 = 0;
    const FLEXIBLE_MIN: i16 = 0;
    fn write_version(&self) -> i16 {
        0
    }
    fn encode_body(&self, w: &mut FlexWriter, _version: i16) {
        w.w.put_i32(self.epoch);
        let mut tagged = Vec::new();
        if self.metadata_hash != 0 {
            tagged.push((0, w.sub(|t| t.w.put_i64(self.metadata_hash))));
        }
        w.tagged(&tagged);
    }
    fn decode_body(r: &mut FlexReader<'_>, _version: i16) -> Result<Self, WireError> {
        let mut out = Self {
            epoch: r.r.i32()?,
            metadata_hash: 0,
        };
        r.tagged(|tag, f| {
            match tag {
                0 => out.metadata_hash = f.r.i64()?,
                _ => f.r.skip_rest(),
            }
            Ok(())
        })?;
        Ok(out)
    }
}

/// The metadata of the topics a consumer group subscribes to (deprecated by Kafka 4.1, which
/// replaced it with `metadata_hash`, but still read).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConsumerGroupPartitionMetadataValue {
    /// The subscribed topics.
    pub topics: Vec<TopicMetadata>,
}

/// One subscribed topic's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TopicMetadata {
    /// The topic id.
    pub topic_id: Uuid,
    /// The topic name.
    pub topic_name: String,
    /// The number of partitions.
    pub num_partitions: i32,
    /// Racks of each partition (empty when no rack is known; unused since 4.0).
    pub partition_metadata: Vec<PartitionMetadata>,
}

/// The racks of one partition's replicas.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartitionMetadata {
    /// The partition index.
    pub partition: i32,
    /// The racks of its replicas.
    pub racks: Vec<String>,
}

impl RecordValueBody for ConsumerGroupPartitionMetadataValue {
    const VERSION_MAX: i16 = 0;
    const FLEXIBLE_MIN: i16 = 0;
    fn write_version(&self) -> i16 {
        0
    }
    fn encode_body(&self, w: &mut FlexWriter, _version: i16) {
        w.array_len(Some(self.topics.len()));
        for t in &self.topics {
            w.w.put_uuid(&t.topic_id);
            w.string(&t.topic_name);
            w.w.put_i32(t.num_partitions);
            w.array_len(Some(t.partition_metadata.len()));
            for p in &t.partition_metadata {
                w.w.put_i32(p.partition);
                w.string_array(&p.racks);
                w.tagged(&[]);
            }
            w.tagged(&[]);
        }
        w.tagged(&[]);
    }
    fn decode_body(r: &mut FlexReader<'_>, _version: i16) -> Result<Self, WireError> {
        let topics = r.array("Topics", |r| {
            let topic_id = r.r.uuid()?;
            let topic_name = r.string("TopicName")?;
            let num_partitions = r.r.i32()?;
            let partition_metadata = r.array("PartitionMetadata", |r| {
                let partition = r.r.i32()?;
                let racks = r.string_array("Racks")?;
                r.skip_tagged()?;
                Ok(PartitionMetadata { partition, racks })
            })?;
            r.skip_tagged()?;
            Ok(TopicMetadata {
                topic_id,
                topic_name,
                num_partitions,
                partition_metadata,
            })
        })?;
        r.skip_tagged()?;
        Ok(Self { topics })
    }
}

/// The epoch of a consumer group's target assignment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConsumerGroupTargetAssignmentMetadataValue {
    /// The assignment epoch.
    pub assignment_epoch: i32,
}

impl RecordValueBody for ConsumerGroupTargetAssignmentMetadataValue {
    const VERSION_MAX: i16 = 0;
    const FLEXIBLE_MIN: i16 = 0;
    fn write_version(&self) -> i16 {
        0
    }
    fn encode_body(&self, w: &mut FlexWriter, _version: i16) {
        w.w.put_i32(self.assignment_epoch);
        w.tagged(&[]);
    }
    fn decode_body(r: &mut FlexReader<'_>, _version: i16) -> Result<Self, WireError> {
        let assignment_epoch = r.r.i32()?;
        r.skip_tagged()?;
        Ok(Self { assignment_epoch })
    }
}

/// The topics one regular expression of a consumer group resolved to (Kafka 4.0+).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConsumerGroupRegularExpressionValue {
    /// The matching topic names.
    pub topics: Vec<String>,
    /// The metadata image version the expression was resolved against.
    pub version: i64,
    /// When it was resolved, in ms.
    pub timestamp: i64,
}

impl RecordValueBody for ConsumerGroupRegularExpressionValue {
    const VERSION_MAX: i16 = 0;
    const FLEXIBLE_MIN: i16 = 0;
    fn write_version(&self) -> i16 {
        0
    }
    fn encode_body(&self, w: &mut FlexWriter, _version: i16) {
        w.string_array(&self.topics);
        w.w.put_i64(self.version);
        w.w.put_i64(self.timestamp);
        w.tagged(&[]);
    }
    fn decode_body(r: &mut FlexReader<'_>, _version: i16) -> Result<Self, WireError> {
        let out = Self {
            topics: r.string_array("Topics")?,
            version: r.r.i64()?,
            timestamp: r.r.i64()?,
        };
        r.skip_tagged()?;
        Ok(out)
    }
}
