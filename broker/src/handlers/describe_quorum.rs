//! DescribeQuorum (55): the metadata quorum of `__cluster_metadata-0` — leader, epoch, high
//! watermark, voters and observers with their log end offsets — which Kafka brokers serve so
//! that `kafka-metadata-quorum.sh --bootstrap-server` works. Answered from the in-process
//! controller's raft state; Kafka offsets, as Kafka reports them.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::describe_quorum_response::{
    Listener, Node, PartitionData, ReplicaState, TopicData,
};
use kafka_protocol::messages::{
    ApiKey, BrokerId, DescribeQuorumRequest, DescribeQuorumResponse, ResponseKind, TopicName,
};
use kafka_protocol::ResponseError;
use strata_controller::{QuorumStatus, ReplicaStatus};

use crate::context::BrokerContext;
use crate::handlers::{decode_request, wire_str};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::DescribeQuorum,
    min_version: 0,
    max_version: 2,
    handle,
};

/// The only partition DescribeQuorum describes.
const METADATA_TOPIC: &str = "__cluster_metadata";
/// Listener name the controller endpoints are advertised under.
const CONTROLLER_LISTENER: &str = "CONTROLLER";

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: DescribeQuorumRequest = decode_request(&request, body)?;
        let status = context.controller.quorum_status(context.clock.now_ms());
        Ok(Some(ResponseKind::DescribeQuorum(describe_quorum(
            &decoded, &status,
        ))))
    })
}

fn replica_state(r: &ReplicaStatus) -> ReplicaState {
    ReplicaState::default()
        .with_replica_id(BrokerId(r.replica_id))
        .with_log_end_offset(r.log_end_offset)
        .with_last_fetch_timestamp(r.last_fetch_timestamp_ms)
        .with_last_caught_up_timestamp(r.last_caught_up_timestamp_ms)
}

/// Kafka's `getPartitionLevelErrorResponse`: every requested partition with `error`.
fn partition_errors(
    request: &DescribeQuorumRequest,
    error: ResponseError,
) -> DescribeQuorumResponse {
    DescribeQuorumResponse::default().with_topics(
        request
            .topics
            .iter()
            .map(|t| {
                TopicData::default()
                    .with_topic_name(t.topic_name.clone())
                    .with_partitions(
                        t.partitions
                            .iter()
                            .map(|p| {
                                PartitionData::default()
                                    .with_partition_index(p.partition_index)
                                    .with_error_code(error.code())
                            })
                            .collect(),
                    )
            })
            .collect(),
    )
}

fn describe_quorum(
    request: &DescribeQuorumRequest,
    status: &QuorumStatus,
) -> DescribeQuorumResponse {
    // Kafka's hasValidTopicPartition: exactly one topic, __cluster_metadata, partition 0.
    let valid = matches!(request.topics.as_slice(), [t]
        if t.topic_name.0.as_str() == METADATA_TOPIC
            && matches!(t.partitions.as_slice(), [p] if p.partition_index == 0));
    if !valid {
        return partition_errors(request, ResponseError::UnknownTopicOrPartition);
    }
    if status.leader_id < 0
        || !status
            .voters
            .iter()
            .any(|v| v.replica_id == status.leader_id)
    {
        return partition_errors(request, ResponseError::NotLeaderOrFollower);
    }
    let partition = PartitionData::default()
        .with_partition_index(0)
        .with_leader_id(BrokerId(status.leader_id))
        .with_leader_epoch(status.leader_epoch)
        .with_high_watermark(status.high_watermark)
        .with_current_voters(status.voters.iter().map(replica_state).collect())
        .with_observers(status.observers.iter().map(replica_state).collect());
    let nodes = status
        .voters
        .iter()
        .filter_map(|v| {
            let (host, port) = status.endpoints.get(&v.replica_id)?;
            Some(
                Node::default()
                    .with_node_id(BrokerId(v.replica_id))
                    .with_listeners(vec![Listener::default()
                        .with_name(wire_str(CONTROLLER_LISTENER))
                        .with_host(wire_str(host))
                        .with_port(*port)]),
            )
        })
        .collect();
    DescribeQuorumResponse::default()
        .with_topics(vec![TopicData::default()
            .with_topic_name(TopicName(wire_str(METADATA_TOPIC)))
            .with_partitions(vec![partition])])
        .with_nodes(nodes)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use kafka_protocol::messages::describe_quorum_request;

    use super::*;

    fn request(topic: &str, partition: i32) -> DescribeQuorumRequest {
        DescribeQuorumRequest::default().with_topics(vec![
            describe_quorum_request::TopicData::default()
                .with_topic_name(TopicName(wire_str(topic)))
                .with_partitions(vec![describe_quorum_request::PartitionData::default()
                    .with_partition_index(partition)]),
        ])
    }

    fn status() -> QuorumStatus {
        QuorumStatus {
            leader_id: 1,
            leader_epoch: 3,
            high_watermark: 42,
            voters: vec![ReplicaStatus {
                replica_id: 1,
                log_end_offset: 42,
                last_fetch_timestamp_ms: 1000,
                last_caught_up_timestamp_ms: 1000,
            }],
            observers: Vec::new(),
            endpoints: BTreeMap::from([(1, ("localhost".to_string(), 9093))]),
        }
    }

    #[test]
    fn leader_answers_with_offsets_voters_and_endpoints() {
        let response = describe_quorum(&request(METADATA_TOPIC, 0), &status());
        let p = &response.topics[0].partitions[0];
        assert_eq!(
            (
                p.error_code,
                p.leader_id.0,
                p.leader_epoch,
                p.high_watermark
            ),
            (0, 1, 3, 42)
        );
        assert_eq!(p.current_voters[0].log_end_offset, 42);
        assert_eq!(response.nodes[0].listeners[0].port, 9093);
    }

    #[test]
    fn other_partitions_get_unknown_topic_or_partition() {
        let response = describe_quorum(&request("foo", 0), &status());
        assert_eq!(
            response.topics[0].partitions[0].error_code,
            ResponseError::UnknownTopicOrPartition.code()
        );
        let response = describe_quorum(&request(METADATA_TOPIC, 1), &status());
        assert_eq!(
            response.topics[0].partitions[0].error_code,
            ResponseError::UnknownTopicOrPartition.code()
        );
    }

    #[test]
    fn no_leader_gets_not_leader_or_follower() {
        let mut s = status();
        s.leader_id = -1;
        let response = describe_quorum(&request(METADATA_TOPIC, 0), &s);
        assert_eq!(
            response.topics[0].partitions[0].error_code,
            ResponseError::NotLeaderOrFollower.code()
        );
    }
}
