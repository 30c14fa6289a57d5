//! The text `kafka-dump-log --remote-log-metadata-decoder` prints for each record: Kafka's
//! `toString()` of the object `RemoteLogMetadataSerde.deserialize` returns.

use std::fmt::Write as _;

use super::records::{SegmentLeaderEpochEntry, TopicIdPartitionEntry};
use super::{partition_delete_state, segment_state, RemoteLogMetadataRecord};
use crate::schema::generic_uuid_string;

fn segment_state_name(state: i8) -> String {
    match state {
        segment_state::COPY_SEGMENT_STARTED => "COPY_SEGMENT_STARTED".into(),
        segment_state::COPY_SEGMENT_FINISHED => "COPY_SEGMENT_FINISHED".into(),
        segment_state::DELETE_SEGMENT_STARTED => "DELETE_SEGMENT_STARTED".into(),
        segment_state::DELETE_SEGMENT_FINISHED => "DELETE_SEGMENT_FINISHED".into(),
        other => format!("UNKNOWN({other})"),
    }
}

fn delete_state_name(state: i8) -> String {
    match state {
        partition_delete_state::DELETE_PARTITION_MARKED => "DELETE_PARTITION_MARKED".into(),
        partition_delete_state::DELETE_PARTITION_STARTED => "DELETE_PARTITION_STARTED".into(),
        partition_delete_state::DELETE_PARTITION_FINISHED => "DELETE_PARTITION_FINISHED".into(),
        other => format!("UNKNOWN({other})"),
    }
}

/// `TopicIdPartition.toString()`: `topicId:topic-partition`.
fn topic_id_partition(t: &TopicIdPartitionEntry) -> String {
    format!("{}:{}-{}", generic_uuid_string(&t.id), t.name, t.partition)
}

/// A `TreeMap<Integer, Long>`'s `toString()`: `{0=0, 3=120}` in ascending epoch order.
fn epochs(entries: &[SegmentLeaderEpochEntry]) -> String {
    let mut sorted: Vec<_> = entries.iter().map(|e| (e.leader_epoch, e.offset)).collect();
    sorted.sort_unstable();
    sorted.dedup_by_key(|(epoch, _)| *epoch);
    let mut out = String::from("{");
    for (i, (epoch, offset)) in sorted.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{epoch}={offset}");
    }
    out.push('}');
    out
}

/// `Optional<CustomMetadata>.toString()`.
fn custom(b: Option<&bytes::Bytes>) -> String {
    match b {
        None => "Optional.empty".into(),
        Some(b) => format!("Optional[CustomMetadata{{{} bytes}}]", b.len()),
    }
}

impl RemoteLogMetadataRecord {
    /// Kafka's `toString()` of the deserialized record, as `kafka-dump-log
    /// --remote-log-metadata-decoder` prints it.
    pub fn kafka_display(&self) -> String {
        match self {
            Self::Segment(r) => {
                let id = &r.remote_log_segment_id;
                format!(
                    "RemoteLogSegmentMetadata{{remoteLogSegmentId=RemoteLogSegmentId{{topicIdPartition={}, id={}}}, startOffset={}, endOffset={}, brokerId={}, maxTimestampMs={}, eventTimestampMs={}, segmentLeaderEpochs={}, segmentSizeInBytes={}, customMetadata={}, state={}}}",
                    topic_id_partition(&id.topic_id_partition),
                    generic_uuid_string(&id.id),
                    r.start_offset,
                    r.end_offset,
                    r.broker_id,
                    r.max_timestamp_ms,
                    r.event_timestamp_ms,
                    epochs(&r.segment_leader_epochs),
                    r.segment_size_in_bytes,
                    custom(r.custom_metadata.as_ref()),
                    segment_state_name(r.remote_log_segment_state),
                )
            }
            Self::SegmentUpdate(r) => {
                let id = &r.remote_log_segment_id;
                format!(
                    "RemoteLogSegmentMetadataUpdate{{remoteLogSegmentId=RemoteLogSegmentId{{topicIdPartition={}, id={}}}, customMetadata={}, state={}, eventTimestampMs={}, brokerId={}}}",
                    topic_id_partition(&id.topic_id_partition),
                    generic_uuid_string(&id.id),
                    custom(r.custom_metadata.as_ref()),
                    segment_state_name(r.remote_log_segment_state),
                    r.event_timestamp_ms,
                    r.broker_id,
                )
            }
            Self::PartitionDelete(r) => format!(
                "RemotePartitionDeleteMetadata{{topicPartition={}, state={}, eventTimestampMs={}, brokerId={}}}",
                topic_id_partition(&r.topic_id_partition),
                delete_state_name(r.remote_partition_delete_state),
                r.event_timestamp_ms,
                r.broker_id,
            ),
            Self::Snapshot(r) => format!(
                "RemoteLogSegmentMetadataSnapshot{{segmentId={}, startOffset={}, endOffset={}, maxTimestampMs={}, segmentLeaderEpochs={}, segmentSizeInBytes={}, customMetadata={}, state={}}}",
                generic_uuid_string(&r.segment_id),
                r.start_offset,
                r.end_offset,
                r.max_timestamp_ms,
                epochs(&r.segment_leader_epochs),
                r.segment_size_in_bytes,
                custom(r.custom_metadata.as_ref()),
                segment_state_name(r.remote_log_segment_state),
            ),
        }
    }
}
