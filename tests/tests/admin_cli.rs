//! The admin commands of the real `strata` binary against a running node, end to end: topics,
//! configs, the console producer and consumer, offsets, records deletion, the cluster, groups,
//! JSON output and error paths.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;
use strata_tests::{free_port, strata_binary, StrataProcess};

/// Runs `strata <args> --bootstrap-server <node>` and returns its output.
fn strata(node: &StrataProcess, args: &[&str]) -> Result<Output> {
    strata_with_input(node, args, None)
}

fn strata_with_input(node: &StrataProcess, args: &[&str], input: Option<&str>) -> Result<Output> {
    let bootstrap = node.bootstrap();
    run_binary(args, &bootstrap, input)
}

fn run_binary(args: &[&str], bootstrap: &str, input: Option<&str>) -> Result<Output> {
    let mut command = Command::new(strata_binary()?);
    command
        .args(args)
        .args(["--bootstrap-server", bootstrap])
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().context("spawning strata")?;
    if let Some(text) = input {
        let mut stdin = child.stdin.take().context("stdin")?;
        stdin.write_all(text.as_bytes())?;
    }
    child.wait_with_output().context("waiting for strata")
}

/// Runs a command that must succeed; returns its stdout.
fn ok(node: &StrataProcess, args: &[&str]) -> Result<String> {
    ok_with_input(node, args, None)
}

fn ok_with_input(node: &StrataProcess, args: &[&str], input: Option<&str>) -> Result<String> {
    let output = strata_with_input(node, args, input)?;
    if !output.status.success() {
        bail!(
            "strata {args:?} failed with {}:\nstdout: {}\nstderr: {}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stdout)?)
}

/// Runs a command with `--output json` that must succeed; returns the parsed document.
fn json(node: &StrataProcess, args: &[&str]) -> Result<Value> {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--output", "json"]);
    let text = ok(node, &all)?;
    serde_json::from_str(&text)
        .with_context(|| format!("strata {args:?} printed invalid JSON: {text}"))
}

/// Runs a command that must fail with exit status 1; returns its stderr.
fn fails(node: &StrataProcess, args: &[&str]) -> Result<String> {
    let output = strata(node, args)?;
    if output.status.code() != Some(1) {
        bail!(
            "strata {args:?} should exit 1, got {}:\nstdout: {}\nstderr: {}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stderr)?)
}

fn topic_names(node: &StrataProcess) -> Result<Vec<String>> {
    let list = json(node, &["topic", "list"])?;
    Ok(list
        .as_array()
        .context("topic list is an array")?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect())
}

#[test]
fn topic_lifecycle_create_list_describe_alter_delete() -> Result<()> {
    let node = StrataProcess::start()?;
    let created = ok(
        &node,
        &[
            "topic",
            "create",
            "--topic",
            "orders",
            "--partitions",
            "3",
            "--replication-factor",
            "1",
            "--config",
            "retention.ms=3600000",
        ],
    )?;
    assert_eq!(created.trim(), "Created topic orders.");
    assert!(topic_names(&node)?.contains(&"orders".to_owned()));

    let described = json(&node, &["topic", "describe", "--topic", "orders"])?;
    let topic = &described[0];
    assert_eq!(topic["topic"], "orders");
    assert_eq!(topic["partition_count"], 3);
    assert_eq!(topic["replication_factor"], 1);
    assert_eq!(topic["configs"]["retention.ms"], "3600000");
    assert_eq!(topic["partitions"][2]["partition"], 2);
    assert!(topic["partitions"][0]["leader"]
        .as_i64()
        .is_some_and(|l| l >= 0));

    let table = ok(&node, &["topic", "describe", "--topic", "orders"])?;
    let first = table.lines().next().context("describe prints lines")?;
    assert!(first.starts_with("Topic: orders\tTopicId: "), "{first}");
    assert!(
        first.contains("PartitionCount: 3\tReplicationFactor: 1\tConfigs: retention.ms=3600000"),
        "{first}"
    );
    let header = table.lines().nth(1).context("table header")?;
    assert_eq!(header, "PARTITION  LEADER  REPLICAS  ISR  OFFLINE");

    ok(
        &node,
        &[
            "topic",
            "alter",
            "--topic",
            "orders",
            "--partitions",
            "5",
            "--config",
            "retention.ms=60000",
        ],
    )?;
    let described = json(&node, &["topic", "describe", "--topic", "orders"])?;
    assert_eq!(described[0]["partition_count"], 5);
    assert_eq!(described[0]["configs"]["retention.ms"], "60000");

    let deleted = ok(&node, &["topic", "delete", "--topic", "orders"])?;
    assert_eq!(deleted.trim(), "Deleted topic orders.");
    assert!(!topic_names(&node)?.contains(&"orders".to_owned()));
    Ok(())
}

#[test]
fn creating_an_existing_topic_names_topic_already_exists() -> Result<()> {
    let node = StrataProcess::start()?;
    ok(
        &node,
        &["topic", "create", "--topic", "dup", "--partitions", "1"],
    )?;
    let stderr = fails(
        &node,
        &["topic", "create", "--topic", "dup", "--partitions", "1"],
    )?;
    assert!(stderr.contains("TOPIC_ALREADY_EXISTS (36)"), "{stderr}");
    let again = ok(
        &node,
        &[
            "topic",
            "create",
            "--topic",
            "dup",
            "--partitions",
            "1",
            "--if-not-exists",
        ],
    )?;
    assert_eq!(again.trim(), "Topic dup already exists.");
    Ok(())
}

#[test]
fn unknown_topic_is_named_with_its_error_code_and_exits_non_zero() -> Result<()> {
    let node = StrataProcess::start()?;
    for args in [
        &["topic", "describe", "--topic", "missing"][..],
        &["topic", "delete", "--topic", "missing"][..],
        &["consume", "--topic", "missing", "--timeout-ms", "1000"][..],
        &["get-offsets", "--topic", "missing"][..],
        &["produce", "--topic", "missing"][..],
        &[
            "config",
            "alter",
            "--topic",
            "missing",
            "--add-config",
            "retention.ms=1",
        ][..],
    ] {
        let stderr = fails(&node, args)?;
        assert!(
            stderr.contains("UNKNOWN_TOPIC_OR_PARTITION (3)"),
            "strata {args:?}: {stderr}"
        );
        assert!(
            stderr.contains("missing"),
            "the error names the topic: {stderr}"
        );
    }
    ok(
        &node,
        &["topic", "delete", "--topic", "missing", "--if-exists"],
    )?;
    Ok(())
}

#[test]
fn config_alter_sets_and_deletes_topic_configs() -> Result<()> {
    let node = StrataProcess::start()?;
    ok(
        &node,
        &["topic", "create", "--topic", "cfg", "--partitions", "1"],
    )?;
    let changed = ok(
        &node,
        &[
            "config",
            "alter",
            "--entity-type",
            "topics",
            "--entity-name",
            "cfg",
            "--add-config",
            "retention.ms=5000,cleanup.policy=[compact,delete]",
        ],
    )?;
    assert_eq!(changed.trim(), "Completed updating config for topic cfg.");
    let described = json(&node, &["config", "describe", "--topic", "cfg"])?;
    let configs = described["configs"].as_array().context("configs")?;
    let value = |name: &str| {
        configs
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["value"].clone())
    };
    assert_eq!(value("retention.ms"), Some(Value::from("5000")));
    assert_eq!(value("cleanup.policy"), Some(Value::from("compact,delete")));
    assert!(configs
        .iter()
        .all(|c| c["source"] == "DYNAMIC_TOPIC_CONFIG"));

    ok(
        &node,
        &[
            "config",
            "alter",
            "--topic",
            "cfg",
            "--delete-config",
            "retention.ms",
        ],
    )?;
    let described = json(&node, &["config", "describe", "--topic", "cfg"])?;
    let names: Vec<&str> = described["configs"]
        .as_array()
        .context("configs")?
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, vec!["cleanup.policy"]);

    let all = json(&node, &["config", "describe", "--topic", "cfg", "--all"])?;
    let retention = all["configs"]
        .as_array()
        .context("configs")?
        .iter()
        .find(|c| c["name"] == "retention.ms")
        .context("--all lists defaults too")?
        .clone();
    assert_ne!(retention["source"], "DYNAMIC_TOPIC_CONFIG");

    let table = ok(&node, &["config", "describe", "--topic", "cfg"])?;
    assert_eq!(
        table,
        "Dynamic configs for topic cfg are:\n\
         NAME            VALUE           SOURCE                READ-ONLY  SENSITIVE\n\
         cleanup.policy  compact,delete  DYNAMIC_TOPIC_CONFIG  false      false\n"
    );

    let broker = json(&node, &["config", "describe", "--broker", "1", "--all"])?;
    assert!(broker["configs"].as_array().is_some_and(|c| !c.is_empty()));
    let stderr = fails(
        &node,
        &[
            "config",
            "alter",
            "--topic",
            "cfg",
            "--add-config",
            "retention.ms=not-a-number",
        ],
    )?;
    assert!(stderr.contains("INVALID_CONFIG (40)"), "{stderr}");
    Ok(())
}

#[test]
fn produce_then_consume_round_trips_keys_values_and_headers() -> Result<()> {
    let node = StrataProcess::start()?;
    ok(
        &node,
        &["topic", "create", "--topic", "events", "--partitions", "3"],
    )?;
    let mut input = String::new();
    for i in 0..30 {
        input.push_str(&format!(
            "trace:{i},tenant:t{}\tkey-{i}\tvalue {i}\n",
            i % 4
        ));
    }
    let produced = {
        let output = strata_with_input(
            &node,
            &[
                "produce",
                "--topic",
                "events",
                "--parse-key",
                "--parse-headers",
                "--compression-codec",
                "zstd",
                "--output",
                "json",
            ],
            Some(&input),
        )?;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<Value>(&output.stdout)?
    };
    assert_eq!(produced["records"], 30);

    let text = ok(
        &node,
        &[
            "consume",
            "--topic",
            "events",
            "--from-beginning",
            "--max-messages",
            "30",
            "--timeout-ms",
            "10000",
            "--output",
            "json",
        ],
    )?;
    let mut records: Vec<Value> = text
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .context("consume --output json prints one JSON object per line")?;
    assert_eq!(records.len(), 30);
    records.sort_by_key(|r| {
        r["key"]
            .as_str()
            .and_then(|k| k.strip_prefix("key-"))
            .and_then(|n| n.parse::<u32>().ok())
    });
    for (i, record) in records.iter().enumerate() {
        assert_eq!(record["key"], format!("key-{i}"));
        assert_eq!(record["value"], format!("value {i}"));
        assert_eq!(record["headers"][0]["key"], "trace");
        assert_eq!(record["headers"][0]["value"], i.to_string());
        assert_eq!(record["headers"][1]["value"], format!("t{}", i % 4));
    }
    // The same key always lands on the same partition (the default partitioner).
    let again = ok_with_input(
        &node,
        &[
            "produce",
            "--topic",
            "events",
            "--parse-key",
            "--output",
            "json",
        ],
        Some("key-7\tsecond\n"),
    )?;
    let again: Value = serde_json::from_str(&again)?;
    let first_partition = records[7]["partition"].clone();
    assert_eq!(again["partitions"][0]["partition"], first_partition);

    let text = ok(
        &node,
        &[
            "consume",
            "--topic",
            "events",
            "--from-beginning",
            "--max-messages",
            "31",
            "--timeout-ms",
            "10000",
            "--print-key",
            "--print-headers",
            "--key-separator",
            "|",
        ],
    )?;
    assert_eq!(text.lines().count(), 31);
    assert!(
        text.lines().any(|l| l == "trace:7,tenant:t3|key-7|value 7"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l == "NO_HEADERS|key-7|second"),
        "{text}"
    );
    Ok(())
}

#[test]
fn consume_starts_at_an_offset_of_one_partition_and_stops_when_idle() -> Result<()> {
    let node = StrataProcess::start()?;
    ok(
        &node,
        &["topic", "create", "--topic", "seq", "--partitions", "2"],
    )?;
    let input: String = (0..10).map(|i| format!("m{i}\n")).collect();
    ok_with_input(
        &node,
        &["produce", "--topic", "seq", "--partition", "1"],
        Some(&input),
    )?;
    let text = ok(
        &node,
        &[
            "consume",
            "--topic",
            "seq",
            "--partition",
            "1",
            "--offset",
            "7",
            "--timeout-ms",
            "1500",
            "--print-offset",
        ],
    )?;
    assert_eq!(text, "Offset:7\tm7\nOffset:8\tm8\nOffset:9\tm9\n");
    let empty = ok(
        &node,
        &[
            "consume",
            "--topic",
            "seq",
            "--partition",
            "0",
            "--offset",
            "earliest",
            "--timeout-ms",
            "1000",
        ],
    )?;
    assert_eq!(empty, "", "partition 0 is empty");
    Ok(())
}

#[test]
fn get_offsets_and_delete_records_move_the_log_start() -> Result<()> {
    let node = StrataProcess::start()?;
    ok(
        &node,
        &["topic", "create", "--topic", "trim", "--partitions", "2"],
    )?;
    let input: String = (0..8).map(|i| format!("r{i}\n")).collect();
    ok_with_input(
        &node,
        &["produce", "--topic", "trim", "--partition", "0"],
        Some(&input),
    )?;

    assert_eq!(
        ok(&node, &["get-offsets", "--topic", "trim"])?,
        "trim:0:8\ntrim:1:0\n"
    );
    assert_eq!(
        ok(&node, &["get-offsets", "--topic", "trim", "--time", "-2"])?,
        "trim:0:0\ntrim:1:0\n"
    );
    let latest = json(
        &node,
        &[
            "get-offsets",
            "--topic",
            "trim",
            "--partitions",
            "0",
            "--time",
            "latest",
        ],
    )?;
    assert_eq!(
        latest,
        serde_json::json!([{"topic": "trim", "partition": 0, "offset": 8, "timestamp": -1}])
    );

    let deleted = json(
        &node,
        &[
            "delete-records",
            "--topic",
            "trim",
            "--partition",
            "0",
            "--offset",
            "5",
        ],
    )?;
    assert_eq!(deleted[0]["low_watermark"], 5);
    assert_eq!(
        ok(
            &node,
            &[
                "get-offsets",
                "--topic",
                "trim",
                "--partitions",
                "0",
                "--time",
                "earliest"
            ]
        )?,
        "trim:0:5\n"
    );

    let dir = tempfile::tempdir()?;
    let file = dir.path().join("offsets.json");
    std::fs::write(
        &file,
        r#"{"partitions":[{"topic":"trim","partition":0,"offset":-1}],"version":1}"#,
    )?;
    let table = ok(
        &node,
        &[
            "delete-records",
            "--offset-json-file",
            file.to_str().context("utf-8 path")?,
        ],
    )?;
    assert!(
        table.starts_with("Records delete operation completed:\nTOPIC  PARTITION  LOW-WATERMARK"),
        "{table}"
    );
    assert_eq!(
        ok(
            &node,
            &[
                "get-offsets",
                "--topic",
                "trim",
                "--partitions",
                "0",
                "--time",
                "earliest"
            ]
        )?,
        "trim:0:8\n"
    );

    let stderr = fails(
        &node,
        &[
            "delete-records",
            "--topic",
            "trim",
            "--partition",
            "1",
            "--offset",
            "3",
        ],
    )?;
    assert!(stderr.contains("OFFSET_OUT_OF_RANGE (1)"), "{stderr}");
    Ok(())
}

#[test]
fn cluster_describe_names_the_node_and_its_listener() -> Result<()> {
    let node = StrataProcess::start()?;
    let cluster = json(&node, &["cluster", "describe"])?;
    assert!(cluster["cluster_id"]
        .as_str()
        .is_some_and(|id| !id.is_empty()));
    assert_eq!(cluster["controller_id"], 1);
    assert_eq!(cluster["brokers"][0]["id"], 1);
    assert_eq!(cluster["brokers"][0]["port"], i64::from(node.kafka_port()));
    let text = ok(&node, &["cluster", "describe"])?;
    assert!(text.starts_with("Cluster ID: "), "{text}");
    assert!(
        text.contains("\nController: 1\nID  HOST       PORT"),
        "{text}"
    );
    Ok(())
}

#[test]
fn unreachable_bootstrap_server_is_a_clear_error() -> Result<()> {
    let port = free_port()?;
    let output = run_binary(&["topic", "list"], &format!("127.0.0.1:{port}"), None)?;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr)?;
    assert!(
        stderr.contains(&format!("cannot connect to 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(stderr.contains("--bootstrap-server"), "{stderr}");
    Ok(())
}

#[test]
fn usage_errors_exit_with_status_two() -> Result<()> {
    let output = run_binary(
        &["group", "reset-offsets", "g", "--all-topics"],
        "127.0.0.1:1",
        None,
    )?;
    assert_eq!(output.status.code(), Some(2), "a reset needs a target");
    let output = run_binary(
        &["consume", "--topic", "t", "--offset", "5"],
        "127.0.0.1:1",
        None,
    )?;
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8(output.stderr)?.contains("needs --partition"));
    Ok(())
}

#[test]
fn group_commands_show_lag_reset_offsets_and_delete() -> Result<()> {
    let node = StrataProcess::start()?;
    ok(
        &node,
        &["topic", "create", "--topic", "work", "--partitions", "2"],
    )?;
    let input: String = (0..6).map(|i| format!("w{i}\n")).collect();
    ok_with_input(
        &node,
        &["produce", "--topic", "work", "--partition", "0"],
        Some(&input),
    )?;
    ok_with_input(
        &node,
        &["produce", "--topic", "work", "--partition", "1"],
        Some("x0\nx1\n"),
    )?;

    // A standalone consumer in group g1 reads 4 records of partition 0 and commits.
    let read = ok(
        &node,
        &[
            "consume",
            "--topic",
            "work",
            "--partition",
            "0",
            "--from-beginning",
            "--group",
            "g1",
            "--max-messages",
            "4",
            "--timeout-ms",
            "10000",
        ],
    )?;
    assert_eq!(read, "w0\nw1\nw2\nw3\n");

    let groups = json(&node, &["group", "list"])?;
    assert!(
        groups
            .as_array()
            .is_some_and(|g| g.iter().any(|g| g["group"] == "g1")),
        "{groups}"
    );

    let described = json(&node, &["group", "describe", "g1"])?;
    assert_eq!(described["state"], "Empty");
    let offsets = described["offsets"].as_array().context("offsets")?;
    assert_eq!(offsets.len(), 1, "{described}");
    assert_eq!(offsets[0]["committed_offset"], 4);
    assert_eq!(offsets[0]["log_end_offset"], 6);
    assert_eq!(offsets[0]["lag"], 2);
    let table = ok(&node, &["group", "describe", "g1"])?;
    assert!(
        table.contains("GROUP  TOPIC  PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG"),
        "{table}"
    );

    // Dry run: the plan is printed, nothing changes.
    let plan = json(
        &node,
        &[
            "group",
            "reset-offsets",
            "g1",
            "--topic",
            "work",
            "--to-earliest",
        ],
    )?;
    assert_eq!(plan["executed"], false);
    assert_eq!(plan["offsets"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        json(&node, &["group", "describe", "g1"])?["offsets"][0]["committed_offset"],
        4
    );

    ok(
        &node,
        &[
            "group",
            "reset-offsets",
            "g1",
            "--topic",
            "work:0",
            "--to-offset",
            "1",
            "--execute",
        ],
    )?;
    assert_eq!(
        json(&node, &["group", "describe", "g1"])?["offsets"][0]["committed_offset"],
        1
    );
    ok(
        &node,
        &[
            "group",
            "reset-offsets",
            "g1",
            "--all-topics",
            "--shift-by",
            "-5",
            "--execute",
        ],
    )?;
    assert_eq!(
        json(&node, &["group", "describe", "g1"])?["offsets"][0]["committed_offset"],
        0
    );
    ok(
        &node,
        &[
            "group",
            "reset-offsets",
            "g1",
            "--all-topics",
            "--to-latest",
            "--execute",
        ],
    )?;
    let described = json(&node, &["group", "describe", "g1"])?;
    assert_eq!(described["offsets"][0]["lag"], 0);

    // The group resumes from its committed offset.
    ok(
        &node,
        &[
            "group",
            "reset-offsets",
            "g1",
            "--all-topics",
            "--to-offset",
            "5",
            "--execute",
        ],
    )?;
    let read = ok(
        &node,
        &[
            "consume",
            "--topic",
            "work",
            "--partition",
            "0",
            "--group",
            "g1",
            "--timeout-ms",
            "1500",
        ],
    )?;
    assert_eq!(read, "w5\n");

    let deleted = ok(&node, &["group", "delete", "g1"])?;
    assert_eq!(
        deleted.trim(),
        "Deletion of requested consumer groups ('g1') was successful."
    );
    let stderr = fails(&node, &["group", "describe", "g1"])?;
    assert!(stderr.contains("GROUP_ID_NOT_FOUND (69)"), "{stderr}");
    Ok(())
}

/// Keeps a librdkafka group member alive on a background thread: it subscribes, reads, commits
/// synchronously after `commit_after` records, and keeps polling (heartbeats) until stopped.
struct LiveMember {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<Result<()>>>,
}

impl LiveMember {
    fn start(
        bootstrap: &str,
        group: &str,
        topic: &str,
        protocol: &str,
        commit_after: usize,
    ) -> Result<Self> {
        use rdkafka::config::ClientConfig;
        use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
        let mut config = ClientConfig::new();
        config
            .set("bootstrap.servers", bootstrap)
            .set("group.id", group)
            .set("group.protocol", protocol)
            .set("client.id", "cli-test-client")
            .set("auto.offset.reset", "earliest")
            .set("enable.auto.commit", "false");
        let consumer: BaseConsumer = config.create().context("creating librdkafka consumer")?;
        consumer.subscribe(&[topic])?;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop_flag = stop.clone();
        let thread = std::thread::spawn(move || -> Result<()> {
            let mut seen = 0;
            while !stop_flag.load(std::sync::atomic::Ordering::SeqCst) {
                if let Some(message) = consumer.poll(std::time::Duration::from_millis(100)) {
                    message?;
                    seen += 1;
                    if seen == commit_after {
                        consumer.commit_consumer_state(CommitMode::Sync)?;
                    }
                }
            }
            consumer.unsubscribe();
            // Polling after unsubscribe lets the member leave the group before the drop.
            for _ in 0..20 {
                let _ = consumer.poll(std::time::Duration::from_millis(100));
            }
            Ok(())
        });
        Ok(LiveMember {
            stop,
            thread: Some(thread),
        })
    }

    fn stop(mut self) -> Result<()> {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| anyhow::anyhow!("consumer thread panicked"))?,
            None => Ok(()),
        }
    }
}

impl Drop for LiveMember {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// An active group (one librdkafka member of `protocol`) as the group commands see it.
fn active_group_is_described_and_protected(protocol: &str) -> Result<()> {
    let node = StrataProcess::start()?;
    ok(
        &node,
        &["topic", "create", "--topic", "live", "--partitions", "2"],
    )?;
    let input: String = (0..10).map(|i| format!("k{i}\tv{i}\n")).collect();
    ok_with_input(
        &node,
        &["produce", "--topic", "live", "--parse-key"],
        Some(&input),
    )?;
    let member = LiveMember::start(&node.bootstrap(), "busy", "live", protocol, 10)?;

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let described = loop {
        let output = strata(&node, &["group", "describe", "busy", "--output", "json"])?;
        if output.status.success() {
            let d: Value = serde_json::from_slice(&output.stdout)?;
            let assigned = d["members"][0]["assignment"].as_array().map_or(0, Vec::len);
            let committed = d["offsets"]
                .as_array()
                .is_some_and(|o| o.len() == 2 && o.iter().all(|r| r["committed_offset"].is_i64()));
            if assigned == 2 && committed {
                break d;
            }
        }
        if std::time::Instant::now() > deadline {
            bail!(
                "group never showed one member with 2 partitions and commits: {}",
                String::from_utf8_lossy(&output.stdout)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    };
    assert_eq!(
        described["type"],
        if protocol == "consumer" {
            "consumer"
        } else {
            "classic"
        }
    );
    assert_eq!(described["state"], "Stable");
    assert_eq!(described["members"].as_array().map(Vec::len), Some(1));
    assert_eq!(described["members"][0]["client_id"], "cli-test-client");
    let total_committed: i64 = described["offsets"]
        .as_array()
        .context("offsets")?
        .iter()
        .filter_map(|r| r["committed_offset"].as_i64())
        .sum();
    assert_eq!(total_committed, 10, "{described}");
    assert!(described["offsets"].as_array().is_some_and(|o| o
        .iter()
        .all(|r| r["lag"] == 0 && r["member_id"].is_string())));

    let groups = json(&node, &["group", "list"])?;
    let listed = groups
        .as_array()
        .and_then(|g| g.iter().find(|g| g["group"] == "busy"))
        .context("group list shows the active group")?;
    assert_eq!(listed["state"], "Stable");

    let stderr = fails(
        &node,
        &[
            "group",
            "reset-offsets",
            "busy",
            "--all-topics",
            "--to-earliest",
            "--execute",
        ],
    )?;
    assert!(stderr.contains("inactive"), "{stderr}");
    let stderr = fails(&node, &["group", "delete", "busy"])?;
    assert!(stderr.contains("NON_EMPTY_GROUP (68)"), "{stderr}");

    member.stop()?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while json(&node, &["group", "describe", "busy"])?["state"] != "Empty" {
        if std::time::Instant::now() > deadline {
            bail!("the group did not become Empty after its member left");
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    ok(
        &node,
        &[
            "group",
            "reset-offsets",
            "busy",
            "--all-topics",
            "--to-earliest",
            "--execute",
        ],
    )?;
    let after = json(&node, &["group", "describe", "busy"])?;
    assert!(
        after["offsets"]
            .as_array()
            .is_some_and(|o| o.iter().all(|r| r["committed_offset"] == 0)),
        "{after}"
    );
    Ok(())
}

#[test]
fn active_classic_group_shows_its_member_and_refuses_reset_and_delete() -> Result<()> {
    active_group_is_described_and_protected("classic")
}

#[test]
fn active_consumer_protocol_group_shows_its_member_and_refuses_reset_and_delete() -> Result<()> {
    active_group_is_described_and_protected("consumer")
}

#[test]
fn every_command_prints_parseable_json() -> Result<()> {
    let node = StrataProcess::start()?;
    let created = json(
        &node,
        &["topic", "create", "--topic", "j", "--partitions", "2"],
    )?;
    assert_eq!(created["created"], true);
    assert_eq!(created["partitions"], 2);
    assert!(
        created["topic_id"]
            .as_str()
            .is_some_and(|id| id.len() == 22),
        "{created}"
    );
    let altered = json(
        &node,
        &["topic", "alter", "--topic", "j", "--partitions", "3"],
    )?;
    assert_eq!(altered["partitions"], 3);
    let config = json(
        &node,
        &[
            "config",
            "alter",
            "--topic",
            "j",
            "--add-config",
            "retention.ms=1000",
        ],
    )?;
    assert_eq!(config["set"][0]["name"], "retention.ms");
    let output = strata_with_input(
        &node,
        &[
            "produce",
            "--topic",
            "j",
            "--partition",
            "2",
            "--output",
            "json",
        ],
        Some("a\nb\n"),
    )?;
    let produced: Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(produced["partitions"][0]["partition"], 2);
    assert_eq!(produced["partitions"][0]["last_offset"], 1);
    let offsets = json(&node, &["get-offsets", "--topic", "j"])?;
    assert_eq!(offsets.as_array().map(Vec::len), Some(3));
    let groups = json(&node, &["group", "list"])?;
    assert!(groups.is_array());
    let deleted = json(&node, &["topic", "delete", "--topic", "j"])?;
    assert_eq!(deleted["deleted"][0], "j");
    Ok(())
}

#[test]
fn topic_describe_tiering_shows_the_tiered_and_local_ranges() -> Result<()> {
    let node = StrataProcess::builder()
        .with_override("remote.log.manager.task.interval.ms", "200")
        .with_override("log.retention.check.interval.ms", "200")
        .start()?;
    ok(
        &node,
        &[
            "topic",
            "create",
            "--topic",
            "tiered",
            "--partitions",
            "1",
            "--config",
            "remote.storage.enable=true",
            "--config",
            "segment.bytes=1048576",
            "--config",
            "local.retention.ms=0",
            "--config",
            "retention.ms=-1",
        ],
    )?;
    // ≈ 3 MiB: a few closed segments to upload, then to delete locally.
    let records = 3000;
    let line = "v".repeat(1000);
    let input: String = (0..records).map(|i| format!("{i}-{line}\n")).collect();
    ok_with_input(
        &node,
        &["produce", "--topic", "tiered", "--partition", "0"],
        Some(&input),
    )?;

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let row = loop {
        let document = json(
            &node,
            &["topic", "describe", "--topic", "tiered", "--tiering"],
        )?;
        let row = document[0].clone();
        let tiered = row["highest_tiered_offset"].as_i64().unwrap_or(-1);
        let local_start = row["local_log_start_offset"].as_i64().unwrap_or(0);
        if tiered >= 0 && local_start == tiered + 1 {
            break row;
        }
        if std::time::Instant::now() >= deadline {
            bail!("segments were not tiered and deleted locally in time: {document}");
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert_eq!(row["topic"], "tiered");
    assert_eq!(row["partition"], 0);
    assert_eq!(
        row["log_start_offset"], 0,
        "the tiered range is still in the log"
    );
    assert_eq!(row["log_end_offset"], records);
    let local_start = row["local_log_start_offset"]
        .as_i64()
        .context("local start")?;
    assert!(local_start > 0 && local_start < records, "{row}");
    let local_bytes = row["local_size_bytes"].as_i64().context("local size")?;
    assert!(
        local_bytes > 0 && local_bytes < 3_000_000,
        "only the untiered tail is local: {row}"
    );

    let text = ok(
        &node,
        &["topic", "describe", "--topic", "tiered", "--tiering"],
    )?;
    let lines: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        lines[0],
        [
            "TOPIC",
            "PARTITION",
            "LEADER",
            "LOG-START",
            "LOCAL-LOG-START",
            "HIGHEST-TIERED",
            "LOG-END",
            "LOCAL-SIZE"
        ],
        "{text}"
    );
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[1][0..2], ["tiered", "0"], "{text}");
    assert_eq!(lines[1][3], "0", "{text}");
    assert_eq!(lines[1][6], records.to_string(), "{text}");
    // Columns are aligned: every field of the row starts where its header starts.
    let header = text.lines().next().context("header")?;
    let row_line = text.lines().nth(1).context("row")?;
    for name in ["LOG-START", "LOCAL-SIZE"] {
        let at = header.find(name).context("column")?;
        assert_ne!(row_line.as_bytes()[at], b' ', "{text}");
        assert_eq!(row_line.as_bytes()[at - 1], b' ', "{text}");
    }
    let help = Command::new(strata_binary()?)
        .args(["topic", "describe", "--help"])
        .output()?;
    let help = String::from_utf8(help.stdout)?;
    assert!(help.contains("tiering stats"), "{help}");
    Ok(())
}
