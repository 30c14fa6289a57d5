//! FindCoordinator (10), v0–v6: which broker coordinates a group.
//!
//! Kafka's `KafkaApis.handleFindCoordinatorRequest`/`getCoordinator`: v0–v3 carry one key, v4+ a
//! batch (`coordinator_keys`, one `Coordinator` entry each). Key type 0 (group): the leader of the
//! group's `__consumer_offsets` partition, creating the topic on first use; COORDINATOR_NOT_AVAILABLE
//! while it has no live leader. Key type 1 (transactional id): Strata has no transaction
//! coordinator, so the answer is what Kafka answers while `__transaction_state` has no leader,
//! COORDINATOR_NOT_AVAILABLE. Key type 2 (share) below v6, or with no share coordinator, and
//! unknown key types: INVALID_REQUEST.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::find_coordinator_response::Coordinator;
use kafka_protocol::messages::{
    ApiKey, BrokerId, FindCoordinatorRequest, FindCoordinatorResponse, ResponseKind,
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;

use crate::context::BrokerContext;
use crate::group::coordinator::key_type;
use crate::handlers::{decode_request, wire_str};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::FindCoordinator,
    min_version: 0,
    max_version: 6,
    handle,
};

/// First version with batched `coordinator_keys`.
const BATCHED_VERSION: i16 = 4;

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: FindCoordinatorRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::FindCoordinator(
            find_coordinator(&context, &request, decoded).await,
        )))
    })
}

/// One key's answer: (error code, message, node id, host, port).
struct Answer {
    code: i16,
    message: Option<String>,
    node_id: i32,
    host: String,
    port: i32,
}

impl Answer {
    fn error(code: i16, message: String) -> Self {
        Self {
            code,
            message: Some(message),
            node_id: -1,
            host: String::new(),
            port: -1,
        }
    }
}

async fn find_coordinator(
    context: &BrokerContext,
    request: &RequestContext,
    decoded: FindCoordinatorRequest,
) -> FindCoordinatorResponse {
    let version = request.api_version;
    if version < BATCHED_VERSION {
        let answer = answer_key(context, request, decoded.key_type, decoded.key.as_str()).await;
        return FindCoordinatorResponse::default()
            .with_error_code(answer.code)
            .with_error_message(answer.message.as_deref().map(wire_str))
            .with_node_id(BrokerId(answer.node_id))
            .with_host(wire_str(&answer.host))
            .with_port(answer.port);
    }
    let mut coordinators = Vec::with_capacity(decoded.coordinator_keys.len());
    for key in &decoded.coordinator_keys {
        let answer = answer_key(context, request, decoded.key_type, key.as_str()).await;
        coordinators.push(
            Coordinator::default()
                .with_key(key.clone())
                .with_error_code(answer.code)
                .with_error_message(answer.message.as_deref().map(wire_str))
                .with_node_id(BrokerId(answer.node_id))
                .with_host(StrBytes::from_string(answer.host))
                .with_port(answer.port),
        );
    }
    FindCoordinatorResponse::default().with_coordinators(coordinators)
}

async fn answer_key(
    context: &BrokerContext,
    request: &RequestContext,
    kind: i8,
    key: &str,
) -> Answer {
    match kind {
        key_type::GROUP => match context
            .group_coordinator
            .find_group_coordinator(key, &request.listener)
            .await
        {
            Ok(node) => Answer {
                code: 0,
                message: None,
                node_id: node.node_id,
                host: node.host,
                port: i32::from(node.port),
            },
            Err((code, message)) => Answer::error(code, message),
        },
        key_type::TRANSACTION => Answer::error(
            ResponseError::CoordinatorNotAvailable.code(),
            "The coordinator is not available.".to_owned(),
        ),
        key_type::SHARE => Answer::error(
            ResponseError::InvalidRequest.code(),
            "Share groups are not enabled.".to_owned(),
        ),
        other => Answer::error(
            ResponseError::InvalidRequest.code(),
            format!("Unknown coordinator type {other}"),
        ),
    }
}
