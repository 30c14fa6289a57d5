//! A produce throughput measurement over one pipelined connection (a benchmark, not a test:
//! it asserts nothing about speed). Run: `cargo test --release -p strata-broker --test throughput -- --ignored --nocapture`.

use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};
use kafka_protocol::messages::create_topics_request::CreatableTopic;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::{Decodable, StrBytes};
use strata_broker::{Broker, KafkaConfig};
use strata_protocol::compression::Compression;
use strata_protocol::record_batch::RecordBatchBuilder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PARTITIONS: i32 = 4;
const RECORD_BYTES: usize = 1024;
const RECORDS_PER_BATCH: usize = 256;
const REQUESTS: usize = 2000;

fn frame(api_key: ApiKey, version: i16, correlation_id: i32, body: RequestKind) -> BytesMut {
    let header = RequestHeader::default()
        .with_request_api_key(api_key as i16)
        .with_request_api_version(version)
        .with_correlation_id(correlation_id)
        .with_client_id(Some(StrBytes::from_static_str("bench")));
    strata_protocol::header::encode_request(&header, &body).expect("encodable")
}

async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> i32 {
    let mut prefix = [0u8; 4];
    stream.read_exact(&mut prefix).await.expect("prefix");
    buf.resize(i32::from_be_bytes(prefix) as usize, 0);
    stream.read_exact(buf).await.expect("body");
    (&buf[..4]).get_i32()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark; run with --ignored --nocapture in release mode"]
async fn produce_throughput_over_one_pipelined_connection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = KafkaConfig::load(
        None,
        &[
            format!("log.dirs={}", dir.path().display()),
            "listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0".to_string(),
        ],
    )
    .expect("config");
    let broker = Broker::start(config).await.expect("start");
    let mut stream = TcpStream::connect(broker.bootstrap_address())
        .await
        .expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let create = CreateTopicsRequest::default().with_topics(vec![CreatableTopic::default()
        .with_name(TopicName(StrBytes::from_static_str("bench")))
        .with_num_partitions(PARTITIONS)
        .with_replication_factor(1)]);
    stream
        .write_all(&frame(
            ApiKey::CreateTopics,
            7,
            0,
            RequestKind::CreateTopics(create),
        ))
        .await
        .expect("write");
    let mut buf = Vec::new();
    read_response(&mut stream, &mut buf).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let value = vec![b'x'; RECORD_BYTES];
    let mut builder = RecordBatchBuilder::new(0, Compression::None);
    for _ in 0..RECORDS_PER_BATCH {
        builder.append(0, None, Some(&value), &[]);
    }
    let batch = builder.build().expect("batch").freeze();
    let request = ProduceRequest::default()
        .with_acks(1)
        .with_timeout_ms(30_000)
        .with_topic_data(vec![TopicProduceData::default()
            .with_name(TopicName(StrBytes::from_static_str("bench")))
            .with_partition_data(
                (0..PARTITIONS)
                    .map(|p| {
                        PartitionProduceData::default()
                            .with_index(p)
                            .with_records(Some(batch.clone()))
                    })
                    .collect(),
            )]);
    let wire = frame(ApiKey::Produce, 9, 1, RequestKind::Produce(request)).freeze();
    let bytes_per_request = batch.len() * PARTITIONS as usize;

    let started = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    let send = tokio::spawn(async move {
        for _ in 0..REQUESTS {
            writer.write_all(&wire).await.expect("write");
        }
        writer
    });
    let mut received = 0;
    let mut prefix = [0u8; 4];
    while received < REQUESTS {
        reader.read_exact(&mut prefix).await.expect("prefix");
        buf.resize(i32::from_be_bytes(prefix) as usize, 0);
        reader.read_exact(&mut buf).await.expect("body");
        received += 1;
    }
    let elapsed = started.elapsed();
    // The last response must report success, or the figure means nothing.
    let mut last = bytes::Bytes::from(buf.clone());
    ResponseHeader::decode(&mut last, ApiKey::Produce.response_header_version(9)).expect("header");
    let response = ProduceResponse::decode(&mut last, 9).expect("produce response");
    for topic in &response.responses {
        for partition in &topic.partition_responses {
            assert_eq!(
                partition.error_code, 0,
                "partition {} failed",
                partition.index
            );
        }
    }
    send.await.expect("sender");
    let total = (bytes_per_request * REQUESTS) as f64;
    println!(
        "produce: {REQUESTS} requests of {} KiB (sent back to back; the broker reads ahead) in {:.2}s = {:.0} MB/s",
        bytes_per_request / 1024,
        elapsed.as_secs_f64(),
        total / elapsed.as_secs_f64() / 1e6
    );
    broker.shutdown().await.expect("shutdown");
}
