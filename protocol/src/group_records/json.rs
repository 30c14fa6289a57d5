//! `__consumer_offsets` records as Kafka's generated `*JsonConverter` classes print them, the
//! form `kafka-dump-log --offsets-decoder` wraps in `{"type":..,"data":..}` (key) and
//! `{"version":..,"data":..}` (value).

use serde_json::Value;

use super::{GroupRecord, GroupRecordError};
use crate::schema::{self, MessageSchema, SchemaError};

/// A group record decoded straight from bytes into Kafka's JSON, keeping the versions that
/// were read (the typed [`GroupRecord`] keeps only content).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRecordJson {
    /// The key's record type (its "version").
    pub record_type: i16,
    /// The key's fields.
    pub key: Value,
    /// The value's version and fields, or `None` for a tombstone.
    pub value: Option<(i16, Value)>,
}

/// Decodes key and value bytes of any record type and version into Kafka's JSON.
pub fn decode_group_record_json(
    key: &[u8],
    value: Option<&[u8]>,
) -> Result<GroupRecordJson, GroupRecordError> {
    let record_type = prefix(key, "key")?;
    let key_schema = schema::group_key_schema(record_type)
        .ok_or(GroupRecordError::UnknownRecordType { record_type })?;
    let value_schema = schema::group_value_schema(record_type)
        .ok_or(GroupRecordError::UnknownRecordType { record_type })?;
    // Key schemas name the record type as their only valid version.
    let key_json = decode(key_schema, record_type, &key[2..], record_type, "key")?;
    let value = match value {
        None => None,
        Some(v) => {
            let version = prefix(v, "value")?;
            Some((
                version,
                decode(value_schema, version, &v[2..], record_type, "value")?,
            ))
        }
    };
    Ok(GroupRecordJson {
        record_type,
        key: key_json,
        value,
    })
}

fn prefix(buf: &[u8], part: &'static str) -> Result<i16, GroupRecordError> {
    match buf {
        [a, b, ..] => Ok(i16::from_be_bytes([*a, *b])),
        _ => Err(GroupRecordError::MissingVersion {
            part,
            len: buf.len(),
        }),
    }
}

fn decode(
    schema: &MessageSchema,
    version: i16,
    body: &[u8],
    record_type: i16,
    part: &'static str,
) -> Result<Value, GroupRecordError> {
    schema::decode_json(schema, version, body).map_err(|e| match e {
        SchemaError::UnsupportedVersion { max, .. } => GroupRecordError::UnsupportedValueVersion {
            record_type,
            version,
            max,
        },
        SchemaError::Malformed { source, .. } => GroupRecordError::Malformed {
            record_type,
            part,
            source,
        },
        SchemaError::TrailingBytes {
            position, trailing, ..
        } => GroupRecordError::TrailingBytes {
            record_type,
            part,
            position,
            trailing,
        },
        SchemaError::JsonType { .. } => GroupRecordError::UnknownRecordType { record_type },
    })
}

/// Replaces, in a `GroupMetadataValue`'s JSON whose `protocolType` is `"consumer"`, each
/// member's `subscription` and `assignment` (base64) by the JSON of the
/// `ConsumerProtocolSubscription` / `ConsumerProtocolAssignment` they hold, as
/// `kafka-dump-log --offsets-decoder` does. A field that does not decode keeps its bytes.
pub fn expand_consumer_protocol(group_metadata_value: &mut Value) {
    if group_metadata_value
        .get("protocolType")
        .and_then(Value::as_str)
        != Some("consumer")
    {
        return;
    }
    let Some(members) = group_metadata_value
        .get_mut("members")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for member in members {
        for (field, schema_name) in [
            ("subscription", "ConsumerProtocolSubscription"),
            ("assignment", "ConsumerProtocolAssignment"),
        ] {
            let decoded = member
                .get(field)
                .and_then(Value::as_str)
                .and_then(|b64| decode_embedded(b64, schema_name));
            if let (Some(decoded), Some(slot)) = (decoded, member.get_mut(field)) {
                *slot = decoded;
            }
        }
    }
}

/// Decodes base64 bytes holding an `int16` version and a message, as Kafka's consumer protocol
/// does: trailing bytes (fields of a newer version) are ignored.
fn decode_embedded(b64: &str, schema_name: &str) -> Option<Value> {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    let [a, b, body @ ..] = raw.as_slice() else {
        return None;
    };
    let version = i16::from_be_bytes([*a, *b]);
    let schema = schema::schema_by_name(schema_name)?;
    schema::decode_json_prefix(schema, version, body)
        .ok()
        .map(|(json, _)| json)
}

impl GroupRecord {
    /// The key's and value's fields as Kafka's JSON converters print them, at the versions
    /// [`GroupRecord::encode_key`] and [`GroupRecord::encode_value`] write; `None` for a
    /// tombstone.
    pub fn to_json(&self) -> (Value, Option<Value>) {
        let decoded = decode_group_record_json(&self.encode_key(), self.encode_value().as_deref())
            .expect("bytes this codec wrote fit Kafka's schema");
        (decoded.key, decoded.value.map(|(_, v)| v))
    }
}
