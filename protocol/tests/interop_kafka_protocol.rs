//! Our record batch code against an independent implementation, kafka-protocol's `records`
//! module (its own CRC, varints, and codecs: C lz4 frames, xerial snappy, gzip, zstd): batches we
//! build decode there, and batches it builds pass our view, CRC check and record decoding.

use bytes::{Bytes, BytesMut};
use indexmap::IndexMap;
use strata_protocol::compression::ALL_COMPRESSIONS;
use strata_protocol::kafka_protocol::protocol::StrBytes;
use strata_protocol::kafka_protocol::records::{
    Compression as KpCompression, Record as KpRecord, RecordBatchDecoder, RecordBatchEncoder,
    RecordEncodeOptions, TimestampType as KpTimestampType,
};
use strata_protocol::record_batch::{
    decode_records, Compression, RecordBatchBuilder, RecordBatchView,
};

fn kp_codec(codec: Compression) -> KpCompression {
    match codec {
        Compression::None => KpCompression::None,
        Compression::Gzip => KpCompression::Gzip,
        Compression::Snappy => KpCompression::Snappy,
        Compression::Lz4 => KpCompression::Lz4,
        Compression::Zstd => KpCompression::Zstd,
    }
}

fn value(i: usize) -> Vec<u8> {
    format!("value-{i}-").repeat(i % 7 + 1).into_bytes()
}

#[test]
fn batches_we_build_decode_in_kafka_protocol() {
    for codec in ALL_COMPRESSIONS {
        let mut builder = RecordBatchBuilder::new(100, codec)
            .producer(42, 1, 7)
            .partition_leader_epoch(3);
        for i in 0..50 {
            let key = format!("key-{i}");
            builder.append(
                1_000 + i as i64,
                Some(key.as_bytes()),
                Some(&value(i)),
                &[("trace", Some(b"abc"))],
            );
        }
        let batch = builder.build().expect("build");
        let mut buf = batch.freeze();
        let set = RecordBatchDecoder::decode(&mut buf).unwrap_or_else(|e| panic!("{codec}: {e}"));
        assert_eq!(set.compression, kp_codec(codec));
        assert_eq!(set.records.len(), 50, "{codec}");
        for (i, r) in set.records.iter().enumerate() {
            assert_eq!(r.offset, 100 + i as i64);
            assert_eq!(r.sequence, 7 + i as i32);
            assert_eq!(r.producer_id, 42);
            assert_eq!(r.partition_leader_epoch, 3);
            assert_eq!(r.timestamp, 1_000 + i as i64);
            assert_eq!(r.key.as_deref(), Some(format!("key-{i}").as_bytes()));
            assert_eq!(r.value.as_deref(), Some(&value(i)[..]));
            assert_eq!(
                r.headers
                    .get(&StrBytes::from_static_str("trace"))
                    .cloned()
                    .flatten()
                    .as_deref(),
                Some(&b"abc"[..])
            );
        }
    }
}

#[test]
fn batches_kafka_protocol_builds_pass_our_view_crc_and_decoding() {
    for codec in ALL_COMPRESSIONS {
        let records: Vec<KpRecord> = (0..50)
            .map(|i| {
                let mut headers = IndexMap::new();
                headers.insert(
                    StrBytes::from_static_str("h"),
                    Some(Bytes::from_static(b"x")),
                );
                KpRecord {
                    transactional: false,
                    control: false,
                    delete_horizon: false,
                    partition_leader_epoch: 5,
                    producer_id: 9,
                    producer_epoch: 2,
                    timestamp_type: KpTimestampType::Creation,
                    offset: 200 + i as i64,
                    sequence: 11 + i as i32,
                    timestamp: 5_000 + i as i64,
                    key: if i % 3 == 0 {
                        None
                    } else {
                        Some(Bytes::from(format!("k{i}")))
                    },
                    value: Some(Bytes::from(value(i))),
                    headers,
                }
            })
            .collect();
        let mut buf = BytesMut::new();
        RecordBatchEncoder::encode(
            &mut buf,
            &records,
            &RecordEncodeOptions {
                version: 2,
                compression: kp_codec(codec),
            },
        )
        .expect("kafka-protocol encode");
        let view = RecordBatchView::parse(&buf).expect("parse");
        assert_eq!(view.size_bytes(), buf.len(), "{codec}: one batch");
        view.verify_crc().unwrap_or_else(|e| panic!("{codec}: {e}"));
        assert_eq!(view.compression(), codec);
        assert_eq!(view.base_offset(), 200);
        assert_eq!(view.last_offset(), 249);
        assert_eq!(view.producer_id(), 9);
        assert_eq!(view.base_sequence(), 11);
        assert_eq!(view.last_sequence(), 60);
        let decoded = decode_records(&view).unwrap_or_else(|e| panic!("{codec}: {e}"));
        assert_eq!(decoded.len(), records.len());
        for (ours, theirs) in decoded.iter().zip(&records) {
            assert_eq!(ours.offset, theirs.offset);
            assert_eq!(ours.timestamp, theirs.timestamp);
            assert_eq!(ours.key, theirs.key);
            assert_eq!(ours.value, theirs.value);
            assert_eq!(
                ours.headers,
                vec![("h".to_owned(), Some(Bytes::from_static(b"x")))]
            );
        }
    }
}
