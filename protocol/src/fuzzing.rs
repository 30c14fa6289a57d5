//! Entry points that push arbitrary bytes through every decoder of this crate.
//!
//! Used by the cargo-fuzz targets (`protocol/fuzz/`, one per entry point) and by plain tests
//! over random and mutated inputs (`tests/fuzz_decode.rs`, `tests/fuzz_internal_records.rs`),
//! so CI exercises them without nightly. Their contract: they return, whatever the bytes; a
//! panic anywhere below is a bug.

use bytes::Bytes;
use kafka_protocol::messages::RequestKind;

use crate::control::ControlRecord;
use crate::frame::{frame_body_len, FRAME_PREFIX_BYTES};
use crate::group_records::{decode_group_record_json, expand_consumer_protocol, GroupRecord};
use crate::header::decode_request_header;
use crate::metadata::{decode_metadata_record_json, MetadataRecord};
use crate::record_batch::{batches, decode_records};
use crate::remote_log_metadata::{decode_remote_log_metadata_json, RemoteLogMetadataRecord};
use crate::schema::{self, MessageSchema};
use crate::transaction_log::{decode_transaction_log_json, TransactionLogRecord};
use crate::versions::is_decodable;

/// Frame limit the entry point enforces: Kafka's default `socket.request.max.bytes` (100 MiB).
pub const FUZZ_FRAME_BYTES_MAX: usize = 104_857_600;

/// Decodes `data` as a request frame (size prefix, header) and, independently, as concatenated
/// record batches (view, CRC, records, and each record as a control and a metadata record).
///
/// Covers this crate's own decoders only; see [`decode_frame_with_body`] for the request body.
/// Returns how many items decoded successfully, so callers can see the input did something.
pub fn decode_frame(data: &[u8]) -> usize {
    decode(data, false)
}

/// [`decode_frame`] plus decoding the request body with `kafka-protocol` when the header names a
/// decodable version.
///
/// Known upstream defect: `kafka-protocol` 0.18 preallocates arrays from the wire count
/// (`Vec::with_capacity(n)`), so a body declaring ~2^31 elements aborts the process with an
/// allocation failure (kafka-protocol-rs PRs #152/#161/#200, still open). The fuzz target uses
/// this function so the defect stays visible; the CI test uses [`decode_frame`].
pub fn decode_frame_with_body(data: &[u8]) -> usize {
    decode(data, true)
}

fn decode(data: &[u8], with_body: bool) -> usize {
    let mut decoded = 0;
    if let Some((prefix, rest)) = data.split_first_chunk::<FRAME_PREFIX_BYTES>() {
        if let Ok(len) = frame_body_len(*prefix, FUZZ_FRAME_BYTES_MAX) {
            let mut body = Bytes::copy_from_slice(&rest[..len.min(rest.len())]);
            if let Ok(header) = decode_request_header(&mut body) {
                decoded += 1;
                let version = header.header.request_api_version;
                if with_body
                    && is_decodable(header.api_key, version)
                    && RequestKind::decode(header.api_key, &mut body, version).is_ok()
                {
                    decoded += 1;
                }
            }
        }
    }
    decoded + decode_batches(data)
}

fn decode_batches(data: &[u8]) -> usize {
    let mut decoded = 0;
    for view in batches(data).flatten() {
        decoded += 1;
        if view.verify_crc().is_ok() {
            decoded += 1;
        }
        let _ = (
            view.last_sequence(),
            view.timestamp_type(),
            view.next_offset(),
        );
        let Ok(records) = decode_records(&view) else {
            continue;
        };
        for record in records {
            decoded += 1;
            let value = record.value.as_deref().unwrap_or_default();
            if let Some(key) = record.key.as_deref() {
                if ControlRecord::decode(key, value).is_ok() {
                    decoded += 1;
                }
            }
            if MetadataRecord::decode(value).is_ok() {
                decoded += 1;
            }
        }
    }
    decoded
}

// --- Internal-topic records and the schema-driven JSON codec -----------------------------------
//
// One entry point per cargo-fuzz target (`group_record`, `transaction_log`,
// `remote_log_metadata`, `metadata_json`, `schema_json`), each with the same contract as
// `decode_frame`: it returns whatever the bytes, and returns how many decodes succeeded.

/// Top bit of the key/value split prefix: the value is absent (a tombstone).
const TOMBSTONE_BIT: u16 = 0x8000;

/// Splits a fuzz input into a record's key and value: a big-endian `u16` prefix whose top bit
/// marks a tombstone and whose low 15 bits are the key length (clamped to what is there), then
/// the key, then the value (the rest; `None` for a tombstone).
pub fn split_key_value(data: &[u8]) -> (&[u8], Option<&[u8]>) {
    let Some((prefix, rest)) = data.split_first_chunk::<2>() else {
        return (data, None);
    };
    let prefix = u16::from_be_bytes(*prefix);
    let key_len = usize::from(prefix & !TOMBSTONE_BIT).min(rest.len());
    let (key, value) = rest.split_at(key_len);
    (key, (prefix & TOMBSTONE_BIT == 0).then_some(value))
}

/// The inverse of [`split_key_value`], to build inputs from real records.
///
/// # Panics
/// If `key` is longer than 32767 bytes (a programmer error: seeds are small).
pub fn join_key_value(key: &[u8], value: Option<&[u8]>) -> Vec<u8> {
    let key_len = u16::try_from(key.len())
        .ok()
        .filter(|len| len & TOMBSTONE_BIT == 0)
        .expect("seed keys are shorter than 32 KiB");
    let prefix = if value.is_some() {
        key_len
    } else {
        key_len | TOMBSTONE_BIT
    };
    let mut out = prefix.to_be_bytes().to_vec();
    out.extend_from_slice(key);
    out.extend_from_slice(value.unwrap_or_default());
    out
}

/// A `__consumer_offsets` record ([`split_key_value`] layout) through the typed decoder and
/// the JSON decoder `dump-log --offsets-decoder` uses, including its expansion of a classic
/// group's embedded consumer-protocol subscriptions and assignments.
pub fn decode_group_record(data: &[u8]) -> usize {
    let (key, value) = split_key_value(data);
    let mut decoded = usize::from(GroupRecord::decode(key, value).is_ok());
    if let Ok(mut json) = decode_group_record_json(key, value) {
        decoded += 1;
        if let Some((_, value_json)) = json.value.as_mut() {
            expand_consumer_protocol(value_json);
        }
    }
    decoded
}

/// A `__transaction_state` record ([`split_key_value`] layout) through the typed decoder and
/// the JSON decoder `dump-log --transaction-log-decoder` uses.
pub fn decode_transaction_log(data: &[u8]) -> usize {
    let (key, value) = split_key_value(data);
    usize::from(TransactionLogRecord::decode(key, value).is_ok())
        + usize::from(decode_transaction_log_json(key, value).is_ok())
}

/// A `__remote_log_metadata` record value through the typed decoder and the JSON decoder
/// `dump-log --remote-log-metadata-decoder` uses.
pub fn decode_remote_log_metadata(data: &[u8]) -> usize {
    usize::from(RemoteLogMetadataRecord::decode(data).is_ok())
        + usize::from(decode_remote_log_metadata_json(data).is_ok())
}

/// A framed KRaft metadata record value through the typed decoder and the schema-driven JSON
/// decoder `dump-log --cluster-metadata-decoder` and the metadata shell use.
pub fn decode_metadata_json(data: &[u8]) -> usize {
    usize::from(MetadataRecord::decode(data).is_ok())
        + usize::from(decode_metadata_record_json(data).is_ok())
}

/// Every schema of the schema table reachable through its public lookups, each once: KRaft
/// metadata records, `__consumer_offsets` keys and values, `__transaction_state`,
/// `__remote_log_metadata`, and the consumer protocol embedded in classic groups. [`decode_schema_json`] picks one by index.
pub fn fuzz_schemas() -> Vec<&'static MessageSchema> {
    let mut out: Vec<&'static MessageSchema> = schema::metadata_record_schemas().to_vec();
    let group_types = (0..=8).chain([16]);
    for record_type in group_types {
        out.extend(schema::group_key_schema(record_type));
        out.extend(schema::group_value_schema(record_type));
    }
    let (txn_key, txn_value) = schema::transaction_log_schemas();
    out.extend([txn_key, txn_value]);
    out.extend((0..=3).filter_map(schema::remote_log_metadata_schema));
    out.extend(
        ["ConsumerProtocolSubscription", "ConsumerProtocolAssignment"]
            .into_iter()
            .filter_map(schema::schema_by_name),
    );
    let mut seen = std::collections::HashSet::new();
    out.retain(|s| seen.insert(s.name));
    out
}

/// A message body through the generic schema codec: byte 0 picks a schema of
/// [`fuzz_schemas`] (modulo their count), bytes 1–2 are the version (big-endian, any value), the
/// rest is the body, decoded whole and as a prefix. A body that decodes must re-encode and
/// decode to the same JSON (the tools print what they decode and `encode_json` writes it back),
/// so a mismatch panics: that is a codec bug the fuzzer should report.
pub fn decode_schema_json(data: &[u8]) -> usize {
    let schemas = fuzz_schemas();
    let [pick, v0, v1, body @ ..] = data else {
        return 0;
    };
    let schema = schemas[usize::from(*pick) % schemas.len()];
    let version = i16::from_be_bytes([*v0, *v1]);
    let mut decoded = usize::from(schema::decode_json_prefix(schema, version, body).is_ok());
    if let Ok(json) = schema::decode_json(schema, version, body) {
        decoded += 1;
        let again = schema::encode_json(schema, version, &json)
            .and_then(|bytes| schema::decode_json(schema, version, &bytes));
        match again {
            Ok(same) => assert_eq!(
                same, json,
                "{} v{version}: decode → encode → decode changed the JSON",
                schema.name
            ),
            Err(e) => panic!(
                "{} v{version}: decoded JSON does not re-encode: {e}",
                schema.name
            ),
        }
    }
    decoded
}
