//! Fetch (1), v4–v18: consumers (and, through the same path, followers) read record batches.
//!
//! Kafka's semantics (`ReplicaManager.fetchMessages` / `readFromLog`, `FetchSession.scala`):
//! - Partitions are read in order against a response budget of `max_bytes` (capped by the
//!   broker's `fetch.max.bytes`), each up to `partition_max_bytes`. Reads return whole batches
//!   starting with the one that contains `fetch_offset`. Until some partition has returned data,
//!   the first batch is returned even when larger than the limits (`minOneMessage`), so a
//!   consumer can always make progress.
//! - Consumers read up to the high watermark (`read_uncommitted`) or the last stable offset
//!   (`read_committed`, equal to the high watermark without transactions); followers
//!   (`replica_id >= 0`) up to the log end, and their fetch offset advances the ISR high watermark.
//! - The fetch answers at once when `max_wait_ms <= 0`, when it has `min_bytes`, or when any
//!   partition has an error; otherwise it waits, woken by appends to any of its partitions,
//!   until `min_bytes` are available or `max_wait_ms` passes, then reads again.
//! - Tiered storage (KIP-405): a consumer offset in `[log start, local log start)` is read from
//!   the bucket, for the first such partition of the request only (later ones get no records
//!   this time), while the others are answered from local data; the response then waits for the
//!   remote read at most `remote.fetch.max.wait.ms` (`delayed_remote_fetch.rs`) instead of
//!   long-polling. Followers get OFFSET_MOVED_TO_TIERED_STORAGE there.
//! - KIP-227 sessions decide which partitions are read and which are answered.
//! - Topics are named up to v12 and identified by id from v13 (`UNKNOWN_TOPIC_ID` when unknown).
//! - `aborted_transactions` is null for `read_uncommitted` and an empty list for
//!   `read_committed` (no transactions yet); `preferred_read_replica` is -1.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::fetch_response::{
    FetchableTopicResponse, LeaderIdAndEpoch, NodeEndpoint, PartitionData,
};
use kafka_protocol::messages::{ApiKey, FetchRequest, FetchResponse, ResponseKind, TopicName};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;
use strata_storage::remote::RemotePartition;
use strata_storage::LogError;
use uuid::Uuid;

use crate::context::BrokerContext;
use crate::delayed_fetch::wait_until;
use crate::delayed_remote_fetch::{self, RemoteFetch, RemoteFetchOutcome};
use crate::fetch_session::{
    FetchPartitionParams, FetchSessionCache, FetchSessionRequest, PartitionKey, PartitionOutcome,
    SessionTopic,
};
use crate::handlers::decode_request;
use crate::partition::{Partition, PartitionError};
use crate::remote_log::RemoteTier;
use crate::replica_manager::{leader_endpoints_to_add, ReplicaManager};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::Fetch,
    min_version: 4,
    max_version: 18,
    handle,
};

/// `isolation_level` value of `read_committed`.
const READ_COMMITTED: i8 = 1;
/// First version whose request carries the replica id in `replica_state`.
const REPLICA_STATE_VERSION: i16 = 15;
/// First version whose partitions carry `current_leader`, and whose response carries the
/// leaders' `node_endpoints`, on leadership errors (KIP-951).
const CURRENT_LEADER_VERSION: i16 = 16;

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let fetch: FetchRequest = decode_request(&request, body)?;
        let image = context.image();
        let response = handle_fetch(
            &context.replica_manager,
            &context.fetch_sessions,
            &image,
            context.config.fetch_max_bytes,
            request.api_version,
            &request.listener,
            fetch,
        )
        .await;
        Ok(Some(ResponseKind::Fetch(response)))
    })
}

/// What one fetch asks, besides its partitions.
#[derive(Debug, Clone, Copy)]
struct FetchParams {
    /// Replica id of a follower, or negative for consumers.
    replica_id: i32,
    max_bytes: usize,
    read_committed: bool,
    version: i16,
}

impl FetchParams {
    fn is_follower(&self) -> bool {
        self.replica_id >= 0
    }
}

/// One partition to read, resolved once per request.
struct Target {
    params: FetchPartitionParams,
    partition: Result<Arc<Partition>, PartitionError>,
}

/// The result of reading every target once.
struct ReadRound {
    partitions: Vec<PartitionData>,
    bytes: usize,
    any_error: bool,
    /// The first consumer partition whose offset is in the tiered range (Kafka serves only
    /// that one from remote storage per request; later ones get no records this time).
    remote: Option<RemoteFetch>,
}

/// What reading one partition locally found.
enum LocalRead {
    /// The answer.
    Done(PartitionData),
    /// A consumer's offset is below the local log start and within the tiered range: the
    /// answer (offsets, no records yet) and the remote read that would fill it.
    Tiered(PartitionData, Arc<RemotePartition>, usize),
}

/// Serves one Fetch request (session handling, reads, long-poll) and builds the response.
pub(crate) async fn handle_fetch(
    replica_manager: &ReplicaManager,
    sessions: &FetchSessionCache,
    image: &MetadataImage,
    broker_fetch_max_bytes: i32,
    version: i16,
    listener: &str,
    request: FetchRequest,
) -> FetchResponse {
    let replica_id = if version >= REPLICA_STATE_VERSION {
        request.replica_state.replica_id.0
    } else {
        request.replica_id.0
    };
    let params = FetchParams {
        replica_id,
        max_bytes: usize::try_from(request.max_bytes.min(broker_fetch_max_bytes).max(0))
            .unwrap_or(0),
        read_committed: request.isolation_level == READ_COMMITTED,
        version,
    };
    let now_ms = replica_manager.clock().now_ms();
    let session_request = session_request(version, params.is_follower(), &request);
    let context = sessions.new_context(session_request, now_ms);

    let targets: Vec<Target> = context
        .partitions()
        .iter()
        .map(|(key, partition_params)| Target {
            params: *partition_params,
            partition: resolve(replica_manager, image, key),
        })
        .collect();

    let tier = replica_manager.remote_tier().map(Arc::as_ref);
    let mut round = read_round(&targets, params, tier);
    let min_bytes = usize::try_from(request.min_bytes.max(0)).unwrap_or(0);
    let must_answer_now = request.max_wait_ms <= 0
        || round.remote.is_some()
        || targets.is_empty()
        || round.bytes >= min_bytes
        || round.any_error;
    if !must_answer_now {
        let watched: Vec<Arc<Partition>> = targets
            .iter()
            .filter_map(|t| t.partition.as_ref().ok().cloned())
            .collect();
        let max_wait = Duration::from_millis(u64::try_from(request.max_wait_ms).unwrap_or(0));
        let satisfied = wait_until(replica_manager, &watched, max_wait, || {
            if !has_news(&targets, params) {
                return None;
            }
            let next = read_round(&targets, params, tier);
            (next.bytes >= min_bytes || next.any_error || next.remote.is_some()).then_some(next)
        })
        .await;
        round = match satisfied {
            Some(done) => done,
            None => read_round(&targets, params, tier),
        };
    }
    if let (Some(remote), Some(tier)) = (round.remote.take(), tier) {
        let index = remote.index;
        let outcome = delayed_remote_fetch::complete(remote, tier.fetch_max_wait()).await;
        if let Some(data) = round.partitions.get_mut(index) {
            match outcome {
                RemoteFetchOutcome::Records(records) => {
                    round.bytes += records.len();
                    data.records = Some(records);
                }
                RemoteFetchOutcome::Error(code) => {
                    *data = error_partition_code(code, data.partition_index);
                }
                RemoteFetchOutcome::Expired => {}
            }
        }
    }

    let outcomes: Vec<PartitionOutcome> = round
        .partitions
        .iter()
        .map(|p| PartitionOutcome {
            records_bytes: p.records.as_ref().map_or(0, Bytes::len),
            high_watermark: p.high_watermark,
            log_start_offset: p.log_start_offset,
            error_code: p.error_code,
        })
        .collect();
    let done_ms = replica_manager.clock().now_ms();
    let session = sessions.complete(&context, &outcomes, done_ms);

    let mut response = FetchResponse::default();
    response.session_id = session.session_id;
    if let Some(error) = session.error {
        response.error_code = error.code();
        return response;
    }
    let keys = context.partitions().iter().map(|(key, _)| key);
    for ((key, data), include) in keys.zip(round.partitions).zip(session.include) {
        if include {
            push_partition(&mut response.responses, key, data);
        }
    }
    if version >= CURRENT_LEADER_VERSION {
        add_leader_endpoints(&mut response, image, listener);
    }
    response
}

/// KIP-951: the endpoints of the leaders named in `current_leader` of error partitions, on the
/// request's listener, so the client can redirect without a metadata round trip.
fn add_leader_endpoints(response: &mut FetchResponse, image: &MetadataImage, listener: &str) {
    let leaders: Vec<i32> = response
        .responses
        .iter()
        .flat_map(|t| t.partitions.iter())
        .filter(|p| p.error_code != 0 && p.current_leader.leader_id.0 >= 0)
        .map(|p| p.current_leader.leader_id.0)
        .collect();
    let listed: Vec<i32> = response
        .node_endpoints
        .iter()
        .map(|e| e.node_id.0)
        .collect();
    for endpoint in leader_endpoints_to_add(image, listener, leaders, &listed) {
        let mut node = NodeEndpoint::default();
        node.node_id = endpoint.node_id.into();
        node.host = StrBytes::from_string(endpoint.host);
        node.port = i32::from(endpoint.port);
        node.rack = endpoint.rack.map(StrBytes::from_string);
        response.node_endpoints.push(node);
    }
}

/// Extracts the session view of the request (partitions in request order).
fn session_request(version: i16, is_follower: bool, request: &FetchRequest) -> FetchSessionRequest {
    let topic_key = |name: &TopicName, id: Uuid| {
        if version >= crate::fetch_session::FETCH_TOPIC_ID_VERSION {
            SessionTopic::Id(id)
        } else {
            SessionTopic::Name(name.clone())
        }
    };
    let mut partitions = Vec::new();
    for topic in &request.topics {
        let session_topic = topic_key(&topic.topic, topic.topic_id);
        for p in &topic.partitions {
            partitions.push((
                PartitionKey {
                    topic: session_topic.clone(),
                    partition: p.partition,
                },
                FetchPartitionParams {
                    fetch_offset: p.fetch_offset,
                    partition_max_bytes: p.partition_max_bytes,
                    current_leader_epoch: p.current_leader_epoch,
                    log_start_offset: p.log_start_offset,
                    last_fetched_epoch: p.last_fetched_epoch,
                },
            ));
        }
    }
    let mut forgotten = Vec::new();
    for topic in &request.forgotten_topics_data {
        let session_topic = topic_key(&topic.topic, topic.topic_id);
        for partition in &topic.partitions {
            forgotten.push(PartitionKey {
                topic: session_topic.clone(),
                partition: *partition,
            });
        }
    }
    FetchSessionRequest {
        version,
        session_id: request.session_id,
        session_epoch: request.session_epoch,
        is_follower,
        partitions,
        forgotten,
    }
}

fn resolve(
    replica_manager: &ReplicaManager,
    image: &MetadataImage,
    key: &PartitionKey,
) -> Result<Arc<Partition>, PartitionError> {
    match &key.topic {
        SessionTopic::Name(name) => replica_manager.partition_or_error(image, name, key.partition),
        SessionTopic::Id(id) => match image.topics.get_by_id(id) {
            Some(topic) => {
                let partition =
                    replica_manager.partition_or_error(image, &topic.name, key.partition)?;
                // A log of an older topic with the same name (not yet replaced) is not this topic.
                if partition.topic_id() == *id {
                    Ok(partition)
                } else {
                    Err(PartitionError::UnknownTopicId { topic_id: *id })
                }
            }
            None => Err(PartitionError::UnknownTopicId { topic_id: *id }),
        },
    }
}

/// Whether anything a waiting fetch cares about changed: data past a fetch offset, or a
/// partition that now answers with an error (leadership moved).
fn has_news(targets: &[Target], params: FetchParams) -> bool {
    targets.iter().any(|target| match &target.partition {
        Err(_) => false,
        Ok(partition) => {
            if partition
                .check_leader(target.params.current_leader_epoch)
                .is_err()
            {
                return true;
            }
            let readable_end = if params.is_follower() {
                partition.log().log_end_offset()
            } else {
                partition.log().high_watermark()
            };
            readable_end > target.params.fetch_offset
        }
    })
}

/// Reads every target once, in order, against the response byte budget.
fn read_round(targets: &[Target], params: FetchParams, tier: Option<&RemoteTier>) -> ReadRound {
    let mut remaining = params.max_bytes;
    let mut min_one_message = true;
    let mut round = ReadRound {
        partitions: Vec::with_capacity(targets.len()),
        bytes: 0,
        any_error: false,
        remote: None,
    };
    for target in targets {
        let data = match read_partition(target, params, remaining, min_one_message, tier) {
            LocalRead::Done(data) => data,
            LocalRead::Tiered(data, remote, max_bytes) => {
                if round.remote.is_none() {
                    round.remote = Some(RemoteFetch {
                        index: round.partitions.len(),
                        remote,
                        fetch_offset: target.params.fetch_offset,
                        max_bytes,
                        min_one_message,
                    });
                }
                data
            }
        };
        let size = data.records.as_ref().map_or(0, Bytes::len);
        if size > 0 {
            // Once one partition returned data, the limits hold strictly.
            min_one_message = false;
        }
        remaining = remaining.saturating_sub(size);
        round.bytes += size;
        round.any_error |= data.error_code != 0;
        round.partitions.push(data);
    }
    round
}

fn read_partition(
    target: &Target,
    params: FetchParams,
    remaining: usize,
    min_one_message: bool,
    tier: Option<&RemoteTier>,
) -> LocalRead {
    let partition = match &target.partition {
        Ok(partition) => partition,
        Err(error) => return LocalRead::Done(error_partition(error, params.version)),
    };
    let fetch = &target.params;
    if let Err(error) = partition.check_leader(fetch.current_leader_epoch) {
        return LocalRead::Done(error_partition(&error, params.version));
    }
    let log = partition.log();
    let max_offset = if params.is_follower() {
        log.log_end_offset()
    } else {
        log.high_watermark()
    };
    let partition_max_bytes = usize::try_from(fetch.partition_max_bytes.max(0)).unwrap_or(0);
    let max_bytes = partition_max_bytes.min(remaining);
    match log.read(fetch.fetch_offset, max_bytes, max_offset, min_one_message) {
        Ok(info) => {
            if params.is_follower() {
                partition.update_follower_fetch_position(params.replica_id, fetch.fetch_offset);
            }
            let mut data = PartitionData::default();
            data.partition_index = partition.topic_partition().partition;
            data.high_watermark = info.high_watermark;
            data.last_stable_offset = info.high_watermark;
            data.log_start_offset = info.log_start_offset;
            data.aborted_transactions = params.read_committed.then(Vec::new);
            data.preferred_read_replica = (-1).into();
            data.records = Some(info.records);
            LocalRead::Done(data)
        }
        // Followers get OFFSET_MOVED_TO_TIERED_STORAGE (109) below; consumers read remotely.
        Err(LogError::OffsetMovedToTieredStorage { .. }) if !params.is_follower() => {
            let tp = partition.topic_partition();
            let Some(remote) = tier.and_then(|t| t.partition(tp)) else {
                // Tiered data this node cannot reach yet (attach pending): retriable.
                return LocalRead::Done(error_partition_code(
                    ResponseError::KafkaStorageError.code(),
                    tp.partition,
                ));
            };
            let mut data = PartitionData::default();
            data.partition_index = tp.partition;
            data.high_watermark = log.high_watermark();
            data.last_stable_offset = data.high_watermark;
            data.log_start_offset = log.log_start_offset();
            data.aborted_transactions = params.read_committed.then(Vec::new);
            data.preferred_read_replica = (-1).into();
            data.records = Some(Bytes::new());
            LocalRead::Tiered(data, remote, max_bytes)
        }
        Err(source) => {
            let error = PartitionError::log(partition.topic_partition(), source);
            LocalRead::Done(error_partition(&error, params.version))
        }
    }
}

/// A partition answer carrying only `code` (a remote read's failure).
fn error_partition_code(code: i16, partition_index: i32) -> PartitionData {
    let mut data = PartitionData::default();
    data.partition_index = partition_index;
    data.error_code = code;
    data.high_watermark = -1;
    data.last_stable_offset = -1;
    data.log_start_offset = -1;
    data.preferred_read_replica = (-1).into();
    data.records = Some(Bytes::new());
    data
}

/// A partition answer carrying only an error (offsets unknown, no records).
fn error_partition(error: &PartitionError, version: i16) -> PartitionData {
    let mut data = PartitionData::default();
    data.error_code = error.code();
    data.high_watermark = -1;
    data.last_stable_offset = -1;
    data.log_start_offset = -1;
    data.preferred_read_replica = (-1).into();
    data.records = Some(Bytes::new());
    if version >= CURRENT_LEADER_VERSION {
        if let Some((leader, epoch)) = error.current_leader() {
            let mut current = LeaderIdAndEpoch::default();
            current.leader_id = leader.into();
            current.leader_epoch = epoch;
            data.current_leader = current;
        }
    }
    data
}

/// Appends a partition to the response, grouping consecutive partitions of one topic.
fn push_partition(
    topics: &mut Vec<FetchableTopicResponse>,
    key: &PartitionKey,
    mut data: PartitionData,
) {
    // Error answers for unresolved topics do not know their index: take it from the request.
    data.partition_index = key.partition;
    let same_topic = topics.last().is_some_and(|last| match &key.topic {
        SessionTopic::Id(id) => last.topic_id == *id,
        SessionTopic::Name(name) => last.topic == *name,
    });
    if !same_topic {
        let mut topic = FetchableTopicResponse::default();
        match &key.topic {
            SessionTopic::Id(id) => topic.topic_id = *id,
            SessionTopic::Name(name) => topic.topic = name.clone(),
        }
        topics.push(topic);
    }
    if let Some(last) = topics.last_mut() {
        last.partitions.push(data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;
    use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
    use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};
    use kafka_protocol::ResponseError;
    use strata_protocol::compression::Compression;
    use strata_protocol::record_batch::{batches, RecordBatchBuilder};

    use crate::fetch_session::FINAL_EPOCH;
    use crate::replica_manager::testing::Fixture;

    const VERSION: i16 = 12;
    const BROKER_FETCH_MAX_BYTES: i32 = 55 << 20;

    fn batch(records: usize, value_bytes: usize) -> BytesMut {
        let value = vec![b'x'; value_bytes];
        let mut builder = RecordBatchBuilder::new(0, Compression::None);
        for i in 0..records {
            builder.append(1_000 + i as i64, None, Some(&value), &[]);
        }
        builder.build().expect("batch builds")
    }

    fn append(fixture: &Fixture, topic: &str, records: usize, value_bytes: usize) {
        let partition = fixture.replica_manager.get(topic, 0).expect("hosted");
        partition
            .append_as_leader(batch(records, value_bytes), 1)
            .expect("appends");
    }

    fn request(
        partitions: &[(&str, i64)],
        max_wait_ms: i32,
        min_bytes: i32,
        max_bytes: i32,
    ) -> FetchRequest {
        let topics = partitions
            .iter()
            .map(|(topic, offset)| {
                FetchTopic::default()
                    .with_topic(TopicName(StrBytes::from_string(topic.to_string())))
                    .with_partitions(vec![FetchPartition::default()
                        .with_partition(0)
                        .with_fetch_offset(*offset)
                        .with_partition_max_bytes(1 << 20)])
            })
            .collect();
        FetchRequest::default()
            .with_replica_id((-1).into())
            .with_max_wait_ms(max_wait_ms)
            .with_min_bytes(min_bytes)
            .with_max_bytes(max_bytes)
            .with_session_id(0)
            .with_session_epoch(FINAL_EPOCH)
            .with_topics(topics)
    }

    /// Fetches through a fresh session cache and returns the response after a wire round trip.
    async fn fetch(
        fixture: &Fixture,
        sessions: &FetchSessionCache,
        request: FetchRequest,
    ) -> FetchResponse {
        let response = handle_fetch(
            &fixture.replica_manager,
            sessions,
            &fixture.image,
            BROKER_FETCH_MAX_BYTES,
            VERSION,
            "PLAINTEXT",
            request,
        )
        .await;
        let mut buf = BytesMut::new();
        response.encode(&mut buf, VERSION).expect("encodes");
        FetchResponse::decode(&mut buf.freeze(), VERSION).expect("decodes")
    }

    fn base_offsets(records: &Bytes) -> Vec<i64> {
        batches(records)
            .map(|b| b.expect("whole batch").base_offset())
            .collect()
    }

    #[tokio::test]
    async fn fetch_from_mid_batch_offset_returns_the_whole_batch() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        append(&fixture, "t", 5, 10);
        append(&fixture, "t", 5, 10);
        let sessions = FetchSessionCache::new(10);
        let response = fetch(&fixture, &sessions, request(&[("t", 2)], 0, 1, 1 << 20)).await;
        let partition = &response.responses[0].partitions[0];
        assert_eq!(partition.error_code, 0);
        assert_eq!(partition.high_watermark, 10);
        assert_eq!(partition.last_stable_offset, 10);
        assert_eq!(partition.log_start_offset, 0);
        assert_eq!(partition.aborted_transactions, None);
        assert_eq!(
            base_offsets(partition.records.as_ref().expect("records")),
            vec![0, 5]
        );
    }

    #[tokio::test]
    async fn first_batch_is_returned_even_when_larger_than_max_bytes() {
        let fixture = Fixture::new(&[("a", 1, &[]), ("b", 1, &[])]);
        append(&fixture, "a", 1, 4_000);
        append(&fixture, "b", 1, 4_000);
        let sessions = FetchSessionCache::new(10);
        let response = fetch(
            &fixture,
            &sessions,
            request(&[("a", 0), ("b", 0)], 0, 1, 100),
        )
        .await;
        let a = response.responses[0].partitions[0]
            .records
            .clone()
            .expect("records");
        let b = response.responses[1].partitions[0]
            .records
            .clone()
            .expect("records");
        assert_eq!(
            base_offsets(&a),
            vec![0],
            "first partition returns one oversized batch"
        );
        assert!(b.is_empty(), "the budget is spent after the first batch");
    }

    #[tokio::test]
    async fn long_poll_returns_as_soon_as_data_arrives() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        let sessions = FetchSessionCache::new(10);
        let partition = fixture.replica_manager.get("t", 0).expect("hosted");
        let producer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            partition
                .append_as_leader(batch(3, 10), 1)
                .expect("appends");
        });
        let started = std::time::Instant::now();
        let response = fetch(
            &fixture,
            &sessions,
            request(&[("t", 0)], 10_000, 1, 1 << 20),
        )
        .await;
        let elapsed = started.elapsed();
        producer.await.expect("producer task");
        assert!(
            elapsed < Duration::from_secs(5),
            "woken by the append, not the timeout: {elapsed:?}"
        );
        let records = response.responses[0].partitions[0]
            .records
            .clone()
            .expect("records");
        assert_eq!(base_offsets(&records), vec![0]);
    }

    #[tokio::test]
    async fn long_poll_waits_on_several_partitions_and_wakes_on_any() {
        let fixture = Fixture::new(&[("a", 1, &[]), ("b", 1, &[])]);
        let sessions = FetchSessionCache::new(10);
        let partition = fixture.replica_manager.get("b", 0).expect("hosted");
        let producer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            partition
                .append_as_leader(batch(1, 10), 1)
                .expect("appends");
        });
        let started = std::time::Instant::now();
        let response = fetch(
            &fixture,
            &sessions,
            request(&[("a", 0), ("b", 0)], 10_000, 1, 1 << 20),
        )
        .await;
        producer.await.expect("producer task");
        assert!(started.elapsed() < Duration::from_secs(5));
        let b = response.responses[1].partitions[0]
            .records
            .clone()
            .expect("records");
        assert_eq!(base_offsets(&b), vec![0]);
    }

    #[tokio::test]
    async fn long_poll_expires_after_max_wait_with_no_records() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        let sessions = FetchSessionCache::new(10);
        let started = std::time::Instant::now();
        let response = fetch(&fixture, &sessions, request(&[("t", 0)], 200, 1, 1 << 20)).await;
        assert!(started.elapsed() >= Duration::from_millis(200));
        let partition = &response.responses[0].partitions[0];
        assert_eq!(partition.error_code, 0);
        assert!(partition.records.as_ref().is_none_or(Bytes::is_empty));
    }

    #[tokio::test]
    async fn min_bytes_not_reached_keeps_waiting_until_max_wait() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        append(&fixture, "t", 1, 10);
        let sessions = FetchSessionCache::new(10);
        let started = std::time::Instant::now();
        let response = fetch(
            &fixture,
            &sessions,
            request(&[("t", 0)], 200, 1 << 20, 1 << 20),
        )
        .await;
        assert!(started.elapsed() >= Duration::from_millis(200));
        let records = response.responses[0].partitions[0]
            .records
            .clone()
            .expect("records");
        assert_eq!(
            base_offsets(&records),
            vec![0],
            "what there is is returned at expiry"
        );
    }

    #[tokio::test]
    async fn offset_past_the_log_end_is_offset_out_of_range() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        append(&fixture, "t", 2, 10);
        let sessions = FetchSessionCache::new(10);
        let response = fetch(&fixture, &sessions, request(&[("t", 50)], 0, 1, 1 << 20)).await;
        let partition = &response.responses[0].partitions[0];
        assert_eq!(partition.error_code, ResponseError::OffsetOutOfRange.code());
    }

    #[tokio::test]
    async fn unknown_topic_is_unknown_topic_or_partition() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        let sessions = FetchSessionCache::new(10);
        let response = fetch(
            &fixture,
            &sessions,
            request(&[("missing", 0)], 0, 1, 1 << 20),
        )
        .await;
        assert_eq!(
            response.responses[0].partitions[0].error_code,
            ResponseError::UnknownTopicOrPartition.code()
        );
    }

    #[tokio::test]
    async fn unknown_topic_id_is_unknown_topic_id() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        let sessions = FetchSessionCache::new(10);
        let mut by_id = request(&[("t", 0)], 0, 1, 1 << 20);
        by_id.topics[0].topic_id = Uuid::new_v4();
        let response = handle_fetch(
            &fixture.replica_manager,
            &sessions,
            &fixture.image,
            BROKER_FETCH_MAX_BYTES,
            13,
            "PLAINTEXT",
            by_id,
        )
        .await;
        assert_eq!(
            response.responses[0].partitions[0].error_code,
            ResponseError::UnknownTopicId.code()
        );
    }

    #[tokio::test]
    async fn read_committed_gets_an_empty_aborted_list_not_null() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        append(&fixture, "t", 1, 10);
        let sessions = FetchSessionCache::new(10);
        let committed = request(&[("t", 0)], 0, 1, 1 << 20).with_isolation_level(1);
        let response = fetch(&fixture, &sessions, committed).await;
        assert_eq!(
            response.responses[0].partitions[0].aborted_transactions,
            Some(vec![])
        );
    }

    #[tokio::test]
    async fn session_incremental_fetch_answers_only_partitions_with_news() {
        let fixture = Fixture::new(&[("a", 1, &[]), ("b", 1, &[])]);
        append(&fixture, "a", 1, 10);
        append(&fixture, "b", 1, 10);
        let sessions = FetchSessionCache::new(10);
        let full = request(&[("a", 0), ("b", 0)], 0, 1, 1 << 20).with_session_epoch(0);
        let response = fetch(&fixture, &sessions, full).await;
        let session_id = response.session_id;
        assert_ne!(session_id, 0);
        assert_eq!(response.responses.len(), 2);

        // Both fetch positions move past what was returned; only b gets new data.
        let mut incremental = request(&[("a", 1), ("b", 1)], 0, 1, 1 << 20)
            .with_session_id(session_id)
            .with_session_epoch(1);
        incremental.max_wait_ms = 0;
        append(&fixture, "b", 1, 10);
        let response = fetch(&fixture, &sessions, incremental).await;
        assert_eq!(response.error_code, 0);
        assert_eq!(response.session_id, session_id);
        assert_eq!(response.responses.len(), 1, "only b has news");
        assert_eq!(response.responses[0].topic.0.as_str(), "b");

        let stale = request(&[], 0, 1, 1 << 20)
            .with_session_id(session_id)
            .with_session_epoch(1);
        let response = fetch(&fixture, &sessions, stale).await;
        assert_eq!(
            response.error_code,
            ResponseError::InvalidFetchSessionEpoch.code()
        );
        assert!(response.responses.is_empty());
    }

    #[tokio::test]
    async fn partition_led_elsewhere_points_at_the_new_leader_from_v16() {
        use strata_controller::{BrokerRegistration, Endpoint};
        let mut fixture = Fixture::new(&[("t", 1, &[])]);
        fixture.image.brokers.insert(
            2,
            BrokerRegistration {
                id: 2,
                epoch: 7,
                incarnation_id: Uuid::new_v4(),
                listeners: vec![Endpoint {
                    name: "PLAINTEXT".into(),
                    host: "h2".into(),
                    port: 9192,
                    security_protocol: 0,
                }],
                rack: Some("r2".into()),
                fenced: false,
                in_controlled_shutdown: false,
                supported_features: Vec::new(),
                log_dirs: Vec::new(),
            },
        );
        let topic = fixture.image.topics.by_name["t"].clone();
        let mut moved = (*topic).clone();
        for registration in moved.partitions.values_mut() {
            registration.replicas = vec![crate::replica_manager::testing::NODE_ID, 2];
            registration.leader = 2;
            registration.leader_epoch = 1;
        }
        fixture
            .image
            .topics
            .by_name
            .insert("t".into(), Arc::new(moved));
        fixture
            .replica_manager
            .apply_image(&fixture.image)
            .expect("applies");

        let sessions = FetchSessionCache::new(10);
        let mut by_id = request(&[("t", 0)], 0, 1, 1 << 20);
        by_id.topics[0].topic_id = fixture.image.topics.by_name["t"].id;
        let response = handle_fetch(
            &fixture.replica_manager,
            &sessions,
            &fixture.image,
            BROKER_FETCH_MAX_BYTES,
            16,
            "PLAINTEXT",
            by_id,
        )
        .await;
        let partition = &response.responses[0].partitions[0];
        assert_eq!(
            partition.error_code,
            ResponseError::NotLeaderOrFollower.code()
        );
        assert_eq!(
            (
                partition.current_leader.leader_id.0,
                partition.current_leader.leader_epoch
            ),
            (2, 1)
        );
        assert_eq!(response.node_endpoints.len(), 1);
        let endpoint = &response.node_endpoints[0];
        assert_eq!(
            (endpoint.node_id.0, endpoint.host.as_str(), endpoint.port),
            (2, "h2", 9192)
        );
    }
}
