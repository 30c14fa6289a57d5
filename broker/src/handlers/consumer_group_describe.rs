//! ConsumerGroupDescribe (69), v0–v1: consumer groups with epochs, assignor, members, current and
//! target assignments. Per group: INVALID_GROUP_ID for an empty id, GROUP_ID_NOT_FOUND for an
//! unknown group or a classic one, or the routing error.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::consumer_group_describe_response::DescribedGroup;
use kafka_protocol::messages::{
    ApiKey, ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse, ResponseKind,
};
use kafka_protocol::ResponseError;

use crate::context::BrokerContext;
use crate::group::coordinator::op_meta;
use crate::group::result::CoordinatorResult;
use crate::handlers::describe_groups::GROUP_AUTHORIZED_OPERATIONS_ALL;
use crate::handlers::{decode_request, wire_str, AUTHORIZED_OPERATIONS_OMITTED};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::ConsumerGroupDescribe,
    min_version: 0,
    max_version: 1,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: ConsumerGroupDescribeRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::ConsumerGroupDescribe(
            describe(&context, &request, decoded).await,
        )))
    })
}

async fn describe(
    context: &BrokerContext,
    request: &RequestContext,
    decoded: ConsumerGroupDescribeRequest,
) -> ConsumerGroupDescribeResponse {
    let operations = if decoded.include_authorized_operations {
        GROUP_AUTHORIZED_OPERATIONS_ALL
    } else {
        AUTHORIZED_OPERATIONS_OMITTED
    };
    let mut groups = Vec::with_capacity(decoded.group_ids.len());
    for group_id in decoded.group_ids {
        let failed = |code: i16, message: Option<String>| {
            DescribedGroup::default()
                .with_group_id(group_id.clone())
                .with_error_code(code)
                .with_error_message(message.as_deref().map(wire_str))
                .with_authorized_operations(operations)
        };
        if group_id.is_empty() {
            groups.push(failed(ResponseError::InvalidGroupId.code(), None));
            continue;
        }
        let shard = match context.group_coordinator.shard_for(group_id.as_str()) {
            Ok(shard) => shard,
            Err(code) => {
                groups.push(failed(code, None));
                continue;
            }
        };
        let id = group_id.to_string();
        let described = shard
            .run(op_meta(request), move |shard, ctx| {
                CoordinatorResult::response_only(shard.describe_consumer(&id, ctx.image))
            })
            .await;
        groups.push(match described {
            Ok(Ok(group)) => group.with_authorized_operations(operations),
            Ok(Err((code, message))) => failed(code, Some(message)),
            Err(code) => failed(code, None),
        });
    }
    ConsumerGroupDescribeResponse::default().with_groups(groups)
}
