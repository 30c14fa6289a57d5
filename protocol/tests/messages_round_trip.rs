//! Every kafka-protocol request and response type the broker uses round-trips at every version
//! it supports (encode → decode → equal, every byte consumed), both default-constructed and
//! populated from random values. This pins the behaviour of the generated codecs we depend on.

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use strata_protocol::kafka_protocol::messages::*;
use strata_protocol::kafka_protocol::protocol::{Decodable, Encodable, Message, StrBytes};
use uuid::Uuid;

/// Round-trips `value` at every version of `T`; returns how many versions encoded.
///
/// With `strict`, every version must encode and decode to an equal value (default values). Without
/// it (populated values), a version that cannot carry a set field may refuse to encode, and
/// versions that silently drop an "ignorable" field (Kafka's generator semantics; e.g. Produce
/// v13 carries topic ids, not names) must still decode to a value that re-encodes to the same
/// bytes. Returns how many versions gave back an equal value.
fn round_trip<T>(value: &T, strict: bool) -> usize
where
    T: Encodable + Decodable + Message + PartialEq + std::fmt::Debug,
{
    let name = std::any::type_name::<T>();
    let mut equal_versions = 0;
    for version in T::VERSIONS.min..=T::VERSIONS.max {
        let mut buf = BytesMut::new();
        if let Err(e) = value.encode(&mut buf, version) {
            assert!(!strict, "{name} v{version} failed to encode: {e}");
            continue;
        }
        assert_eq!(
            value.compute_size(version).expect("size"),
            buf.len(),
            "{name} compute_size v{version}"
        );
        let encoded = buf.freeze();
        let mut bytes = encoded.clone();
        let decoded = T::decode(&mut bytes, version)
            .unwrap_or_else(|e| panic!("{name} v{version} failed to decode: {e}"));
        assert!(
            bytes.is_empty(),
            "{name} v{version} left {} bytes",
            bytes.len()
        );
        if strict {
            assert_eq!(&decoded, value, "{name} v{version}");
        } else {
            let mut again = BytesMut::new();
            decoded.encode(&mut again, version).expect("re-encode");
            assert_eq!(
                &again[..],
                &encoded[..],
                "{name} v{version} re-encodes differently"
            );
        }
        if &decoded == value {
            equal_versions += 1;
        }
    }
    equal_versions
}

macro_rules! defaults_round_trip {
    ($($t:ty),* $(,)?) => {$(
        assert_eq!(
            round_trip(&<$t>::default(), true) as i16,
            <$t as Message>::VERSIONS.max - <$t as Message>::VERSIONS.min + 1
        );
    )*};
}

#[test]
fn default_messages_round_trip_at_every_version() {
    defaults_round_trip!(
        ApiVersionsRequest,
        ApiVersionsResponse,
        MetadataRequest,
        MetadataResponse,
        ProduceRequest,
        ProduceResponse,
        FetchRequest,
        FetchResponse,
        ListOffsetsRequest,
        ListOffsetsResponse,
        CreateTopicsRequest,
        CreateTopicsResponse,
        DeleteTopicsRequest,
        DeleteTopicsResponse,
        CreatePartitionsRequest,
        CreatePartitionsResponse,
        DescribeConfigsRequest,
        DescribeConfigsResponse,
        AlterConfigsRequest,
        AlterConfigsResponse,
        IncrementalAlterConfigsRequest,
        IncrementalAlterConfigsResponse,
        DescribeClusterRequest,
        DescribeClusterResponse,
        DescribeTopicPartitionsRequest,
        DescribeTopicPartitionsResponse,
        DeleteRecordsRequest,
        DeleteRecordsResponse,
        OffsetForLeaderEpochRequest,
        OffsetForLeaderEpochResponse,
        DescribeLogDirsRequest,
        DescribeLogDirsResponse,
        InitProducerIdRequest,
        InitProducerIdResponse,
        DescribeProducersRequest,
        DescribeProducersResponse,
        GetTelemetrySubscriptionsRequest,
        GetTelemetrySubscriptionsResponse,
    );
}

/// Random scalars the populated instances are built from.
#[derive(Debug, Clone)]
struct Knobs {
    int: i32,
    long: i64,
    short: i16,
    flag: bool,
    name: String,
    id: Uuid,
}

fn knobs() -> impl Strategy<Value = Knobs> {
    (
        any::<i32>(),
        any::<i64>(),
        any::<i16>(),
        any::<bool>(),
        "[a-zA-Z0-9._-]{1,20}",
        any::<u128>(),
    )
        .prop_map(|(int, long, short, flag, name, id)| Knobs {
            int,
            long,
            short,
            flag,
            name,
            id: Uuid::from_u128(id),
        })
}

fn s(v: &str) -> StrBytes {
    StrBytes::from_string(v.to_owned())
}

fn topic(v: &str) -> TopicName {
    TopicName(s(v))
}

/// Asserts that `value` round-trips at every version that can carry it, and at least one can.
fn populated<T>(value: T)
where
    T: Encodable + Decodable + Message + PartialEq + std::fmt::Debug,
{
    assert!(
        round_trip(&value, false) > 0,
        "{} round-tripped at no version",
        std::any::type_name::<T>()
    );
}

fn metadata(k: &Knobs) {
    populated(MetadataRequest::default().with_topics(Some(vec![
        metadata_request::MetadataRequestTopic::default().with_name(Some(topic(&k.name))),
    ])));
    populated(MetadataRequest::default().with_topics(Some(vec![
        metadata_request::MetadataRequestTopic::default().with_topic_id(k.id),
    ])));
    populated(
        MetadataResponse::default()
            .with_brokers(vec![metadata_response::MetadataResponseBroker::default()
                .with_node_id(BrokerId(k.int))
                .with_host(s(&k.name))
                .with_port(9092)])
            .with_topics(vec![metadata_response::MetadataResponseTopic::default()
                .with_name(Some(topic(&k.name)))
                .with_error_code(k.short)
                .with_partitions(vec![
                    metadata_response::MetadataResponsePartition::default()
                        .with_partition_index(k.int)
                        .with_leader_id(BrokerId(1))
                        .with_replica_nodes(vec![BrokerId(1), BrokerId(2)])
                        .with_isr_nodes(vec![BrokerId(1)]),
                ])]),
    );
}

fn produce(k: &Knobs) {
    populated(
        ProduceRequest::default()
            .with_acks(-1)
            .with_timeout_ms(k.int)
            .with_topic_data(vec![produce_request::TopicProduceData::default()
                .with_name(topic(&k.name))
                .with_partition_data(vec![
                    produce_request::PartitionProduceData::default()
                        .with_index(k.int)
                        .with_records(Some(Bytes::from(k.name.clone().into_bytes()))),
                ])]),
    );
    populated(
        ProduceResponse::default()
            .with_throttle_time_ms(k.int)
            .with_responses(vec![produce_response::TopicProduceResponse::default()
                .with_name(topic(&k.name))
                .with_partition_responses(vec![
                    produce_response::PartitionProduceResponse::default()
                        .with_index(3)
                        .with_error_code(k.short)
                        .with_base_offset(k.long),
                ])]),
    );
}

fn fetch(k: &Knobs) {
    let partition = fetch_request::FetchPartition::default()
        .with_partition(k.int)
        .with_fetch_offset(k.long)
        .with_partition_max_bytes(1 << 20);
    populated(FetchRequest::default().with_max_wait_ms(500).with_topics(
        vec![fetch_request::FetchTopic::default()
        .with_topic(topic(&k.name))
        .with_partitions(vec![partition.clone()])],
    ));
    populated(FetchRequest::default().with_session_id(k.int).with_topics(
        vec![fetch_request::FetchTopic::default()
        .with_topic_id(k.id)
        .with_partitions(vec![partition])],
    ));
    populated(FetchResponse::default().with_responses(
        vec![fetch_response::FetchableTopicResponse::default()
            .with_topic(topic(&k.name))
            .with_partitions(vec![fetch_response::PartitionData::default()
                .with_partition_index(k.int)
                .with_high_watermark(k.long)
                .with_records(Some(Bytes::from_static(b"batch bytes")))])],
    ));
}

fn admin(k: &Knobs) {
    populated(ListOffsetsRequest::default().with_topics(
        vec![list_offsets_request::ListOffsetsTopic::default()
            .with_name(topic(&k.name))
            .with_partitions(vec![list_offsets_request::ListOffsetsPartition::default()
                .with_partition_index(k.int)
                .with_timestamp(k.long)])],
    ));
    populated(
        CreateTopicsRequest::default()
            .with_validate_only(k.flag)
            .with_topics(vec![create_topics_request::CreatableTopic::default()
                .with_name(topic(&k.name))
                .with_num_partitions(k.int)
                .with_replication_factor(k.short)
                .with_configs(vec![
                    create_topics_request::CreatableTopicConfig::default()
                        .with_name(s("retention.ms"))
                        .with_value(Some(s(&k.long.to_string()))),
                ])]),
    );
    populated(DescribeConfigsRequest::default().with_resources(
        vec![describe_configs_request::DescribeConfigsResource::default()
            .with_resource_type(2)
            .with_resource_name(s(&k.name))
            .with_configuration_keys(Some(vec![s("cleanup.policy")]))],
    ));
    populated(
        ApiVersionsResponse::default()
            .with_error_code(k.short)
            .with_api_keys(vec![api_versions_response::ApiVersion::default()
                .with_api_key(18)
                .with_min_version(0)
                .with_max_version(4)])
            .with_finalized_features_epoch(k.long),
    );
    populated(
        ApiVersionsRequest::default()
            .with_client_software_name(s(&k.name))
            .with_client_software_version(s("1.0")),
    );
    populated(
        InitProducerIdResponse::default()
            .with_producer_id(ProducerId(k.long))
            .with_producer_epoch(k.short),
    );
    populated(
        DescribeClusterResponse::default()
            .with_cluster_id(s(&k.name))
            .with_controller_id(BrokerId(k.int)),
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn populated_messages_round_trip_at_every_version_that_carries_them(k in knobs()) {
        metadata(&k);
        produce(&k);
        fetch(&k);
        admin(&k);
    }
}
