//! One framed batch as the dump sees it: the batch line and, for deep iteration, its records.
//! v2 batches go through the protocol crate's view and record decoder; magic 0 and 1 messages
//! (which the protocol crate does not read, and Strata never writes, but old Kafka segments
//! hold) are read here, uncompressed or as compressed wrappers.

use strata_protocol::compression::{decompress, Compression, DECOMPRESSED_BYTES_MAX};
use strata_protocol::record_batch::{
    decode_records, RecordBatchView, TimestampType, NO_SEQUENCE, RECORD_BATCH_OVERHEAD,
};

use super::file_records::{Frame, LOG_OVERHEAD};
use super::printer::{BatchLine, BatchV2Fields};

/// A record with everything a record line shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DumpRecord {
    pub(crate) offset: i64,
    pub(crate) timestamp: i64,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) value: Option<Vec<u8>>,
    /// Sequence and header keys (v2).
    pub(crate) v2: Option<(i32, Vec<String>)>,
    /// isValid and crc of a legacy message.
    pub(crate) legacy: Option<(bool, u32)>,
}

/// Kafka's `DefaultRecordBatch.incrementSequence`.
/// Java's int arithmetic wraps, so this does too (a damaged batch may hold any values).
fn increment_sequence(sequence: i32, increment: i32) -> i32 {
    if sequence > i32::MAX.wrapping_sub(increment) {
        increment
            .wrapping_sub(i32::MAX.wrapping_sub(sequence))
            .wrapping_sub(1)
    } else {
        sequence.wrapping_add(increment)
    }
}

fn timestamp_type_name(t: TimestampType) -> &'static str {
    match t {
        TimestampType::CreateTime => "CreateTime",
        TimestampType::LogAppendTime => "LogAppendTime",
    }
}

/// A frame parsed into its format.
#[derive(Debug)]
pub(crate) enum DumpBatch<'a> {
    /// Magic 2.
    V2(RecordBatchView<'a>),
    /// Magic 0 or 1.
    Legacy(LegacyMessage<'a>),
}

impl<'a> DumpBatch<'a> {
    /// Parses a frame; errors are what Kafka's tool cannot print either (an unknown codec, a
    /// magic above 2, a v2 batch shorter than its header).
    pub(crate) fn parse(frame: &'a Frame) -> Result<Self, String> {
        let magic = frame.magic();
        if magic < 2 {
            return LegacyMessage::parse(&frame.bytes).map(Self::Legacy);
        }
        if magic > 2 {
            return Err(format!(
                "magic {magic} is not a message format (0, 1 and 2 exist)"
            ));
        }
        if frame.bytes.len() < RECORD_BATCH_OVERHEAD {
            return Err(format!(
                "a v2 batch needs at least {RECORD_BATCH_OVERHEAD} bytes, this one has {}",
                frame.bytes.len()
            ));
        }
        RecordBatchView::parse(&frame.bytes)
            .map(Self::V2)
            .map_err(|e| format!("cannot read the batch header: {e}"))
    }

    /// True for a v2 control batch.
    pub(crate) fn is_control(&self) -> bool {
        matches!(self, Self::V2(view) if view.is_control())
    }

    /// The timestamp type label Kafka prints.
    pub(crate) fn timestamp_type(&self) -> &'static str {
        match self {
            Self::V2(view) => timestamp_type_name(view.timestamp_type()),
            Self::Legacy(message) => message.timestamp_type(),
        }
    }

    /// The batch line at `position`.
    pub(crate) fn line(&self, position: u64) -> BatchLine {
        match self {
            Self::V2(view) => BatchLine {
                v2: Some(BatchV2Fields {
                    base_offset: view.base_offset(),
                    count: view.records_count(),
                    base_sequence: view.base_sequence(),
                    last_sequence: view.last_sequence(),
                    producer_id: view.producer_id(),
                    producer_epoch: view.producer_epoch(),
                    partition_leader_epoch: view.partition_leader_epoch(),
                    is_transactional: view.is_transactional(),
                    is_control: view.is_control(),
                    delete_horizon_ms: view.has_delete_horizon().then(|| view.base_timestamp()),
                }),
                last_offset: view.last_offset(),
                position,
                timestamp_type: timestamp_type_name(view.timestamp_type()),
                max_timestamp: view.max_timestamp(),
                size: view.size_bytes() as u64,
                magic: view.magic(),
                codec: view.compression().name(),
                crc: view.crc(),
                is_valid: view.crc() == view.computed_crc(),
            },
            Self::Legacy(message) => BatchLine {
                v2: None,
                last_offset: message.offset,
                position,
                timestamp_type: message.timestamp_type(),
                max_timestamp: message.timestamp,
                size: message.bytes.len() as u64,
                magic: message.magic,
                codec: message.codec.name(),
                crc: message.crc,
                is_valid: message.is_valid(),
            },
        }
    }

    /// Every record of the batch (decompressing as needed).
    pub(crate) fn records(&self) -> Result<Vec<DumpRecord>, String> {
        match self {
            Self::V2(view) => {
                let records = decode_records(view).map_err(|e| e.to_string())?;
                let base_offset = view.base_offset();
                let base_sequence = view.base_sequence();
                Ok(records
                    .into_iter()
                    .map(|record| {
                        let delta = record.offset.wrapping_sub(base_offset) as i32;
                        let sequence = if base_sequence >= 0 {
                            increment_sequence(base_sequence, delta)
                        } else {
                            NO_SEQUENCE
                        };
                        DumpRecord {
                            offset: record.offset,
                            timestamp: record.timestamp,
                            key: record.key.map(|k| k.to_vec()),
                            value: record.value.map(|v| v.to_vec()),
                            v2: Some((
                                sequence,
                                record.headers.into_iter().map(|(key, _)| key).collect(),
                            )),
                            legacy: None,
                        }
                    })
                    .collect())
            }
            Self::Legacy(message) => message.records(),
        }
    }
}

/// Bytes of a legacy message after the prefix: crc, magic, attributes, key length, value length.
const LEGACY_V0_FIXED_BYTES: usize = 4 + 1 + 1 + 4 + 4;
/// Magic 1 adds an 8-byte timestamp.
const LEGACY_TIMESTAMP_BYTES: usize = 8;
/// Attribute bits of the codec.
const LEGACY_CODEC_MASK: u8 = 0x07;
/// Attribute bit of LogAppendTime (magic 1).
const LEGACY_LOG_APPEND_TIME: u8 = 0x08;
/// Inner messages of one wrapper read at most (a bound on garbage).
const LEGACY_INNER_MESSAGES_MAX: usize = 1 << 20;

/// One magic 0 or 1 message (`LegacyRecord.java`): `offset int64 | size int32 | crc uint32 |
/// magic int8 | attributes int8 | [timestamp int64 (v1)] | key bytes | value bytes`, CRC-32
/// over magic..end. A compressed message wraps inner messages in its value.
#[derive(Debug, Clone)]
pub(crate) struct LegacyMessage<'a> {
    bytes: &'a [u8],
    offset: i64,
    crc: u32,
    magic: i8,
    attributes: u8,
    codec: Compression,
    timestamp: i64,
    key: Option<&'a [u8]>,
    value: Option<&'a [u8]>,
}

fn read_nullable<'a>(bytes: &'a [u8], at: &mut usize) -> Result<Option<&'a [u8]>, String> {
    let len_bytes = bytes
        .get(*at..*at + 4)
        .ok_or("the message ends inside a length field")?;
    let len = i32::from_be_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
    *at += 4;
    if len < 0 {
        return Ok(None);
    }
    let end = *at + len as usize;
    let data = bytes
        .get(*at..end)
        .ok_or_else(|| format!("a length of {len} runs past the end of the message"))?;
    *at = end;
    Ok(Some(data))
}

impl<'a> LegacyMessage<'a> {
    /// Parses one whole message (`bytes` = prefix + size bytes).
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<Self, String> {
        let magic = bytes
            .get(16)
            .map(|&m| m as i8)
            .ok_or("the message is truncated")?;
        let fixed = LOG_OVERHEAD as usize
            + LEGACY_V0_FIXED_BYTES
            + if magic == 1 {
                LEGACY_TIMESTAMP_BYTES
            } else {
                0
            };
        if bytes.len() < fixed || !(0..=1).contains(&magic) {
            return Err(format!(
                "a magic {magic} message of {} bytes is shorter than its {fixed}-byte header",
                bytes.len()
            ));
        }
        let mut offset_bytes = [0u8; 8];
        offset_bytes.copy_from_slice(&bytes[..8]);
        let attributes = bytes[17];
        let codec = Compression::from_id(attributes & LEGACY_CODEC_MASK)
            .filter(|c| *c != Compression::Zstd)
            .ok_or_else(|| {
                format!(
                    "Unknown compression type id: {}",
                    attributes & LEGACY_CODEC_MASK
                )
            })?;
        let mut at = 18;
        let timestamp = if magic == 1 {
            let mut ts = [0u8; 8];
            ts.copy_from_slice(&bytes[18..26]);
            at = 26;
            i64::from_be_bytes(ts)
        } else {
            -1
        };
        let key = read_nullable(bytes, &mut at)?;
        let value = read_nullable(bytes, &mut at)?;
        if at != bytes.len() {
            return Err(format!(
                "the message declares {} bytes but its fields use {}",
                bytes.len(),
                at
            ));
        }
        Ok(Self {
            bytes,
            offset: i64::from_be_bytes(offset_bytes),
            crc: u32::from_be_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]),
            magic,
            attributes,
            codec,
            timestamp,
            key,
            value,
        })
    }

    fn timestamp_type(&self) -> &'static str {
        if self.magic == 0 {
            "NoTimestampType"
        } else if self.attributes & LEGACY_LOG_APPEND_TIME != 0 {
            "LogAppendTime"
        } else {
            "CreateTime"
        }
    }

    fn is_valid(&self) -> bool {
        let mut crc = flate2::Crc::new();
        crc.update(&self.bytes[16..]);
        crc.sum() == self.crc
    }

    fn as_record(&self, offset: i64, timestamp: i64) -> DumpRecord {
        DumpRecord {
            offset,
            timestamp,
            key: self.key.map(<[u8]>::to_vec),
            value: self.value.map(<[u8]>::to_vec),
            v2: None,
            legacy: Some((self.is_valid(), self.crc)),
        }
    }

    /// The message itself, or the inner messages of a compressed wrapper with absolute offsets
    /// (magic 1 inner offsets are relative to the wrapper's last) and, under LogAppendTime, the
    /// wrapper's timestamp.
    fn records(&self) -> Result<Vec<DumpRecord>, String> {
        if self.codec == Compression::None {
            return Ok(vec![self.as_record(self.offset, self.timestamp)]);
        }
        let compressed = self.value.ok_or("a compressed message has a null value")?;
        let inner = decompress(self.codec, compressed, DECOMPRESSED_BYTES_MAX)
            .map_err(|e| e.to_string())?;
        let mut messages = Vec::new();
        let mut at = 0usize;
        while at < inner.len() {
            if messages.len() >= LEGACY_INNER_MESSAGES_MAX {
                return Err("too many inner messages".to_string());
            }
            let size_bytes = inner
                .get(at + 8..at + 12)
                .ok_or("an inner message is truncated")?;
            let size =
                i32::from_be_bytes([size_bytes[0], size_bytes[1], size_bytes[2], size_bytes[3]]);
            if size < 0 {
                return Err(format!("an inner message declares size {size}"));
            }
            let end = at + LOG_OVERHEAD as usize + size as usize;
            let bytes = inner.get(at..end).ok_or("an inner message is truncated")?;
            let message = LegacyMessage::parse(bytes)?;
            if message.codec != Compression::None {
                return Err("an inner message is itself compressed".to_string());
            }
            messages.push((
                message.offset,
                message.timestamp,
                message.key.map(<[u8]>::to_vec),
                message.value.map(<[u8]>::to_vec),
                message.is_valid(),
                message.crc,
            ));
            at = end;
        }
        let last_relative = messages.last().map_or(0, |m| m.0);
        let log_append = self.magic == 1 && self.attributes & LEGACY_LOG_APPEND_TIME != 0;
        Ok(messages
            .into_iter()
            .map(|(offset, timestamp, key, value, valid, crc)| DumpRecord {
                offset: if self.magic == 1 {
                    self.offset.wrapping_sub(last_relative).wrapping_add(offset)
                } else {
                    offset
                },
                timestamp: if log_append {
                    self.timestamp
                } else {
                    timestamp
                },
                key,
                value,
                v2: None,
                legacy: Some((valid, crc)),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::increment_sequence;

    #[test]
    fn sequences_wrap_past_int_max_like_kafka() {
        assert_eq!(increment_sequence(5, 3), 8);
        assert_eq!(increment_sequence(i32::MAX, 1), 0);
        assert_eq!(increment_sequence(i32::MAX - 1, 3), 1);
        // Damaged batches can hold negative deltas; Java's int arithmetic wraps where
        // `Integer.MAX_VALUE - increment` overflows, and so does this.
        assert_eq!(increment_sequence(0, -5), 2_147_483_643);
        assert_eq!(increment_sequence(i32::MIN, i32::MIN), 0);
    }
}
