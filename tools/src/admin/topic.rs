//! `strata topic create|list|describe|alter|delete`, as `kafka-topics.sh` does over the admin
//! APIs (CreateTopics, Metadata, DescribeConfigs, CreatePartitions, IncrementalAlterConfigs,
//! DeleteTopics).

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use kafka_protocol::messages::create_partitions_request::CreatePartitionsTopic;
use kafka_protocol::messages::create_topics_request::{CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::delete_topics_request::DeleteTopicState;
use kafka_protocol::messages::{
    CreatePartitionsRequest, CreateTopicsRequest, DeleteTopicsRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use serde_json::json;

use super::config::{alter_configs, describe_configs, ConfigChange, ResourceType};
use super::output::{join_ids, parse_key_value, print_json, ConnectArgs, Table};
use super::tiering::describe_tiering;
use crate::client::error::check;
use crate::client::error_code::{TOPIC_ALREADY_EXISTS, UNKNOWN_TOPIC_OR_PARTITION};
use crate::client::BrokerError;

/// How long the broker may take to create or delete topics.
const ADMIN_TIMEOUT_MS: i32 = 30_000;

/// `strata topic ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum TopicCommand {
    /// Create a topic.
    Create(CreateArgs),
    /// List topic names.
    List(ListArgs),
    /// Describe topics: id, partitions, leaders, replicas, ISR and non-default configs.
    Describe(DescribeArgs),
    /// Add partitions and/or change topic configs.
    Alter(AlterArgs),
    /// Delete topics.
    Delete(DeleteArgs),
}

/// `strata topic create`.
#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    /// The topic name.
    #[arg(long)]
    topic: String,
    /// Partition count (default: the broker's num.partitions).
    #[arg(long)]
    partitions: Option<i32>,
    /// Replication factor (default: the broker's default.replication.factor).
    #[arg(long)]
    replication_factor: Option<i16>,
    /// A topic config, `key=value`; repeatable.
    #[arg(long = "config", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    configs: Vec<(String, String)>,
    /// Succeed when the topic exists already.
    #[arg(long)]
    if_not_exists: bool,
    /// Only validate the request; create nothing.
    #[arg(long)]
    validate_only: bool,
}

/// `strata topic list`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    /// Leave out internal topics such as `__consumer_offsets`.
    #[arg(long)]
    exclude_internal: bool,
}

/// `strata topic describe`.
#[derive(Debug, Args)]
pub(crate) struct DescribeArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    /// Topics to describe (repeatable); all topics when omitted.
    #[arg(long)]
    topic: Vec<String>,
    /// Leave out internal topics when describing all.
    #[arg(long)]
    exclude_internal: bool,
    /// Instead, per partition: log start offset, local log start offset, highest offset in
    /// remote storage (-1 when none), log end offset (all from the leader, ListOffsets -2, -4,
    /// -5, -1) and the leader's local size in bytes (DescribeLogDirs). Per-partition upload and
    /// download bytes, upload/download errors, bytes pending upload and the chunk-cache hit
    /// ratio are in the broker log's periodic `tiering stats` line.
    #[arg(long)]
    tiering: bool,
}

/// `strata topic alter`.
#[derive(Debug, Args)]
pub(crate) struct AlterArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    /// The topic.
    #[arg(long)]
    topic: String,
    /// The new, larger partition count.
    #[arg(long)]
    partitions: Option<i32>,
    /// Set a topic config, `key=value`; repeatable.
    #[arg(long = "config", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    configs: Vec<(String, String)>,
    /// Remove a topic config (back to the default); repeatable.
    #[arg(long = "delete-config", value_name = "KEY")]
    delete_configs: Vec<String>,
}

/// `strata topic delete`.
#[derive(Debug, Args)]
pub(crate) struct DeleteArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    /// Topics to delete (repeatable).
    #[arg(long, required = true)]
    topic: Vec<String>,
    /// Succeed when a topic does not exist.
    #[arg(long)]
    if_exists: bool,
}

/// Runs a topic subcommand.
pub(crate) async fn run(command: TopicCommand) -> Result<()> {
    match command {
        TopicCommand::Create(args) => create(args).await,
        TopicCommand::List(args) => list(args).await,
        TopicCommand::Describe(args) => describe(args).await,
        TopicCommand::Alter(args) => alter(args).await,
        TopicCommand::Delete(args) => delete(args).await,
    }
}

fn wire(text: &str) -> StrBytes {
    StrBytes::from_string(text.to_owned())
}

async fn create(args: CreateArgs) -> Result<()> {
    let mut client = args.conn.connect().await?;
    let response = client
        .any()
        .call(|_version| {
            let mut topic = CreatableTopic::default();
            topic.name = TopicName(wire(&args.topic));
            topic.num_partitions = args.partitions.unwrap_or(-1);
            topic.replication_factor = args.replication_factor.unwrap_or(-1);
            topic.configs = args
                .configs
                .iter()
                .map(|(k, v)| {
                    let mut c = CreatableTopicConfig::default();
                    c.name = wire(k);
                    c.value = Some(wire(v));
                    c
                })
                .collect();
            let mut request = CreateTopicsRequest::default();
            request.topics = vec![topic];
            request.timeout_ms = ADMIN_TIMEOUT_MS;
            request.validate_only = args.validate_only;
            request
        })
        .await?;
    let Some(result) = response.topics.first() else {
        bail!(
            "the broker answered CreateTopics without a result for '{}'",
            args.topic
        );
    };
    let existed = result.error_code == TOPIC_ALREADY_EXISTS && args.if_not_exists;
    if !existed {
        check(
            result.error_code,
            || format!("creating topic '{}'", args.topic),
            result.error_message.as_ref(),
        )?;
    }
    if args.conn.json() {
        print_json(&json!({
            "topic": args.topic,
            "topic_id": crate::client::topology::kafka_uuid(&result.topic_id),
            "partitions": result.num_partitions,
            "replication_factor": result.replication_factor,
            "created": !existed && !args.validate_only,
            "validate_only": args.validate_only,
        }));
    } else if existed {
        println!("Topic {} already exists.", args.topic);
    } else if args.validate_only {
        println!("Topic {} would be created (validate only).", args.topic);
    } else {
        println!("Created topic {}.", args.topic);
    }
    Ok(())
}

async fn list(args: ListArgs) -> Result<()> {
    let mut client = args.conn.connect().await?;
    let topology = client.metadata(None).await?;
    let names: Vec<&String> = topology
        .topics
        .values()
        .filter(|t| !(args.exclude_internal && t.is_internal))
        .map(|t| &t.name)
        .collect();
    if args.conn.json() {
        print_json(&json!(names));
    } else {
        for name in names {
            println!("{name}");
        }
    }
    Ok(())
}

async fn describe(args: DescribeArgs) -> Result<()> {
    let mut client = args.conn.connect().await?;
    let topology = if args.topic.is_empty() {
        client.metadata(None).await?
    } else {
        client.metadata(Some(&args.topic)).await?
    };
    let mut documents = Vec::new();
    let names: Vec<String> = if args.topic.is_empty() {
        topology
            .topics
            .values()
            .filter(|t| !(args.exclude_internal && t.is_internal))
            .map(|t| t.name.clone())
            .collect()
    } else {
        args.topic.clone()
    };
    if args.tiering {
        for name in &names {
            let Some(topic) = topology.topics.get(name) else {
                return Err(BrokerError::new(
                    UNKNOWN_TOPIC_OR_PARTITION,
                    format!("topic '{name}'"),
                    None,
                )
                .into());
            };
            check(topic.error_code, || format!("topic '{name}'"), None)?;
        }
        return describe_tiering(&mut client, &topology, &names, args.conn.json()).await;
    }
    for name in &names {
        let Some(topic) = topology.topics.get(name) else {
            return Err(BrokerError::new(
                UNKNOWN_TOPIC_OR_PARTITION,
                format!("topic '{name}'"),
                None,
            )
            .into());
        };
        check(topic.error_code, || format!("topic '{name}'"), None)?;
        let configs = describe_configs(&mut client, ResourceType::Topic, name, None).await?;
        // As kafka-topics.sh: every config whose value is not Kafka's default (topic overrides,
        // and broker settings that change the topic's effective value).
        let overrides: Vec<_> = configs.iter().filter(|c| !c.is_default()).collect();
        let replication_factor = topic
            .partitions
            .values()
            .next()
            .map_or(0, |p| p.replicas.len());
        if args.conn.json() {
            documents.push(json!({
                "topic": name,
                "topic_id": topic.topic_id,
                "internal": topic.is_internal,
                "partition_count": topic.partitions.len(),
                "replication_factor": replication_factor,
                "configs": overrides.iter().map(|c| (c.name.clone(), json!(c.value))).collect::<serde_json::Map<_, _>>(),
                "partitions": topic.partitions.values().map(|p| json!({
                    "partition": p.partition,
                    "leader": p.leader,
                    "leader_epoch": p.leader_epoch,
                    "replicas": p.replicas,
                    "isr": p.isr,
                    "offline": p.offline,
                })).collect::<Vec<_>>(),
            }));
            continue;
        }
        let configs_text = overrides
            .iter()
            .map(|c| format!("{}={}", c.name, c.value.as_deref().unwrap_or("null")))
            .collect::<Vec<_>>()
            .join(",");
        println!(
            "Topic: {name}\tTopicId: {}\tPartitionCount: {}\tReplicationFactor: {replication_factor}\tConfigs: {configs_text}",
            topic.topic_id,
            topic.partitions.len()
        );
        let mut table = Table::new(&["PARTITION", "LEADER", "REPLICAS", "ISR", "OFFLINE"]);
        for p in topic.partitions.values() {
            table.row(vec![
                p.partition.to_string(),
                if p.leader < 0 {
                    "none".to_owned()
                } else {
                    p.leader.to_string()
                },
                join_ids(&p.replicas),
                join_ids(&p.isr),
                join_ids(&p.offline),
            ]);
        }
        table.print();
    }
    if args.conn.json() {
        print_json(&json!(documents));
    }
    Ok(())
}

async fn alter(args: AlterArgs) -> Result<()> {
    if args.partitions.is_none() && args.configs.is_empty() && args.delete_configs.is_empty() {
        bail!("nothing to alter: pass --partitions, --config or --delete-config");
    }
    let mut client = args.conn.connect().await?;
    let mut done = serde_json::Map::new();
    if let Some(count) = args.partitions {
        let response = client
            .any()
            .call(|_version| {
                let mut topic = CreatePartitionsTopic::default();
                topic.name = TopicName(wire(&args.topic));
                topic.count = count;
                topic.assignments = None;
                let mut request = CreatePartitionsRequest::default();
                request.topics = vec![topic];
                request.timeout_ms = ADMIN_TIMEOUT_MS;
                request
            })
            .await?;
        for result in &response.results {
            check(
                result.error_code,
                || format!("adding partitions to '{}'", args.topic),
                result.error_message.as_ref(),
            )?;
        }
        done.insert("partitions".into(), json!(count));
        if !args.conn.json() {
            println!("Topic {} now has {count} partitions.", args.topic);
        }
    }
    if !args.configs.is_empty() || !args.delete_configs.is_empty() {
        let changes: Vec<ConfigChange> = args
            .configs
            .iter()
            .map(|(k, v)| ConfigChange::Set(k.clone(), v.clone()))
            .chain(
                args.delete_configs
                    .iter()
                    .map(|k| ConfigChange::Delete(k.clone())),
            )
            .collect();
        alter_configs(&mut client, ResourceType::Topic, &args.topic, &changes).await?;
        done.insert("configs_changed".into(), json!(changes.len()));
        if !args.conn.json() {
            println!("Completed updating config for topic {}.", args.topic);
        }
    }
    if args.conn.json() {
        done.insert("topic".into(), json!(args.topic));
        print_json(&serde_json::Value::Object(done));
    }
    Ok(())
}

async fn delete(args: DeleteArgs) -> Result<()> {
    let mut client = args.conn.connect().await?;
    let response = client
        .any()
        .call(|version| {
            let mut request = DeleteTopicsRequest::default();
            if version >= 6 {
                request.topics = args
                    .topic
                    .iter()
                    .map(|t| {
                        let mut state = DeleteTopicState::default();
                        state.name = Some(TopicName(wire(t)));
                        state
                    })
                    .collect();
            } else {
                request.topic_names = args.topic.iter().map(|t| TopicName(wire(t))).collect();
            }
            request.timeout_ms = ADMIN_TIMEOUT_MS;
            request
        })
        .await?;
    let mut deleted = Vec::new();
    for result in &response.responses {
        let name = result
            .name
            .as_ref()
            .map(|n| n.0.to_string())
            .unwrap_or_default();
        if result.error_code == UNKNOWN_TOPIC_OR_PARTITION && args.if_exists {
            continue;
        }
        check(
            result.error_code,
            || format!("deleting topic '{name}'"),
            result.error_message.as_ref(),
        )?;
        deleted.push(name);
    }
    if args.conn.json() {
        print_json(&json!({ "deleted": deleted }));
    } else {
        for name in deleted {
            println!("Deleted topic {name}.");
        }
    }
    Ok(())
}
