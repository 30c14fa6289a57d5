//! Produce (0), v3–v13: append one record batch per partition, acknowledge per `acks`.
//!
//! Kafka's semantics (`KafkaApis.handleProduceRequest`, `ReplicaManager.appendRecords`,
//! `ProduceRequest.validateRecords`), per partition:
//! - `acks` other than -1, 0, 1 → INVALID_REQUIRED_ACKS for every partition.
//! - A topic unknown to the metadata → UNKNOWN_TOPIC_OR_PARTITION (v13: UNKNOWN_TOPIC_ID); a
//!   partition not led here → NOT_LEADER_OR_FOLLOWER (with the current leader, v10+). Produce
//!   never creates topics. Writing to an internal topic (`__consumer_offsets`,
//!   `__transaction_state`, `__share_group_state`) from a client other than the admin client →
//!   INVALID_TOPIC_EXCEPTION.
//! - The payload must be exactly one v2 batch → INVALID_RECORD otherwise; zstd before v7 →
//!   UNSUPPORTED_COMPRESSION_TYPE; a truncated or malformed header → CORRUPT_MESSAGE.
//! - Transactional batches: with a null `transactional_id` Kafka answers
//!   TRANSACTIONAL_ID_AUTHORIZATION_FAILED for the whole request; with one, the broker must
//!   verify with the transaction coordinator that the partition was added to the transaction.
//!   Strata has no transaction coordinator yet, so verification cannot succeed and the answer
//!   is Kafka's verification failure, INVALID_TXN_STATE ("partition was not added to the
//!   transaction"), and nothing is appended.
//! - The log validates the batch (CRC → CORRUPT_MESSAGE, size → MESSAGE_TOO_LARGE, record
//!   count/offsets → INVALID_RECORD, idempotent sequence and epoch checks →
//!   OUT_OF_ORDER_SEQUENCE_NUMBER / INVALID_PRODUCER_EPOCH / UNKNOWN_PRODUCER_ID) and appends
//!   nothing of a partition whose batch fails. A duplicate idempotent batch succeeds with its
//!   original offsets.
//! - acks=-1 waits until the high watermark passes the appended batch (with a one-replica ISR
//!   at once) or `timeout_ms` passes (REQUEST_TIMED_OUT), through the same delayed-operation
//!   path replication will use. acks=0 sends no response; if any partition failed, the
//!   connection is closed instead so the producer notices and refreshes metadata.
//!
//! Hot path: the batch bytes are never copied: the log writes patched copies of the 61-byte
//! headers followed by the request's own bytes with one `pwritev`; no record is decoded.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::produce_response::{
    BatchIndexAndErrorMessage, LeaderIdAndEpoch, NodeEndpoint, PartitionProduceResponse,
    TopicProduceResponse,
};
use kafka_protocol::messages::{ApiKey, ProduceRequest, ProduceResponse, ResponseKind};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;
use strata_protocol::compression::Compression;
use strata_protocol::record_batch::{BatchError, RecordBatchView};
use strata_storage::LogError;

use crate::context::BrokerContext;
use crate::delayed_fetch::wait_until;
use crate::errors::HandlerError;
use crate::handlers::decode_request;
use crate::partition::{Partition, PartitionError, NO_LEADER_EPOCH};
use crate::replica_manager::{leader_endpoints_to_add, ReplicaManager};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::Produce,
    min_version: 3,
    max_version: 13,
    handle,
};

/// Client id of Kafka's admin client, the only client allowed to write internal topics.
const ADMIN_CLIENT_ID: &str = "__admin_client";
/// Topics only the broker writes (Kafka's `Topic.isInternal`).
const INTERNAL_TOPICS: &[&str] = &[
    "__consumer_offsets",
    "__transaction_state",
    "__share_group_state",
];
/// First Produce version that may carry zstd batches.
const ZSTD_MIN_VERSION: i16 = 7;
/// First Produce version that names topics by id.
const TOPIC_ID_VERSION: i16 = 13;
/// First Produce version whose partition errors carry the current leader.
const CURRENT_LEADER_VERSION: i16 = 10;

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let produce: ProduceRequest = decode_request(&request, body)?;
        let acks = produce.acks;
        let image = context.image();
        let response = handle_produce(
            &context.replica_manager,
            &image,
            request.api_version,
            request.client_id.as_deref(),
            &request.listener,
            produce,
        )
        .await;
        if acks != 0 {
            return Ok(Some(ResponseKind::Produce(response)));
        }
        // acks=0: no response; on any error Kafka closes the connection instead.
        match first_error(&response) {
            None => Ok(None),
            Some(code) => Err(HandlerError::Internal(format!(
                "produce with acks=0 failed with error code {code}; closing the connection as Kafka does"
            ))),
        }
    })
}

fn first_error(response: &ProduceResponse) -> Option<i16> {
    response
        .responses
        .iter()
        .flat_map(|t| t.partition_responses.iter())
        .map(|p| p.error_code)
        .find(|code| *code != 0)
}

/// One partition's answer being built, and what acks=-1 still waits for.
struct Pending {
    topic_index: usize,
    partition_index: usize,
    partition: Arc<Partition>,
    /// The high watermark must reach this (last appended offset + 1).
    required_offset: i64,
}

/// Serves one Produce request and builds the response (also for acks=0, which the caller drops).
pub(crate) async fn handle_produce(
    replica_manager: &ReplicaManager,
    image: &MetadataImage,
    version: i16,
    client_id: Option<&str>,
    listener: &str,
    request: ProduceRequest,
) -> ProduceResponse {
    let mut response = ProduceResponse::default();
    let acks_valid = matches!(request.acks, -1..=1);
    let transactional_id_missing = request.transactional_id.is_none();
    let internal_allowed = client_id == Some(ADMIN_CLIENT_ID);
    let mut pending: Vec<Pending> = Vec::new();

    // Kafka rejects the whole request when transactional batches come without a transactional id.
    let reject_all = if !acks_valid {
        Some(ResponseError::InvalidRequiredAcks.code())
    } else if transactional_id_missing && has_transactional_batch(&request) {
        Some(ResponseError::TransactionalIdAuthorizationFailed.code())
    } else {
        None
    };

    for (topic_index, topic) in request.topic_data.into_iter().enumerate() {
        let mut topic_response = TopicProduceResponse::default();
        let topic_name: Option<String> = if version >= TOPIC_ID_VERSION {
            topic_response.topic_id = topic.topic_id;
            image
                .topics
                .get_by_id(&topic.topic_id)
                .map(|t| t.name.clone())
        } else {
            topic_response.name = topic.name.clone();
            Some(topic.name.0.to_string())
        };
        for (partition_index, data) in topic.partition_data.into_iter().enumerate() {
            let index = data.index;
            let outcome = match (reject_all, &topic_name) {
                (Some(code), _) => Err(Box::new(error_response(index, code, None))),
                (None, None) => Err(Box::new(error_response(
                    index,
                    ResponseError::UnknownTopicId.code(),
                    None,
                ))),
                (None, Some(name)) => append_partition(
                    replica_manager,
                    image,
                    version,
                    name,
                    index,
                    data.records,
                    request.acks,
                    internal_allowed,
                ),
            };
            match outcome {
                Ok((partition_response, partition, required_offset)) => {
                    topic_response.partition_responses.push(partition_response);
                    if request.acks == -1 {
                        pending.push(Pending {
                            topic_index,
                            partition_index,
                            partition,
                            required_offset,
                        });
                    }
                }
                Err(partition_response) => {
                    topic_response.partition_responses.push(*partition_response)
                }
            }
        }
        response.responses.push(topic_response);
    }

    if !pending.is_empty() {
        let timeout = Duration::from_millis(u64::try_from(request.timeout_ms.max(0)).unwrap_or(0));
        let errors = await_acks_all(replica_manager, &pending, timeout).await;
        for (waiting, error) in pending.iter().zip(errors) {
            if error != 0 {
                let partition = &mut response.responses[waiting.topic_index].partition_responses
                    [waiting.partition_index];
                partition.error_code = error;
            }
        }
    }
    if version >= CURRENT_LEADER_VERSION {
        add_leader_endpoints(&mut response, image, listener);
    }
    response
}

/// KIP-951: for NOT_LEADER_OR_FOLLOWER partitions, the new leader's endpoint on the request's
/// listener, so the producer can redirect without a metadata round trip.
fn add_leader_endpoints(response: &mut ProduceResponse, image: &MetadataImage, listener: &str) {
    let not_leader = ResponseError::NotLeaderOrFollower.code();
    let leaders: Vec<i32> = response
        .responses
        .iter()
        .flat_map(|t| t.partition_responses.iter())
        .filter(|p| p.error_code == not_leader && p.current_leader.leader_id.0 >= 0)
        .map(|p| p.current_leader.leader_id.0)
        .collect();
    let listed: Vec<i32> = response
        .node_endpoints
        .iter()
        .map(|e| e.node_id.0)
        .collect();
    for endpoint in leader_endpoints_to_add(image, listener, leaders, &listed) {
        let mut node = NodeEndpoint::default();
        node.node_id = endpoint.node_id.into();
        node.host = StrBytes::from_string(endpoint.host);
        node.port = i32::from(endpoint.port);
        node.rack = endpoint.rack.map(StrBytes::from_string);
        response.node_endpoints.push(node);
    }
}

/// Waits until every acks=-1 partition is acknowledged by the ISR (or failed), or `timeout`
/// passes. Returns one error code per pending partition (0 = acknowledged).
async fn await_acks_all(
    replica_manager: &ReplicaManager,
    pending: &[Pending],
    timeout: Duration,
) -> Vec<i16> {
    let check = |timed_out: bool| -> Option<Vec<i16>> {
        let mut codes = Vec::with_capacity(pending.len());
        for waiting in pending {
            match waiting.partition.check_acks_all(waiting.required_offset) {
                Ok(true) => codes.push(0),
                Err(code) => codes.push(code),
                Ok(false) if timed_out => codes.push(ResponseError::RequestTimedOut.code()),
                Ok(false) => return None,
            }
        }
        Some(codes)
    };
    let partitions: Vec<Arc<Partition>> = pending.iter().map(|p| p.partition.clone()).collect();
    match wait_until(replica_manager, &partitions, timeout, || check(false)).await {
        Some(codes) => codes,
        None => check(true).unwrap_or_default(),
    }
}

fn has_transactional_batch(request: &ProduceRequest) -> bool {
    request
        .topic_data
        .iter()
        .flat_map(|t| t.partition_data.iter())
        .filter_map(|p| p.records.as_ref())
        .any(|records| RecordBatchView::parse(records).is_ok_and(|b| b.is_transactional()))
}

/// Validates and appends one partition's payload. `Ok` carries the response, the partition and
/// the offset acks=-1 waits for.
#[allow(clippy::too_many_arguments)]
fn append_partition(
    replica_manager: &ReplicaManager,
    image: &MetadataImage,
    version: i16,
    topic: &str,
    index: i32,
    records: Option<Bytes>,
    acks: i16,
    internal_allowed: bool,
) -> Result<(PartitionProduceResponse, Arc<Partition>, i64), Box<PartitionProduceResponse>> {
    let failed = |error: PartitionError| Box::new(partition_error_response(index, &error, version));
    let partition = replica_manager
        .partition_or_error(image, topic, index)
        .map_err(failed)?;
    if INTERNAL_TOPICS.contains(&topic) && !internal_allowed {
        return Err(Box::new(error_response(
            index,
            ResponseError::InvalidTopicException.code(),
            Some(format!("cannot append to internal topic {topic}")),
        )));
    }
    let records = records.unwrap_or_default();
    validate_payload(&records, version)
        .map_err(|(code, message)| Box::new(error_response(index, code, Some(message))))?;
    // Leadership is checked again under the partition's lock by the append itself.
    partition.check_leader(NO_LEADER_EPOCH).map_err(failed)?;

    let info = partition.append_as_leader(&records, acks).map_err(failed)?;
    let mut response = PartitionProduceResponse::default();
    response.index = index;
    response.base_offset = info.first_offset;
    response.log_append_time_ms = info.log_append_time;
    response.log_start_offset = info.log_start_offset;
    Ok((response, partition, info.last_offset + 1))
}

/// Kafka's `ProduceRequest.validateRecords` plus the transactional-verification outcome.
fn validate_payload(records: &[u8], version: i16) -> Result<(), (i16, String)> {
    if records.is_empty() {
        return Err((
            ResponseError::InvalidRecord.code(),
            format!("produce requests with version {version} must have at least one record batch per partition"),
        ));
    }
    let batch = RecordBatchView::parse(records).map_err(|error| match error {
        BatchError::InvalidMagic { .. } => (
            ResponseError::InvalidRecord.code(),
            format!("produce requests with version {version} may only contain record batches with magic 2"),
        ),
        other => (ResponseError::CorruptMessage.code(), other.to_string()),
    })?;
    if batch.size_bytes() != records.len() {
        return Err((
            ResponseError::InvalidRecord.code(),
            format!("produce requests with version {version} may contain exactly one record batch per partition"),
        ));
    }
    if version < ZSTD_MIN_VERSION && batch.compression() == Compression::Zstd {
        return Err((
            ResponseError::UnsupportedCompressionType.code(),
            format!("produce requests with version {version} may not use zstd compression"),
        ));
    }
    if batch.is_transactional() {
        return Err((
            ResponseError::InvalidTxnState.code(),
            "partition was not added to the transaction (this broker has no transaction coordinator)".to_string(),
        ));
    }
    Ok(())
}

fn error_response(index: i32, code: i16, message: Option<String>) -> PartitionProduceResponse {
    let mut response = PartitionProduceResponse::default();
    response.index = index;
    response.error_code = code;
    response.base_offset = -1;
    response.log_append_time_ms = -1;
    response.log_start_offset = -1;
    response.error_message = message.map(StrBytes::from_string);
    response
}

fn partition_error_response(
    index: i32,
    error: &PartitionError,
    version: i16,
) -> PartitionProduceResponse {
    let message = match error {
        PartitionError::Log { source, .. } => Some(source.to_string()),
        _ => None,
    };
    let mut response = error_response(index, error.code(), message);
    if let PartitionError::Log { source, .. } = error {
        if let LogError::KeylessRecordsOnCompactedTopic {
            topic_partition,
            record_indexes,
        } = source.as_ref()
        {
            add_record_errors(&mut response, topic_partition, record_indexes);
        }
    }
    if version >= CURRENT_LEADER_VERSION {
        if let Some((leader, epoch)) = error.current_leader() {
            let mut current = LeaderIdAndEpoch::default();
            current.leader_id = leader.into();
            current.leader_epoch = epoch;
            response.current_leader = current;
        }
    }
    response
}

/// Record errors Kafka shows in a partition's error message, as its `LogValidator` does.
const RECORD_ERRORS_IN_MESSAGE_MAX: usize = 3;

/// KIP-467 per-record errors (Produce v8+; older versions only see the partition error), with
/// the partition error message worded as Kafka's.
fn add_record_errors(
    response: &mut PartitionProduceResponse,
    topic_partition: &str,
    record_indexes: &[i32],
) {
    let reason = format!(
        "Compacted topic cannot accept message without key in topic partition {topic_partition}."
    );
    response.record_errors = record_indexes
        .iter()
        .map(|&index| {
            let mut record_error = BatchIndexAndErrorMessage::default();
            record_error.batch_index = index;
            record_error.batch_index_error_message = Some(StrBytes::from_string(reason.clone()));
            record_error
        })
        .collect();
    let shown: Vec<String> = record_indexes
        .iter()
        .take(RECORD_ERRORS_IN_MESSAGE_MAX)
        .map(|index| format!("RecordError(batchIndex={index}, message='{reason}')"))
        .collect();
    response.error_message = Some(StrBytes::from_string(format!(
        "One or more records have been rejected due to {} record errors in total, and only showing the first three errors at most: [{}]",
        record_indexes.len(),
        shown.join(", ")
    )));
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;
    use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
    use kafka_protocol::messages::TopicName;
    use kafka_protocol::protocol::{Decodable, Encodable};
    use strata_protocol::record_batch::RecordBatchBuilder;

    use crate::replica_manager::testing::Fixture;

    const VERSION: i16 = 9;

    fn batch(base_sequence: Option<(i64, i32)>, records: usize) -> Bytes {
        let mut builder = RecordBatchBuilder::new(0, Compression::None);
        if let Some((producer_id, sequence)) = base_sequence {
            builder = builder.producer(producer_id, 0, sequence);
        }
        for i in 0..records {
            builder.append(1_000 + i as i64, Some(b"k"), Some(b"value"), &[]);
        }
        builder.build().expect("batch builds").freeze()
    }

    fn request(topic: &str, acks: i16, records: Bytes) -> ProduceRequest {
        ProduceRequest::default()
            .with_acks(acks)
            .with_timeout_ms(1_000)
            .with_topic_data(vec![TopicProduceData::default()
                .with_name(TopicName(StrBytes::from_string(topic.to_string())))
                .with_partition_data(vec![PartitionProduceData::default()
                    .with_index(0)
                    .with_records(Some(records))])])
    }

    /// Produces and returns the single partition answer, after a wire round trip.
    async fn produce(fixture: &Fixture, request: ProduceRequest) -> PartitionProduceResponse {
        let response = handle_produce(
            &fixture.replica_manager,
            &fixture.image,
            VERSION,
            Some("test"),
            "PLAINTEXT",
            request,
        )
        .await;
        let mut buf = bytes::BytesMut::new();
        response.encode(&mut buf, VERSION).expect("encodes");
        let decoded = ProduceResponse::decode(&mut buf.freeze(), VERSION).expect("decodes");
        decoded.responses[0].partition_responses[0].clone()
    }

    fn log_end(fixture: &Fixture) -> i64 {
        fixture
            .replica_manager
            .get("t", 0)
            .expect("hosted")
            .offsets()
            .log_end_offset
    }

    #[tokio::test]
    async fn appends_return_consecutive_base_offsets() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        let first = produce(&fixture, request("t", 1, batch(None, 3))).await;
        assert_eq!((first.error_code, first.base_offset), (0, 0));
        let second = produce(&fixture, request("t", -1, batch(None, 2))).await;
        assert_eq!((second.error_code, second.base_offset), (0, 3));
        assert_eq!(second.log_append_time_ms, -1);
        assert_eq!(second.log_start_offset, 0);
        assert_eq!(log_end(&fixture), 5);
    }

    #[tokio::test]
    async fn bad_crc_is_corrupt_message_and_appends_nothing() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        let mut corrupt = BytesMut::from(&batch(None, 2)[..]);
        let last = corrupt.len() - 1;
        corrupt[last] ^= 0xff;
        let answer = produce(&fixture, request("t", 1, corrupt.freeze())).await;
        assert_eq!(answer.error_code, ResponseError::CorruptMessage.code());
        assert_eq!(answer.base_offset, -1);
        assert_eq!(log_end(&fixture), 0);
    }

    #[tokio::test]
    async fn batch_over_max_message_bytes_is_message_too_large() {
        let fixture = Fixture::new(&[("t", 1, &[("max.message.bytes", "100")])]);
        let answer = produce(&fixture, request("t", 1, batch(None, 20))).await;
        assert_eq!(answer.error_code, ResponseError::MessageTooLarge.code());
        assert_eq!(log_end(&fixture), 0);
    }

    #[tokio::test]
    async fn duplicate_idempotent_batch_returns_the_original_offset() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        produce(&fixture, request("t", 1, batch(None, 4))).await;
        let idempotent = batch(Some((7, 0)), 2);
        let first = produce(&fixture, request("t", 1, idempotent.clone())).await;
        assert_eq!((first.error_code, first.base_offset), (0, 4));
        let again = produce(&fixture, request("t", 1, idempotent)).await;
        assert_eq!((again.error_code, again.base_offset), (0, 4));
        assert_eq!(log_end(&fixture), 6);
    }

    #[tokio::test]
    async fn sequence_gap_is_out_of_order_sequence_number() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        produce(&fixture, request("t", 1, batch(Some((7, 0)), 2))).await;
        let gap = produce(&fixture, request("t", 1, batch(Some((7, 5)), 1))).await;
        assert_eq!(
            gap.error_code,
            ResponseError::OutOfOrderSequenceNumber.code()
        );
        assert_eq!(log_end(&fixture), 2);
    }

    #[tokio::test]
    async fn unknown_topic_is_unknown_topic_or_partition_and_not_created() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        let answer = produce(&fixture, request("missing", 1, batch(None, 1))).await;
        assert_eq!(
            answer.error_code,
            ResponseError::UnknownTopicOrPartition.code()
        );
        assert!(fixture.replica_manager.get("missing", 0).is_none());
    }

    #[tokio::test]
    async fn acks_other_than_minus_one_zero_one_is_invalid_required_acks() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        let answer = produce(&fixture, request("t", 2, batch(None, 1))).await;
        assert_eq!(answer.error_code, ResponseError::InvalidRequiredAcks.code());
        assert_eq!(log_end(&fixture), 0);
    }

    #[tokio::test]
    async fn two_batches_in_one_partition_are_invalid_record() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        let mut two = BytesMut::from(&batch(None, 1)[..]);
        two.extend_from_slice(&batch(None, 1));
        let answer = produce(&fixture, request("t", 1, two.freeze())).await;
        assert_eq!(answer.error_code, ResponseError::InvalidRecord.code());
    }

    #[tokio::test]
    async fn transactional_batch_without_coordinator_is_rejected() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        let mut builder = RecordBatchBuilder::new(0, Compression::None)
            .producer(9, 0, 0)
            .transactional(true);
        builder.append(1, None, Some(b"v"), &[]);
        let records = builder.build().expect("builds").freeze();
        let without_id = produce(&fixture, request("t", 1, records.clone())).await;
        assert_eq!(
            without_id.error_code,
            ResponseError::TransactionalIdAuthorizationFailed.code()
        );
        let with_id = request("t", 1, records)
            .with_transactional_id(Some(StrBytes::from_static_str("tx").into()));
        let answer = produce(&fixture, with_id).await;
        assert_eq!(answer.error_code, ResponseError::InvalidTxnState.code());
        assert_eq!(log_end(&fixture), 0);
    }

    #[tokio::test]
    async fn internal_topic_is_invalid_topic_for_clients() {
        let fixture = Fixture::new(&[("__consumer_offsets", 1, &[])]);
        let answer = produce(&fixture, request("__consumer_offsets", 1, batch(None, 1))).await;
        assert_eq!(
            answer.error_code,
            ResponseError::InvalidTopicException.code()
        );
    }

    /// Widens the ISR of `t-0` to this node and node 2 (which never fetches unless told).
    fn with_follower(fixture: &mut Fixture) {
        let topic = fixture.image.topics.by_name["t"].clone();
        let mut widened = (*topic).clone();
        for registration in widened.partitions.values_mut() {
            registration.replicas = vec![crate::replica_manager::testing::NODE_ID, 2];
            registration.isr = registration.replicas.clone();
        }
        fixture
            .image
            .topics
            .by_name
            .insert("t".into(), Arc::new(widened));
        fixture
            .replica_manager
            .apply_image(&fixture.image)
            .expect("applies");
    }

    #[tokio::test]
    async fn acks_all_times_out_while_a_follower_lags() {
        let mut fixture = Fixture::new(&[("t", 1, &[])]);
        with_follower(&mut fixture);
        let started = std::time::Instant::now();
        let answer = produce(
            &fixture,
            request("t", -1, batch(None, 2)).with_timeout_ms(150),
        )
        .await;
        assert!(started.elapsed() >= Duration::from_millis(150));
        assert_eq!(answer.error_code, ResponseError::RequestTimedOut.code());
        assert_eq!(
            log_end(&fixture),
            2,
            "the records were appended; only the acknowledgement failed"
        );
    }

    #[tokio::test]
    async fn acks_all_completes_when_the_follower_catches_up() {
        let mut fixture = Fixture::new(&[("t", 1, &[])]);
        with_follower(&mut fixture);
        let partition = fixture.replica_manager.get("t", 0).expect("hosted");
        let follower = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            partition.update_follower_fetch_position(2, 3);
        });
        let answer = produce(
            &fixture,
            request("t", -1, batch(None, 3)).with_timeout_ms(10_000),
        )
        .await;
        follower.await.expect("follower task");
        assert_eq!((answer.error_code, answer.base_offset), (0, 0));
    }

    #[tokio::test]
    async fn acks_one_does_not_wait_for_followers() {
        let mut fixture = Fixture::new(&[("t", 1, &[])]);
        with_follower(&mut fixture);
        let answer = produce(
            &fixture,
            request("t", 1, batch(None, 1)).with_timeout_ms(10_000),
        )
        .await;
        assert_eq!(answer.error_code, 0);
    }

    #[tokio::test]
    async fn older_producer_epoch_is_invalid_producer_epoch() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        let with_epoch = |epoch: i16, sequence: i32| {
            let mut builder =
                RecordBatchBuilder::new(0, Compression::None).producer(7, epoch, sequence);
            builder.append(1_000, None, Some(b"v"), &[]);
            builder.build().expect("builds").freeze()
        };
        let current = produce(&fixture, request("t", 1, with_epoch(1, 0))).await;
        assert_eq!(current.error_code, 0);
        let fenced = produce(&fixture, request("t", 1, with_epoch(0, 1))).await;
        assert_eq!(
            fenced.error_code,
            ResponseError::InvalidProducerEpoch.code()
        );
        assert_eq!(log_end(&fixture), 1);
    }
}
