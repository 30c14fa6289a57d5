//! The table of broker properties: name, type, default, documentation, whether it can be changed
//! dynamically, and whether Strata honours it yet.
//!
//! Names, types and defaults are Kafka's (`KafkaConfig`, `ServerLogConfigs`, `SocketServerConfigs`),
//! except where Strata chooses a single-node friendly default (stated on the entry). Entries with
//! `honoured: false` are properties Kafka defines that Strata accepts, lists in DescribeConfigs and
//! otherwise ignores with a warning at startup, so an existing `server.properties` keeps working.

/// Kafka's config value types, with the codes DescribeConfigs v3+ reports (`ConfigType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigType {
    /// `true` / `false` (case-insensitive).
    Boolean,
    /// Any text.
    String,
    /// 32-bit signed integer.
    Int,
    /// 16-bit signed integer.
    Short,
    /// 64-bit signed integer.
    Long,
    /// Floating point.
    Double,
    /// Comma-separated list.
    List,
    /// A Java class name (accepted, never loaded).
    Class,
    /// A secret; never echoed back.
    Password,
}

impl ConfigType {
    /// The wire code of DescribeConfigs' `config_type` field.
    pub fn code(self) -> i8 {
        match self {
            ConfigType::Boolean => 1,
            ConfigType::String => 2,
            ConfigType::Int => 3,
            ConfigType::Short => 4,
            ConfigType::Long => 5,
            ConfigType::Double => 6,
            ConfigType::List => 7,
            ConfigType::Class => 8,
            ConfigType::Password => 9,
        }
    }
}

/// Extra constraint on a value beyond its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validator {
    /// Anything of the right type.
    Any,
    /// Numeric, `>= min`.
    AtLeast(i64),
    /// Numeric, `min <= v <= max`.
    Between(i64, i64),
    /// One of the listed strings (case-insensitive).
    OneOf(&'static [&'static str]),
}

/// How a broker synonym's value converts to the topic config it defaults (`ConfigSynonym` converters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SynonymUnit {
    /// Same unit as the topic config.
    Same,
    /// Broker value in minutes, topic value in milliseconds.
    MinutesToMs,
    /// Broker value in hours, topic value in milliseconds.
    HoursToMs,
}

/// One broker property.
#[derive(Debug, Clone, Copy)]
pub struct ConfigDef {
    /// Kafka's property name.
    pub name: &'static str,
    /// Value type.
    pub kind: ConfigType,
    /// Default as text; `None` = no default (null).
    pub default: Option<&'static str>,
    /// Constraint checked at load.
    pub validator: Validator,
    /// Whether Kafka lets this property change at runtime (DescribeConfigs `read_only = !dynamic`).
    pub dynamic: bool,
    /// Whether Strata acts on it; `false` = accepted with a warning.
    pub honoured: bool,
    /// The topic config this property supplies a default for, with the unit conversion.
    pub topic_synonym: Option<(&'static str, SynonymUnit)>,
    /// One-sentence documentation (DescribeConfigs `documentation`).
    pub doc: &'static str,
}

const fn def(
    name: &'static str,
    kind: ConfigType,
    default: Option<&'static str>,
    doc: &'static str,
) -> ConfigDef {
    ConfigDef {
        name,
        kind,
        default,
        validator: Validator::Any,
        dynamic: false,
        honoured: true,
        topic_synonym: None,
        doc,
    }
}

impl ConfigDef {
    const fn valid(mut self, validator: Validator) -> Self {
        self.validator = validator;
        self
    }
    const fn dynamic(mut self) -> Self {
        self.dynamic = true;
        self
    }
    const fn ignored(mut self) -> Self {
        self.honoured = false;
        self
    }
    const fn topic(mut self, topic: &'static str, unit: SynonymUnit) -> Self {
        self.topic_synonym = Some((topic, unit));
        self
    }
}

use ConfigType::{Boolean, Class, Double, Int, List, Long, Password, Short, String as Str};
use SynonymUnit::{HoursToMs, MinutesToMs, Same};
use Validator::{AtLeast, Between, OneOf};

const LONG_MAX: &str = "9223372036854775807";
const INT_MAX: &str = "2147483647";

/// Kafka's default `listener.security.protocol.map`.
pub(crate) const DEFAULT_SECURITY_PROTOCOL_MAP: &str =
    "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT";

/// Every broker property Strata accepts. Order is the order DescribeConfigs lists them in.
pub static BROKER_CONFIGS: &[ConfigDef] = &[
    // Node identity and roles.
    def("node.id", Int, Some("1"), "The node id of this server (Strata defaults to 1 for a single node).").valid(AtLeast(0)),
    def("broker.id", Int, Some("-1"), "Legacy alias of node.id; must equal node.id when both are set."),
    def("process.roles", List, Some("broker,controller"), "The roles this process plays: broker, controller, or both (combined mode, Strata's default)."),
    def("broker.rack", Str, None, "Rack of the broker, used in rack-aware replica placement.").ignored(),
    // Listeners.
    def("listeners", List, Some("PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"), "Listener URIs `NAME://host:port` this node binds; port 0 picks a free port."),
    // Read-only as in Kafka 4.0, whose DescribeConfigs reports it so (kafka-python's integration
    // suite checks this against real 4.0 brokers); Strata cannot re-advertise at runtime either.
    def("advertised.listeners", List, None, "Listener URIs published to clients; defaults to the bound non-controller listeners."),
    def("controller.listener.names", List, Some("CONTROLLER"), "Names of the listeners used by the controller quorum."),
    def("listener.security.protocol.map", Str, Some(DEFAULT_SECURITY_PROTOCOL_MAP), "Map of listener names to security protocols, `NAME:PROTOCOL,...`.").dynamic(),
    def("inter.broker.listener.name", Str, None, "Listener used for traffic between brokers.").ignored(),
    def("security.inter.broker.protocol", Str, Some("PLAINTEXT"), "Security protocol between brokers.").ignored(),
    def("controller.quorum.voters", List, Some(""), "Static voter set `id@host:port,...`; empty means `<node.id>@127.0.0.1:9093`."),
    def("controller.quorum.bootstrap.servers", List, Some(""), "Endpoints to discover the KRaft quorum from (dynamic quorums).").ignored(),
    // Data directories.
    def("log.dirs", Str, None, "Comma-separated directories where partition logs are kept; overrides log.dir."),
    def("log.dir", Str, Some("./strata-data"), "The directory for partition logs when log.dirs is not set (Strata default ./strata-data)."),
    def("metadata.log.dir", Str, None, "Directory of the metadata log; defaults to the first log directory."),
    def("metadata.log.max.record.bytes.between.snapshots", Long, Some("20971520"), "Bytes of metadata records after which the controller takes a snapshot.").valid(AtLeast(1)),
    def("metadata.log.segment.bytes", Int, Some("1073741824"), "Segment size of the metadata log.").valid(AtLeast(12)).ignored(),
    // Topic creation.
    def("num.partitions", Int, Some("1"), "Default number of partitions of auto-created and CreateTopics(-1) topics.").valid(AtLeast(1)),
    def("default.replication.factor", Int, Some("1"), "Default replication factor of auto-created and CreateTopics(-1) topics.").valid(AtLeast(1)),
    def("auto.create.topics.enable", Boolean, Some("true"), "Whether Metadata requests may create missing topics."),
    def("delete.topic.enable", Boolean, Some("true"), "Whether topics may be deleted.").ignored(),
    def("offsets.topic.num.partitions", Int, Some("50"), "Partitions of the __consumer_offsets topic.").valid(AtLeast(1)),
    def("offsets.topic.replication.factor", Short, Some("3"), "Replication factor of the __consumer_offsets topic; Strata caps it at the live brokers when creating the topic (see docs/decisions.md).").valid(AtLeast(1)),
    def("offsets.topic.segment.bytes", Int, Some("104857600"), "Segment size of the __consumer_offsets topic.").valid(AtLeast(1)),
    def("offsets.topic.compression.codec", Int, Some("0"), "Compression codec id of __consumer_offsets writes (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd).").valid(Between(0, 4)),
    def("offsets.load.buffer.size", Int, Some("5242880"), "Bytes read per step when loading __consumer_offsets into the coordinator.").valid(AtLeast(1)),
    def("offsets.commit.timeout.ms", Int, Some("5000"), "How long a coordinator write waits for the replicas before failing.").valid(AtLeast(1)),
    def("offsets.retention.minutes", Int, Some("10080"), "Committed offsets of an empty group are deleted after this long.").valid(AtLeast(1)),
    def("offsets.retention.check.interval.ms", Long, Some("600000"), "How often expired offsets are deleted.").valid(AtLeast(1)),
    def("offset.metadata.max.bytes", Int, Some("4096"), "Largest metadata string of a committed offset."),
    def("group.min.session.timeout.ms", Int, Some("6000"), "Lowest session timeout a classic group member may ask for."),
    def("group.max.session.timeout.ms", Int, Some("1800000"), "Highest session timeout a classic group member may ask for."),
    def("group.initial.rebalance.delay.ms", Int, Some("3000"), "Delay before the first rebalance of a new classic group."),
    def("group.max.size", Int, Some(INT_MAX), "Maximum number of members of a classic group.").valid(AtLeast(1)),
    def("group.coordinator.rebalance.protocols", List, Some("classic,consumer"), "Enabled group rebalance protocols (classic must be one)."),
    def("group.consumer.session.timeout.ms", Int, Some("45000"), "Session timeout of consumer-protocol members.").valid(AtLeast(1)),
    def("group.consumer.min.session.timeout.ms", Int, Some("45000"), "Lowest session timeout of consumer-protocol members.").valid(AtLeast(1)),
    def("group.consumer.max.session.timeout.ms", Int, Some("60000"), "Highest session timeout of consumer-protocol members.").valid(AtLeast(1)),
    def("group.consumer.heartbeat.interval.ms", Int, Some("5000"), "Heartbeat interval of consumer-protocol members.").valid(AtLeast(1)),
    def("group.consumer.min.heartbeat.interval.ms", Int, Some("5000"), "Lowest heartbeat interval of consumer-protocol members.").valid(AtLeast(1)),
    def("group.consumer.max.heartbeat.interval.ms", Int, Some("15000"), "Highest heartbeat interval of consumer-protocol members.").valid(AtLeast(1)),
    def("group.consumer.max.size", Int, Some(INT_MAX), "Maximum number of members of a consumer group.").valid(AtLeast(1)),
    def("group.consumer.assignors", List, Some("uniform,range"), "Server-side assignors (names or Kafka class names); the first is the default."),
    def("group.consumer.migration.policy", Str, Some("bidirectional"), "Online conversion between classic and consumer groups: disabled, downgrade, upgrade, bidirectional.").valid(OneOf(&["disabled", "downgrade", "upgrade", "bidirectional"])),
    def("transaction.state.log.num.partitions", Int, Some("50"), "Partitions of the __transaction_state topic.").valid(AtLeast(1)).ignored(),
    def("transaction.state.log.replication.factor", Short, Some("3"), "Replication factor of the __transaction_state topic.").valid(AtLeast(1)).ignored(),
    def("transaction.state.log.min.isr", Int, Some("2"), "min.insync.replicas of the __transaction_state topic.").valid(AtLeast(1)).ignored(),
    def("share.coordinator.state.topic.replication.factor", Short, Some("3"), "Replication factor of the share-group state topic.").ignored(),
    def("share.coordinator.state.topic.min.isr", Short, Some("2"), "min.insync.replicas of the share-group state topic.").ignored(),
    // Log segments and indexes.
    def("log.segment.bytes", Int, Some("1073741824"), "Maximum size of one log segment file.").valid(AtLeast(14)).dynamic().topic("segment.bytes", Same),
    def("log.roll.ms", Long, None, "Maximum age of the active segment before it rolls; overrides log.roll.hours.").dynamic().topic("segment.ms", Same),
    def("log.roll.hours", Int, Some("168"), "Maximum age of the active segment in hours.").valid(AtLeast(1)).topic("segment.ms", HoursToMs),
    def("log.roll.jitter.ms", Long, None, "Maximum random jitter subtracted from the roll time; overrides log.roll.jitter.hours.").dynamic().topic("segment.jitter.ms", Same),
    def("log.roll.jitter.hours", Int, Some("0"), "Maximum random jitter in hours.").valid(AtLeast(0)).topic("segment.jitter.ms", HoursToMs),
    def("log.index.size.max.bytes", Int, Some("10485760"), "Maximum size of an offset or time index file.").valid(AtLeast(4)).dynamic().topic("segment.index.bytes", Same),
    def("log.index.interval.bytes", Int, Some("4096"), "Bytes appended between two offset index entries.").valid(AtLeast(0)).dynamic().topic("index.interval.bytes", Same),
    def("log.preallocate", Boolean, Some("false"), "Whether to preallocate segment files.").dynamic().topic("preallocate", Same),
    def("log.segment.delete.delay.ms", Long, Some("60000"), "Delay before a deleted segment file is removed from disk.").valid(AtLeast(0)).dynamic().topic("file.delete.delay.ms", Same),
    // Retention.
    def("log.retention.ms", Long, None, "Retention time of a log; overrides minutes and hours; -1 keeps forever.").dynamic().topic("retention.ms", Same),
    def("log.retention.minutes", Int, None, "Retention time in minutes; overrides hours.").topic("retention.ms", MinutesToMs),
    def("log.retention.hours", Int, Some("168"), "Retention time in hours.").topic("retention.ms", HoursToMs),
    def("log.retention.bytes", Long, Some("-1"), "Maximum size of a partition log before old segments are deleted; -1 is unlimited.").dynamic().topic("retention.bytes", Same),
    def("log.retention.check.interval.ms", Long, Some("300000"), "How often the retention check runs.").valid(AtLeast(1)),
    def("log.local.retention.ms", Long, Some("-2"), "Local-tier retention time; -2 means use retention.ms.").valid(AtLeast(-2)).dynamic().topic("local.retention.ms", Same),
    def("log.local.retention.bytes", Long, Some("-2"), "Local-tier retention size; -2 means use retention.bytes.").valid(AtLeast(-2)).dynamic().topic("local.retention.bytes", Same),
    def("log.cleanup.policy", List, Some("delete"), "Default cleanup policy: delete, compact, or both.").dynamic().topic("cleanup.policy", Same),
    // Flushing and checkpoints.
    def("log.flush.interval.messages", Long, Some(LONG_MAX), "Messages appended to a partition before it is fsynced.").valid(AtLeast(1)).dynamic().topic("flush.messages", Same),
    def("log.flush.interval.ms", Long, None, "Maximum time a message stays unflushed; defaults to log.flush.scheduler.interval.ms.").dynamic().topic("flush.ms", Same),
    def("log.flush.scheduler.interval.ms", Long, Some(LONG_MAX), "How often the flusher checks for logs to flush.").topic("flush.ms", Same),
    def("log.flush.offset.checkpoint.interval.ms", Int, Some("60000"), "How often the recovery point checkpoint is written.").valid(AtLeast(0)),
    def("log.flush.start.offset.checkpoint.interval.ms", Int, Some("60000"), "How often the log start offset checkpoint is written.").valid(AtLeast(0)),
    def("replica.high.watermark.checkpoint.interval.ms", Long, Some("5000"), "How often high watermarks are checkpointed."),
    def("num.recovery.threads.per.data.dir", Int, Some("2"), "Threads per data directory for log recovery at startup.").valid(AtLeast(1)).ignored(),
    // Messages.
    def("message.max.bytes", Int, Some("1048588"), "Largest record batch size allowed.").valid(AtLeast(0)).dynamic().topic("max.message.bytes", Same),
    def("log.message.timestamp.type", Str, Some("CreateTime"), "Whether record timestamps are the producer's or the append time.").valid(OneOf(&["CreateTime", "LogAppendTime"])).dynamic().topic("message.timestamp.type", Same),
    def("log.message.timestamp.before.max.ms", Long, Some(LONG_MAX), "Maximum allowed age of a record timestamp.").valid(AtLeast(0)).dynamic().topic("message.timestamp.before.max.ms", Same),
    def("log.message.timestamp.after.max.ms", Long, Some(LONG_MAX), "Maximum allowed distance of a record timestamp into the future.").valid(AtLeast(0)).dynamic().topic("message.timestamp.after.max.ms", Same),
    def("compression.type", Str, Some("producer"), "Final compression of topic data: producer keeps the producer's codec.").valid(OneOf(&["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"])).dynamic().topic("compression.type", Same),
    def("compression.gzip.level", Int, Some("-1"), "Gzip level when compression.type is gzip.").dynamic().topic("compression.gzip.level", Same),
    def("compression.lz4.level", Int, Some("9"), "LZ4 level when compression.type is lz4.").valid(Between(1, 17)).dynamic().topic("compression.lz4.level", Same),
    def("compression.zstd.level", Int, Some("3"), "Zstd level when compression.type is zstd.").valid(Between(-131072, 22)).dynamic().topic("compression.zstd.level", Same),
    def("min.insync.replicas", Int, Some("1"), "Replicas that must acknowledge an acks=all write.").valid(AtLeast(1)).dynamic().topic("min.insync.replicas", Same),
    def("unclean.leader.election.enable", Boolean, Some("false"), "Whether an out-of-sync replica may become leader.").dynamic().topic("unclean.leader.election.enable", Same),
    // Log cleaner (compaction).
    def("log.cleaner.enable", Boolean, Some("true"), "Whether the log cleaner runs.").ignored(),
    def("log.cleaner.threads", Int, Some("1"), "Threads of the log cleaner.").valid(AtLeast(0)).dynamic().ignored(),
    def("log.cleaner.delete.retention.ms", Long, Some("86400000"), "How long delete tombstones are retained on compacted topics.").valid(AtLeast(0)).dynamic().topic("delete.retention.ms", Same),
    def("log.cleaner.min.compaction.lag.ms", Long, Some("0"), "Minimum time a record stays uncompacted.").valid(AtLeast(0)).dynamic().topic("min.compaction.lag.ms", Same),
    def("log.cleaner.max.compaction.lag.ms", Long, Some(LONG_MAX), "Maximum time a record stays uncompacted.").valid(AtLeast(1)).dynamic().topic("max.compaction.lag.ms", Same),
    def("log.cleaner.min.cleanable.ratio", Double, Some("0.5"), "Minimum dirty ratio before a log is cleaned.").dynamic().topic("min.cleanable.dirty.ratio", Same),
    // Network.
    def("socket.request.max.bytes", Int, Some("104857600"), "Largest request frame accepted; larger frames close the connection.").valid(AtLeast(1)),
    def("socket.send.buffer.bytes", Int, Some("102400"), "SO_SNDBUF of server sockets; -1 keeps the OS default.").ignored(),
    def("socket.receive.buffer.bytes", Int, Some("102400"), "SO_RCVBUF of server sockets; -1 keeps the OS default.").ignored(),
    def("socket.listen.backlog.size", Int, Some("50"), "Listen backlog of server sockets.").valid(AtLeast(1)),
    def("connections.max.idle.ms", Long, Some("600000"), "Idle connections are closed after this long.").valid(AtLeast(1)),
    def("max.connections", Int, Some(INT_MAX), "Maximum connections across all listeners.").valid(AtLeast(0)).dynamic(),
    def("max.connections.per.ip", Int, Some(INT_MAX), "Maximum connections from one address.").valid(AtLeast(0)).dynamic().ignored(),
    def("queued.max.requests", Int, Some("500"), "Requests read ahead per connection before reading pauses.").valid(AtLeast(1)),
    def("num.network.threads", Int, Some("3"), "Network threads (Strata uses the async runtime instead).").valid(AtLeast(1)).dynamic().ignored(),
    def("num.io.threads", Int, Some("8"), "Request handler threads (Strata uses the async runtime instead).").valid(AtLeast(1)).dynamic().ignored(),
    def("num.replica.fetchers", Int, Some("1"), "Replica fetcher threads per source broker.").dynamic().ignored(),
    def("replica.lag.time.max.ms", Long, Some("30000"), "A follower that has not caught up for this long leaves the ISR.").ignored(),
    def("auto.leader.rebalance.enable", Boolean, Some("true"), "Whether preferred leaders are restored automatically.").ignored(),
    def("fetch.max.bytes", Int, Some("57671680"), "Maximum bytes returned by one fetch request.").valid(AtLeast(1024)),
    def("max.incremental.fetch.session.cache.slots", Int, Some("1000"), "Maximum number of incremental fetch sessions.").valid(AtLeast(0)),
    def("producer.id.expiration.ms", Int, Some("86400000"), "Time after which an idle producer id's state expires.").valid(AtLeast(1)).dynamic(),
    def("transactional.id.expiration.ms", Int, Some("604800000"), "Time after which an idle transactional id expires.").valid(AtLeast(1)).ignored(),
    def("sasl.enabled.mechanisms", List, Some("GSSAPI"), "SASL mechanisms enabled on the server.").ignored(),
    def("sasl.mechanism.controller.protocol", Str, Some("GSSAPI"), "SASL mechanism for controller traffic.").ignored(),
    def("ssl.keystore.password", Password, None, "Password of the key store.").ignored(),
    def("authorizer.class.name", Class, Some(""), "Authorizer implementation class.").ignored(),
    // Tiered storage (KIP-405; keys read by strata_storage::remote::RemoteLogConfig). Strata's
    // default for remote.log.storage.system.enable is true (Kafka: false) so that `strata serve`
    // with no extra config can tier to the local directory store under the first log.dir.
    def("remote.log.storage.system.enable", Boolean, Some("true"), "Whether tiered storage is enabled on this broker (Strata default true; Kafka's is false)."),
    def("remote.log.storage.url", Str, Some(""), "Strata: where tiered segments go: file:///dir, s3://bucket/prefix (AWS_* environment), memory://; empty = file://<first log.dir>/remote-storage."),
    def("remote.log.manager.task.interval.ms", Long, Some("30000"), "Interval of the copy and expiry passes of the remote log manager.").valid(AtLeast(1)),
    def("remote.log.manager.thread.pool.size", Int, Some("10"), "Deprecated: default of the copier and expiration pool sizes.").valid(AtLeast(1)),
    def("remote.log.manager.copier.thread.pool.size", Int, Some("-1"), "Partitions copied at once; -1 = remote.log.manager.thread.pool.size.").valid(AtLeast(-1)),
    def("remote.log.manager.expiration.thread.pool.size", Int, Some("-1"), "Partitions expired at once; -1 = remote.log.manager.thread.pool.size.").valid(AtLeast(-1)),
    def("remote.log.reader.threads", Int, Some("10"), "Remote reads running at once.").valid(AtLeast(1)),
    def("remote.log.reader.max.pending.tasks", Int, Some("100"), "Remote reads waiting beyond this are refused.").valid(AtLeast(1)),
    def("remote.fetch.max.wait.ms", Int, Some("500"), "How long a fetch waits for its remote read before answering without it.").valid(AtLeast(1)),
    def("remote.log.index.file.cache.total.size.bytes", Long, Some("1073741824"), "Bytes of cached remote indexes.").valid(AtLeast(1)),
    def("remote.log.chunk.cache.total.size.bytes", Long, Some("268435456"), "Strata: bytes of cached remote segment chunks.").valid(AtLeast(1)),
    def("remote.log.chunk.size.bytes", Long, Some("4194304"), "Strata: the unit of ranged GETs and of the chunk cache.").valid(AtLeast(4096)),
    def("remote.log.read.ahead.chunks", Int, Some("8"), "Strata: chunks fetched ahead of a sequential remote reader (node-wide, read-ahead holds at most half the chunk cache in flight).").valid(AtLeast(1)),
    def("remote.log.read.ahead.request.bytes", Long, Some("16777216"), "Strata: read-ahead fetches a remote segment from an object store in aligned blocks of this size, one ranged GET per block (a file:// store reads chunk by chunk).").valid(AtLeast(4096)),
    def("remote.log.manager.copy.max.bytes.per.second", Long, Some(LONG_MAX), "Upload bandwidth quota of the node.").valid(AtLeast(1)),
    def("remote.log.manager.fetch.max.bytes.per.second", Long, Some(LONG_MAX), "Remote read bandwidth quota of the node.").valid(AtLeast(1)),
    def("remote.log.manager.task.retry.backoff.ms", Long, Some("500"), "First retry delay of a failed remote request.").valid(AtLeast(1)),
    def("remote.log.manager.task.retry.backoff.max.ms", Long, Some("30000"), "Cap of the retry delay of remote requests.").valid(AtLeast(1)),
    def("remote.log.manager.task.retry.jitter", Double, Some("0.2"), "Random fraction added to or removed from each retry delay (0 to 0.5)."),
    def("remote.log.storage.request.attempts.max", Int, Some("4"), "Strata: tries per object-store request.").valid(AtLeast(1)),
    def("remote.log.storage.multipart.part.bytes", Long, Some("8388608"), "Strata: objects larger than this are uploaded in parts of this size.").valid(AtLeast(5242880)),
];

/// Looks up a broker property by name.
pub fn broker_config(name: &str) -> Option<&'static ConfigDef> {
    BROKER_CONFIGS.iter().find(|def| def.name == name)
}

/// The broker properties that default `topic`, highest precedence first (Kafka's `ALL_TOPIC_CONFIG_SYNONYMS`).
pub fn topic_synonyms(topic: &str) -> impl Iterator<Item = &'static ConfigDef> + '_ {
    BROKER_CONFIGS
        .iter()
        .filter(move |def| def.topic_synonym.is_some_and(|(name, _)| name == topic))
}

/// Broker names that describe the same setting as `name`, highest precedence first
/// (Kafka's `DynamicBrokerConfig.brokerConfigSynonyms`): e.g. log.retention.{ms,minutes,hours}.
pub fn broker_synonyms(name: &str) -> Vec<&'static str> {
    let group = broker_config(name)
        .and_then(|def| def.topic_synonym)
        .map(|(topic, _)| topic);
    match group {
        Some(topic) if topic_synonyms(topic).count() > 1 => {
            topic_synonyms(topic).map(|def| def.name).collect()
        }
        _ => broker_config(name)
            .map(|def| vec![def.name])
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique() {
        let mut seen = BTreeSet::new();
        for def in BROKER_CONFIGS {
            assert!(seen.insert(def.name), "{} listed twice", def.name);
        }
    }

    #[test]
    fn retention_synonyms_follow_kafka_precedence() {
        assert_eq!(
            broker_synonyms("log.retention.hours"),
            [
                "log.retention.ms",
                "log.retention.minutes",
                "log.retention.hours"
            ]
        );
        assert_eq!(broker_synonyms("num.partitions"), ["num.partitions"]);
    }
}
