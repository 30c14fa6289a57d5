//! DescribeCluster (60): cluster id, the controller id clients see, and the brokers' endpoints on
//! the listener the request came in on.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::describe_cluster_response::DescribeClusterBroker;
use kafka_protocol::messages::{
    ApiKey, BrokerId, DescribeClusterRequest, DescribeClusterResponse, ResponseKind,
};
use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;

use crate::context::BrokerContext;
use crate::handlers::{
    client_visible_controller_id, decode_request, wire_str, AUTHORIZED_OPERATIONS_OMITTED,
    CLUSTER_AUTHORIZED_OPERATIONS_ALL,
};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::DescribeCluster,
    min_version: 0,
    max_version: 2,
    handle,
};

/// `endpoint_type` values (KIP-919).
const ENDPOINT_TYPE_BROKER: i8 = 1;

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: DescribeClusterRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::DescribeCluster(describe_cluster(
            &context.image(),
            &decoded,
            &request.listener,
        ))))
    })
}

fn describe_cluster(
    image: &MetadataImage,
    request: &DescribeClusterRequest,
    listener: &str,
) -> DescribeClusterResponse {
    // v0 has no endpoint_type; it decodes as the default (brokers).
    if request.endpoint_type != ENDPOINT_TYPE_BROKER {
        return DescribeClusterResponse::default()
            .with_error_code(ResponseError::UnsupportedEndpointType.code())
            .with_error_message(Some(wire_str(&format!(
                "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type {}",
                if request.endpoint_type == 2 { "CONTROLLER".to_string() } else { format!("UNKNOWN({})", request.endpoint_type) }
            ))))
            .with_endpoint_type(request.endpoint_type);
    }
    let brokers = image
        .brokers
        .values()
        .filter(|b| request.include_fenced_brokers || !b.fenced)
        .filter_map(|b| {
            let endpoint = b.listeners.iter().find(|e| e.name == listener)?;
            Some(
                DescribeClusterBroker::default()
                    .with_broker_id(BrokerId(b.id))
                    .with_host(wire_str(&endpoint.host))
                    .with_port(i32::from(endpoint.port))
                    .with_rack(b.rack.as_deref().map(wire_str))
                    .with_is_fenced(b.fenced),
            )
        })
        .collect();
    DescribeClusterResponse::default()
        .with_error_code(0)
        .with_endpoint_type(ENDPOINT_TYPE_BROKER)
        .with_cluster_id(wire_str(&image.cluster_id))
        .with_controller_id(BrokerId(client_visible_controller_id(image)))
        .with_brokers(brokers)
        .with_cluster_authorized_operations(if request.include_cluster_authorized_operations {
            CLUSTER_AUTHORIZED_OPERATIONS_ALL
        } else {
            AUTHORIZED_OPERATIONS_OMITTED
        })
}
