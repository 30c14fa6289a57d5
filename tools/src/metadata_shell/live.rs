//! `--bootstrap-server`: the live image of a running node, rebuilt from Kafka API answers (never
//! from the node's files):
//!
//! | subtree | from |
//! |---|---|
//! | `/image/provenance` | DescribeQuorum: high watermark − 1 and leader epoch; time = when read |
//! | `/image/features` | ApiVersions v3 finalized features |
//! | `/image/cluster/brokers` | DescribeCluster (fenced brokers included); epoch, incarnation id, supported features and directories are not on the wire and print as -1 / zero ids / empty |
//! | `/image/topics` | Metadata (all topics, ids, partitions: replicas, ISR, leader, leader epoch); partition epochs are not on the wire and print as -1 |
//! | `/image/configs` | DescribeConfigs of every topic, every broker and the cluster default, keeping only dynamic values (sources TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG) |
//!
//! Producer ids, client quotas, ACLs, SCRAM, delegation tokens and controller registrations
//! have no describe API that returns image state, so those subtrees are left out in this mode.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::describe_quorum_request::{PartitionData, TopicData};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, DescribeClusterRequest, DescribeConfigsRequest,
    DescribeQuorumRequest, MetadataRequest, RequestKind, ResponseKind, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use strata_controller::{
    BrokerRegistration, Endpoint, MetadataImage, PartitionRegistration, TopicImage,
};
use uuid::Uuid;

use super::image::{Provenance, ShellImage};
use crate::metadata_quorum::connection::{Connection, ConnectionError};

/// Subtrees of `/image` this mode cannot fill (removed from the tree so `ls` does not show
/// empty stand-ins).
pub(crate) const UNAVAILABLE_SUBTREES: [&str; 5] = [
    "producerIds",
    "clientQuotas",
    "acls",
    "scram",
    "delegationToken",
];

const CONFIG_SOURCE_TOPIC: i8 = 1;
const CONFIG_SOURCE_DYNAMIC_BROKER: i8 = 2;
const CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER: i8 = 3;
const RESOURCE_TOPIC: i8 = 2;
const RESOURCE_BROKER: i8 = 4;

/// Why the live image could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LiveError {
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    #[error("{api:?} answered error code {code}{message}")]
    Kafka {
        api: ApiKey,
        code: i16,
        message: String,
    },
    #[error("{api:?} got an unexpected response")]
    Unexpected { api: ApiKey },
}

fn check(api: ApiKey, code: i16, message: Option<&StrBytes>) -> Result<(), LiveError> {
    if code == 0 {
        return Ok(());
    }
    Err(LiveError::Kafka {
        api,
        code,
        message: message
            .map(|m| format!(": {}", m.as_str()))
            .unwrap_or_default(),
    })
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn features(connection: &mut Connection) -> Result<BTreeMap<String, i16>, LiveError> {
    let api = ApiKey::ApiVersions;
    let request = ApiVersionsRequest::default()
        .with_client_software_name(StrBytes::from_static_str("strata-metadata-shell"))
        .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
    let ResponseKind::ApiVersions(r) =
        connection.send(api, 3, RequestKind::ApiVersions(request))?
    else {
        return Err(LiveError::Unexpected { api });
    };
    check(api, r.error_code, None)?;
    Ok(r.finalized_features
        .iter()
        .map(|f| (f.name.to_string(), f.max_version_level))
        .collect())
}

fn brokers(connection: &mut Connection) -> Result<BTreeMap<i32, BrokerRegistration>, LiveError> {
    let api = ApiKey::DescribeCluster;
    let request = DescribeClusterRequest::default().with_include_fenced_brokers(true);
    let ResponseKind::DescribeCluster(r) =
        connection.send(api, 2, RequestKind::DescribeCluster(request))?
    else {
        return Err(LiveError::Unexpected { api });
    };
    check(api, r.error_code, r.error_message.as_ref())?;
    Ok(r.brokers
        .iter()
        .map(|b| {
            (
                b.broker_id.0,
                BrokerRegistration {
                    id: b.broker_id.0,
                    epoch: -1,
                    incarnation_id: Uuid::nil(),
                    listeners: vec![Endpoint {
                        // DescribeCluster answers with the listener the request came in on.
                        name: "PLAINTEXT".to_string(),
                        host: b.host.to_string(),
                        port: u16::try_from(b.port).unwrap_or(0),
                        security_protocol: 0,
                    }],
                    rack: b.rack.as_ref().map(|r| r.to_string()),
                    fenced: b.is_fenced,
                    in_controlled_shutdown: false,
                    supported_features: Vec::new(),
                    log_dirs: Vec::new(),
                },
            )
        })
        .collect())
}

fn topics(connection: &mut Connection) -> Result<Vec<TopicImage>, LiveError> {
    let api = ApiKey::Metadata;
    let request = MetadataRequest::default().with_topics(None);
    let ResponseKind::Metadata(r) = connection.send(api, 12, RequestKind::Metadata(request))?
    else {
        return Err(LiveError::Unexpected { api });
    };
    let mut out = Vec::new();
    for t in &r.topics {
        check(api, t.error_code, None)?;
        let Some(name) = &t.name else { continue };
        let partitions = t
            .partitions
            .iter()
            .map(|p| {
                (
                    p.partition_index,
                    PartitionRegistration {
                        replicas: p.replica_nodes.iter().map(|b| b.0).collect(),
                        isr: p.isr_nodes.iter().map(|b| b.0).collect(),
                        removing_replicas: Vec::new(),
                        adding_replicas: Vec::new(),
                        leader: p.leader_id.0,
                        leader_recovery_state: 0,
                        leader_epoch: p.leader_epoch,
                        partition_epoch: -1,
                        directories: Vec::new(),
                    },
                )
            })
            .collect();
        out.push(TopicImage {
            name: name.0.to_string(),
            id: t.topic_id,
            partitions,
        });
    }
    Ok(out)
}

type ConfigMap = BTreeMap<String, BTreeMap<String, String>>;

fn configs(
    connection: &mut Connection,
    topics: &[TopicImage],
    brokers: &BTreeMap<i32, BrokerRegistration>,
) -> Result<(ConfigMap, ConfigMap), LiveError> {
    let api = ApiKey::DescribeConfigs;
    let mut resources: Vec<DescribeConfigsResource> = topics
        .iter()
        .map(|t| {
            DescribeConfigsResource::default()
                .with_resource_type(RESOURCE_TOPIC)
                .with_resource_name(StrBytes::from_string(t.name.clone()))
        })
        .collect();
    for name in std::iter::once(String::new()).chain(brokers.keys().map(i32::to_string)) {
        resources.push(
            DescribeConfigsResource::default()
                .with_resource_type(RESOURCE_BROKER)
                .with_resource_name(StrBytes::from_string(name)),
        );
    }
    let request = DescribeConfigsRequest::default().with_resources(resources);
    let ResponseKind::DescribeConfigs(r) =
        connection.send(api, 4, RequestKind::DescribeConfigs(request))?
    else {
        return Err(LiveError::Unexpected { api });
    };
    let mut topic_configs = ConfigMap::new();
    let mut broker_configs = ConfigMap::new();
    for result in &r.results {
        check(api, result.error_code, result.error_message.as_ref())?;
        let name = result.resource_name.to_string();
        let wanted = match (result.resource_type, name.is_empty()) {
            (RESOURCE_TOPIC, _) => CONFIG_SOURCE_TOPIC,
            (RESOURCE_BROKER, true) => CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER,
            _ => CONFIG_SOURCE_DYNAMIC_BROKER,
        };
        let keys: BTreeMap<String, String> = result
            .configs
            .iter()
            .filter(|c| c.config_source == wanted)
            .filter_map(|c| Some((c.name.to_string(), c.value.as_ref()?.to_string())))
            .collect();
        if keys.is_empty() {
            continue;
        }
        if result.resource_type == RESOURCE_TOPIC {
            topic_configs.insert(name, keys);
        } else {
            broker_configs.insert(name, keys);
        }
    }
    Ok((topic_configs, broker_configs))
}

fn provenance(connection: &mut Connection) -> Result<Provenance, LiveError> {
    let api = ApiKey::DescribeQuorum;
    let request = DescribeQuorumRequest::default().with_topics(vec![TopicData::default()
        .with_topic_name(TopicName(StrBytes::from_static_str("__cluster_metadata")))
        .with_partitions(vec![PartitionData::default().with_partition_index(0)])]);
    let ResponseKind::DescribeQuorum(r) =
        connection.send(api, 2, RequestKind::DescribeQuorum(request))?
    else {
        return Err(LiveError::Unexpected { api });
    };
    check(api, r.error_code, r.error_message.as_ref())?;
    let partition = r
        .topics
        .iter()
        .flat_map(|t| t.partitions.iter())
        .next()
        .ok_or(LiveError::Unexpected { api })?;
    check(api, partition.error_code, partition.error_message.as_ref())?;
    Ok(Provenance {
        offset: partition.high_watermark - 1,
        epoch: partition.leader_epoch,
        time_ms: now_ms(),
    })
}

/// Reads the live image of the node at `server`.
pub(crate) fn load_live(server: &str) -> Result<ShellImage, LiveError> {
    let mut connection = Connection::connect(server)?;
    let features = features(&mut connection)?;
    let brokers = brokers(&mut connection)?;
    let topic_list = topics(&mut connection)?;
    let (topic_configs, broker_configs) = configs(&mut connection, &topic_list, &brokers)?;
    let provenance = provenance(&mut connection)?;
    let mut image = MetadataImage::empty("");
    image.offset = provenance.offset;
    image.epoch = provenance.epoch;
    image.features = features;
    image.brokers = brokers;
    for topic in topic_list {
        let topic = Arc::new(topic);
        image
            .topics
            .by_name
            .insert(topic.name.clone(), Arc::clone(&topic));
        image.topics.by_id.insert(topic.id, topic);
    }
    image.configs.topics = topic_configs;
    image.configs.brokers = broker_configs;
    let mut shell = ShellImage::from_base(Arc::new(image), provenance);
    shell.live = true;
    Ok(shell)
}
