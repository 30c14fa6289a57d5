//! `strata serve` as a process: config errors exit non-zero naming the key; SIGTERM shuts down cleanly.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn strata() -> Command {
    Command::new(env!("CARGO_BIN_EXE_strata"))
}

#[test]
fn unknown_config_key_exits_with_status_2_naming_the_key() {
    let output = strata()
        .args(["serve", "--override", "log.retention.hourz=1"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("log.retention.hourz"), "stderr: {stderr}");
}

#[test]
fn missing_config_file_exits_non_zero_naming_the_file() {
    let output = strata()
        .args(["serve", "--config", "/nonexistent/server.properties"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/server.properties"));
}

#[test]
fn sigterm_shuts_the_node_down_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let properties = dir.path().join("server.properties");
    std::fs::write(
        &properties,
        format!(
            "# a Kafka-style file\nlog.dirs={}\nlisteners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0\n",
            dir.path().join("data").display()
        ),
    )
    .expect("write properties");
    let mut child = strata()
        .args(["serve", "--config"])
        .arg(&properties)
        .args(["--override", "num.partitions=2"])
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr piped")).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut serving = false;
    for line in lines.by_ref() {
        let line = line.expect("utf-8 log line");
        if line.contains("strata is serving") {
            serving = true;
            break;
        }
        assert!(Instant::now() < deadline, "not serving in time");
    }
    assert!(serving, "the node never reported serving");
    // SAFETY: sending a signal to our own child process by its pid has no memory-safety impact.
    #[allow(unsafe_code)]
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(sent, 0);
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().expect("exits");
    assert!(status.success(), "exit status {status:?}; log: {rest:?}");
    assert!(
        rest.iter().any(|l| l.contains("shut down cleanly")),
        "log: {rest:?}"
    );
    assert!(dir.path().join("data").join("meta.properties").exists());
}
