//! Produce and Fetch for the console producer and consumer: record batches built and decoded
//! with strata-protocol, requests routed to partition leaders.

use std::collections::BTreeMap;

use bytes::Bytes;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{BrokerId, FetchRequest, ProduceRequest, TopicName};
use kafka_protocol::protocol::StrBytes;
use strata_protocol::record_batch::{batches, decode_records, BatchError, TimestampType};

use super::connection::Connection;
use super::error::{BrokerError, ClientError};

/// Bytes one partition may return per fetch.
pub(crate) const FETCH_PARTITION_BYTES_MAX: i32 = 1 << 20;
/// Bytes one fetch response may carry.
pub(crate) const FETCH_RESPONSE_BYTES_MAX: i32 = 50 << 20;

/// Sends one batch per partition of `topic` to their common leader `connection`; returns each
/// partition's base offset or error.
pub(crate) async fn produce(
    connection: &mut Connection,
    topic: &str,
    batches_by_partition: &BTreeMap<i32, Bytes>,
    acks: i16,
    timeout_ms: i32,
) -> Result<BTreeMap<i32, Result<i64, BrokerError>>, ClientError> {
    let response = connection
        .call(|_version| {
            let mut data = TopicProduceData::default();
            data.name = TopicName(StrBytes::from_string(topic.to_owned()));
            data.partition_data = batches_by_partition
                .iter()
                .map(|(partition, batch)| {
                    let mut p = PartitionProduceData::default();
                    p.index = *partition;
                    p.records = Some(batch.clone());
                    p
                })
                .collect();
            let mut request = ProduceRequest::default();
            request.acks = acks;
            request.timeout_ms = timeout_ms;
            request.topic_data = vec![data];
            request
        })
        .await?;
    let mut out = BTreeMap::new();
    for topic_response in response.responses {
        for p in topic_response.partition_responses {
            let answer = if p.error_code == 0 {
                Ok(p.base_offset)
            } else {
                let mut message = p.error_message.map(|m| m.to_string());
                if let Some(first) = p.record_errors.first() {
                    let detail = first
                        .batch_index_error_message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_default();
                    message = Some(format!(
                        "{} (record {}: {detail})",
                        message.unwrap_or_default(),
                        first.batch_index
                    ));
                }
                Err(BrokerError::new(
                    p.error_code,
                    format!("{topic}-{}", p.index),
                    message,
                ))
            };
            out.insert(p.index, answer);
        }
    }
    Ok(out)
}

/// One consumed record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConsumedRecord {
    /// The partition.
    pub(crate) partition: i32,
    /// The offset.
    pub(crate) offset: i64,
    /// The timestamp (ms).
    pub(crate) timestamp: i64,
    /// Whether the timestamp is the broker's (LogAppendTime) or the producer's (CreateTime).
    pub(crate) log_append_time: bool,
    /// The key.
    pub(crate) key: Option<Bytes>,
    /// The value.
    pub(crate) value: Option<Bytes>,
    /// Headers in order.
    pub(crate) headers: Vec<(String, Option<Bytes>)>,
}

/// What one partition returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FetchedPartition {
    /// The partition.
    pub(crate) partition: i32,
    /// Error code, 0 if fine.
    pub(crate) error_code: i16,
    /// The high watermark.
    pub(crate) high_watermark: i64,
    /// Records at or after the fetch offset.
    pub(crate) records: Vec<ConsumedRecord>,
    /// Where the next fetch starts (past control batches too).
    pub(crate) next_offset: i64,
}

/// Fetches `positions` (partition → offset) of `topic` from their leader.
pub(crate) async fn fetch(
    connection: &mut Connection,
    topic: &str,
    positions: &BTreeMap<i32, i64>,
    max_wait_ms: i32,
    isolation_level: i8,
) -> Result<Vec<FetchedPartition>, ClientError> {
    let version = connection.version_for::<FetchRequest>()?;
    let mut request = FetchRequest::default();
    request.replica_id = BrokerId(-1);
    request.max_wait_ms = max_wait_ms;
    request.min_bytes = 1;
    request.max_bytes = FETCH_RESPONSE_BYTES_MAX;
    request.isolation_level = isolation_level;
    request.session_id = 0;
    request.session_epoch = -1;
    let mut fetch_topic = FetchTopic::default();
    fetch_topic.topic = TopicName(StrBytes::from_string(topic.to_owned()));
    fetch_topic.partitions = positions
        .iter()
        .map(|(partition, offset)| {
            let mut p = FetchPartition::default();
            p.partition = *partition;
            p.current_leader_epoch = -1;
            p.fetch_offset = *offset;
            p.last_fetched_epoch = -1;
            p.log_start_offset = -1;
            p.partition_max_bytes = FETCH_PARTITION_BYTES_MAX;
            p
        })
        .collect();
    request.topics = vec![fetch_topic];
    let response = connection.send(&request, version).await?;
    if response.error_code != 0 {
        return Err(
            BrokerError::new(response.error_code, format!("fetch from '{topic}'"), None).into(),
        );
    }
    let mut out = Vec::new();
    for topic_response in response.responses {
        for p in topic_response.partitions {
            let start = positions.get(&p.partition_index).copied().unwrap_or(0);
            let mut fetched = FetchedPartition {
                partition: p.partition_index,
                error_code: p.error_code,
                high_watermark: p.high_watermark,
                records: Vec::new(),
                next_offset: start,
            };
            if let Some(bytes) = &p.records {
                decode_into(&mut fetched, bytes, start).map_err(|e| ClientError::Codec {
                    address: connection.address().to_owned(),
                    api: "Fetch".to_owned(),
                    version,
                    reason: format!("records of {topic}-{}: {e}", p.partition_index),
                })?;
            }
            out.push(fetched);
        }
    }
    Ok(out)
}

/// Decodes the batches of one partition, keeping records at or after `start`. A batch cut
/// short at the end of the response is normal (the broker stops at the byte limit) and ends
/// decoding; any other malformation is an error.
fn decode_into(fetched: &mut FetchedPartition, bytes: &[u8], start: i64) -> Result<(), BatchError> {
    for batch in batches(bytes) {
        let batch = match batch {
            Ok(batch) => batch,
            Err(BatchError::Truncated { .. }) => break,
            Err(other) => return Err(other),
        };
        if batch.next_offset() <= start {
            continue;
        }
        fetched.next_offset = fetched.next_offset.max(batch.next_offset());
        if batch.is_control() {
            continue;
        }
        let log_append_time = batch.timestamp_type() == TimestampType::LogAppendTime;
        for record in decode_records(&batch)? {
            if record.offset < start {
                continue;
            }
            fetched.records.push(ConsumedRecord {
                partition: fetched.partition,
                offset: record.offset,
                timestamp: record.timestamp,
                log_append_time,
                key: record.key,
                value: record.value,
                headers: record.headers,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_protocol::record_batch::{Compression, RecordBatchBuilder};

    fn batch(base: i64, values: &[&str]) -> Vec<u8> {
        let mut builder = RecordBatchBuilder::new(base, Compression::None);
        for v in values {
            builder.append(
                1_000,
                Some(b"k".as_slice()),
                Some(v.as_bytes()),
                &[("h", Some(b"x".as_slice()))],
            );
        }
        builder.build().expect("build").to_vec()
    }

    fn empty(partition: i32, start: i64) -> FetchedPartition {
        FetchedPartition {
            partition,
            error_code: 0,
            high_watermark: 0,
            records: Vec::new(),
            next_offset: start,
        }
    }

    #[test]
    fn records_before_the_fetch_offset_are_dropped() {
        let mut bytes = batch(0, &["a", "b", "c"]);
        bytes.extend(batch(3, &["d"]));
        let mut fetched = empty(0, 1);
        decode_into(&mut fetched, &bytes, 1).expect("decode");
        let values: Vec<_> = fetched
            .records
            .iter()
            .map(|r| r.value.clone().expect("value"))
            .collect();
        assert_eq!(values, vec!["b", "c", "d"]);
        assert_eq!(fetched.next_offset, 4);
        assert_eq!(fetched.records[0].headers[0].0, "h");
    }

    #[test]
    fn a_batch_cut_at_the_response_limit_ends_decoding() {
        let mut bytes = batch(0, &["a"]);
        let second = batch(1, &["b"]);
        bytes.extend(&second[..second.len() - 3]);
        let mut fetched = empty(0, 0);
        decode_into(&mut fetched, &bytes, 0).expect("decode");
        assert_eq!(fetched.records.len(), 1);
        assert_eq!(fetched.next_offset, 1);
    }
}
