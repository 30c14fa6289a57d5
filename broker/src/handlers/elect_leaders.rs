//! ElectLeaders (43), v0–v2: ask for preferred (0) or unclean (1) leader election.
//!
//! Kafka's controller answers per partition: ELECTION_NOT_NEEDED (84) when the partition
//! already has the leader the election would pick (for preferred: the first replica is leader;
//! for unclean: any leader exists), UNKNOWN_TOPIC_OR_PARTITION for a partition it does not
//! know, PREFERRED_LEADER_NOT_AVAILABLE when the preferred replica is not in the ISR, and
//! ELIGIBLE_LEADERS_NOT_AVAILABLE when no replica could lead. `topic_partitions = null` means
//! every partition. Moving leadership between live brokers needs replicated partitions, which
//! Strata does not have yet: such a partition gets ELIGIBLE_LEADERS_NOT_AVAILABLE with a message
//! saying so (it cannot arise on a single node, where the only replica always leads).

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::elect_leaders_response::{PartitionResult, ReplicaElectionResult};
use kafka_protocol::messages::{ApiKey, ElectLeadersRequest, ElectLeadersResponse, ResponseKind};
use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;

use crate::context::BrokerContext;
use crate::handlers::{decode_request, wire_str, wire_topic};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::ElectLeaders,
    min_version: 0,
    max_version: 2,
    handle,
};

/// `election_type` of a preferred-leader election.
const ELECTION_PREFERRED: i8 = 0;
/// `election_type` of an unclean election.
const ELECTION_UNCLEAN: i8 = 1;

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: ElectLeadersRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::ElectLeaders(elect_leaders(
            &context.image(),
            &decoded,
        ))))
    })
}

/// The per-partition outcome of `request` against `image`.
pub(crate) fn elect_leaders(
    image: &MetadataImage,
    request: &ElectLeadersRequest,
) -> ElectLeadersResponse {
    let mut response = ElectLeadersResponse::default();
    if request.election_type != ELECTION_PREFERRED && request.election_type != ELECTION_UNCLEAN {
        response.error_code = ResponseError::InvalidRequest.code();
        return response;
    }
    let mut wanted: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    match &request.topic_partitions {
        Some(topics) => {
            for topic in topics {
                wanted
                    .entry(topic.topic.0.to_string())
                    .or_default()
                    .extend(&topic.partitions);
            }
        }
        None => {
            for (name, topic) in &image.topics.by_name {
                wanted.insert(name.clone(), topic.partitions.keys().copied().collect());
            }
        }
    }
    for (name, partitions) in wanted {
        let topic = image.topics.by_name.get(&name);
        let mut result = ReplicaElectionResult::default();
        result.topic = wire_topic(&name);
        for partition_id in partitions {
            let mut outcome = PartitionResult::default();
            outcome.partition_id = partition_id;
            match topic.and_then(|t| t.partitions.get(&partition_id)) {
                None => outcome.error_code = ResponseError::UnknownTopicOrPartition.code(),
                Some(registration) => {
                    let preferred = registration.replicas.first().copied();
                    let settled = match request.election_type {
                        ELECTION_PREFERRED => preferred == Some(registration.leader),
                        _ => registration.leader >= 0,
                    };
                    if settled {
                        outcome.error_code = ResponseError::ElectionNotNeeded.code();
                    } else if request.election_type == ELECTION_PREFERRED
                        && !preferred.is_some_and(|p| registration.isr.contains(&p))
                    {
                        outcome.error_code = ResponseError::PreferredLeaderNotAvailable.code();
                    } else {
                        outcome.error_code = ResponseError::EligibleLeadersNotAvailable.code();
                        outcome.error_message = Some(wire_str(
                            "moving leadership between brokers needs replicated partitions, which this Strata version does not have",
                        ));
                    }
                }
            }
            result.partition_result.push(outcome);
        }
        response.replica_election_results.push(result);
    }
    response
}

#[cfg(test)]
mod tests {
    use kafka_protocol::messages::elect_leaders_request::TopicPartitions;

    use super::*;
    use crate::replica_manager::testing::add_topic;

    fn request(election_type: i8, topic: &str, partitions: Vec<i32>) -> ElectLeadersRequest {
        let mut tp = TopicPartitions::default();
        tp.topic = wire_topic(topic);
        tp.partitions = partitions;
        let mut request = ElectLeadersRequest::default();
        request.election_type = election_type;
        request.topic_partitions = Some(vec![tp]);
        request
    }

    #[test]
    fn partitions_led_by_their_preferred_replica_need_no_election() {
        let mut image = MetadataImage::empty("c");
        add_topic(&mut image, "t", 2);
        let response = elect_leaders(&image, &request(ELECTION_PREFERRED, "t", vec![0, 1]));
        let codes: Vec<i16> = response.replica_election_results[0]
            .partition_result
            .iter()
            .map(|p| p.error_code)
            .collect();
        assert_eq!(codes, vec![ResponseError::ElectionNotNeeded.code(); 2]);
    }

    #[test]
    fn unknown_partitions_get_unknown_topic_or_partition() {
        let mut image = MetadataImage::empty("c");
        add_topic(&mut image, "t", 1);
        let response = elect_leaders(&image, &request(ELECTION_UNCLEAN, "t", vec![5]));
        assert_eq!(
            response.replica_election_results[0].partition_result[0].error_code,
            ResponseError::UnknownTopicOrPartition.code()
        );
        let response = elect_leaders(&image, &request(ELECTION_PREFERRED, "nope", vec![0]));
        assert_eq!(
            response.replica_election_results[0].partition_result[0].error_code,
            ResponseError::UnknownTopicOrPartition.code()
        );
    }

    #[test]
    fn an_unknown_election_type_is_an_invalid_request() {
        let image = MetadataImage::empty("c");
        assert_eq!(
            elect_leaders(&image, &request(7, "t", vec![0])).error_code,
            ResponseError::InvalidRequest.code()
        );
    }
}
