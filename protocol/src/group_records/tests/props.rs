//! Property tests: every record type and value version round-trips, typed bytes agree with the
//! schema-driven codec, and decoding arbitrary bytes never panics.

use bytes::Bytes;
use proptest::prelude::*;
use uuid::Uuid;

use crate::group_records::*;

fn s() -> impl Strategy<Value = String> {
    "[a-z0-9._-]{0,12}"
}

fn opt_s() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(s())
}

fn bytes() -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..16).prop_map(Bytes::from)
}

fn uuid() -> impl Strategy<Value = Uuid> {
    any::<u128>().prop_map(Uuid::from_u128)
}

fn i32s() -> impl Strategy<Value = Vec<i32>> {
    proptest::collection::vec(any::<i32>(), 0..5)
}

fn strings() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(s(), 0..4)
}

fn member() -> impl Strategy<Value = MemberMetadata> {
    (
        s(),
        opt_s(),
        s(),
        s(),
        any::<i32>(),
        any::<i32>(),
        bytes(),
        bytes(),
    )
        .prop_map(
            |(member_id, group_instance_id, client_id, client_host, rt, st, sub, asg)| {
                MemberMetadata {
                    member_id,
                    group_instance_id,
                    client_id,
                    client_host,
                    rebalance_timeout: rt,
                    session_timeout: st,
                    subscription: sub,
                    assignment: asg,
                }
            },
        )
}

fn topic_partitions() -> impl Strategy<Value = Vec<TopicPartitions>> {
    proptest::collection::vec(
        (uuid(), i32s()).prop_map(|(topic_id, partitions)| TopicPartitions {
            topic_id,
            partitions,
        }),
        0..3,
    )
}

fn key() -> impl Strategy<Value = GroupRecordKey> {
    prop_oneof![
        (s(), s(), any::<i32>()).prop_map(|(group, topic, partition)| {
            GroupRecordKey::OffsetCommit(OffsetCommitKey {
                group,
                topic,
                partition,
            })
        }),
        s().prop_map(|group| GroupRecordKey::GroupMetadata(GroupMetadataKey { group })),
        s().prop_map(|group_id| {
            GroupRecordKey::ConsumerGroupMetadata(ConsumerGroupMetadataKey { group_id })
        }),
        s().prop_map(|group_id| {
            GroupRecordKey::ConsumerGroupPartitionMetadata(ConsumerGroupPartitionMetadataKey {
                group_id,
            })
        }),
        (s(), s()).prop_map(|(group_id, member_id)| {
            GroupRecordKey::ConsumerGroupMemberMetadata(ConsumerGroupMemberMetadataKey {
                group_id,
                member_id,
            })
        }),
        s().prop_map(|group_id| {
            GroupRecordKey::ConsumerGroupTargetAssignmentMetadata(
                ConsumerGroupTargetAssignmentMetadataKey { group_id },
            )
        }),
        (s(), s()).prop_map(|(group_id, member_id)| {
            GroupRecordKey::ConsumerGroupTargetAssignmentMember(
                ConsumerGroupTargetAssignmentMemberKey {
                    group_id,
                    member_id,
                },
            )
        }),
        (s(), s()).prop_map(|(group_id, member_id)| {
            GroupRecordKey::ConsumerGroupCurrentMemberAssignment(
                ConsumerGroupCurrentMemberAssignmentKey {
                    group_id,
                    member_id,
                },
            )
        }),
        (s(), s()).prop_map(|(group_id, regular_expression)| {
            GroupRecordKey::ConsumerGroupRegularExpression(ConsumerGroupRegularExpressionKey {
                group_id,
                regular_expression,
            })
        }),
    ]
}

/// A value of the same type as `key`.
fn value_for(key: &GroupRecordKey) -> BoxedStrategy<GroupRecordValue> {
    match key {
        GroupRecordKey::OffsetCommit(_) => (any::<i64>(), any::<i32>(), s(), any::<i64>())
            .prop_flat_map(|(offset, leader_epoch, metadata, commit_timestamp)| {
                prop_oneof![Just(-1i64), any::<i64>()].prop_map(move |expire_timestamp| {
                    GroupRecordValue::OffsetCommit(OffsetCommitValue {
                        offset,
                        // v1 (written when an expiry is set) has no leader epoch.
                        leader_epoch: if expire_timestamp == -1 {
                            leader_epoch
                        } else {
                            -1
                        },
                        metadata: metadata.clone(),
                        commit_timestamp,
                        expire_timestamp,
                    })
                })
            })
            .boxed(),
        GroupRecordKey::GroupMetadata(_) => (
            s(),
            any::<i32>(),
            opt_s(),
            opt_s(),
            any::<i64>(),
            proptest::collection::vec(member(), 0..3),
        )
            .prop_map(
                |(protocol_type, generation, protocol, leader, ts, members)| {
                    GroupRecordValue::GroupMetadata(GroupMetadataValue {
                        protocol_type,
                        generation,
                        protocol,
                        leader,
                        current_state_timestamp: ts,
                        members,
                    })
                },
            )
            .boxed(),
        GroupRecordKey::ConsumerGroupMetadata(_) => (any::<i32>(), any::<i64>())
            .prop_map(|(epoch, metadata_hash)| {
                GroupRecordValue::ConsumerGroupMetadata(ConsumerGroupMetadataValue {
                    epoch,
                    metadata_hash,
                })
            })
            .boxed(),
        GroupRecordKey::ConsumerGroupPartitionMetadata(_) => proptest::collection::vec(
            (
                uuid(),
                s(),
                any::<i32>(),
                proptest::collection::vec(
                    (any::<i32>(), strings())
                        .prop_map(|(partition, racks)| PartitionMetadata { partition, racks }),
                    0..3,
                ),
            )
                .prop_map(
                    |(topic_id, topic_name, num_partitions, partition_metadata)| TopicMetadata {
                        topic_id,
                        topic_name,
                        num_partitions,
                        partition_metadata,
                    },
                ),
            0..3,
        )
        .prop_map(|topics| {
            GroupRecordValue::ConsumerGroupPartitionMetadata(ConsumerGroupPartitionMetadataValue {
                topics,
            })
        })
        .boxed(),
        GroupRecordKey::ConsumerGroupMemberMetadata(_) => (
            (opt_s(), opt_s(), s(), s(), strings(), opt_s()),
            (
                any::<i32>(),
                opt_s(),
                proptest::option::of((
                    any::<i32>(),
                    proptest::collection::vec(
                        (s(), bytes())
                            .prop_map(|(name, metadata)| ClassicProtocol { name, metadata }),
                        0..3,
                    ),
                )),
            ),
        )
            .prop_map(
                |(
                    (instance_id, rack_id, client_id, client_host, names, regex),
                    (rebalance_timeout_ms, server_assignor, classic),
                )| {
                    GroupRecordValue::ConsumerGroupMemberMetadata(
                        ConsumerGroupMemberMetadataValue {
                            instance_id,
                            rack_id,
                            client_id,
                            client_host,
                            subscribed_topic_names: names,
                            subscribed_topic_regex: regex,
                            rebalance_timeout_ms,
                            server_assignor,
                            classic_member_metadata: classic.map(
                                |(session_timeout_ms, supported_protocols)| ClassicMemberMetadata {
                                    session_timeout_ms,
                                    supported_protocols,
                                },
                            ),
                        },
                    )
                },
            )
            .boxed(),
        GroupRecordKey::ConsumerGroupTargetAssignmentMetadata(_) => any::<i32>()
            .prop_map(|assignment_epoch| {
                GroupRecordValue::ConsumerGroupTargetAssignmentMetadata(
                    ConsumerGroupTargetAssignmentMetadataValue { assignment_epoch },
                )
            })
            .boxed(),
        GroupRecordKey::ConsumerGroupTargetAssignmentMember(_) => proptest::collection::vec(
            (uuid(), i32s()).prop_map(|(topic_id, partitions)| TopicPartition {
                topic_id,
                partitions,
            }),
            0..3,
        )
        .prop_map(|topic_partitions| {
            GroupRecordValue::ConsumerGroupTargetAssignmentMember(
                ConsumerGroupTargetAssignmentMemberValue { topic_partitions },
            )
        })
        .boxed(),
        GroupRecordKey::ConsumerGroupCurrentMemberAssignment(_) => (
            any::<i32>(),
            any::<i32>(),
            any::<i8>(),
            topic_partitions(),
            topic_partitions(),
        )
            .prop_map(
                |(member_epoch, previous_member_epoch, state, assigned, pending)| {
                    GroupRecordValue::ConsumerGroupCurrentMemberAssignment(
                        ConsumerGroupCurrentMemberAssignmentValue {
                            member_epoch,
                            previous_member_epoch,
                            state,
                            assigned_partitions: assigned,
                            partitions_pending_revocation: pending,
                        },
                    )
                },
            )
            .boxed(),
        GroupRecordKey::ConsumerGroupRegularExpression(_) => {
            (strings(), any::<i64>(), any::<i64>())
                .prop_map(|(topics, version, timestamp)| {
                    GroupRecordValue::ConsumerGroupRegularExpression(
                        ConsumerGroupRegularExpressionValue {
                            topics,
                            version,
                            timestamp,
                        },
                    )
                })
                .boxed()
        }
    }
}

fn record() -> impl Strategy<Value = GroupRecord> {
    key().prop_flat_map(|key| {
        proptest::option::of(value_for(&key)).prop_map(move |value| GroupRecord {
            key: key.clone(),
            value,
        })
    })
}

/// The value as it reads back after being written at `version`: fields the version lacks take
/// their defaults.
fn at_version(value: &GroupRecordValue, version: i16) -> GroupRecordValue {
    match value.clone() {
        GroupRecordValue::OffsetCommit(mut v) => {
            if version < 3 {
                v.leader_epoch = -1;
            }
            if version != 1 {
                v.expire_timestamp = -1;
            }
            GroupRecordValue::OffsetCommit(v)
        }
        GroupRecordValue::GroupMetadata(mut v) => {
            if version < 2 {
                v.current_state_timestamp = -1;
            }
            for m in &mut v.members {
                if version < 3 {
                    m.group_instance_id = None;
                }
                if version < 1 {
                    m.rebalance_timeout = -1;
                }
            }
            GroupRecordValue::GroupMetadata(v)
        }
        other => other,
    }
}

fn max_version(value: &GroupRecordValue) -> i16 {
    match value {
        GroupRecordValue::OffsetCommit(_) | GroupRecordValue::GroupMetadata(_) => 4,
        _ => 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_record_round_trips_at_its_written_version(record in record()) {
        let key = record.encode_key();
        let value = record.encode_value();
        prop_assert_eq!(GroupRecord::decode(&key, value.as_deref()), Ok(record));
    }

    #[test]
    fn every_value_version_round_trips(record in record().prop_filter("has value", |r| r.value.is_some())) {
        let value = record.value.clone().expect("filtered");
        for version in 0..=max_version(&value) {
            let bytes = value.encode_version(version).expect("valid version");
            prop_assert_eq!(&bytes[..2], &version.to_be_bytes()[..]);
            prop_assert_eq!(
                GroupRecordValue::decode(record.type_id(), &bytes),
                Ok(at_version(&value, version)),
                "version {}", version
            );
        }
        prop_assert!(value.encode_version(max_version(&value) + 1).is_err());
    }

    #[test]
    fn typed_bytes_decode_through_the_schema_and_re_encode_identically(
        record in record(),
        version_pick in any::<proptest::sample::Index>(),
    ) {
        let key = record.encode_key();
        let value = record.value.as_ref().map(|v| {
            let version = version_pick.index(max_version(v) as usize + 1) as i16;
            v.encode_version(version).expect("valid version")
        });
        let json = decode_group_record_json(&key, value.as_deref()).expect("schema decodes typed bytes");
        let key_schema = crate::schema::group_key_schema(json.record_type).expect("known type");
        prop_assert_eq!(
            crate::schema::encode_json(key_schema, json.record_type, &json.key).expect("key encodes"),
            key[2..].to_vec()
        );
        if let (Some((version, v)), Some(bytes)) = (&json.value, &value) {
            let value_schema = crate::schema::group_value_schema(json.record_type).expect("known type");
            prop_assert_eq!(
                crate::schema::encode_json(value_schema, *version, v).expect("value encodes"),
                bytes[2..].to_vec()
            );
        }
        prop_assert_eq!(json.value.is_some(), record.value.is_some());
    }

    #[test]
    fn decode_never_panics_on_arbitrary_bytes(
        key in proptest::collection::vec(any::<u8>(), 0..64),
        value in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..128)),
    ) {
        let _ = GroupRecord::decode(&key, value.as_deref());
        let _ = decode_group_record_json(&key, value.as_deref());
    }

    #[test]
    fn decode_never_panics_on_corrupted_records(
        record in record(),
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<proptest::sample::Index>(),
    ) {
        let key = record.encode_key();
        let mut value = record.encode_value().unwrap_or_else(|| vec![0, 0]);
        for (at, byte) in edits {
            let i = at.index(value.len());
            value[i] = byte;
        }
        let cut = cut.index(value.len() + 1);
        let _ = GroupRecord::decode(&key, Some(&value[..cut]));
        let _ = decode_group_record_json(&key, Some(&value[..cut]));
        for t in [0i16, 1, 2, 3, 4, 5, 6, 7, 8, 16] {
            let _ = GroupRecordValue::decode(t, &value);
        }
    }
}
