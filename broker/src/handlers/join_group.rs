//! JoinGroup (11), v0–v9: a classic member joins (or rejoins) its group.
//!
//! Routed to the group's shard; the response arrives when the join phase ends (possibly after
//! other members joined or the rebalance timeout passed) and its records are committed. An empty
//! group id is INVALID_GROUP_ID, as Kafka answers before routing.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::{ApiKey, JoinGroupRequest, JoinGroupResponse, ResponseKind};
use kafka_protocol::ResponseError;
use tokio::sync::oneshot;

use crate::context::BrokerContext;
use crate::group::coordinator::op_meta;
use crate::handlers::decode_request;
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::JoinGroup,
    min_version: 0,
    max_version: 9,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: JoinGroupRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::JoinGroup(
            join_group(&context, &request, decoded).await,
        )))
    })
}

fn failed(request: &JoinGroupRequest, code: i16) -> JoinGroupResponse {
    JoinGroupResponse::default()
        .with_error_code(code)
        .with_generation_id(-1)
        .with_member_id(request.member_id.clone())
}

async fn join_group(
    context: &BrokerContext,
    request: &RequestContext,
    decoded: JoinGroupRequest,
) -> JoinGroupResponse {
    if decoded.group_id.is_empty() {
        return failed(&decoded, ResponseError::InvalidGroupId.code());
    }
    let shard = match context
        .group_coordinator
        .shard_for(decoded.group_id.as_str())
    {
        Ok(shard) => shard,
        Err(code) => return failed(&decoded, code),
    };
    let (tx, rx) = oneshot::channel();
    let for_errors = decoded.clone();
    match shard
        .run(op_meta(request), move |shard, ctx| {
            shard.join(ctx, &decoded, tx)
        })
        .await
    {
        Ok(()) => rx
            .await
            .unwrap_or_else(|_| failed(&for_errors, ResponseError::NotCoordinator.code())),
        Err(code) => failed(&for_errors, code),
    }
}
