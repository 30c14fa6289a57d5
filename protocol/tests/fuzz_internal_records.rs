//! The fuzz entry points of the internal-topic record decoders and the schema-driven JSON
//! decoder (`strata_protocol::fuzzing`, one cargo-fuzz target each) over random bytes and over
//! mutations of valid records of every schema and version: they must never panic.

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::json;
use strata_protocol::fuzzing::{
    decode_group_record, decode_metadata_json, decode_remote_log_metadata, decode_schema_json,
    decode_transaction_log, fuzz_schemas, join_key_value, split_key_value,
};
use strata_protocol::schema::{self, encode_json, MessageSchema};
use strata_protocol::transaction_log::{
    PartitionsSchema, TransactionLogKey, TransactionLogRecord, TransactionLogValue,
};

/// The body of every version of `schema` with every field at its default.
fn default_bodies(schema: &MessageSchema) -> Vec<(i16, Vec<u8>)> {
    (schema.valid.min..=schema.valid.max)
        .map(|v| {
            (
                v,
                encode_json(schema, v, &json!({})).expect("defaults encode"),
            )
        })
        .collect()
}

fn with_version(version: i16, body: &[u8]) -> Vec<u8> {
    let mut out = version.to_be_bytes().to_vec();
    out.extend_from_slice(body);
    out
}

fn unsigned_varint(mut n: u32, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A framed value (`ApiMessageAndVersion` style): frame version 1, api key, version, body.
fn framed(api_key: i16, version: i16, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    unsigned_varint(1, &mut out);
    unsigned_varint(api_key as u32, &mut out);
    unsigned_varint(version as u32, &mut out);
    out.extend_from_slice(body);
    out
}

/// `__consumer_offsets` records of every type and value version, a tombstone, and a classic
/// group whose member carries a consumer-protocol subscription and assignment.
fn group_seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for record_type in (0..=8).chain([16]) {
        let (Some(key_schema), Some(value_schema)) = (
            schema::group_key_schema(record_type),
            schema::group_value_schema(record_type),
        ) else {
            continue;
        };
        let key_body = encode_json(key_schema, record_type, &json!({})).expect("key encodes");
        let key = with_version(record_type, &key_body);
        out.push(join_key_value(&key, None));
        for (version, body) in default_bodies(value_schema) {
            out.push(join_key_value(&key, Some(&with_version(version, &body))));
        }
    }
    let subscription = schema::schema_by_name("ConsumerProtocolSubscription").expect("schema");
    let assignment = schema::schema_by_name("ConsumerProtocolAssignment").expect("schema");
    let b64 = |bytes: Vec<u8>| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    };
    let sub = with_version(
        1,
        &encode_json(
            subscription,
            1,
            &json!({"topics": ["t"], "ownedPartitions": []}),
        )
        .expect("subscription encodes"),
    );
    let assign = with_version(
        1,
        &encode_json(
            assignment,
            1,
            &json!({"assignedPartitions": [{"topic": "t", "partitions": [0, 1]}]}),
        )
        .expect("assignment encodes"),
    );
    let value_schema = schema::group_value_schema(2).expect("GroupMetadataValue");
    let value = encode_json(
        value_schema,
        3,
        &json!({
            "protocolType": "consumer", "generation": 1, "protocol": "range", "leader": "m",
            "currentStateTimestamp": 0,
            "members": [{"memberId": "m", "groupInstanceId": null, "clientId": "c",
                         "clientHost": "/h", "rebalanceTimeout": 1, "sessionTimeout": 1,
                         "subscription": b64(sub), "assignment": b64(assign)}]
        }),
    )
    .expect("group metadata encodes");
    let key_schema = schema::group_key_schema(2).expect("GroupMetadataKey");
    let key = with_version(
        2,
        &encode_json(key_schema, 2, &json!({"group": "g"})).expect("key encodes"),
    );
    out.push(join_key_value(&key, Some(&with_version(3, &value))));
    out
}

fn transaction_seeds() -> Vec<Vec<u8>> {
    let (key_schema, value_schema) = schema::transaction_log_schemas();
    let key = with_version(
        0,
        &encode_json(key_schema, 0, &json!({"transactionalId": "tx"})).expect("key encodes"),
    );
    let mut out = vec![join_key_value(&key, None)];
    for (version, body) in default_bodies(value_schema) {
        out.push(join_key_value(&key, Some(&with_version(version, &body))));
    }
    let record = TransactionLogRecord {
        key: TransactionLogKey {
            transactional_id: "tx".to_owned(),
        },
        value: Some(TransactionLogValue {
            producer_id: 7,
            transaction_status: 1,
            transaction_partitions: Some(vec![PartitionsSchema {
                topic: "t".to_owned(),
                partition_ids: vec![0, 3],
            }]),
            ..TransactionLogValue::default()
        }),
    };
    let value = record.encode_value();
    out.push(join_key_value(&record.encode_key(), value.as_deref()));
    out
}

fn remote_log_metadata_seeds() -> Vec<Vec<u8>> {
    (0..=3)
        .filter_map(schema::remote_log_metadata_schema)
        .flat_map(|s| {
            let api_key = s
                .api_key
                .expect("remote log metadata schemas have api keys");
            default_bodies(s)
                .into_iter()
                .map(move |(version, body)| framed(api_key, version, &body))
        })
        .collect()
}

fn metadata_seeds() -> Vec<Vec<u8>> {
    schema::metadata_record_schemas()
        .iter()
        .flat_map(|s| {
            let api_key = s.api_key.expect("metadata schemas have api keys");
            default_bodies(s)
                .into_iter()
                .map(move |(version, body)| framed(api_key, version, &body))
        })
        .collect()
}

/// Inputs of `decode_schema_json`: schema index, version, default body.
fn schema_seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (index, s) in fuzz_schemas().into_iter().enumerate() {
        for (version, body) in default_bodies(s) {
            let mut input = vec![u8::try_from(index).expect("under 256 schemas")];
            input.extend_from_slice(&version.to_be_bytes());
            input.extend_from_slice(&body);
            out.push(input);
        }
    }
    out
}

/// Overwrites a few bytes and cuts the tail, as a mutating fuzzer would.
fn mutate(mut data: Vec<u8>, edits: &[(Index, u8)], cut: Index) -> Vec<u8> {
    if !data.is_empty() {
        for (at, byte) in edits {
            let i = at.index(data.len());
            data[i] = *byte;
        }
    }
    let keep = data.len() - cut.index(data.len() / 4 + 1);
    data.truncate(keep);
    data
}

#[test]
fn every_seed_decodes_through_its_entry_point() {
    // Both the typed and the JSON decoder accept each valid group, transaction log and remote
    // log metadata record, so the mutations below start from inputs that reach deep.
    for seed in group_seeds() {
        let (key, value) = split_key_value(&seed);
        assert_eq!(decode_group_record(&seed), 2, "{key:?} {value:?}");
    }
    for seed in transaction_seeds() {
        assert_eq!(decode_transaction_log(&seed), 2, "{seed:?}");
    }
    for seed in remote_log_metadata_seeds() {
        assert_eq!(decode_remote_log_metadata(&seed), 2, "{seed:?}");
    }
    for seed in metadata_seeds() {
        assert!(decode_metadata_json(&seed) >= 1, "{seed:?}");
    }
    for seed in schema_seeds() {
        assert_eq!(decode_schema_json(&seed), 2, "{seed:?}");
    }
}

#[test]
fn key_value_split_round_trips() {
    for (key, value) in [
        (&b""[..], None),
        (&b"k"[..], Some(&b""[..])),
        (&b"key"[..], Some(&b"value"[..])),
    ] {
        assert_eq!(split_key_value(&join_key_value(key, value)), (key, value));
    }
}

type EntryPoint = fn(&[u8]) -> usize;

fn targets() -> Vec<(EntryPoint, Vec<Vec<u8>>)> {
    vec![
        (decode_group_record as EntryPoint, group_seeds()),
        (decode_transaction_log, transaction_seeds()),
        (decode_remote_log_metadata, remote_log_metadata_seeds()),
        (decode_metadata_json, metadata_seeds()),
        (decode_schema_json, schema_seeds()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn internal_record_decoders_never_panic_on_random_bytes(
        data in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        for (entry_point, _) in targets() {
            entry_point(&data);
        }
    }

}

proptest! {
    // About 2,000 mutations per entry point.
    #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn internal_record_decoders_never_panic_on_mutated_records(
        target in 0usize..5,
        pick in any::<Index>(),
        edits in proptest::collection::vec((any::<Index>(), any::<u8>()), 1..5),
        cut in any::<Index>(),
    ) {
        let (entry_point, seeds) = targets().swap_remove(target);
        let seed = seeds[pick.index(seeds.len())].clone();
        entry_point(&mutate(seed, &edits, cut));
    }
}

/// Found by the `schema_json` cargo-fuzz target: ClientQuotaRecord v0 whose float64 `value` is
/// NaN (all bits set) used to decode to `"value": null`, which did not encode back. It now
/// decodes to `"NaN"` as Kafka's Jackson-based converter prints it, and round-trips.
#[test]
fn a_nan_float64_decodes_to_kafkas_nan_string_and_round_trips() {
    let input = [
        0x05u8, 0x00, 0x00, 0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00,
    ];
    let schemas = fuzz_schemas();
    assert_eq!(schemas[5].name, "ClientQuotaRecord");
    let json = schema::decode_json(schemas[5], 0, &input[3..]).expect("decodes");
    assert_eq!(json["value"], serde_json::Value::String("NaN".to_owned()));
    let bytes = schema::encode_json(schemas[5], 0, &json).expect("encodes");
    assert_eq!(
        schema::decode_json(schemas[5], 0, &bytes).expect("decodes again"),
        json
    );
    assert_eq!(decode_schema_json(&input), 2);
}
