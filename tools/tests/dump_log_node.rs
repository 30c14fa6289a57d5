//! `strata dump-log` on the metadata log and snapshot a real Strata node writes: start
//! `strata serve`, stop it, dump `__cluster_metadata-0` with `--cluster-metadata-decoder`, and
//! check every line has Kafka's shape (ids and timestamps differ per run, so the lines are
//! checked by structure, not by value).

#[path = "dump_log_support.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{stderr, stdout_lines};

/// Runs a node on `dir` until it serves, then stops it with SIGTERM.
fn run_node_once(dir: &Path) {
    let properties = dir.join("server.properties");
    std::fs::write(
        &properties,
        format!(
            "log.dirs={}\nlisteners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0\n",
            dir.join("data").display()
        ),
    )
    .expect("write properties");
    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["serve", "--config"])
        .arg(&properties)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr piped")).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    for line in lines.by_ref() {
        if line.expect("log line").contains("strata is serving") {
            break;
        }
        assert!(Instant::now() < deadline, "not serving in time");
    }
    // SAFETY: sending a signal to our own child process by its pid has no memory-safety impact.
    #[allow(unsafe_code)]
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(sent, 0);
    let _rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().expect("exits").success());
}

fn files_with_suffix(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    out
}

/// Checks the batch and record lines of a dumped metadata log or snapshot.
fn check_metadata_dump(lines: &[String]) -> Vec<String> {
    let mut record_types = Vec::new();
    let mut in_control = false;
    for line in lines {
        if line.starts_with("baseOffset: ") {
            assert!(line.contains(" magic: 2 compresscodec: "), "{line}");
            assert!(line.ends_with("isvalid: true"), "{line}");
            in_control = line.contains(" isControl: true ");
        } else if let Some(rest) = line.strip_prefix("| offset: ") {
            if in_control {
                assert!(
                    [
                        " KRaftVoters {",
                        " controlType: LEADER_CHANGE(2)",
                        " SnapshotHeader {",
                        " SnapshotFooter {",
                        " KRaftVersion {"
                    ]
                    .iter()
                    .any(|c| rest.contains(c)),
                    "{line}"
                );
            } else {
                let (_, payload) = rest
                    .split_once(" payload: ")
                    .expect("metadata records print a payload");
                let json: serde_json::Value =
                    serde_json::from_str(payload).expect("payload is JSON");
                let record_type = json["type"].as_str().expect("type").to_string();
                assert!(record_type.ends_with("_RECORD"), "{payload}");
                assert!(
                    json["version"].is_number() && json["data"].is_object(),
                    "{payload}"
                );
                record_types.push(record_type);
            }
        }
    }
    record_types
}

#[test]
fn metadata_log_and_snapshot_of_a_strata_node_decode_with_kafka_shapes() {
    let dir = tempfile::tempdir().expect("tempdir");
    run_node_once(dir.path());
    let metadata = dir.path().join("data").join("__cluster_metadata-0");
    let logs = files_with_suffix(&metadata, ".log");
    assert!(!logs.is_empty(), "the node wrote a metadata log");

    let output = support::dump_file(&logs[0], &["--cluster-metadata-decoder"]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let lines = stdout_lines(&output);
    assert_eq!(lines[1], "Log starting offset: 0");
    let types = check_metadata_dump(&lines);
    assert!(
        types.contains(&"FEATURE_LEVEL_RECORD".to_string()),
        "{types:?}"
    );
    assert!(
        types.contains(&"REGISTER_BROKER_RECORD".to_string()),
        "{types:?}"
    );

    // Its indexes pass Kafka's sanity check and verify against the log.
    for suffix in [".index", ".timeindex"] {
        for index in files_with_suffix(&metadata, suffix) {
            let output = support::dump_file(&index, &["--verify-index-only"]);
            assert!(
                output.status.success(),
                "{}: {}",
                index.display(),
                stderr(&output)
            );
            let output = support::dump_file(&index, &["--index-sanity-check"]);
            assert!(
                output.status.success(),
                "{}: {}",
                index.display(),
                stderr(&output)
            );
        }
    }

    // Every snapshot: its id from the name, header first and footer last.
    for checkpoint in files_with_suffix(&metadata, ".checkpoint") {
        let output = support::dump_file(&checkpoint, &["--cluster-metadata-decoder"]);
        assert!(output.status.success(), "stderr: {}", stderr(&output));
        let lines = stdout_lines(&output);
        assert!(
            lines[1].starts_with("Snapshot end offset: "),
            "{}",
            lines[1]
        );
        let records: Vec<&String> = lines.iter().filter(|l| l.starts_with("| ")).collect();
        assert!(
            records
                .first()
                .is_some_and(|l| l.contains(" SnapshotHeader {\"version\":0,")),
            "{records:?}"
        );
        assert!(
            records
                .last()
                .is_some_and(|l| l.ends_with(" SnapshotFooter {\"version\":0}")),
            "{records:?}"
        );
        check_metadata_dump(&lines);
    }
}
