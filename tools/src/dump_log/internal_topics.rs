//! The internal-topic decoders of `--offsets-decoder`, `--transaction-log-decoder`,
//! `--cluster-metadata-decoder` and `--remote-log-metadata-decoder`: the protocol crate's
//! schema-driven codecs produce Kafka's JSON; this module wraps it the way Kafka's
//! DumpLogSegments parsers do, with their per-record error texts.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;
use strata_protocol::group_records::{decode_group_record_json, GroupRecordError};
use strata_protocol::record_batch::Record;
use strata_protocol::remote_log_metadata::RemoteLogMetadataRecord;
use strata_protocol::schema::{
    decode_json, metadata_record_schema, record_type_name, schema_by_name,
};
use strata_protocol::transaction_log::{decode_transaction_log_json, TransactionLogError};
use strata_protocol::wire::WireReader;

use super::json_object::JsonObject;
use super::message_parser::{KeyAndPayload, Rendered};

/// The frame version every KRaft metadata record value starts with.
const METADATA_FRAME_VERSION: u32 = 1;
/// The record type of a classic group's metadata (`GroupMetadataKey` / `GroupMetadataValue`).
const GROUP_METADATA_RECORD_TYPE: i16 = 2;
/// `ConsumerProtocol.PROTOCOL_TYPE`.
const CONSUMER_PROTOCOL_TYPE: &str = "consumer";

/// Kafka's `prepareGroupMetadataValue`: in a group of the consumer protocol, each member's
/// `subscription` and `assignment` bytes (base64 in the JSON) are replaced by the decoded
/// `ConsumerProtocolSubscription` / `ConsumerProtocolAssignment` (an int16 version, then the
/// message); bytes that do not decode are kept as they are, as Kafka keeps them.
fn expand_consumer_protocol(value: &mut Value) {
    if value.get("protocolType").and_then(Value::as_str) != Some(CONSUMER_PROTOCOL_TYPE) {
        return;
    }
    let Some(members) = value.get_mut("members").and_then(Value::as_array_mut) else {
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
                .and_then(|text| STANDARD.decode(text).ok())
                .and_then(|bytes| {
                    let [v0, v1, body @ ..] = bytes.as_slice() else {
                        return None;
                    };
                    let schema = schema_by_name(schema_name)?;
                    decode_json(schema, i16::from_be_bytes([*v0, *v1]), body).ok()
                });
            if let (Some(decoded), Some(object)) = (decoded, member.as_object_mut()) {
                object.insert(field.to_string(), decoded);
            }
        }
    }
}

/// `--offsets-decoder`: key `{"type":"<record type>","data":{..}}`, value
/// `{"version":"<v>","data":{..}}` or `<DELETE>`; undecodable records become a key line
/// saying so, as Kafka's `OffsetsMessageParser` does.
pub(crate) fn offsets(record: &Record) -> Result<KeyAndPayload, String> {
    let Some(key) = record.key.as_deref() else {
        return Err(format!(
            "Failed to decode message at offset {} using offset topic decoder (message had a missing key)",
            record.offset
        ));
    };
    Ok(
        match decode_group_record_json(key, record.value.as_deref()) {
            Ok(json) => {
                let key = JsonObject::new()
                    .string("type", &json.record_type.to_string())
                    .raw("data", &json.key.to_string())
                    .finish();
                let value = match json.value {
                    Some((version, mut data)) => Rendered::Json({
                        if json.record_type == GROUP_METADATA_RECORD_TYPE {
                            expand_consumer_protocol(&mut data);
                        }
                        JsonObject::new()
                            .string("version", &version.to_string())
                            .raw("data", &data.to_string())
                            .finish()
                    }),
                    None => Rendered::Text("<DELETE>".to_string()),
                };
                (Some(Rendered::Json(key)), Some(value))
            }
            Err(GroupRecordError::UnknownRecordType { record_type }) => (
                Some(Rendered::Text(format!(
                    "Unknown record type {record_type} at offset {}, skipping.",
                    record.offset
                ))),
                None,
            ),
            Err(error) => (
                Some(Rendered::Text(format!(
                    "Error at offset {}, skipping. {error}",
                    record.offset
                ))),
                None,
            ),
        },
    )
}

/// Kafka's `TransactionState` names by id.
fn transaction_state_name(id: i64) -> Option<&'static str> {
    Some(match id {
        0 => "Empty",
        1 => "Ongoing",
        2 => "PrepareCommit",
        3 => "PrepareAbort",
        4 => "CompleteCommit",
        5 => "CompleteAbort",
        6 => "Dead",
        7 => "PrepareEpochFence",
        _ => return None,
    })
}

/// `--transaction-log-decoder`: Kafka's `TransactionLog.formatRecordKeyAndValue` text.
pub(crate) fn transaction_log(record: &Record) -> Result<KeyAndPayload, String> {
    let key = record.key.as_deref().ok_or_else(|| {
        format!(
            "the __transaction_state record at offset {} has no key",
            record.offset
        )
    })?;
    let json = match decode_transaction_log_json(key, record.value.as_deref()) {
        Ok(json) => json,
        Err(TransactionLogError::UnsupportedVersion {
            part: "key",
            version,
            ..
        }) => {
            return Ok((
                Some(Rendered::Text(format!("unknown::version={version}"))),
                None,
            ))
        }
        Err(error) => return Err(format!("at offset {}: {error}", record.offset)),
    };
    let (_, key) = json.key;
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let transactional_id = text(&key["transactionalId"]);
    let value = match json.value {
        None => "<DELETE>".to_string(),
        Some((_, value)) => {
            let state_id = value["transactionStatus"].as_i64().unwrap_or(-1);
            let state = transaction_state_name(state_id).ok_or_else(|| {
                format!(
                    "Unknown transaction state id {state_id} from the transaction status message"
                )
            })?;
            let mut partitions = Vec::new();
            if state != "Empty" {
                for topic in value["transactionPartitions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    for partition in topic["partitionIds"].as_array().into_iter().flatten() {
                        partitions.push(format!("{}-{partition}", text(&topic["topic"])));
                    }
                }
            }
            format!(
                "producerId:{},producerEpoch:{},state={state},partitions=[{}],txnLastUpdateTimestamp={},txnTimeoutMs={}",
                value["producerId"],
                value["producerEpoch"],
                partitions.join(","),
                value["transactionLastUpdateTimestampMs"],
                value["transactionTimeoutMs"]
            )
        }
    };
    Ok((
        Some(Rendered::Text(format!(
            "transaction_metadata::transactionalId={transactional_id}"
        ))),
        Some(Rendered::Text(value)),
    ))
}

/// Decodes a framed metadata record value into Kafka's
/// `{"type":"TOPIC_RECORD","version":0,"data":{..}}`, with `MetadataRecordSerde`'s messages.
fn metadata_json(value: &[u8]) -> Result<String, String> {
    let mut reader = WireReader::new(value);
    let frame_version = reader.unsigned_varint().map_err(|e| e.to_string())?;
    if frame_version == 0 {
        return Err(
            "Could not deserialize metadata record with frame version 0. Note that upgrades \
                    from the preview release of KRaft in 2.8 to newer versions are not supported."
                .to_string(),
        );
    }
    if frame_version != METADATA_FRAME_VERSION {
        return Err(format!(
            "Could not deserialize metadata record due to unknown frame version {frame_version}\
             (only frame version {METADATA_FRAME_VERSION} is supported)"
        ));
    }
    let api_key = reader.unsigned_varint().map_err(|e| e.to_string())?;
    let version = reader.unsigned_varint().map_err(|e| e.to_string())?;
    let api_key =
        i16::try_from(api_key).map_err(|_| format!("Value {api_key} was too large for type"))?;
    let version =
        i16::try_from(version).map_err(|_| format!("Value {version} was too large for version"))?;
    let schema =
        metadata_record_schema(api_key).ok_or_else(|| format!("Unknown metadata id {api_key}"))?;
    let body = &value[reader.position()..];
    let data = decode_json(schema, version, body)
        .map_err(|e| format!("Failed to deserialize record with type {api_key}: {e}"))?;
    Ok(JsonObject::new()
        .string("type", &record_type_name(schema.name))
        .number("version", version)
        .raw("data", &data.to_string())
        .finish())
}

/// `--cluster-metadata-decoder`: metadata records have no key; an undecodable value becomes
/// `Error at <offset>, skipping. <reason>` as in Kafka.
pub(crate) fn cluster_metadata(record: &Record) -> KeyAndPayload {
    let payload = match record.value.as_deref().map(metadata_json) {
        Some(Ok(json)) => Rendered::Json(json),
        Some(Err(reason)) => {
            Rendered::Text(format!("Error at {}, skipping. {reason}", record.offset))
        }
        None => Rendered::Text(format!("Error at {}, skipping. null", record.offset)),
    };
    (None, Some(payload))
}

/// `--remote-log-metadata-decoder`: the Java `toString()` of the decoded record.
pub(crate) fn remote_log_metadata(record: &Record) -> KeyAndPayload {
    let payload = match record.value.as_deref().map(RemoteLogMetadataRecord::decode) {
        Some(Ok(decoded)) => decoded.kafka_display(),
        Some(Err(error)) => format!("Error at offset {}, skipping. {error}", record.offset),
        None => format!("Error at offset {}, skipping. null", record.offset),
    };
    (None, Some(Rendered::Text(payload)))
}
