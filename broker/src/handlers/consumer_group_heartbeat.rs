//! ConsumerGroupHeartbeat (68), v0–v1: the KIP-848 consumer protocol. Members join, heartbeat,
//! reconcile their assignment and leave through this one API; the group's shard validates the
//! request and answers. With `consumer` missing from `group.coordinator.rebalance.protocols` the
//! answer is UNSUPPORTED_VERSION, as Kafka's.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::{
    ApiKey, ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, ResponseKind,
};
use kafka_protocol::ResponseError;

use crate::context::BrokerContext;
use crate::group::coordinator::op_meta;
use crate::handlers::{decode_request, wire_str};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::ConsumerGroupHeartbeat,
    min_version: 0,
    max_version: 1,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: ConsumerGroupHeartbeatRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::ConsumerGroupHeartbeat(
            heartbeat(&context, &request, decoded).await,
        )))
    })
}

async fn heartbeat(
    context: &BrokerContext,
    request: &RequestContext,
    decoded: ConsumerGroupHeartbeatRequest,
) -> ConsumerGroupHeartbeatResponse {
    let failed = |code: i16| ConsumerGroupHeartbeatResponse::default().with_error_code(code);
    if !context.group_coordinator.config().consumer_protocol_enabled {
        return failed(ResponseError::UnsupportedVersion.code());
    }
    if decoded.group_id.is_empty() {
        return failed(ResponseError::InvalidRequest.code())
            .with_error_message(Some(wire_str("GroupId can't be empty.")));
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
            shard.consumer_heartbeat(ctx, &decoded)
        })
        .await
        .unwrap_or_else(failed)
}
