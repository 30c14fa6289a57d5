//! ListGroups (16), v0–v5: every group this broker coordinates, filtered by state (v4+) and type
//! (v5+), both case-insensitive as in Kafka. While any of its shards loads, the whole answer is
//! COORDINATOR_LOAD_IN_PROGRESS, as Kafka's.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::list_groups_response::ListedGroup;
use kafka_protocol::messages::{
    ApiKey, GroupId, ListGroupsRequest, ListGroupsResponse, ResponseKind,
};

use crate::context::BrokerContext;
use crate::group::coordinator::op_meta;
use crate::group::result::CoordinatorResult;
use crate::group::GroupListing;
use crate::handlers::{decode_request, wire_str};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::ListGroups,
    min_version: 0,
    max_version: 5,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: ListGroupsRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::ListGroups(
            list_groups(&context, &request, decoded).await,
        )))
    })
}

/// Whether `listing` passes the request's filters (empty filter = everything).
fn selected(listing: &GroupListing, states: &[String], types: &[String]) -> bool {
    (states.is_empty() || states.iter().any(|s| s.eq_ignore_ascii_case(listing.state)))
        && (types.is_empty()
            || types
                .iter()
                .any(|t| t.eq_ignore_ascii_case(listing.group_type)))
}

async fn list_groups(
    context: &BrokerContext,
    request: &RequestContext,
    decoded: ListGroupsRequest,
) -> ListGroupsResponse {
    let shards = match context.group_coordinator.all_shards() {
        Ok(shards) => shards,
        Err(code) => return ListGroupsResponse::default().with_error_code(code),
    };
    let states: Vec<String> = decoded
        .states_filter
        .iter()
        .map(|s| s.to_string())
        .collect();
    let types: Vec<String> = decoded.types_filter.iter().map(|s| s.to_string()).collect();
    let mut groups = Vec::new();
    for shard in shards {
        let listed = shard
            .run(op_meta(request), |shard, _ctx| {
                CoordinatorResult::response_only(shard.list())
            })
            .await;
        let listings = match listed {
            Ok(listings) => listings,
            Err(code) => return ListGroupsResponse::default().with_error_code(code),
        };
        for listing in listings.iter().filter(|l| selected(l, &states, &types)) {
            groups.push(
                ListedGroup::default()
                    .with_group_id(GroupId(wire_str(&listing.group_id)))
                    .with_protocol_type(wire_str(&listing.protocol_type))
                    .with_group_state(wire_str(listing.state))
                    .with_group_type(wire_str(listing.group_type)),
            );
        }
    }
    ListGroupsResponse::default().with_groups(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(state: &'static str, group_type: &'static str) -> GroupListing {
        GroupListing {
            group_id: "g".into(),
            state,
            group_type,
            protocol_type: "consumer".into(),
        }
    }

    #[test]
    fn filters_match_case_insensitively_and_empty_filters_match_all() {
        let stable = listing("Stable", "classic");
        assert!(selected(&stable, &[], &[]));
        assert!(selected(&stable, &["stable".into()], &["CLASSIC".into()]));
        assert!(!selected(&stable, &["Empty".into()], &[]));
        assert!(!selected(&stable, &[], &["consumer".into()]));
    }
}
