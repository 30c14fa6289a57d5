//! The four record bodies of `__remote_log_metadata` (all version 0, flexible), as in Kafka's
//! `storage/src/main/resources/message/*.json`.

use bytes::Bytes;
use uuid::Uuid;

use crate::schema::codec::{FlexReader, FlexWriter};
use crate::wire::WireError;

/// A topic partition with its topic id (Kafka's `TopicIdPartitionEntry`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TopicIdPartitionEntry {
    /// The topic name.
    pub name: String,
    /// The topic id.
    pub id: Uuid,
    /// The partition.
    pub partition: i32,
}

/// The unique id of a remote segment (Kafka's `RemoteLogSegmentIdEntry`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoteLogSegmentIdEntry {
    /// The partition.
    pub topic_id_partition: TopicIdPartitionEntry,
    /// The segment's id.
    pub id: Uuid,
}

/// The first offset of one leader epoch inside a segment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SegmentLeaderEpochEntry {
    /// The leader epoch.
    pub leader_epoch: i32,
    /// Its start offset.
    pub offset: i64,
}

/// A segment copy started (api key 0): the segment's full metadata.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoteLogSegmentMetadataRecord {
    /// The segment.
    pub remote_log_segment_id: RemoteLogSegmentIdEntry,
    /// First offset in the segment.
    pub start_offset: i64,
    /// Last offset in the segment.
    pub end_offset: i64,
    /// The broker that produced the event.
    pub broker_id: i32,
    /// The largest record timestamp in the segment, in ms.
    pub max_timestamp_ms: i64,
    /// When the event was produced, in ms.
    pub event_timestamp_ms: i64,
    /// Leader epoch → start offset, ascending.
    pub segment_leader_epochs: Vec<SegmentLeaderEpochEntry>,
    /// The segment's size in bytes.
    pub segment_size_in_bytes: i32,
    /// Plugin-specific metadata (default null).
    pub custom_metadata: Option<Bytes>,
    /// The segment state ([`super::RemoteLogSegmentState`] as `i8`).
    pub remote_log_segment_state: i8,
}

/// A segment changed state (api key 1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoteLogSegmentMetadataUpdateRecord {
    /// The segment.
    pub remote_log_segment_id: RemoteLogSegmentIdEntry,
    /// The broker that produced the event.
    pub broker_id: i32,
    /// When the event was produced, in ms.
    pub event_timestamp_ms: i64,
    /// Plugin-specific metadata (default null).
    pub custom_metadata: Option<Bytes>,
    /// The new segment state.
    pub remote_log_segment_state: i8,
}

/// A partition's remote data is being deleted (api key 2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemotePartitionDeleteMetadataRecord {
    /// The partition.
    pub topic_id_partition: TopicIdPartitionEntry,
    /// The broker (or controller) that produced the event.
    pub broker_id: i32,
    /// When the event was produced, in ms.
    pub event_timestamp_ms: i64,
    /// The deletion state ([`super::RemotePartitionDeleteState`] as `i8`).
    pub remote_partition_delete_state: i8,
}

/// One segment in a metadata snapshot file (api key 3).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoteLogSegmentMetadataSnapshotRecord {
    /// The segment's id.
    pub segment_id: Uuid,
    /// First offset in the segment.
    pub start_offset: i64,
    /// Last offset in the segment.
    pub end_offset: i64,
    /// The broker that produced the event.
    pub broker_id: i32,
    /// The largest record timestamp in the segment, in ms.
    pub max_timestamp_ms: i64,
    /// When the event was produced, in ms.
    pub event_timestamp_ms: i64,
    /// Leader epoch → start offset, ascending.
    pub segment_leader_epochs: Vec<SegmentLeaderEpochEntry>,
    /// The segment's size in bytes.
    pub segment_size_in_bytes: i32,
    /// Plugin-specific metadata (default null).
    pub custom_metadata: Option<Bytes>,
    /// The segment state.
    pub remote_log_segment_state: i8,
}

impl TopicIdPartitionEntry {
    fn encode(&self, w: &mut FlexWriter) {
        w.string(&self.name);
        w.w.put_uuid(&self.id);
        w.w.put_i32(self.partition);
        w.tagged(&[]);
    }
    fn decode(r: &mut FlexReader<'_>) -> Result<Self, WireError> {
        let out = Self {
            name: r.string("Name")?,
            id: r.r.uuid()?,
            partition: r.r.i32()?,
        };
        r.skip_tagged()?;
        Ok(out)
    }
}

impl RemoteLogSegmentIdEntry {
    fn encode(&self, w: &mut FlexWriter) {
        self.topic_id_partition.encode(w);
        w.w.put_uuid(&self.id);
        w.tagged(&[]);
    }
    fn decode(r: &mut FlexReader<'_>) -> Result<Self, WireError> {
        let out = Self {
            topic_id_partition: TopicIdPartitionEntry::decode(r)?,
            id: r.r.uuid()?,
        };
        r.skip_tagged()?;
        Ok(out)
    }
}

fn encode_epochs(w: &mut FlexWriter, epochs: &[SegmentLeaderEpochEntry]) {
    w.array_len(Some(epochs.len()));
    for e in epochs {
        w.w.put_i32(e.leader_epoch);
        w.w.put_i64(e.offset);
        w.tagged(&[]);
    }
}

fn decode_epochs(r: &mut FlexReader<'_>) -> Result<Vec<SegmentLeaderEpochEntry>, WireError> {
    r.array("SegmentLeaderEpochs", |r| {
        let out = SegmentLeaderEpochEntry {
            leader_epoch: r.r.i32()?,
            offset: r.r.i64()?,
        };
        r.skip_tagged()?;
        Ok(out)
    })
}

/// A record body's codec (version 0, flexible).
pub(crate) trait RemoteBody: Sized {
    /// Kafka's api key.
    const API_KEY: i16;
    /// Writes the body.
    fn encode_body(&self, w: &mut FlexWriter);
    /// Reads the body.
    fn decode_body(r: &mut FlexReader<'_>) -> Result<Self, WireError>;
}

impl RemoteBody for RemoteLogSegmentMetadataRecord {
    const API_KEY: i16 = 0;
    fn encode_body(&self, w: &mut FlexWriter) {
        self.remote_log_segment_id.encode(w);
        w.w.put_i64(self.start_offset);
        w.w.put_i64(self.end_offset);
        w.w.put_i32(self.broker_id);
        w.w.put_i64(self.max_timestamp_ms);
        w.w.put_i64(self.event_timestamp_ms);
        encode_epochs(w, &self.segment_leader_epochs);
        w.w.put_i32(self.segment_size_in_bytes);
        w.nullable_bytes(self.custom_metadata.as_deref());
        w.w.put_i8(self.remote_log_segment_state);
        w.tagged(&[]);
    }
    fn decode_body(r: &mut FlexReader<'_>) -> Result<Self, WireError> {
        let out = Self {
            remote_log_segment_id: RemoteLogSegmentIdEntry::decode(r)?,
            start_offset: r.r.i64()?,
            end_offset: r.r.i64()?,
            broker_id: r.r.i32()?,
            max_timestamp_ms: r.r.i64()?,
            event_timestamp_ms: r.r.i64()?,
            segment_leader_epochs: decode_epochs(r)?,
            segment_size_in_bytes: r.r.i32()?,
            custom_metadata: r.nullable_bytes("CustomMetadata")?,
            remote_log_segment_state: r.r.i8()?,
        };
        r.skip_tagged()?;
        Ok(out)
    }
}

impl RemoteBody for RemoteLogSegmentMetadataUpdateRecord {
    const API_KEY: i16 = 1;
    fn encode_body(&self, w: &mut FlexWriter) {
        self.remote_log_segment_id.encode(w);
        w.w.put_i32(self.broker_id);
        w.w.put_i64(self.event_timestamp_ms);
        w.nullable_bytes(self.custom_metadata.as_deref());
        w.w.put_i8(self.remote_log_segment_state);
        w.tagged(&[]);
    }
    fn decode_body(r: &mut FlexReader<'_>) -> Result<Self, WireError> {
        let out = Self {
            remote_log_segment_id: RemoteLogSegmentIdEntry::decode(r)?,
            broker_id: r.r.i32()?,
            event_timestamp_ms: r.r.i64()?,
            custom_metadata: r.nullable_bytes("CustomMetadata")?,
            remote_log_segment_state: r.r.i8()?,
        };
        r.skip_tagged()?;
        Ok(out)
    }
}

impl RemoteBody for RemotePartitionDeleteMetadataRecord {
    const API_KEY: i16 = 2;
    fn encode_body(&self, w: &mut FlexWriter) {
        self.topic_id_partition.encode(w);
        w.w.put_i32(self.broker_id);
        w.w.put_i64(self.event_timestamp_ms);
        w.w.put_i8(self.remote_partition_delete_state);
        w.tagged(&[]);
    }
    fn decode_body(r: &mut FlexReader<'_>) -> Result<Self, WireError> {
        let out = Self {
            topic_id_partition: TopicIdPartitionEntry::decode(r)?,
            broker_id: r.r.i32()?,
            event_timestamp_ms: r.r.i64()?,
            remote_partition_delete_state: r.r.i8()?,
        };
        r.skip_tagged()?;
        Ok(out)
    }
}

impl RemoteBody for RemoteLogSegmentMetadataSnapshotRecord {
    const API_KEY: i16 = 3;
    fn encode_body(&self, w: &mut FlexWriter) {
        w.w.put_uuid(&self.segment_id);
        w.w.put_i64(self.start_offset);
        w.w.put_i64(self.end_offset);
        w.w.put_i32(self.broker_id);
        w.w.put_i64(self.max_timestamp_ms);
        w.w.put_i64(self.event_timestamp_ms);
        encode_epochs(w, &self.segment_leader_epochs);
        w.w.put_i32(self.segment_size_in_bytes);
        w.nullable_bytes(self.custom_metadata.as_deref());
        w.w.put_i8(self.remote_log_segment_state);
        w.tagged(&[]);
    }
    fn decode_body(r: &mut FlexReader<'_>) -> Result<Self, WireError> {
        let out = Self {
            segment_id: r.r.uuid()?,
            start_offset: r.r.i64()?,
            end_offset: r.r.i64()?,
            broker_id: r.r.i32()?,
            max_timestamp_ms: r.r.i64()?,
            event_timestamp_ms: r.r.i64()?,
            segment_leader_epochs: decode_epochs(r)?,
            segment_size_in_bytes: r.r.i32()?,
            custom_metadata: r.nullable_bytes("CustomMetadata")?,
            remote_log_segment_state: r.r.i8()?,
        };
        r.skip_tagged()?;
        Ok(out)
    }
}
