//! Byte-exact framing from Kafka's `RemoteLogMetadataSerde`, round trips, JSON and `toString`.

use bytes::Bytes;
use proptest::prelude::*;
use uuid::Uuid;

use super::*;

const TOPIC_ID: u128 = 0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10;
const SEGMENT_ID: u128 = 0x1111_2222_3333_4444_5555_6666_7777_8888;

fn segment_id() -> RemoteLogSegmentIdEntry {
    RemoteLogSegmentIdEntry {
        topic_id_partition: TopicIdPartitionEntry {
            name: "t".into(),
            id: Uuid::from_u128(TOPIC_ID),
            partition: 3,
        },
        id: Uuid::from_u128(SEGMENT_ID),
    }
}

fn segment() -> RemoteLogSegmentMetadataRecord {
    RemoteLogSegmentMetadataRecord {
        remote_log_segment_id: segment_id(),
        start_offset: 0,
        end_offset: 99,
        broker_id: 1,
        max_timestamp_ms: 5,
        event_timestamp_ms: 6,
        segment_leader_epochs: vec![SegmentLeaderEpochEntry {
            leader_epoch: 0,
            offset: 0,
        }],
        segment_size_in_bytes: 1024,
        custom_metadata: None,
        remote_log_segment_state: segment_state::COPY_SEGMENT_STARTED,
    }
}

#[test]
fn partition_delete_record_matches_hand_assembled_bytes() {
    let record = RemoteLogMetadataRecord::PartitionDelete(RemotePartitionDeleteMetadataRecord {
        topic_id_partition: segment_id().topic_id_partition,
        broker_id: 1,
        event_timestamp_ms: 7,
        remote_partition_delete_state: partition_delete_state::DELETE_PARTITION_MARKED,
    });
    let mut expected = vec![0x01, 0x02, 0x00]; // frame 1, api key 2, version 0
    expected.extend([0x02, b't']); // compact string "t"
    expected.extend(TOPIC_ID.to_be_bytes());
    expected.extend(3i32.to_be_bytes());
    expected.push(0x00); // TopicIdPartitionEntry tagged fields
    expected.extend(1i32.to_be_bytes());
    expected.extend(7i64.to_be_bytes());
    expected.push(0x00); // state
    expected.push(0x00); // record tagged fields
    assert_eq!(record.encode(), expected);
    assert_eq!(RemoteLogMetadataRecord::decode(&expected), Ok(record));
}

#[test]
fn segment_record_layout_has_nested_struct_tags_and_nullable_custom_metadata() {
    let record = RemoteLogMetadataRecord::Segment(RemoteLogSegmentMetadataRecord {
        custom_metadata: Some(Bytes::from_static(&[9, 9])),
        ..segment()
    });
    let mut expected = vec![0x01, 0x00, 0x00];
    expected.extend([0x02, b't']);
    expected.extend(TOPIC_ID.to_be_bytes());
    expected.extend(3i32.to_be_bytes());
    expected.push(0x00);
    expected.extend(SEGMENT_ID.to_be_bytes());
    expected.push(0x00); // RemoteLogSegmentIdEntry tagged fields
    expected.extend(0i64.to_be_bytes());
    expected.extend(99i64.to_be_bytes());
    expected.extend(1i32.to_be_bytes());
    expected.extend(5i64.to_be_bytes());
    expected.extend(6i64.to_be_bytes());
    expected.push(0x02); // one epoch entry
    expected.extend(0i32.to_be_bytes());
    expected.extend(0i64.to_be_bytes());
    expected.push(0x00);
    expected.extend(1024i32.to_be_bytes());
    expected.extend([0x03, 9, 9]);
    expected.push(0x00);
    expected.push(0x00);
    assert_eq!(record.encode(), expected);
    assert_eq!(RemoteLogMetadataRecord::decode(&expected), Ok(record));
}

#[test]
fn json_matches_kafka_converters() {
    let json = RemoteLogMetadataRecord::Segment(segment()).to_json();
    assert_eq!(
        json.to_string(),
        r#"{"remoteLogSegmentId":{"topicIdPartition":{"name":"t","id":"AQIDBAUGBwgJCgsMDQ4PEA","partition":3},"id":"EREiIjMzRERVVWZmd3eIiA"},"startOffset":0,"endOffset":99,"brokerId":1,"maxTimestampMs":5,"eventTimestampMs":6,"segmentLeaderEpochs":[{"leaderEpoch":0,"offset":0}],"segmentSizeInBytes":1024,"customMetadata":null,"remoteLogSegmentState":0}"#
    );
}

#[test]
fn display_matches_kafka_to_string() {
    let record = RemoteLogMetadataRecord::Segment(RemoteLogSegmentMetadataRecord {
        segment_leader_epochs: vec![
            SegmentLeaderEpochEntry {
                leader_epoch: 2,
                offset: 50,
            },
            SegmentLeaderEpochEntry {
                leader_epoch: 0,
                offset: 0,
            },
        ],
        custom_metadata: Some(Bytes::from_static(&[1, 2, 3])),
        ..segment()
    });
    assert_eq!(
        record.kafka_display(),
        "RemoteLogSegmentMetadata{remoteLogSegmentId=RemoteLogSegmentId{topicIdPartition=AQIDBAUGBwgJCgsMDQ4PEA:t-3, id=EREiIjMzRERVVWZmd3eIiA}, startOffset=0, endOffset=99, brokerId=1, maxTimestampMs=5, eventTimestampMs=6, segmentLeaderEpochs={0=0, 2=50}, segmentSizeInBytes=1024, customMetadata=Optional[CustomMetadata{3 bytes}], state=COPY_SEGMENT_STARTED}"
    );
    let update = RemoteLogMetadataRecord::SegmentUpdate(RemoteLogSegmentMetadataUpdateRecord {
        remote_log_segment_id: segment_id(),
        broker_id: 1,
        event_timestamp_ms: 9,
        custom_metadata: None,
        remote_log_segment_state: segment_state::COPY_SEGMENT_FINISHED,
    });
    assert_eq!(
        update.kafka_display(),
        "RemoteLogSegmentMetadataUpdate{remoteLogSegmentId=RemoteLogSegmentId{topicIdPartition=AQIDBAUGBwgJCgsMDQ4PEA:t-3, id=EREiIjMzRERVVWZmd3eIiA}, customMetadata=Optional.empty, state=COPY_SEGMENT_FINISHED, eventTimestampMs=9, brokerId=1}"
    );
}

#[test]
fn unknown_api_key_and_version_are_rejected() {
    assert_eq!(
        RemoteLogMetadataRecord::decode(&[0x01, 0x07, 0x00]),
        Err(RemoteLogMetadataError::UnknownApiKey { api_key: 7 })
    );
    assert_eq!(
        RemoteLogMetadataRecord::decode(&[0x01, 0x02, 0x01]),
        Err(RemoteLogMetadataError::UnsupportedVersion {
            api_key: 2,
            version: 1
        })
    );
    assert_eq!(
        RemoteLogMetadataRecord::decode(&[0x00, 0x02, 0x00]),
        Err(RemoteLogMetadataError::UnknownFrameVersion { frame_version: 0 })
    );
}

fn uuid() -> impl Strategy<Value = Uuid> {
    any::<u128>().prop_map(Uuid::from_u128)
}

fn tip() -> impl Strategy<Value = TopicIdPartitionEntry> {
    ("[a-z]{0,8}", uuid(), any::<i32>()).prop_map(|(name, id, partition)| TopicIdPartitionEntry {
        name,
        id,
        partition,
    })
}

fn seg_id() -> impl Strategy<Value = RemoteLogSegmentIdEntry> {
    (tip(), uuid()).prop_map(|(topic_id_partition, id)| RemoteLogSegmentIdEntry {
        topic_id_partition,
        id,
    })
}

fn epochs() -> impl Strategy<Value = Vec<SegmentLeaderEpochEntry>> {
    proptest::collection::vec(
        (any::<i32>(), any::<i64>()).prop_map(|(leader_epoch, offset)| SegmentLeaderEpochEntry {
            leader_epoch,
            offset,
        }),
        0..4,
    )
}

fn custom() -> impl Strategy<Value = Option<Bytes>> {
    proptest::option::of(proptest::collection::vec(any::<u8>(), 0..8).prop_map(Bytes::from))
}

fn record() -> impl Strategy<Value = RemoteLogMetadataRecord> {
    let nums = (
        any::<i64>(),
        any::<i64>(),
        any::<i32>(),
        any::<i64>(),
        any::<i64>(),
        any::<i32>(),
        any::<i8>(),
    );
    prop_oneof![
        (seg_id(), nums, epochs(), custom()).prop_map(|(id, (s, e, b, m, ev, sz, st), ep, c)| {
            RemoteLogMetadataRecord::Segment(RemoteLogSegmentMetadataRecord {
                remote_log_segment_id: id,
                start_offset: s,
                end_offset: e,
                broker_id: b,
                max_timestamp_ms: m,
                event_timestamp_ms: ev,
                segment_leader_epochs: ep,
                segment_size_in_bytes: sz,
                custom_metadata: c,
                remote_log_segment_state: st,
            })
        }),
        (seg_id(), any::<i32>(), any::<i64>(), custom(), any::<i8>()).prop_map(
            |(id, b, ev, c, st)| {
                RemoteLogMetadataRecord::SegmentUpdate(RemoteLogSegmentMetadataUpdateRecord {
                    remote_log_segment_id: id,
                    broker_id: b,
                    event_timestamp_ms: ev,
                    custom_metadata: c,
                    remote_log_segment_state: st,
                })
            }
        ),
        (tip(), any::<i32>(), any::<i64>(), any::<i8>()).prop_map(|(t, b, ev, st)| {
            RemoteLogMetadataRecord::PartitionDelete(RemotePartitionDeleteMetadataRecord {
                topic_id_partition: t,
                broker_id: b,
                event_timestamp_ms: ev,
                remote_partition_delete_state: st,
            })
        }),
        (uuid(), nums, epochs(), custom()).prop_map(|(id, (s, e, b, m, ev, sz, st), ep, c)| {
            RemoteLogMetadataRecord::Snapshot(RemoteLogSegmentMetadataSnapshotRecord {
                segment_id: id,
                start_offset: s,
                end_offset: e,
                broker_id: b,
                max_timestamp_ms: m,
                event_timestamp_ms: ev,
                segment_leader_epochs: ep,
                segment_size_in_bytes: sz,
                custom_metadata: c,
                remote_log_segment_state: st,
            })
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_record_round_trips_and_re_encodes_through_json(record in record()) {
        let bytes = record.encode();
        prop_assert_eq!(RemoteLogMetadataRecord::decode(&bytes), Ok(record.clone()));
        let (api_key, version, json) = decode_remote_log_metadata_json(&bytes).expect("schema decodes");
        prop_assert_eq!(api_key, record.api_key());
        let schema = crate::schema::remote_log_metadata_schema(api_key).expect("known");
        let body = crate::schema::encode_json(schema, version, &json).expect("encodes");
        prop_assert_eq!(&bytes[3..], &body[..]);
        let _ = record.kafka_display();
    }

    #[test]
    fn decode_never_panics(data in proptest::collection::vec(any::<u8>(), 0..160)) {
        let _ = RemoteLogMetadataRecord::decode(&data);
        let _ = decode_remote_log_metadata_json(&data);
    }
}
