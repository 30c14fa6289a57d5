//! AlterConfigs (33), the legacy API: the given configs replace all dynamic configs of the
//! resource (keys left out are removed). Topics are validated by the controller; broker keys are
//! first checked here (known, dynamically updatable, valid value).

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::alter_configs_response::AlterConfigsResourceResponse;
use kafka_protocol::messages::{AlterConfigsRequest, AlterConfigsResponse, ApiKey, ResponseKind};
use kafka_protocol::ResponseError;
use strata_controller::{ConfigReplace, ConfigResource};

use crate::context::BrokerContext;
use crate::handlers::config_alteration::{alter_valid_resources, ResourceFailure};
use crate::handlers::{check_broker_config_change, decode_request, resource_type, wire_str};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::AlterConfigs,
    min_version: 0,
    max_version: 2,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: AlterConfigsRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::AlterConfigs(
            alter_configs(&context, decoded).await,
        )))
    })
}

/// Checks one resource locally; `Ok` carries the replacement to send to the controller.
fn prepare(
    resource: &kafka_protocol::messages::alter_configs_request::AlterConfigsResource,
) -> Result<ConfigReplace, ResourceFailure> {
    let kind = resource.resource_type;
    if kind != resource_type::TOPIC && kind != resource_type::BROKER {
        return Err((
            ResponseError::InvalidRequest.code(),
            format!("Unsupported resource type: {kind}"),
        ));
    }
    let mut configs = BTreeMap::new();
    for config in &resource.configs {
        let key = config.name.as_str();
        let value = config.value.as_ref().map(|v| v.as_str());
        if kind == resource_type::BROKER {
            check_broker_config_change(key, value)?;
        }
        let value = value.ok_or_else(|| {
            (
                ResponseError::InvalidRequest.code(),
                format!("Null value not supported for {key}"),
            )
        })?;
        if configs.insert(key.to_string(), value.to_string()).is_some() {
            return Err((
                ResponseError::InvalidRequest.code(),
                format!("Error due to duplicate config keys: {key}"),
            ));
        }
    }
    Ok(ConfigReplace {
        resource: ConfigResource {
            resource_type: kind,
            name: resource.resource_name.as_str().to_string(),
        },
        configs,
    })
}

async fn alter_configs(
    context: &BrokerContext,
    request: AlterConfigsRequest,
) -> AlterConfigsResponse {
    let prepared: Vec<Result<ConfigReplace, ResourceFailure>> =
        request.resources.iter().map(prepare).collect();
    let outcomes = alter_valid_resources(prepared, |valid| {
        context
            .controller
            .legacy_alter_configs(valid, request.validate_only)
    })
    .await;
    let responses = request
        .resources
        .iter()
        .zip(outcomes)
        .map(|(resource, outcome)| {
            let response = AlterConfigsResourceResponse::default()
                .with_resource_type(resource.resource_type)
                .with_resource_name(resource.resource_name.clone());
            match outcome {
                Ok(()) => response.with_error_code(0),
                Err((code, message)) => response
                    .with_error_code(code)
                    .with_error_message(Some(wire_str(&message))),
            }
        })
        .collect();
    AlterConfigsResponse::default().with_responses(responses)
}
