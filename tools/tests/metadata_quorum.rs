//! `strata metadata-quorum` and `strata metadata-shell --bootstrap-server` against a running
//! node (the real `strata serve` process): DescribeQuorum and the live image over the Kafka
//! protocol, checked against the node's own metadata log read with `--copy`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn strata() -> Command {
    Command::new(env!("CARGO_BIN_EXE_strata"))
}

/// A running node process; SIGTERM and wait on drop.
struct NodeProcess(Child);

/// A running node and where to reach it.
struct Node {
    _process: NodeProcess,
    address: String,
    cluster_id: String,
    dir: tempfile::TempDir,
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        // SAFETY: signalling our own child process by its pid has no memory-safety impact.
        #[allow(unsafe_code)]
        unsafe {
            libc::kill(self.0.id() as libc::pid_t, libc::SIGTERM);
        }
        let _ = self.0.wait();
    }
}

fn start_node() -> Node {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut process = NodeProcess(
        strata()
            .args(["serve", "--override"])
            .arg(format!("log.dirs={}", dir.path().join("data").display()))
            .args([
                "--override",
                "listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0",
            ])
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawns"),
    );
    let stderr = process.0.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the node reports serving in time");
        if line.contains("strata is serving") {
            let plain: String = strip_ansi(&line);
            let address = field(&plain, "address=").expect("address in the log line");
            let cluster_id = field(&plain, "cluster_id=")
                .expect("cluster id in the log line")
                .trim_matches('"')
                .to_string();
            return Node {
                _process: process,
                address,
                cluster_id,
                dir,
            };
        }
    }
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn field(line: &str, key: &str) -> Option<String> {
    let start = line.find(key)? + key.len();
    Some(line[start..].split_whitespace().next()?.to_string())
}

fn stdout_of(args: &[&str]) -> String {
    let output = strata().args(args).output().expect("runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn describe_status_and_replication_report_the_single_voter_quorum() {
    let node = start_node();
    let status = stdout_of(&[
        "metadata-quorum",
        "--bootstrap-server",
        &node.address,
        "describe",
        "--status",
    ]);
    // The node's own metadata log, read without disturbing it.
    let data = node.dir.path().join("data");
    let provenance = stdout_of(&[
        "metadata-shell",
        "--directory",
        data.to_str().expect("utf-8"),
        "--copy",
        "cat",
        "/image/provenance",
    ]);
    let last_offset: i64 = provenance
        .strip_prefix("offset ")
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .expect("provenance offset");
    let epoch: i32 = provenance
        .split(", ")
        .find_map(|part| part.strip_prefix("epoch "))
        .and_then(|e| e.parse().ok())
        .expect("provenance epoch");
    let lines: Vec<&str> = status.lines().collect();
    assert_eq!(lines.len(), 8, "{status}");
    assert_eq!(
        lines[0],
        format!("ClusterId:              {}", node.cluster_id)
    );
    assert_eq!(lines[1], "LeaderId:               1");
    assert_eq!(lines[2], format!("LeaderEpoch:            {epoch}"));
    assert_eq!(
        lines[3],
        format!("HighWatermark:          {}", last_offset + 1)
    );
    assert_eq!(lines[4], "MaxFollowerLag:         0");
    assert_eq!(lines[5], "MaxFollowerLagTimeMs:   0");
    assert!(
        lines[6].starts_with("CurrentVoters:          [{\"id\": 1, \"directoryId\": null, \"endpoints\": [\"CONTROLLER://"),
        "{status}"
    );
    assert_eq!(lines[7], "CurrentObservers:       []");

    let replication = stdout_of(&[
        "metadata-quorum",
        "--bootstrap-server",
        &node.address,
        "describe",
        "--replication",
    ]);
    let rows: Vec<Vec<&str>> = replication
        .lines()
        .map(|l| l.split('\t').map(str::trim_end).collect())
        .collect();
    assert_eq!(
        rows[0],
        vec![
            "NodeId",
            "DirectoryId",
            "LogEndOffset",
            "Lag",
            "LastFetchTimestamp",
            "LastCaughtUpTimestamp",
            "Status",
            ""
        ]
    );
    assert_eq!(rows.len(), 2, "{replication}");
    assert_eq!(rows[1][0], "1");
    assert_eq!(rows[1][1], "AAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(rows[1][2], (last_offset + 1).to_string());
    assert_eq!(rows[1][3], "0");
    assert!(rows[1][4].parse::<i64>().expect("epoch ms") > 1_600_000_000_000);
    assert_eq!(rows[1][6], "Leader");
    let human = stdout_of(&[
        "metadata-quorum",
        "--bootstrap-server",
        &node.address,
        "describe",
        "--replication",
        "--human-readable",
    ]);
    assert!(human.contains(" ms ago"), "{human}");
}

#[test]
fn the_live_shell_shows_the_same_topics_and_brokers_as_the_log() {
    let node = start_node();
    let data = node.dir.path().join("data");
    let from_log = |path: &str| {
        stdout_of(&[
            "metadata-shell",
            "--directory",
            data.to_str().expect("utf-8"),
            "--copy",
            "cat",
            path,
        ])
    };
    let live = |args: &[&str]| {
        let mut all = vec![
            "metadata-shell",
            "--bootstrap-server",
            node.address.as_str(),
        ];
        all.extend_from_slice(args);
        stdout_of(&all)
    };
    stdout_of(&[
        "topic",
        "create",
        "--bootstrap-server",
        &node.address,
        "--topic",
        "live-topic",
        "--partitions",
        "2",
    ]);
    stdout_of(&[
        "config",
        "alter",
        "--bootstrap-server",
        &node.address,
        "--topic",
        "live-topic",
        "--add-config",
        "retention.ms=1000",
    ]);
    for path in [
        "/image/topics/byName/live-topic/id",
        "/image/topics/byName/live-topic/name",
        "/image/configs/TOPIC:live-topic/retention.ms",
    ] {
        assert_eq!(live(&["cat", path]), from_log(path), "{path}");
    }
    assert_eq!(
        live(&["ls", "/image/topics/byName/live-topic"]),
        "0\n1\nid\nname\n"
    );
    let partition = live(&["cat", "/image/topics/byName/live-topic/0"]);
    assert!(
        partition.starts_with(
            "PartitionRegistration(replicas=[1], directories=[AAAAAAAAAAAAAAAAAAAAAA], isr=[1], "
        ),
        "{partition}"
    );
    // Subtrees with no describe API are left out rather than shown empty.
    assert_eq!(
        live(&["ls", "/image"]),
        "cluster\nconfigs\nfeatures\nprovenance\ntopics\n"
    );
    assert_eq!(
        live(&["cat", "/image/features/metadataVersion"]),
        from_log("/image/features/metadataVersion")
    );
    let broker = live(&["cat", "/image/cluster/brokers/1"]);
    assert!(
        broker.starts_with("BrokerRegistration(id=1, epoch=-1, "),
        "{broker}"
    );
    assert!(broker.contains("fenced=false"), "{broker}");
    let quorum = stdout_of(&[
        "metadata-quorum",
        "--bootstrap-server",
        &node.address,
        "describe",
        "--status",
    ]);
    let hw: i64 = quorum
        .lines()
        .find_map(|l| l.strip_prefix("HighWatermark:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("high watermark");
    assert!(
        live(&["cat", "/image/provenance"]).starts_with(&format!("offset {}, epoch ", hw - 1)),
        "provenance follows the high watermark"
    );
}

#[test]
fn an_unreachable_server_fails_with_a_message() {
    // Port 1 on localhost: nothing listens there.
    for args in [
        vec![
            "metadata-quorum",
            "--bootstrap-server",
            "127.0.0.1:1",
            "describe",
            "--status",
        ],
        vec!["metadata-shell", "--bootstrap-server", "127.0.0.1:1", "ls"],
    ] {
        let output = strata().args(&args).output().expect("runs");
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("cannot connect to 127.0.0.1:1"), "{stderr}");
    }
}
