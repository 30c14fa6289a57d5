//! Header-only validation of a leader append, in the spirit of Kafka's `LogValidator`.
//!
//! Checks every batch before anything is written, without decompressing: framing and magic 2
//! (`InvalidRecord` otherwise), CRC-32C (`CorruptRecord`), size against `max.message.bytes`
//! (`RecordTooLarge`) and the whole append against `segment.bytes`, a record count ≥ 1 that
//! matches the last offset delta for uncompressed batches, no control batches from clients,
//! producer fields that make sense, and CreateTime timestamps within
//! `message.timestamp.before.max.ms` / `after.max.ms` (checked on the base and max timestamps).
//! Kafka drops a truncated trailing batch silently; Strata rejects it as `CorruptRecord` so a
//! client never believes a partial append succeeded.

use strata_protocol::record_batch::{
    batches, decode_records, BatchError, Compression, RecordBatchView, TimestampType,
};

use crate::batch_header::BatchHeader;
use crate::error::LogError;
use crate::log_config::LogConfig;

/// A validated batch of an append: where it is in the buffer and its header.
pub(crate) struct ValidatedBatch {
    pub(crate) start: usize,
    pub(crate) header: BatchHeader,
}

/// Header-only validation of every batch of a leader append, in Kafka's `LogValidator` spirit.
pub(crate) fn validate_batches(
    records: &[u8],
    config: &LogConfig,
    now: i64,
    topic_partition: &dyn std::fmt::Display,
) -> Result<Vec<ValidatedBatch>, LogError> {
    if records.len() as u64 > config.segment_bytes {
        return Err(LogError::RecordsLargerThanSegment {
            size: records.len(),
            segment_bytes: config.segment_bytes,
        });
    }
    let mut validated = Vec::new();
    let mut iter = batches(records);
    loop {
        let start = iter.position();
        let Some(next) = iter.next() else { break };
        let view = match next {
            Ok(view) => view,
            Err(BatchError::InvalidMagic { magic }) => {
                return Err(LogError::InvalidRecord {
                    reason: format!(
                        "batch at byte {start} has magic {magic}; only magic 2 is accepted"
                    ),
                })
            }
            Err(err @ BatchError::Truncated { .. })
            | Err(err @ BatchError::InvalidLength { .. }) => {
                return Err(LogError::CorruptRecord {
                    position: start,
                    reason: err.to_string(),
                })
            }
            Err(err) => {
                return Err(LogError::InvalidRecord {
                    reason: format!("batch at byte {start}: {err}"),
                })
            }
        };
        if view.size_bytes() > config.max_message_bytes {
            return Err(LogError::RecordTooLarge {
                size: view.size_bytes(),
                max: config.max_message_bytes,
            });
        }
        view.verify_crc().map_err(|err| LogError::CorruptRecord {
            position: start,
            reason: err.to_string(),
        })?;
        let header = BatchHeader::from_view(&view).map_err(|reason| LogError::InvalidRecord {
            reason: format!("batch at byte {start}: {reason}"),
        })?;
        if header.records_count < 1 {
            return Err(LogError::InvalidRecord {
                reason: format!("batch at byte {start} has {} records", header.records_count),
            });
        }
        if view.compression() == Compression::None
            && header.last_offset_delta != header.records_count - 1
        {
            return Err(LogError::InvalidRecord {
                reason: format!(
                    "batch at byte {start} has {} records but last offset delta {}",
                    header.records_count, header.last_offset_delta
                ),
            });
        }
        if header.is_control() {
            return Err(LogError::InvalidRecord {
                reason: "control batches may not be produced by clients".into(),
            });
        }
        if header.is_transactional() && !header.has_producer_id() {
            return Err(LogError::InvalidRecord {
                reason: "transactional batch without a producer id".into(),
            });
        }
        if header.has_producer_id() && header.base_sequence < 0 {
            return Err(LogError::InvalidRecord {
                reason: format!(
                    "idempotent batch of producer {} has base sequence {}",
                    header.producer_id, header.base_sequence
                ),
            });
        }
        if config.message_timestamp_type == TimestampType::CreateTime {
            check_timestamp(header.base_timestamp, now, config)?;
            check_timestamp(header.max_timestamp, now, config)?;
        }
        if config.cleanup_policy.compact {
            check_every_record_has_a_key(&view, start, topic_partition)?;
        }
        validated.push(ValidatedBatch { start, header });
    }
    Ok(validated)
}

/// Compacted topics need a key on every record. This is the one check that has to look inside
/// a batch (decompressing it), so it runs only for topics whose `cleanup.policy` has `compact`,
/// as in Kafka's `LogValidator`.
fn check_every_record_has_a_key(
    view: &RecordBatchView<'_>,
    start: usize,
    topic_partition: &dyn std::fmt::Display,
) -> Result<(), LogError> {
    let records = decode_records(view).map_err(|err| LogError::CorruptRecord {
        position: start,
        reason: err.to_string(),
    })?;
    let record_indexes: Vec<i32> = records
        .iter()
        .enumerate()
        .filter(|(_, record)| record.key.is_none())
        .map(|(index, _)| i32::try_from(index).unwrap_or(i32::MAX))
        .collect();
    if record_indexes.is_empty() {
        Ok(())
    } else {
        Err(LogError::KeylessRecordsOnCompactedTopic {
            topic_partition: topic_partition.to_string(),
            record_indexes,
        })
    }
}

fn check_timestamp(timestamp: i64, now: i64, config: &LogConfig) -> Result<(), LogError> {
    if timestamp < 0 {
        return Ok(());
    }
    if now.saturating_sub(timestamp) > config.message_timestamp_before_max_ms {
        return Err(LogError::InvalidTimestamp {
            timestamp,
            now_ms: now,
            reason: format!(
                "more than message.timestamp.before.max.ms={} in the past",
                config.message_timestamp_before_max_ms
            ),
        });
    }
    if timestamp.saturating_sub(now) > config.message_timestamp_after_max_ms {
        return Err(LogError::InvalidTimestamp {
            timestamp,
            now_ms: now,
            reason: format!(
                "more than message.timestamp.after.max.ms={} in the future",
                config.message_timestamp_after_max_ms
            ),
        });
    }
    Ok(())
}

/// Validation of replicated batches (follower fetch, the metadata log): offsets were assigned by
/// the leader, so only framing, magic, CRC and offset contiguity from `expected_first_offset` are
/// checked. Strata logs are gap-free (no compaction yet), so a gap is rejected too.
pub(crate) fn validate_replicated_batches(
    records: &[u8],
    expected_first_offset: i64,
) -> Result<Vec<BatchHeader>, LogError> {
    let mut headers = Vec::new();
    let mut expected = expected_first_offset;
    let mut iter = batches(records);
    loop {
        let start = iter.position();
        let Some(next) = iter.next() else { break };
        let view = next.map_err(|err| LogError::CorruptRecord {
            position: start,
            reason: err.to_string(),
        })?;
        view.verify_crc().map_err(|err| LogError::CorruptRecord {
            position: start,
            reason: err.to_string(),
        })?;
        let header = BatchHeader::from_view(&view).map_err(|reason| LogError::CorruptRecord {
            position: start,
            reason,
        })?;
        if header.base_offset != expected {
            return Err(LogError::UnexpectedAppendOffset {
                expected,
                received: header.base_offset,
            });
        }
        expected = header.next_offset();
        headers.push(header);
    }
    Ok(headers)
}
