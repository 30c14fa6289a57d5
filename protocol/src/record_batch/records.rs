//! Record-by-record decoding of a batch (`DefaultRecord.java`).
//!
//! ```text
//! Length varint | Attributes int8 | TimestampDelta varlong | OffsetDelta varint
//! KeyLength varint (-1 = null) | Key | ValueLength varint | Value
//! HeadersCount varint | [HeaderKeyLength varint | HeaderKey | HeaderValueLength varint | HeaderValue]
//! ```

use bytes::Bytes;

use super::{BatchError, Compression, RecordBatchView, TimestampType};
use crate::compression::{decompress, DECOMPRESSED_BYTES_MAX};
use crate::wire::{WireError, WireReader};

/// One decoded record with absolute offset and timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Absolute offset: base offset + offset delta.
    pub offset: i64,
    /// Absolute timestamp: base timestamp + delta, or the batch MaxTimestamp under LogAppendTime.
    pub timestamp: i64,
    /// Key, `None` when null.
    pub key: Option<Bytes>,
    /// Value, `None` when null (a tombstone in compacted topics).
    pub value: Option<Bytes>,
    /// Headers in order; keys are UTF-8, values may be null.
    pub headers: Vec<(String, Option<Bytes>)>,
}

/// Smallest encoded record: length, attributes, timestamp delta, offset delta, key length,
/// value length, header count — one byte each.
const RECORD_BYTES_MIN: usize = 7;

/// Decompresses (if needed) and decodes every record of `batch`.
///
/// Does not check the CRC (call `verify_crc` first when the bytes come from outside). Fails if a
/// record is malformed, if the number of records differs from the header's count, or if bytes
/// remain after the last record. Decompressed output is capped at
/// [`DECOMPRESSED_BYTES_MAX`](crate::compression::DECOMPRESSED_BYTES_MAX).
pub fn decode_records(batch: &RecordBatchView<'_>) -> Result<Vec<Record>, BatchError> {
    let count = batch.records_count();
    let count = usize::try_from(count).map_err(|_| BatchError::InvalidRecord {
        index: 0,
        reason: format!("header declares {count} records"),
    })?;
    let decompressed;
    let body: &[u8] = match batch.compression() {
        Compression::None => batch.records_bytes(),
        codec => {
            decompressed = decompress(codec, batch.records_bytes(), DECOMPRESSED_BYTES_MAX)?;
            &decompressed
        }
    };
    // The owned copy that record keys, values and headers slice into without further copies.
    let body = Bytes::copy_from_slice(body);
    let ctx = BatchContext {
        base_offset: batch.base_offset(),
        base_timestamp: batch.base_timestamp(),
        log_append_time: (batch.timestamp_type() == TimestampType::LogAppendTime)
            .then(|| batch.max_timestamp()),
    };
    let mut reader = WireReader::new(&body);
    let mut records = Vec::with_capacity(count.min(body.len() / RECORD_BYTES_MIN));
    for index in 0..count {
        let record = decode_record(&mut reader, &body, &ctx)
            .map_err(|reason| BatchError::InvalidRecord { index, reason })?;
        records.push(record);
    }
    if !reader.is_empty() {
        return Err(BatchError::InvalidRecord {
            index: count,
            reason: format!(
                "{} bytes remain after the {count} records the header declares",
                reader.remaining()
            ),
        });
    }
    Ok(records)
}

struct BatchContext {
    base_offset: i64,
    base_timestamp: i64,
    log_append_time: Option<i64>,
}

fn wire(e: WireError) -> String {
    e.to_string()
}

fn decode_record(
    reader: &mut WireReader<'_>,
    body: &Bytes,
    ctx: &BatchContext,
) -> Result<Record, String> {
    let length_at = reader.position();
    let length = reader.varint().map_err(wire)?;
    let length = usize::try_from(length)
        .map_err(|_| format!("record length {length} at byte {length_at} is negative"))?;
    if length > reader.remaining() {
        return Err(format!(
            "record length {length} at byte {length_at} exceeds the {} bytes left",
            reader.remaining()
        ));
    }
    let start = reader.position();
    let _attributes = reader.i8().map_err(wire)?;
    let timestamp_delta = reader.varlong().map_err(wire)?;
    let offset_delta = reader.varint().map_err(wire)?;
    let key = nullable_bytes(reader, body)?;
    let value = nullable_bytes(reader, body)?;
    let header_count_at = reader.position();
    let header_count = reader.varint().map_err(wire)?;
    let header_count = usize::try_from(header_count).map_err(|_| {
        format!("header count {header_count} at byte {header_count_at} is negative")
    })?;
    let mut headers = Vec::with_capacity(header_count.min(reader.remaining() / 2));
    for _ in 0..header_count {
        let key_at = reader.position();
        let key = nullable_bytes(reader, body)?
            .ok_or_else(|| format!("header key at byte {key_at} is null"))?;
        let key = String::from_utf8(key.to_vec())
            .map_err(|_| format!("header key at byte {key_at} is not UTF-8"))?;
        let value = nullable_bytes(reader, body)?;
        headers.push((key, value));
    }
    let consumed = reader.position() - start;
    if consumed != length {
        return Err(format!(
            "record at byte {length_at} declares {length} bytes but its fields use {consumed}"
        ));
    }
    Ok(Record {
        offset: ctx.base_offset.wrapping_add(i64::from(offset_delta)),
        timestamp: ctx
            .log_append_time
            .unwrap_or_else(|| ctx.base_timestamp.wrapping_add(timestamp_delta)),
        key,
        value,
        headers,
    })
}

/// A varint length (-1 = null) then that many bytes, sliced out of `body` without copying.
fn nullable_bytes(reader: &mut WireReader<'_>, body: &Bytes) -> Result<Option<Bytes>, String> {
    let len = reader.varint().map_err(wire)?;
    // Kafka reads any negative length as null (DefaultRecord.readFrom).
    if len < 0 {
        return Ok(None);
    }
    let start = reader.position();
    reader.bytes(len as usize).map_err(wire)?;
    Ok(Some(body.slice(start..reader.position())))
}
