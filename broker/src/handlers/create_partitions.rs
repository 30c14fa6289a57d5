//! CreatePartitions (37): grows topics to a new total partition count through the controller.
//! A topic listed twice is answered once with INVALID_REQUEST; every requested topic gets a result.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::create_partitions_response::CreatePartitionsTopicResult;
use kafka_protocol::messages::{
    ApiKey, CreatePartitionsRequest, CreatePartitionsResponse, ResponseKind,
};
use kafka_protocol::ResponseError;
use strata_controller::CreatePartitionsSpec;

use crate::context::BrokerContext;
use crate::handlers::{decode_request, wire_str, wire_topic};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::CreatePartitions,
    min_version: 0,
    max_version: 3,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: CreatePartitionsRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::CreatePartitions(
            create_partitions(&context, decoded).await,
        )))
    })
}

async fn create_partitions(
    context: &BrokerContext,
    request: CreatePartitionsRequest,
) -> CreatePartitionsResponse {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for topic in &request.topics {
        *counts.entry(topic.name.as_str().to_string()).or_default() += 1;
    }
    let specs: Vec<CreatePartitionsSpec> = request
        .topics
        .iter()
        .filter(|t| counts[t.name.as_str()] == 1)
        .map(|t| CreatePartitionsSpec {
            name: t.name.as_str().to_string(),
            count: t.count,
            assignments: t.assignments.as_ref().map(|assignments| {
                assignments
                    .iter()
                    .map(|a| a.broker_ids.iter().map(|id| id.0).collect())
                    .collect()
            }),
        })
        .collect();
    let mut outcomes = if specs.is_empty() {
        Vec::new()
    } else {
        context
            .controller
            .create_partitions(specs, request.validate_only)
            .await
    }
    .into_iter();
    let mut reported_duplicates: HashSet<String> = HashSet::new();
    let results = request
        .topics
        .iter()
        .filter_map(|t| {
            let result =
                CreatePartitionsTopicResult::default().with_name(wire_topic(t.name.as_str()));
            if counts[t.name.as_str()] > 1 {
                // Kafka answers a duplicated name once.
                return reported_duplicates
                    .insert(t.name.as_str().to_string())
                    .then(|| {
                        result
                            .with_error_code(ResponseError::InvalidRequest.code())
                            .with_error_message(Some(wire_str("Duplicate topic name.")))
                    });
            }
            Some(match outcomes.next() {
                Some(Ok(())) => result.with_error_code(0),
                Some(Err(error)) => result
                    .with_error_code(error.kafka_error_code())
                    .with_error_message(Some(wire_str(&error.to_string()))),
                None => result.with_error_code(ResponseError::UnknownServerError.code()),
            })
        })
        .collect();
    CreatePartitionsResponse::default().with_results(results)
}
