//! OffsetDelete (47), v0: deletes a group's committed offsets of some partitions.
//!
//! Kafka's rules: an empty group id is INVALID_GROUP_ID; an unknown group GROUP_ID_NOT_FOUND;
//! partitions of topics the metadata does not know UNKNOWN_TOPIC_OR_PARTITION; partitions of a
//! topic a member of the (non-empty) group subscribes to GROUP_SUBSCRIBED_TO_TOPIC.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::offset_delete_response::{
    OffsetDeleteResponsePartition, OffsetDeleteResponseTopic,
};
use kafka_protocol::messages::{ApiKey, OffsetDeleteRequest, OffsetDeleteResponse, ResponseKind};
use kafka_protocol::ResponseError;

use crate::context::BrokerContext;
use crate::group::coordinator::op_meta;
use crate::handlers::{decode_request, wire_topic};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::OffsetDelete,
    min_version: 0,
    max_version: 0,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: OffsetDeleteRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::OffsetDelete(
            offset_delete(&context, &request, decoded).await,
        )))
    })
}

fn topic_response(
    topic: &str,
    partitions: impl IntoIterator<Item = (i32, i16)>,
) -> OffsetDeleteResponseTopic {
    OffsetDeleteResponseTopic::default()
        .with_name(wire_topic(topic))
        .with_partitions(
            partitions
                .into_iter()
                .map(|(index, code)| {
                    OffsetDeleteResponsePartition::default()
                        .with_partition_index(index)
                        .with_error_code(code)
                })
                .collect(),
        )
}

async fn offset_delete(
    context: &BrokerContext,
    request: &RequestContext,
    decoded: OffsetDeleteRequest,
) -> OffsetDeleteResponse {
    let failed = |code: i16| OffsetDeleteResponse::default().with_error_code(code);
    let group_id = decoded.group_id.to_string();
    if group_id.is_empty() {
        return failed(ResponseError::InvalidGroupId.code());
    }
    let image = context.image();
    let mut topics = Vec::new();
    let mut unknown = Vec::new();
    for topic in &decoded.topics {
        let partitions: Vec<i32> = topic.partitions.iter().map(|p| p.partition_index).collect();
        if image.topics.get_by_name(topic.name.as_str()).is_some() {
            topics.push((topic.name.to_string(), partitions));
        } else {
            unknown.push(topic_response(
                topic.name.as_str(),
                partitions
                    .into_iter()
                    .map(|p| (p, ResponseError::UnknownTopicOrPartition.code())),
            ));
        }
    }
    let shard = match context.group_coordinator.shard_for(&group_id) {
        Ok(shard) => shard,
        Err(code) => return failed(code),
    };
    let outcome = shard
        .run(op_meta(request), move |shard, ctx| {
            shard.delete_offsets(ctx, &group_id, &topics)
        })
        .await;
    match outcome {
        Ok(Ok(deleted)) => {
            let mut responses: Vec<OffsetDeleteResponseTopic> = deleted
                .into_iter()
                .map(|(topic, partitions)| topic_response(&topic, partitions))
                .collect();
            responses.extend(unknown);
            OffsetDeleteResponse::default().with_topics(responses)
        }
        Ok(Err(code)) | Err(code) => failed(code),
    }
}
