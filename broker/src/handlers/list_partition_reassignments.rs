//! ListPartitionReassignments (46), v0: the partition reassignments in progress.
//!
//! A reassignment is in progress while a partition has adding or removing replicas in the
//! metadata image (Kafka's `ReplicationControlManager.listPartitionReassignments`). `topics =
//! null` asks for all of them; listed partitions that are unknown or not being reassigned are
//! left out, as Kafka does.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::list_partition_reassignments_response::{
    OngoingPartitionReassignment, OngoingTopicReassignment,
};
use kafka_protocol::messages::{
    ApiKey, BrokerId, ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse,
    ResponseKind,
};
use strata_controller::{MetadataImage, PartitionRegistration};

use crate::context::BrokerContext;
use crate::handlers::{decode_request, wire_topic};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::ListPartitionReassignments,
    min_version: 0,
    max_version: 0,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: ListPartitionReassignmentsRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::ListPartitionReassignments(
            list_reassignments(&context.image(), &decoded),
        )))
    })
}

fn ongoing(
    partition: i32,
    registration: &PartitionRegistration,
) -> Option<OngoingPartitionReassignment> {
    if registration.adding_replicas.is_empty() && registration.removing_replicas.is_empty() {
        return None;
    }
    let ids = |ids: &[i32]| ids.iter().copied().map(BrokerId).collect::<Vec<_>>();
    let mut ongoing = OngoingPartitionReassignment::default();
    ongoing.partition_index = partition;
    ongoing.replicas = ids(&registration.replicas);
    ongoing.adding_replicas = ids(&registration.adding_replicas);
    ongoing.removing_replicas = ids(&registration.removing_replicas);
    Some(ongoing)
}

/// The reassignments in progress among the requested partitions.
pub(crate) fn list_reassignments(
    image: &MetadataImage,
    request: &ListPartitionReassignmentsRequest,
) -> ListPartitionReassignmentsResponse {
    let mut response = ListPartitionReassignmentsResponse::default();
    let mut push = |name: &str, partitions: Vec<OngoingPartitionReassignment>| {
        if !partitions.is_empty() {
            let mut topic = OngoingTopicReassignment::default();
            topic.name = wire_topic(name);
            topic.partitions = partitions;
            response.topics.push(topic);
        }
    };
    match &request.topics {
        None => {
            for (name, topic) in &image.topics.by_name {
                push(
                    name,
                    topic
                        .partitions
                        .iter()
                        .filter_map(|(p, r)| ongoing(*p, r))
                        .collect(),
                );
            }
        }
        Some(topics) => {
            for wanted in topics {
                let name = wanted.name.0.to_string();
                let Some(topic) = image.topics.by_name.get(&name) else {
                    continue;
                };
                let partitions = wanted
                    .partition_indexes
                    .iter()
                    .filter_map(|p| topic.partitions.get(p).and_then(|r| ongoing(*p, r)))
                    .collect();
                push(&name, partitions);
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replica_manager::testing::add_topic;

    #[test]
    fn only_partitions_with_adding_or_removing_replicas_are_listed() {
        let mut image = MetadataImage::empty("c");
        add_topic(&mut image, "t", 2);
        assert!(
            list_reassignments(&image, &ListPartitionReassignmentsRequest::default())
                .topics
                .is_empty()
        );

        let mut topic = (*image.topics.by_name["t"]).clone();
        topic
            .partitions
            .get_mut(&1)
            .expect("partition 1")
            .adding_replicas = vec![2];
        image.topics.by_name.insert("t".into(), Arc::new(topic));
        let response = list_reassignments(&image, &ListPartitionReassignmentsRequest::default());
        assert_eq!(response.topics.len(), 1);
        assert_eq!(response.topics[0].partitions.len(), 1);
        assert_eq!(response.topics[0].partitions[0].partition_index, 1);
        assert_eq!(
            response.topics[0].partitions[0].adding_replicas,
            vec![BrokerId(2)]
        );
    }
}
