//! KRaft metadata and control records: byte-exact layouts, round trips, precise rejections.

use proptest::prelude::*;
use strata_protocol::control::{
    decode_key, ControlError, ControlRecord, ControlRecordType, EndTxnMarker, KRaftVersionRecord,
    LeaderChangeMessage, SnapshotFooterRecord, SnapshotHeaderRecord, Voter, VoterEndpoint,
    VoterEntry, VotersRecord,
};
use strata_protocol::metadata::{
    BrokerEndpoint, BrokerFeature, BrokerRegistrationChangeRecord, ConfigRecord,
    FeatureLevelRecord, MetadataError, MetadataRecord, PartitionChangeRecord, PartitionRecord,
    ProducerIdsRecord, RegisterBrokerRecord, RemoveTopicRecord, TopicRecord,
    UnregisterBrokerRecord,
};
use uuid::Uuid;

const TOPIC_ID: u128 = 0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10;

/// TopicRecord v0 assembled by hand from `TopicRecord.json` and the ApiMessageAndVersion frame.
fn hand_assembled_topic_record() -> Vec<u8> {
    let mut bytes = vec![
        0x01, // frame version 1 (unsigned varint)
        0x02, // api key 2 (TopicRecord)
        0x00, // version 0
        0x04, b'f', b'o', b'o', // compact string "foo": length + 1 = 4
    ];
    bytes.extend_from_slice(&TOPIC_ID.to_be_bytes()); // uuid, 16 big-endian bytes
    bytes.push(0x00); // no tagged fields
    bytes
}

#[test]
fn topic_record_matches_hand_assembled_bytes() {
    let record = MetadataRecord::Topic(TopicRecord {
        name: "foo".to_owned(),
        topic_id: Uuid::from_u128(TOPIC_ID),
    });
    assert_eq!(&record.encode()[..], &hand_assembled_topic_record()[..]);
    assert_eq!(
        MetadataRecord::decode(&hand_assembled_topic_record()),
        Ok(record)
    );
}

#[test]
fn partition_record_tagged_leader_recovery_state_is_tag_0() {
    let record = PartitionRecord {
        version: 0,
        partition_id: 1,
        topic_id: Uuid::from_u128(TOPIC_ID),
        replicas: vec![1],
        isr: vec![1],
        leader: 1,
        leader_recovery_state: 1,
        leader_epoch: 0,
        partition_epoch: 0,
        ..PartitionRecord::default()
    };
    let bytes = MetadataRecord::Partition(record.clone()).encode();
    // ... leader epoch 0, partition epoch 0, then tagged fields: count 1, tag 0, size 1, value 1.
    assert_eq!(
        &bytes[bytes.len() - 12..],
        &[0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1]
    );
    assert_eq!(
        MetadataRecord::decode(&bytes),
        Ok(MetadataRecord::Partition(record))
    );
}

#[test]
fn unknown_frame_version_is_rejected() {
    let mut bytes = hand_assembled_topic_record();
    bytes[0] = 2;
    assert_eq!(
        MetadataRecord::decode(&bytes),
        Err(MetadataError::UnknownFrameVersion { frame_version: 2 })
    );
}

#[test]
fn unknown_api_key_is_rejected() {
    let mut bytes = hand_assembled_topic_record();
    bytes[1] = 99;
    assert_eq!(
        MetadataRecord::decode(&bytes),
        Err(MetadataError::UnknownApiKey { api_key: 99 })
    );
}

#[test]
fn unsupported_version_is_rejected() {
    let mut bytes = hand_assembled_topic_record();
    bytes[2] = 1;
    assert_eq!(
        MetadataRecord::decode(&bytes),
        Err(MetadataError::UnsupportedVersion {
            api_key: 2,
            version: 1,
            min: 0,
            max: 0
        })
    );
}

#[test]
fn trailing_bytes_are_rejected() {
    let mut bytes = hand_assembled_topic_record();
    let len = bytes.len();
    bytes.extend_from_slice(&[0xaa, 0xbb]);
    assert_eq!(
        MetadataRecord::decode(&bytes),
        Err(MetadataError::TrailingBytes {
            api_key: 2,
            version: 0,
            position: len,
            trailing: 2
        })
    );
}

#[test]
fn truncated_record_is_malformed() {
    let bytes = hand_assembled_topic_record();
    assert!(matches!(
        MetadataRecord::decode(&bytes[..10]),
        Err(MetadataError::Malformed {
            api_key: Some(2),
            ..
        })
    ));
}

#[test]
fn unknown_tags_are_skipped() {
    let mut bytes = hand_assembled_topic_record();
    bytes.pop();
    bytes.extend_from_slice(&[1, 42, 2, 0xde, 0xad]); // one tagged field: tag 42, 2 bytes
    assert!(matches!(
        MetadataRecord::decode(&bytes),
        Ok(MetadataRecord::Topic(_))
    ));
}

#[test]
fn end_txn_marker_matches_kafka_layout() {
    let marker = ControlRecord::Commit(EndTxnMarker {
        coordinator_epoch: 5,
    });
    assert_eq!(marker.encode_key(), [0, 0, 0, 1]);
    assert_eq!(marker.encode_value(), vec![0, 0, 0, 0, 0, 5]);
    assert_eq!(
        ControlRecord::decode(&[0, 0, 0, 0], &[0, 0, 0, 0, 0, 7]),
        Ok(ControlRecord::Abort(EndTxnMarker {
            coordinator_epoch: 7
        }))
    );
}

#[test]
fn control_key_types_follow_kafka_ids() {
    assert_eq!(
        decode_key(&[0, 0, 0, 3]),
        Ok(ControlRecordType::SnapshotHeader)
    );
    assert_eq!(
        decode_key(&[0, 0, 0, 6]),
        Ok(ControlRecordType::KRaftVoters)
    );
    assert_eq!(
        decode_key(&[0, 0, 0, 9]),
        Err(ControlError::UnknownType { type_id: 9 })
    );
    assert!(matches!(
        decode_key(&[0, 0]),
        Err(ControlError::TooShort { .. })
    ));
}

#[test]
fn snapshot_header_value_is_flexible_v0() {
    let header = ControlRecord::SnapshotHeader(SnapshotHeaderRecord {
        version: 0,
        last_contained_log_timestamp: 258,
    });
    assert_eq!(header.encode_value(), vec![0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0]);
}

fn uuid() -> impl Strategy<Value = Uuid> {
    any::<u128>().prop_map(Uuid::from_u128)
}

fn ints() -> impl Strategy<Value = Vec<i32>> {
    proptest::collection::vec(any::<i32>(), 0..5)
}

fn opt_ints() -> impl Strategy<Value = Option<Vec<i32>>> {
    proptest::option::of(ints())
}

fn partition_record() -> impl Strategy<Value = PartitionRecord> {
    (
        0i16..=2,
        (any::<i32>(), uuid(), ints(), ints(), ints(), ints()),
        (any::<i32>(), any::<i8>(), any::<i32>(), any::<i32>()),
        proptest::collection::vec(uuid(), 0..3),
        opt_ints(),
        opt_ints(),
    )
        .prop_map(
            |(
                version,
                (partition_id, topic_id, replicas, isr, removing, adding),
                (leader, lrs, le, pe),
                dirs,
                elr,
                lke,
            )| {
                PartitionRecord {
                    version,
                    partition_id,
                    topic_id,
                    replicas,
                    isr,
                    removing_replicas: removing,
                    adding_replicas: adding,
                    leader,
                    leader_recovery_state: lrs,
                    leader_epoch: le,
                    partition_epoch: pe,
                    // Fields a version cannot carry decode as their defaults.
                    directories: if version >= 1 { dirs } else { Vec::new() },
                    eligible_leader_replicas: if version >= 2 { elr } else { None },
                    last_known_elr: if version >= 2 { lke } else { None },
                }
            },
        )
}

fn partition_change_record() -> impl Strategy<Value = PartitionChangeRecord> {
    (
        0i16..=2,
        (
            any::<i32>(),
            uuid(),
            opt_ints(),
            any::<i32>(),
            opt_ints(),
            opt_ints(),
            opt_ints(),
        ),
        (
            any::<i8>(),
            opt_ints(),
            opt_ints(),
            proptest::option::of(proptest::collection::vec(uuid(), 0..3)),
        ),
    )
        .prop_map(
            |(
                version,
                (partition_id, topic_id, isr, leader, replicas, removing, adding),
                (lrs, elr, lke, dirs),
            )| {
                PartitionChangeRecord {
                    version,
                    partition_id,
                    topic_id,
                    isr,
                    leader,
                    replicas,
                    removing_replicas: removing,
                    adding_replicas: adding,
                    leader_recovery_state: lrs,
                    eligible_leader_replicas: if version >= 2 { elr } else { None },
                    last_known_elr: if version >= 2 { lke } else { None },
                    directories: if version >= 1 { dirs } else { None },
                }
            },
        )
}

fn register_broker_record() -> impl Strategy<Value = RegisterBrokerRecord> {
    (
        0i16..=3,
        (any::<i32>(), any::<bool>(), uuid(), any::<i64>()),
        proptest::collection::vec(("[a-z]{1,6}", "[a-z.]{1,10}", any::<u16>(), 0i16..4), 0..3),
        proptest::collection::vec(("[a-z.]{1,12}", any::<i16>(), any::<i16>()), 0..3),
        (
            proptest::option::of("[a-z0-9]{0,5}"),
            any::<bool>(),
            any::<bool>(),
            proptest::collection::vec(uuid(), 0..3),
        ),
    )
        .prop_map(
            |(
                version,
                (broker_id, zk, incarnation_id, broker_epoch),
                eps,
                feats,
                (rack, fenced, ics, log_dirs),
            )| {
                RegisterBrokerRecord {
                    version,
                    broker_id,
                    is_migrating_zk_broker: version >= 2 && zk,
                    incarnation_id,
                    broker_epoch,
                    end_points: eps
                        .into_iter()
                        .map(|(name, host, port, security_protocol)| BrokerEndpoint {
                            name,
                            host,
                            port,
                            security_protocol,
                        })
                        .collect(),
                    features: feats
                        .into_iter()
                        .map(|(name, min, max)| BrokerFeature {
                            name,
                            min_supported_version: min,
                            max_supported_version: max,
                        })
                        .collect(),
                    rack,
                    fenced,
                    in_controlled_shutdown: version >= 1 && ics,
                    log_dirs: if version >= 3 { log_dirs } else { Vec::new() },
                }
            },
        )
}

fn broker_change_record() -> impl Strategy<Value = BrokerRegistrationChangeRecord> {
    (
        0i16..=2,
        any::<i32>(),
        any::<i64>(),
        -1i8..=1,
        0i8..=1,
        proptest::collection::vec(uuid(), 0..3),
    )
        .prop_map(
            |(version, broker_id, broker_epoch, fenced, ics, log_dirs)| {
                BrokerRegistrationChangeRecord {
                    version,
                    broker_id,
                    broker_epoch,
                    fenced,
                    in_controlled_shutdown: if version >= 1 { ics } else { 0 },
                    log_dirs: if version >= 2 { log_dirs } else { Vec::new() },
                }
            },
        )
}

fn metadata_record() -> impl Strategy<Value = MetadataRecord> {
    prop_oneof![
        register_broker_record().prop_map(MetadataRecord::RegisterBroker),
        (any::<i32>(), any::<i64>()).prop_map(|(broker_id, broker_epoch)| {
            MetadataRecord::UnregisterBroker(UnregisterBrokerRecord {
                broker_id,
                broker_epoch,
            })
        }),
        ("\\PC{0,20}", uuid())
            .prop_map(|(name, topic_id)| MetadataRecord::Topic(TopicRecord { name, topic_id })),
        partition_record().prop_map(MetadataRecord::Partition),
        (
            any::<i8>(),
            "\\PC{0,10}",
            "[a-z.]{1,20}",
            proptest::option::of("\\PC{0,10}")
        )
            .prop_map(
                |(resource_type, resource_name, name, value)| MetadataRecord::Config(
                    ConfigRecord {
                        resource_type,
                        resource_name,
                        name,
                        value
                    }
                )
            ),
        partition_change_record().prop_map(MetadataRecord::PartitionChange),
        uuid().prop_map(|topic_id| MetadataRecord::RemoveTopic(RemoveTopicRecord { topic_id })),
        ("[a-z.]{1,20}", any::<i16>()).prop_map(|(name, feature_level)| {
            MetadataRecord::FeatureLevel(FeatureLevelRecord {
                name,
                feature_level,
            })
        }),
        (any::<i32>(), any::<i64>(), any::<i64>()).prop_map(
            |(broker_id, broker_epoch, next_producer_id)| {
                MetadataRecord::ProducerIds(ProducerIdsRecord {
                    broker_id,
                    broker_epoch,
                    next_producer_id,
                })
            }
        ),
        broker_change_record().prop_map(MetadataRecord::BrokerRegistrationChange),
        Just(MetadataRecord::NoOp),
    ]
}

fn control_record() -> impl Strategy<Value = ControlRecord> {
    let voters =
        || proptest::collection::vec(any::<i32>().prop_map(|voter_id| Voter { voter_id }), 0..4);
    prop_oneof![
        any::<i32>()
            .prop_map(|coordinator_epoch| ControlRecord::Abort(EndTxnMarker { coordinator_epoch })),
        any::<i32>().prop_map(|coordinator_epoch| ControlRecord::Commit(EndTxnMarker {
            coordinator_epoch
        })),
        (any::<i16>(), any::<i32>(), voters(), voters()).prop_map(
            |(version, leader_id, voters, granting_voters)| {
                ControlRecord::LeaderChange(LeaderChangeMessage {
                    version,
                    leader_id,
                    voters,
                    granting_voters,
                })
            }
        ),
        (any::<i16>(), any::<i64>()).prop_map(|(version, ts)| {
            ControlRecord::SnapshotHeader(SnapshotHeaderRecord {
                version,
                last_contained_log_timestamp: ts,
            })
        }),
        any::<i16>()
            .prop_map(|version| ControlRecord::SnapshotFooter(SnapshotFooterRecord { version })),
        (any::<i16>(), any::<i16>()).prop_map(|(version, kraft_version)| {
            ControlRecord::KRaftVersion(KRaftVersionRecord {
                version,
                kraft_version,
            })
        }),
        (
            any::<i16>(),
            proptest::collection::vec(
                (
                    any::<i32>(),
                    uuid(),
                    proptest::collection::vec(("[A-Z]{1,6}", "[a-z.]{1,10}", any::<u16>()), 0..3),
                    any::<i16>(),
                    any::<i16>()
                ),
                0..3
            )
        )
            .prop_map(
                |(version, voters)| ControlRecord::KRaftVoters(VotersRecord {
                    version,
                    voters: voters
                        .into_iter()
                        .map(|(voter_id, voter_directory_id, eps, min, max)| VoterEntry {
                            voter_id,
                            voter_directory_id,
                            endpoints: eps
                                .into_iter()
                                .map(|(name, host, port)| VoterEndpoint { name, host, port })
                                .collect(),
                            min_supported_version: min,
                            max_supported_version: max,
                        })
                        .collect(),
                })
            ),
    ]
}

proptest! {
    #[test]
    fn metadata_records_round_trip(record in metadata_record()) {
        let bytes = record.encode();
        prop_assert_eq!(bytes[0], 1);
        prop_assert_eq!(i16::from(bytes[1]), record.api_key());
        prop_assert_eq!(MetadataRecord::decode(&bytes), Ok(record));
    }

    #[test]
    fn metadata_record_prefixes_never_decode(record in metadata_record(), cut in any::<proptest::sample::Index>()) {
        let bytes = record.encode();
        let cut = cut.index(bytes.len());
        prop_assert!(MetadataRecord::decode(&bytes[..cut]).is_err());
    }

    #[test]
    fn control_records_round_trip(record in control_record()) {
        let key = record.encode_key();
        let value = record.encode_value();
        prop_assert_eq!(ControlRecord::decode(&key, &value), Ok(record));
    }
}
