//! DescribeGroups (15), v0–v6: classic groups with their members (metadata and assignments only
//! while Stable). A group this broker coordinates that is not a classic group, or no group at all,
//! is Dead (with GROUP_ID_NOT_FOUND from v6, KIP-1043); an empty id INVALID_GROUP_ID; routing
//! failures are the group's error code.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::describe_groups_response::DescribedGroup;
use kafka_protocol::messages::{
    ApiKey, DescribeGroupsRequest, DescribeGroupsResponse, ResponseKind,
};
use kafka_protocol::ResponseError;

use crate::context::BrokerContext;
use crate::group::coordinator::op_meta;
use crate::group::result::CoordinatorResult;
use crate::handlers::{decode_request, AUTHORIZED_OPERATIONS_OMITTED};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::DescribeGroups,
    min_version: 0,
    max_version: 6,
    handle,
};

/// Every group operation (READ 3, DELETE 6, DESCRIBE 8) as a bit field: with no authorizer,
/// Kafka reports all.
pub(crate) const GROUP_AUTHORIZED_OPERATIONS_ALL: i32 = (1 << 3) | (1 << 6) | (1 << 8);

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: DescribeGroupsRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::DescribeGroups(
            describe_groups(&context, &request, decoded).await,
        )))
    })
}

async fn describe_groups(
    context: &BrokerContext,
    request: &RequestContext,
    decoded: DescribeGroupsRequest,
) -> DescribeGroupsResponse {
    let operations = if decoded.include_authorized_operations {
        GROUP_AUTHORIZED_OPERATIONS_ALL
    } else {
        AUTHORIZED_OPERATIONS_OMITTED
    };
    let version = request.api_version;
    let mut groups = Vec::with_capacity(decoded.groups.len());
    for group_id in decoded.groups {
        let failed = |code: i16| {
            DescribedGroup::default()
                .with_group_id(group_id.clone())
                .with_error_code(code)
                .with_authorized_operations(operations)
        };
        if group_id.is_empty() {
            groups.push(failed(ResponseError::InvalidGroupId.code()));
            continue;
        }
        let shard = match context.group_coordinator.shard_for(group_id.as_str()) {
            Ok(shard) => shard,
            Err(code) => {
                groups.push(failed(code));
                continue;
            }
        };
        let id = group_id.to_string();
        let described = shard
            .run(op_meta(request), move |shard, _ctx| {
                CoordinatorResult::response_only(shard.describe_classic(&id, version))
            })
            .await;
        groups.push(match described {
            Ok(group) => group.with_authorized_operations(operations),
            Err(code) => failed(code),
        });
    }
    DescribeGroupsResponse::default().with_groups(groups)
}
