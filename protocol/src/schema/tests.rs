//! The schema-driven codec against the typed codecs: typed bytes decode to the JSON Kafka's
//! converters print, and JSON re-encodes to the same bytes.

use proptest::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

use super::*;
use crate::metadata::{
    decode_metadata_record_json, encode_metadata_record_json, BrokerEndpoint, BrokerFeature,
    BrokerRegistrationChangeRecord, ConfigRecord, FeatureLevelRecord, MetadataError,
    MetadataRecord, PartitionChangeRecord, PartitionRecord, ProducerIdsRecord,
    RegisterBrokerRecord, RemoveTopicRecord, TopicRecord, UnregisterBrokerRecord,
};

const TOPIC_ID: u128 = 0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10;
/// `Uuid.toString()` of `TOPIC_ID` in Kafka: URL-safe base64, no padding.
const TOPIC_ID_KAFKA: &str = "AQIDBAUGBwgJCgsMDQ4PEA";

fn printed(record: &MetadataRecord) -> String {
    let json = decode_metadata_record_json(&record.encode()).expect("typed bytes decode");
    json.to_string()
}

#[test]
fn uuid_prints_as_kafka_base64() {
    assert_eq!(
        kafka_uuid_string(&Uuid::from_u128(TOPIC_ID)),
        TOPIC_ID_KAFKA
    );
    assert_eq!(kafka_uuid_string(&Uuid::nil()), "AAAAAAAAAAAAAAAAAAAAAA");
}

#[test]
fn topic_record_prints_like_the_cluster_metadata_decoder() {
    let record = MetadataRecord::Topic(TopicRecord {
        name: "foo".into(),
        topic_id: Uuid::from_u128(TOPIC_ID),
    });
    assert_eq!(
        printed(&record),
        format!(
            r#"{{"type":"TOPIC_RECORD","version":0,"data":{{"name":"foo","topicId":"{TOPIC_ID_KAFKA}"}}}}"#
        )
    );
}

#[test]
fn partition_record_prints_tagged_fields_only_when_not_default() {
    let base = PartitionRecord {
        version: 1,
        partition_id: 0,
        topic_id: Uuid::from_u128(TOPIC_ID),
        replicas: vec![1, 2],
        isr: vec![1],
        leader: 1,
        leader_epoch: 0,
        partition_epoch: 0,
        directories: vec![Uuid::nil(), Uuid::nil()],
        ..PartitionRecord::default()
    };
    let nil = "AAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(
        printed(&MetadataRecord::Partition(base.clone())),
        format!(
            r#"{{"type":"PARTITION_RECORD","version":1,"data":{{"partitionId":0,"topicId":"{TOPIC_ID_KAFKA}","replicas":[1,2],"isr":[1],"removingReplicas":[],"addingReplicas":[],"leader":1,"leaderEpoch":0,"partitionEpoch":0,"directories":["{nil}","{nil}"]}}}}"#
        )
    );
    let recovering = PartitionRecord {
        version: 2,
        leader_recovery_state: 1,
        eligible_leader_replicas: Some(vec![2]),
        ..base
    };
    assert_eq!(
        printed(&MetadataRecord::Partition(recovering)),
        format!(
            r#"{{"type":"PARTITION_RECORD","version":2,"data":{{"partitionId":0,"topicId":"{TOPIC_ID_KAFKA}","replicas":[1,2],"isr":[1],"removingReplicas":[],"addingReplicas":[],"leader":1,"leaderRecoveryState":1,"leaderEpoch":0,"partitionEpoch":0,"directories":["{nil}","{nil}"],"eligibleLeaderReplicas":[2]}}}}"#
        )
    );
}

#[test]
fn register_broker_record_prints_nested_structs_in_schema_order() {
    let record = MetadataRecord::RegisterBroker(RegisterBrokerRecord {
        version: 3,
        broker_id: 1,
        is_migrating_zk_broker: false,
        incarnation_id: Uuid::from_u128(TOPIC_ID),
        broker_epoch: 7,
        end_points: vec![BrokerEndpoint {
            name: "PLAINTEXT".into(),
            host: "h".into(),
            port: 9092,
            security_protocol: 0,
        }],
        features: vec![BrokerFeature {
            name: "metadata.version".into(),
            min_supported_version: 7,
            max_supported_version: 21,
        }],
        rack: None,
        fenced: true,
        in_controlled_shutdown: false,
        log_dirs: vec![],
    });
    assert_eq!(
        printed(&record),
        format!(
            r#"{{"type":"REGISTER_BROKER_RECORD","version":3,"data":{{"brokerId":1,"isMigratingZkBroker":false,"incarnationId":"{TOPIC_ID_KAFKA}","brokerEpoch":7,"endPoints":[{{"name":"PLAINTEXT","host":"h","port":9092,"securityProtocol":0}}],"features":[{{"name":"metadata.version","minSupportedVersion":7,"maxSupportedVersion":21}}],"rack":null,"fenced":true,"inControlledShutdown":false}}}}"#
        )
    );
}

#[test]
fn config_record_prints_null_value() {
    let record = MetadataRecord::Config(ConfigRecord {
        resource_type: 2,
        resource_name: "t".into(),
        name: "retention.ms".into(),
        value: None,
    });
    assert_eq!(
        printed(&record),
        r#"{"type":"CONFIG_RECORD","version":0,"data":{"resourceType":2,"resourceName":"t","name":"retention.ms","value":null}}"#
    );
}

fn typed_samples() -> Vec<MetadataRecord> {
    let mut out = vec![
        MetadataRecord::Topic(TopicRecord {
            name: "foo".into(),
            topic_id: Uuid::from_u128(TOPIC_ID),
        }),
        MetadataRecord::Partition(PartitionRecord {
            version: 2,
            replicas: vec![1],
            last_known_elr: Some(vec![]),
            ..PartitionRecord::default()
        }),
        MetadataRecord::PartitionChange(PartitionChangeRecord {
            isr: Some(vec![1, 2]),
            leader: 3,
            ..PartitionChangeRecord::default()
        }),
        MetadataRecord::FeatureLevel(FeatureLevelRecord {
            name: "metadata.version".into(),
            feature_level: 21,
        }),
        MetadataRecord::ProducerIds(ProducerIdsRecord {
            broker_id: 1,
            broker_epoch: 2,
            next_producer_id: 3000,
        }),
        MetadataRecord::Config(ConfigRecord {
            resource_type: 4,
            resource_name: String::new(),
            name: "x".into(),
            value: Some("y".into()),
        }),
        MetadataRecord::NoOp,
    ];
    for version in 0..=3 {
        out.push(MetadataRecord::RegisterBroker(RegisterBrokerRecord {
            version,
            broker_id: 4,
            is_migrating_zk_broker: version >= 2,
            incarnation_id: Uuid::from_u128(TOPIC_ID),
            broker_epoch: 9,
            end_points: vec![BrokerEndpoint {
                name: "CONTROLLER".into(),
                host: "localhost".into(),
                port: 65535,
                security_protocol: 1,
            }],
            features: vec![],
            rack: Some("r1".into()),
            fenced: false,
            in_controlled_shutdown: version >= 1,
            log_dirs: if version >= 3 {
                vec![Uuid::from_u128(7)]
            } else {
                vec![]
            },
        }));
    }
    for version in 0..=2 {
        out.push(MetadataRecord::BrokerRegistrationChange(
            BrokerRegistrationChangeRecord {
                version,
                broker_id: 1,
                broker_epoch: 2,
                fenced: 1,
                in_controlled_shutdown: if version >= 1 { 1 } else { 0 },
                log_dirs: if version >= 2 {
                    vec![Uuid::from_u128(3)]
                } else {
                    vec![]
                },
            },
        ));
        out.push(MetadataRecord::PartitionChange(PartitionChangeRecord {
            version,
            partition_id: 5,
            topic_id: Uuid::from_u128(TOPIC_ID),
            isr: Some(vec![1]),
            leader: -1,
            replicas: Some(vec![1, 2]),
            removing_replicas: Some(vec![2]),
            adding_replicas: Some(vec![]),
            leader_recovery_state: 1,
            eligible_leader_replicas: if version >= 2 { Some(vec![2]) } else { None },
            last_known_elr: if version >= 2 { Some(vec![]) } else { None },
            directories: if version >= 1 {
                Some(vec![Uuid::nil()])
            } else {
                None
            },
        }));
        out.push(MetadataRecord::Partition(PartitionRecord {
            version,
            partition_id: 5,
            topic_id: Uuid::from_u128(TOPIC_ID),
            replicas: vec![1, 2],
            isr: vec![1],
            removing_replicas: vec![2],
            adding_replicas: vec![3],
            leader: 1,
            leader_recovery_state: 1,
            leader_epoch: 4,
            partition_epoch: 6,
            directories: if version >= 1 {
                vec![Uuid::nil(); 2]
            } else {
                vec![]
            },
            eligible_leader_replicas: if version >= 2 { Some(vec![2]) } else { None },
            last_known_elr: if version >= 2 { Some(vec![3]) } else { None },
        }));
    }
    out.push(MetadataRecord::UnregisterBroker(UnregisterBrokerRecord {
        broker_id: 3,
        broker_epoch: 4,
    }));
    out.push(MetadataRecord::RemoveTopic(RemoveTopicRecord {
        topic_id: Uuid::from_u128(TOPIC_ID),
    }));
    out
}

#[test]
fn typed_metadata_records_re_encode_identically_through_json() {
    for record in typed_samples() {
        let bytes = record.encode();
        let json = decode_metadata_record_json(&bytes).expect("decodes");
        assert_eq!(
            json["type"],
            Value::String(record_type_name(record.type_name()))
        );
        assert_eq!(
            encode_metadata_record_json(&json).expect("encodes"),
            bytes.to_vec(),
            "{json}"
        );
        // And the typed decoder reads what the generic encoder wrote.
        let again = encode_metadata_record_json(&json).expect("encodes");
        assert_eq!(MetadataRecord::decode(&again), Ok(record));
    }
}

#[test]
fn every_metadata_record_type_has_kafka_names_and_round_trips_defaults() {
    let names: Vec<_> = metadata_record_schemas()
        .iter()
        .map(|s| record_type_name(s.name))
        .collect();
    for expected in [
        "REGISTER_BROKER_RECORD",
        "TOPIC_RECORD",
        "PARTITION_RECORD",
        "CONFIG_RECORD",
        "PARTITION_CHANGE_RECORD",
        "FEATURE_LEVEL_RECORD",
        "PRODUCER_IDS_RECORD",
        "ACCESS_CONTROL_ENTRY_RECORD",
        "REMOVE_ACCESS_CONTROL_ENTRY_RECORD",
        "CLIENT_QUOTA_RECORD",
        "USER_SCRAM_CREDENTIAL_RECORD",
        "REMOVE_USER_SCRAM_CREDENTIAL_RECORD",
        "REGISTER_CONTROLLER_RECORD",
        "NO_OP_RECORD",
        "BEGIN_TRANSACTION_RECORD",
        "END_TRANSACTION_RECORD",
        "ABORT_TRANSACTION_RECORD",
        "ZK_MIGRATION_STATE_RECORD",
        "DELEGATION_TOKEN_RECORD",
        "REMOVE_DELEGATION_TOKEN_RECORD",
        "REMOVE_TOPIC_RECORD",
        "BROKER_REGISTRATION_CHANGE_RECORD",
        "UNREGISTER_BROKER_RECORD",
        "FENCE_BROKER_RECORD",
        "UNFENCE_BROKER_RECORD",
        "CLEAR_ELR_RECORD",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} missing");
    }
    for schema in metadata_record_schemas() {
        for version in schema.valid.min..=schema.valid.max {
            let json =
                json!({"type": record_type_name(schema.name), "version": version, "data": {}});
            let bytes = encode_metadata_record_json(&json).expect("defaults encode");
            let decoded = decode_metadata_record_json(&bytes).expect("defaults decode");
            assert_eq!(decoded["type"], json["type"]);
            assert_eq!(
                encode_metadata_record_json(&decoded).expect("re-encodes"),
                bytes,
                "{}",
                schema.name
            );
        }
    }
}

#[test]
fn metadata_json_errors_are_precise() {
    assert_eq!(
        decode_metadata_record_json(&[0x01, 0x63, 0x00]),
        Err(MetadataError::UnknownApiKey { api_key: 0x63 })
    );
    assert_eq!(
        decode_metadata_record_json(&[0x02, 0x02, 0x00]),
        Err(MetadataError::UnknownFrameVersion { frame_version: 2 })
    );
    assert!(matches!(
        decode_metadata_record_json(&[0x01, 0x02, 0x05]),
        Err(MetadataError::UnsupportedVersion {
            api_key: 2,
            version: 5,
            ..
        })
    ));
    let mut bytes = MetadataRecord::NoOp.encode().to_vec();
    bytes.push(0);
    assert!(matches!(
        decode_metadata_record_json(&bytes),
        Err(MetadataError::TrailingBytes {
            api_key: 20,
            trailing: 1,
            ..
        })
    ));
}

#[test]
fn bytes_print_as_padded_base64() {
    // UserScramCredentialRecord carries `bytes` fields (salt, keys).
    let schema = schema_by_name("UserScramCredentialRecord").expect("known");
    let data = json!({"name": "alice", "mechanism": 1, "salt": "AQI=", "storedKey": "", "serverKey": "AA==", "iterations": 4096});
    let body = encode_json(schema, 0, &data).expect("encodes");
    assert_eq!(decode_json(schema, 0, &body).expect("decodes"), data);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn decode_metadata_record_json_never_panics(data in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode_metadata_record_json(&data);
    }

    #[test]
    fn decode_metadata_record_json_never_panics_on_corrupted_records(
        pick in any::<proptest::sample::Index>(),
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<proptest::sample::Index>(),
    ) {
        let samples = typed_samples();
        let mut bytes = samples[pick.index(samples.len())].encode().to_vec();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        let cut = cut.index(bytes.len() + 1);
        let _ = decode_metadata_record_json(&bytes[..cut]);
    }
}

/// A tiny deterministic generator, so one proptest seed drives a walk over any schema.
struct Entropy(u64);

impl Entropy {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A random JSON value of field `f` at `version` that the schema accepts.
fn synth_field(f: &Field, version: i16, e: &mut Entropy) -> Value {
    if f.nullable.contains(version) && e.below(4) == 0 {
        return Value::Null;
    }
    match f.ty {
        FieldType::Array(elem) => {
            let n = e.below(3);
            Value::Array((0..n).map(|_| synth_element(elem, version, e)).collect())
        }
        FieldType::One(elem) => synth_element(elem, version, e),
    }
}

fn synth_element(elem: Element, version: i16, e: &mut Entropy) -> Value {
    match elem {
        Element::Bool => Value::Bool(e.below(2) == 1),
        Element::Int8 => json!(e.next() as i8),
        Element::Int16 => json!(e.next() as i16),
        Element::Uint16 => json!(e.next() as u16),
        Element::Int32 => json!(e.next() as i32),
        Element::Uint32 => json!(e.next() as u32),
        Element::Int64 => json!(e.next() as i64),
        Element::Float64 => json!((e.next() % 1_000_000) as f64 / 8.0),
        Element::Uuid => Value::String(kafka_uuid_string(&Uuid::from_u64_pair(e.next(), e.next()))),
        Element::String => Value::String(format!("s{}", e.below(1000))),
        Element::Bytes | Element::Records => {
            use base64::Engine as _;
            let n = e.below(5) as usize;
            let raw: Vec<u8> = (0..n).map(|_| e.next() as u8).collect();
            Value::String(base64::engine::general_purpose::STANDARD.encode(raw))
        }
        Element::Struct(fields) => synth_struct(fields, version, e),
    }
}

fn synth_struct(fields: &'static [Field], version: i16, e: &mut Entropy) -> Value {
    let mut out = serde_json::Map::new();
    for f in fields.iter().filter(|f| f.versions.contains(version)) {
        out.insert(f.name.to_owned(), synth_field(f, version, e));
    }
    Value::Object(out)
}

fn all_schemas() -> Vec<&'static MessageSchema> {
    let mut out: Vec<_> = metadata_record_schemas().to_vec();
    for t in [0i16, 1, 2, 3, 4, 5, 6, 7, 8, 16] {
        out.extend(group_key_schema(t));
        out.extend(group_value_schema(t));
    }
    let (k, v) = transaction_log_schemas();
    out.extend([k, v]);
    out.extend((0..4).filter_map(remote_log_metadata_schema));
    out.extend(schema_by_name("ConsumerProtocolSubscription"));
    out.extend(schema_by_name("ConsumerProtocolAssignment"));
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// Every transcribed schema at every valid version: JSON → bytes → JSON → bytes is a fixed
    /// point, and the bytes decode without trailing data.
    #[test]
    fn every_schema_and_version_round_trips_random_messages(seed in 1u64..) {
        let mut e = Entropy(seed);
        for schema in all_schemas() {
            for version in schema.valid.min..=schema.valid.max {
                let json = synth_struct(schema.fields, version, &mut e);
                let bytes = encode_json(schema, version, &json).expect("synthesized JSON fits");
                let decoded = decode_json(schema, version, &bytes).expect("own bytes decode");
                let again = encode_json(schema, version, &decoded).expect("decoded JSON fits");
                prop_assert_eq!(&again, &bytes, "{} v{}", schema.name, version);
                prop_assert_eq!(decode_json(schema, version, &again).expect("decodes"), decoded);
            }
        }
    }
}
