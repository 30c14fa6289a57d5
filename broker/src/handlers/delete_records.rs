//! DeleteRecords (21), v0–v2: advance a partition's log start offset.
//!
//! Kafka's semantics (`ReplicaManager.deleteRecordsOnLocalLog`, `Partition.deleteRecordsOnLeader`):
//! internal topics → INVALID_TOPIC_EXCEPTION; only the leader deletes (NOT_LEADER_OR_FOLLOWER);
//! a compact-only `cleanup.policy` → POLICY_VIOLATION; offset `-1` means the high watermark; a
//! negative offset, or one beyond the high watermark → OFFSET_OUT_OF_RANGE; an offset below the
//! current log start changes nothing. The answer's `low_watermark` is the smallest log start
//! over the replicas — with one replica, the leader's new log start, so no delayed wait is
//! needed until replication exists.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::delete_records_response::{
    DeleteRecordsPartitionResult, DeleteRecordsTopicResult,
};
use kafka_protocol::messages::{ApiKey, DeleteRecordsRequest, DeleteRecordsResponse, ResponseKind};
use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;

use crate::context::BrokerContext;
use crate::handlers::decode_request;
use crate::partition::{PartitionError, NO_LEADER_EPOCH};
use crate::replica_manager::ReplicaManager;
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::DeleteRecords,
    min_version: 0,
    max_version: 2,
    handle,
};

/// `offset` value meaning "up to the high watermark".
const HIGH_WATERMARK: i64 = -1;
/// Topics whose records only the broker manages (Kafka's `Topic.isInternal`).
const INTERNAL_TOPICS: &[&str] = &[
    "__consumer_offsets",
    "__transaction_state",
    "__share_group_state",
];

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let delete: DeleteRecordsRequest = decode_request(&request, body)?;
        let image = context.image();
        let response = handle_delete_records(&context.replica_manager, &image, delete);
        Ok(Some(ResponseKind::DeleteRecords(response)))
    })
}

/// Answers every partition of a DeleteRecords request.
pub(crate) fn handle_delete_records(
    replica_manager: &ReplicaManager,
    image: &MetadataImage,
    request: DeleteRecordsRequest,
) -> DeleteRecordsResponse {
    let mut response = DeleteRecordsResponse::default();
    for topic in request.topics {
        let mut topic_result = DeleteRecordsTopicResult::default();
        for partition in &topic.partitions {
            let mut result = DeleteRecordsPartitionResult::default();
            result.partition_index = partition.partition_index;
            let outcome = if INTERNAL_TOPICS.contains(&topic.name.0.as_str()) {
                Err(ResponseError::InvalidTopicException.code())
            } else {
                delete_partition(
                    replica_manager,
                    image,
                    &topic.name,
                    partition.partition_index,
                    partition.offset,
                )
            };
            match outcome {
                Ok(low_watermark) => result.low_watermark = low_watermark,
                Err(code) => {
                    result.error_code = code;
                    result.low_watermark = -1;
                }
            }
            topic_result.partitions.push(result);
        }
        topic_result.name = topic.name;
        response.topics.push(topic_result);
    }
    response
}

fn delete_partition(
    replica_manager: &ReplicaManager,
    image: &MetadataImage,
    topic: &str,
    index: i32,
    offset: i64,
) -> Result<i64, i16> {
    let partition = replica_manager
        .partition_or_error(image, topic, index)
        .map_err(|error| error.code())?;
    partition
        .check_leader(NO_LEADER_EPOCH)
        .map_err(|error| error.code())?;
    if !partition.allows_record_deletion() {
        return Err(ResponseError::PolicyViolation.code());
    }
    let high_watermark = partition.log().high_watermark();
    let target = if offset == HIGH_WATERMARK {
        high_watermark
    } else {
        offset
    };
    if target < 0 || target > high_watermark {
        return Err(ResponseError::OffsetOutOfRange.code());
    }
    partition
        .log()
        .delete_records_before(target)
        .map_err(|source| PartitionError::log(partition.topic_partition(), source).code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;
    use kafka_protocol::messages::delete_records_request::{
        DeleteRecordsPartition, DeleteRecordsTopic,
    };
    use kafka_protocol::messages::TopicName;
    use kafka_protocol::protocol::StrBytes;
    use strata_protocol::compression::Compression;
    use strata_protocol::record_batch::RecordBatchBuilder;

    use crate::replica_manager::testing::Fixture;

    /// Recent timestamps, so that retention (run by DeleteRecords) keeps the segment.
    fn batch(records: usize) -> BytesMut {
        let now_ms = strata_storage::Clock::now_ms(&strata_storage::SystemClock);
        let mut builder = RecordBatchBuilder::new(0, Compression::None);
        for i in 0..records {
            builder.append(now_ms + i as i64, None, Some(b"v"), &[]);
        }
        builder.build().expect("builds")
    }

    fn delete(fixture: &Fixture, topic: &'static str, offset: i64) -> DeleteRecordsPartitionResult {
        let request =
            DeleteRecordsRequest::default().with_topics(vec![DeleteRecordsTopic::default()
                .with_name(TopicName(StrBytes::from_static_str(topic)))
                .with_partitions(vec![DeleteRecordsPartition::default()
                    .with_partition_index(0)
                    .with_offset(offset)])]);
        handle_delete_records(&fixture.replica_manager, &fixture.image, request).topics[0]
            .partitions[0]
            .clone()
    }

    fn fixture() -> Fixture {
        let fixture = Fixture::new(&[("t", 1, &[]), ("c", 1, &[("cleanup.policy", "compact")])]);
        let partition = fixture.replica_manager.get("t", 0).expect("hosted");
        partition.append_as_leader(batch(5), 1).expect("appends");
        partition.append_as_leader(batch(5), 1).expect("appends");
        fixture
    }

    #[test]
    fn delete_advances_the_log_start_to_the_low_watermark() {
        let fixture = fixture();
        let result = delete(&fixture, "t", 7);
        assert_eq!((result.error_code, result.low_watermark), (0, 7));
        let partition = fixture.replica_manager.get("t", 0).expect("hosted");
        assert_eq!(partition.offsets().log_start_offset, 7);
        // Deleting below the log start changes nothing.
        assert_eq!(delete(&fixture, "t", 3).low_watermark, 7);
    }

    #[test]
    fn minus_one_deletes_up_to_the_high_watermark() {
        let fixture = fixture();
        assert_eq!(delete(&fixture, "t", -1).low_watermark, 10);
    }

    #[test]
    fn offset_beyond_the_high_watermark_is_out_of_range() {
        let fixture = fixture();
        let result = delete(&fixture, "t", 11);
        assert_eq!(
            (result.error_code, result.low_watermark),
            (ResponseError::OffsetOutOfRange.code(), -1)
        );
    }

    #[test]
    fn compact_only_topic_is_a_policy_violation() {
        let fixture = fixture();
        assert_eq!(
            delete(&fixture, "c", 0).error_code,
            ResponseError::PolicyViolation.code()
        );
    }

    #[test]
    fn unknown_topic_is_unknown_topic_or_partition() {
        let fixture = fixture();
        assert_eq!(
            delete(&fixture, "nope", 0).error_code,
            ResponseError::UnknownTopicOrPartition.code()
        );
    }
}
