//! Heartbeat (12), v0–v4: a classic member stays alive and learns of rebalances
//! (REBALANCE_IN_PROGRESS). Empty group id: INVALID_GROUP_ID.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::{ApiKey, HeartbeatRequest, HeartbeatResponse, ResponseKind};
use kafka_protocol::ResponseError;

use crate::context::BrokerContext;
use crate::group::coordinator::op_meta;
use crate::handlers::decode_request;
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::Heartbeat,
    min_version: 0,
    max_version: 4,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: HeartbeatRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::Heartbeat(
            heartbeat(&context, &request, decoded).await,
        )))
    })
}

async fn heartbeat(
    context: &BrokerContext,
    request: &RequestContext,
    decoded: HeartbeatRequest,
) -> HeartbeatResponse {
    let failed = |code: i16| HeartbeatResponse::default().with_error_code(code);
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
            shard.heartbeat(ctx, &decoded)
        })
        .await
        .unwrap_or_else(failed)
}
