//! `strata delete-records`: moves partitions' log start offsets forward (DeleteRecords to each
//! leader), from flags or from `kafka-delete-records.sh`'s `--offset-json-file`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use kafka_protocol::messages::delete_records_request::{
    DeleteRecordsPartition, DeleteRecordsTopic,
};
use kafka_protocol::messages::{DeleteRecordsRequest, TopicName};
use kafka_protocol::protocol::StrBytes;
use serde_json::json;

use super::output::{print_json, ConnectArgs, Table};
use crate::client::error_code::UNKNOWN_TOPIC_OR_PARTITION;
use crate::client::offsets::TopicPartition;
use crate::client::BrokerError;

/// How long the broker may wait for replicas to follow the new log start.
const DELETE_TIMEOUT_MS: i32 = 30_000;

/// `strata delete-records`.
#[derive(Debug, Args)]
pub(crate) struct DeleteRecordsArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    /// The topic (with --partition and --offset).
    #[arg(long, requires = "offset", conflicts_with = "offset_json_file")]
    topic: Option<String>,
    /// Partitions, comma-separated (default: all partitions of --topic).
    #[arg(long, value_name = "P,...")]
    partition: Option<String>,
    /// Delete records before this offset; -1 means up to the high watermark.
    #[arg(long, allow_hyphen_values = true, requires = "topic")]
    offset: Option<i64>,
    /// Kafka's JSON: {"partitions":[{"topic":"t","partition":0,"offset":5}],"version":1}.
    #[arg(long, value_name = "FILE")]
    offset_json_file: Option<PathBuf>,
}

/// Parses Kafka's offset JSON file.
pub(crate) fn parse_offset_json(text: &str) -> Result<BTreeMap<TopicPartition, i64>> {
    let value: serde_json::Value =
        serde_json::from_str(text).context("offset JSON is not valid JSON")?;
    let Some(entries) = value.get("partitions").and_then(|p| p.as_array()) else {
        bail!("offset JSON needs a \"partitions\" array");
    };
    let mut out = BTreeMap::new();
    for entry in entries {
        let topic = entry
            .get("topic")
            .and_then(|t| t.as_str())
            .context("an entry lacks \"topic\"")?;
        let partition = entry
            .get("partition")
            .and_then(serde_json::Value::as_i64)
            .and_then(|p| i32::try_from(p).ok())
            .context("an entry lacks an integer \"partition\"")?;
        let offset = entry
            .get("offset")
            .and_then(serde_json::Value::as_i64)
            .context("an entry lacks an integer \"offset\"")?;
        if out.insert((topic.to_owned(), partition), offset).is_some() {
            bail!("{topic}-{partition} appears twice in the offset JSON");
        }
    }
    if out.is_empty() {
        bail!("the offset JSON lists no partitions");
    }
    Ok(out)
}

/// Runs `strata delete-records`.
pub(crate) async fn run(args: DeleteRecordsArgs) -> Result<()> {
    let mut client = args.conn.connect().await?;
    let targets: BTreeMap<TopicPartition, i64> = match (&args.offset_json_file, &args.topic, args.offset) {
        (Some(path), _, _) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            parse_offset_json(&text)?
        }
        (None, Some(topic), Some(offset)) => {
            let topology = client.topics_with_leaders(std::slice::from_ref(topic)).await?;
            let partitions = match &args.partition {
                Some(list) => super::get_offsets::parse_partitions(list)?,
                None => topology.topics.get(topic).map(|t| t.partitions.keys().copied().collect()).unwrap_or_default(),
            };
            partitions.into_iter().map(|p| ((topic.clone(), p), offset)).collect()
        }
        _ => bail!("name what to delete: --topic T --offset N [--partition P,...], or --offset-json-file F"),
    };
    let topics: Vec<String> = targets
        .keys()
        .map(|(t, _)| t.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let topology = client.topics_with_leaders(&topics).await?;
    let mut by_leader: BTreeMap<i32, BTreeMap<String, Vec<(i32, i64)>>> = BTreeMap::new();
    for ((topic, partition), offset) in &targets {
        let leader = topology.leader(topic, *partition).ok_or_else(|| {
            BrokerError::new(
                UNKNOWN_TOPIC_OR_PARTITION,
                format!("{topic}-{partition}"),
                Some("no such partition".into()),
            )
        })?;
        by_leader
            .entry(leader)
            .or_default()
            .entry(topic.clone())
            .or_default()
            .push((*partition, *offset));
    }
    let mut results: Vec<(String, i32, Result<i64, BrokerError>)> = Vec::new();
    let total = targets.len();
    for (leader, topics) in by_leader {
        let connection = client.node(leader).await?;
        let response = connection
            .call(|_version| {
                let mut request = DeleteRecordsRequest::default();
                request.timeout_ms = DELETE_TIMEOUT_MS;
                request.topics = topics
                    .iter()
                    .map(|(name, ps)| {
                        let mut t = DeleteRecordsTopic::default();
                        t.name = TopicName(StrBytes::from_string(name.clone()));
                        t.partitions = ps
                            .iter()
                            .map(|(p, o)| {
                                let mut dp = DeleteRecordsPartition::default();
                                dp.partition_index = *p;
                                dp.offset = *o;
                                dp
                            })
                            .collect();
                        t
                    })
                    .collect();
                request
            })
            .await?;
        for t in response.topics {
            for p in t.partitions {
                let name = t.name.0.to_string();
                let result = if p.error_code == 0 {
                    Ok(p.low_watermark)
                } else {
                    Err(BrokerError::new(
                        p.error_code,
                        format!("{name}-{}", p.partition_index),
                        None,
                    ))
                };
                results.push((name, p.partition_index, result));
            }
        }
        if total > 1 {
            eprintln!("deleted records on {} of {total} partitions", results.len());
        }
    }
    results.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    if args.conn.json() {
        print_json(&json!(results
            .iter()
            .map(|(t, p, r)| match r {
                Ok(low) => json!({"topic": t, "partition": p, "low_watermark": low}),
                Err(e) =>
                    json!({"topic": t, "partition": p, "error": e.name(), "error_code": e.code}),
            })
            .collect::<Vec<_>>()));
    } else {
        println!("Records delete operation completed:");
        let mut table = Table::new(&["TOPIC", "PARTITION", "LOW-WATERMARK", "ERROR"]);
        for (t, p, r) in &results {
            match r {
                Ok(low) => table.row(vec![
                    t.clone(),
                    p.to_string(),
                    low.to_string(),
                    String::new(),
                ]),
                Err(e) => table.row(vec![
                    t.clone(),
                    p.to_string(),
                    "-".into(),
                    format!("{} ({})", e.name(), e.code),
                ]),
            }
        }
        table.print();
    }
    if let Some((_, _, Err(e))) = results.iter().find(|r| r.2.is_err()) {
        return Err(e.clone().into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafkas_offset_json_parses() {
        let parsed = parse_offset_json(
            r#"{"partitions":[{"topic":"t","partition":0,"offset":5},{"topic":"t","partition":1,"offset":-1}],"version":1}"#,
        )
        .expect("parse");
        assert_eq!(parsed[&("t".to_owned(), 0)], 5);
        assert_eq!(parsed[&("t".to_owned(), 1)], -1);
    }

    #[test]
    fn offset_json_without_partitions_or_with_duplicates_is_rejected() {
        assert!(parse_offset_json(r#"{"version":1}"#).is_err());
        assert!(parse_offset_json(r#"{"partitions":[]}"#).is_err());
        assert!(parse_offset_json(
            r#"{"partitions":[{"topic":"t","partition":0,"offset":1},{"topic":"t","partition":0,"offset":2}]}"#
        )
        .is_err());
    }
}
