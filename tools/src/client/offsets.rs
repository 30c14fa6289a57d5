//! ListOffsets routed to partition leaders: earliest, latest, max-timestamp and by-timestamp
//! lookups for many partitions at once, one request per leader.

use std::collections::BTreeMap;

use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::{BrokerId, ListOffsetsRequest, TopicName};
use kafka_protocol::protocol::StrBytes;

use super::cluster::Client;
use super::error::{BrokerError, ClientError};
use super::error_code::{LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION};
use super::topology::Topology;

/// ListOffsets timestamp: the high watermark (read_uncommitted) — Kafka's `LATEST_TIMESTAMP`.
pub(crate) const LATEST: i64 = -1;
/// ListOffsets timestamp: the log start offset — Kafka's `EARLIEST_TIMESTAMP`.
pub(crate) const EARLIEST: i64 = -2;
/// ListOffsets timestamp: the offset of the record with the largest timestamp (v7+).
pub(crate) const MAX_TIMESTAMP: i64 = -3;

/// A topic partition.
pub(crate) type TopicPartition = (String, i32);

/// One partition's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OffsetAnswer {
    /// The offset, -1 when no record matches a timestamp lookup.
    pub(crate) offset: i64,
    /// The timestamp of that record, -1 for earliest/latest.
    pub(crate) timestamp: i64,
}

/// Looks up `timestamp` (or one of the sentinels above) for every partition, routing by leader.
/// Per-partition broker errors are returned per partition; connection errors fail the call.
pub(crate) async fn list_offsets(
    client: &mut Client,
    topology: &Topology,
    partitions: &[TopicPartition],
    timestamp: i64,
) -> Result<BTreeMap<TopicPartition, Result<OffsetAnswer, BrokerError>>, ClientError> {
    let mut out = BTreeMap::new();
    let mut by_leader: BTreeMap<i32, BTreeMap<String, Vec<i32>>> = BTreeMap::new();
    for (topic, partition) in partitions {
        match topology.leader(topic, *partition) {
            Some(leader) => by_leader
                .entry(leader)
                .or_default()
                .entry(topic.clone())
                .or_default()
                .push(*partition),
            None => {
                let known = topology
                    .topics
                    .get(topic)
                    .is_some_and(|t| t.partitions.contains_key(partition));
                let code = if known {
                    LEADER_NOT_AVAILABLE
                } else {
                    UNKNOWN_TOPIC_OR_PARTITION
                };
                out.insert(
                    (topic.clone(), *partition),
                    Err(BrokerError::new(code, format!("{topic}-{partition}"), None)),
                );
            }
        }
    }
    for (leader, topics) in by_leader {
        let connection = client.node(leader).await?;
        let response = connection
            .call(|_version| {
                let mut request = ListOffsetsRequest::default();
                request.replica_id = BrokerId(-1);
                request.isolation_level = 0;
                request.topics = topics
                    .iter()
                    .map(|(name, ps)| {
                        let mut topic = ListOffsetsTopic::default();
                        topic.name = TopicName(StrBytes::from_string(name.clone()));
                        topic.partitions = ps
                            .iter()
                            .map(|p| {
                                let mut partition = ListOffsetsPartition::default();
                                partition.partition_index = *p;
                                partition.current_leader_epoch = -1;
                                partition.timestamp = timestamp;
                                partition
                            })
                            .collect();
                        topic
                    })
                    .collect();
                request
            })
            .await?;
        for topic in response.topics {
            let name = topic.name.0.to_string();
            for p in topic.partitions {
                let answer = if p.error_code == 0 {
                    Ok(OffsetAnswer {
                        offset: p.offset,
                        timestamp: p.timestamp,
                    })
                } else {
                    Err(BrokerError::new(
                        p.error_code,
                        format!("{name}-{}", p.partition_index),
                        None,
                    ))
                };
                out.insert((name.clone(), p.partition_index), answer);
            }
        }
    }
    Ok(out)
}

/// Like [`list_offsets`], but any per-partition error fails the whole call.
pub(crate) async fn list_offsets_strict(
    client: &mut Client,
    topology: &Topology,
    partitions: &[TopicPartition],
    timestamp: i64,
) -> Result<BTreeMap<TopicPartition, OffsetAnswer>, ClientError> {
    let answers = list_offsets(client, topology, partitions, timestamp).await?;
    let mut out = BTreeMap::new();
    for (tp, answer) in answers {
        out.insert(tp, answer?);
    }
    Ok(out)
}
