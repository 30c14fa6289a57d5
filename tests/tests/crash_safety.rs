//! Crashes and damaged files: nothing acknowledged is lost or duplicated, and a torn log tail
//! or broken indexes are repaired on start.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use common::{consume_all, producer};
use kafka_protocol::records::Compression;
use rdkafka::producer::{BaseRecord, Producer};
use strata_tests::requests::{
    build_batch, create_topic_ok, error_code, fetch_all, list_offsets, produce,
};
use strata_tests::StrataProcess;

const PARTITIONS: i32 = 3;
/// SIGKILL/restart cycles in the produce test.
const CRASHES: usize = 2;

fn acked_count(producer: &rdkafka::producer::BaseProducer<common::RecordingContext>) -> usize {
    producer.context().acked.lock().expect("lock").len()
}

#[test]
fn sigkill_during_idempotent_acks_all_produce_keeps_every_acknowledged_record_exactly_once(
) -> Result<()> {
    let mut node = StrataProcess::start()?;
    create_topic_ok(&mut node.connect()?, "crash", PARTITIONS)?;
    let producer = Arc::new(producer(
        &node.bootstrap(),
        &[
            ("enable.idempotence", "true"),
            ("acks", "all"),
            ("message.timeout.ms", "120000"),
            ("reconnect.backoff.max.ms", "500"),
        ],
    )?);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let producer = Arc::clone(&producer);
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || -> Result<u64> {
            let mut sent = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let key = format!("k{sent:08}");
                let partition = (sent % PARTITIONS as u64) as i32;
                match producer.send(
                    BaseRecord::to("crash")
                        .partition(partition)
                        .key(&key)
                        .payload(&key),
                ) {
                    Ok(()) => sent += 1,
                    // Queue full while the broker is down: wait for deliveries to drain.
                    Err((_, _)) => producer.poll(Duration::from_millis(50)),
                }
                producer.poll(Duration::ZERO);
                if sent.is_multiple_of(200) {
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
            Ok(sent)
        })
    };

    // Two crash/restart cycles, each in the middle of a stream of in-flight batches.
    let mut acked_before = 0;
    for round in 0..CRASHES {
        wait_until(Duration::from_secs(60), || {
            acked_count(&producer) >= acked_before + 5_000
        })
        .with_context(|| format!("producer made no progress before crash {round}"))?;
        node.kill()?;
        acked_before = acked_count(&producer);
        std::thread::sleep(Duration::from_millis(500));
        node.restart()?;
    }
    wait_until(Duration::from_secs(60), || {
        acked_count(&producer) >= acked_before + 5_000
    })
    .context("producer made no progress after the last restart")?;
    stop.store(true, Ordering::Relaxed);
    let sent = writer.join().expect("writer thread")?;
    producer
        .flush(Duration::from_secs(120))
        .context("flushing after restart")?;

    let acked = producer.context().acked.lock().expect("lock").clone();
    let failed = producer.context().failed.lock().expect("lock").clone();
    assert!(
        failed.is_empty(),
        "idempotent producer deliveries failed across the crash: {} of {sent}, first {:?}",
        failed.len(),
        failed.first()
    );

    let consumed = consume_all(&node.bootstrap(), "crash", PARTITIONS)?;
    let mut by_position = BTreeMap::new();
    let mut seen_keys = BTreeSet::new();
    let mut next_offset: BTreeMap<i32, i64> = BTreeMap::new();
    for record in &consumed {
        let expected = next_offset.entry(record.partition).or_insert(0);
        assert_eq!(
            record.offset, *expected,
            "offsets in partition {} are contiguous",
            record.partition
        );
        *expected += 1;
        assert!(
            seen_keys.insert(record.key.clone()),
            "key {} appears twice",
            String::from_utf8_lossy(&record.key)
        );
        by_position.insert((record.partition, record.offset), record.key.clone());
    }
    for (key, partition, offset) in &acked {
        assert_eq!(
            by_position.get(&(*partition, *offset)),
            Some(key),
            "acknowledged {} at {partition}@{offset} must be readable there",
            String::from_utf8_lossy(key)
        );
    }
    assert!(acked.len() as u64 <= sent);
    Ok(())
}

fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while !condition() {
        if Instant::now() >= deadline {
            bail!("condition not met within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// The segment files of `dir` with extension `ext`, sorted by base offset.
fn segment_files(dir: &Path, ext: &str) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    Ok(files)
}

#[test]
fn torn_log_tail_and_damaged_indexes_are_repaired_on_restart() -> Result<()> {
    const BATCHES: usize = 20;
    const RECORDS_PER_BATCH: usize = 10;
    let mut node = StrataProcess::start()?;
    let mut client = node.connect()?;
    create_topic_ok(&mut client, "torn", 1)?;
    let base_ts = strata_tests::requests::recent_timestamp_ms();
    let mut last_batch_bytes = 0usize;
    for b in 0..BATCHES {
        let values: Vec<Bytes> = (0..RECORDS_PER_BATCH)
            .map(|i| Bytes::from(format!("b{b}-r{i}-{}", "y".repeat(200))))
            .collect();
        let batch = build_batch(&values, base_ts + (b as i64) * 1_000, Compression::None)?;
        last_batch_bytes = batch.len();
        let response = produce(&mut client, "torn", 0, batch.freeze(), 1)?;
        assert_eq!(
            response.error_code,
            error_code::NONE,
            "{:?} {:?}",
            response.error_message,
            response.record_errors
        );
        assert_eq!(response.base_offset, (b * RECORDS_PER_BATCH) as i64);
    }
    drop(client);
    node.kill()?;

    let partition_dir = node.data_dir().join("torn-0");
    let logs = segment_files(&partition_dir, "log")?;
    let active = logs.last().context("the partition has a .log segment")?;
    let length = std::fs::metadata(active)?.len();
    let torn_length = length - (last_batch_bytes as u64) / 2;
    let file = OpenOptions::new().write(true).open(active)?;
    file.set_len(torn_length)?;
    drop(file);
    let mut file = OpenOptions::new().append(true).open(active)?;
    file.write_all(&[0xab; 333])?;
    file.sync_all()?;
    for index in segment_files(&partition_dir, "index")? {
        std::fs::write(&index, vec![0x5c; 4096])?;
    }
    for time_index in segment_files(&partition_dir, "timeindex")? {
        std::fs::remove_file(&time_index)?;
    }

    node.restart()?;
    let mut client = node.connect()?;
    let complete = (BATCHES - 1) * RECORDS_PER_BATCH;
    let records = fetch_all(&mut client, "torn", 0, 0)?;
    assert_eq!(
        records.len(),
        complete,
        "every fully written batch is readable, nothing more"
    );
    for (i, record) in records.iter().enumerate() {
        assert_eq!(record.offset, i as i64);
        let value = record.value.clone().unwrap_or_default();
        let prefix = format!("b{}-r{}-", i / RECORDS_PER_BATCH, i % RECORDS_PER_BATCH);
        assert!(value.starts_with(prefix.as_bytes()), "record {i} content");
    }
    // Reads from the middle use the rebuilt offset index.
    let middle = fetch_all(&mut client, "torn", 0, 95)?;
    assert_eq!(middle.first().map(|r| r.offset), Some(95));
    // Timestamp lookups use the rebuilt time index.
    let at = list_offsets(&mut client, "torn", 0, base_ts + 7_000)?;
    assert_eq!(at.error_code, error_code::NONE);
    assert_eq!(at.offset, 70);
    let end = list_offsets(&mut client, "torn", 0, -1)?;
    assert_eq!(end.offset, complete as i64);

    let next = build_batch(
        &[Bytes::from_static(b"after")],
        base_ts + 99_000,
        Compression::None,
    )?;
    let response = produce(&mut client, "torn", 0, next.freeze(), 1)?;
    assert_eq!(
        response.error_code,
        error_code::NONE,
        "{:?} {:?}",
        response.error_message,
        response.record_errors
    );
    assert_eq!(
        response.base_offset, complete as i64,
        "appends continue at the repaired end"
    );
    let tail = fetch_all(&mut client, "torn", 0, complete as i64)?;
    assert_eq!(tail.len(), 1);
    assert_eq!(tail[0].value.as_deref(), Some(&b"after"[..]));
    Ok(())
}
