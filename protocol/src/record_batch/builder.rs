use bytes::{BufMut, BytesMut};

use super::{
    attr, field, patch, BatchError, Compression, TimestampType, LOG_OVERHEAD, MAGIC_V2,
    NO_PARTITION_LEADER_EPOCH, NO_PRODUCER_EPOCH, NO_PRODUCER_ID, NO_SEQUENCE, NO_TIMESTAMP,
    RECORD_BATCH_OVERHEAD,
};
use crate::compression::compress;
use crate::wire::WireWriter;

/// Builds one v2 record batch with a correct Length and CRC.
///
/// Records get consecutive offset deltas 0, 1, 2, …; the first record's timestamp is the base
/// timestamp, as Kafka's `MemoryRecordsBuilder` does. Used by the controller, tools and tests;
/// the produce path never rebuilds batches.
///
/// ```
/// use strata_protocol::record_batch::{RecordBatchBuilder, RecordBatchView, Compression};
/// let mut builder = RecordBatchBuilder::new(0, Compression::None);
/// builder.append(1_700_000_000_000, Some(b"k"), Some(b"v"), &[]);
/// let batch = builder.build().expect("build");
/// let view = RecordBatchView::parse(&batch).expect("parse");
/// assert!(view.verify_crc().is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct RecordBatchBuilder {
    base_offset: i64,
    compression: Compression,
    partition_leader_epoch: i32,
    producer_id: i64,
    producer_epoch: i16,
    base_sequence: i32,
    transactional: bool,
    control: bool,
    log_append_time: Option<i64>,
    records: WireWriter,
    count: i32,
    base_timestamp: Option<i64>,
    max_timestamp: i64,
}

impl RecordBatchBuilder {
    /// A builder for a batch starting at `base_offset`, compressed with `compression`.
    pub fn new(base_offset: i64, compression: Compression) -> Self {
        Self {
            base_offset,
            compression,
            partition_leader_epoch: NO_PARTITION_LEADER_EPOCH,
            producer_id: NO_PRODUCER_ID,
            producer_epoch: NO_PRODUCER_EPOCH,
            base_sequence: NO_SEQUENCE,
            transactional: false,
            control: false,
            log_append_time: None,
            records: WireWriter::new(),
            count: 0,
            base_timestamp: None,
            max_timestamp: NO_TIMESTAMP,
        }
    }

    /// Idempotent-producer fields: producer id, epoch and the first record's sequence.
    pub fn producer(mut self, producer_id: i64, producer_epoch: i16, base_sequence: i32) -> Self {
        self.producer_id = producer_id;
        self.producer_epoch = producer_epoch;
        self.base_sequence = base_sequence;
        self
    }

    /// Sets the transactional attribute (bit 4).
    pub fn transactional(mut self, transactional: bool) -> Self {
        self.transactional = transactional;
        self
    }

    /// Sets the control attribute (bit 5): the records are control records.
    pub fn control(mut self, control: bool) -> Self {
        self.control = control;
        self
    }

    /// Sets PartitionLeaderEpoch (default -1).
    pub fn partition_leader_epoch(mut self, epoch: i32) -> Self {
        self.partition_leader_epoch = epoch;
        self
    }

    /// Marks the batch LogAppendTime with MaxTimestamp `timestamp_ms`.
    pub fn log_append_time(mut self, timestamp_ms: i64) -> Self {
        self.log_append_time = Some(timestamp_ms);
        self
    }

    /// Number of records appended so far.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// True when no record has been appended.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Appends one record with the next offset delta.
    pub fn append(
        &mut self,
        timestamp: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[(&str, Option<&[u8]>)],
    ) -> &mut Self {
        let base_timestamp = *self.base_timestamp.get_or_insert(timestamp);
        self.max_timestamp = self.max_timestamp.max(timestamp);
        let mut body = WireWriter::new();
        body.put_i8(0);
        body.put_varlong(timestamp.wrapping_sub(base_timestamp));
        body.put_varint(self.count);
        put_nullable(&mut body, key);
        put_nullable(&mut body, value);
        body.put_varint(headers.len() as i32);
        for (k, v) in headers {
            put_nullable(&mut body, Some(k.as_bytes()));
            put_nullable(&mut body, *v);
        }
        let body = body.into_inner();
        self.records.put_varint(body.len() as i32);
        self.records.put_bytes(&body);
        self.count += 1;
        self
    }

    /// Encodes the batch: header, (compressed) records, Length and CRC.
    ///
    /// Fails only if the compressor fails.
    pub fn build(self) -> Result<BytesMut, BatchError> {
        let mut records = Vec::new();
        compress(self.compression, self.records.as_slice(), &mut records)?;
        let mut attributes = i16::from(self.compression.id());
        if self.log_append_time.is_some() {
            attributes |= attr::TIMESTAMP_TYPE;
        }
        if self.transactional {
            attributes |= attr::TRANSACTIONAL;
        }
        if self.control {
            attributes |= attr::CONTROL;
        }
        let timestamp_type = if self.log_append_time.is_some() {
            TimestampType::LogAppendTime
        } else {
            TimestampType::CreateTime
        };
        let max_timestamp = match timestamp_type {
            TimestampType::LogAppendTime => self.log_append_time.unwrap_or(NO_TIMESTAMP),
            TimestampType::CreateTime => self.max_timestamp,
        };
        let size = RECORD_BATCH_OVERHEAD + records.len();
        let mut buf = BytesMut::with_capacity(size);
        buf.put_i64(self.base_offset);
        buf.put_i32((size - LOG_OVERHEAD) as i32);
        buf.put_i32(self.partition_leader_epoch);
        buf.put_i8(MAGIC_V2);
        buf.put_u32(0); // CRC, written below
        buf.put_i16(attributes);
        buf.put_i32((self.count - 1).max(0));
        buf.put_i64(self.base_timestamp.unwrap_or(NO_TIMESTAMP));
        buf.put_i64(max_timestamp);
        buf.put_i64(self.producer_id);
        buf.put_i16(self.producer_epoch);
        buf.put_i32(self.base_sequence);
        buf.put_i32(self.count);
        debug_assert_eq!(buf.len(), RECORD_BATCH_OVERHEAD);
        debug_assert_eq!(field::RECORDS_COUNT + 4, RECORD_BATCH_OVERHEAD);
        buf.put_slice(&records);
        patch::write_crc(&mut buf);
        Ok(buf)
    }
}

fn put_nullable(w: &mut WireWriter, bytes: Option<&[u8]>) {
    match bytes {
        None => w.put_varint(-1),
        Some(b) => {
            w.put_varint(b.len() as i32);
            w.put_bytes(b);
        }
    }
}
