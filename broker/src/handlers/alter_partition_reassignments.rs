//! AlterPartitionReassignments (45), v0–v1: move partition replicas to other brokers, or cancel
//! a move in progress.
//!
//! Validation follows Kafka's controller (`ReplicationControlManager`): an unknown partition gets
//! UNKNOWN_TOPIC_OR_PARTITION; a cancel (`replicas = null`) with nothing in progress gets
//! NO_REASSIGNMENT_IN_PROGRESS; an empty list, a broker listed twice or a broker that is not
//! registered gets INVALID_REPLICA_ASSIGNMENT naming the problem; a changed replica count without
//! `allow_replication_factor_change` (v1) gets INVALID_REPLICATION_FACTOR. A target equal to the
//! current replicas completes at once. Any other target moves data between brokers, which needs
//! replicated partitions: this Strata version answers INVALID_REPLICA_ASSIGNMENT saying so (on a
//! single node every valid target equals the current replicas).

use std::collections::HashSet;
use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::alter_partition_reassignments_response::{
    ReassignablePartitionResponse, ReassignableTopicResponse,
};
use kafka_protocol::messages::{
    AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse, ApiKey, ResponseKind,
};
use kafka_protocol::ResponseError;
use strata_controller::{MetadataImage, PartitionRegistration};

use crate::context::BrokerContext;
use crate::handlers::{decode_request, wire_str};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::AlterPartitionReassignments,
    min_version: 0,
    max_version: 1,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: AlterPartitionReassignmentsRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::AlterPartitionReassignments(
            alter_reassignments(&context.image(), &decoded, request.api_version),
        )))
    })
}

/// Why a requested reassignment of one partition is refused: a Kafka error code and its message.
type Refusal = (ResponseError, Option<String>);

fn check(
    image: &MetadataImage,
    current: &PartitionRegistration,
    target: Option<&[i32]>,
    allow_rf_change: bool,
) -> Result<(), Refusal> {
    let in_progress = !current.adding_replicas.is_empty() || !current.removing_replicas.is_empty();
    let Some(target) = target else {
        return if in_progress {
            Err((
                ResponseError::InvalidReplicaAssignment,
                Some(unsupported_move()),
            ))
        } else {
            Err((ResponseError::NoReassignmentInProgress, None))
        };
    };
    if target.is_empty() {
        return Err((
            ResponseError::InvalidReplicaAssignment,
            Some("The manual partition assignment includes an empty replica list.".into()),
        ));
    }
    let mut seen = HashSet::new();
    for broker in target {
        if !seen.insert(*broker) {
            return Err((
                ResponseError::InvalidReplicaAssignment,
                Some(format!(
                    "The manual partition assignment includes the broker {broker} more than once."
                )),
            ));
        }
        if !image.brokers.contains_key(broker) {
            return Err((
                ResponseError::InvalidReplicaAssignment,
                Some(format!(
                    "The manual partition assignment includes broker {broker}, but no such broker is registered."
                )),
            ));
        }
    }
    if !allow_rf_change && target.len() != current.replicas.len() {
        return Err((
            ResponseError::InvalidReplicationFactor,
            Some(format!(
                "The replication factor is changed from {} to {}",
                current.replicas.len(),
                target.len()
            )),
        ));
    }
    if target == current.replicas.as_slice() {
        return Ok(());
    }
    Err((
        ResponseError::InvalidReplicaAssignment,
        Some(unsupported_move()),
    ))
}

fn unsupported_move() -> String {
    "moving replicas between brokers needs replicated partitions, which this Strata version does not have".into()
}

/// The per-partition outcome of `request` against `image`.
pub(crate) fn alter_reassignments(
    image: &MetadataImage,
    request: &AlterPartitionReassignmentsRequest,
    version: i16,
) -> AlterPartitionReassignmentsResponse {
    // v0 has no flag and always allows a replication factor change.
    let allow_rf_change = version < 1 || request.allow_replication_factor_change;
    let mut response = AlterPartitionReassignmentsResponse::default();
    response.allow_replication_factor_change = allow_rf_change;
    for topic in &request.topics {
        let name = topic.name.0.to_string();
        let image_topic = image.topics.by_name.get(&name);
        let mut result = ReassignableTopicResponse::default();
        result.name = topic.name.clone();
        for partition in &topic.partitions {
            let mut outcome = ReassignablePartitionResponse::default();
            outcome.partition_index = partition.partition_index;
            let target: Option<Vec<i32>> = partition
                .replicas
                .as_ref()
                .map(|ids| ids.iter().map(|id| id.0).collect());
            let checked =
                match image_topic.and_then(|t| t.partitions.get(&partition.partition_index)) {
                    None => Err((ResponseError::UnknownTopicOrPartition, None)),
                    Some(current) => check(image, current, target.as_deref(), allow_rf_change),
                };
            if let Err((error, message)) = checked {
                outcome.error_code = error.code();
                outcome.error_message = message.map(|m| wire_str(&m));
            }
            result.partitions.push(outcome);
        }
        response.responses.push(result);
    }
    response
}

#[cfg(test)]
mod tests {
    use kafka_protocol::messages::alter_partition_reassignments_request::{
        ReassignablePartition, ReassignableTopic,
    };
    use kafka_protocol::messages::BrokerId;

    use super::*;
    use crate::handlers::wire_topic;
    use crate::replica_manager::testing::{add_topic, NODE_ID};

    fn image() -> MetadataImage {
        let mut image = MetadataImage::empty("c");
        add_topic(&mut image, "t", 1);
        image.brokers.insert(
            NODE_ID,
            strata_controller::BrokerRegistration {
                id: NODE_ID,
                epoch: 1,
                incarnation_id: uuid::Uuid::nil(),
                listeners: Vec::new(),
                rack: None,
                fenced: false,
                in_controlled_shutdown: false,
                supported_features: Vec::new(),
                log_dirs: Vec::new(),
            },
        );
        image
    }

    fn code_for(target: Option<Vec<i32>>) -> i16 {
        let mut partition = ReassignablePartition::default();
        partition.partition_index = 0;
        partition.replicas = target.map(|ids| ids.into_iter().map(BrokerId).collect());
        let mut topic = ReassignableTopic::default();
        topic.name = wire_topic("t");
        topic.partitions = vec![partition];
        let mut request = AlterPartitionReassignmentsRequest::default();
        request.topics = vec![topic];
        alter_reassignments(&image(), &request, 0).responses[0].partitions[0].error_code
    }

    #[test]
    fn reassigning_to_the_current_replicas_succeeds() {
        assert_eq!(code_for(Some(vec![NODE_ID])), 0);
    }

    #[test]
    fn bad_targets_get_kafkas_error_codes() {
        assert_eq!(
            code_for(Some(vec![])),
            ResponseError::InvalidReplicaAssignment.code()
        );
        assert_eq!(
            code_for(Some(vec![NODE_ID, NODE_ID])),
            ResponseError::InvalidReplicaAssignment.code()
        );
        assert_eq!(
            code_for(Some(vec![99])),
            ResponseError::InvalidReplicaAssignment.code()
        );
        assert_eq!(
            code_for(None),
            ResponseError::NoReassignmentInProgress.code()
        );
    }
}
