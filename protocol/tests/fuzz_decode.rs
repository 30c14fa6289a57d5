//! The fuzz entry point over random and mutated inputs: it must never panic.

use proptest::prelude::*;
use strata_protocol::fuzzing::{decode_frame, decode_frame_with_body};
use strata_protocol::metadata::{MetadataRecord, TopicRecord};
use strata_protocol::record_batch::{Compression, RecordBatchBuilder};

/// A valid batch of metadata records, the seed that random mutations start from.
fn seed_batch(codec: Compression) -> Vec<u8> {
    let value = MetadataRecord::Topic(TopicRecord {
        name: "t".to_owned(),
        topic_id: uuid::Uuid::from_u128(7),
    })
    .encode();
    let mut builder = RecordBatchBuilder::new(0, codec);
    builder.append(0, None, Some(&value), &[]);
    builder.append(
        1,
        Some(&[0, 0, 0, 1]),
        Some(&[0, 0, 0, 0, 0, 9]),
        &[("h", None)],
    );
    builder.build().expect("build").to_vec()
}

#[test]
fn seed_batch_decodes_every_layer() {
    // 2 for the batch (view + CRC), 2 records, metadata decode of the first, control of the second.
    assert!(decode_frame(&seed_batch(Compression::None)) >= 6);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn decode_frame_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        decode_frame(&data);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn decode_frame_never_panics_on_mutated_batches(
        codec in proptest::sample::select(strata_protocol::compression::ALL_COMPRESSIONS.to_vec()),
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<proptest::sample::Index>(),
    ) {
        let mut data = seed_batch(codec);
        for (at, byte) in edits {
            let i = at.index(data.len());
            data[i] = byte;
        }
        // Re-stamp the CRC half of the time so record decoding sees the mutated bytes too.
        if cut.index(2) == 0 {
            strata_protocol::record_batch::write_crc(&mut data);
        }
        let keep = data.len() - cut.index(data.len() / 4 + 1);
        decode_frame(&data[..keep]);
    }
}

fn seed_request_frames() -> Vec<Vec<u8>> {
    use strata_protocol::header::{encode_request, request_header};
    use strata_protocol::kafka_protocol::messages::{
        produce_request::{PartitionProduceData, TopicProduceData},
        ApiKey, MetadataRequest, ProduceRequest, RequestKind, TopicName,
    };
    use strata_protocol::kafka_protocol::protocol::StrBytes;
    let produce = ProduceRequest::default()
        .with_acks(-1)
        .with_timeout_ms(30_000)
        .with_topic_data(vec![TopicProduceData::default()
            .with_name(TopicName(StrBytes::from_static_str("t")))
            .with_partition_data(vec![PartitionProduceData::default()
                .with_index(0)
                .with_records(Some(seed_batch(Compression::None).into()))])]);
    let mut frames = Vec::new();
    for version in [3i16, 9, 11] {
        let header = request_header(ApiKey::Produce, version, 1, "fuzz");
        let frame =
            encode_request(&header, &RequestKind::Produce(produce.clone())).expect("encode");
        frames.push(frame.to_vec());
    }
    for version in [0i16, 9, 12] {
        let header = request_header(ApiKey::Metadata, version, 2, "fuzz");
        let frame = encode_request(
            &header,
            &RequestKind::Metadata(MetadataRequest::default().with_topics(None)),
        )
        .expect("encode");
        frames.push(frame.to_vec());
    }
    frames
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn decode_frame_never_panics_on_mutated_requests(
        pick in any::<proptest::sample::Index>(),
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let frames = seed_request_frames();
        let mut data = frames[pick.index(frames.len())].clone();
        for (at, byte) in edits {
            let i = at.index(data.len());
            data[i] = byte;
        }
        decode_frame(&data);
    }
}

/// kafka-protocol 0.18 aborts on this Metadata v0 request whose topic array declares
/// i32::MAX entries (a ~150 GiB `Vec::with_capacity`); see kafka-protocol-rs PR #152.
/// The workspace patches kafka-protocol (third_party/README.md) so this no longer aborts.
#[test]
fn huge_array_count_in_request_body_does_not_abort() {
    let frame = [
        0u8, 0, 0, 14, 0, 3, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff,
    ];
    decode_frame_with_body(&frame);
}
