//! OffsetFetch (9), v1–v9: committed offsets of one group (v1–v7) or several (v8+).
//!
//! Per group (Kafka's `GroupCoordinatorService.fetchOffsets`): an empty id is INVALID_GROUP_ID;
//! the group's shard answers the listed partitions (or all, `topics` null, v2+), -1 for those
//! without a committed offset and for unknown groups. v9 names the member: a consumer group checks
//! its epoch (STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID). Routing failures are the group's error
//! (top-level from v2 below v8).

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::offset_fetch_response::{
    OffsetFetchResponseGroup, OffsetFetchResponsePartition, OffsetFetchResponsePartitions,
    OffsetFetchResponseTopic, OffsetFetchResponseTopics,
};
use kafka_protocol::messages::{ApiKey, OffsetFetchRequest, OffsetFetchResponse, ResponseKind};
use kafka_protocol::ResponseError;

use crate::context::BrokerContext;
use crate::group::coordinator::op_meta;
use crate::group::offsets::CommittedOffset;
use crate::handlers::{decode_request, wire_str, wire_topic};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::OffsetFetch,
    min_version: 1,
    max_version: 9,
    handle,
};

/// First version with several groups per request.
const MULTI_GROUP_VERSION: i16 = 8;
/// First version naming the member (KIP-848).
const MEMBER_EPOCH_VERSION: i16 = 9;

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: OffsetFetchRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::OffsetFetch(
            offset_fetch(&context, &request, decoded).await,
        )))
    })
}

/// One group to fetch: id, member (v9), partitions (None = all).
struct GroupFetch {
    group_id: String,
    member: Option<(String, i32)>,
    topics: Option<Vec<(String, Vec<i32>)>>,
}

async fn offset_fetch(
    context: &BrokerContext,
    request: &RequestContext,
    decoded: OffsetFetchRequest,
) -> OffsetFetchResponse {
    let require_stable = decoded.require_stable;
    if request.api_version < MULTI_GROUP_VERSION {
        let fetch = GroupFetch {
            group_id: decoded.group_id.to_string(),
            member: None,
            topics: decoded.topics.map(|topics| {
                topics
                    .into_iter()
                    .map(|t| (t.name.to_string(), t.partition_indexes))
                    .collect()
            }),
        };
        let (code, offsets) = fetch_group(context, request, fetch, require_stable).await;
        let topics = offsets
            .into_iter()
            .map(|(topic, partitions)| {
                OffsetFetchResponseTopic::default()
                    .with_name(wire_topic(&topic))
                    .with_partitions(
                        partitions
                            .into_iter()
                            .map(|p| {
                                OffsetFetchResponsePartition::default()
                                    .with_partition_index(p.partition)
                                    .with_committed_offset(p.offset)
                                    .with_committed_leader_epoch(p.leader_epoch)
                                    .with_metadata(Some(wire_str(&p.metadata)))
                                    .with_error_code(if code != 0 && request.api_version < 2 {
                                        code
                                    } else {
                                        p.error_code
                                    })
                            })
                            .collect(),
                    )
            })
            .collect();
        return OffsetFetchResponse::default()
            .with_topics(topics)
            .with_error_code(code);
    }
    let mut groups = Vec::with_capacity(decoded.groups.len());
    for group in decoded.groups {
        let fetch = GroupFetch {
            group_id: group.group_id.to_string(),
            member: (request.api_version >= MEMBER_EPOCH_VERSION).then(|| {
                (
                    group
                        .member_id
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                    group.member_epoch,
                )
            }),
            topics: group.topics.map(|topics| {
                topics
                    .into_iter()
                    .map(|t| (t.name.to_string(), t.partition_indexes))
                    .collect()
            }),
        };
        let (code, offsets) = fetch_group(context, request, fetch, require_stable).await;
        groups.push(
            OffsetFetchResponseGroup::default()
                .with_group_id(group.group_id)
                .with_error_code(code)
                .with_topics(
                    offsets
                        .into_iter()
                        .map(|(topic, partitions)| response_topic(&topic, partitions))
                        .collect(),
                ),
        );
    }
    OffsetFetchResponse::default().with_groups(groups)
}

fn response_topic(topic: &str, partitions: Vec<CommittedOffset>) -> OffsetFetchResponseTopics {
    OffsetFetchResponseTopics::default()
        .with_name(wire_topic(topic))
        .with_partitions(
            partitions
                .into_iter()
                .map(|p| {
                    OffsetFetchResponsePartitions::default()
                        .with_partition_index(p.partition)
                        .with_committed_offset(p.offset)
                        .with_committed_leader_epoch(p.leader_epoch)
                        .with_metadata(Some(wire_str(&p.metadata)))
                        .with_error_code(p.error_code)
                })
                .collect(),
        )
}

/// The group's error code and offsets (empty on error).
async fn fetch_group(
    context: &BrokerContext,
    request: &RequestContext,
    fetch: GroupFetch,
    require_stable: bool,
) -> (i16, Vec<(String, Vec<CommittedOffset>)>) {
    if fetch.group_id.is_empty() {
        return (ResponseError::InvalidGroupId.code(), Vec::new());
    }
    let shard = match context.group_coordinator.shard_for(&fetch.group_id) {
        Ok(shard) => shard,
        Err(code) => return (code, Vec::new()),
    };
    let outcome = shard
        .run(op_meta(request), move |shard, _ctx| {
            let member = fetch
                .member
                .as_ref()
                .map(|(id, epoch)| (id.as_str(), *epoch));
            crate::group::result::CoordinatorResult::response_only(shard.fetch_offsets(
                &fetch.group_id,
                member,
                fetch.topics.as_deref(),
                require_stable,
            ))
        })
        .await;
    match outcome {
        Ok(Ok(offsets)) => (0, offsets),
        Ok(Err(code)) | Err(code) => (code, Vec::new()),
    }
}
