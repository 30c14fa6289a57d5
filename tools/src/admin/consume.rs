//! `strata consume`: the console consumer. Assigns itself the topic's partitions (or one),
//! starts at the earliest, latest, a given or the group's committed offset, and prints records
//! as Kafka's `DefaultMessageFormatter` does (or as JSON lines). With `--group` it commits its
//! positions when it stops, as a standalone (commit-only) group member.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use clap::{Args, ValueEnum};
use serde_json::json;

use super::output::{parse_key_value, ConnectArgs};
use crate::client::error_code::{
    is_retriable, LEADER_NOT_AVAILABLE, OFFSET_OUT_OF_RANGE, UNKNOWN_TOPIC_OR_PARTITION,
};
use crate::client::groups::{commit_offsets, fetch_committed};
use crate::client::offsets::{list_offsets_strict, TopicPartition, EARLIEST, LATEST};
use crate::client::records::{fetch, ConsumedRecord};
use crate::client::{BrokerError, Client, Retry, Topology};

/// How long one fetch waits on the broker for data.
const FETCH_MAX_WAIT_MS: i32 = 500;

/// `--isolation-level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Isolation {
    /// Everything up to the high watermark, including open and aborted transactions.
    ReadUncommitted,
    /// Only up to the last stable offset.
    ReadCommitted,
}

/// `--format`: how keys, values and header values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum BytesFormat {
    /// UTF-8 text (invalid bytes replaced).
    Text,
    /// Lowercase hex.
    Hex,
    /// Standard base64.
    Base64,
}

/// `strata consume`.
#[derive(Debug, Args)]
pub(crate) struct ConsumeArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    /// The topic to read.
    #[arg(long)]
    topic: String,
    /// Read only this partition (default: all).
    #[arg(long)]
    partition: Option<i32>,
    /// Start at the earliest offset when there is no committed offset (Kafka's flag).
    #[arg(long)]
    from_beginning: bool,
    /// Start at `earliest`, `latest`, or an offset (an offset needs --partition).
    #[arg(long, value_name = "earliest|latest|N", allow_hyphen_values = true)]
    offset: Option<String>,
    /// Start from this group's committed offsets and commit the positions on exit.
    #[arg(long)]
    group: Option<String>,
    /// Stop after this many records.
    #[arg(long)]
    max_messages: Option<u64>,
    /// Stop when no record arrived for this long.
    #[arg(long, value_name = "MS")]
    timeout_ms: Option<u64>,
    /// Transaction isolation.
    #[arg(long, value_enum, default_value_t = Isolation::ReadUncommitted)]
    isolation_level: Isolation,
    /// Print the key.
    #[arg(long)]
    print_key: bool,
    /// Print the headers.
    #[arg(long)]
    print_headers: bool,
    /// Print the offset.
    #[arg(long)]
    print_offset: bool,
    /// Print the partition.
    #[arg(long)]
    print_partition: bool,
    /// Print the timestamp.
    #[arg(long)]
    print_timestamp: bool,
    /// Separator between the printed fields.
    #[arg(long, default_value = "\t")]
    key_separator: String,
    /// Separator between headers.
    #[arg(long, default_value = ",")]
    headers_separator: String,
    /// Separator between a header's key and value.
    #[arg(long, default_value = ":")]
    headers_key_separator: String,
    /// Text printed for a null key, value or header value.
    #[arg(long, default_value = "null")]
    null_literal: String,
    /// How keys, values and header values are written.
    #[arg(long, value_enum, default_value_t = BytesFormat::Text)]
    format: BytesFormat,
    /// Kafka console-consumer formatter property (print.key, print.value, key.separator, ...).
    #[arg(long = "property", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    properties: Vec<(String, String)>,
}

/// How records are printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordFormatter {
    print_timestamp: bool,
    print_partition: bool,
    print_offset: bool,
    print_headers: bool,
    print_key: bool,
    print_value: bool,
    key_separator: String,
    line_separator: String,
    headers_separator: String,
    headers_key_separator: String,
    null_literal: String,
    format: BytesFormat,
}

impl RecordFormatter {
    /// From flags, with Kafka `--property` values applied over them.
    pub(crate) fn from_args(args: &ConsumeArgs) -> Result<Self> {
        let mut f = RecordFormatter {
            print_timestamp: args.print_timestamp,
            print_partition: args.print_partition,
            print_offset: args.print_offset,
            print_headers: args.print_headers,
            print_key: args.print_key,
            print_value: true,
            key_separator: args.key_separator.clone(),
            line_separator: "\n".to_owned(),
            headers_separator: args.headers_separator.clone(),
            headers_key_separator: args.headers_key_separator.clone(),
            null_literal: args.null_literal.clone(),
            format: args.format,
        };
        for (key, value) in &args.properties {
            let flag = || -> Result<bool> {
                value
                    .parse::<bool>()
                    .with_context(|| format!("property {key} expects true or false, got '{value}'"))
            };
            match key.as_str() {
                "print.timestamp" => f.print_timestamp = flag()?,
                "print.partition" => f.print_partition = flag()?,
                "print.offset" => f.print_offset = flag()?,
                "print.headers" => f.print_headers = flag()?,
                "print.key" => f.print_key = flag()?,
                "print.value" => f.print_value = flag()?,
                "key.separator" => f.key_separator = value.clone(),
                "line.separator" => f.line_separator = value.clone(),
                "headers.separator" => f.headers_separator = value.clone(),
                "headers.key.separator" => f.headers_key_separator = value.clone(),
                "null.literal" => f.null_literal = value.clone(),
                other => bail!("unknown formatter property '{other}' (known: print.timestamp, print.partition, print.offset, print.headers, print.key, print.value, key.separator, line.separator, headers.separator, headers.key.separator, null.literal)"),
            }
        }
        Ok(f)
    }

    fn bytes(&self, bytes: Option<&[u8]>) -> String {
        match bytes {
            None => self.null_literal.clone(),
            Some(b) => render_bytes(b, self.format),
        }
    }

    /// One record as Kafka's DefaultMessageFormatter lays it out: timestamp, partition, offset,
    /// headers, key, value, each followed by the separator, then the line separator.
    pub(crate) fn text(&self, record: &ConsumedRecord) -> String {
        let mut fields = Vec::new();
        if self.print_timestamp {
            let kind = if record.log_append_time {
                "LogAppendTime"
            } else {
                "CreateTime"
            };
            fields.push(if record.timestamp < 0 {
                "NO_TIMESTAMP".to_owned()
            } else {
                format!("{kind}:{}", record.timestamp)
            });
        }
        if self.print_partition {
            fields.push(format!("Partition:{}", record.partition));
        }
        if self.print_offset {
            fields.push(format!("Offset:{}", record.offset));
        }
        if self.print_headers {
            fields.push(if record.headers.is_empty() {
                "NO_HEADERS".to_owned()
            } else {
                record
                    .headers
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{k}{}{}",
                            self.headers_key_separator,
                            self.bytes(v.as_deref())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(&self.headers_separator)
            });
        }
        if self.print_key {
            fields.push(self.bytes(record.key.as_deref()));
        }
        if self.print_value {
            fields.push(self.bytes(record.value.as_deref()));
        }
        let mut line = fields.join(&self.key_separator);
        line.push_str(&self.line_separator);
        line
    }

    /// One record as a JSON object (for `--output json`, one per line).
    pub(crate) fn json(&self, topic: &str, record: &ConsumedRecord) -> serde_json::Value {
        let bytes = |b: Option<&[u8]>| b.map(|b| render_bytes(b, self.format));
        json!({
            "topic": topic,
            "partition": record.partition,
            "offset": record.offset,
            "timestamp": record.timestamp,
            "timestamp_type": if record.log_append_time { "LogAppendTime" } else { "CreateTime" },
            "key": bytes(record.key.as_deref()),
            "value": bytes(record.value.as_deref()),
            "headers": record.headers.iter().map(|(k, v)| json!({"key": k, "value": bytes(v.as_deref())})).collect::<Vec<_>>(),
        })
    }
}

fn render_bytes(bytes: &[u8], format: BytesFormat) -> String {
    match format {
        BytesFormat::Text => String::from_utf8_lossy(bytes).into_owned(),
        BytesFormat::Hex => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        BytesFormat::Base64 => base64::engine::general_purpose::STANDARD.encode(bytes),
    }
}

/// Where reading starts when no explicit offset applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartAt {
    Earliest,
    Latest,
    Offset(i64),
}

/// The start position from `--offset` and `--from-beginning` (Kafka's rules: an explicit offset
/// needs a partition; `--from-beginning` and `--offset` exclude each other).
pub(crate) fn start_at(args: &ConsumeArgs) -> Result<StartAt> {
    match (&args.offset, args.from_beginning) {
        (Some(_), true) => bail!("--offset and --from-beginning exclude each other"),
        (None, true) => Ok(StartAt::Earliest),
        (None, false) => Ok(StartAt::Latest),
        (Some(text), false) => match text.as_str() {
            "earliest" => Ok(StartAt::Earliest),
            "latest" => Ok(StartAt::Latest),
            number => {
                let offset: i64 = number.parse().ok().filter(|o| *o >= 0).with_context(|| {
                    format!("--offset takes earliest, latest or an offset >= 0, not '{number}'")
                })?;
                if args.partition.is_none() {
                    bail!("--offset {offset} needs --partition (an offset means one partition)");
                }
                Ok(StartAt::Offset(offset))
            }
        },
    }
}

/// Runs `strata consume`.
pub(crate) async fn run(args: ConsumeArgs) -> Result<()> {
    let formatter = RecordFormatter::from_args(&args)?;
    let start = start_at(&args)?;
    let mut client = args.conn.connect().await?;
    let topic = args.topic.clone();
    let mut topology = client
        .topics_with_leaders(std::slice::from_ref(&topic))
        .await?;
    let partitions: Vec<i32> = match args.partition {
        Some(p) => {
            if topology.leader(&topic, p).is_none() {
                return Err(BrokerError::new(
                    UNKNOWN_TOPIC_OR_PARTITION,
                    format!("{topic}-{p}"),
                    Some("no such partition".into()),
                )
                .into());
            }
            vec![p]
        }
        None => topology
            .topics
            .get(&topic)
            .map(|t| t.partitions.keys().copied().collect())
            .unwrap_or_default(),
    };
    let mut positions = initial_positions(
        &mut client,
        &topology,
        &topic,
        &partitions,
        start,
        args.group.as_deref(),
    )
    .await?;
    let isolation = match args.isolation_level {
        Isolation::ReadUncommitted => 0,
        Isolation::ReadCommitted => 1,
    };
    let reset_to = if start == StartAt::Earliest {
        EARLIEST
    } else {
        LATEST
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut consumed: u64 = 0;
    let mut last_record = Instant::now();
    let idle_limit = args.timeout_ms.map(Duration::from_millis);
    let mut retry = Retry::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    'outer: loop {
        if args.max_messages.is_some_and(|max| consumed >= max) {
            break;
        }
        if idle_limit.is_some_and(|limit| last_record.elapsed() >= limit) {
            break;
        }
        let mut by_leader: BTreeMap<i32, BTreeMap<i32, i64>> = BTreeMap::new();
        for (partition, offset) in &positions {
            let leader = topology.leader(&topic, *partition).unwrap_or(-1);
            by_leader
                .entry(leader)
                .or_default()
                .insert(*partition, *offset);
        }
        let mut leader_problem = None;
        for (leader, wanted) in by_leader {
            if leader < 0 {
                leader_problem = Some(BrokerError::new(LEADER_NOT_AVAILABLE, topic.clone(), None));
                continue;
            }
            let connection = client.node(leader).await?;
            let fetched = tokio::select! {
                fetched = fetch(connection, &topic, &wanted, FETCH_MAX_WAIT_MS, isolation) => fetched?,
                _ = &mut ctrl_c => break 'outer,
            };
            for partition in fetched {
                match partition.error_code {
                    0 => {}
                    OFFSET_OUT_OF_RANGE => {
                        let tp = [(topic.clone(), partition.partition)];
                        let reset =
                            list_offsets_strict(&mut client, &topology, &tp, reset_to).await?;
                        let offset = reset.values().next().map_or(0, |a| a.offset);
                        eprintln!(
                            "{topic}-{}: offset out of range; resetting to {offset}",
                            partition.partition
                        );
                        positions.insert(partition.partition, offset);
                        continue;
                    }
                    code if is_retriable(code) => {
                        leader_problem = Some(BrokerError::new(
                            code,
                            format!("{topic}-{}", partition.partition),
                            None,
                        ));
                        continue;
                    }
                    code => {
                        return Err(BrokerError::new(
                            code,
                            format!("{topic}-{}", partition.partition),
                            None,
                        )
                        .into())
                    }
                }
                for record in &partition.records {
                    if args.max_messages.is_some_and(|max| consumed >= max) {
                        break;
                    }
                    let written = if args.conn.json() {
                        writeln!(out, "{}", formatter.json(&topic, record))
                    } else {
                        out.write_all(formatter.text(record).as_bytes())
                    };
                    if written.is_err() {
                        // The reader went away (a closed pipe): stop quietly, as head(1) expects.
                        break 'outer;
                    }
                    consumed += 1;
                    last_record = Instant::now();
                    positions.insert(partition.partition, record.offset + 1);
                }
                if args.max_messages.is_none_or(|max| consumed < max) {
                    positions.insert(
                        partition.partition,
                        partition.next_offset.max(positions[&partition.partition]),
                    );
                }
            }
            if out.flush().is_err() {
                break 'outer;
            }
        }
        if let Some(problem) = leader_problem {
            retry.after(problem.into()).await?;
            topology = client
                .topics_with_leaders(std::slice::from_ref(&topic))
                .await?;
        }
    }
    let _ = out.flush();
    eprintln!("Processed a total of {consumed} messages");
    if let Some(group) = &args.group {
        let commits: BTreeMap<TopicPartition, i64> = positions
            .iter()
            .map(|(p, o)| ((topic.clone(), *p), *o))
            .collect();
        commit_offsets(&mut client, group, &commits).await?;
        eprintln!(
            "Committed offsets of {} partitions for group {group}",
            commits.len()
        );
    }
    Ok(())
}

async fn initial_positions(
    client: &mut Client,
    topology: &Topology,
    topic: &str,
    partitions: &[i32],
    start: StartAt,
    group: Option<&str>,
) -> Result<BTreeMap<i32, i64>> {
    let committed = match group {
        Some(group) => fetch_committed(client, group).await?,
        None => BTreeMap::new(),
    };
    let tps: Vec<TopicPartition> = partitions.iter().map(|p| (topic.to_owned(), *p)).collect();
    let mut positions = BTreeMap::new();
    let fallback = match start {
        StartAt::Offset(offset) => {
            for p in partitions {
                positions.insert(*p, offset);
            }
            return Ok(positions);
        }
        StartAt::Earliest => EARLIEST,
        StartAt::Latest => LATEST,
    };
    let need_lookup: Vec<TopicPartition> = tps
        .iter()
        .filter(|tp| !committed.contains_key(*tp))
        .cloned()
        .collect();
    let looked_up = if need_lookup.is_empty() {
        BTreeMap::new()
    } else {
        list_offsets_strict(client, topology, &need_lookup, fallback).await?
    };
    for tp in tps {
        let offset = committed
            .get(&tp)
            .map(|c| c.offset)
            .or_else(|| looked_up.get(&tp).map(|a| a.offset))
            .unwrap_or(0);
        positions.insert(tp.1, offset);
    }
    Ok(positions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: ConsumeArgs,
    }

    fn parse(argv: &[&str]) -> ConsumeArgs {
        Cli::try_parse_from(std::iter::once("consume").chain(argv.iter().copied()))
            .expect("parse")
            .args
    }

    fn record() -> ConsumedRecord {
        ConsumedRecord {
            partition: 2,
            offset: 17,
            timestamp: 1_700_000_000_000,
            log_append_time: false,
            key: Some(Bytes::from_static(b"k1")),
            value: Some(Bytes::from_static(b"v1")),
            headers: vec![
                ("h1".into(), Some(Bytes::from_static(b"x"))),
                ("h2".into(), None),
            ],
        }
    }

    #[test]
    fn value_only_by_default() {
        let f = RecordFormatter::from_args(&parse(&["--topic", "t"])).expect("formatter");
        assert_eq!(f.text(&record()), "v1\n");
    }

    #[test]
    fn fields_follow_kafkas_formatter_order() {
        let f = RecordFormatter::from_args(&parse(&[
            "--topic",
            "t",
            "--print-key",
            "--print-headers",
            "--print-offset",
            "--print-partition",
            "--print-timestamp",
        ]))
        .expect("formatter");
        assert_eq!(
            f.text(&record()),
            "CreateTime:1700000000000\tPartition:2\tOffset:17\th1:x,h2:null\tk1\tv1\n"
        );
    }

    #[test]
    fn kafka_properties_and_hex_format_apply() {
        let f = RecordFormatter::from_args(&parse(&[
            "--topic",
            "t",
            "--property",
            "print.key=true",
            "--property",
            "key.separator=|",
            "--format",
            "hex",
        ]))
        .expect("formatter");
        assert_eq!(f.text(&record()), "6b31|7631\n");
    }

    #[test]
    fn json_record_carries_every_field() {
        let f = RecordFormatter::from_args(&parse(&["--topic", "t"])).expect("formatter");
        let v = f.json("t", &record());
        assert_eq!(v["partition"], 2);
        assert_eq!(v["key"], "k1");
        assert_eq!(v["headers"][1]["value"], serde_json::Value::Null);
    }

    #[test]
    fn start_position_rules() {
        assert_eq!(
            start_at(&parse(&["--topic", "t"])).expect("ok"),
            StartAt::Latest
        );
        assert_eq!(
            start_at(&parse(&["--topic", "t", "--from-beginning"])).expect("ok"),
            StartAt::Earliest
        );
        assert_eq!(
            start_at(&parse(&[
                "--topic",
                "t",
                "--partition",
                "0",
                "--offset",
                "5"
            ]))
            .expect("ok"),
            StartAt::Offset(5)
        );
        assert!(
            start_at(&parse(&["--topic", "t", "--offset", "5"])).is_err(),
            "offset needs a partition"
        );
        assert!(start_at(&parse(&[
            "--topic",
            "t",
            "--offset",
            "earliest",
            "--from-beginning"
        ]))
        .is_err());
        assert!(start_at(&parse(&[
            "--topic",
            "t",
            "--partition",
            "0",
            "--offset",
            "-3"
        ]))
        .is_err());
    }
}
