//! CreateTopics (19): validates and creates topics through the controller.
//!
//! Kafka's rules kept here: a name listed twice fails once with INVALID_REQUEST; `__cluster_metadata`
//! cannot be created; a
//! null config value is INVALID_CONFIG; -1 partitions / replication factor take the broker
//! defaults (`num.partitions`, `default.replication.factor`); `validate_only` checks everything
//! and creates nothing. From v5 a successful result carries the partition count, replication
//! factor and every topic config with its value and source (as DescribeConfigs would).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::create_topics_response::{
    CreatableTopicConfigs, CreatableTopicResult,
};
use kafka_protocol::messages::{ApiKey, CreateTopicsRequest, CreateTopicsResponse, ResponseKind};
use kafka_protocol::ResponseError;
use strata_controller::CreateTopicSpec;

use crate::config::describe::{describe_topic_configs, DynamicBrokerConfigs};
use crate::context::BrokerContext;
use crate::handlers::{decode_request, wire_str, wire_topic};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::CreateTopics,
    min_version: 2,
    max_version: 7,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: CreateTopicsRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::CreateTopics(
            create_topics(&context, decoded).await,
        )))
    })
}

/// The metadata log's topic, which clients may not create.
const CLUSTER_METADATA_TOPIC: &str = "__cluster_metadata";

fn failed(name: &str, code: i16, message: String) -> CreatableTopicResult {
    CreatableTopicResult::default()
        .with_name(wire_topic(name))
        .with_error_code(code)
        .with_error_message(Some(wire_str(&message)))
        .with_num_partitions(-1)
        .with_replication_factor(-1)
        .with_configs(Some(Vec::new()))
}

async fn create_topics(
    context: &BrokerContext,
    request: CreateTopicsRequest,
) -> CreateTopicsResponse {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for topic in &request.topics {
        *counts.entry(topic.name.as_str().to_string()).or_default() += 1;
    }
    // One slot per request topic, in request order: either an early failure or a spec index.
    let mut results: Vec<Option<CreatableTopicResult>> = Vec::with_capacity(request.topics.len());
    let mut specs: Vec<CreateTopicSpec> = Vec::new();
    let mut reported_duplicates: HashSet<String> = HashSet::new();
    let mut spec_slots: Vec<usize> = Vec::new();
    for topic in &request.topics {
        let name = topic.name.as_str().to_string();
        if counts.get(&name).copied().unwrap_or(0) > 1 {
            // Kafka answers a duplicated name once.
            if reported_duplicates.insert(name.clone()) {
                results.push(Some(failed(
                    &name,
                    ResponseError::InvalidRequest.code(),
                    "Duplicate topic name.".into(),
                )));
            }
            continue;
        }
        if name == CLUSTER_METADATA_TOPIC {
            results.push(Some(failed(
                &name,
                ResponseError::InvalidRequest.code(),
                format!("Creation of internal topic {CLUSTER_METADATA_TOPIC} is prohibited."),
            )));
            continue;
        }
        let mut configs = BTreeMap::new();
        let mut null_config = None;
        for config in &topic.configs {
            match &config.value {
                Some(value) => {
                    configs.insert(config.name.as_str().to_string(), value.as_str().to_string());
                }
                None => null_config = Some(config.name.as_str().to_string()),
            }
        }
        if let Some(key) = null_config {
            results.push(Some(failed(
                &name,
                ResponseError::InvalidConfig.code(),
                format!("Null value not supported for topic configs: {key}"),
            )));
            continue;
        }
        spec_slots.push(results.len());
        results.push(None);
        specs.push(CreateTopicSpec {
            name,
            num_partitions: topic.num_partitions,
            replication_factor: topic.replication_factor,
            assignments: topic
                .assignments
                .iter()
                .map(|a| {
                    (
                        a.partition_index,
                        a.broker_ids.iter().map(|id| id.0).collect(),
                    )
                })
                .collect(),
            configs,
        });
    }

    let outcomes = if specs.is_empty() {
        Vec::new()
    } else {
        context
            .controller
            .create_topics(specs.clone(), request.validate_only)
            .await
    };
    let image = context.image();
    let node_key = context.node_id.to_string();
    let empty = BTreeMap::new();
    let dynamic = DynamicBrokerConfigs {
        node: image.configs.brokers.get(&node_key).unwrap_or(&empty),
        cluster: image.configs.brokers.get("").unwrap_or(&empty),
    };
    for ((slot, spec), outcome) in spec_slots.into_iter().zip(&specs).zip(outcomes) {
        results[slot] = Some(match outcome {
            Ok(created) => {
                let configs = describe_topic_configs(&context.config, &dynamic, &created.configs)
                    .into_iter()
                    .map(|c| {
                        CreatableTopicConfigs::default()
                            .with_name(wire_str(c.name))
                            .with_value(c.value.as_deref().map(wire_str))
                            .with_read_only(c.read_only)
                            .with_config_source(c.source.id())
                            .with_is_sensitive(c.sensitive)
                    })
                    .collect();
                CreatableTopicResult::default()
                    .with_name(wire_topic(&created.name))
                    .with_topic_id(created.topic_id)
                    .with_error_code(0)
                    .with_num_partitions(created.num_partitions)
                    .with_replication_factor(created.replication_factor)
                    .with_configs(Some(configs))
            }
            Err(error) => failed(&spec.name, error.kafka_error_code(), error.to_string()),
        });
    }
    CreateTopicsResponse::default().with_topics(results.into_iter().flatten().collect())
}
