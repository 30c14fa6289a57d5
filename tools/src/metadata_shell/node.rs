//! The shell's virtual file system, laid out as Kafka 3.6+ lays it out (`RootShellNode`,
//! `LocalShellNode` and `metadata/.../image/node/*Node.java`), with leaf strings exactly as
//! Kafka's `toString()` methods print them.
//!
//! The tree is built once per image: directories are sorted maps, leaves are the strings `cat`
//! prints. Kafka sorts children wherever it lists them, so a sorted map loses nothing.

use std::collections::BTreeMap;

use strata_controller::{BrokerRegistration, Endpoint, PartitionRegistration, TopicImage};
use strata_storage::uuid_to_kafka_string;
use uuid::Uuid;

use super::extra_records::{Acl, ControllerRegistration, DelegationToken};
use super::image::{PartitionExtras, ScramData, ShellImage};
use super::kafka_names::{
    acl_operation, acl_permission_type, config_resource_type, java_double, metadata_version,
    pattern_type, resource_type, scram_mechanisms, security_protocol, utc_iso_zoned,
    zk_migration_state,
};

/// A node of the tree: a directory of named children, or a file with printable contents.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// Children by name.
    Dir(BTreeMap<String, Node>),
    /// What `cat` prints.
    Leaf(String),
}

impl Node {
    /// True for directories.
    pub(crate) fn is_dir(&self) -> bool {
        matches!(self, Node::Dir(_))
    }

    /// The child called `name`, if this is a directory that has one.
    pub(crate) fn child(&self, name: &str) -> Option<&Node> {
        match self {
            Node::Dir(children) => children.get(name),
            Node::Leaf(_) => None,
        }
    }

    /// Child names in Kafka's order (`String::compareTo`, which for these names is byte order).
    pub(crate) fn child_names(&self) -> Vec<&str> {
        match self {
            Node::Dir(children) => children.keys().map(String::as_str).collect(),
            Node::Leaf(_) => Vec::new(),
        }
    }
}

fn dir<I: IntoIterator<Item = (String, Node)>>(children: I) -> Node {
    Node::Dir(children.into_iter().collect())
}

fn leaf(text: impl Into<String>) -> Node {
    Node::Leaf(text.into())
}

/// `uuid.toString()` of Kafka: URL-safe base64 without padding.
pub(crate) fn kafka_uuid(id: &Uuid) -> String {
    uuid_to_kafka_string(*id)
}

/// Kafka's `Uuid.compareTo`: most significant bits, then least, both as signed longs.
fn kafka_uuid_order(id: &Uuid) -> (i64, i64) {
    let (msb, lsb) = id.as_u64_pair();
    (msb as i64, lsb as i64)
}

/// The whole tree of `image`: `/local` and `/image`.
pub(crate) fn root(image: &ShellImage) -> Node {
    dir([
        ("local".to_string(), local()),
        ("image".to_string(), image_node(image)),
    ])
}

fn local() -> Node {
    dir([
        (
            "version".to_string(),
            leaf(env!("CARGO_PKG_VERSION").to_string()),
        ),
        (
            "commitId".to_string(),
            leaf(option_env!("STRATA_COMMIT_ID").unwrap_or("unknown")),
        ),
    ])
}

fn image_node(image: &ShellImage) -> Node {
    let p = image.provenance;
    let node = dir([
        (
            "provenance".to_string(),
            leaf(format!(
                "offset {}, epoch {}, time {}",
                p.offset,
                p.epoch,
                utc_iso_zoned(p.time_ms)
            )),
        ),
        ("features".to_string(), features(image)),
        ("cluster".to_string(), cluster(image)),
        ("topics".to_string(), topics(image)),
        ("configs".to_string(), configs(image)),
        ("clientQuotas".to_string(), client_quotas(image)),
        ("producerIds".to_string(), producer_ids(image)),
        // Kafka maps "acls" straight to the by-id node.
        (
            "acls".to_string(),
            dir(image
                .acls
                .iter()
                .map(|(id, acl)| (kafka_uuid(id), leaf(acl_string(acl))))),
        ),
        ("scram".to_string(), scram(image)),
        ("delegationToken".to_string(), delegation_tokens(image)),
    ]);
    match node {
        Node::Dir(mut children) if image.live => {
            for name in super::live::UNAVAILABLE_SUBTREES {
                children.remove(name);
            }
            if let Some(Node::Dir(cluster)) = children.get_mut("cluster") {
                cluster.remove("controllers");
            }
            Node::Dir(children)
        }
        other => other,
    }
}

fn features(image: &ShellImage) -> Node {
    let features = &image.base.features;
    let mut children = vec![
        (
            "metadataVersion".to_string(),
            leaf(metadata_version(
                features
                    .get(strata_controller::image::METADATA_VERSION_FEATURE)
                    .copied(),
            )),
        ),
        (
            "zkMigrationState".to_string(),
            leaf(zk_migration_state(image.zk_migration_state)),
        ),
    ];
    for (name, level) in features {
        if name != strata_controller::image::METADATA_VERSION_FEATURE {
            children.push((format!("finalized_{name}"), leaf(level.to_string())));
        }
    }
    dir(children)
}

fn endpoint_string(name: &str, protocol: i16, host: &str, port: u16) -> String {
    format!(
        "Endpoint(listenerName='{name}', securityProtocol={}, host='{host}', port={port})",
        security_protocol(protocol)
    )
}

fn listeners_string(listeners: &[Endpoint]) -> String {
    let mut sorted: Vec<&Endpoint> = listeners.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    sorted
        .iter()
        .map(|e| endpoint_string(&e.name, e.security_protocol, &e.host, e.port))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Kafka's `VersionRange.toString`.
fn version_range(min: i16, max: i16) -> String {
    if min == max {
        min.to_string()
    } else if max == i16::MAX {
        format!("{min}+")
    } else {
        format!("{min}-{max}")
    }
}

fn features_string(features: &BTreeMap<String, (i16, i16)>) -> String {
    features
        .iter()
        .map(|(name, (min, max))| format!("{name}: {}", version_range(*min, *max)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Kafka's `Optional<String>.toString`.
fn java_optional(value: Option<&str>) -> String {
    match value {
        Some(v) => format!("Optional[{v}]"),
        None => "Optional.empty".to_string(),
    }
}

/// Kafka's `BrokerRegistration.toString`.
pub(crate) fn broker_string(b: &BrokerRegistration, image: &ShellImage) -> String {
    let extras = image.broker_extras.get(&b.id).cloned().unwrap_or_default();
    let mut directories = extras.directories.clone();
    directories.sort_by_key(kafka_uuid_order);
    format!(
        "BrokerRegistration(id={}, epoch={}, incarnationId={}, listeners=[{}], supportedFeatures={{{}}}, rack={}, fenced={}, inControlledShutdown={}, isMigratingZkBroker={}, directories=[{}])",
        b.id,
        b.epoch,
        kafka_uuid(&b.incarnation_id),
        listeners_string(&b.listeners),
        features_string(&extras.features),
        java_optional(b.rack.as_deref()),
        b.fenced,
        b.in_controlled_shutdown,
        extras.is_migrating_zk_broker,
        directories.iter().map(kafka_uuid).collect::<Vec<_>>().join(", ")
    )
}

/// Kafka's `ControllerRegistration.toString`.
fn controller_string(c: &ControllerRegistration) -> String {
    let mut endpoints = c.endpoints.clone();
    endpoints.sort_by(|a, b| a.name.cmp(&b.name));
    let features: BTreeMap<String, (i16, i16)> = c
        .features
        .iter()
        .map(|(n, min, max)| (n.clone(), (*min, *max)))
        .collect();
    format!(
        "ControllerRegistration(id={}, incarnationId={}, zkMigrationReady={}, listeners=[{}], supportedFeatures={{{}}})",
        c.id,
        kafka_uuid(&c.incarnation_id),
        c.zk_migration_ready,
        endpoints
            .iter()
            .map(|e| endpoint_string(&e.name, e.security_protocol, &e.host, e.port))
            .collect::<Vec<_>>()
            .join(", "),
        features_string(&features)
    )
}

fn cluster(image: &ShellImage) -> Node {
    dir([
        (
            "brokers".to_string(),
            dir(image
                .base
                .brokers
                .values()
                .map(|b| (b.id.to_string(), leaf(broker_string(b, image))))),
        ),
        (
            "controllers".to_string(),
            dir(image
                .controllers
                .values()
                .map(|c| (c.id.to_string(), leaf(controller_string(c))))),
        ),
    ])
}

fn int_array(values: &[i32]) -> String {
    format!(
        "[{}]",
        values
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Kafka's `PartitionRegistration.toString`. A partition without directories shows one
/// `DirectoryId.MIGRATING` (the zero uuid) per replica, as Kafka's constructor fills them in.
pub(crate) fn partition_string(p: &PartitionRegistration, extras: &PartitionExtras) -> String {
    let directories = extras.directories.as_ref().unwrap_or(&p.directories);
    let directories: Vec<Uuid> = if directories.iter().all(Uuid::is_nil) {
        vec![Uuid::nil(); p.replicas.len()]
    } else {
        directories.clone()
    };
    format!(
        "PartitionRegistration(replicas={}, directories=[{}], isr={}, removingReplicas={}, addingReplicas={}, elr={}, lastKnownElr={}, leader={}, leaderRecoveryState={}, leaderEpoch={}, partitionEpoch={})",
        int_array(&p.replicas),
        directories.iter().map(kafka_uuid).collect::<Vec<_>>().join(", "),
        int_array(&p.isr),
        int_array(&p.removing_replicas),
        int_array(&p.adding_replicas),
        int_array(&extras.elr),
        int_array(&extras.last_known_elr),
        p.leader,
        if p.leader_recovery_state == 1 { "RECOVERING" } else { "RECOVERED" },
        p.leader_epoch,
        p.partition_epoch
    )
}

fn topic_node(topic: &TopicImage, image: &ShellImage) -> Node {
    let mut children = vec![
        ("name".to_string(), leaf(topic.name.clone())),
        ("id".to_string(), leaf(kafka_uuid(&topic.id))),
    ];
    let none = PartitionExtras::default();
    for (index, partition) in &topic.partitions {
        let extras = image
            .partition_extras
            .get(&(topic.id, *index))
            .unwrap_or(&none);
        children.push((index.to_string(), leaf(partition_string(partition, extras))));
    }
    dir(children)
}

fn topics(image: &ShellImage) -> Node {
    let topics = &image.base.topics;
    dir([
        (
            "byName".to_string(),
            dir(topics
                .by_name
                .iter()
                .map(|(name, t)| (name.clone(), topic_node(t, image)))),
        ),
        (
            "byId".to_string(),
            dir(topics
                .by_id
                .iter()
                .map(|(id, t)| (kafka_uuid(id), topic_node(t, image)))),
        ),
    ])
}

fn config_dir(type_id: i8, name: &str, keys: &BTreeMap<String, String>) -> (String, Node) {
    let type_name = config_resource_type(type_id);
    let dir_name = if name.is_empty() {
        type_name.to_string()
    } else {
        format!("{type_name}:{name}")
    };
    (
        dir_name,
        dir(keys.iter().map(|(k, v)| (k.clone(), leaf(v.clone())))),
    )
}

fn configs(image: &ShellImage) -> Node {
    use strata_controller::records::config_resource_type as t;
    let configs = &image.base.configs;
    let mut children = Vec::new();
    for (name, keys) in &configs.topics {
        children.push(config_dir(t::TOPIC, name, keys));
    }
    for (name, keys) in &configs.brokers {
        children.push(config_dir(t::BROKER, name, keys));
    }
    for ((type_id, name), keys) in &image.other_configs {
        children.push(config_dir(*type_id, name, keys));
    }
    dir(children)
}

/// Kafka's `ClientQuotasImageNode.escape`.
fn escape_quota(input: &str) -> String {
    input
        .replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}

/// Kafka's `clientQuotaEntityToString`: clientId, ip, user, in that order; default (null)
/// names are left out, as Kafka's code leaves them out.
pub(crate) fn quota_entity_string(entity: &[(String, Option<String>)]) -> String {
    let find = |kind: &str| {
        entity
            .iter()
            .find(|(t, _)| t == kind)
            .and_then(|(_, n)| n.clone())
    };
    let mut parts = Vec::new();
    for (kind, label) in [("client-id", "clientId"), ("ip", "ip"), ("user", "user")] {
        if let Some(name) = find(kind) {
            parts.push(format!("{label}({})", escape_quota(&name)));
        }
    }
    parts.join("_")
}

fn client_quotas(image: &ShellImage) -> Node {
    dir(image.client_quotas.iter().map(|(entity, quotas)| {
        (
            quota_entity_string(entity),
            dir(quotas
                .iter()
                .map(|(k, v)| (k.clone(), leaf(java_double(*v))))),
        )
    }))
}

fn producer_ids(image: &ShellImage) -> Node {
    // Kafka's empty ProducerIdsImage has nextProducerId -1; Strata's empty image has 0.
    let next = if image.base.next_producer_id == 0 {
        -1
    } else {
        image.base.next_producer_id
    };
    dir([("nextProducerId".to_string(), leaf(next.to_string()))])
}

/// Kafka's `StandardAcl.toString`.
fn acl_string(acl: &Acl) -> String {
    format!(
        "StandardAcl(resourceType={}, resourceName={}, patternType={}, principal={}, host={}, operation={}, permissionType={})",
        resource_type(acl.resource_type),
        acl.resource_name,
        pattern_type(acl.pattern_type),
        acl.principal,
        acl.host,
        acl_operation(acl.operation),
        acl_permission_type(acl.permission_type)
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Kafka's `ScramCredentialDataNode` with redaction disabled (the shell's printer).
fn scram_string(d: &ScramData) -> String {
    format!(
        "ScramCredentialData(salt={}, storedKey={}, serverKey={}, iterations={})",
        hex(&d.salt),
        hex(&d.stored_key),
        hex(&d.server_key),
        d.iterations
    )
}

fn scram(image: &ShellImage) -> Node {
    dir(scram_mechanisms().iter().map(|(id, name)| {
        let users = image.scram.get(id).cloned().unwrap_or_default();
        (
            name.to_string(),
            dir(users
                .iter()
                .map(|(user, data)| (user.clone(), leaf(scram_string(data))))),
        )
    }))
}

/// Kafka's `DelegationTokenDataNode` with redaction disabled, parentheses and all.
fn token_string(t: &DelegationToken) -> String {
    format!(
        "DelegationTokenDatatokenId={}(owner={}(tokenRequester={}(renewers={}, issueTimestamp={}, maxTimestamp={}), expiryTimestamp={}",
        t.token_id,
        t.owner,
        t.requester,
        t.renewers.join(" "),
        t.issue_timestamp,
        t.max_timestamp,
        t.expiration_timestamp
    )
}

fn delegation_tokens(image: &ShellImage) -> Node {
    dir(image
        .delegation_tokens
        .iter()
        .map(|(id, t)| (id.clone(), leaf(token_string(t)))))
}
