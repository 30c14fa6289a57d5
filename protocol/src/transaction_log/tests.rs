//! Byte-exact layouts from `TransactionLogValue.json`, round trips, and panic-free decoding.

use proptest::prelude::*;

use super::*;

fn classic_string(s: &str) -> Vec<u8> {
    let mut out = (s.len() as i16).to_be_bytes().to_vec();
    out.extend_from_slice(s.as_bytes());
    out
}

fn ongoing() -> TransactionLogValue {
    TransactionLogValue {
        producer_id: 1000,
        previous_producer_id: -1,
        next_producer_id: 1001,
        producer_epoch: 3,
        transaction_timeout_ms: 60_000,
        transaction_status: 1,
        transaction_partitions: Some(vec![PartitionsSchema {
            topic: "t".into(),
            partition_ids: vec![0, 2],
        }]),
        transaction_last_update_timestamp_ms: 20,
        transaction_start_timestamp_ms: 10,
        client_transaction_version: 2,
    }
}

#[test]
fn key_is_version_0_and_a_classic_string() {
    let key = TransactionLogKey {
        transactional_id: "tx".into(),
    };
    let mut expected = vec![0, 0];
    expected.extend(classic_string("tx"));
    assert_eq!(key.encode(), expected);
    assert_eq!(TransactionLogKey::decode(&expected), Ok(key));
}

#[test]
fn value_v1_is_flexible_with_tagged_producer_ids_and_client_version() {
    let mut expected = vec![0, 1];
    expected.extend(1000i64.to_be_bytes());
    expected.extend(3i16.to_be_bytes());
    expected.extend(60_000i32.to_be_bytes());
    expected.push(1);
    expected.push(0x02); // one topic
    expected.extend([0x02, b't']);
    expected.push(0x03);
    expected.extend(0i32.to_be_bytes());
    expected.extend(2i32.to_be_bytes());
    expected.push(0x00); // topic tagged fields
    expected.extend(20i64.to_be_bytes());
    expected.extend(10i64.to_be_bytes());
    // Tagged: NextProducerId (tag 1, 8 bytes) and ClientTransactionVersion (tag 2, 2 bytes);
    // PreviousProducerId is at its default and not written.
    expected.extend([0x02, 0x01, 0x08]);
    expected.extend(1001i64.to_be_bytes());
    expected.extend([0x02, 0x02, 0x00, 0x02]);
    let record = TransactionLogRecord {
        key: TransactionLogKey {
            transactional_id: "tx".into(),
        },
        value: Some(ongoing()),
    };
    assert_eq!(record.encode_value(), Some(expected.clone()));
    assert_eq!(TransactionLogValue::decode(&expected), Ok(ongoing()));
}

#[test]
fn value_v0_has_classic_encodings_and_null_partitions() {
    let value = TransactionLogValue {
        transaction_partitions: None,
        ..ongoing()
    };
    let mut expected = vec![0, 0];
    expected.extend(1000i64.to_be_bytes());
    expected.extend(3i16.to_be_bytes());
    expected.extend(60_000i32.to_be_bytes());
    expected.push(1);
    expected.extend((-1i32).to_be_bytes()); // null partitions
    expected.extend(20i64.to_be_bytes());
    expected.extend(10i64.to_be_bytes());
    assert_eq!(value.encode_version(0), Ok(expected.clone()));
    assert_eq!(
        TransactionLogValue::decode(&expected),
        Ok(TransactionLogValue {
            next_producer_id: -1,
            client_transaction_version: 0,
            ..value
        })
    );
}

#[test]
fn unknown_versions_are_rejected() {
    assert_eq!(
        TransactionLogKey::decode(&[0, 1, 0, 0]),
        Err(TransactionLogError::UnsupportedVersion {
            part: "key",
            version: 1,
            max: 0
        })
    );
    assert!(matches!(
        TransactionLogValue::decode(&[0, 2]),
        Err(TransactionLogError::UnsupportedVersion { version: 2, .. })
    ));
}

#[test]
fn json_matches_kafka_converters() {
    let record = TransactionLogRecord {
        key: TransactionLogKey {
            transactional_id: "tx".into(),
        },
        value: Some(ongoing()),
    };
    let (key, value) = record.to_json();
    assert_eq!(key.to_string(), r#"{"transactionalId":"tx"}"#);
    // v1: PreviousProducerId is at its default (-1) and omitted; the other tags are shown.
    assert_eq!(
        value.expect("value").to_string(),
        r#"{"producerId":1000,"nextProducerId":1001,"producerEpoch":3,"transactionTimeoutMs":60000,"transactionStatus":1,"transactionPartitions":[{"topic":"t","partitionIds":[0,2]}],"transactionLastUpdateTimestampMs":20,"transactionStartTimestampMs":10,"clientTransactionVersion":2}"#
    );
}

#[test]
fn json_of_v0_has_no_tagged_fields_and_null_partitions() {
    let value = TransactionLogValue {
        transaction_partitions: None,
        ..ongoing()
    };
    let bytes = value.encode_version(0).expect("v0");
    let decoded = decode_transaction_log_json(&[0, 0, 0, 0], Some(&bytes)).expect("decodes");
    assert_eq!(decoded.key, (0, serde_json::json!({"transactionalId": ""})));
    let (version, json) = decoded.value.expect("value");
    assert_eq!(version, 0);
    assert_eq!(
        json.to_string(),
        r#"{"producerId":1000,"producerEpoch":3,"transactionTimeoutMs":60000,"transactionStatus":1,"transactionPartitions":null,"transactionLastUpdateTimestampMs":20,"transactionStartTimestampMs":10}"#
    );
}

fn value() -> impl Strategy<Value = TransactionLogValue> {
    (
        (
            any::<i64>(),
            any::<i64>(),
            any::<i64>(),
            any::<i16>(),
            any::<i32>(),
            any::<i8>(),
        ),
        proptest::option::of(proptest::collection::vec(
            ("[a-z]{0,8}", proptest::collection::vec(any::<i32>(), 0..4)).prop_map(
                |(topic, partition_ids)| PartitionsSchema {
                    topic,
                    partition_ids,
                },
            ),
            0..3,
        )),
        (any::<i64>(), any::<i64>(), any::<i16>()),
    )
        .prop_map(
            |((pid, prev, next, epoch, timeout, status), parts, (upd, start, ctv))| {
                TransactionLogValue {
                    producer_id: pid,
                    previous_producer_id: prev,
                    next_producer_id: next,
                    producer_epoch: epoch,
                    transaction_timeout_ms: timeout,
                    transaction_status: status,
                    transaction_partitions: parts,
                    transaction_last_update_timestamp_ms: upd,
                    transaction_start_timestamp_ms: start,
                    client_transaction_version: ctv,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_version_round_trips(v in value(), id in "[a-z]{0,10}") {
        let record = TransactionLogRecord { key: TransactionLogKey { transactional_id: id }, value: Some(v.clone()) };
        let key = record.encode_key();
        let bytes = record.encode_value();
        prop_assert_eq!(TransactionLogRecord::decode(&key, bytes.as_deref()), Ok(record.clone()));
        // The schema-driven path reads the same bytes and writes them back identically.
        let json = decode_transaction_log_json(&key, bytes.as_deref()).expect("schema decodes");
        let (key_schema, value_schema) = crate::schema::transaction_log_schemas();
        let (value_version, value_json) = json.value.expect("value");
        prop_assert_eq!(
            crate::schema::encode_json(value_schema, value_version, &value_json).expect("encodes"),
            bytes.expect("value")[2..].to_vec()
        );
        prop_assert_eq!(
            crate::schema::encode_json(key_schema, 0, &json.key.1).expect("encodes"),
            key[2..].to_vec()
        );
        let v0 = v.encode_version(0).expect("v0 valid");
        let expected = TransactionLogValue {
            previous_producer_id: -1,
            next_producer_id: -1,
            client_transaction_version: 0,
            ..v
        };
        prop_assert_eq!(TransactionLogValue::decode(&v0), Ok(expected));
    }

    #[test]
    fn decode_never_panics(
        key in proptest::collection::vec(any::<u8>(), 0..32),
        value in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..96)),
    ) {
        let _ = TransactionLogRecord::decode(&key, value.as_deref());
        let _ = decode_transaction_log_json(&key, value.as_deref());
    }
}
