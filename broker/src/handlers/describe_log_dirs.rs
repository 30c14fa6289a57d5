//! DescribeLogDirs (35), v1–v4: per log directory, the partitions it holds and their sizes.
//!
//! Kafka's semantics (`ReplicaManager.describeLogDirs`): one result per configured log dir with
//! its absolute path; `topics = null` asks for every partition; only partitions that have a log
//! in that dir are listed (topics without listed partitions are left out); `offset_lag` is
//! `max(high watermark − log end, 0)` for current (non-future) logs, so 0 on a leader;
//! `total_bytes` / `usable_bytes` (v4) come from the file system holding the dir.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::describe_log_dirs_response::{
    DescribeLogDirsPartition, DescribeLogDirsResult, DescribeLogDirsTopic,
};
use kafka_protocol::messages::{
    ApiKey, DescribeLogDirsRequest, DescribeLogDirsResponse, ResponseKind, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use strata_storage::{LogManager, TopicPartition};

use crate::context::BrokerContext;
use crate::handlers::decode_request;
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::DescribeLogDirs,
    min_version: 1,
    max_version: 4,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let describe: DescribeLogDirsRequest = decode_request(&request, body)?;
        let response = handle_describe_log_dirs(context.replica_manager.log_manager(), describe);
        Ok(Some(ResponseKind::DescribeLogDirs(response)))
    })
}

/// Describes every log dir of `log_manager`, filtered to the requested partitions.
pub(crate) fn handle_describe_log_dirs(
    log_manager: &LogManager,
    request: DescribeLogDirsRequest,
) -> DescribeLogDirsResponse {
    let wanted: Option<HashSet<TopicPartition>> = request.topics.map(|topics| {
        topics
            .iter()
            .flat_map(|t| {
                t.partitions
                    .iter()
                    .map(move |p| TopicPartition::new(t.topic.0.to_string(), *p))
            })
            .collect()
    });
    let logs = log_manager.logs();
    let mut response = DescribeLogDirsResponse::default();
    for dir in log_manager.log_dirs() {
        let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.clone());
        let mut result = DescribeLogDirsResult::default();
        result.log_dir = StrBytes::from_string(absolute.display().to_string());
        match (fs2::total_space(dir), fs2::available_space(dir)) {
            (Ok(total), Ok(usable)) => {
                result.total_bytes = i64::try_from(total).unwrap_or(i64::MAX);
                result.usable_bytes = i64::try_from(usable).unwrap_or(i64::MAX);
            }
            _ => {
                result.error_code = ResponseError::KafkaStorageError.code();
                response.results.push(result);
                continue;
            }
        }
        let mut by_topic: BTreeMap<String, Vec<DescribeLogDirsPartition>> = BTreeMap::new();
        for (tp, log) in &logs {
            if !is_under(log.dir(), dir) {
                continue;
            }
            if wanted.as_ref().is_some_and(|w| !w.contains(tp)) {
                continue;
            }
            let mut partition = DescribeLogDirsPartition::default();
            partition.partition_index = tp.partition;
            partition.partition_size = i64::try_from(log.size_bytes()).unwrap_or(i64::MAX);
            partition.offset_lag = (log.high_watermark() - log.log_end_offset()).max(0);
            partition.is_future_key = false;
            by_topic
                .entry(tp.topic.clone())
                .or_default()
                .push(partition);
        }
        for (name, mut partitions) in by_topic {
            partitions.sort_by_key(|p| p.partition_index);
            let mut topic = DescribeLogDirsTopic::default();
            topic.name = TopicName(StrBytes::from_string(name));
            topic.partitions = partitions;
            result.topics.push(topic);
        }
        response.results.push(result);
    }
    response
}

/// Whether the partition directory `log_dir` lives directly in the log dir `root`.
fn is_under(log_dir: &Path, root: &Path) -> bool {
    log_dir.parent().is_some_and(|parent| parent == root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::describe_log_dirs_request::DescribableLogDirTopic;
    use strata_protocol::compression::Compression;
    use strata_protocol::record_batch::RecordBatchBuilder;

    use crate::replica_manager::testing::Fixture;

    #[test]
    fn every_partition_is_listed_with_its_size_under_its_dir() {
        let fixture = Fixture::new(&[("a", 2, &[]), ("b", 1, &[])]);
        let partition = fixture.replica_manager.get("a", 1).expect("hosted");
        let mut builder = RecordBatchBuilder::new(0, Compression::None);
        builder.append(1, None, Some(b"value"), &[]);
        partition
            .append_as_leader(builder.build().expect("builds"), 1)
            .expect("appends");

        let response = handle_describe_log_dirs(
            fixture.replica_manager.log_manager(),
            DescribeLogDirsRequest::default().with_topics(None),
        );
        assert_eq!(response.results.len(), 1);
        let dir = &response.results[0];
        assert_eq!(dir.error_code, 0);
        assert!(dir.total_bytes > 0 && dir.usable_bytes > 0 && dir.usable_bytes <= dir.total_bytes);
        let names: Vec<&str> = dir.topics.iter().map(|t| t.name.0.as_str()).collect();
        assert_eq!(names, vec!["a", "b"]);
        let a = &dir.topics[0].partitions;
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].partition_size, 0);
        assert!(a[1].partition_size > 0);
        assert_eq!(a[1].offset_lag, 0);
    }

    #[test]
    fn only_requested_partitions_are_listed() {
        let fixture = Fixture::new(&[("a", 2, &[]), ("b", 1, &[])]);
        let request = DescribeLogDirsRequest::default().with_topics(Some(vec![
            DescribableLogDirTopic::default()
                .with_topic(TopicName(StrBytes::from_static_str("a")))
                .with_partitions(vec![1]),
        ]));
        let response = handle_describe_log_dirs(fixture.replica_manager.log_manager(), request);
        let topics = &response.results[0].topics;
        assert_eq!(topics.len(), 1);
        assert_eq!(topics[0].partitions.len(), 1);
        assert_eq!(topics[0].partitions[0].partition_index, 1);
    }
}
