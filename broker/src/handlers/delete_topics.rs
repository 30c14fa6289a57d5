//! DeleteTopics (20): deletes topics by name (v1–v5: `topic_names`) or by name or id (v6+:
//! `topics`) through the controller. Each topic is answered on its own; a name or id listed twice
//! is answered once with INVALID_REQUEST, as Kafka does.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::delete_topics_response::DeletableTopicResult;
use kafka_protocol::messages::{ApiKey, DeleteTopicsRequest, DeleteTopicsResponse, ResponseKind};
use kafka_protocol::ResponseError;
use strata_controller::TopicRef;
use uuid::Uuid;

use crate::context::BrokerContext;
use crate::handlers::{decode_request, wire_str, wire_topic};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::DeleteTopics,
    min_version: 1,
    max_version: 6,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: DeleteTopicsRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::DeleteTopics(
            delete_topics(&context, decoded, request.api_version).await,
        )))
    })
}

async fn delete_topics(
    context: &BrokerContext,
    request: DeleteTopicsRequest,
    version: i16,
) -> DeleteTopicsResponse {
    // Each entry: the topic to delete, or Kafka's INVALID_REQUEST for an entry naming neither or both.
    let entries: Vec<Result<TopicRef, DeletableTopicResult>> = if version >= 6 {
        request
            .topics
            .iter()
            .map(|t| match (&t.name, t.topic_id.is_nil()) {
                (Some(name), true) => Ok(TopicRef::Name(name.as_str().to_string())),
                (None, false) => Ok(TopicRef::Id(t.topic_id)),
                (None, true) => Err(invalid(
                    None,
                    t.topic_id,
                    "Neither topic name nor id were specified.",
                )),
                (Some(name), false) => Err(invalid(
                    Some(name.as_str()),
                    t.topic_id,
                    "You may not specify both topic name and topic id.",
                )),
            })
            .collect()
    } else {
        request
            .topic_names
            .iter()
            .map(|n| Ok(TopicRef::Name(n.as_str().to_string())))
            .collect()
    };
    let mut counts: HashMap<&TopicRef, usize> = HashMap::new();
    for r in entries.iter().flatten() {
        *counts.entry(r).or_default() += 1;
    }
    let image = context.image();
    let result_for = |r: &TopicRef,
                      code: i16,
                      message: Option<String>,
                      resolved: Option<(String, Uuid)>| {
        let (name, id) = match (r, resolved) {
            (_, Some((name, id))) => (Some(name), id),
            (TopicRef::Name(name), None) => (
                Some(name.clone()),
                image.topics.get_by_name(name).map_or(Uuid::nil(), |t| t.id),
            ),
            (TopicRef::Id(id), None) => (image.topics.get_by_id(id).map(|t| t.name.clone()), *id),
        };
        DeletableTopicResult::default()
            .with_name(name.as_deref().map(wire_topic))
            .with_topic_id(id)
            .with_error_code(code)
            .with_error_message(message.as_deref().map(wire_str))
    };
    let unique: Vec<TopicRef> = entries
        .iter()
        .flatten()
        .filter(|r| counts[r] == 1)
        .cloned()
        .collect();
    let mut outcomes = if unique.is_empty() {
        Vec::new()
    } else {
        context.controller.delete_topics(unique).await
    }
    .into_iter();
    let mut reported_duplicates: HashSet<&TopicRef> = HashSet::new();
    let responses = entries
        .iter()
        .filter_map(|entry| {
            let r = match entry {
                Ok(r) => r,
                Err(result) => return Some(result.clone()),
            };
            if counts[r] > 1 {
                // Kafka answers a duplicated name or id once.
                if !reported_duplicates.insert(r) {
                    return None;
                }
                let message = if matches!(r, TopicRef::Id(_)) {
                    "Duplicate topic id."
                } else {
                    "Duplicate topic name."
                };
                return Some(result_for(
                    r,
                    ResponseError::InvalidRequest.code(),
                    Some(message.into()),
                    None,
                ));
            }
            Some(match outcomes.next() {
                Some(Ok(deleted)) => result_for(r, 0, None, Some(deleted)),
                Some(Err(error)) => {
                    result_for(r, error.kafka_error_code(), Some(error.to_string()), None)
                }
                None => result_for(
                    r,
                    ResponseError::UnknownServerError.code(),
                    Some("no outcome from the controller".into()),
                    None,
                ),
            })
        })
        .collect();
    DeleteTopicsResponse::default().with_responses(responses)
}

fn invalid(name: Option<&str>, id: Uuid, message: &str) -> DeletableTopicResult {
    DeletableTopicResult::default()
        .with_name(name.map(wire_topic))
        .with_topic_id(id)
        .with_error_code(ResponseError::InvalidRequest.code())
        .with_error_message(Some(wire_str(message)))
}
