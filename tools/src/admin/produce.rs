//! `strata produce`: the console producer. Reads one record per line from stdin (or a file),
//! optionally with headers and a key in front of the value (Kafka's `LineMessageReader`
//! properties: `parse.key`, `key.separator`, `parse.headers`, `headers.delimiter`,
//! `headers.separator`, `headers.key.separator`, `null.marker`), and sends them in batches to the
//! partition leaders. Keyed records go where Kafka's default partitioner puts them.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use clap::{Args, ValueEnum};
use serde_json::json;
use strata_protocol::record_batch::{Compression, RecordBatchBuilder};
use tokio::sync::mpsc;

use super::output::{parse_key_value, print_json, ConnectArgs};
use crate::client::error_code::LEADER_NOT_AVAILABLE;
use crate::client::partitioner::partition_for_key;
use crate::client::records::produce;
use crate::client::{Client, Retry, Topology};

/// Lines buffered between the reading thread and the sender.
const LINE_QUEUE_CAPACITY: usize = 4096;
/// Records between progress lines on stderr.
const PROGRESS_EVERY_RECORDS: u64 = 100_000;
/// How long the broker may wait for replication (acks=all).
const PRODUCE_TIMEOUT_MS: i32 = 30_000;

/// `--compression-codec`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Codec {
    /// No compression.
    None,
    /// gzip.
    Gzip,
    /// snappy.
    Snappy,
    /// lz4.
    Lz4,
    /// zstd.
    Zstd,
}

impl Codec {
    fn compression(self) -> Compression {
        match self {
            Codec::None => Compression::None,
            Codec::Gzip => Compression::Gzip,
            Codec::Snappy => Compression::Snappy,
            Codec::Lz4 => Compression::Lz4,
            Codec::Zstd => Compression::Zstd,
        }
    }
}

/// `strata produce`.
#[derive(Debug, Args)]
pub(crate) struct ProduceArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    /// The topic to write to.
    #[arg(long)]
    topic: String,
    /// Write every record to this partition (default: by key hash, or round-robin without keys).
    #[arg(long)]
    partition: Option<i32>,
    /// Read records from this file instead of stdin.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Each line is KEY<key-separator>VALUE.
    #[arg(long)]
    parse_key: bool,
    /// Separator between key and value.
    #[arg(long, default_value = "\t")]
    key_separator: String,
    /// Each line starts with headers: H1:V1,H2:V2<headers-delimiter>...
    #[arg(long)]
    parse_headers: bool,
    /// Separator between the headers and the rest of the line.
    #[arg(long, default_value = "\t")]
    headers_delimiter: String,
    /// Separator between headers.
    #[arg(long, default_value = ",")]
    headers_separator: String,
    /// Separator between a header's key and value.
    #[arg(long, default_value = ":")]
    headers_key_separator: String,
    /// A key, value or header value equal to this text is sent as null.
    #[arg(long)]
    null_marker: Option<String>,
    /// Kafka console-producer property (parse.key, key.separator, parse.headers, ...); repeatable.
    #[arg(long = "property", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    properties: Vec<(String, String)>,
    /// Batch compression.
    #[arg(long, value_enum, default_value_t = Codec::None)]
    compression_codec: Codec,
    /// `all` (or -1: every in-sync replica) or 1 (the leader only). acks=0 is refused: the
    /// tool reports offsets, which need a response.
    #[arg(long, default_value = "all", allow_hyphen_values = true, value_parser = parse_acks)]
    acks: i16,
    /// Records per produce request at most.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    batch_records: u32,
}

fn parse_acks(text: &str) -> Result<i16, String> {
    match text {
        "all" | "-1" => Ok(-1),
        "1" => Ok(1),
        "0" => Err("acks=0 gets no response, so nothing could be reported; use 1 or all".into()),
        other => Err(format!("acks must be all, -1 or 1, not '{other}'")),
    }
}

/// How a line becomes a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LineFormat {
    parse_key: bool,
    key_separator: String,
    parse_headers: bool,
    headers_delimiter: String,
    headers_separator: String,
    headers_key_separator: String,
    null_marker: Option<String>,
}

/// One record read from a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LineRecord {
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    headers: Vec<(String, Option<Vec<u8>>)>,
}

impl LineFormat {
    /// The format from flags, with Kafka `--property` values applied over them.
    pub(crate) fn from_args(args: &ProduceArgs) -> Result<Self> {
        let mut format = LineFormat {
            parse_key: args.parse_key,
            key_separator: args.key_separator.clone(),
            parse_headers: args.parse_headers,
            headers_delimiter: args.headers_delimiter.clone(),
            headers_separator: args.headers_separator.clone(),
            headers_key_separator: args.headers_key_separator.clone(),
            null_marker: args.null_marker.clone(),
        };
        for (key, value) in &args.properties {
            let flag = || -> Result<bool> {
                value
                    .parse::<bool>()
                    .with_context(|| format!("property {key} expects true or false, got '{value}'"))
            };
            match key.as_str() {
                "parse.key" => format.parse_key = flag()?,
                "key.separator" => format.key_separator = value.clone(),
                "parse.headers" => format.parse_headers = flag()?,
                "headers.delimiter" => format.headers_delimiter = value.clone(),
                "headers.separator" => format.headers_separator = value.clone(),
                "headers.key.separator" => format.headers_key_separator = value.clone(),
                "null.marker" => format.null_marker = Some(value.clone()),
                other => bail!("unknown producer property '{other}' (known: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker)"),
            }
        }
        for (name, sep) in [
            ("key separator", &format.key_separator),
            ("headers delimiter", &format.headers_delimiter),
            ("headers separator", &format.headers_separator),
            ("headers key separator", &format.headers_key_separator),
        ] {
            if sep.is_empty() {
                bail!("the {name} must not be empty");
            }
        }
        Ok(format)
    }

    fn nullable(&self, text: &str) -> Option<Vec<u8>> {
        match &self.null_marker {
            Some(marker) if marker == text => None,
            _ => Some(text.as_bytes().to_vec()),
        }
    }

    /// Splits one input line (without its newline) into headers, key and value.
    pub(crate) fn parse(&self, line: &str, line_number: u64) -> Result<LineRecord> {
        let mut rest = line;
        let mut headers = Vec::new();
        if self.parse_headers {
            let Some((head, tail)) = rest.split_once(self.headers_delimiter.as_str()) else {
                bail!(
                    "line {line_number}: no headers delimiter {:?} in {line:?}",
                    self.headers_delimiter
                );
            };
            rest = tail;
            for header in head
                .split(self.headers_separator.as_str())
                .filter(|h| !h.is_empty())
            {
                match header.split_once(self.headers_key_separator.as_str()) {
                    Some((k, v)) => headers.push((k.to_owned(), self.nullable(v))),
                    None => headers.push((header.to_owned(), None)),
                }
            }
        }
        let (key, value) = if self.parse_key {
            let Some((k, v)) = rest.split_once(self.key_separator.as_str()) else {
                bail!(
                    "line {line_number}: no key separator {:?} in {line:?}",
                    self.key_separator
                );
            };
            (self.nullable(k), self.nullable(v))
        } else {
            (None, self.nullable(rest))
        };
        Ok(LineRecord {
            key,
            value,
            headers,
        })
    }
}

/// Runs `strata produce`.
pub(crate) async fn run(args: ProduceArgs) -> Result<()> {
    let format = LineFormat::from_args(&args)?;
    let mut client = args.conn.connect().await?;
    let mut topology = client
        .topics_with_leaders(std::slice::from_ref(&args.topic))
        .await?;
    let partition_count = partition_count(&topology, &args.topic)?;
    if let Some(p) = args.partition {
        if !(0..partition_count).contains(&p) {
            bail!(
                "topic '{}' has partitions 0..{}; --partition {p} does not exist",
                args.topic,
                partition_count - 1
            );
        }
    }
    let mut lines = spawn_reader(args.file.clone());
    let mut produced: u64 = 0;
    let mut line_number: u64 = 0;
    let mut next_round_robin = 0;
    let mut offsets: BTreeMap<i32, (i64, i64, u64)> = BTreeMap::new();
    while let Some(first) = lines.recv().await {
        let mut chunk = vec![first];
        while chunk.len() < args.batch_records as usize {
            match lines.try_recv() {
                Ok(line) => chunk.push(line),
                Err(_) => break,
            }
        }
        let mut by_partition: BTreeMap<i32, Vec<LineRecord>> = BTreeMap::new();
        let unkeyed_partition = args.partition.unwrap_or_else(|| {
            next_round_robin = (next_round_robin + 1) % partition_count;
            next_round_robin
        });
        for line in chunk {
            line_number += 1;
            let record = format.parse(&line?, line_number)?;
            let partition = match (&record.key, args.partition) {
                (_, Some(p)) => p,
                (Some(key), None) => partition_for_key(key, partition_count),
                (None, None) => unkeyed_partition,
            };
            by_partition.entry(partition).or_default().push(record);
        }
        let count: u64 = by_partition.values().map(|r| r.len() as u64).sum();
        let batches = build_batches(&by_partition, args.compression_codec.compression())?;
        let results = send(&mut client, &mut topology, &args.topic, batches, args.acks).await?;
        for (partition, base_offset) in results {
            let records = by_partition.get(&partition).map_or(0, Vec::len) as u64;
            let entry = offsets
                .entry(partition)
                .or_insert((base_offset, base_offset, 0));
            entry.1 = base_offset + records as i64 - 1;
            entry.2 += records;
        }
        let before = produced;
        produced += count;
        if produced / PROGRESS_EVERY_RECORDS > before / PROGRESS_EVERY_RECORDS {
            eprintln!("produced {produced} records so far");
        }
    }
    eprintln!("Produced {produced} records to {}", args.topic);
    if args.conn.json() {
        print_json(&json!({
            "topic": args.topic,
            "records": produced,
            "partitions": offsets.iter().map(|(p, (first, last, n))| json!({
                "partition": p, "first_offset": first, "last_offset": last, "records": n,
            })).collect::<Vec<_>>(),
        }));
    }
    Ok(())
}

fn partition_count(topology: &Topology, topic: &str) -> Result<i32> {
    let count = topology.topics.get(topic).map_or(0, |t| t.partitions.len());
    let count = i32::try_from(count).context("partition count out of range")?;
    if count == 0 {
        bail!("topic '{topic}' has no partitions");
    }
    Ok(count)
}

/// Reads lines on a plain thread (stdin blocks) and hands them over a bounded channel.
fn spawn_reader(file: Option<PathBuf>) -> mpsc::Receiver<std::io::Result<String>> {
    let (sender, receiver) = mpsc::channel(LINE_QUEUE_CAPACITY);
    std::thread::spawn(move || {
        let reader: Box<dyn BufRead> = match file {
            Some(path) => match std::fs::File::open(&path) {
                Ok(f) => Box::new(std::io::BufReader::new(f)),
                Err(e) => {
                    let error = std::io::Error::new(e.kind(), format!("{}: {e}", path.display()));
                    let _ = sender.blocking_send(Err(error));
                    return;
                }
            },
            None => Box::new(std::io::stdin().lock()),
        };
        for line in reader.lines() {
            let line = line.map(|l| l.strip_suffix('\r').map(str::to_owned).unwrap_or(l));
            if sender.blocking_send(line).is_err() {
                return;
            }
        }
    });
    receiver
}

fn build_batches(
    by_partition: &BTreeMap<i32, Vec<LineRecord>>,
    compression: Compression,
) -> Result<BTreeMap<i32, Bytes>> {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let mut out = BTreeMap::new();
    for (partition, records) in by_partition {
        let mut builder = RecordBatchBuilder::new(0, compression);
        for record in records {
            let headers: Vec<(&str, Option<&[u8]>)> = record
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_deref()))
                .collect();
            builder.append(
                now_ms,
                record.key.as_deref(),
                record.value.as_deref(),
                &headers,
            );
        }
        let batch = builder.build().context("building a record batch")?;
        out.insert(*partition, batch.freeze());
    }
    Ok(out)
}

/// Sends batches to their leaders; partitions whose leader moved are retried after a metadata
/// refresh. Returns each partition's base offset.
async fn send(
    client: &mut Client,
    topology: &mut Topology,
    topic: &str,
    mut pending: BTreeMap<i32, Bytes>,
    acks: i16,
) -> Result<BTreeMap<i32, i64>> {
    let mut done = BTreeMap::new();
    let mut retry = Retry::new();
    while !pending.is_empty() {
        let mut by_leader: BTreeMap<i32, BTreeMap<i32, Bytes>> = BTreeMap::new();
        for (partition, batch) in &pending {
            let leader = topology.leader(topic, *partition).unwrap_or(-1);
            by_leader
                .entry(leader)
                .or_default()
                .insert(*partition, batch.clone());
        }
        let mut failed = None;
        for (leader, batches) in by_leader {
            if leader < 0 {
                failed = Some(crate::client::BrokerError::new(
                    LEADER_NOT_AVAILABLE,
                    topic.to_owned(),
                    None,
                ));
                continue;
            }
            let connection = client.node(leader).await?;
            let results = produce(connection, topic, &batches, acks, PRODUCE_TIMEOUT_MS).await?;
            for (partition, result) in results {
                match result {
                    Ok(offset) => {
                        done.insert(partition, offset);
                        pending.remove(&partition);
                    }
                    Err(error) => failed = Some(error),
                }
            }
        }
        if let Some(error) = failed {
            retry.after(error.into()).await?;
            *topology = client.topics_with_leaders(&[topic.to_owned()]).await?;
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: ProduceArgs,
    }

    fn format(argv: &[&str]) -> LineFormat {
        let cli = Cli::try_parse_from(std::iter::once("produce").chain(argv.iter().copied()))
            .expect("parse");
        LineFormat::from_args(&cli.args).expect("format")
    }

    #[test]
    fn plain_lines_are_values_without_key() {
        let record = format(&["--topic", "t"])
            .parse("hello\tworld", 1)
            .expect("line");
        assert_eq!(record.key, None);
        assert_eq!(record.value.as_deref(), Some(&b"hello\tworld"[..]));
    }

    #[test]
    fn key_separator_splits_at_the_first_occurrence() {
        let record = format(&["--topic", "t", "--parse-key", "--key-separator", ":"])
            .parse("k1:v:1", 1)
            .expect("line");
        assert_eq!(record.key.as_deref(), Some(&b"k1"[..]));
        assert_eq!(record.value.as_deref(), Some(&b"v:1"[..]));
    }

    #[test]
    fn kafka_properties_set_the_same_options() {
        let f = format(&[
            "--topic",
            "t",
            "--property",
            "parse.key=true",
            "--property",
            "key.separator=|",
            "--property",
            "parse.headers=true",
            "--property",
            "null.marker=NULL",
        ]);
        let record = f.parse("h1:a,h2\tk|NULL", 3).expect("line");
        assert_eq!(record.key.as_deref(), Some(&b"k"[..]));
        assert_eq!(record.value, None, "the null marker makes a tombstone");
        assert_eq!(
            record.headers,
            vec![
                ("h1".to_owned(), Some(b"a".to_vec())),
                ("h2".to_owned(), None)
            ]
        );
    }

    #[test]
    fn missing_separator_names_the_line() {
        let error = format(&["--topic", "t", "--parse-key"])
            .parse("no-separator", 7)
            .expect_err("must fail");
        assert!(error.to_string().contains("line 7"), "{error}");
    }

    #[test]
    fn unknown_property_is_rejected() {
        let cli = Cli::try_parse_from(["produce", "--topic", "t", "--property", "print.key=true"])
            .expect("parse");
        assert!(LineFormat::from_args(&cli.args).is_err());
    }

    #[test]
    fn acks_zero_is_rejected_because_responses_are_needed() {
        assert!(Cli::try_parse_from(["produce", "--topic", "t", "--acks", "0"]).is_err());
        assert!(Cli::try_parse_from(["produce", "--topic", "t", "--acks", "2"]).is_err());
        let cli = Cli::try_parse_from(["produce", "--topic", "t", "--acks", "-1"]).expect("parse");
        assert_eq!(cli.args.acks, -1);
        let cli = Cli::try_parse_from(["produce", "--topic", "t", "--acks", "1"]).expect("parse");
        assert_eq!(cli.args.acks, 1);
    }
}
