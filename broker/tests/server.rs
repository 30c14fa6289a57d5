//! In-process tests of the network layer and the admin handlers: a real broker on an ephemeral
//! port, real TCP sockets, Kafka wire bytes.

use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::create_topics_request::{CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::{Decodable, StrBytes};
use strata_broker::{Broker, KafkaConfig, RunningBroker};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const WAIT: Duration = Duration::from_secs(10);

async fn start(dir: &std::path::Path, extra: &[&str]) -> RunningBroker {
    let mut overrides = vec![
        format!("log.dirs={}", dir.display()),
        "listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0".to_string(),
    ];
    overrides.extend(extra.iter().map(|s| s.to_string()));
    let config = KafkaConfig::load(None, &overrides).expect("valid test config");
    tokio::time::timeout(WAIT, Broker::start(config))
        .await
        .expect("starts in time")
        .expect("broker starts")
}

async fn connect(broker: &RunningBroker) -> TcpStream {
    TcpStream::connect(broker.bootstrap_address())
        .await
        .expect("connect")
}

fn request_bytes(
    api_key: ApiKey,
    version: i16,
    correlation_id: i32,
    body: RequestKind,
) -> BytesMut {
    let header = RequestHeader::default()
        .with_request_api_key(api_key as i16)
        .with_request_api_version(version)
        .with_correlation_id(correlation_id)
        .with_client_id(Some(StrBytes::from_static_str("strata-test")));
    strata_protocol::header::encode_request(&header, &body).expect("encodable request")
}

/// Reads one response frame; `None` when the broker closed the connection.
async fn read_frame(stream: &mut TcpStream) -> Option<Bytes> {
    let mut prefix = [0u8; 4];
    match tokio::time::timeout(WAIT, stream.read_exact(&mut prefix))
        .await
        .expect("no hang")
    {
        Ok(_) => {}
        Err(_) => return None,
    }
    let mut body = vec![0u8; i32::from_be_bytes(prefix) as usize];
    tokio::time::timeout(WAIT, stream.read_exact(&mut body))
        .await
        .expect("no hang")
        .expect("whole frame");
    Some(Bytes::from(body))
}

/// Sends one request and decodes its response: (correlation id, body).
async fn call(
    stream: &mut TcpStream,
    api_key: ApiKey,
    version: i16,
    body: RequestKind,
) -> ResponseKind {
    stream
        .write_all(&request_bytes(api_key, version, 42, body))
        .await
        .expect("write");
    let mut frame = read_frame(stream).await.expect("a response");
    let header = ResponseHeader::decode(&mut frame, api_key.response_header_version(version))
        .expect("header");
    assert_eq!(header.correlation_id, 42);
    ResponseKind::decode(api_key, &mut frame, version).expect("decodable response")
}

async fn assert_closed(stream: &mut TcpStream) {
    let mut buf = [0u8; 1];
    let read = tokio::time::timeout(WAIT, stream.read(&mut buf))
        .await
        .expect("closed in time");
    assert!(
        matches!(read, Ok(0) | Err(_)),
        "expected the broker to close the connection, read {read:?}"
    );
}

fn topic(name: &str) -> TopicName {
    TopicName(StrBytes::from_string(name.to_string()))
}

#[tokio::test]
async fn api_versions_lists_what_the_broker_serves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &[]).await;
    let mut stream = connect(&broker).await;
    let ResponseKind::ApiVersions(response) = call(
        &mut stream,
        ApiKey::ApiVersions,
        3,
        RequestKind::ApiVersions(
            ApiVersionsRequest::default()
                .with_client_software_name(StrBytes::from_static_str("strata-test"))
                .with_client_software_version(StrBytes::from_static_str("1.0")),
        ),
    )
    .await
    else {
        panic!("wrong response type")
    };
    assert_eq!(response.error_code, 0);
    let range = |key: ApiKey| {
        response
            .api_keys
            .iter()
            .find(|k| k.api_key == key as i16)
            .map(|k| (k.min_version, k.max_version))
    };
    assert_eq!(range(ApiKey::ApiVersions), Some((0, 4)));
    assert_eq!(range(ApiKey::Metadata), Some((0, 13)));
    assert_eq!(range(ApiKey::DescribeTopicPartitions), Some((0, 0)));
    assert!(response
        .finalized_features
        .iter()
        .any(|f| f.name.as_str() == "metadata.version"));
    broker.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn unsupported_api_versions_version_gets_the_kip511_v0_fallback() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &[]).await;
    let mut stream = connect(&broker).await;
    // ApiVersions v99 with a v2 header: key, version, correlation id, client id, no tags; empty body.
    let mut frame = BytesMut::new();
    frame.put_i16(18);
    frame.put_i16(99);
    frame.put_i32(7);
    frame.put_i16(4);
    frame.put_slice(b"test");
    frame.put_u8(0);
    let mut wire = BytesMut::new();
    wire.put_i32(frame.len() as i32);
    wire.put_slice(&frame);
    stream.write_all(&wire).await.expect("write");
    let mut response = read_frame(&mut stream)
        .await
        .expect("a fallback response, not a close");
    // v0 response header (correlation id only), then a v0 body: error code, api keys array.
    assert_eq!(response.get_i32(), 7);
    assert_eq!(response.get_i16(), 35, "UNSUPPORTED_VERSION");
    let count = response.get_i32();
    assert!(count >= 11, "every handler is listed, got {count}");
    let mut keys = Vec::new();
    for _ in 0..count {
        keys.push((response.get_i16(), response.get_i16(), response.get_i16()));
    }
    assert!(!response.has_remaining(), "v0 has nothing after the array");
    assert!(
        keys.contains(&(18, 0, 4)),
        "ApiVersions 0..4 listed: {keys:?}"
    );
    // The connection stays usable: a v0 request in the advertised range works.
    let ResponseKind::ApiVersions(ok) = call(
        &mut stream,
        ApiKey::ApiVersions,
        0,
        RequestKind::ApiVersions(ApiVersionsRequest::default()),
    )
    .await
    else {
        panic!("wrong response type")
    };
    assert_eq!(ok.error_code, 0);
    broker.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn oversized_frame_closes_only_that_connection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &["socket.request.max.bytes=1024"]).await;
    let mut bystander = connect(&broker).await;
    let mut offender = connect(&broker).await;
    offender
        .write_all(&2048i32.to_be_bytes())
        .await
        .expect("write prefix");
    assert_closed(&mut offender).await;
    let response = call(
        &mut bystander,
        ApiKey::ApiVersions,
        0,
        RequestKind::ApiVersions(ApiVersionsRequest::default()),
    )
    .await;
    assert!(matches!(response, ResponseKind::ApiVersions(r) if r.error_code == 0));
    broker.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn unknown_api_key_closes_the_connection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &[]).await;
    let mut stream = connect(&broker).await;
    let mut frame = BytesMut::new();
    frame.put_i32(10);
    frame.put_i16(999);
    frame.put_i16(0);
    frame.put_i32(1);
    frame.put_i16(-1);
    stream.write_all(&frame).await.expect("write");
    assert_closed(&mut stream).await;
    broker.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn produce_below_v3_closes_the_connection_as_kafka_4_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &[]).await;
    let mut stream = connect(&broker).await;
    // Produce v2: header v1 then acks, timeout, empty topic array.
    let mut frame = BytesMut::new();
    frame.put_i16(0);
    frame.put_i16(2);
    frame.put_i32(3);
    frame.put_i16(-1);
    frame.put_i16(1);
    frame.put_i32(1000);
    frame.put_i32(0);
    let mut wire = BytesMut::new();
    wire.put_i32(frame.len() as i32);
    wire.put_slice(&frame);
    stream.write_all(&wire).await.expect("write");
    assert_closed(&mut stream).await;
    broker.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_request_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A read-ahead limit well below the number of pipelined requests: reading pauses and resumes.
    let broker = start(dir.path(), &["queued.max.requests=4"]).await;
    let mut stream = connect(&broker).await;
    let mut wire = BytesMut::new();
    for correlation_id in 0..24 {
        // Slow (a controller commit) and fast requests interleaved.
        let bytes = if correlation_id % 3 == 0 {
            let create = CreateTopicsRequest::default()
                .with_topics(vec![CreatableTopic::default()
                    .with_name(topic(&format!("pipelined-{correlation_id}")))
                    .with_num_partitions(1)
                    .with_replication_factor(1)])
                .with_timeout_ms(5000);
            request_bytes(
                ApiKey::CreateTopics,
                7,
                correlation_id,
                RequestKind::CreateTopics(create),
            )
        } else {
            request_bytes(
                ApiKey::ApiVersions,
                0,
                correlation_id,
                RequestKind::ApiVersions(ApiVersionsRequest::default()),
            )
        };
        wire.extend_from_slice(&bytes);
    }
    stream.write_all(&wire).await.expect("write all at once");
    for expected in 0..24 {
        let mut frame = read_frame(&mut stream)
            .await
            .expect("a response per request");
        assert_eq!(frame.get_i32(), expected, "responses follow request order");
    }
    broker.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn idle_connection_is_closed_after_connections_max_idle_ms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &["connections.max.idle.ms=200"]).await;
    let mut stream = connect(&broker).await;
    let started = std::time::Instant::now();
    assert_closed(&mut stream).await;
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "closed too early: {:?}",
        started.elapsed()
    );
    broker.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn metadata_auto_creates_topics_with_num_partitions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &["num.partitions=3"]).await;
    let mut stream = connect(&broker).await;
    let request = MetadataRequest::default()
        .with_topics(Some(vec![
            MetadataRequestTopic::default().with_name(Some(topic("auto-made")))
        ]))
        .with_allow_auto_topic_creation(true);
    let ResponseKind::Metadata(first) = call(
        &mut stream,
        ApiKey::Metadata,
        12,
        RequestKind::Metadata(request.clone()),
    )
    .await
    else {
        panic!("wrong response type")
    };
    assert_eq!(first.brokers.len(), 1);
    assert_eq!(
        first.brokers[0].port,
        i32::from(broker.bootstrap_address().port())
    );
    assert_eq!(
        first.cluster_id.as_ref().map(|c| c.as_str()),
        Some(broker.cluster_id())
    );
    let made = &first.topics[0];
    assert!(
        made.error_code == 0 || made.error_code == 5,
        "created or leader pending: {}",
        made.error_code
    );
    let ResponseKind::Metadata(second) = call(
        &mut stream,
        ApiKey::Metadata,
        12,
        RequestKind::Metadata(request),
    )
    .await
    else {
        panic!("wrong response type")
    };
    let made = &second.topics[0];
    assert_eq!(made.error_code, 0);
    assert_eq!(made.partitions.len(), 3);
    assert!(!made.topic_id.is_nil());
    assert!(made.partitions.iter().all(|p| p.leader_id.0 == 1));

    let no_create = MetadataRequest::default()
        .with_topics(Some(vec![
            MetadataRequestTopic::default().with_name(Some(topic("not-made")))
        ]))
        .with_allow_auto_topic_creation(false);
    let ResponseKind::Metadata(third) = call(
        &mut stream,
        ApiKey::Metadata,
        12,
        RequestKind::Metadata(no_create),
    )
    .await
    else {
        panic!("wrong response type")
    };
    assert_eq!(third.topics[0].error_code, 3, "UNKNOWN_TOPIC_OR_PARTITION");
    broker.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn created_topic_configs_are_described_with_their_sources() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &["log.segment.bytes=2097152"]).await;
    let mut stream = connect(&broker).await;
    let create = CreateTopicsRequest::default().with_topics(vec![CreatableTopic::default()
        .with_name(topic("configured"))
        .with_num_partitions(-1)
        .with_replication_factor(-1)
        .with_configs(vec![CreatableTopicConfig::default()
            .with_name(StrBytes::from_static_str("retention.ms"))
            .with_value(Some(StrBytes::from_static_str("1000")))])]);
    let ResponseKind::CreateTopics(created) = call(
        &mut stream,
        ApiKey::CreateTopics,
        7,
        RequestKind::CreateTopics(create),
    )
    .await
    else {
        panic!("wrong response type")
    };
    let result = &created.topics[0];
    assert_eq!(result.error_code, 0, "{:?}", result.error_message);
    assert_eq!((result.num_partitions, result.replication_factor), (1, 1));
    let configs = result.configs.as_ref().expect("v5+ carries configs");
    let retention = configs
        .iter()
        .find(|c| c.name.as_str() == "retention.ms")
        .expect("listed");
    assert_eq!(
        (
            retention.value.as_ref().map(|v| v.as_str()),
            retention.config_source
        ),
        (Some("1000"), 1)
    );

    let describe = DescribeConfigsRequest::default()
        .with_resources(vec![
            DescribeConfigsResource::default()
                .with_resource_type(2)
                .with_resource_name(StrBytes::from_static_str("configured")),
            DescribeConfigsResource::default()
                .with_resource_type(4)
                .with_resource_name(StrBytes::from_static_str("1")),
            DescribeConfigsResource::default()
                .with_resource_type(2)
                .with_resource_name(StrBytes::from_static_str("missing")),
        ])
        .with_include_synonyms(true)
        .with_include_documentation(true);
    let ResponseKind::DescribeConfigs(described) = call(
        &mut stream,
        ApiKey::DescribeConfigs,
        4,
        RequestKind::DescribeConfigs(describe),
    )
    .await
    else {
        panic!("wrong response type")
    };
    let topic_configs = &described.results[0];
    assert_eq!(topic_configs.error_code, 0);
    let entry = |name: &str| {
        topic_configs
            .configs
            .iter()
            .find(|c| c.name.as_str() == name)
            .expect("listed")
            .clone()
    };
    assert_eq!(entry("retention.ms").config_source, 1);
    let segment = entry("segment.bytes");
    assert_eq!(
        (
            segment.value.as_ref().map(|v| v.as_str()),
            segment.config_source
        ),
        (Some("2097152"), 4)
    );
    assert_eq!(segment.synonyms[0].name.as_str(), "log.segment.bytes");
    assert_eq!(entry("cleanup.policy").config_source, 5);
    assert!(entry("cleanup.policy").documentation.is_some());
    let broker_configs = &described.results[1];
    assert_eq!(broker_configs.error_code, 0);
    assert!(broker_configs
        .configs
        .iter()
        .any(|c| c.name.as_str() == "log.segment.bytes" && c.config_source == 4));
    assert!(broker_configs
        .configs
        .iter()
        .any(|c| c.name.as_str() == "num.partitions" && c.config_source == 5 && c.read_only));
    assert_eq!(described.results[2].error_code, 3);
    broker.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn restart_keeps_the_cluster_id_and_topics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &[]).await;
    let cluster_id = broker.cluster_id().to_string();
    let mut stream = connect(&broker).await;
    let create = CreateTopicsRequest::default().with_topics(vec![CreatableTopic::default()
        .with_name(topic("durable"))
        .with_num_partitions(2)
        .with_replication_factor(1)]);
    let ResponseKind::CreateTopics(created) = call(
        &mut stream,
        ApiKey::CreateTopics,
        7,
        RequestKind::CreateTopics(create),
    )
    .await
    else {
        panic!("wrong response type")
    };
    assert_eq!(created.topics[0].error_code, 0);
    broker.shutdown().await.expect("clean shutdown");
    assert_closed(&mut stream).await;

    let broker = start(dir.path(), &[]).await;
    assert_eq!(broker.cluster_id(), cluster_id);
    let mut stream = connect(&broker).await;
    let ResponseKind::Metadata(metadata) = call(
        &mut stream,
        ApiKey::Metadata,
        12,
        RequestKind::Metadata(MetadataRequest::default().with_topics(None)),
    )
    .await
    else {
        panic!("wrong response type")
    };
    let durable = metadata
        .topics
        .iter()
        .find(|t| t.name.as_ref().map(|n| n.as_str()) == Some("durable"))
        .expect("kept");
    assert_eq!(durable.partitions.len(), 2);
    broker.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn describe_cluster_and_telemetry_answer_for_clients() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &[]).await;
    let mut stream = connect(&broker).await;
    let ResponseKind::DescribeCluster(cluster) = call(
        &mut stream,
        ApiKey::DescribeCluster,
        1,
        RequestKind::DescribeCluster(DescribeClusterRequest::default()),
    )
    .await
    else {
        panic!("wrong response type")
    };
    assert_eq!(cluster.error_code, 0);
    assert_eq!(cluster.cluster_id.as_str(), broker.cluster_id());
    assert_eq!(cluster.controller_id.0, 1);
    assert_eq!(cluster.brokers.len(), 1);
    let controllers = DescribeClusterRequest::default().with_endpoint_type(2);
    let ResponseKind::DescribeCluster(refused) = call(
        &mut stream,
        ApiKey::DescribeCluster,
        1,
        RequestKind::DescribeCluster(controllers),
    )
    .await
    else {
        panic!("wrong response type")
    };
    assert_eq!(refused.error_code, 115, "UNSUPPORTED_ENDPOINT_TYPE");
    let ResponseKind::GetTelemetrySubscriptions(telemetry) = call(
        &mut stream,
        ApiKey::GetTelemetrySubscriptions,
        0,
        RequestKind::GetTelemetrySubscriptions(GetTelemetrySubscriptionsRequest::default()),
    )
    .await
    else {
        panic!("wrong response type")
    };
    assert_eq!(telemetry.error_code, 0);
    assert!(!telemetry.client_instance_id.is_nil());
    assert!(telemetry.requested_metrics.is_empty());
    broker.shutdown().await.expect("clean shutdown");
}

fn create_request(topics: Vec<CreatableTopic>, validate_only: bool) -> RequestKind {
    RequestKind::CreateTopics(
        CreateTopicsRequest::default()
            .with_topics(topics)
            .with_validate_only(validate_only),
    )
}

fn creatable(name: &str, configs: &[(&'static str, &'static str)]) -> CreatableTopic {
    CreatableTopic::default()
        .with_name(topic(name))
        .with_num_partitions(-1)
        .with_replication_factor(-1)
        .with_configs(
            configs
                .iter()
                .map(|(k, v)| {
                    CreatableTopicConfig::default()
                        .with_name(StrBytes::from_static_str(k))
                        .with_value(Some(StrBytes::from_static_str(v)))
                })
                .collect(),
        )
}

async fn metadata_topic_names(stream: &mut TcpStream) -> Vec<String> {
    let ResponseKind::Metadata(metadata) = call(
        stream,
        ApiKey::Metadata,
        12,
        RequestKind::Metadata(MetadataRequest::default().with_topics(None)),
    )
    .await
    else {
        panic!("wrong response type")
    };
    metadata
        .topics
        .iter()
        .filter_map(|t| t.name.as_ref().map(|n| n.as_str().to_string()))
        .collect()
}

#[tokio::test]
async fn create_topics_reports_per_topic_errors_and_honours_validate_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &[]).await;
    let mut stream = connect(&broker).await;
    let ResponseKind::CreateTopics(response) = call(
        &mut stream,
        ApiKey::CreateTopics,
        7,
        create_request(
            vec![
                creatable("good", &[]),
                creatable("bad-config", &[("retention.ms", "soon")]),
                creatable("unknown-config", &[("no.such.config", "1")]),
                creatable("twice", &[]),
                creatable("twice", &[]),
                creatable("bad name!", &[]),
                creatable("__cluster_metadata", &[]),
            ],
            false,
        ),
    )
    .await
    else {
        panic!("wrong response type")
    };
    let codes: Vec<(String, i16)> = response
        .topics
        .iter()
        .map(|t| (t.name.as_str().to_string(), t.error_code))
        .collect();
    assert_eq!(
        codes,
        [
            ("good".to_string(), 0),
            ("bad-config".to_string(), 40),
            ("unknown-config".to_string(), 40),
            ("twice".to_string(), 42),
            ("bad name!".to_string(), 17),
            ("__cluster_metadata".to_string(), 42),
        ]
    );
    assert!(response.topics[1].error_message.is_some());

    let ResponseKind::CreateTopics(validated) = call(
        &mut stream,
        ApiKey::CreateTopics,
        7,
        create_request(vec![creatable("dry-run", &[])], true),
    )
    .await
    else {
        panic!("wrong response type")
    };
    assert_eq!(validated.topics[0].error_code, 0);
    let ResponseKind::CreateTopics(again) = call(
        &mut stream,
        ApiKey::CreateTopics,
        7,
        create_request(vec![creatable("good", &[])], false),
    )
    .await
    else {
        panic!("wrong response type")
    };
    assert_eq!(again.topics[0].error_code, 36, "TOPIC_ALREADY_EXISTS");
    let names = metadata_topic_names(&mut stream).await;
    assert_eq!(
        names,
        ["good"],
        "validate_only and failed topics created nothing"
    );
    broker.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn delete_topics_by_name_and_by_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &[]).await;
    let mut stream = connect(&broker).await;
    let ResponseKind::CreateTopics(created) = call(
        &mut stream,
        ApiKey::CreateTopics,
        7,
        create_request(
            vec![creatable("by-name", &[]), creatable("by-id", &[])],
            false,
        ),
    )
    .await
    else {
        panic!("wrong response type")
    };
    let id = created.topics[1].topic_id;
    let request = DeleteTopicsRequest::default().with_topics(vec![
        delete_topics_request::DeleteTopicState::default().with_name(Some(topic("by-name"))),
        delete_topics_request::DeleteTopicState::default().with_topic_id(id),
        delete_topics_request::DeleteTopicState::default().with_name(Some(topic("never-existed"))),
        delete_topics_request::DeleteTopicState::default()
            .with_name(Some(topic("both")))
            .with_topic_id(id),
    ]);
    let ResponseKind::DeleteTopics(deleted) = call(
        &mut stream,
        ApiKey::DeleteTopics,
        6,
        RequestKind::DeleteTopics(request),
    )
    .await
    else {
        panic!("wrong response type")
    };
    let outcome: Vec<(Option<String>, i16)> = deleted
        .responses
        .iter()
        .map(|r| {
            (
                r.name.as_ref().map(|n| n.as_str().to_string()),
                r.error_code,
            )
        })
        .collect();
    assert_eq!(
        outcome,
        [
            (Some("by-name".into()), 0),
            (Some("by-id".into()), 0),
            (Some("never-existed".into()), 3),
            (Some("both".into()), 42),
        ]
    );
    assert_eq!(deleted.responses[1].topic_id, id);
    assert!(metadata_topic_names(&mut stream).await.is_empty());
    broker.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn incremental_alter_configs_sets_appends_subtracts_and_deletes() {
    use incremental_alter_configs_request::{AlterConfigsResource, AlterableConfig};
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &[]).await;
    let mut stream = connect(&broker).await;
    call(
        &mut stream,
        ApiKey::CreateTopics,
        7,
        create_request(vec![creatable("tuned", &[])], false),
    )
    .await;
    let op = |name: &'static str, operation: i8, value: Option<&'static str>| {
        AlterableConfig::default()
            .with_name(StrBytes::from_static_str(name))
            .with_config_operation(operation)
            .with_value(value.map(StrBytes::from_static_str))
    };
    let alter = |resource_type: i8, name: &'static str, ops: Vec<AlterableConfig>| {
        RequestKind::IncrementalAlterConfigs(
            IncrementalAlterConfigsRequest::default().with_resources(vec![
                AlterConfigsResource::default()
                    .with_resource_type(resource_type)
                    .with_resource_name(StrBytes::from_static_str(name))
                    .with_configs(ops),
            ]),
        )
    };
    let codes = |response: ResponseKind| match response {
        ResponseKind::IncrementalAlterConfigs(r) => {
            r.responses.iter().map(|r| r.error_code).collect::<Vec<_>>()
        }
        other => panic!("wrong response type {other:?}"),
    };
    let first = alter(
        2,
        "tuned",
        vec![
            op("retention.ms", 0, Some("5000")),
            op("cleanup.policy", 2, Some("compact")),
        ],
    );
    assert_eq!(
        codes(call(&mut stream, ApiKey::IncrementalAlterConfigs, 1, first).await),
        [0]
    );
    let second = alter(
        2,
        "tuned",
        vec![
            op("cleanup.policy", 3, Some("delete")),
            op("retention.ms", 1, None),
        ],
    );
    assert_eq!(
        codes(call(&mut stream, ApiKey::IncrementalAlterConfigs, 1, second).await),
        [0]
    );
    let not_a_list = alter(2, "tuned", vec![op("retention.ms", 2, Some("1"))]);
    assert_eq!(
        codes(call(&mut stream, ApiKey::IncrementalAlterConfigs, 1, not_a_list).await),
        [40]
    );
    let static_only = alter(4, "1", vec![op("num.partitions", 0, Some("4"))]);
    assert_eq!(
        codes(call(&mut stream, ApiKey::IncrementalAlterConfigs, 1, static_only).await),
        [40]
    );
    let dynamic_default = alter(4, "", vec![op("log.retention.bytes", 0, Some("1048576"))]);
    assert_eq!(
        codes(
            call(
                &mut stream,
                ApiKey::IncrementalAlterConfigs,
                1,
                dynamic_default
            )
            .await
        ),
        [0]
    );

    let describe = DescribeConfigsRequest::default().with_resources(vec![
        DescribeConfigsResource::default()
            .with_resource_type(2)
            .with_resource_name(StrBytes::from_static_str("tuned")),
        DescribeConfigsResource::default()
            .with_resource_type(4)
            .with_resource_name(StrBytes::from_static_str("")),
    ]);
    let ResponseKind::DescribeConfigs(described) = call(
        &mut stream,
        ApiKey::DescribeConfigs,
        4,
        RequestKind::DescribeConfigs(describe),
    )
    .await
    else {
        panic!("wrong response type")
    };
    let entry = |name: &str| {
        described.results[0]
            .configs
            .iter()
            .find(|c| c.name.as_str() == name)
            .expect("listed")
            .clone()
    };
    assert_eq!(
        entry("cleanup.policy").value.as_ref().map(|v| v.as_str()),
        Some("compact")
    );
    assert_eq!(
        entry("retention.ms").config_source,
        5,
        "deleted override falls back to the default"
    );
    let retention_bytes = entry("retention.bytes");
    assert_eq!(
        (
            retention_bytes.value.as_ref().map(|v| v.as_str()),
            retention_bytes.config_source
        ),
        (Some("1048576"), 3)
    );
    let cluster_defaults = &described.results[1].configs;
    assert_eq!(cluster_defaults.len(), 1);
    assert_eq!(
        (
            cluster_defaults[0].name.as_str(),
            cluster_defaults[0].config_source
        ),
        ("log.retention.bytes", 3)
    );
    broker.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn malformed_body_closes_the_connection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &[]).await;
    let mut stream = connect(&broker).await;
    // CreateTopics v7 header (v2) followed by a body that ends in the middle of the topic array.
    let mut frame = BytesMut::new();
    frame.put_i16(19);
    frame.put_i16(7);
    frame.put_i32(5);
    frame.put_i16(-1);
    frame.put_u8(0);
    frame.put_u8(9); // compact array of 8 topics, none of which follows
    let mut wire = BytesMut::new();
    wire.put_i32(frame.len() as i32);
    wire.put_slice(&frame);
    stream.write_all(&wire).await.expect("write");
    assert_closed(&mut stream).await;
    broker.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn shutdown_answers_the_request_in_flight_before_closing() {
    use fetch_request::{FetchPartition, FetchTopic};
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &[]).await;
    let mut stream = connect(&broker).await;
    call(
        &mut stream,
        ApiKey::CreateTopics,
        7,
        create_request(vec![creatable("quiet", &[])], false),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    // A long-poll fetch on an empty partition: in flight until max_wait_ms passes.
    let fetch = FetchRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_max_wait_ms(1500)
        .with_min_bytes(1)
        .with_max_bytes(1 << 20)
        .with_session_epoch(-1)
        .with_topics(vec![FetchTopic::default()
            .with_topic(topic("quiet"))
            .with_partitions(vec![FetchPartition::default()
                .with_partition(0)
                .with_fetch_offset(0)
                .with_partition_max_bytes(1 << 20)])]);
    stream
        .write_all(&request_bytes(
            ApiKey::Fetch,
            12,
            77,
            RequestKind::Fetch(fetch),
        ))
        .await
        .expect("write");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let shutdown = tokio::spawn(broker.shutdown());
    let mut frame = read_frame(&mut stream)
        .await
        .expect("the in-flight fetch is answered");
    assert_eq!(frame.get_i32(), 77);
    assert_closed(&mut stream).await;
    shutdown.await.expect("task").expect("clean shutdown");
}

#[tokio::test]
async fn max_connections_holds_new_connections_until_a_slot_frees() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path(), &["max.connections=1"]).await;
    let mut first = connect(&broker).await;
    call(
        &mut first,
        ApiKey::ApiVersions,
        0,
        RequestKind::ApiVersions(ApiVersionsRequest::default()),
    )
    .await;
    let mut second = connect(&broker).await;
    second
        .write_all(&request_bytes(
            ApiKey::ApiVersions,
            0,
            9,
            RequestKind::ApiVersions(ApiVersionsRequest::default()),
        ))
        .await
        .expect("write");
    let mut prefix = [0u8; 4];
    let early =
        tokio::time::timeout(Duration::from_millis(300), second.read_exact(&mut prefix)).await;
    assert!(
        early.is_err(),
        "the second connection must wait while the first holds the only slot"
    );
    drop(first);
    let mut frame = read_frame(&mut second)
        .await
        .expect("served once the slot is free");
    assert_eq!(frame.get_i32(), 9);
    broker.shutdown().await.expect("clean shutdown");
}
