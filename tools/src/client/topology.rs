//! The cluster as one Metadata response describes it: brokers, the controller, topics and their
//! partitions with leaders and replicas. A plain value; refreshed by asking again.

use std::collections::BTreeMap;

use kafka_protocol::messages::MetadataResponse;

/// One broker's advertised client endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BrokerInfo {
    /// The node id.
    pub(crate) node_id: i32,
    /// Advertised host.
    pub(crate) host: String,
    /// Advertised port.
    pub(crate) port: i32,
    /// Rack, if configured.
    pub(crate) rack: Option<String>,
}

impl BrokerInfo {
    /// `host:port`.
    pub(crate) fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// One partition's placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PartitionInfo {
    /// The partition index.
    pub(crate) partition: i32,
    /// Error code for this partition (LEADER_NOT_AVAILABLE while electing), 0 if fine.
    pub(crate) error_code: i16,
    /// The leader's node id, -1 if none.
    pub(crate) leader: i32,
    /// The leader epoch.
    pub(crate) leader_epoch: i32,
    /// Replica node ids.
    pub(crate) replicas: Vec<i32>,
    /// In-sync replica node ids.
    pub(crate) isr: Vec<i32>,
    /// Offline replica node ids.
    pub(crate) offline: Vec<i32>,
}

/// One topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopicInfo {
    /// The name.
    pub(crate) name: String,
    /// The topic id (all zeros from brokers older than Metadata v10).
    pub(crate) topic_id: String,
    /// Error code for the topic (UNKNOWN_TOPIC_OR_PARTITION), 0 if fine.
    pub(crate) error_code: i16,
    /// Internal topics (`__consumer_offsets`) are hidden by some listings.
    pub(crate) is_internal: bool,
    /// Partitions by index.
    pub(crate) partitions: BTreeMap<i32, PartitionInfo>,
}

/// The whole answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Topology {
    /// The cluster id.
    pub(crate) cluster_id: Option<String>,
    /// The controller's node id (a random broker on KRaft clusters, as Kafka reports it).
    pub(crate) controller_id: i32,
    /// Brokers by node id.
    pub(crate) brokers: BTreeMap<i32, BrokerInfo>,
    /// Topics by name.
    pub(crate) topics: BTreeMap<String, TopicInfo>,
}

impl Topology {
    /// Builds the value from a Metadata response.
    pub(crate) fn from_response(response: &MetadataResponse) -> Self {
        let brokers = response
            .brokers
            .iter()
            .map(|b| {
                let info = BrokerInfo {
                    node_id: b.node_id.0,
                    host: b.host.to_string(),
                    port: b.port,
                    rack: b.rack.as_ref().map(|r| r.to_string()),
                };
                (info.node_id, info)
            })
            .collect();
        let topics = response
            .topics
            .iter()
            .filter_map(|t| {
                let name = t.name.as_ref()?.0.to_string();
                let partitions = t
                    .partitions
                    .iter()
                    .map(|p| {
                        let ids = |v: &Vec<kafka_protocol::messages::BrokerId>| {
                            v.iter().map(|b| b.0).collect::<Vec<_>>()
                        };
                        let info = PartitionInfo {
                            partition: p.partition_index,
                            error_code: p.error_code,
                            leader: p.leader_id.0,
                            leader_epoch: p.leader_epoch,
                            replicas: ids(&p.replica_nodes),
                            isr: ids(&p.isr_nodes),
                            offline: ids(&p.offline_replicas),
                        };
                        (info.partition, info)
                    })
                    .collect();
                Some((
                    name.clone(),
                    TopicInfo {
                        name,
                        topic_id: kafka_uuid(&t.topic_id),
                        error_code: t.error_code,
                        is_internal: t.is_internal,
                        partitions,
                    },
                ))
            })
            .collect();
        Topology {
            cluster_id: response.cluster_id.as_ref().map(|c| c.to_string()),
            controller_id: response.controller_id.0,
            brokers,
            topics,
        }
    }

    /// The leader of `topic`/`partition`, if known and elected.
    pub(crate) fn leader(&self, topic: &str, partition: i32) -> Option<i32> {
        self.topics
            .get(topic)?
            .partitions
            .get(&partition)
            .map(|p| p.leader)
            .filter(|l| *l >= 0)
    }
}

/// A Kafka UUID as Kafka prints it (`Uuid.toString()`): URL-safe base64 without padding.
pub(crate) fn kafka_uuid(id: &uuid::Uuid) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::metadata_response::{
        MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
    };
    use kafka_protocol::messages::{BrokerId, TopicName};
    use kafka_protocol::protocol::StrBytes;

    #[test]
    fn leaders_are_found_and_missing_leaders_are_none() {
        let response = MetadataResponse::default()
            .with_brokers(vec![MetadataResponseBroker::default()
                .with_node_id(BrokerId(1))
                .with_host(StrBytes::from_static_str("h"))
                .with_port(9092)])
            .with_topics(vec![MetadataResponseTopic::default()
                .with_name(Some(TopicName(StrBytes::from_static_str("t"))))
                .with_partitions(vec![
                    MetadataResponsePartition::default()
                        .with_partition_index(0)
                        .with_leader_id(BrokerId(1)),
                    MetadataResponsePartition::default()
                        .with_partition_index(1)
                        .with_leader_id(BrokerId(-1)),
                ])]);
        let topology = Topology::from_response(&response);
        assert_eq!(topology.leader("t", 0), Some(1));
        assert_eq!(topology.leader("t", 1), None);
        assert_eq!(topology.leader("u", 0), None);
        assert_eq!(topology.brokers[&1].address(), "h:9092");
    }
}
