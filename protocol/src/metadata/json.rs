//! Every KRaft metadata record as the JSON `kafka-dump-log --cluster-metadata-decoder` prints:
//! `{"type":"TOPIC_RECORD","version":0,"data":{...}}`, through the schema table of
//! [`crate::schema`] (which covers every record type, not only the typed ones here).

use serde_json::{Map, Value};

use super::{MetadataError, FRAME_VERSION};
use crate::schema::{self, SchemaError};
use crate::wire::WireReader;

/// Decodes one framed metadata record value (`ApiMessageAndVersion`, frame version 1) into
/// Kafka's `{"type": .., "version": .., "data": ..}`. Never panics.
pub fn decode_metadata_record_json(value_bytes: &[u8]) -> Result<Value, MetadataError> {
    let mut r = WireReader::new(value_bytes);
    let header = |source| MetadataError::Malformed {
        api_key: None,
        source,
    };
    let frame_version = r.unsigned_varint().map_err(header)?;
    if frame_version != FRAME_VERSION {
        return Err(MetadataError::UnknownFrameVersion { frame_version });
    }
    let api_key = r.unsigned_varint().map_err(header)?;
    let version = r.unsigned_varint().map_err(header)?;
    let schema = i16::try_from(api_key)
        .ok()
        .and_then(schema::metadata_record_schema)
        .ok_or(MetadataError::UnknownApiKey { api_key })?;
    let key = schema.api_key.unwrap_or_default();
    let unsupported = || MetadataError::UnsupportedVersion {
        api_key: key,
        version,
        min: schema.valid.min,
        max: schema.valid.max,
    };
    let version16 = i16::try_from(version).map_err(|_| unsupported())?;
    let body = &value_bytes[r.position()..];
    let data = schema::decode_json(schema, version16, body).map_err(|e| match e {
        SchemaError::UnsupportedVersion { .. } => unsupported(),
        SchemaError::Malformed { source, .. } => MetadataError::Malformed {
            api_key: Some(key),
            source,
        },
        SchemaError::TrailingBytes {
            position, trailing, ..
        } => MetadataError::TrailingBytes {
            api_key: key,
            version: version16,
            position: r.position() + position,
            trailing,
        },
        // Decoding never produces JSON type errors.
        SchemaError::JsonType { .. } => unsupported(),
    })?;
    let mut out = Map::new();
    out.insert(
        "type".to_owned(),
        Value::String(schema::record_type_name(schema.name)),
    );
    out.insert("version".to_owned(), Value::from(version16));
    out.insert("data".to_owned(), data);
    Ok(Value::Object(out))
}

/// Encodes Kafka's `{"type": .., "version": .., "data": ..}` form back into a framed record
/// value; the inverse of [`decode_metadata_record_json`] (for tools that write records from
/// JSON, and for tests).
pub fn encode_metadata_record_json(json: &Value) -> Result<Vec<u8>, MetadataJsonError> {
    let type_name = json
        .get("type")
        .and_then(Value::as_str)
        .ok_or(MetadataJsonError::MissingMember { member: "type" })?;
    let version = json
        .get("version")
        .and_then(Value::as_i64)
        .and_then(|v| i16::try_from(v).ok())
        .ok_or(MetadataJsonError::MissingMember { member: "version" })?;
    let schema = schema::metadata_record_schemas()
        .iter()
        .copied()
        .find(|s| schema::record_type_name(s.name) == type_name)
        .ok_or_else(|| MetadataJsonError::UnknownType {
            type_name: type_name.to_owned(),
        })?;
    let data = json.get("data").unwrap_or(&Value::Null);
    let body = schema::encode_json(schema, version, data)?;
    let mut out = crate::wire::WireWriter::new();
    out.put_unsigned_varint(FRAME_VERSION);
    out.put_unsigned_varint(schema.api_key.unwrap_or_default() as u32);
    out.put_unsigned_varint(version as u32);
    out.put_bytes(&body);
    Ok(out.into_inner())
}

/// Why JSON is not a metadata record.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum MetadataJsonError {
    /// `type` or `version` is missing or of the wrong JSON type.
    #[error("metadata record JSON lacks a valid \"{member}\"")]
    MissingMember {
        /// The member.
        member: &'static str,
    },
    /// `type` names no record type this build knows.
    #[error("metadata record type {type_name} is unknown")]
    UnknownType {
        /// The name found.
        type_name: String,
    },
    /// `data` does not fit the schema.
    #[error(transparent)]
    Schema(#[from] SchemaError),
}
