//! `strata get-offsets`: offsets of partitions by time, printed `topic:partition:offset` as
//! `kafka-get-offsets.sh` prints them (ListOffsets to each partition's leader).

use anyhow::{bail, Result};
use clap::Args;
use serde_json::json;

use super::datetime::parse_timestamp_ms;
use super::output::{print_json, ConnectArgs};
use crate::client::offsets::{list_offsets, TopicPartition, EARLIEST, LATEST, MAX_TIMESTAMP};

/// ListOffsets: the local log start offset (tiered storage, KIP-405).
const EARLIEST_LOCAL: i64 = -4;
/// ListOffsets: the highest offset copied to the remote tier.
const LATEST_TIERED: i64 = -5;

/// `strata get-offsets`.
#[derive(Debug, Args)]
pub(crate) struct GetOffsetsArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    /// Topic(s), comma-separated (default: all topics).
    #[arg(long)]
    topic: Option<String>,
    /// Partitions, comma-separated (default: all).
    #[arg(long, value_name = "P,...")]
    partitions: Option<String>,
    /// `earliest` (-2), `latest` (-1), `max-timestamp` (-3), `earliest-local` (-4),
    /// `latest-tiered` (-5), a timestamp in ms, or yyyy-MM-ddTHH:mm:SS[.sss][zone].
    #[arg(long, default_value = "latest", allow_hyphen_values = true)]
    time: String,
    /// Leave out internal topics when listing all.
    #[arg(long)]
    exclude_internal_topics: bool,
}

/// Parses `--time`.
pub(crate) fn parse_time(text: &str) -> Result<i64> {
    Ok(match text {
        "earliest" | "-2" => EARLIEST,
        "latest" | "-1" => LATEST,
        "max-timestamp" | "-3" => MAX_TIMESTAMP,
        "earliest-local" | "-4" => EARLIEST_LOCAL,
        "latest-tiered" | "-5" => LATEST_TIERED,
        other => parse_timestamp_ms(other)?,
    })
}

/// Parses `--partitions 0,1,5`.
pub(crate) fn parse_partitions(text: &str) -> Result<Vec<i32>> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.parse::<i32>() {
            Ok(n) if n >= 0 => Ok(n),
            _ => bail!("bad partition '{p}' in --partitions"),
        })
        .collect()
}

/// Runs `strata get-offsets`.
pub(crate) async fn run(args: GetOffsetsArgs) -> Result<()> {
    let timestamp = parse_time(&args.time)?;
    let wanted_partitions = args
        .partitions
        .as_deref()
        .map(parse_partitions)
        .transpose()?;
    let mut client = args.conn.connect().await?;
    let names: Option<Vec<String>> = args.topic.as_ref().map(|t| {
        t.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    });
    let topology = match &names {
        Some(names) => client.topics_with_leaders(names).await?,
        None => client.metadata(None).await?,
    };
    let mut partitions: Vec<TopicPartition> = Vec::new();
    for topic in topology.topics.values() {
        if names.is_none() && args.exclude_internal_topics && topic.is_internal {
            continue;
        }
        for p in topic.partitions.keys() {
            if wanted_partitions.as_ref().is_none_or(|w| w.contains(p)) {
                partitions.push((topic.name.clone(), *p));
            }
        }
    }
    let answers = list_offsets(&mut client, &topology, &partitions, timestamp).await?;
    let mut rows = Vec::new();
    for ((topic, partition), answer) in answers {
        match answer {
            Ok(a) => rows.push((topic, partition, a.offset, a.timestamp)),
            // As kafka-get-offsets.sh: report the partition on stderr and go on.
            Err(e) => eprintln!(
                "Skip getting offsets for topic-partition {topic}-{partition} due to error: {e}"
            ),
        }
    }
    // Kafka 4 orders by the partition's name, `topic-partition`, as text.
    rows.sort_by_key(|(topic, partition, _, _)| format!("{topic}-{partition}"));
    if args.conn.json() {
        print_json(&json!(rows
            .iter()
            .map(|(t, p, o, ts)| json!({
                "topic": t, "partition": p,
                "offset": if *o < 0 { serde_json::Value::Null } else { json!(o) },
                "timestamp": ts,
            }))
            .collect::<Vec<_>>()));
    } else {
        // A partition without an answer (no record at or after a timestamp) is left out,
        // as Kafka leaves it out.
        for (topic, partition, offset, _) in rows.iter().filter(|r| r.2 >= 0) {
            println!("{topic}:{partition}:{offset}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_names_map_to_kafkas_sentinels() {
        assert_eq!(parse_time("earliest").expect("ok"), -2);
        assert_eq!(parse_time("-1").expect("ok"), -1);
        assert_eq!(parse_time("max-timestamp").expect("ok"), -3);
        assert_eq!(parse_time("12345").expect("ok"), 12_345);
        assert_eq!(parse_time("1970-01-01T00:00:01Z").expect("ok"), 1_000);
        assert!(parse_time("soon").is_err());
    }

    #[test]
    fn partition_lists_parse_and_reject_garbage() {
        assert_eq!(parse_partitions("0, 2,5").expect("ok"), vec![0, 2, 5]);
        assert!(parse_partitions("0,x").is_err());
        assert!(parse_partitions("-1").is_err());
    }
}
