//! DescribeLogDirs: the on-disk size of partition replicas, asked of the node that holds them.

use std::collections::BTreeMap;

use kafka_protocol::messages::describe_log_dirs_request::DescribableLogDirTopic;
use kafka_protocol::messages::{DescribeLogDirsRequest, TopicName};
use kafka_protocol::protocol::StrBytes;

use super::cluster::Client;
use super::error::{BrokerError, ClientError};
use super::offsets::TopicPartition;

/// The local size in bytes of each of `partitions` on node `node_id`, summed over its log
/// directories (future replicas left out). Partitions the node does not host are absent. A
/// whole-request error fails the call; a log directory's error is skipped (its replicas are
/// then absent).
pub(crate) async fn partition_sizes(
    client: &mut Client,
    node_id: i32,
    partitions: &[TopicPartition],
) -> Result<BTreeMap<TopicPartition, i64>, ClientError> {
    let mut by_topic: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
    for (topic, partition) in partitions {
        by_topic.entry(topic).or_default().push(*partition);
    }
    let connection = client.node(node_id).await?;
    let response = connection
        .call(|_version| {
            let mut request = DescribeLogDirsRequest::default();
            request.topics = Some(
                by_topic
                    .iter()
                    .map(|(name, ps)| {
                        let mut topic = DescribableLogDirTopic::default();
                        topic.topic = TopicName(StrBytes::from_string((*name).to_owned()));
                        topic.partitions = ps.clone();
                        topic
                    })
                    .collect(),
            );
            request
        })
        .await?;
    if response.error_code != 0 {
        return Err(BrokerError::new(
            response.error_code,
            format!("DescribeLogDirs on node {node_id}"),
            None,
        )
        .into());
    }
    let mut out = BTreeMap::new();
    for dir in response.results.iter().filter(|d| d.error_code == 0) {
        for topic in &dir.topics {
            for p in topic.partitions.iter().filter(|p| !p.is_future_key) {
                *out.entry((topic.name.0.to_string(), p.partition_index))
                    .or_insert(0) += p.partition_size;
            }
        }
    }
    Ok(out)
}
