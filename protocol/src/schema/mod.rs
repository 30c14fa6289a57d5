//! Kafka's message schemas as data, and one generic codec over them.
//!
//! The typed codecs (`metadata`, `group_records`, ...) are what the broker uses. This module
//! exists for tools that must print or accept *every* record type Kafka defines exactly as
//! Kafka's generated `*JsonConverter` classes do (`strata dump-log`, `strata metadata-shell`):
//! a table transcribed from Kafka's JSON schemas (`*_tables.rs`, made by `transcribe.py`) and a
//! codec ([`decode_json`], [`encode_json`]) that walks it.
//!
//! JSON conventions, as Kafka's converters: field names in camelCase in schema order; fields
//! absent from the version are omitted; tagged fields appear only when they differ from their
//! default; uuids are Kafka's URL-safe unpadded base64; bytes are standard padded base64.

pub(crate) mod codec;
mod generic;
mod group_tables;
mod metadata_tables;
mod remote_log_tables;
mod transaction_tables;
mod types;

pub use generic::{decode_json, decode_json_prefix, encode_json, SchemaError};
/// Kafka's `Uuid.toString()`: the 16 bytes in URL-safe base64 without padding.
pub fn kafka_uuid_string(u: &uuid::Uuid) -> String {
    generic::kafka_uuid_string(u)
}

pub(crate) use generic::kafka_uuid_string as generic_uuid_string;
pub use types::{Element, Field, FieldType, MessageSchema, Versions, MAX};

/// The schema of the KRaft metadata record with `api_key`.
pub fn metadata_record_schema(api_key: i16) -> Option<&'static MessageSchema> {
    metadata_tables::METADATA_RECORDS
        .iter()
        .copied()
        .find(|s| s.api_key == Some(api_key))
}

/// Every KRaft metadata record schema this build knows, in api-key order.
pub fn metadata_record_schemas() -> &'static [&'static MessageSchema] {
    metadata_tables::METADATA_RECORDS
}

/// The schema of the `__remote_log_metadata` record with `api_key`.
pub fn remote_log_metadata_schema(api_key: i16) -> Option<&'static MessageSchema> {
    remote_log_tables::REMOTE_LOG_RECORDS
        .iter()
        .copied()
        .find(|s| s.api_key == Some(api_key))
}

/// The schema of a `__consumer_offsets` key of `record_type` (0–8, 16).
pub fn group_key_schema(record_type: i16) -> Option<&'static MessageSchema> {
    use group_tables as g;
    Some(match record_type {
        0 | 1 => &g::OFFSET_COMMIT_KEY,
        2 => &g::GROUP_METADATA_KEY,
        3 => &g::CONSUMER_GROUP_METADATA_KEY,
        4 => &g::CONSUMER_GROUP_PARTITION_METADATA_KEY,
        5 => &g::CONSUMER_GROUP_MEMBER_METADATA_KEY,
        6 => &g::CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_KEY,
        7 => &g::CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_KEY,
        8 => &g::CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_KEY,
        16 => &g::CONSUMER_GROUP_REGULAR_EXPRESSION_KEY,
        _ => return None,
    })
}

/// The schema of a `__consumer_offsets` value for a key of `record_type`.
pub fn group_value_schema(record_type: i16) -> Option<&'static MessageSchema> {
    use group_tables as g;
    Some(match record_type {
        0 | 1 => &g::OFFSET_COMMIT_VALUE,
        2 => &g::GROUP_METADATA_VALUE,
        3 => &g::CONSUMER_GROUP_METADATA_VALUE,
        4 => &g::CONSUMER_GROUP_PARTITION_METADATA_VALUE,
        5 => &g::CONSUMER_GROUP_MEMBER_METADATA_VALUE,
        6 => &g::CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_VALUE,
        7 => &g::CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_VALUE,
        8 => &g::CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_VALUE,
        16 => &g::CONSUMER_GROUP_REGULAR_EXPRESSION_VALUE,
        _ => return None,
    })
}

/// The schemas of `__transaction_state`: (key, value).
pub fn transaction_log_schemas() -> (&'static MessageSchema, &'static MessageSchema) {
    (
        &transaction_tables::TRANSACTION_LOG_KEY,
        &transaction_tables::TRANSACTION_LOG_VALUE,
    )
}

/// The schema named `name` (`TopicRecord`, `OffsetCommitValue`, `TransactionLogKey`, ...) in
/// any table.
pub fn schema_by_name(name: &str) -> Option<&'static MessageSchema> {
    [
        metadata_tables::METADATA_RECORDS,
        group_tables::GROUP_RECORDS,
        transaction_tables::TRANSACTION_RECORDS,
        remote_log_tables::REMOTE_LOG_RECORDS,
    ]
    .into_iter()
    .flatten()
    .copied()
    .find(|s| s.name == name)
}

/// Kafka's `MetadataRecordType` name of a record schema: `TopicRecord` → `TOPIC_RECORD`.
pub fn record_type_name(schema_name: &str) -> String {
    let mut out = String::with_capacity(schema_name.len() + 8);
    let mut prev_upper = true;
    for c in schema_name.chars() {
        if c.is_ascii_uppercase() {
            if !prev_upper {
                out.push('_');
            }
            out.push(c);
            prev_upper = true;
        } else {
            out.push(c.to_ascii_uppercase());
            prev_upper = false;
        }
    }
    out
}

#[cfg(test)]
mod tests;
