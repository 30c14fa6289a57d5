//! SyncGroup (14), v0–v5: members of a classic group receive their assignment (the leader sends
//! it). A follower's response waits for the leader's SyncGroup. Empty group id: INVALID_GROUP_ID.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::{ApiKey, ResponseKind, SyncGroupRequest, SyncGroupResponse};
use kafka_protocol::ResponseError;
use tokio::sync::oneshot;

use crate::context::BrokerContext;
use crate::group::coordinator::op_meta;
use crate::handlers::decode_request;
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::SyncGroup,
    min_version: 0,
    max_version: 5,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: SyncGroupRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::SyncGroup(
            sync_group(&context, &request, decoded).await,
        )))
    })
}

fn failed(code: i16) -> SyncGroupResponse {
    SyncGroupResponse::default().with_error_code(code)
}

async fn sync_group(
    context: &BrokerContext,
    request: &RequestContext,
    decoded: SyncGroupRequest,
) -> SyncGroupResponse {
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
    let (tx, rx) = oneshot::channel();
    match shard
        .run(op_meta(request), move |shard, ctx| {
            shard.sync(ctx, &decoded, tx)
        })
        .await
    {
        Ok(()) => rx
            .await
            .unwrap_or_else(|_| failed(ResponseError::NotCoordinator.code())),
        Err(code) => failed(code),
    }
}
