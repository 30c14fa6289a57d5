//! Bytes no well-behaved client sends: the broker must reject them precisely (the error code a
//! Kafka broker returns) or drop the one connection, and keep serving everyone else.

use std::time::Duration;

use anyhow::Result;
use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiVersionsRequest, ApiVersionsResponse, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable};
use kafka_protocol::records::Compression;
use strata_tests::raw_client::{encode_with_header, request_header, PeerState};
use strata_tests::requests::{
    api_versions, build_batch, create_topic, create_topic_ok, error_code, fetch, produce,
    recent_timestamp_ms, BATCH_CRC_OFFSET,
};
use strata_tests::StrataProcess;

/// How long a connection may stay open after a frame the broker must reject by closing.
const CLOSE_WAIT: Duration = Duration::from_secs(10);

fn assert_still_serving(node: &StrataProcess) -> Result<()> {
    let mut client = node.connect()?;
    let response = api_versions(&mut client)?;
    assert_eq!(response.error_code, error_code::NONE);
    Ok(())
}

#[test]
fn truncated_frame_then_close_leaves_the_broker_serving() -> Result<()> {
    let node = StrataProcess::start()?;
    let mut client = node.connect()?;
    let mut frame = BytesMut::new();
    frame.put_i32(100);
    frame.put_slice(&[0u8; 10]);
    client.write_raw(&frame)?;
    client.shutdown_write()?;
    assert_eq!(client.wait_for_close(CLOSE_WAIT)?, PeerState::Closed);
    drop(client);
    assert_still_serving(&node)
}

#[test]
fn oversized_frame_closes_that_connection_while_another_client_keeps_working() -> Result<()> {
    let node = StrataProcess::builder()
        .with_override("socket.request.max.bytes", "1048576")
        .start()?;
    let mut bystander = node.connect()?;
    assert_eq!(api_versions(&mut bystander)?.error_code, error_code::NONE);

    let mut client = node.connect()?;
    // Only the size prefix: a broker that waits for 2 MiB of body instead of refusing it
    // keeps the connection open and fails the assertion.
    client.write_raw(&(2 * 1024 * 1024i32).to_be_bytes())?;
    assert_eq!(client.wait_for_close(CLOSE_WAIT)?, PeerState::Closed);

    assert_eq!(api_versions(&mut bystander)?.error_code, error_code::NONE);
    Ok(())
}

#[test]
fn unknown_api_key_closes_the_connection() -> Result<()> {
    let node = StrataProcess::start()?;
    let mut client = node.connect()?;
    let mut frame = BytesMut::new();
    frame.put_i32(10);
    frame.put_i16(999); // api key no Kafka version defines
    frame.put_i16(0);
    frame.put_i32(1);
    frame.put_i16(-1); // null client id
    client.write_raw(&frame)?;
    assert_eq!(client.wait_for_close(CLOSE_WAIT)?, PeerState::Closed);
    assert_still_serving(&node)
}

#[test]
fn api_versions_v99_answers_unsupported_version_with_a_v0_body() -> Result<()> {
    let node = StrataProcess::start()?;
    let mut client = node.connect()?;
    let header = request_header::<ApiVersionsRequest>(99, 42);
    let request = ApiVersionsRequest::default();
    // A future client encodes its ApiVersions request with header v2 and a body we cannot know.
    let frame = encode_with_header(&header, 2, |buf| request.encode(buf, 3))?;
    client.write_raw(&frame)?;
    let mut body: Bytes = client
        .read_frame()?
        .expect("broker must answer ApiVersions of an unknown version, not close");
    let response_header = ResponseHeader::decode(&mut body, 0)?;
    assert_eq!(response_header.correlation_id, 42);
    let response = ApiVersionsResponse::decode(&mut body, 0)?;
    assert_eq!(response.error_code, error_code::UNSUPPORTED_VERSION);
    let api_versions_range = response
        .api_keys
        .iter()
        .find(|k| k.api_key == 18)
        .expect("the v0 body lists ApiVersions itself so the client can retry");
    assert!(api_versions_range.min_version == 0 && api_versions_range.max_version >= 3);
    Ok(())
}

#[test]
fn malformed_request_body_closes_the_connection() -> Result<()> {
    let node = StrataProcess::start()?;
    let mut client = node.connect()?;
    // Metadata v12 (flexible): the body starts with a compact array length varint; five
    // continuation bytes make a varint longer than any i32, which no decoder may accept.
    let header = request_header::<kafka_protocol::messages::MetadataRequest>(12, 5);
    let frame = encode_with_header(&header, 2, |buf| {
        buf.put_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        Ok(())
    })?;
    client.write_raw(&frame)?;
    assert_eq!(client.wait_for_close(CLOSE_WAIT)?, PeerState::Closed);
    assert_still_serving(&node)
}

#[test]
fn array_length_beyond_the_frame_closes_the_connection_without_allocating_it() -> Result<()> {
    let node = StrataProcess::start()?;
    let mut client = node.connect()?;
    // CreateTopics v4 (not flexible): the topics array is an int32 count. Two billion topics
    // in a 4-byte body: a decoder that trusts the count and reserves memory for it aborts the
    // whole process instead of dropping one connection.
    let header = request_header::<kafka_protocol::messages::CreateTopicsRequest>(4, 9);
    let frame = encode_with_header(&header, 1, |buf| {
        buf.put_i32(2_000_000_000);
        Ok(())
    })?;
    client.write_raw(&frame)?;
    assert_eq!(client.wait_for_close(CLOSE_WAIT)?, PeerState::Closed);
    assert_still_serving(&node)
}

#[test]
fn negative_frame_size_closes_the_connection() -> Result<()> {
    let node = StrataProcess::start()?;
    let mut client = node.connect()?;
    client.write_raw(&(-1i32).to_be_bytes())?;
    assert_eq!(client.wait_for_close(CLOSE_WAIT)?, PeerState::Closed);
    assert_still_serving(&node)
}

#[test]
fn produce_with_corrupted_crc_returns_corrupt_message_and_appends_nothing() -> Result<()> {
    let node = StrataProcess::start()?;
    let mut client = node.connect()?;
    create_topic_ok(&mut client, "crc", 1)?;
    let mut batch = build_batch(
        &[Bytes::from_static(b"payload")],
        recent_timestamp_ms(),
        Compression::None,
    )?;
    let last = batch.len() - 1;
    batch[last] ^= 0x5a; // flip bits in the last record's bytes; the stored CRC no longer matches
    let crc_before = batch[BATCH_CRC_OFFSET..BATCH_CRC_OFFSET + 4].to_vec();
    assert_ne!(crc_before, vec![0, 0, 0, 0]);
    let response = produce(&mut client, "crc", 0, batch.freeze(), 1)?;
    assert_eq!(response.error_code, error_code::CORRUPT_MESSAGE);

    let data = fetch(&mut client, "crc", 0, 0, 1024 * 1024)?;
    assert_eq!(data.error_code, error_code::NONE);
    assert_eq!(data.high_watermark, 0, "nothing may be appended");
    assert!(data.records.unwrap_or_default().is_empty());

    let good = build_batch(
        &[Bytes::from_static(b"payload")],
        recent_timestamp_ms(),
        Compression::None,
    )?;
    let response = produce(&mut client, "crc", 0, good.freeze(), 1)?;
    assert_eq!(
        response.error_code,
        error_code::NONE,
        "{:?} {:?}",
        response.error_message,
        response.record_errors
    );
    assert_eq!(
        response.base_offset, 0,
        "the rejected batch took no offsets"
    );
    Ok(())
}

#[test]
fn batch_over_max_message_bytes_returns_message_too_large() -> Result<()> {
    let node = StrataProcess::start()?;
    let mut client = node.connect()?;
    let result = create_topic(&mut client, "small", 1, &[("max.message.bytes", "1024")])?;
    assert_eq!(
        result.error_code,
        error_code::NONE,
        "{:?}",
        result.error_message
    );
    strata_tests::requests::wait_for_leaders(&mut client, "small", 1, Duration::from_secs(30))?;

    let big = build_batch(
        &[Bytes::from(vec![7u8; 4096])],
        recent_timestamp_ms(),
        Compression::None,
    )?;
    let response = produce(&mut client, "small", 0, big.freeze(), 1)?;
    assert_eq!(response.error_code, error_code::MESSAGE_TOO_LARGE);

    let fits = build_batch(
        &[Bytes::from(vec![7u8; 100])],
        recent_timestamp_ms(),
        Compression::None,
    )?;
    let response = produce(&mut client, "small", 0, fits.freeze(), 1)?;
    assert_eq!(
        response.error_code,
        error_code::NONE,
        "{:?} {:?}",
        response.error_message,
        response.record_errors
    );
    assert_eq!(response.base_offset, 0);
    Ok(())
}

#[test]
fn keyless_records_on_a_compacted_topic_return_invalid_record_with_record_errors() -> Result<()> {
    let node = StrataProcess::start()?;
    let mut client = node.connect()?;
    let result = create_topic(
        &mut client,
        "compacted",
        1,
        &[("cleanup.policy", "compact")],
    )?;
    assert_eq!(
        result.error_code,
        error_code::NONE,
        "{:?}",
        result.error_message
    );
    strata_tests::requests::wait_for_leaders(&mut client, "compacted", 1, Duration::from_secs(30))?;

    let value = Bytes::from_static(b"v");
    let mixed = strata_tests::requests::build_batch_with_keys(
        &[
            (Some(Bytes::from_static(b"a")), value.clone()),
            (None, value.clone()),
            (Some(Bytes::from_static(b"c")), value.clone()),
        ],
        recent_timestamp_ms(),
        Compression::Lz4,
    )?;
    let response = produce(&mut client, "compacted", 0, mixed.freeze(), 1)?;
    assert_eq!(response.error_code, error_code::INVALID_RECORD);
    let indexes: Vec<i32> = response
        .record_errors
        .iter()
        .map(|e| e.batch_index)
        .collect();
    assert_eq!(
        indexes,
        vec![1],
        "the keyless record is named by its index in the batch"
    );

    let keyed = build_batch(&[value], recent_timestamp_ms(), Compression::None)?;
    let response = produce(&mut client, "compacted", 0, keyed.freeze(), 1)?;
    assert_eq!(
        response.error_code,
        error_code::NONE,
        "{:?}",
        response.error_message
    );
    assert_eq!(
        response.base_offset, 0,
        "the rejected batch appended nothing"
    );
    Ok(())
}

#[test]
fn invalid_topic_names_are_rejected_with_invalid_topic_exception() -> Result<()> {
    let node = StrataProcess::start()?;
    let mut client = node.connect()?;
    let too_long = "x".repeat(250);
    for name in ["bad/name", "..", ".", "spaces here", too_long.as_str()] {
        let result = create_topic(&mut client, name, 1, &[])?;
        assert_eq!(
            result.error_code,
            error_code::INVALID_TOPIC_EXCEPTION,
            "topic name {name:?} gave {:?}",
            result.error_message
        );
    }
    Ok(())
}

#[test]
fn non_numeric_retention_ms_is_rejected_as_invalid_config_naming_the_key() -> Result<()> {
    let node = StrataProcess::start()?;
    let mut client = node.connect()?;
    let result = create_topic(&mut client, "cfg", 1, &[("retention.ms", "abc")])?;
    assert_eq!(result.error_code, error_code::INVALID_CONFIG);
    let message = result
        .error_message
        .map(|m| m.to_string())
        .unwrap_or_default();
    assert!(
        message.contains("retention.ms"),
        "error message should name the key: {message:?}"
    );
    let again = create_topic(&mut client, "cfg", 1, &[])?;
    assert_eq!(
        again.error_code,
        error_code::NONE,
        "the rejected create left no topic behind"
    );
    Ok(())
}
