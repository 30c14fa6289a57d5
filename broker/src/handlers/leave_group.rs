//! LeaveGroup (13), v0–v5: classic members leave (v3+ a batch, with per-member errors). Empty
//! group id: INVALID_GROUP_ID.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::{ApiKey, LeaveGroupRequest, LeaveGroupResponse, ResponseKind};
use kafka_protocol::ResponseError;

use crate::context::BrokerContext;
use crate::group::coordinator::op_meta;
use crate::handlers::decode_request;
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::LeaveGroup,
    min_version: 0,
    max_version: 5,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: LeaveGroupRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::LeaveGroup(
            leave_group(&context, &request, decoded).await,
        )))
    })
}

async fn leave_group(
    context: &BrokerContext,
    request: &RequestContext,
    decoded: LeaveGroupRequest,
) -> LeaveGroupResponse {
    let failed = |code: i16| LeaveGroupResponse::default().with_error_code(code);
    if decoded.group_id.is_empty() {
        return failed(ResponseError::InvalidGroupId.code());
    }
    let shard = match context
        .group_coordinator
        .shard_for(decoded.group_id.as_str())
    {
        Ok(shard) => shard,
        Err(code) => return failed(code),
    };
    shard
        .run(op_meta(request), move |shard, ctx| {
            shard.leave(ctx, &decoded)
        })
        .await
        .unwrap_or_else(failed)
}
