//! DescribeProducers (61), v0: the active idempotent/transactional producers of partitions.
//!
//! Kafka's semantics (`KafkaApis.handleDescribeProducersRequest`,
//! `Partition.activeProducerState`): a topic unknown to the metadata → UNKNOWN_TOPIC_OR_PARTITION
//! for each requested partition; a partition without a local replica → NOT_LEADER_OR_FOLLOWER;
//! otherwise every producer in the log's producer state with its epoch, last sequence, last
//! timestamp, coordinator epoch and current transaction start (-1 when none).

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::describe_producers_response::{
    PartitionResponse, ProducerState, TopicResponse,
};
use kafka_protocol::messages::{
    ApiKey, DescribeProducersRequest, DescribeProducersResponse, ResponseKind,
};
use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;

use crate::context::BrokerContext;
use crate::handlers::decode_request;
use crate::replica_manager::ReplicaManager;
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::DescribeProducers,
    min_version: 0,
    max_version: 0,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let describe: DescribeProducersRequest = decode_request(&request, body)?;
        let image = context.image();
        let response = handle_describe_producers(&context.replica_manager, &image, describe);
        Ok(Some(ResponseKind::DescribeProducers(response)))
    })
}

/// Answers every partition of a DescribeProducers request.
pub(crate) fn handle_describe_producers(
    replica_manager: &ReplicaManager,
    image: &MetadataImage,
    request: DescribeProducersRequest,
) -> DescribeProducersResponse {
    let mut response = DescribeProducersResponse::default();
    for topic in request.topics {
        let mut topic_response = TopicResponse::default();
        let topic_known = image.topics.get_by_name(&topic.name).is_some();
        for index in &topic.partition_indexes {
            let mut answer = PartitionResponse::default();
            answer.partition_index = *index;
            if !topic_known {
                answer.error_code = ResponseError::UnknownTopicOrPartition.code();
            } else {
                match replica_manager.partition_or_error(image, &topic.name, *index) {
                    Err(error) => answer.error_code = error.code(),
                    Ok(partition) => {
                        answer.active_producers = partition
                            .log()
                            .producer_states()
                            .into_iter()
                            .map(|entry| {
                                let mut state = ProducerState::default();
                                state.producer_id = entry.producer_id.into();
                                state.producer_epoch = i32::from(entry.producer_epoch);
                                state.last_sequence = entry.last_seq();
                                state.last_timestamp = entry.last_timestamp;
                                state.coordinator_epoch = entry.coordinator_epoch;
                                state.current_txn_start_offset =
                                    entry.current_txn_first_offset.unwrap_or(-1);
                                state
                            })
                            .collect();
                    }
                }
            }
            topic_response.partitions.push(answer);
        }
        topic_response.name = topic.name;
        response.topics.push(topic_response);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::describe_producers_request::TopicRequest;
    use kafka_protocol::messages::TopicName;
    use kafka_protocol::protocol::StrBytes;
    use strata_protocol::compression::Compression;
    use strata_protocol::record_batch::RecordBatchBuilder;

    use crate::replica_manager::testing::Fixture;

    fn describe(fixture: &Fixture, topic: &'static str) -> PartitionResponse {
        let request = DescribeProducersRequest::default()
            .with_topics(vec![TopicRequest::default()
                .with_name(TopicName(StrBytes::from_static_str(topic)))
                .with_partition_indexes(vec![0])]);
        handle_describe_producers(&fixture.replica_manager, &fixture.image, request).topics[0]
            .partitions[0]
            .clone()
    }

    #[test]
    fn idempotent_producer_is_listed_with_its_last_sequence() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        let partition = fixture.replica_manager.get("t", 0).expect("hosted");
        let mut builder = RecordBatchBuilder::new(0, Compression::None).producer(42, 3, 0);
        builder.append(1_000, None, Some(b"a"), &[]);
        builder.append(1_001, None, Some(b"b"), &[]);
        partition
            .append_as_leader(builder.build().expect("builds"), 1)
            .expect("appends");

        let answer = describe(&fixture, "t");
        assert_eq!(answer.error_code, 0);
        assert_eq!(answer.active_producers.len(), 1);
        let producer = &answer.active_producers[0];
        assert_eq!(producer.producer_id.0, 42);
        assert_eq!(producer.producer_epoch, 3);
        assert_eq!(producer.last_sequence, 1);
        assert_eq!(producer.current_txn_start_offset, -1);
    }

    #[test]
    fn unknown_topic_is_unknown_topic_or_partition() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        assert_eq!(
            describe(&fixture, "x").error_code,
            ResponseError::UnknownTopicOrPartition.code()
        );
    }
}
