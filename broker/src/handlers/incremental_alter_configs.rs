//! IncrementalAlterConfigs (44): SET, DELETE, APPEND and SUBTRACT on topic and broker configs.
//! The controller applies the operations and validates the result per resource; broker keys are
//! first checked here (known, dynamically updatable, valid value).

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::incremental_alter_configs_request::AlterConfigsResource;
use kafka_protocol::messages::incremental_alter_configs_response::AlterConfigsResourceResponse;
use kafka_protocol::messages::{
    ApiKey, IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, ResponseKind,
};
use kafka_protocol::ResponseError;
use strata_controller::{AlterConfigOp, AlterConfigOpType, ConfigChange, ConfigResource};

use crate::context::BrokerContext;
use crate::handlers::config_alteration::{alter_valid_resources, ResourceFailure};
use crate::handlers::{check_broker_config_change, decode_request, resource_type, wire_str};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::IncrementalAlterConfigs,
    min_version: 0,
    max_version: 1,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: IncrementalAlterConfigsRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::IncrementalAlterConfigs(
            incremental_alter_configs(&context, decoded).await,
        )))
    })
}

fn prepare(resource: &AlterConfigsResource) -> Result<ConfigChange, ResourceFailure> {
    let kind = resource.resource_type;
    if kind != resource_type::TOPIC && kind != resource_type::BROKER {
        return Err((
            ResponseError::InvalidRequest.code(),
            format!("Unsupported resource type: {kind}"),
        ));
    }
    let mut ops = Vec::with_capacity(resource.configs.len());
    for config in &resource.configs {
        let key = config.name.as_str();
        let op = AlterConfigOpType::from_id(config.config_operation).ok_or_else(|| {
            (
                ResponseError::InvalidRequest.code(),
                format!(
                    "Unknown config operation {} for {key}",
                    config.config_operation
                ),
            )
        })?;
        let value = config.value.as_ref().map(|v| v.as_str().to_string());
        if kind == resource_type::BROKER {
            let checked = if op == AlterConfigOpType::Delete {
                None
            } else {
                value.as_deref()
            };
            check_broker_config_change(key, checked)?;
        }
        ops.push(AlterConfigOp {
            key: key.to_string(),
            op,
            value,
        });
    }
    Ok(ConfigChange {
        resource: ConfigResource {
            resource_type: kind,
            name: resource.resource_name.as_str().to_string(),
        },
        ops,
    })
}

async fn incremental_alter_configs(
    context: &BrokerContext,
    request: IncrementalAlterConfigsRequest,
) -> IncrementalAlterConfigsResponse {
    let prepared: Vec<Result<ConfigChange, ResourceFailure>> =
        request.resources.iter().map(prepare).collect();
    let outcomes = alter_valid_resources(prepared, |valid| {
        context
            .controller
            .incremental_alter_configs(valid, request.validate_only)
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
    IncrementalAlterConfigsResponse::default().with_responses(responses)
}
