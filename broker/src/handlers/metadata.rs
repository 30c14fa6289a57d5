//! Metadata (3): brokers on the request's listener, the cluster id, a controller id clients can
//! reach, and topics with their partitions; missing topics are auto-created through the
//! controller when `auto.create.topics.enable` and the request allow it.
//!
//! Internal topics (`__consumer_offsets`, `__transaction_state`) are never auto-created here;
//! their coordinators create them. Kafka's rules kept here: a null topic list (or an empty one at v0) means every topic; topics
//! may be named by id (v10+), an unknown id answers UNKNOWN_TOPIC_ID with a null name; a topic
//! the controller just created is returned with its partitions when its leaders are already
//! known and the partitions this node leads have their logs open, else LEADER_NOT_AVAILABLE
//! (the client retries, as it does after Kafka's own auto-creation); a partition whose leader is not live
//! on this listener answers LEADER_NOT_AVAILABLE with leader -1.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::metadata_response::{
    MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
};
use kafka_protocol::messages::{ApiKey, BrokerId, MetadataRequest, MetadataResponse, ResponseKind};
use kafka_protocol::ResponseError;
use strata_controller::{CreateTopicSpec, MetadataImage, TopicImage};
use uuid::Uuid;

use crate::context::BrokerContext;
use crate::handlers::{
    client_visible_controller_id, decode_request, is_internal_topic, live_endpoint, wire_str,
    wire_topic, AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_AUTHORIZED_OPERATIONS_ALL,
    TOPIC_AUTHORIZED_OPERATIONS_ALL,
};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::Metadata,
    min_version: 0,
    max_version: 13,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: MetadataRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::Metadata(
            metadata(&context, &request, decoded).await,
        )))
    })
}

/// What the request asked about one topic.
enum Wanted {
    Name(String),
    Id(Uuid),
}

async fn metadata(
    context: &BrokerContext,
    request: &RequestContext,
    decoded: MetadataRequest,
) -> MetadataResponse {
    let mut image = context.image();
    let all_topics = match &decoded.topics {
        None => true,
        Some(topics) => topics.is_empty() && request.api_version == 0,
    };
    let wanted: Vec<Wanted> = decoded
        .topics
        .iter()
        .flatten()
        .map(|t| match &t.name {
            Some(name) => Wanted::Name(name.as_str().to_string()),
            None => Wanted::Id(t.topic_id),
        })
        .collect();

    // Auto-create missing topics named in the request, then answer from the newer image.
    let mut created: Vec<(String, i16)> = Vec::new();
    if !all_topics && decoded.allow_auto_topic_creation && context.config.auto_create_topics_enable
    {
        let missing: Vec<CreateTopicSpec> = wanted
            .iter()
            .filter_map(|w| match w {
                Wanted::Name(name)
                    if image.topics.get_by_name(name).is_none() && !is_internal_topic(name) =>
                {
                    Some(name)
                }
                _ => None,
            })
            .map(|name| CreateTopicSpec {
                name: name.clone(),
                num_partitions: -1,
                replication_factor: -1,
                assignments: Vec::new(),
                configs: Default::default(),
            })
            .collect();
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(|s| s.name.clone()).collect();
            let results = context.controller.create_topics(missing, false).await;
            for (name, result) in names.into_iter().zip(results) {
                match result {
                    Ok(_) => {
                        tracing::info!(topic = %name, "auto-created topic");
                        created.push((name, 0));
                    }
                    Err(error) => {
                        let code = error.kafka_error_code();
                        // A concurrent creation won the race: the topic exists, describe it.
                        if code != ResponseError::TopicAlreadyExists.code() {
                            tracing::debug!(topic = %name, %error, "auto-creation failed");
                            created.push((name, code));
                        }
                    }
                }
            }
            image = context.image();
        }
    }

    let listener = request.listener.as_str();
    let include_ops = decoded.include_topic_authorized_operations;
    let topics: Vec<MetadataResponseTopic> = if all_topics {
        image
            .topics
            .by_name
            .values()
            .map(|t| describe_topic(&image, t, listener, include_ops))
            .collect()
    } else {
        wanted
            .iter()
            .map(|w| match w {
                Wanted::Id(id) => match image.topics.get_by_id(id) {
                    Some(topic) => describe_topic(&image, topic, listener, include_ops),
                    None => MetadataResponseTopic::default()
                        .with_error_code(ResponseError::UnknownTopicId.code())
                        .with_topic_id(*id),
                },
                Wanted::Name(name) => {
                    let failed = created
                        .iter()
                        .find(|(n, code)| n == name && *code != 0)
                        .map(|(_, code)| *code);
                    match (image.topics.get_by_name(name), failed) {
                        (_, Some(code)) => error_topic(name, code),
                        (Some(topic), None) => {
                            let just_created = created.iter().any(|(n, _)| n == name);
                            let described = describe_topic(&image, topic, listener, include_ops);
                            // A partition this node leads is served only once its log is open:
                            // a producer sent there earlier gets a retriable error, and a
                            // non-idempotent one then reorders its pipelined batches.
                            let not_ready = |p: &MetadataResponsePartition| {
                                p.error_code != 0
                                    || (p.leader_id.0 == context.node_id
                                        && context
                                            .replica_manager
                                            .get(name, p.partition_index)
                                            .is_none())
                            };
                            if just_created && described.partitions.iter().any(not_ready) {
                                error_topic(name, ResponseError::LeaderNotAvailable.code())
                                    .with_topic_id(topic.id)
                            } else {
                                described
                            }
                        }
                        (None, None) => error_topic(name, missing_topic_code(name)),
                    }
                }
            })
            .collect()
    };

    MetadataResponse::default()
        .with_brokers(brokers(&image, listener))
        .with_cluster_id(Some(wire_str(&image.cluster_id)))
        .with_controller_id(BrokerId(client_visible_controller_id(&image)))
        .with_topics(topics)
        .with_cluster_authorized_operations(if decoded.include_cluster_authorized_operations {
            CLUSTER_AUTHORIZED_OPERATIONS_ALL
        } else {
            AUTHORIZED_OPERATIONS_OMITTED
        })
}

/// Kafka's answer for a topic that does not exist and was not created: an invalid name is
/// INVALID_TOPIC_EXCEPTION, any other UNKNOWN_TOPIC_OR_PARTITION.
fn missing_topic_code(name: &str) -> i16 {
    match strata_controller::topic_name::validate_topic_name(name) {
        Ok(()) => ResponseError::UnknownTopicOrPartition.code(),
        Err(_) => ResponseError::InvalidTopicException.code(),
    }
}

fn error_topic(name: &str, code: i16) -> MetadataResponseTopic {
    MetadataResponseTopic::default()
        .with_error_code(code)
        .with_name(Some(wire_topic(name)))
        .with_is_internal(is_internal_topic(name))
}

/// Live brokers with an endpoint on `listener` (Kafka answers with the request's listener only).
pub(crate) fn brokers(image: &MetadataImage, listener: &str) -> Vec<MetadataResponseBroker> {
    image
        .live_brokers()
        .filter_map(|b| {
            let endpoint = b.listeners.iter().find(|e| e.name == listener)?;
            Some(
                MetadataResponseBroker::default()
                    .with_node_id(BrokerId(b.id))
                    .with_host(wire_str(&endpoint.host))
                    .with_port(i32::from(endpoint.port))
                    .with_rack(b.rack.as_deref().map(wire_str)),
            )
        })
        .collect()
}

fn describe_topic(
    image: &MetadataImage,
    topic: &TopicImage,
    listener: &str,
    include_ops: bool,
) -> MetadataResponseTopic {
    let partitions = topic
        .partitions
        .iter()
        .map(|(index, p)| {
            let live = |id: &i32| image.brokers.get(id).is_some_and(|b| !b.fenced);
            let offline: Vec<BrokerId> = p
                .replicas
                .iter()
                .filter(|id| !live(id))
                .map(|id| BrokerId(*id))
                .collect();
            let leader_reachable =
                p.leader >= 0 && live_endpoint(image, p.leader, listener).is_some();
            MetadataResponsePartition::default()
                .with_error_code(if leader_reachable {
                    0
                } else {
                    ResponseError::LeaderNotAvailable.code()
                })
                .with_partition_index(*index)
                .with_leader_id(BrokerId(if leader_reachable { p.leader } else { -1 }))
                .with_leader_epoch(p.leader_epoch)
                .with_replica_nodes(p.replicas.iter().map(|id| BrokerId(*id)).collect())
                .with_isr_nodes(p.isr.iter().map(|id| BrokerId(*id)).collect())
                .with_offline_replicas(offline)
        })
        .collect();
    MetadataResponseTopic::default()
        .with_error_code(0)
        .with_name(Some(wire_topic(&topic.name)))
        .with_topic_id(topic.id)
        .with_is_internal(is_internal_topic(&topic.name))
        .with_partitions(partitions)
        .with_topic_authorized_operations(if include_ops {
            TOPIC_AUTHORIZED_OPERATIONS_ALL
        } else {
            AUTHORIZED_OPERATIONS_OMITTED
        })
}
