//! Turning one coordinator operation's records into one record batch and appending it to the
//! shard's `__consumer_offsets` partition as leader.
//!
//! Kafka's coordinator writes each operation's records as one batch v2 (non-transactional,
//! compressed with `offsets.topic.compression.codec`, none by default), so an operation is
//! applied whole or not at all on replay. Tombstones are records with a null value.

use bytes::BytesMut;
use kafka_protocol::ResponseError;
use strata_protocol::compression::Compression;
use strata_protocol::group_records::GroupRecord;
use strata_protocol::record_batch::RecordBatchBuilder;

use crate::partition::{Partition, PartitionError};

/// Why an operation's records could not be appended.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteError {
    /// Building the batch failed (only a compressor can fail).
    #[error("cannot build the __consumer_offsets batch of {records} records: {reason}")]
    Encode {
        /// Records of the operation.
        records: usize,
        /// What the batch builder said.
        reason: String,
    },
    /// The partition refused the append (not leader any more, disk failure, too large).
    #[error("appending to __consumer_offsets failed: {0}")]
    Append(#[from] PartitionError),
}

impl WriteError {
    /// The error code the clients of the failed operation get (Kafka's
    /// `CoordinatorRuntime`/`GroupCoordinatorService` mapping of append failures).
    pub(crate) fn code(&self) -> i16 {
        match self {
            Self::Encode { .. } => ResponseError::UnknownServerError.code(),
            Self::Append(error) => append_error_code(error.code()),
        }
    }
}

/// Maps a storage/partition error code to what a group client is told.
pub(crate) fn append_error_code(code: i16) -> i16 {
    let is = |e: ResponseError| code == e.code();
    if is(ResponseError::UnknownTopicOrPartition)
        || is(ResponseError::NotEnoughReplicas)
        || is(ResponseError::NotEnoughReplicasAfterAppend)
        || is(ResponseError::RequestTimedOut)
    {
        ResponseError::CoordinatorNotAvailable.code()
    } else if is(ResponseError::NotLeaderOrFollower) || is(ResponseError::KafkaStorageError) {
        ResponseError::NotCoordinator.code()
    } else if is(ResponseError::MessageTooLarge)
        || is(ResponseError::RecordListTooLarge)
        || is(ResponseError::InvalidFetchSize)
    {
        ResponseError::UnknownServerError.code()
    } else {
        code
    }
}

/// One batch holding `records` in order, timestamped `now_ms`.
pub(crate) fn encode_batch(
    records: &[GroupRecord],
    now_ms: i64,
    compression: Compression,
) -> Result<BytesMut, WriteError> {
    let mut builder = RecordBatchBuilder::new(0, compression);
    for record in records {
        let key = record.encode_key();
        let value = record.encode_value();
        builder.append(now_ms, Some(&key), value.as_deref(), &[]);
    }
    builder.build().map_err(|error| WriteError::Encode {
        records: records.len(),
        reason: error.to_string(),
    })
}

/// Appends `records` as one batch, as leader with acks=all semantics (the ISR must satisfy
/// `min.insync.replicas`). Returns the offset the high watermark must reach for the write to be
/// committed (last offset + 1).
pub(crate) fn append_records(
    partition: &Partition,
    records: &[GroupRecord],
    now_ms: i64,
    compression: Compression,
) -> Result<i64, WriteError> {
    let batch = encode_batch(records, now_ms, compression)?;
    let info = partition.append_as_leader(&batch, -1)?;
    Ok(info.last_offset + 1)
}

/// Kafka's `offsets.topic.compression.codec` id as a codec (unknown ids were refused at load).
pub(crate) fn compression_from_codec(codec: i32) -> Compression {
    u8::try_from(codec)
        .ok()
        .and_then(Compression::from_id)
        .unwrap_or(Compression::None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_protocol::group_records::{
        GroupRecordKey, GroupRecordValue, OffsetCommitKey, OffsetCommitValue,
    };
    use strata_protocol::record_batch::{decode_records, RecordBatchView};

    fn commit(offset: i64) -> GroupRecord {
        GroupRecord {
            key: GroupRecordKey::OffsetCommit(OffsetCommitKey {
                group: "g".into(),
                topic: "t".into(),
                partition: 0,
            }),
            value: Some(GroupRecordValue::OffsetCommit(OffsetCommitValue {
                offset,
                leader_epoch: -1,
                metadata: String::new(),
                commit_timestamp: 5,
                expire_timestamp: -1,
            })),
        }
    }

    #[test]
    fn one_operation_is_one_batch_whose_records_decode_back() {
        let mut tombstone = commit(0);
        tombstone.value = None;
        let records = vec![commit(7), tombstone];
        let batch = encode_batch(&records, 1_000, Compression::None).expect("encodes");
        let view = RecordBatchView::parse(&batch).expect("one batch");
        assert!(!view.is_transactional());
        assert_eq!(view.records_count(), 2);
        let decoded: Vec<GroupRecord> = decode_records(&view)
            .expect("records")
            .into_iter()
            .map(|r| {
                GroupRecord::decode(r.key.as_deref().expect("keyed"), r.value.as_deref())
                    .expect("group record")
            })
            .collect();
        assert_eq!(decoded, records);
    }

    #[test]
    fn not_leader_becomes_not_coordinator() {
        assert_eq!(
            append_error_code(ResponseError::NotLeaderOrFollower.code()),
            ResponseError::NotCoordinator.code()
        );
        assert_eq!(
            append_error_code(ResponseError::NotEnoughReplicas.code()),
            ResponseError::CoordinatorNotAvailable.code()
        );
    }
}
