//! Byte-exact layouts assembled by hand from Kafka's JSON schemas, and the JSON Kafka's
//! converters print for them.

use bytes::Bytes;
use uuid::Uuid;

use super::*;

const TOPIC_ID: u128 = 0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10;

/// A classic (non-flexible) string: int16 length, bytes.
fn classic_string(s: &str) -> Vec<u8> {
    let mut out = (s.len() as i16).to_be_bytes().to_vec();
    out.extend_from_slice(s.as_bytes());
    out
}

/// A compact string: unsigned varint length + 1 (all test strings are short), bytes.
fn compact_string(s: &str) -> Vec<u8> {
    let mut out = vec![s.len() as u8 + 1];
    out.extend_from_slice(s.as_bytes());
    out
}

fn offset_commit_key() -> GroupRecordKey {
    GroupRecordKey::OffsetCommit(OffsetCommitKey {
        group: "g".into(),
        topic: "t".into(),
        partition: 7,
    })
}

#[test]
fn offset_commit_key_is_type_1_with_classic_strings() {
    let mut expected = vec![0x00, 0x01];
    expected.extend(classic_string("g"));
    expected.extend(classic_string("t"));
    expected.extend(7i32.to_be_bytes());
    assert_eq!(offset_commit_key().encode(), expected);
    assert_eq!(GroupRecordKey::decode(&expected), Ok(offset_commit_key()));
}

#[test]
fn offset_commit_key_of_type_0_decodes_to_the_same_key() {
    let mut bytes = vec![0x00, 0x00];
    bytes.extend(classic_string("g"));
    bytes.extend(classic_string("t"));
    bytes.extend(7i32.to_be_bytes());
    assert_eq!(GroupRecordKey::decode(&bytes), Ok(offset_commit_key()));
}

#[test]
fn offset_commit_value_is_written_at_v3_with_leader_epoch() {
    let value = GroupRecordValue::OffsetCommit(OffsetCommitValue {
        offset: 42,
        leader_epoch: 5,
        metadata: "m".into(),
        commit_timestamp: 1000,
        expire_timestamp: -1,
    });
    let mut expected = vec![0x00, 0x03];
    expected.extend(42i64.to_be_bytes());
    expected.extend(5i32.to_be_bytes());
    expected.extend(classic_string("m"));
    expected.extend(1000i64.to_be_bytes());
    assert_eq!(value.encode(), expected);
    assert_eq!(GroupRecordValue::decode(1, &expected), Ok(value));
}

#[test]
fn offset_commit_value_with_expire_timestamp_is_written_at_v1() {
    let value = OffsetCommitValue {
        offset: 42,
        leader_epoch: -1,
        metadata: String::new(),
        commit_timestamp: 1000,
        expire_timestamp: 2000,
    };
    let mut expected = vec![0x00, 0x01];
    expected.extend(42i64.to_be_bytes());
    expected.extend(classic_string(""));
    expected.extend(1000i64.to_be_bytes());
    expected.extend(2000i64.to_be_bytes());
    let value = GroupRecordValue::OffsetCommit(value);
    assert_eq!(value.encode(), expected);
    assert_eq!(GroupRecordValue::decode(1, &expected), Ok(value));
}

#[test]
fn offset_commit_value_v4_is_flexible() {
    let mut bytes = vec![0x00, 0x04];
    bytes.extend(42i64.to_be_bytes());
    bytes.extend(5i32.to_be_bytes());
    bytes.extend(compact_string("m"));
    bytes.extend(1000i64.to_be_bytes());
    // One unknown tagged field (tag 9, 1 byte), which must be skipped.
    bytes.extend([0x01, 0x09, 0x01, 0xff]);
    assert_eq!(
        GroupRecordValue::decode(1, &bytes),
        Ok(GroupRecordValue::OffsetCommit(OffsetCommitValue {
            offset: 42,
            leader_epoch: 5,
            metadata: "m".into(),
            commit_timestamp: 1000,
            expire_timestamp: -1,
        }))
    );
}

#[test]
fn offset_commit_value_v0_defaults_leader_epoch_and_expiry() {
    let mut bytes = vec![0x00, 0x00];
    bytes.extend(42i64.to_be_bytes());
    bytes.extend(classic_string("m"));
    bytes.extend(1000i64.to_be_bytes());
    let decoded = GroupRecordValue::decode(0, &bytes).expect("v0 decodes");
    assert_eq!(
        decoded,
        GroupRecordValue::OffsetCommit(OffsetCommitValue {
            offset: 42,
            leader_epoch: -1,
            metadata: "m".into(),
            commit_timestamp: 1000,
            expire_timestamp: -1,
        })
    );
}

fn classic_group_value() -> GroupMetadataValue {
    GroupMetadataValue {
        protocol_type: "consumer".into(),
        generation: 3,
        protocol: Some("range".into()),
        leader: None,
        current_state_timestamp: 99,
        members: vec![MemberMetadata {
            member_id: "m1".into(),
            group_instance_id: Some("i1".into()),
            client_id: "c".into(),
            client_host: "/h".into(),
            rebalance_timeout: 300,
            session_timeout: 45,
            subscription: Bytes::from_static(&[1, 2]),
            assignment: Bytes::new(),
        }],
    }
}

#[test]
fn group_metadata_value_is_written_at_v3() {
    let mut expected = vec![0x00, 0x03];
    expected.extend(classic_string("consumer"));
    expected.extend(3i32.to_be_bytes());
    expected.extend(classic_string("range"));
    expected.extend((-1i16).to_be_bytes()); // null leader
    expected.extend(99i64.to_be_bytes());
    expected.extend(1i32.to_be_bytes()); // one member
    expected.extend(classic_string("m1"));
    expected.extend(classic_string("i1"));
    expected.extend(classic_string("c"));
    expected.extend(classic_string("/h"));
    expected.extend(300i32.to_be_bytes());
    expected.extend(45i32.to_be_bytes());
    expected.extend(2i32.to_be_bytes());
    expected.extend([1, 2]);
    expected.extend(0i32.to_be_bytes());
    let value = GroupRecordValue::GroupMetadata(classic_group_value());
    assert_eq!(value.encode(), expected);
    assert_eq!(GroupRecordValue::decode(2, &expected), Ok(value));
}

#[test]
fn group_metadata_value_v4_uses_compact_encodings_and_member_tagged_fields() {
    let mut bytes = vec![0x00, 0x04];
    bytes.extend(compact_string("consumer"));
    bytes.extend(3i32.to_be_bytes());
    bytes.extend(compact_string("range"));
    bytes.push(0x00); // null leader
    bytes.extend(99i64.to_be_bytes());
    bytes.push(0x02); // one member
    bytes.extend(compact_string("m1"));
    bytes.extend(compact_string("i1"));
    bytes.extend(compact_string("c"));
    bytes.extend(compact_string("/h"));
    bytes.extend(300i32.to_be_bytes());
    bytes.extend(45i32.to_be_bytes());
    bytes.extend([0x03, 1, 2]);
    bytes.push(0x01);
    bytes.push(0x00); // member tagged fields
    bytes.push(0x00); // value tagged fields
    assert_eq!(
        GroupRecordValue::decode(2, &bytes),
        Ok(GroupRecordValue::GroupMetadata(classic_group_value()))
    );
    let value = GroupRecordValue::GroupMetadata(classic_group_value());
    assert_eq!(value.encode_version(4), Ok(bytes));
}

#[test]
fn consumer_group_member_value_carries_classic_metadata_as_tag_0() {
    let value = ConsumerGroupMemberMetadataValue {
        instance_id: None,
        rack_id: Some("r".into()),
        client_id: "c".into(),
        client_host: "h".into(),
        subscribed_topic_names: vec!["t".into()],
        subscribed_topic_regex: None,
        rebalance_timeout_ms: 5000,
        server_assignor: Some("uniform".into()),
        classic_member_metadata: Some(ClassicMemberMetadata {
            session_timeout_ms: 10,
            supported_protocols: vec![ClassicProtocol {
                name: "range".into(),
                metadata: Bytes::from_static(&[9]),
            }],
        }),
    };
    let mut expected = vec![0x00, 0x00];
    expected.push(0x00); // null instance id
    expected.extend(compact_string("r"));
    expected.extend(compact_string("c"));
    expected.extend(compact_string("h"));
    expected.push(0x02);
    expected.extend(compact_string("t"));
    expected.push(0x00); // null regex
    expected.extend(5000i32.to_be_bytes());
    expected.extend(compact_string("uniform"));
    let mut classic = vec![0x01]; // present
    classic.extend(10i32.to_be_bytes());
    classic.push(0x02);
    classic.extend(compact_string("range"));
    classic.extend([0x02, 9]);
    classic.push(0x00); // protocol tagged fields
    classic.push(0x00); // classic struct tagged fields
    expected.extend([0x01, 0x00, classic.len() as u8]);
    expected.extend(classic);
    let value = GroupRecordValue::ConsumerGroupMemberMetadata(value);
    assert_eq!(value.encode(), expected);
    assert_eq!(GroupRecordValue::decode(5, &expected), Ok(value));
}

#[test]
fn consumer_group_metadata_value_writes_metadata_hash_only_when_set() {
    let plain = GroupRecordValue::ConsumerGroupMetadata(ConsumerGroupMetadataValue {
        epoch: 4,
        metadata_hash: 0,
    });
    assert_eq!(plain.encode(), vec![0, 0, 0, 0, 0, 4, 0]);
    let hashed = GroupRecordValue::ConsumerGroupMetadata(ConsumerGroupMetadataValue {
        epoch: 4,
        metadata_hash: 258,
    });
    let mut expected = vec![0, 0, 0, 0, 0, 4, 0x01, 0x00, 0x08];
    expected.extend(258i64.to_be_bytes());
    assert_eq!(hashed.encode(), expected);
    assert_eq!(GroupRecordValue::decode(3, &expected), Ok(hashed));
}

#[test]
fn current_member_assignment_matches_schema_layout() {
    let value = GroupRecordValue::ConsumerGroupCurrentMemberAssignment(
        ConsumerGroupCurrentMemberAssignmentValue {
            member_epoch: 2,
            previous_member_epoch: 1,
            state: 0,
            assigned_partitions: vec![TopicPartitions {
                topic_id: Uuid::from_u128(TOPIC_ID),
                partitions: vec![0, 1],
            }],
            partitions_pending_revocation: vec![],
        },
    );
    let mut expected = vec![0x00, 0x00];
    expected.extend(2i32.to_be_bytes());
    expected.extend(1i32.to_be_bytes());
    expected.push(0);
    expected.push(0x02);
    expected.extend(TOPIC_ID.to_be_bytes());
    expected.push(0x03);
    expected.extend(0i32.to_be_bytes());
    expected.extend(1i32.to_be_bytes());
    expected.push(0x00); // topic tagged fields
    expected.push(0x01); // empty pending revocation
    expected.push(0x00); // value tagged fields
    assert_eq!(value.encode(), expected);
    assert_eq!(GroupRecordValue::decode(8, &expected), Ok(value));
}

#[test]
fn regular_expression_record_is_type_16() {
    let record = GroupRecord {
        key: GroupRecordKey::ConsumerGroupRegularExpression(ConsumerGroupRegularExpressionKey {
            group_id: "g".into(),
            regular_expression: "t.*".into(),
        }),
        value: Some(GroupRecordValue::ConsumerGroupRegularExpression(
            ConsumerGroupRegularExpressionValue {
                topics: vec!["t1".into()],
                version: 12,
                timestamp: 34,
            },
        )),
    };
    let mut key = vec![0x00, 0x10];
    key.extend(classic_string("g"));
    key.extend(classic_string("t.*"));
    let mut value = vec![0x00, 0x00, 0x02];
    value.extend(compact_string("t1"));
    value.extend(12i64.to_be_bytes());
    value.extend(34i64.to_be_bytes());
    value.push(0);
    assert_eq!(record.type_id(), 16);
    assert_eq!(record.encode_key(), key);
    assert_eq!(record.encode_value(), Some(value.clone()));
    assert_eq!(GroupRecord::decode(&key, Some(&value)), Ok(record));
}

#[test]
fn tombstone_has_no_value() {
    let record = GroupRecord {
        key: offset_commit_key(),
        value: None,
    };
    assert_eq!(record.encode_value(), None);
    assert_eq!(GroupRecord::decode(&record.encode_key(), None), Ok(record));
}

#[test]
fn unknown_type_and_version_are_rejected_precisely() {
    assert_eq!(
        GroupRecordKey::decode(&[0x00, 0x09, 0, 0]),
        Err(GroupRecordError::UnknownRecordType { record_type: 9 })
    );
    assert_eq!(
        GroupRecordValue::decode(3, &[0x00, 0x01, 0, 0, 0, 0, 0]),
        Err(GroupRecordError::UnsupportedValueVersion {
            record_type: 3,
            version: 1,
            max: 0
        })
    );
    assert_eq!(
        GroupRecordKey::decode(&[0x00]),
        Err(GroupRecordError::MissingVersion {
            part: "key",
            len: 1
        })
    );
}

#[test]
fn trailing_bytes_after_a_value_are_rejected() {
    let mut bytes = GroupRecordValue::ConsumerGroupTargetAssignmentMetadata(
        ConsumerGroupTargetAssignmentMetadataValue {
            assignment_epoch: 1,
        },
    )
    .encode();
    bytes.push(0);
    assert!(matches!(
        GroupRecordValue::decode(6, &bytes),
        Err(GroupRecordError::TrailingBytes { record_type: 6, .. })
    ));
}

#[test]
fn offset_commit_json_matches_kafka_converters() {
    let record = GroupRecord {
        key: offset_commit_key(),
        value: Some(GroupRecordValue::OffsetCommit(OffsetCommitValue {
            offset: 42,
            leader_epoch: 5,
            metadata: "m".into(),
            commit_timestamp: 1000,
            expire_timestamp: -1,
        })),
    };
    let (key, value) = record.to_json();
    assert_eq!(
        key.to_string(),
        r#"{"group":"g","topic":"t","partition":7}"#
    );
    assert_eq!(
        value.expect("not a tombstone").to_string(),
        r#"{"offset":42,"leaderEpoch":5,"metadata":"m","commitTimestamp":1000}"#
    );
}

#[test]
fn offset_commit_json_at_v1_shows_expire_timestamp_and_no_leader_epoch() {
    let value = GroupRecordValue::OffsetCommit(OffsetCommitValue {
        offset: 1,
        leader_epoch: -1,
        metadata: String::new(),
        commit_timestamp: 2,
        expire_timestamp: 3,
    });
    let decoded = decode_group_record_json(&offset_commit_key().encode(), Some(&value.encode()))
        .expect("decodes");
    assert_eq!(decoded.record_type, 1);
    let (version, json) = decoded.value.expect("value");
    assert_eq!(version, 1);
    assert_eq!(
        json.to_string(),
        r#"{"offset":1,"metadata":"","commitTimestamp":2,"expireTimestamp":3}"#
    );
}

#[test]
fn group_metadata_json_prints_bytes_as_base64_and_null_strings() {
    let record = GroupRecord {
        key: GroupRecordKey::GroupMetadata(GroupMetadataKey { group: "g".into() }),
        value: Some(GroupRecordValue::GroupMetadata(classic_group_value())),
    };
    let (key, value) = record.to_json();
    assert_eq!(key.to_string(), r#"{"group":"g"}"#);
    assert_eq!(
        value.expect("value").to_string(),
        r#"{"protocolType":"consumer","generation":3,"protocol":"range","leader":null,"currentStateTimestamp":99,"members":[{"memberId":"m1","groupInstanceId":"i1","clientId":"c","clientHost":"/h","rebalanceTimeout":300,"sessionTimeout":45,"subscription":"AQI=","assignment":""}]}"#
    );
}

#[test]
fn consumer_protocol_members_expand_like_the_offsets_decoder() {
    // ConsumerProtocolSubscription v1: topics ["t"], null user data, owned partitions [t:[0]].
    let mut subscription = 1i16.to_be_bytes().to_vec();
    subscription.extend(1i32.to_be_bytes());
    subscription.extend(classic_string("t"));
    subscription.extend((-1i32).to_be_bytes());
    subscription.extend(1i32.to_be_bytes());
    subscription.extend(classic_string("t"));
    subscription.extend(1i32.to_be_bytes());
    subscription.extend(0i32.to_be_bytes());
    subscription.extend([0xde, 0xad]); // fields of a newer version are ignored
    let value = GroupMetadataValue {
        members: vec![MemberMetadata {
            subscription: Bytes::from(subscription),
            assignment: Bytes::new(), // too short to decode: stays as bytes
            ..classic_group_value().members[0].clone()
        }],
        ..classic_group_value()
    };
    let mut json = GroupRecord {
        key: GroupRecordKey::GroupMetadata(GroupMetadataKey { group: "g".into() }),
        value: Some(GroupRecordValue::GroupMetadata(value)),
    }
    .to_json()
    .1
    .expect("value");
    expand_consumer_protocol(&mut json);
    assert_eq!(
        json["members"][0]["subscription"].to_string(),
        r#"{"topics":["t"],"userData":null,"ownedPartitions":[{"topic":"t","partitions":[0]}]}"#
    );
    assert_eq!(json["members"][0]["assignment"], serde_json::json!(""));
}

#[test]
fn consumer_group_member_json_shows_tagged_classic_metadata() {
    let value = ConsumerGroupMemberMetadataValue {
        client_id: "c".into(),
        client_host: "h".into(),
        classic_member_metadata: Some(ClassicMemberMetadata {
            session_timeout_ms: 10,
            supported_protocols: vec![],
        }),
        ..ConsumerGroupMemberMetadataValue::default()
    };
    let record = GroupRecord {
        key: GroupRecordKey::ConsumerGroupMemberMetadata(ConsumerGroupMemberMetadataKey {
            group_id: "g".into(),
            member_id: "m".into(),
        }),
        value: Some(GroupRecordValue::ConsumerGroupMemberMetadata(value)),
    };
    let (key, value) = record.to_json();
    assert_eq!(key.to_string(), r#"{"groupId":"g","memberId":"m"}"#);
    assert_eq!(
        value.expect("value").to_string(),
        r#"{"instanceId":null,"rackId":null,"clientId":"c","clientHost":"h","subscribedTopicNames":[],"subscribedTopicRegex":null,"rebalanceTimeoutMs":-1,"serverAssignor":null,"classicMemberMetadata":{"sessionTimeoutMs":10,"supportedProtocols":[]}}"#
    );
}

#[test]
fn current_assignment_json_prints_kafka_uuids() {
    let record = GroupRecord {
        key: GroupRecordKey::ConsumerGroupCurrentMemberAssignment(
            ConsumerGroupCurrentMemberAssignmentKey {
                group_id: "g".into(),
                member_id: "m".into(),
            },
        ),
        value: Some(GroupRecordValue::ConsumerGroupCurrentMemberAssignment(
            ConsumerGroupCurrentMemberAssignmentValue {
                member_epoch: 2,
                previous_member_epoch: 1,
                state: 0,
                assigned_partitions: vec![TopicPartitions {
                    topic_id: Uuid::from_u128(TOPIC_ID),
                    partitions: vec![0],
                }],
                partitions_pending_revocation: vec![],
            },
        )),
    };
    assert_eq!(
        record.to_json().1.expect("value").to_string(),
        r#"{"memberEpoch":2,"previousMemberEpoch":1,"state":0,"assignedPartitions":[{"topicId":"AQIDBAUGBwgJCgsMDQ4PEA","partitions":[0]}],"partitionsPendingRevocation":[]}"#
    );
}

mod props;
