//! DeleteGroups (42), v0–v2: deletes empty groups with their offsets. Per group: INVALID_GROUP_ID
//! for an empty id, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, or the routing error.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::delete_groups_response::DeletableGroupResult;
use kafka_protocol::messages::{ApiKey, DeleteGroupsRequest, DeleteGroupsResponse, ResponseKind};
use kafka_protocol::ResponseError;

use crate::context::BrokerContext;
use crate::group::coordinator::op_meta;
use crate::handlers::decode_request;
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::DeleteGroups,
    min_version: 0,
    max_version: 2,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: DeleteGroupsRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::DeleteGroups(
            delete_groups(&context, &request, decoded).await,
        )))
    })
}

async fn delete_groups(
    context: &BrokerContext,
    request: &RequestContext,
    decoded: DeleteGroupsRequest,
) -> DeleteGroupsResponse {
    let mut results = Vec::with_capacity(decoded.groups_names.len());
    for group_id in decoded.groups_names {
        let code = if group_id.is_empty() {
            ResponseError::InvalidGroupId.code()
        } else {
            match context.group_coordinator.shard_for(group_id.as_str()) {
                Err(code) => code,
                Ok(shard) => {
                    let id = group_id.to_string();
                    shard
                        .run(op_meta(request), move |shard, ctx| {
                            shard.delete_group(ctx, &id)
                        })
                        .await
                        .unwrap_or_else(|code| code)
                }
            }
        };
        results.push(
            DeletableGroupResult::default()
                .with_group_id(group_id)
                .with_error_code(code),
        );
    }
    DeleteGroupsResponse::default().with_results(results)
}
