//! Records of `__transaction_state`, the log of Kafka's transaction coordinator.
//!
//! ```text
//! key:   version: int16 (= 0) | TransactionalId: string (int16 length)
//! value: version: int16 (0–1) | TransactionLogValue body (flexible from v1)
//! ```
//!
//! Field lists follow Kafka's `TransactionLogKey.json` and `TransactionLogValue.json`. Kafka
//! writes value v1 once `transaction.version` is at least 1 (the 4.x default) and v0 before;
//! [`TransactionLogRecord::encode_value`] writes v1 and [`TransactionLogValue::encode_version`]
//! writes either. A tombstone (value `None`) removes the transactional id.

mod json;

pub use json::{decode_transaction_log_json, TransactionLogJson};

use crate::schema::codec::{FlexReader, FlexWriter};
use crate::wire::WireError;

/// The only key version Kafka defines.
pub const KEY_VERSION: i16 = 0;
/// The highest value version Kafka defines (the first flexible one).
pub const VALUE_VERSION_MAX: i16 = 1;

/// Why bytes are not a `__transaction_state` record.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum TransactionLogError {
    /// The key or value is shorter than its 2-byte version prefix.
    #[error("transaction log {part} has {len} bytes, fewer than its 2-byte version prefix")]
    MissingVersion {
        /// "key" or "value".
        part: &'static str,
        /// Its length.
        len: usize,
    },
    /// The key or value version is not one Kafka defines.
    #[error("transaction log {part} version {version} is outside 0..={max}")]
    UnsupportedVersion {
        /// "key" or "value".
        part: &'static str,
        /// The version found.
        version: i16,
        /// The highest valid version.
        max: i16,
    },
    /// The key or value body is malformed.
    #[error("transaction log {part} is malformed: {source}")]
    Malformed {
        /// "key" or "value".
        part: &'static str,
        /// The primitive that failed.
        source: WireError,
    },
    /// Bytes remain after the key or value body.
    #[error("transaction log {part} ends at byte {position} but {trailing} bytes follow")]
    TrailingBytes {
        /// "key" or "value".
        part: &'static str,
        /// Where the body ended (after the prefix).
        position: usize,
        /// How many bytes follow.
        trailing: usize,
    },
}

/// One `__transaction_state` record; `value` is `None` for a tombstone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionLogRecord {
    /// The key.
    pub key: TransactionLogKey,
    /// The value, or `None` for a tombstone.
    pub value: Option<TransactionLogValue>,
}

/// The key: the transactional id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TransactionLogKey {
    /// The transactional id.
    pub transactional_id: String,
}

/// The state of one transactional id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionLogValue {
    /// The producer id in use.
    pub producer_id: i64,
    /// v1+, tag 0: the producer id of the last committed transaction (default -1).
    pub previous_producer_id: i64,
    /// v1+, tag 1: the latest producer id sent to the producer (default -1).
    pub next_producer_id: i64,
    /// The producer epoch.
    pub producer_epoch: i16,
    /// The transaction timeout in ms.
    pub transaction_timeout_ms: i32,
    /// The transaction state id (Kafka's `TransactionState.id`).
    pub transaction_status: i8,
    /// The partitions in the transaction, or null (Kafka writes null for `Empty`).
    pub transaction_partitions: Option<Vec<PartitionsSchema>>,
    /// When the transaction was last updated, in ms.
    pub transaction_last_update_timestamp_ms: i64,
    /// When the transaction started, in ms.
    pub transaction_start_timestamp_ms: i64,
    /// v1+, tag 2: the client's transaction version (default 0).
    pub client_transaction_version: i16,
}

impl Default for TransactionLogValue {
    fn default() -> Self {
        Self {
            producer_id: 0,
            previous_producer_id: -1,
            next_producer_id: -1,
            producer_epoch: 0,
            transaction_timeout_ms: 0,
            transaction_status: 0,
            transaction_partitions: None,
            transaction_last_update_timestamp_ms: 0,
            transaction_start_timestamp_ms: 0,
            client_transaction_version: 0,
        }
    }
}

/// The partitions of one topic in a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartitionsSchema {
    /// The topic.
    pub topic: String,
    /// The partition ids.
    pub partition_ids: Vec<i32>,
}

impl TransactionLogKey {
    /// The key bytes: `int16` version 0, then the transactional id.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = FlexWriter::new(false);
        w.w.put_i16(KEY_VERSION);
        w.string(&self.transactional_id);
        w.into_inner()
    }

    /// Decodes key bytes.
    pub fn decode(key: &[u8]) -> Result<Self, TransactionLogError> {
        let version = prefix(key, "key")?;
        if version != KEY_VERSION {
            return Err(TransactionLogError::UnsupportedVersion {
                part: "key",
                version,
                max: KEY_VERSION,
            });
        }
        let mut r = FlexReader::new(&key[2..], false);
        let transactional_id =
            r.string("TransactionalId")
                .map_err(|source| TransactionLogError::Malformed {
                    part: "key",
                    source,
                })?;
        trailing(&r, "key")?;
        Ok(Self { transactional_id })
    }
}

impl TransactionLogValue {
    /// The value bytes at `version` (0 or 1); v0 drops the tagged fields, as Kafka does.
    pub fn encode_version(&self, version: i16) -> Result<Vec<u8>, TransactionLogError> {
        if !(0..=VALUE_VERSION_MAX).contains(&version) {
            return Err(TransactionLogError::UnsupportedVersion {
                part: "value",
                version,
                max: VALUE_VERSION_MAX,
            });
        }
        let mut w = FlexWriter::new(version >= 1);
        w.w.put_i16(version);
        w.w.put_i64(self.producer_id);
        w.w.put_i16(self.producer_epoch);
        w.w.put_i32(self.transaction_timeout_ms);
        w.w.put_i8(self.transaction_status);
        match &self.transaction_partitions {
            None => w.array_len(None),
            Some(parts) => {
                w.array_len(Some(parts.len()));
                for p in parts {
                    w.string(&p.topic);
                    w.i32_array(&p.partition_ids);
                    w.tagged(&[]);
                }
            }
        }
        w.w.put_i64(self.transaction_last_update_timestamp_ms);
        w.w.put_i64(self.transaction_start_timestamp_ms);
        let mut tagged = Vec::new();
        if self.previous_producer_id != -1 {
            tagged.push((0, w.sub(|t| t.w.put_i64(self.previous_producer_id))));
        }
        if self.next_producer_id != -1 {
            tagged.push((1, w.sub(|t| t.w.put_i64(self.next_producer_id))));
        }
        if self.client_transaction_version != 0 {
            tagged.push((2, w.sub(|t| t.w.put_i16(self.client_transaction_version))));
        }
        w.tagged(&tagged);
        Ok(w.into_inner())
    }

    /// Decodes value bytes of either version.
    pub fn decode(value: &[u8]) -> Result<Self, TransactionLogError> {
        let version = prefix(value, "value")?;
        if !(0..=VALUE_VERSION_MAX).contains(&version) {
            return Err(TransactionLogError::UnsupportedVersion {
                part: "value",
                version,
                max: VALUE_VERSION_MAX,
            });
        }
        let mut r = FlexReader::new(&value[2..], version >= 1);
        let out = Self::decode_body(&mut r).map_err(|source| TransactionLogError::Malformed {
            part: "value",
            source,
        })?;
        trailing(&r, "value")?;
        Ok(out)
    }

    fn decode_body(r: &mut FlexReader<'_>) -> Result<Self, WireError> {
        let mut out = Self {
            producer_id: r.r.i64()?,
            producer_epoch: r.r.i16()?,
            transaction_timeout_ms: r.r.i32()?,
            transaction_status: r.r.i8()?,
            ..Self::default()
        };
        out.transaction_partitions = match r.nullable_array_len("TransactionPartitions")? {
            None => None,
            Some(n) => {
                let mut parts = Vec::with_capacity(n);
                for _ in 0..n {
                    let topic = r.string("Topic")?;
                    let partition_ids = r.i32_array("PartitionIds")?;
                    r.skip_tagged()?;
                    parts.push(PartitionsSchema {
                        topic,
                        partition_ids,
                    });
                }
                Some(parts)
            }
        };
        out.transaction_last_update_timestamp_ms = r.r.i64()?;
        out.transaction_start_timestamp_ms = r.r.i64()?;
        r.tagged(|tag, f| {
            match tag {
                0 => out.previous_producer_id = f.r.i64()?,
                1 => out.next_producer_id = f.r.i64()?,
                2 => out.client_transaction_version = f.r.i16()?,
                _ => f.r.skip_rest(),
            }
            Ok(())
        })?;
        Ok(out)
    }
}

impl TransactionLogRecord {
    /// The key bytes.
    pub fn encode_key(&self) -> Vec<u8> {
        self.key.encode()
    }

    /// The value bytes at v1 (what Kafka 4.x writes with `transaction.version` ≥ 1), or `None`
    /// for a tombstone.
    pub fn encode_value(&self) -> Option<Vec<u8>> {
        self.value.as_ref().map(|v| {
            v.encode_version(VALUE_VERSION_MAX)
                .expect("the highest version is valid")
        })
    }

    /// Decodes a record from key bytes and value bytes (`None` = tombstone). Never panics.
    pub fn decode(key: &[u8], value: Option<&[u8]>) -> Result<Self, TransactionLogError> {
        Ok(Self {
            key: TransactionLogKey::decode(key)?,
            value: value.map(TransactionLogValue::decode).transpose()?,
        })
    }
}

fn prefix(buf: &[u8], part: &'static str) -> Result<i16, TransactionLogError> {
    match buf {
        [a, b, ..] => Ok(i16::from_be_bytes([*a, *b])),
        _ => Err(TransactionLogError::MissingVersion {
            part,
            len: buf.len(),
        }),
    }
}

fn trailing(r: &FlexReader<'_>, part: &'static str) -> Result<(), TransactionLogError> {
    if r.r.is_empty() {
        return Ok(());
    }
    Err(TransactionLogError::TrailingBytes {
        part,
        position: r.r.position(),
        trailing: r.r.remaining(),
    })
}

#[cfg(test)]
mod tests;
