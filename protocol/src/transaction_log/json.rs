//! `__transaction_state` records as Kafka's `TransactionLogKeyJsonConverter` and
//! `TransactionLogValueJsonConverter` print them (the `data` of Kafka's
//! `TransactionLogMessageFormatter` output).

use serde_json::Value;

use super::{TransactionLogError, TransactionLogRecord};
use crate::schema::{self, MessageSchema, SchemaError};

/// A transaction log record decoded straight from bytes into Kafka's JSON, with the versions
/// that were read.
#[derive(Debug, Clone, PartialEq)]
pub struct TransactionLogJson {
    /// The key's version and fields.
    pub key: (i16, Value),
    /// The value's version and fields, or `None` for a tombstone.
    pub value: Option<(i16, Value)>,
}

/// Decodes key and value bytes of any version into Kafka's JSON.
pub fn decode_transaction_log_json(
    key: &[u8],
    value: Option<&[u8]>,
) -> Result<TransactionLogJson, TransactionLogError> {
    let (key_schema, value_schema) = schema::transaction_log_schemas();
    Ok(TransactionLogJson {
        key: decode(key_schema, key, "key")?,
        value: value
            .map(|v| decode(value_schema, v, "value"))
            .transpose()?,
    })
}

fn decode(
    schema: &MessageSchema,
    buf: &[u8],
    part: &'static str,
) -> Result<(i16, Value), TransactionLogError> {
    let version = match buf {
        [a, b, ..] => i16::from_be_bytes([*a, *b]),
        _ => {
            return Err(TransactionLogError::MissingVersion {
                part,
                len: buf.len(),
            })
        }
    };
    let json = schema::decode_json(schema, version, &buf[2..]).map_err(|e| match e {
        SchemaError::UnsupportedVersion { max, .. } => {
            TransactionLogError::UnsupportedVersion { part, version, max }
        }
        SchemaError::Malformed { source, .. } => TransactionLogError::Malformed { part, source },
        SchemaError::TrailingBytes {
            position, trailing, ..
        } => TransactionLogError::TrailingBytes {
            part,
            position,
            trailing,
        },
        SchemaError::JsonType { .. } => TransactionLogError::UnsupportedVersion {
            part,
            version,
            max: schema.valid.max,
        },
    })?;
    Ok((version, json))
}

impl TransactionLogRecord {
    /// The key's and value's fields as Kafka's JSON converters print them, at the versions
    /// this codec writes; `None` for a tombstone.
    pub fn to_json(&self) -> (Value, Option<Value>) {
        let decoded =
            decode_transaction_log_json(&self.encode_key(), self.encode_value().as_deref())
                .expect("bytes this codec wrote fit Kafka's schema");
        (decoded.key.1, decoded.value.map(|(_, v)| v))
    }
}
