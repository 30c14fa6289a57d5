//! ListOffsets (2), v1–v10: offsets by timestamp and the special positions of a partition.
//!
//! Kafka's semantics (`ReplicaManager.fetchOffset`, `Partition.fetchOffsetForTimestamp`,
//! `UnifiedLog.fetchOffsetByTimestamp`):
//! - `-1` LATEST: the last fetchable offset — the high watermark for `read_uncommitted`, the last
//!   stable offset (= high watermark without transactions) for `read_committed`, the log end
//!   for replicas — with the current leader epoch.
//! - `-2` EARLIEST: the log start (the remote log start when tiered); `-4` EARLIEST_LOCAL (v8+):
//!   the first offset on local disk.
//! - `-3` MAX_TIMESTAMP (v7+): the record with the largest timestamp.
//! - `-5` LATEST_TIERED (v9+): the highest offset in remote storage; offset -1 with epoch -1
//!   while nothing is tiered, as Kafka answers.
//! - Timestamp lookups (and `-3`) of a tiered partition search the remote time indexes first.
//! - `t >= 0`: the first offset whose timestamp is ≥ t, via the time index.
//! - Timestamp lookups (and `-3`) that land at or past the last fetchable offset answer
//!   offset -1 / timestamp -1, as does a lookup that finds nothing.
//! - A special timestamp older than its version → UNSUPPORTED_VERSION; a partition named twice
//!   → INVALID_REQUEST; `current_leader_epoch` → FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH.
//! - Only the leader answers, except for the debugging replica id -2.

use std::collections::HashSet;
use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::list_offsets_response::{
    ListOffsetsPartitionResponse, ListOffsetsTopicResponse,
};
use kafka_protocol::messages::{ApiKey, ListOffsetsRequest, ListOffsetsResponse, ResponseKind};
use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;

use crate::context::BrokerContext;
use crate::handlers::decode_request;
use crate::partition::{Partition, PartitionError};
use crate::replica_manager::ReplicaManager;
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::ListOffsets,
    min_version: 1,
    max_version: 10,
    handle,
};

/// Special timestamps of ListOffsets.
pub(crate) const LATEST_TIMESTAMP: i64 = -1;
/// The log start offset.
pub(crate) const EARLIEST_TIMESTAMP: i64 = -2;
/// The record with the largest timestamp.
pub(crate) const MAX_TIMESTAMP: i64 = -3;
/// The local log start (tiered storage).
pub(crate) const EARLIEST_LOCAL_TIMESTAMP: i64 = -4;
/// The highest offset in remote storage.
pub(crate) const LATEST_TIERED_TIMESTAMP: i64 = -5;
/// `replica_id` of consumers.
const CONSUMER_REPLICA_ID: i32 = -1;
/// `replica_id` of debugging tools, which may read any replica.
const DEBUGGING_REPLICA_ID: i32 = -2;
/// `isolation_level` of `read_committed`.
const READ_COMMITTED: i8 = 1;
/// First version whose response carries the leader epoch.
const LEADER_EPOCH_VERSION: i16 = 4;

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let list: ListOffsetsRequest = decode_request(&request, body)?;
        let image = context.image();
        let response =
            handle_list_offsets(&context.replica_manager, &image, request.api_version, list).await;
        Ok(Some(ResponseKind::ListOffsets(response)))
    })
}

/// The lowest request version that may ask for a special timestamp.
fn min_version_for(timestamp: i64) -> i16 {
    match timestamp {
        MAX_TIMESTAMP => 7,
        EARLIEST_LOCAL_TIMESTAMP => 8,
        LATEST_TIERED_TIMESTAMP => 9,
        _ => 1,
    }
}

/// Answers every partition of a ListOffsets request.
pub(crate) async fn handle_list_offsets(
    replica_manager: &ReplicaManager,
    image: &MetadataImage,
    version: i16,
    request: ListOffsetsRequest,
) -> ListOffsetsResponse {
    let mut seen = HashSet::new();
    let mut duplicates = HashSet::new();
    for topic in &request.topics {
        for partition in &topic.partitions {
            if !seen.insert((topic.name.clone(), partition.partition_index)) {
                duplicates.insert((topic.name.clone(), partition.partition_index));
            }
        }
    }
    let mut response = ListOffsetsResponse::default();
    for topic in request.topics {
        let mut topic_response = ListOffsetsTopicResponse::default();
        for partition in &topic.partitions {
            let index = partition.partition_index;
            let mut answer = if duplicates.contains(&(topic.name.clone(), index)) {
                error_answer(ResponseError::InvalidRequest.code())
            } else if version < min_version_for(partition.timestamp) {
                error_answer(ResponseError::UnsupportedVersion.code())
            } else {
                lookup(
                    replica_manager,
                    image,
                    &topic.name,
                    index,
                    partition.timestamp,
                    partition.current_leader_epoch,
                    request.replica_id.0,
                    request.isolation_level,
                )
                .await
                .unwrap_or_else(|error| error_answer(error.code()))
            };
            answer.partition_index = index;
            if version < LEADER_EPOCH_VERSION {
                answer.leader_epoch = -1;
            }
            topic_response.partitions.push(answer);
        }
        topic_response.name = topic.name;
        response.topics.push(topic_response);
    }
    response
}

/// A timestamp (or -3) lookup: through the remote time indexes then the local log when the
/// partition is tiered, else the local log alone.
async fn lookup_by_timestamp(
    replica_manager: &ReplicaManager,
    partition: &Partition,
    timestamp: i64,
) -> Result<Option<strata_storage::TimestampOffset>, PartitionError> {
    let tp = partition.topic_partition();
    if let Some(remote) = replica_manager
        .remote_tier()
        .and_then(|tier| tier.partition(tp))
    {
        if remote.highest_tiered_offset() >= 0 {
            return remote
                .fetch_offset_by_timestamp(timestamp)
                .await
                .map_err(|error| PartitionError::Remote {
                    tp: tp.clone(),
                    code: error.kafka_error_code(),
                    reason: error.to_string(),
                });
        }
    }
    partition
        .log()
        .fetch_offset_by_timestamp(timestamp)
        .map_err(|source| PartitionError::log(tp, source))
}

fn error_answer(code: i16) -> ListOffsetsPartitionResponse {
    let mut answer = ListOffsetsPartitionResponse::default();
    answer.error_code = code;
    answer.timestamp = -1;
    answer.offset = -1;
    answer
}

fn found(timestamp: i64, offset: i64, leader_epoch: Option<i32>) -> ListOffsetsPartitionResponse {
    let mut answer = ListOffsetsPartitionResponse::default();
    answer.timestamp = timestamp;
    answer.offset = offset;
    answer.leader_epoch = leader_epoch.unwrap_or(-1);
    answer
}

#[allow(clippy::too_many_arguments)]
async fn lookup(
    replica_manager: &ReplicaManager,
    image: &MetadataImage,
    topic: &str,
    index: i32,
    timestamp: i64,
    current_leader_epoch: i32,
    replica_id: i32,
    isolation_level: i8,
) -> Result<ListOffsetsPartitionResponse, PartitionError> {
    let partition = replica_manager.partition_or_error(image, topic, index)?;
    let leader_epoch = if replica_id == DEBUGGING_REPLICA_ID {
        partition.check_leader_epoch(current_leader_epoch)?;
        partition.leader_epoch()
    } else {
        partition.check_leader(current_leader_epoch)?
    };
    let offsets = partition.offsets();
    let last_fetchable = if replica_id == CONSUMER_REPLICA_ID {
        if isolation_level == READ_COMMITTED {
            offsets.last_stable_offset
        } else {
            offsets.high_watermark
        }
    } else {
        offsets.log_end_offset
    };
    let log_error = |source| PartitionError::log(partition.topic_partition(), source);
    match timestamp {
        LATEST_TIMESTAMP => Ok(found(-1, last_fetchable, Some(leader_epoch))),
        LATEST_TIERED_TIMESTAMP => match partition
            .log()
            .fetch_offset_by_timestamp(LATEST_TIERED_TIMESTAMP)
            .map_err(log_error)?
        {
            Some(entry) if entry.offset >= 0 => Ok(found(
                -1,
                entry.offset,
                Some(entry.leader_epoch.unwrap_or(-1)),
            )),
            _ => Ok(found(-1, -1, Some(-1))),
        },
        EARLIEST_TIMESTAMP | EARLIEST_LOCAL_TIMESTAMP => {
            match partition
                .log()
                .fetch_offset_by_timestamp(timestamp)
                .map_err(log_error)?
            {
                Some(entry) => Ok(found(-1, entry.offset, entry.leader_epoch)),
                None => Ok(found(-1, offsets.log_start_offset, None)),
            }
        }
        _ => match lookup_by_timestamp(replica_manager, &partition, timestamp).await? {
            Some(entry) if entry.offset < last_fetchable => {
                Ok(found(entry.timestamp, entry.offset, entry.leader_epoch))
            }
            _ => Ok(found(-1, -1, None)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
    use kafka_protocol::messages::TopicName;
    use kafka_protocol::protocol::StrBytes;
    use strata_protocol::compression::Compression;
    use strata_protocol::record_batch::RecordBatchBuilder;

    use crate::replica_manager::testing::Fixture;

    /// Two batches: offsets 0–2 at 1000..=1002 ms, offsets 3–5 at 2000..=2002 ms.
    fn fixture() -> Fixture {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        let partition = fixture.replica_manager.get("t", 0).expect("hosted");
        for base in [1_000, 2_000] {
            let mut builder = RecordBatchBuilder::new(0, Compression::None);
            for i in 0..3 {
                builder.append(base + i, None, Some(b"v"), &[]);
            }
            partition
                .append_as_leader(builder.build().expect("builds"), 1)
                .expect("appends");
        }
        fixture
    }

    fn list(fixture: &Fixture, version: i16, timestamp: i64) -> ListOffsetsPartitionResponse {
        let request = ListOffsetsRequest::default()
            .with_replica_id((-1).into())
            .with_topics(vec![ListOffsetsTopic::default()
                .with_name(TopicName(StrBytes::from_static_str("t")))
                .with_partitions(vec![ListOffsetsPartition::default()
                    .with_partition_index(0)
                    .with_timestamp(timestamp)])]);
        let response = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(handle_list_offsets(
                &fixture.replica_manager,
                &fixture.image,
                version,
                request,
            ));
        response.topics[0].partitions[0].clone()
    }

    #[test]
    fn timestamp_lookup_finds_first_offset_at_or_after_it() {
        let fixture = fixture();
        let answer = list(&fixture, 9, 1_500);
        assert_eq!(
            (answer.error_code, answer.offset, answer.timestamp),
            (0, 3, 2_000)
        );
        assert_eq!(answer.leader_epoch, 0);
        let exact = list(&fixture, 9, 1_001);
        assert_eq!((exact.offset, exact.timestamp), (1, 1_001));
    }

    #[test]
    fn timestamp_after_every_record_finds_nothing() {
        let fixture = fixture();
        let answer = list(&fixture, 9, 9_999);
        assert_eq!(
            (answer.error_code, answer.offset, answer.timestamp),
            (0, -1, -1)
        );
    }

    #[test]
    fn earliest_and_latest_are_log_start_and_high_watermark() {
        let fixture = fixture();
        assert_eq!(list(&fixture, 9, EARLIEST_TIMESTAMP).offset, 0);
        assert_eq!(list(&fixture, 9, EARLIEST_LOCAL_TIMESTAMP).offset, 0);
        let latest = list(&fixture, 9, LATEST_TIMESTAMP);
        assert_eq!(
            (latest.offset, latest.timestamp, latest.leader_epoch),
            (6, -1, 0)
        );
    }

    #[test]
    fn max_timestamp_needs_version_seven() {
        let fixture = fixture();
        let answer = list(&fixture, 7, MAX_TIMESTAMP);
        assert_eq!(
            (answer.error_code, answer.offset, answer.timestamp),
            (0, 5, 2_002)
        );
        let old = list(&fixture, 6, MAX_TIMESTAMP);
        assert_eq!(old.error_code, ResponseError::UnsupportedVersion.code());
    }

    #[test]
    fn latest_tiered_without_tiering_is_minus_one() {
        let fixture = fixture();
        let answer = list(&fixture, 9, LATEST_TIERED_TIMESTAMP);
        assert_eq!(
            (answer.error_code, answer.offset, answer.leader_epoch),
            (0, -1, -1)
        );
    }

    #[test]
    fn fenced_leader_epoch_is_reported() {
        let fixture = fixture();
        let partition = fixture.replica_manager.get("t", 0).expect("hosted");
        let mut state = partition.leader_state();
        state.leader_epoch = 3;
        partition.update_leadership(state);
        let request = ListOffsetsRequest::default()
            .with_replica_id((-1).into())
            .with_topics(vec![ListOffsetsTopic::default()
                .with_name(TopicName(StrBytes::from_static_str("t")))
                .with_partitions(vec![ListOffsetsPartition::default()
                    .with_partition_index(0)
                    .with_current_leader_epoch(2)
                    .with_timestamp(LATEST_TIMESTAMP)])]);
        let response = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(handle_list_offsets(
                &fixture.replica_manager,
                &fixture.image,
                9,
                request,
            ));
        assert_eq!(
            response.topics[0].partitions[0].error_code,
            ResponseError::FencedLeaderEpoch.code()
        );
    }
}
