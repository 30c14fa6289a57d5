//! Tiered storage against a real S3-compatible server (moto, started here), reached through a
//! proxy the test can cut off. One test function runs the scenarios in order because the S3
//! endpoint reaches the broker through the AWS_* environment of this process.
//!
//! 1. A missing bucket refuses the start with a message naming `remote.log.storage.url`.
//! 2. ~200 MiB produced with 1 MiB segments and short local retention; the endpoint is cut
//!    off for a while mid-produce: produce keeps working, local retention waits (nothing below
//!    the tiered offset is deleted locally), the copy catches up afterwards; librdkafka and the
//!    Java client (when its jars are installed) read every record from offset 0 in order with
//!    matching values; ListOffsets -2/-4/-5/by-timestamp are right; segment objects are in the
//!    bucket under `<topic>-<partition>-<topicId>/`.

mod tiered_support;

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use strata_tests::requests::error_code;
use strata_tests::StrataProcess;
use tiered_support::*;

const BUCKET: &str = "strata-tiered";
/// ≈ 200 MiB of 1 KiB records.
const RECORDS: u64 = 200 * 1024;
/// Records (1 KiB) of uploads that may still complete right after the cut: two segments.
const IN_FLIGHT_RECORDS: i64 = 2 * 1024;
/// How long the S3 endpoint is unreachable.
const OUTAGE: Duration = Duration::from_secs(8);

#[test]
fn tiering_to_s3_survives_an_endpoint_outage_and_serves_every_record() -> Result<()> {
    let moto = S3Server::moto()?;
    let proxy = Outage::start(moto.port)?;
    S3Server::set_aws_env(proxy.port);

    // 1. No bucket yet: the start fails and says which setting to fix.
    let (status, output) = StrataProcess::builder()
        .with_override(
            "remote.log.storage.url",
            &format!("s3://{BUCKET}/cluster-a"),
        )
        .start_expecting_exit(Duration::from_secs(60))?;
    assert!(!status.success());
    assert!(
        output.contains("remote.log.storage.url"),
        "the error names the setting: {output}"
    );

    moto.create_bucket(BUCKET)?;
    let node = StrataProcess::builder()
        .with_override(
            "remote.log.storage.url",
            &format!("s3://{BUCKET}/cluster-a"),
        )
        .with_override("remote.log.manager.task.interval.ms", "300")
        .with_override("log.retention.check.interval.ms", "300")
        .with_override("remote.log.storage.request.attempts.max", "2")
        .with_override("remote.log.manager.task.retry.backoff.max.ms", "500")
        .start()?;
    let mut client = node.connect()?;
    let topic = "s3-tiered";
    create_tiered_topic(
        &mut client,
        topic,
        &[
            ("remote.storage.enable", "true"),
            ("segment.bytes", "1048576"),
            ("local.retention.ms", "1000"),
            ("retention.ms", "-1"),
        ],
    )?;

    // 2. Produce, with an outage in the middle.
    let ts_base = timestamp_base();
    let mut probe = node.connect()?;
    let outage_at = RECORDS * 3 / 10;
    let mut outage: Option<(Instant, (i64, i64, i64))> = None;
    let mut outage_checks = 0;
    produce_records(&mut client, topic, 0, RECORDS, ts_base, |done| {
        let offsets = check_local_deleted_only_after_upload(&mut probe, topic)?;
        if outage.is_none() && done >= outage_at {
            proxy.set_down(true);
            outage = Some((Instant::now(), offsets));
        }
        if let Some((since, at_start)) = outage {
            if proxy_is_down(since) {
                outage_checks += 1;
                // Local retention waits: nothing new is tiered, so nothing more is deleted.
                let (_, local, tiered) = offsets;
                // At most the segments whose uploads were already finishing when it was cut.
                if tiered > at_start.2 + IN_FLIGHT_RECORDS
                    || local > at_start.2 + 1 + IN_FLIGHT_RECORDS
                {
                    bail!("during the outage: local start {local}, tiered {tiered}, at cut {at_start:?}");
                }
            } else {
                proxy.set_down(false);
            }
        }
        Ok(())
    })?;
    // If produce finished before the outage was over, wait it out here.
    if let Some((since, _)) = outage {
        while proxy_is_down(since) {
            check_local_deleted_only_after_upload(&mut probe, topic)?;
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    proxy.set_down(false);
    assert!(
        outage_checks * RECORDS_PER_BATCH as u64 >= 8 * 1024,
        "at least 8 MiB produced during the outage ({outage_checks} batches)"
    );
    assert!(
        node.log_contents().contains("remote copy pass failed"),
        "the broker saw the endpoint go away"
    );

    let (start, local_start, tiered) = wait_for_tier(
        &mut client,
        topic,
        Duration::from_secs(180),
        "the copy catches up after the outage",
        |(_, local, tiered)| tiered >= 0 && local == tiered + 1 && local as u64 > RECORDS * 9 / 10,
    )?;
    assert_eq!(start, 0);
    assert_eq!(
        offset_for(&mut client, topic, EARLIEST_LOCAL)?.0,
        local_start
    );
    assert_eq!(offset_for(&mut client, topic, LATEST_TIERED)?.0, tiered);
    for target in [1u64, RECORDS / 4, outage_at + 5, local_start as u64 + 1] {
        let found = offset_for(&mut client, topic, ts_base + target as i64)?;
        assert_eq!(
            found,
            (target as i64, ts_base + target as i64),
            "timestamp of record {target}"
        );
    }

    let keys = moto.list_keys(BUCKET, "cluster-a/")?;
    let segment_objects = keys.iter().filter(|k| k.ends_with(".log")).count();
    assert!(
        segment_objects >= 150,
        "{segment_objects} segment objects in the bucket"
    );
    assert!(
        keys.iter()
            .any(|k| k.starts_with(&format!("cluster-a/{topic}-0-"))
                && k.ends_with("/manifest.json")),
        "a manifest under <prefix>/<topic>-<partition>-<topicId>/"
    );

    let started = Instant::now();
    let bytes = rdkafka_read_all(&node.bootstrap(), topic, RECORDS, Duration::from_secs(180))?;
    eprintln!(
        "rdkafka read {} MiB from offset 0 in {:?}",
        bytes >> 20,
        started.elapsed()
    );
    run_java_consumer(&node.bootstrap(), topic, RECORDS)?;
    let below = strata_tests::requests::fetch(&mut client, topic, 0, -1, 1 << 20)?;
    assert_eq!(below.error_code, error_code::OFFSET_OUT_OF_RANGE);
    Ok(())
}

fn proxy_is_down(since: Instant) -> bool {
    since.elapsed() < OUTAGE
}

/// Runs tests/java/TieredConsumerTest.java in verify-only mode when the Java client jars are
/// installed (scripts/install-test-deps.sh); says so and skips when they are not.
fn run_java_consumer(bootstrap: &str, topic: &str, records: u64) -> Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let lib = root.join(".deps/java/lib");
    let has_jars = std::fs::read_dir(&lib)
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("kafka-clients"))
        })
        .unwrap_or(false);
    if !has_jars
        || std::process::Command::new("javac")
            .arg("-version")
            .output()
            .is_err()
    {
        eprintln!("Java client not installed: skipping the Java consumer (run scripts/install-test-deps.sh)");
        return Ok(());
    }
    let classes = tempfile::tempdir()?;
    let cp = format!("{}/*", lib.display());
    let status = std::process::Command::new("javac")
        .args(["-nowarn", "-cp", &cp, "-d"])
        .arg(classes.path())
        .arg(root.join("tests/java/TieredConsumerTest.java"))
        .status()
        .context("javac")?;
    if !status.success() {
        bail!("javac TieredConsumerTest failed");
    }
    let output = std::process::Command::new("java")
        .arg("-cp")
        .arg(format!("{}:{cp}", classes.path().display()))
        .args(["TieredConsumerTest", bootstrap, topic, &records.to_string()])
        .output()
        .context("java")?;
    if !output.status.success() {
        bail!(
            "Java consumer failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    eprint!("{}", String::from_utf8_lossy(&output.stdout));
    Ok(())
}
