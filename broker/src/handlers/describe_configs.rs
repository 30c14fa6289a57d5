//! DescribeConfigs (32): every config of a TOPIC or BROKER resource with its value, source,
//! read-only and sensitive flags, synonyms (when `include_synonyms`), documentation (when
//! `include_documentation`) and type (v3+). Resource errors are per resource, as Kafka does.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::describe_configs_response::{
    DescribeConfigsResourceResult, DescribeConfigsResult, DescribeConfigsSynonym,
};
use kafka_protocol::messages::{
    ApiKey, DescribeConfigsRequest, DescribeConfigsResponse, ResponseKind,
};
use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;

use crate::config::describe::{
    describe_broker_configs, describe_topic_configs, DescribedConfig, DynamicBrokerConfigs,
};
use crate::config::KafkaConfig;
use crate::context::BrokerContext;
use crate::handlers::{decode_request, resource_type, wire_str};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::DescribeConfigs,
    min_version: 1,
    max_version: 4,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: DescribeConfigsRequest = decode_request(&request, body)?;
        let image = context.image();
        let results = decoded
            .resources
            .iter()
            .map(|resource| {
                describe_resource(&context.config, context.node_id, &image, resource, &decoded)
            })
            .collect();
        Ok(Some(ResponseKind::DescribeConfigs(
            DescribeConfigsResponse::default().with_results(results),
        )))
    })
}

fn describe_resource(
    config: &KafkaConfig,
    node_id: i32,
    image: &MetadataImage,
    resource: &DescribeConfigsResource,
    request: &DescribeConfigsRequest,
) -> DescribeConfigsResult {
    let result = DescribeConfigsResult::default()
        .with_resource_type(resource.resource_type)
        .with_resource_name(resource.resource_name.clone());
    let fail = |error: ResponseError, message: String| {
        result
            .clone()
            .with_error_code(error.code())
            .with_error_message(Some(wire_str(&message)))
    };
    let name = resource.resource_name.as_str();
    let empty = BTreeMap::new();
    let dynamic = DynamicBrokerConfigs {
        node: image
            .configs
            .brokers
            .get(&node_id.to_string())
            .unwrap_or(&empty),
        cluster: image.configs.brokers.get("").unwrap_or(&empty),
    };
    let described = match resource.resource_type {
        resource_type::TOPIC => {
            if let Err(error) = strata_controller::topic_name::validate_topic_name(name) {
                return fail(ResponseError::InvalidTopicException, error.to_string());
            }
            if image.topics.get_by_name(name).is_none() {
                return fail(
                    ResponseError::UnknownTopicOrPartition,
                    format!("Topic {name} does not exist"),
                );
            }
            describe_topic_configs(
                config,
                &dynamic,
                image.configs.topics.get(name).unwrap_or(&empty),
            )
        }
        resource_type::BROKER if name.is_empty() => {
            describe_broker_configs(config, &dynamic, false)
        }
        resource_type::BROKER => match name.parse::<i32>() {
            Ok(id) if id == node_id => describe_broker_configs(config, &dynamic, true),
            Ok(id) => {
                return fail(
                    ResponseError::InvalidRequest,
                    format!(
                    "Unexpected broker id, expected {node_id} or empty string, but received {id}"
                ),
                )
            }
            Err(_) => {
                return fail(
                    ResponseError::InvalidRequest,
                    format!("Broker id must be an integer, but it is: {name}"),
                )
            }
        },
        resource_type::BROKER_LOGGER => {
            return fail(
                ResponseError::InvalidRequest,
                "BROKER_LOGGER configs are not supported by Strata".into(),
            )
        }
        other => {
            return fail(
                ResponseError::InvalidRequest,
                format!("Unsupported resource type: {other}"),
            )
        }
    };
    let wanted = resource
        .configuration_keys
        .as_ref()
        .filter(|keys| !keys.is_empty());
    let configs = described
        .into_iter()
        .filter(|c| wanted.is_none_or(|keys| keys.iter().any(|k| k.as_str() == c.name)))
        .map(|c| to_wire(c, request.include_synonyms, request.include_documentation))
        .collect();
    result.with_error_code(0).with_configs(configs)
}

fn to_wire(
    config: DescribedConfig,
    include_synonyms: bool,
    include_documentation: bool,
) -> DescribeConfigsResourceResult {
    let synonyms = if include_synonyms {
        config
            .synonyms
            .iter()
            .map(|s| {
                DescribeConfigsSynonym::default()
                    .with_name(wire_str(&s.name))
                    .with_value(s.value.as_deref().map(wire_str))
                    .with_source(s.source.id())
            })
            .collect()
    } else {
        Vec::new()
    };
    DescribeConfigsResourceResult::default()
        .with_name(wire_str(config.name))
        .with_value(config.value.as_deref().map(wire_str))
        .with_read_only(config.read_only)
        .with_config_source(config.source.id())
        .with_is_sensitive(config.sensitive)
        .with_synonyms(synonyms)
        .with_config_type(config.config_type)
        .with_documentation(include_documentation.then(|| wire_str(config.doc)))
}
