//! ListConfigResources (74), v0–v1: the resources whose configs DescribeConfigs can show.
//!
//! v0 is KIP-714's ListClientMetricsResources and lists client-metrics subscriptions only; v1
//! (KIP-1142) takes `resource_types`, empty meaning every type. Listed per type: TOPIC (2) every
//! topic; BROKER (4) and BROKER_LOGGER (8) every registered broker id; GROUP (32) groups with
//! dynamic configs; CLIENT_METRICS (16) subscriptions. Strata keeps no group configs or client
//! metrics subscriptions yet, so those two types list nothing. A type Kafka does not define is
//! INVALID_REQUEST.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::list_config_resources_response::ConfigResource;
use kafka_protocol::messages::{
    ApiKey, ListConfigResourcesRequest, ListConfigResourcesResponse, ResponseKind,
};
use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;

use crate::context::BrokerContext;
use crate::handlers::{decode_request, wire_str};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::ListConfigResources,
    min_version: 0,
    max_version: 1,
    handle,
};

/// Kafka's `ConfigResource.Type` ids.
const TOPIC: i8 = 2;
const BROKER: i8 = 4;
const BROKER_LOGGER: i8 = 8;
const CLIENT_METRICS: i8 = 16;
const GROUP: i8 = 32;
const ALL_TYPES: [i8; 5] = [TOPIC, BROKER, BROKER_LOGGER, CLIENT_METRICS, GROUP];

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: ListConfigResourcesRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::ListConfigResources(
            list_config_resources(&context.image(), &decoded, request.api_version),
        )))
    })
}

/// The config resources of the requested types.
pub(crate) fn list_config_resources(
    image: &MetadataImage,
    request: &ListConfigResourcesRequest,
    version: i16,
) -> ListConfigResourcesResponse {
    let mut response = ListConfigResourcesResponse::default();
    let types: Vec<i8> = if version == 0 {
        vec![CLIENT_METRICS]
    } else if request.resource_types.is_empty() {
        ALL_TYPES.to_vec()
    } else {
        request.resource_types.clone()
    };
    if types.iter().any(|t| !ALL_TYPES.contains(t)) {
        response.error_code = ResponseError::InvalidRequest.code();
        return response;
    }
    let mut push = |name: String, resource_type: i8| {
        let mut resource = ConfigResource::default();
        resource.resource_name = wire_str(&name);
        resource.resource_type = resource_type;
        response.config_resources.push(resource);
    };
    for resource_type in types {
        match resource_type {
            TOPIC => image
                .topics
                .by_name
                .keys()
                .for_each(|name| push(name.clone(), TOPIC)),
            BROKER | BROKER_LOGGER => {
                image
                    .brokers
                    .keys()
                    .for_each(|id| push(id.to_string(), resource_type));
            }
            _ => {}
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replica_manager::testing::add_topic;

    #[test]
    fn v1_without_types_lists_topics_and_v0_lists_only_client_metrics() {
        let mut image = MetadataImage::empty("c");
        add_topic(&mut image, "t", 1);
        let all = list_config_resources(&image, &ListConfigResourcesRequest::default(), 1);
        assert!(all
            .config_resources
            .iter()
            .any(|r| r.resource_type == TOPIC && r.resource_name.as_str() == "t"));
        let v0 = list_config_resources(&image, &ListConfigResourcesRequest::default(), 0);
        assert!(v0.config_resources.is_empty());
    }

    #[test]
    fn an_unknown_resource_type_is_an_invalid_request() {
        let mut request = ListConfigResourcesRequest::default();
        request.resource_types = vec![3];
        let image = MetadataImage::empty("c");
        assert_eq!(
            list_config_resources(&image, &request, 1).error_code,
            ResponseError::InvalidRequest.code()
        );
    }
}
