//! `strata config describe|alter`, as `kafka-configs.sh` does: DescribeConfigs and
//! IncrementalAlterConfigs on topics and brokers.

use anyhow::{bail, Result};
use clap::{Args, Subcommand, ValueEnum};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::incremental_alter_configs_request::{
    AlterConfigsResource, AlterableConfig,
};
use kafka_protocol::messages::{DescribeConfigsRequest, IncrementalAlterConfigsRequest};
use kafka_protocol::protocol::StrBytes;
use serde_json::json;

use super::output::{print_json, ConnectArgs, Table};
use crate::client::error::check;
use crate::client::{Client, ClientError};

/// Config resource types as the wire numbers them (Kafka's `ConfigResource.Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ResourceType {
    /// A topic (2).
    #[value(name = "topics", alias = "topic")]
    Topic,
    /// A broker (4); name is the node id, or empty for the cluster-wide default.
    #[value(name = "brokers", alias = "broker")]
    Broker,
}

impl ResourceType {
    fn code(self) -> i8 {
        match self {
            ResourceType::Topic => 2,
            ResourceType::Broker => 4,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            ResourceType::Topic => "topic",
            ResourceType::Broker => "broker",
        }
    }
}

/// One config as DescribeConfigs reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigEntry {
    /// The name.
    pub(crate) name: String,
    /// The value, None when sensitive or unset.
    pub(crate) value: Option<String>,
    /// Kafka's `ConfigSource` id.
    pub(crate) source: i8,
    /// Whether it cannot be changed at runtime.
    pub(crate) read_only: bool,
    /// Whether the value is hidden.
    pub(crate) sensitive: bool,
}

impl ConfigEntry {
    /// Kafka's own default (`ConfigSource.DEFAULT_CONFIG`), set nowhere.
    pub(crate) fn is_default(&self) -> bool {
        self.source == 5
    }

    /// Set dynamically (per topic, per broker or cluster-wide), i.e. not a default or static value.
    pub(crate) fn is_dynamic(&self) -> bool {
        matches!(self.source, 1..=3)
    }
}

/// Kafka's name of a `ConfigSource` id.
pub(crate) fn source_name(source: i8) -> &'static str {
    match source {
        1 => "DYNAMIC_TOPIC_CONFIG",
        2 => "DYNAMIC_BROKER_CONFIG",
        3 => "DYNAMIC_DEFAULT_BROKER_CONFIG",
        4 => "STATIC_BROKER_CONFIG",
        5 => "DEFAULT_CONFIG",
        6 => "DYNAMIC_BROKER_LOGGER_CONFIG",
        7 => "CLIENT_METRICS_CONFIG",
        8 => "GROUP_CONFIG",
        _ => "UNKNOWN",
    }
}

/// One incremental change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConfigChange {
    /// SET (operation 0).
    Set(String, String),
    /// DELETE (operation 1).
    Delete(String),
}

/// `strata config ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Show the configs of a topic or broker (dynamic ones; all with --all).
    Describe(DescribeArgs),
    /// Set and delete configs of a topic or broker (IncrementalAlterConfigs).
    Alter(AlterArgs),
}

/// Which resource a config command is about.
#[derive(Debug, Args)]
pub(crate) struct EntityArgs {
    /// `topics` or `brokers`.
    #[arg(long, value_enum)]
    entity_type: Option<ResourceType>,
    /// The topic name or broker id.
    #[arg(long)]
    entity_name: Option<String>,
    /// Shorthand for --entity-type topics --entity-name TOPIC.
    #[arg(long, conflicts_with_all = ["entity_type", "broker", "entity_default"])]
    topic: Option<String>,
    /// Shorthand for --entity-type brokers --entity-name ID.
    #[arg(long, conflicts_with_all = ["entity_type", "entity_default"])]
    broker: Option<i32>,
    /// The cluster-wide broker default (brokers only).
    #[arg(long)]
    entity_default: bool,
}

impl EntityArgs {
    /// The resource type and name, or a usage error.
    pub(crate) fn resource(&self) -> Result<(ResourceType, String)> {
        if let Some(topic) = &self.topic {
            return Ok((ResourceType::Topic, topic.clone()));
        }
        if let Some(broker) = self.broker {
            return Ok((ResourceType::Broker, broker.to_string()));
        }
        match (self.entity_type, &self.entity_name, self.entity_default) {
            (Some(ResourceType::Broker), None, true) => Ok((ResourceType::Broker, String::new())),
            (Some(kind), Some(name), false) => Ok((kind, name.clone())),
            (None, _, _) => bail!("name what to configure: --topic T, --broker ID, or --entity-type and --entity-name"),
            (Some(ResourceType::Topic), _, true) => bail!("--entity-default applies to brokers only"),
            (Some(_), Some(_), true) => bail!("pass either --entity-name or --entity-default"),
            (Some(_), None, false) => bail!("--entity-type needs --entity-name (or --entity-default for brokers)"),
        }
    }
}

/// `strata config describe`.
#[derive(Debug, Args)]
pub(crate) struct DescribeArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    #[command(flatten)]
    entity: EntityArgs,
    /// List every config with its source, not only the dynamically set ones.
    #[arg(long)]
    all: bool,
}

/// `strata config alter`.
#[derive(Debug, Args)]
pub(crate) struct AlterArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    #[command(flatten)]
    entity: EntityArgs,
    /// Configs to set: `k1=v1,k2=[a,b],...` (brackets keep commas inside a value).
    #[arg(long, value_name = "K=V,...")]
    add_config: Option<String>,
    /// Configs to remove: `k1,k2,...`.
    #[arg(long, value_name = "K,...")]
    delete_config: Option<String>,
}

/// Runs a config subcommand.
pub(crate) async fn run(command: ConfigCommand) -> Result<()> {
    match command {
        ConfigCommand::Describe(args) => describe(args).await,
        ConfigCommand::Alter(args) => alter(args).await,
    }
}

async fn describe(args: DescribeArgs) -> Result<()> {
    let (kind, name) = args.entity.resource()?;
    let mut client = args.conn.connect().await?;
    let entries = describe_configs(&mut client, kind, &name, None).await?;
    let shown: Vec<&ConfigEntry> = entries
        .iter()
        .filter(|e| args.all || e.is_dynamic())
        .collect();
    if args.conn.json() {
        print_json(&json!({
            "entity_type": kind.noun(),
            "entity_name": name,
            "configs": shown.iter().map(|e| json!({
                "name": e.name,
                "value": e.value,
                "source": source_name(e.source),
                "read_only": e.read_only,
                "sensitive": e.sensitive,
            })).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    let label = if name.is_empty() {
        "the default broker".to_owned()
    } else {
        format!("{} {name}", kind.noun())
    };
    if args.all {
        println!("All configs for {label} are:");
    } else {
        println!("Dynamic configs for {label} are:");
    }
    let mut table = Table::new(&["NAME", "VALUE", "SOURCE", "READ-ONLY", "SENSITIVE"]);
    for e in shown {
        table.row(vec![
            e.name.clone(),
            display_value(e),
            source_name(e.source).to_owned(),
            e.read_only.to_string(),
            e.sensitive.to_string(),
        ]);
    }
    table.print();
    Ok(())
}

fn display_value(entry: &ConfigEntry) -> String {
    match (&entry.value, entry.sensitive) {
        (_, true) => "(sensitive)".to_owned(),
        (Some(v), false) => v.clone(),
        (None, false) => "null".to_owned(),
    }
}

async fn alter(args: AlterArgs) -> Result<()> {
    let (kind, name) = args.entity.resource()?;
    let mut changes = Vec::new();
    if let Some(text) = &args.add_config {
        for (k, v) in parse_config_list(text)? {
            changes.push(ConfigChange::Set(k, v));
        }
    }
    if let Some(text) = &args.delete_config {
        for key in text.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            changes.push(ConfigChange::Delete(key.to_owned()));
        }
    }
    if changes.is_empty() {
        bail!("nothing to change: pass --add-config k=v,... and/or --delete-config k,...");
    }
    let mut client = args.conn.connect().await?;
    alter_configs(&mut client, kind, &name, &changes).await?;
    if args.conn.json() {
        print_json(&json!({
            "entity_type": kind.noun(),
            "entity_name": name,
            "set": changes.iter().filter_map(|c| match c { ConfigChange::Set(k, v) => Some(json!({"name": k, "value": v})), ConfigChange::Delete(_) => None }).collect::<Vec<_>>(),
            "deleted": changes.iter().filter_map(|c| match c { ConfigChange::Delete(k) => Some(k.clone()), ConfigChange::Set(..) => None }).collect::<Vec<_>>(),
        }));
    } else if name.is_empty() {
        println!("Completed updating default config for brokers in the cluster.");
    } else {
        println!("Completed updating config for {} {name}.", kind.noun());
    }
    Ok(())
}

/// Parses Kafka's `--add-config` syntax: `k1=v1,k2=[v2a,v2b],k3=v3`. Square brackets group a
/// value that contains commas (the brackets are removed, as kafka-configs.sh does).
pub(crate) fn parse_config_list(text: &str) -> Result<Vec<(String, String)>> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '[' => {
                depth += 1;
                current.push(c);
            }
            ']' => {
                if depth == 0 {
                    bail!("unbalanced ']' in '{text}'");
                }
                depth -= 1;
                current.push(c);
            }
            ',' if depth == 0 => items.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    if depth != 0 {
        bail!("unbalanced '[' in '{text}'");
    }
    items.push(current);
    let mut out = Vec::new();
    for item in items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        let Some((key, value)) = item.split_once('=') else {
            bail!("expected KEY=VALUE in --add-config, got '{item}'");
        };
        let key = key.trim();
        if key.is_empty() {
            bail!("empty config name in '{item}'");
        }
        let value = value.trim();
        let value = value
            .strip_prefix('[')
            .and_then(|v| v.strip_suffix(']'))
            .unwrap_or(value);
        out.push((key.to_owned(), value.to_owned()));
    }
    Ok(out)
}

/// DescribeConfigs for one resource (all keys, or `keys`); a resource error fails the call.
pub(crate) async fn describe_configs(
    client: &mut Client,
    kind: ResourceType,
    name: &str,
    keys: Option<&[String]>,
) -> Result<Vec<ConfigEntry>, ClientError> {
    let connection = match (kind, name.parse::<i32>()) {
        // Broker configs are answered by that broker itself, as Kafka's admin client routes them.
        (ResourceType::Broker, Ok(node_id)) => client.node(node_id).await?,
        _ => client.any(),
    };
    let response = connection
        .call(|_version| {
            let mut resource = DescribeConfigsResource::default();
            resource.resource_type = kind.code();
            resource.resource_name = StrBytes::from_string(name.to_owned());
            resource.configuration_keys = keys.map(|ks| {
                ks.iter()
                    .map(|k| StrBytes::from_string(k.clone()))
                    .collect()
            });
            let mut request = DescribeConfigsRequest::default();
            request.resources = vec![resource];
            request
        })
        .await?;
    let mut out = Vec::new();
    for result in response.results {
        check(
            result.error_code,
            || format!("configs of {} '{name}'", kind.noun()),
            result.error_message.as_ref(),
        )?;
        for c in result.configs {
            out.push(ConfigEntry {
                name: c.name.to_string(),
                value: c.value.map(|v| v.to_string()),
                source: c.config_source,
                read_only: c.read_only,
                sensitive: c.is_sensitive,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// IncrementalAlterConfigs for one resource.
pub(crate) async fn alter_configs(
    client: &mut Client,
    kind: ResourceType,
    name: &str,
    changes: &[ConfigChange],
) -> Result<(), ClientError> {
    let connection = match (kind, name.parse::<i32>()) {
        (ResourceType::Broker, Ok(node_id)) => client.node(node_id).await?,
        _ => client.any(),
    };
    let response = connection
        .call(|_version| {
            let mut resource = AlterConfigsResource::default();
            resource.resource_type = kind.code();
            resource.resource_name = StrBytes::from_string(name.to_owned());
            resource.configs = changes
                .iter()
                .map(|change| {
                    let mut config = AlterableConfig::default();
                    match change {
                        ConfigChange::Set(k, v) => {
                            config.name = StrBytes::from_string(k.clone());
                            config.config_operation = 0;
                            config.value = Some(StrBytes::from_string(v.clone()));
                        }
                        ConfigChange::Delete(k) => {
                            config.name = StrBytes::from_string(k.clone());
                            config.config_operation = 1;
                            config.value = None;
                        }
                    }
                    config
                })
                .collect();
            let mut request = IncrementalAlterConfigsRequest::default();
            request.resources = vec![resource];
            request
        })
        .await?;
    for result in response.responses {
        check(
            result.error_code,
            || format!("altering configs of {} '{name}'", kind.noun()),
            result.error_message.as_ref(),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_config_splits_on_commas_outside_brackets() {
        let parsed = parse_config_list("retention.ms=1000,cleanup.policy=[compact,delete], a = b")
            .expect("parse");
        assert_eq!(
            parsed,
            vec![
                ("retention.ms".to_owned(), "1000".to_owned()),
                ("cleanup.policy".to_owned(), "compact,delete".to_owned()),
                ("a".to_owned(), "b".to_owned()),
            ]
        );
    }

    #[test]
    fn add_config_rejects_items_without_a_value_and_unbalanced_brackets() {
        assert!(parse_config_list("retention.ms").is_err());
        assert!(parse_config_list("a=[x,y").is_err());
        assert!(parse_config_list("a=x]").is_err());
    }

    #[derive(Debug, clap::Parser)]
    struct Cli {
        #[command(flatten)]
        entity: EntityArgs,
    }

    fn resource(argv: &[&str]) -> Result<(ResourceType, String)> {
        let cli = <Cli as clap::Parser>::try_parse_from(
            std::iter::once("config").chain(argv.iter().copied()),
        )?;
        cli.entity.resource()
    }

    #[test]
    fn entity_is_named_by_shorthand_or_by_type_and_name() {
        assert_eq!(
            resource(&["--topic", "t"]).expect("ok"),
            (ResourceType::Topic, "t".to_owned())
        );
        assert_eq!(
            resource(&["--broker", "3"]).expect("ok"),
            (ResourceType::Broker, "3".to_owned())
        );
        assert_eq!(
            resource(&["--entity-type", "topics", "--entity-name", "x"]).expect("ok"),
            (ResourceType::Topic, "x".to_owned())
        );
        assert_eq!(
            resource(&["--entity-type", "brokers", "--entity-default"]).expect("ok"),
            (ResourceType::Broker, String::new())
        );
    }

    #[test]
    fn entity_without_a_name_or_with_a_topic_default_is_refused() {
        assert!(resource(&[]).is_err());
        assert!(resource(&["--entity-type", "topics"]).is_err());
        assert!(resource(&["--entity-type", "topics", "--entity-default"]).is_err());
        assert!(resource(&["--topic", "t", "--broker", "1"]).is_err());
    }

    #[test]
    fn dynamic_sources_are_topic_broker_and_cluster_default() {
        let entry = |source| ConfigEntry {
            name: "x".into(),
            value: None,
            source,
            read_only: false,
            sensitive: false,
        };
        assert!(entry(1).is_dynamic());
        assert!(entry(3).is_dynamic());
        assert!(!entry(5).is_dynamic());
        assert_eq!(source_name(4), "STATIC_BROKER_CONFIG");
    }
}
