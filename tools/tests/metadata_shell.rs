//! `strata metadata-shell` over a metadata log written by Strata's own controller (run
//! in-process with a manual clock, so timestamps are known), every command and every tree node
//! compared with the text Kafka prints; bad input and a locked directory fail with a message
//! and a non-zero exit; the interactive shell answers on its `>> ` prompt.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use strata_controller::{
    AlterConfigOp, AlterConfigOpType, BrokerRegistrationRequest, ConfigChange, ConfigResource,
    Controller, ControllerConfig, CreateTopicSpec, Endpoint, MetadataImage,
};
use strata_storage::{uuid_to_kafka_string, ManualClock};
use uuid::Uuid;

const NOW_MS: i64 = 1_750_000_000_000;
const INCARNATION: u128 = 0x0123_4567_89ab_cdef_0123_4567_89ab_cdef;

fn strata() -> Command {
    Command::new(env!("CARGO_BIN_EXE_strata"))
}

fn run(args: &[&str], source: &[&str]) -> Output {
    strata()
        .arg("metadata-shell")
        .args(source)
        .args(args)
        .output()
        .expect("runs")
}

fn stdout_of(args: &[&str], source: &[&str]) -> String {
    let output = run(args, source);
    assert!(
        output.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// Writes metadata through a real controller: a broker, two topics, topic and broker configs,
/// a producer id block. `snapshot` ends with a clean shutdown (which writes a `.checkpoint`);
/// otherwise the controller halts and only the log holds the records.
fn write_metadata(log_dir: &Path, snapshot: bool) -> (MetadataImage, i64) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let clock = Arc::new(ManualClock::new(NOW_MS));
        let config = ControllerConfig::single_node(1, log_dir.to_path_buf(), "shell-test-cluster");
        let controller = Controller::start(config, clock)
            .await
            .expect("controller starts");
        let epoch = controller
            .register_broker(BrokerRegistrationRequest {
                broker_id: 1,
                incarnation_id: Uuid::from_u128(INCARNATION),
                listeners: vec![Endpoint {
                    name: "PLAINTEXT".to_string(),
                    host: "localhost".to_string(),
                    port: 9092,
                    security_protocol: 0,
                }],
                rack: Some("rack-1".to_string()),
                features: vec![("metadata.version".to_string(), 1, 25)],
                log_dirs: Vec::new(),
            })
            .await
            .expect("broker registers");
        for (name, partitions) in [("orders", 2), ("audit", 1)] {
            let created = controller
                .create_topics(
                    vec![CreateTopicSpec {
                        name: name.to_string(),
                        num_partitions: partitions,
                        replication_factor: 1,
                        assignments: Vec::new(),
                        configs: BTreeMap::from([(
                            "cleanup.policy".to_string(),
                            "compact".to_string(),
                        )]),
                    }],
                    false,
                )
                .await;
            created
                .into_iter()
                .next()
                .expect("one result")
                .expect("created");
        }
        let set = |resource_type, name: &str, key: &str, value: &str| ConfigChange {
            resource: ConfigResource {
                resource_type,
                name: name.to_string(),
            },
            ops: vec![AlterConfigOp {
                key: key.to_string(),
                op: AlterConfigOpType::Set,
                value: Some(value.to_string()),
            }],
        };
        for result in controller
            .incremental_alter_configs(
                vec![
                    set(2, "orders", "retention.ms", "60000"),
                    set(4, "", "log.cleaner.threads", "2"),
                ],
                false,
            )
            .await
        {
            result.expect("config set");
        }
        controller
            .allocate_producer_ids(1, epoch)
            .await
            .expect("producer ids");
        let image = controller.image().as_ref().clone();
        if snapshot {
            controller.shutdown().await.expect("shutdown");
        } else {
            controller.halt().await.expect("halt");
        }
        (image, epoch)
    })
}

fn kid(id: &Uuid) -> String {
    uuid_to_kafka_string(*id)
}

fn partition_line(image: &MetadataImage, topic: &str, index: i32) -> String {
    let p = &image.topics.by_name[topic].partitions[&index];
    format!(
        "PartitionRegistration(replicas=[1], directories=[AAAAAAAAAAAAAAAAAAAAAA], isr=[1], removingReplicas=[], addingReplicas=[], elr=[], lastKnownElr=[], leader=1, leaderRecoveryState=RECOVERED, leaderEpoch={}, partitionEpoch={})",
        p.leader_epoch, p.partition_epoch
    )
}

/// `tree /image` as Kafka prints it for what `write_metadata` wrote, minus the provenance line.
fn expected_tree(image: &MetadataImage, epoch: i64, provenance: &str) -> String {
    let orders = &image.topics.by_name["orders"];
    let audit = &image.topics.by_name["audit"];
    let fenced = image.brokers[&1].fenced;
    let topic = |indent: &str, t: &strata_controller::TopicImage| {
        let mut out = String::new();
        for index in t.partitions.keys() {
            out.push_str(&format!(
                "{indent}{index}:\n{indent}  {}\n",
                partition_line(image, &t.name, *index)
            ));
        }
        out.push_str(&format!("{indent}id:\n{indent}  {}\n", kid(&t.id)));
        out.push_str(&format!("{indent}name:\n{indent}  {}\n", t.name));
        out
    };
    let mut by_id: Vec<_> = [orders, audit].into_iter().collect();
    by_id.sort_by_key(|t| kid(&t.id));
    let mut by_id_text = String::new();
    for t in by_id {
        by_id_text.push_str(&format!("    {}:\n{}", kid(&t.id), topic("      ", t)));
    }
    format!(
        "acls:
clientQuotas:
cluster:
  brokers:
    1:
      BrokerRegistration(id=1, epoch={epoch}, incarnationId={incarnation}, listeners=[Endpoint(listenerName='PLAINTEXT', securityProtocol=PLAINTEXT, host='localhost', port=9092)], supportedFeatures={{metadata.version: 1-25}}, rack=Optional[rack-1], fenced={fenced}, inControlledShutdown=false, isMigratingZkBroker=false, directories=[])
  controllers:
configs:
  BROKER:
    log.cleaner.threads:
      2
  TOPIC:audit:
    cleanup.policy:
      compact
  TOPIC:orders:
    cleanup.policy:
      compact
    retention.ms:
      60000
delegationToken:
features:
  metadataVersion:
    4.0-IV3
  zkMigrationState:
    NONE
producerIds:
  nextProducerId:
    1000
provenance:
  {provenance}
scram:
  SCRAM-SHA-256:
  SCRAM-SHA-512:
topics:
  byId:
{by_id_text}  byName:
    audit:
{audit_text}    orders:
{orders_text}",
        incarnation = kid(&Uuid::from_u128(INCARNATION)),
        audit_text = topic("      ", audit),
        orders_text = topic("      ", orders),
    )
}

fn segment(log_dir: &Path) -> PathBuf {
    log_dir
        .join("__cluster_metadata-0")
        .join("00000000000000000000.log")
}

#[test]
fn every_node_of_a_strata_metadata_log_prints_as_kafka_prints_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (image, epoch) = write_metadata(dir.path(), false);
    let provenance = format!(
        "offset {}, epoch {}, time 2025-06-15T15:06:40Z[UTC]",
        image.offset, image.epoch
    );
    let expected = expected_tree(&image, epoch, &provenance);
    let segment = segment(dir.path());
    let segment = segment.to_str().expect("utf-8 path");
    assert_eq!(
        stdout_of(&["tree", "/image"], &["--snapshot", segment]),
        expected
    );
    let dir_arg = dir.path().to_str().expect("utf-8 path");
    assert_eq!(
        stdout_of(&["tree", "/image"], &["--directory", dir_arg]),
        expected
    );
    assert_eq!(
        stdout_of(
            &["cat", "/image/topics/byName/orders/1"],
            &["--snapshot", segment]
        ),
        format!("{}\n", partition_line(&image, "orders", 1))
    );
    let orders_id = kid(&image.topics.by_name["orders"].id);
    assert_eq!(
        stdout_of(
            &["cat", &format!("/image/topics/byId/{orders_id}/name")],
            &["-s", segment]
        ),
        "orders\n"
    );
}

#[test]
fn a_strata_snapshot_loads_alone_and_under_the_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (image, epoch) = write_metadata(dir.path(), true);
    let partition_dir = dir.path().join("__cluster_metadata-0");
    let checkpoint = std::fs::read_dir(&partition_dir)
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "checkpoint"))
        .expect("a .checkpoint was written on shutdown");
    // Without provenance: a lone checkpoint's batch offsets are local to the file (Kafka's
    // SnapshotFileReader reads it the same way).
    let strip = |text: String| -> String {
        let mut lines: Vec<&str> = text.lines().collect();
        let at = lines
            .iter()
            .position(|l| *l == "provenance:")
            .expect("provenance");
        lines.remove(at + 1);
        lines.join("\n")
    };
    // The snapshot carries the broker's supported features (MetadataImage::to_records writes
    // them into RegisterBrokerRecord), so the tree equals the one replayed from the log.
    let expected = strip(expected_tree(&image, epoch, "-"));
    let checkpoint = checkpoint.to_str().expect("utf-8 path");
    assert_eq!(
        strip(stdout_of(&["tree", "/image"], &["--snapshot", checkpoint])),
        expected
    );
    let dir_arg = partition_dir.to_str().expect("utf-8 path");
    let from_dir = stdout_of(&["tree", "/image"], &["--directory", dir_arg]);
    assert_eq!(strip(from_dir.clone()), expected);
    assert!(
        from_dir.contains(&format!("offset {}, epoch {}", image.offset, image.epoch)),
        "{from_dir}"
    );
}

#[test]
fn find_ls_and_globs_walk_the_tree_in_sorted_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (image, _) = write_metadata(dir.path(), false);
    let src = ["--directory", dir.path().to_str().expect("utf-8")];
    let find = stdout_of(&["find", "/image/configs"], &src);
    assert_eq!(
        find,
        "/image/configs\n/image/configs/BROKER\n/image/configs/BROKER/log.cleaner.threads\n\
         /image/configs/TOPIC:audit\n/image/configs/TOPIC:audit/cleanup.policy\n\
         /image/configs/TOPIC:orders\n/image/configs/TOPIC:orders/cleanup.policy\n\
         /image/configs/TOPIC:orders/retention.ms\n"
    );
    assert_eq!(
        stdout_of(&["ls", "/image/topics/byName"], &src),
        "audit\norders\n"
    );
    assert_eq!(
        stdout_of(&["cat", "/image/configs/TOPIC:*/cleanup.policy"], &src),
        "compact\ncompact\n"
    );
    assert_eq!(
        stdout_of(&["cat", "/image/topics/byName/o?ders/{0,1}"], &src),
        format!(
            "{}\n{}\n",
            partition_line(&image, "orders", 0),
            partition_line(&image, "orders", 1)
        )
    );
    let all = stdout_of(&["find"], &src);
    assert!(all.starts_with(".\n./image\n./image/acls\n"), "{all}");
    assert!(
        all.ends_with("./local\n./local/commitId\n./local/version\n"),
        "{all}"
    );
}

#[test]
fn the_interactive_shell_keeps_a_working_directory_and_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_metadata(dir.path(), false);
    let mut child = strata()
        .args(["metadata-shell", "--directory"])
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(
                b"cd image/topics\npwd\nls\ncd byName/orders\ncat name\ncd /nope\ncat ../../../../local/commitId\nhistory 2\nman pwd\nexit\nls\n",
            )
            .expect("write");
    }
    let output = child.wait_with_output().expect("exits");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "Loading...\nStarting...\n[ Kafka Metadata Shell ]\n\
         /image/topics\nbyId\nbyName\norders\ncd: /nope: no such directory.\nunknown\n\
         \x20\x20\x20\x206  cat ../../../../local/commitId\n\x20\x20\x20\x207  history 2\n\
         pwd: Print the current working directory.\n\nusage: pwd\n"
    );
}

#[test]
fn the_interactive_prompt_is_kafkas() {
    // `script` gives the shell a terminal, so the line editor prints its prompt.
    let dir = tempfile::tempdir().expect("tempdir");
    write_metadata(dir.path(), false);
    let command = format!(
        "{} metadata-shell --directory {}",
        env!("CARGO_BIN_EXE_strata"),
        dir.path().display()
    );
    let Ok(mut child) = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    else {
        eprintln!("skipping: no `script` to allocate a terminal");
        return;
    };
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"pwd\nexit\n").expect("write");
    }
    let output = child.wait_with_output().expect("exits");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("[ Kafka Metadata Shell ]"), "{text}");
    assert!(text.contains(">> "), "{text}");
}

#[test]
fn a_locked_directory_is_refused_unless_reading_a_copy() {
    use fs2::FileExt;
    let dir = tempfile::tempdir().expect("tempdir");
    write_metadata(dir.path(), false);
    // Hold the log dir's lock as a live node does.
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.path().join(".lock"))
        .expect("lock file");
    lock.try_lock_exclusive().expect("lock");
    let dir_arg = dir.path().to_str().expect("utf-8");
    let segment = segment(dir.path());
    for source in [
        vec!["--directory", dir_arg],
        vec!["--snapshot", segment.to_str().expect("utf-8")],
    ] {
        let output = run(&["ls", "/"], &source);
        assert_eq!(output.status.code(), Some(1), "{source:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("Unable to lock")
                && stderr.contains(
                    "Please ensure that no broker or controller process is using this directory"
                ),
            "{stderr}"
        );
    }
    assert_eq!(
        stdout_of(
            &["ls", "/image/topics/byName"],
            &["--directory", dir_arg, "--copy"]
        ),
        "audit\norders\n"
    );
    lock.unlock().expect("unlock");
}

#[test]
fn bad_input_fails_with_a_message_and_never_panics() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_metadata(dir.path(), false);
    let good = std::fs::read(segment(dir.path())).expect("read");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.log",
            good[..good.len() - 7].to_vec(),
            "invalid record batch",
        ),
        (
            "garbage.log",
            b"this is not a metadata log at all, just text".to_vec(),
            "invalid record batch",
        ),
        ("empty.log", Vec::new(), "contains no record batches"),
        (
            "header-only.log",
            good[..30].to_vec(),
            "invalid record batch",
        ),
    ];
    for (name, bytes, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        let output = run(&["ls", "/"], &["--snapshot", path.to_str().expect("utf-8")]);
        assert_eq!(output.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(message) && stderr.contains(name),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
    let missing = run(
        &["ls"],
        &["--snapshot", "/nonexistent/00000000000000000000.log"],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/00000000000000000000.log")
    );
    let empty_dir = tempfile::tempdir().expect("tempdir");
    let output = run(
        &["ls"],
        &["--directory", empty_dir.path().to_str().expect("utf-8")],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("no .checkpoint snapshot and no .log segment"));
    let none = strata()
        .args(["metadata-shell", "ls"])
        .output()
        .expect("runs");
    assert_eq!(none.status.code(), Some(1));
}
