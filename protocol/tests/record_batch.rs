//! Record batch v2: byte-exact layout, build → view → decode round trips, corruption and
//! truncation detection, in-place patches.

use bytes::Bytes;
use proptest::prelude::*;
use strata_protocol::compression::ALL_COMPRESSIONS;
use strata_protocol::record_batch::{
    batches, decode_records, set_base_offset, set_log_append_time, set_partition_leader_epoch,
    BatchError, Compression, Record, RecordBatchBuilder, RecordBatchView, TimestampType,
    RECORD_BATCH_OVERHEAD,
};

/// A one-record batch assembled by hand from the layout in `DefaultRecordBatch.java` and
/// `DefaultRecord.java`, independent of our encoder.
fn hand_assembled_batch() -> Vec<u8> {
    let record: &[u8] = &[
        0x0e, // length 7 (zigzag varint)
        0x00, // attributes
        0x00, // timestamp delta 0
        0x00, // offset delta 0
        0x01, // key length -1 (null)
        0x02, b'v', // value length 1, "v"
        0x00, // header count 0
    ];
    let mut crc_covered = Vec::new();
    crc_covered.extend_from_slice(&0i16.to_be_bytes()); // attributes: no compression, CreateTime
    crc_covered.extend_from_slice(&0i32.to_be_bytes()); // last offset delta
    crc_covered.extend_from_slice(&1_600_000_000_000i64.to_be_bytes()); // base timestamp
    crc_covered.extend_from_slice(&1_600_000_000_000i64.to_be_bytes()); // max timestamp
    crc_covered.extend_from_slice(&(-1i64).to_be_bytes()); // producer id
    crc_covered.extend_from_slice(&(-1i16).to_be_bytes()); // producer epoch
    crc_covered.extend_from_slice(&(-1i32).to_be_bytes()); // base sequence
    crc_covered.extend_from_slice(&1i32.to_be_bytes()); // records count
    crc_covered.extend_from_slice(record);
    let crc = crc32c::crc32c(&crc_covered);

    let mut batch = Vec::new();
    batch.extend_from_slice(&0i64.to_be_bytes()); // base offset
    let length = 4 + 1 + 4 + crc_covered.len();
    batch.extend_from_slice(&(length as i32).to_be_bytes());
    batch.extend_from_slice(&(-1i32).to_be_bytes()); // partition leader epoch
    batch.push(2); // magic
    batch.extend_from_slice(&crc.to_be_bytes());
    batch.extend_from_slice(&crc_covered);
    batch
}

#[test]
fn builder_output_matches_hand_assembled_bytes() {
    let mut builder = RecordBatchBuilder::new(0, Compression::None);
    builder.append(1_600_000_000_000, None, Some(b"v"), &[]);
    let built = builder.build().expect("build");
    assert_eq!(&built[..], &hand_assembled_batch()[..]);
}

#[test]
fn view_reads_hand_assembled_header() {
    let bytes = hand_assembled_batch();
    let view = RecordBatchView::parse(&bytes).expect("parse");
    assert_eq!(view.size_bytes(), RECORD_BATCH_OVERHEAD + 8);
    assert_eq!(view.base_offset(), 0);
    assert_eq!(view.last_offset(), 0);
    assert_eq!(view.partition_leader_epoch(), -1);
    assert_eq!(view.magic(), 2);
    assert_eq!(view.compression(), Compression::None);
    assert_eq!(view.timestamp_type(), TimestampType::CreateTime);
    assert!(!view.is_transactional());
    assert!(!view.is_control());
    assert_eq!(view.base_timestamp(), 1_600_000_000_000);
    assert_eq!(view.max_timestamp(), 1_600_000_000_000);
    assert_eq!(view.producer_id(), -1);
    assert_eq!(view.producer_epoch(), -1);
    assert_eq!(view.base_sequence(), -1);
    assert_eq!(view.last_sequence(), -1);
    assert_eq!(view.records_count(), 1);
    view.verify_crc().expect("crc");
    let records = decode_records(&view).expect("records");
    assert_eq!(
        records,
        vec![Record {
            offset: 0,
            timestamp: 1_600_000_000_000,
            key: None,
            value: Some(Bytes::from_static(b"v")),
            headers: vec![]
        }]
    );
}

#[test]
fn magic_1_batch_is_rejected() {
    let mut bytes = hand_assembled_batch();
    bytes[16] = 1;
    assert_eq!(
        RecordBatchView::parse(&bytes),
        Err(BatchError::InvalidMagic { magic: 1 })
    );
}

#[test]
fn length_below_header_is_rejected() {
    let mut bytes = hand_assembled_batch();
    bytes[8..12].copy_from_slice(&48i32.to_be_bytes());
    assert!(matches!(
        RecordBatchView::parse(&bytes),
        Err(BatchError::InvalidLength {
            position: 0,
            length: 48,
            ..
        })
    ));
}

#[test]
fn unknown_codec_is_rejected() {
    let mut bytes = hand_assembled_batch();
    bytes[22] = 5;
    assert_eq!(
        RecordBatchView::parse(&bytes),
        Err(BatchError::UnknownCompression { codec_id: 5 })
    );
}

#[test]
fn offset_and_epoch_patches_keep_crc_valid() {
    let mut bytes = hand_assembled_batch();
    set_base_offset(&mut bytes, 1234);
    set_partition_leader_epoch(&mut bytes, 7);
    let view = RecordBatchView::parse(&bytes).expect("parse");
    assert_eq!(view.base_offset(), 1234);
    assert_eq!(view.last_offset(), 1234);
    assert_eq!(view.partition_leader_epoch(), 7);
    view.verify_crc().expect("crc unaffected");
    assert_eq!(decode_records(&view).expect("records")[0].offset, 1234);
}

#[test]
fn log_append_time_patch_sets_type_and_max_timestamp_and_recomputes_crc() {
    let mut builder = RecordBatchBuilder::new(0, Compression::None);
    builder.append(10, None, Some(b"a"), &[]);
    builder.append(20, None, Some(b"b"), &[]);
    let mut bytes = builder.build().expect("build");
    set_log_append_time(&mut bytes, 999);
    let view = RecordBatchView::parse(&bytes).expect("parse");
    view.verify_crc().expect("crc recomputed");
    assert_eq!(view.timestamp_type(), TimestampType::LogAppendTime);
    assert_eq!(view.max_timestamp(), 999);
    assert_eq!(view.base_timestamp(), 10);
    let timestamps: Vec<i64> = decode_records(&view)
        .expect("records")
        .iter()
        .map(|r| r.timestamp)
        .collect();
    assert_eq!(timestamps, vec![999, 999]);
}

#[test]
fn iteration_reports_truncated_tail_position() {
    let one = hand_assembled_batch();
    let mut buf = Vec::new();
    buf.extend_from_slice(&one);
    buf.extend_from_slice(&one);
    buf.extend_from_slice(&one[..30]);
    let results: Vec<_> = batches(&buf).collect();
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[1].is_ok());
    assert_eq!(
        results[2],
        Err(BatchError::Truncated {
            position: 2 * one.len()
        })
    );
}

#[test]
fn last_sequence_wraps_like_kafka() {
    let mut builder = RecordBatchBuilder::new(0, Compression::None).producer(5, 0, i32::MAX - 1);
    for _ in 0..4 {
        builder.append(0, None, None, &[]);
    }
    let bytes = builder.build().expect("build");
    let view = RecordBatchView::parse(&bytes).expect("parse");
    // Sequences i32::MAX-1, i32::MAX, 0, 1.
    assert_eq!(view.last_sequence(), 1);
}

#[test]
fn control_and_transactional_flags_are_set() {
    let mut builder = RecordBatchBuilder::new(0, Compression::None)
        .producer(9, 2, -1)
        .transactional(true)
        .control(true);
    builder.append(0, Some(&[0, 0, 0, 1]), Some(&[0, 0, 0, 0, 0, 5]), &[]);
    let bytes = builder.build().expect("build");
    let view = RecordBatchView::parse(&bytes).expect("parse");
    assert!(view.is_control());
    assert!(view.is_transactional());
    assert_eq!(view.attributes(), 0x30);
    assert_eq!(view.producer_id(), 9);
    assert_eq!(view.producer_epoch(), 2);
}

#[test]
fn record_count_mismatch_is_reported() {
    let mut builder = RecordBatchBuilder::new(0, Compression::None);
    builder.append(0, None, Some(b"x"), &[]);
    let mut bytes = builder.build().expect("build");
    bytes[57..61].copy_from_slice(&2i32.to_be_bytes());
    let view = RecordBatchView::parse(&bytes).expect("parse");
    assert!(matches!(
        decode_records(&view),
        Err(BatchError::InvalidRecord { index: 1, .. })
    ));
}

#[derive(Debug, Clone)]
struct TestRecord {
    timestamp: i64,
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    headers: Vec<(String, Option<Vec<u8>>)>,
}

fn test_record() -> impl Strategy<Value = TestRecord> {
    (
        0i64..4_000_000_000_000,
        proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
        proptest::option::of(proptest::collection::vec(any::<u8>(), 0..300)),
        proptest::collection::vec(
            (
                "[a-z]{0,8}",
                proptest::option::of(proptest::collection::vec(any::<u8>(), 0..20)),
            ),
            0..3,
        ),
    )
        .prop_map(|(timestamp, key, value, headers)| TestRecord {
            timestamp,
            key,
            value,
            headers,
        })
}

fn codec() -> impl Strategy<Value = Compression> {
    proptest::sample::select(ALL_COMPRESSIONS.to_vec())
}

fn build(base_offset: i64, codec: Compression, records: &[TestRecord]) -> bytes::BytesMut {
    let mut builder = RecordBatchBuilder::new(base_offset, codec).producer(77, 3, 10);
    for r in records {
        let headers: Vec<(&str, Option<&[u8]>)> = r
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_deref()))
            .collect();
        builder.append(r.timestamp, r.key.as_deref(), r.value.as_deref(), &headers);
    }
    builder.build().expect("build")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn build_view_decode_round_trips_for_every_codec(
        base_offset in 0i64..1 << 40,
        codec in codec(),
        records in proptest::collection::vec(test_record(), 1..20),
    ) {
        let bytes = build(base_offset, codec, &records);
        let view = RecordBatchView::parse(&bytes).expect("parse");
        view.verify_crc().expect("crc");
        prop_assert_eq!(view.compression(), codec);
        prop_assert_eq!(view.records_count() as usize, records.len());
        prop_assert_eq!(view.last_offset(), base_offset + records.len() as i64 - 1);
        prop_assert_eq!(view.max_timestamp(), records.iter().map(|r| r.timestamp).max().expect("non-empty"));
        prop_assert_eq!(view.last_sequence(), 10 + records.len() as i32 - 1);
        let decoded = decode_records(&view).expect("decode");
        prop_assert_eq!(decoded.len(), records.len());
        for (i, (got, want)) in decoded.iter().zip(&records).enumerate() {
            prop_assert_eq!(got.offset, base_offset + i as i64);
            prop_assert_eq!(got.timestamp, want.timestamp);
            prop_assert_eq!(got.key.as_deref(), want.key.as_deref());
            prop_assert_eq!(got.value.as_deref(), want.value.as_deref());
            let headers: Vec<(String, Option<Vec<u8>>)> =
                got.headers.iter().map(|(k, v)| (k.clone(), v.as_ref().map(|b| b.to_vec()))).collect();
            prop_assert_eq!(&headers, &want.headers);
        }
    }

    #[test]
    fn flipping_any_crc_covered_byte_is_detected(
        codec in codec(),
        records in proptest::collection::vec(test_record(), 1..5),
        pick in any::<proptest::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let mut bytes = build(0, codec, &records);
        // Bytes 17..21 are the CRC itself; 21.. are covered by it. Either way the check must fail.
        let at = 17 + pick.index(bytes.len() - 17);
        bytes[at] ^= flip;
        match RecordBatchView::parse(&bytes) {
            Ok(view) => {
                let is_corrupt_crc = matches!(view.verify_crc(), Err(BatchError::CorruptCrc { .. }));
                prop_assert!(is_corrupt_crc);
            }
            // Flipping the codec bits may make the header itself invalid, which is also a detection.
            Err(err) => prop_assert!(matches!(err, BatchError::UnknownCompression { .. }), "{err:?}"),
        }
    }

    #[test]
    fn any_truncation_is_detected(
        codec in codec(),
        records in proptest::collection::vec(test_record(), 1..5),
        pick in any::<proptest::sample::Index>(),
    ) {
        let bytes = build(0, codec, &records);
        let cut = pick.index(bytes.len());
        prop_assert_eq!(RecordBatchView::parse(&bytes[..cut]), Err(BatchError::Truncated { position: 0 }));
        let mut concatenated = bytes.to_vec();
        concatenated.extend_from_slice(&bytes[..cut]);
        let results: Vec<_> = batches(&concatenated).collect();
        if cut == 0 {
            prop_assert_eq!(results.len(), 1);
        } else {
            prop_assert_eq!(results.len(), 2);
            prop_assert_eq!(&results[1], &Err(BatchError::Truncated { position: bytes.len() }));
        }
    }
}
