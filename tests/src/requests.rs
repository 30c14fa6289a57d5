//! Builders for the requests black-box tests send most, over a [`RawClient`].
//!
//! Versions are fixed and widely supported (every real client negotiates to at least these):
//! topic names rather than topic ids, so a test reads like the client calls it models.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::create_topics_request::{CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::create_topics_response::CreatableTopicResult;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::fetch_response::PartitionData;
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::list_offsets_response::ListOffsetsPartitionResponse;
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::produce_response::PartitionProduceResponse;
use kafka_protocol::messages::{
    ApiVersionsRequest, ApiVersionsResponse, BrokerId, CreateTopicsRequest, FetchRequest,
    ListOffsetsRequest, MetadataRequest, ProduceRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::{
    Compression, Record, RecordBatchDecoder, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};

use crate::raw_client::RawClient;

/// ApiVersions version used for readiness checks and tests (KIP-511 flexible version).
pub const API_VERSIONS_VERSION: i16 = 3;
/// CreateTopics version (flexible, names, returns configs).
pub const CREATE_TOPICS_VERSION: i16 = 7;
/// Produce version (flexible, topic names).
pub const PRODUCE_VERSION: i16 = 9;
/// Fetch version (flexible, topic names; v13 switched to ids).
pub const FETCH_VERSION: i16 = 12;
/// ListOffsets version (flexible, supports -3 max timestamp).
pub const LIST_OFFSETS_VERSION: i16 = 7;
/// Metadata version (flexible, topic names and ids).
pub const METADATA_VERSION: i16 = 12;

/// Kafka error codes the tests assert on, by Kafka's names.
pub mod error_code {
    /// No error.
    pub const NONE: i16 = 0;
    /// OFFSET_OUT_OF_RANGE.
    pub const OFFSET_OUT_OF_RANGE: i16 = 1;
    /// CORRUPT_MESSAGE.
    pub const CORRUPT_MESSAGE: i16 = 2;
    /// UNKNOWN_TOPIC_OR_PARTITION.
    pub const UNKNOWN_TOPIC_OR_PARTITION: i16 = 3;
    /// LEADER_NOT_AVAILABLE.
    pub const LEADER_NOT_AVAILABLE: i16 = 5;
    /// MESSAGE_TOO_LARGE.
    pub const MESSAGE_TOO_LARGE: i16 = 10;
    /// INVALID_TOPIC_EXCEPTION.
    pub const INVALID_TOPIC_EXCEPTION: i16 = 17;
    /// UNSUPPORTED_VERSION.
    pub const UNSUPPORTED_VERSION: i16 = 35;
    /// TOPIC_ALREADY_EXISTS.
    pub const TOPIC_ALREADY_EXISTS: i16 = 36;
    /// INVALID_CONFIG.
    pub const INVALID_CONFIG: i16 = 40;
    /// INVALID_RECORD
    pub const INVALID_RECORD: i16 = 87;
}

/// Sends ApiVersions v3 and returns the response.
pub fn api_versions(client: &mut RawClient) -> Result<ApiVersionsResponse> {
    let request = ApiVersionsRequest::default()
        .with_client_software_name(StrBytes::from_static_str("strata-tests"))
        .with_client_software_version(StrBytes::from_static_str("0.1.0"));
    client.send(&request, API_VERSIONS_VERSION)
}

/// Creates one topic with replication factor 1 and returns its per-topic result (which may
/// carry an error; the caller decides whether that is expected).
pub fn create_topic(
    client: &mut RawClient,
    name: &str,
    partitions: i32,
    configs: &[(&str, &str)],
) -> Result<CreatableTopicResult> {
    let configs = configs
        .iter()
        .map(|(k, v)| {
            CreatableTopicConfig::default()
                .with_name(StrBytes::from_string((*k).to_owned()))
                .with_value(Some(StrBytes::from_string((*v).to_owned())))
        })
        .collect();
    let request = CreateTopicsRequest::default()
        .with_topics(vec![CreatableTopic::default()
            .with_name(topic_name(name))
            .with_num_partitions(partitions)
            .with_replication_factor(1)
            .with_configs(configs)])
        .with_timeout_ms(30_000);
    let response = client.send(&request, CREATE_TOPICS_VERSION)?;
    response
        .topics
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("CreateTopics response has no topic result"))
}

/// Creates a topic and waits until Metadata shows a leader for every partition.
pub fn create_topic_ok(client: &mut RawClient, name: &str, partitions: i32) -> Result<()> {
    let result = create_topic(client, name, partitions, &[])?;
    if result.error_code != error_code::NONE {
        bail!(
            "creating {name}: error {} {:?}",
            result.error_code,
            result.error_message
        );
    }
    wait_for_leaders(client, name, partitions, Duration::from_secs(30))
}

/// Polls until `topic` has `partitions` partitions, each with a leader that serves it.
pub fn wait_for_leaders(
    client: &mut RawClient,
    topic: &str,
    partitions: i32,
    timeout: Duration,
) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let request = MetadataRequest::default()
            .with_topics(Some(vec![
                MetadataRequestTopic::default().with_name(Some(topic_name(topic)))
            ]))
            .with_allow_auto_topic_creation(false);
        let response = client.send(&request, METADATA_VERSION)?;
        let ready = response.topics.iter().any(|t| {
            t.error_code == error_code::NONE
                && t.partitions.len() == usize::try_from(partitions).unwrap_or(usize::MAX)
                && t.partitions
                    .iter()
                    .all(|p| p.error_code == error_code::NONE && p.leader_id.0 >= 0)
        });
        // Metadata may name the leader a moment before that broker serves the partition (as
        // on Kafka, where the metadata cache is published before leadership is applied), so
        // readiness also needs every partition to answer ListOffsets without error.
        if ready && serves_every_partition(client, topic, partitions)? {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!("topic {topic} has no leader for all {partitions} partitions after {timeout:?}: {response:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn serves_every_partition(client: &mut RawClient, topic: &str, partitions: i32) -> Result<bool> {
    for partition in 0..partitions {
        if list_offsets(client, topic, partition, -1)?.error_code != error_code::NONE {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Produces `records` (one or more encoded batches) to one partition.
pub fn produce(
    client: &mut RawClient,
    topic: &str,
    partition: i32,
    records: Bytes,
    acks: i16,
) -> Result<PartitionProduceResponse> {
    let request = ProduceRequest::default()
        .with_acks(acks)
        .with_timeout_ms(30_000)
        .with_topic_data(vec![TopicProduceData::default()
            .with_name(topic_name(topic))
            .with_partition_data(vec![PartitionProduceData::default()
                .with_index(partition)
                .with_records(Some(records))])]);
    let response = client.send(&request, PRODUCE_VERSION)?;
    response
        .responses
        .into_iter()
        .flat_map(|t| t.partition_responses)
        .next()
        .ok_or_else(|| anyhow!("Produce response has no partition result"))
}

/// Fetches from one partition at `offset`, waiting at most 100 ms for data.
pub fn fetch(
    client: &mut RawClient,
    topic: &str,
    partition: i32,
    offset: i64,
    max_bytes: i32,
) -> Result<PartitionData> {
    let request = FetchRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_max_wait_ms(100)
        .with_min_bytes(1)
        .with_max_bytes(max_bytes)
        .with_session_id(0)
        .with_session_epoch(-1)
        .with_topics(vec![FetchTopic::default()
            .with_topic(topic_name(topic))
            .with_partitions(vec![FetchPartition::default()
                .with_partition(partition)
                .with_current_leader_epoch(-1)
                .with_fetch_offset(offset)
                .with_last_fetched_epoch(-1)
                .with_log_start_offset(-1)
                .with_partition_max_bytes(max_bytes)])]);
    let response = client.send(&request, FETCH_VERSION)?;
    if response.error_code != error_code::NONE {
        bail!("Fetch top-level error {}", response.error_code);
    }
    response
        .responses
        .into_iter()
        .flat_map(|t| t.partitions)
        .next()
        .ok_or_else(|| anyhow!("Fetch response has no partition data"))
}

/// Reads every record of a partition from `offset` up to the high watermark.
pub fn fetch_all(
    client: &mut RawClient,
    topic: &str,
    partition: i32,
    mut offset: i64,
) -> Result<Vec<Record>> {
    let mut out = Vec::new();
    loop {
        let data = fetch(client, topic, partition, offset, 4 * 1024 * 1024)?;
        if data.error_code != error_code::NONE {
            bail!(
                "Fetch {topic}-{partition}@{offset}: error {}",
                data.error_code
            );
        }
        let records = decode_records(data.records.unwrap_or_default())?;
        let before = out.len();
        for record in records {
            if record.offset >= offset {
                offset = record.offset + 1;
                out.push(record);
            }
        }
        if offset >= data.high_watermark || out.len() == before {
            return Ok(out);
        }
    }
}

/// Sends ListOffsets for one partition and timestamp (-2 earliest, -1 latest, -3 max timestamp).
pub fn list_offsets(
    client: &mut RawClient,
    topic: &str,
    partition: i32,
    timestamp: i64,
) -> Result<ListOffsetsPartitionResponse> {
    let request = ListOffsetsRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_topics(vec![ListOffsetsTopic::default()
            .with_name(topic_name(topic))
            .with_partitions(vec![ListOffsetsPartition::default()
                .with_partition_index(partition)
                .with_current_leader_epoch(-1)
                .with_timestamp(timestamp)])]);
    let response = client.send(&request, LIST_OFFSETS_VERSION)?;
    response
        .topics
        .into_iter()
        .flat_map(|t| t.partitions)
        .next()
        .ok_or_else(|| anyhow!("ListOffsets response has no partition result"))
}

/// Encodes exactly one record batch v2 (Produce v3+ allows one per partition) holding `values` (keys `k<i>`), timestamps `base_ts + i`.
pub fn build_batch(values: &[Bytes], base_ts: i64, compression: Compression) -> Result<BytesMut> {
    let keyed: Vec<(Option<Bytes>, Bytes)> = values
        .iter()
        .enumerate()
        .map(|(i, value)| (Some(Bytes::from(format!("k{i}"))), value.clone()))
        .collect();
    build_batch_with_keys(&keyed, base_ts, compression)
}

/// One record batch of `(key, value)` records; a `None` key makes a keyless record.
pub fn build_batch_with_keys(
    records: &[(Option<Bytes>, Bytes)],
    base_ts: i64,
    compression: Compression,
) -> Result<BytesMut> {
    let records: Vec<Record> = records
        .iter()
        .enumerate()
        .map(|(i, (key, value))| Record {
            transactional: false,
            control: false,
            delete_horizon: false,
            partition_leader_epoch: -1,
            producer_id: -1,
            producer_epoch: -1,
            timestamp_type: TimestampType::Creation,
            offset: i64::try_from(i).unwrap_or(i64::MAX),
            // kafka-protocol starts a new batch whenever offset - sequence changes; keeping it
            // constant yields one batch whose base sequence is -1 (no idempotence), as a
            // non-idempotent Kafka client sends.
            sequence: i32::try_from(i).unwrap_or(i32::MAX).wrapping_sub(1),
            timestamp: base_ts + i64::try_from(i).unwrap_or(0),
            key: key.clone(),
            value: Some(value.clone()),
            headers: Default::default(),
        })
        .collect();
    let mut buf = BytesMut::new();
    RecordBatchEncoder::encode(
        &mut buf,
        records.iter(),
        &RecordEncodeOptions {
            version: 2,
            compression,
        },
    )
    .context("encoding record batch")?;
    Ok(buf)
}

/// Decodes every record in a Fetch response's record bytes.
pub fn decode_records(records: Bytes) -> Result<Vec<Record>> {
    let mut buf = records;
    let mut out = Vec::new();
    for set in RecordBatchDecoder::decode_all(&mut buf).context("decoding fetched batches")? {
        out.extend(set.records);
    }
    Ok(out)
}

/// A topic name for kafka-protocol messages.
pub fn topic_name(name: &str) -> TopicName {
    TopicName(StrBytes::from_string(name.to_owned()))
}

/// DescribeConfigs version (flexible).
pub const DESCRIBE_CONFIGS_VERSION: i16 = 4;

/// The configs of one topic as DescribeConfigs reports them: name → (value, is_default).
pub fn describe_topic_configs(
    client: &mut RawClient,
    topic: &str,
) -> Result<std::collections::BTreeMap<String, (Option<String>, bool)>> {
    use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
    use kafka_protocol::messages::DescribeConfigsRequest;
    let request =
        DescribeConfigsRequest::default().with_resources(vec![DescribeConfigsResource::default()
            .with_resource_type(2) // TOPIC
            .with_resource_name(StrBytes::from_string(topic.to_owned()))
            .with_configuration_keys(None)]);
    let response = client.send(&request, DESCRIBE_CONFIGS_VERSION)?;
    let result = response
        .results
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("DescribeConfigs response has no result"))?;
    if result.error_code != error_code::NONE {
        bail!(
            "DescribeConfigs {topic}: error {} {:?}",
            result.error_code,
            result.error_message
        );
    }
    Ok(result
        .configs
        .into_iter()
        .map(|c| {
            // Config source 5 is DEFAULT_CONFIG; 1 is DYNAMIC_TOPIC_CONFIG.
            let is_default = c.config_source == 5;
            (
                c.name.to_string(),
                (c.value.map(|v| v.to_string()), is_default),
            )
        })
        .collect())
}

/// Partition count of `topic` per Metadata, or `None` when the broker does not know it.
pub fn partition_count(client: &mut RawClient, topic: &str) -> Result<Option<usize>> {
    let request = MetadataRequest::default()
        .with_topics(Some(vec![
            MetadataRequestTopic::default().with_name(Some(topic_name(topic)))
        ]))
        .with_allow_auto_topic_creation(false);
    let response = client.send(&request, METADATA_VERSION)?;
    Ok(response
        .topics
        .iter()
        .find(|t| t.error_code == error_code::NONE)
        .map(|t| t.partitions.len()))
}

/// A record timestamp an hour in the past (whole seconds): old enough to sort before anything
/// produced during the test, recent enough that the default 7-day `retention.ms` keeps it.
/// Fixed historical timestamps would be deleted by time-based retention, as on Kafka.
pub fn recent_timestamp_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    i64::try_from(now)
        .unwrap_or(i64::MAX / 1000)
        .saturating_sub(3_600)
        * 1_000
}

/// Byte offset of the CRC field in a record batch v2 (base offset 8 + length 4 + epoch 4 + magic 1).
pub const BATCH_CRC_OFFSET: usize = 17;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_batch_round_trips_through_the_decoder() {
        let values = vec![Bytes::from_static(b"a"), Bytes::from_static(b"bc")];
        let batch = build_batch(&values, 1_000, Compression::Gzip).expect("batch");
        assert_eq!(batch[16], 2, "magic byte is 2");
        let mut view = batch.clone().freeze();
        let info = RecordBatchDecoder::decode_batch_info(&mut view).expect("batch info");
        assert_eq!(info.len(), 1, "one batch");
        assert_eq!(info[0].base_sequence, -1);
        assert_eq!(info[0].producer_id, -1);
        let records = decode_records(batch.freeze()).expect("decode");
        let got: Vec<_> = records.iter().map(|r| r.value.clone()).collect();
        assert_eq!(got, vec![Some(values[0].clone()), Some(values[1].clone())]);
        assert_eq!(records[1].timestamp, 1_001);
    }
}
