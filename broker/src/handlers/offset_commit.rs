//! OffsetCommit (8), v2–v9: a group (or a simple consumer, generation -1) commits offsets.
//!
//! Kafka's rules (`KafkaApis.handleOffsetCommitRequest`, `OffsetMetadataManager.commitOffset`):
//! an empty group id fails every partition with INVALID_GROUP_ID; partitions of topics the
//! metadata does not know get UNKNOWN_TOPIC_OR_PARTITION; the rest go to the group's shard, which
//! checks the committer (classic generation, consumer member epoch from v9 with
//! STALE_MEMBER_EPOCH / UNKNOWN_MEMBER_ID, or a simple commit) and commits. Routing failures
//! (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS) fail every partition.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::offset_commit_request::OffsetCommitRequestTopic;
use kafka_protocol::messages::offset_commit_response::{
    OffsetCommitResponsePartition, OffsetCommitResponseTopic,
};
use kafka_protocol::messages::{ApiKey, OffsetCommitRequest, OffsetCommitResponse, ResponseKind};
use kafka_protocol::ResponseError;

use crate::context::BrokerContext;
use crate::group::coordinator::op_meta;
use crate::handlers::decode_request;
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::OffsetCommit,
    min_version: 2,
    max_version: 9,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: OffsetCommitRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::OffsetCommit(
            OffsetCommitResponse::default()
                .with_topics(offset_commit(&context, &request, decoded).await),
        )))
    })
}

/// Every partition of `topics` with `code`.
fn failed(topics: &[OffsetCommitRequestTopic], code: i16) -> Vec<OffsetCommitResponseTopic> {
    topics
        .iter()
        .map(|topic| {
            OffsetCommitResponseTopic::default()
                .with_name(topic.name.clone())
                .with_topic_id(topic.topic_id)
                .with_partitions(
                    topic
                        .partitions
                        .iter()
                        .map(|p| {
                            OffsetCommitResponsePartition::default()
                                .with_partition_index(p.partition_index)
                                .with_error_code(code)
                        })
                        .collect(),
                )
        })
        .collect()
}

async fn offset_commit(
    context: &BrokerContext,
    request: &RequestContext,
    mut decoded: OffsetCommitRequest,
) -> Vec<OffsetCommitResponseTopic> {
    if decoded.group_id.is_empty() {
        return failed(&decoded.topics, ResponseError::InvalidGroupId.code());
    }
    let image = context.image();
    let (known, unknown): (Vec<_>, Vec<_>) = std::mem::take(&mut decoded.topics)
        .into_iter()
        .partition(|topic| image.topics.get_by_name(topic.name.as_str()).is_some());
    let mut response = failed(&unknown, ResponseError::UnknownTopicOrPartition.code());
    if known.is_empty() {
        return response;
    }
    decoded.topics = known;
    let shard = match context
        .group_coordinator
        .shard_for(decoded.group_id.as_str())
    {
        Ok(shard) => shard,
        Err(code) => {
            response.extend(failed(&decoded.topics, code));
            return response;
        }
    };
    let topics = decoded.topics.clone();
    match shard
        .run(op_meta(request), move |shard, ctx| {
            shard.commit_offsets(ctx, &decoded)
        })
        .await
    {
        Ok(committed) => response.extend(committed),
        Err(code) => response.extend(failed(&topics, code)),
    }
    response
}
