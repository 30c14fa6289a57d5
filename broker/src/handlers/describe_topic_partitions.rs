//! DescribeTopicPartitions (75, KIP-966): partitions of many topics, paginated.
//!
//! Kafka's semantics (`DescribeTopicPartitionsRequestHandler`, `KRaftMetadataCache.describeTopicResponse`):
//! an empty topic list means every topic (then unknown topics are skipped silently); topics are
//! walked in name order starting at the cursor's topic (which must be among the requested topics)
//! and, within it, at the cursor's partition; at most min(`response_partition_limit`,
//! [`PARTITIONS_PER_RESPONSE_MAX`]) partitions are returned; when the limit cuts a topic the next
//! cursor points at the first partition left out, and when it is reached exactly at a topic
//! boundary the cursor points at partition 0 of the next topic.

use std::collections::BTreeSet;
use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::describe_topic_partitions_response::{
    Cursor, DescribeTopicPartitionsResponsePartition, DescribeTopicPartitionsResponseTopic,
};
use kafka_protocol::messages::{
    ApiKey, BrokerId, DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse, ResponseKind,
};
use kafka_protocol::ResponseError;
use strata_controller::{MetadataImage, TopicImage};

use crate::context::BrokerContext;
use crate::handlers::{
    decode_request, is_internal_topic, live_endpoint, wire_topic, AUTHORIZED_OPERATIONS_OMITTED,
    TOPIC_AUTHORIZED_OPERATIONS_ALL,
};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::DescribeTopicPartitions,
    min_version: 0,
    max_version: 0,
    handle,
};

/// Kafka's `max.request.partition.size.limit` default: the most partitions one response carries.
pub(crate) const PARTITIONS_PER_RESPONSE_MAX: i32 = 2000;

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: DescribeTopicPartitionsRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::DescribeTopicPartitions(describe(
            &context.image(),
            &decoded,
            &request.listener,
        ))))
    })
}

fn describe(
    image: &MetadataImage,
    request: &DescribeTopicPartitionsRequest,
    listener: &str,
) -> DescribeTopicPartitionsResponse {
    let fetch_all = request.topics.is_empty();
    let mut names: BTreeSet<String> = if fetch_all {
        image.topics.by_name.keys().cloned().collect()
    } else {
        request
            .topics
            .iter()
            .map(|t| t.name.as_str().to_string())
            .collect()
    };
    let cursor = request
        .cursor
        .as_ref()
        .map(|c| (c.topic_name.as_str().to_string(), c.partition_index));
    if let Some((cursor_topic, _)) = &cursor {
        if !fetch_all && !names.contains(cursor_topic) {
            // Kafka throws InvalidRequestException: every requested topic carries the error.
            let topics = request
                .topics
                .iter()
                .map(|t| {
                    DescribeTopicPartitionsResponseTopic::default()
                        .with_error_code(ResponseError::InvalidRequest.code())
                        .with_name(Some(t.name.clone()))
                })
                .collect();
            return DescribeTopicPartitionsResponse::default().with_topics(topics);
        }
        names = names.split_off(cursor_topic);
    }
    let start_of = |topic: &str| match &cursor {
        Some((name, index)) if name == topic => (*index).max(0),
        _ => 0,
    };
    let mut remaining = request
        .response_partition_limit
        .clamp(0, PARTITIONS_PER_RESPONSE_MAX);
    let mut response = DescribeTopicPartitionsResponse::default();
    for name in names {
        if remaining == 0 {
            response.next_cursor = Some(
                Cursor::default()
                    .with_topic_name(wire_topic(&name))
                    .with_partition_index(0),
            );
            break;
        }
        match image.topics.get_by_name(&name) {
            Some(topic) => {
                let (partitions, next) =
                    partitions_from(image, topic, listener, start_of(&name), remaining);
                remaining -= partitions.len() as i32;
                response.topics.push(
                    DescribeTopicPartitionsResponseTopic::default()
                        .with_error_code(0)
                        .with_name(Some(wire_topic(&name)))
                        .with_topic_id(topic.id)
                        .with_is_internal(is_internal_topic(&name))
                        .with_partitions(partitions)
                        .with_topic_authorized_operations(TOPIC_AUTHORIZED_OPERATIONS_ALL),
                );
                if let Some(next) = next {
                    response.next_cursor = Some(
                        Cursor::default()
                            .with_topic_name(wire_topic(&name))
                            .with_partition_index(next),
                    );
                    break;
                }
            }
            None if !fetch_all => {
                let code = if strata_controller::topic_name::validate_topic_name(&name).is_ok() {
                    ResponseError::UnknownTopicOrPartition.code()
                } else {
                    ResponseError::InvalidTopicException.code()
                };
                response.topics.push(
                    DescribeTopicPartitionsResponseTopic::default()
                        .with_error_code(code)
                        .with_name(Some(wire_topic(&name)))
                        .with_is_internal(is_internal_topic(&name))
                        .with_topic_authorized_operations(AUTHORIZED_OPERATIONS_OMITTED),
                );
            }
            None => {}
        }
    }
    response
}

/// Partitions `start..` of `topic`, at most `limit`; the second value is the first index left out.
fn partitions_from(
    image: &MetadataImage,
    topic: &TopicImage,
    listener: &str,
    start: i32,
    limit: i32,
) -> (Vec<DescribeTopicPartitionsResponsePartition>, Option<i32>) {
    let count = topic.partitions.len() as i32;
    let end = count.min(start.saturating_add(limit));
    let partitions = topic
        .partitions
        .range(start..end)
        .map(|(index, p)| {
            let live = |id: &i32| image.brokers.get(id).is_some_and(|b| !b.fenced);
            let reachable = p.leader >= 0 && live_endpoint(image, p.leader, listener).is_some();
            DescribeTopicPartitionsResponsePartition::default()
                .with_error_code(if reachable {
                    0
                } else {
                    ResponseError::LeaderNotAvailable.code()
                })
                .with_partition_index(*index)
                .with_leader_id(BrokerId(if reachable { p.leader } else { -1 }))
                .with_leader_epoch(p.leader_epoch)
                .with_replica_nodes(p.replicas.iter().map(|id| BrokerId(*id)).collect())
                .with_isr_nodes(p.isr.iter().map(|id| BrokerId(*id)).collect())
                .with_eligible_leader_replicas(Some(Vec::new()))
                .with_last_known_elr(Some(Vec::new()))
                .with_offline_replicas(
                    p.replicas
                        .iter()
                        .filter(|id| !live(id))
                        .map(|id| BrokerId(*id))
                        .collect(),
                )
        })
        .collect();
    (partitions, (end < count).then_some(end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::describe_topic_partitions_request::{
        Cursor as RequestCursor, TopicRequest,
    };
    use std::collections::BTreeMap;
    use strata_controller::{BrokerRegistration, Endpoint, PartitionRegistration};
    use uuid::Uuid;

    fn image_with(topics: &[(&str, i32)]) -> MetadataImage {
        let mut image = MetadataImage::empty("cluster");
        image.brokers.insert(
            1,
            BrokerRegistration {
                id: 1,
                epoch: 1,
                incarnation_id: Uuid::new_v4(),
                listeners: vec![Endpoint {
                    name: "PLAINTEXT".into(),
                    host: "h".into(),
                    port: 9092,
                    security_protocol: 0,
                }],
                rack: None,
                fenced: false,
                in_controlled_shutdown: false,
                supported_features: Vec::new(),
                log_dirs: Vec::new(),
            },
        );
        for (name, count) in topics {
            let partitions: BTreeMap<i32, PartitionRegistration> = (0..*count)
                .map(|i| {
                    (
                        i,
                        PartitionRegistration {
                            replicas: vec![1],
                            isr: vec![1],
                            removing_replicas: vec![],
                            adding_replicas: vec![],
                            leader: 1,
                            leader_recovery_state: 0,
                            leader_epoch: 0,
                            partition_epoch: 0,
                            directories: vec![],
                        },
                    )
                })
                .collect();
            let topic = Arc::new(TopicImage {
                name: name.to_string(),
                id: Uuid::new_v4(),
                partitions,
            });
            image.topics.by_id.insert(topic.id, Arc::clone(&topic));
            image.topics.by_name.insert(name.to_string(), topic);
        }
        image
    }

    fn request(
        topics: &[&str],
        limit: i32,
        cursor: Option<(&str, i32)>,
    ) -> DescribeTopicPartitionsRequest {
        DescribeTopicPartitionsRequest::default()
            .with_topics(
                topics
                    .iter()
                    .map(|t| TopicRequest::default().with_name(wire_topic(t)))
                    .collect(),
            )
            .with_response_partition_limit(limit)
            .with_cursor(cursor.map(|(t, p)| {
                RequestCursor::default()
                    .with_topic_name(wire_topic(t))
                    .with_partition_index(p)
            }))
    }

    /// (topic, partition indexes) in response order, and the next cursor.
    type Summary = (Vec<(String, Vec<i32>)>, Option<(String, i32)>);

    fn summary(response: &DescribeTopicPartitionsResponse) -> Summary {
        let topics = response
            .topics
            .iter()
            .map(|t| {
                let name = t
                    .name
                    .as_ref()
                    .map(|n| n.as_str().to_string())
                    .unwrap_or_default();
                (
                    name,
                    t.partitions.iter().map(|p| p.partition_index).collect(),
                )
            })
            .collect();
        let cursor = response
            .next_cursor
            .as_ref()
            .map(|c| (c.topic_name.as_str().to_string(), c.partition_index));
        (topics, cursor)
    }

    #[test]
    fn limit_cutting_a_topic_points_the_cursor_at_the_first_partition_left_out() {
        let image = image_with(&[("a", 3), ("b", 2)]);
        let (topics, cursor) = summary(&describe(&image, &request(&[], 2, None), "PLAINTEXT"));
        assert_eq!(topics, [("a".to_string(), vec![0, 1])]);
        assert_eq!(cursor, Some(("a".to_string(), 2)));
        let (topics, cursor) = summary(&describe(
            &image,
            &request(&[], 2, Some(("a", 2))),
            "PLAINTEXT",
        ));
        assert_eq!(
            topics,
            [("a".to_string(), vec![2]), ("b".to_string(), vec![0])]
        );
        assert_eq!(cursor, Some(("b".to_string(), 1)));
    }

    #[test]
    fn limit_reached_at_a_topic_boundary_points_at_the_next_topic() {
        let image = image_with(&[("a", 2), ("b", 2)]);
        let (topics, cursor) = summary(&describe(
            &image,
            &request(&["b", "a"], 2, None),
            "PLAINTEXT",
        ));
        assert_eq!(topics, [("a".to_string(), vec![0, 1])]);
        assert_eq!(cursor, Some(("b".to_string(), 0)));
    }

    #[test]
    fn unknown_requested_topic_is_reported_and_cursor_outside_the_list_is_invalid() {
        let image = image_with(&[("a", 1)]);
        let response = describe(&image, &request(&["a", "zz"], 10, None), "PLAINTEXT");
        assert_eq!(
            response.topics[1].error_code,
            ResponseError::UnknownTopicOrPartition.code()
        );
        assert_eq!(response.next_cursor, None);
        let invalid = describe(&image, &request(&["a"], 10, Some(("q", 0))), "PLAINTEXT");
        assert_eq!(
            invalid.topics[0].error_code,
            ResponseError::InvalidRequest.code()
        );
    }
}
