//! Remote-tier figures for one partition: upload throughput, then catch-up read throughput from
//! offset 0 of the fully tiered partition with a cold and a warm cache, beside the local read
//! throughput of the same bytes measured in the same run, and the time to first byte of a cold
//! remote fetch. A benchmark, not a test: it prints figures and never fails on them.
//!
//! `cargo run --release -p strata-storage --example remote_bench -- [total_mb=1024] [url|-] [chunk_mb=4] [read_ahead_chunks=2] [runs=3]`
//! The URL defaults to a `file://` store in a temporary directory (`-` picks it too);
//! `s3://bucket/prefix` uses the `AWS_*` environment (e.g. a local moto or s3s-fs server).
//!
//! Every pass reads the same bytes the same way: a consumer's fetches of at most 1 MiB, each
//! starting at the offset after the previous one's last batch. Local passes read the same
//! segments (kept locally; page cache warm, as the tiered objects of a `file://` store are),
//! alternating with the cold passes so both see the same machine load. Each cold pass uses a fresh manager with the default, bounded chunk cache (256 MiB: less
//! than the partition, as on a broker); the warm passes use a manager whose cache holds the
//! whole partition, filled by one untimed pass first.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use strata_protocol::record_batch::{batches, Compression, RecordBatchBuilder};
use strata_storage::remote::{RemoteLogConfig, RemoteLogManager, RemotePartition};
use strata_storage::{Log, LogConfig, SystemClock, TopicPartition};

const FETCH_BYTES: usize = 1 << 20;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let total_mb: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1024);
    let store_dir = tempfile::tempdir()?;
    let default_url = format!("file://{}", store_dir.path().join("bucket").display());
    let url = match args.get(2).map(String::as_str) {
        None | Some("-") => default_url,
        Some(url) => url.to_string(),
    };
    let chunk_mb: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(4);
    let read_ahead_chunks: usize = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(2);
    let runs: usize = args.get(5).and_then(|a| a.parse().ok()).unwrap_or(3).max(1);
    let mut builder = RecordBatchBuilder::new(0, Compression::None);
    let value = vec![0x5au8; 1000];
    while builder.len() < 64 {
        builder.append(0, None, Some(&value), &[]);
    }
    let template: BytesMut = builder.build()?;
    let count = total_mb * 1024 * 1024 / template.len();

    let dir = tempfile::tempdir()?;
    let overrides = [
        ("remote.storage.enable", "true"),
        ("segment.bytes", "134217728"),
        ("retention.ms", "-1"),
        ("local.retention.ms", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let config = LogConfig::from_props(&overrides, &Default::default())?;
    let tp = TopicPartition::new("bench", 0);
    let log = Arc::new(Log::open(
        dir.path().join("bench-0"),
        tp,
        uuid::Uuid::new_v4(),
        config,
        0,
        0,
        Arc::new(SystemClock),
    )?);
    for _ in 0..count {
        log.append_as_leader(&template, 0)?;
    }
    log.roll_if_due()?;
    log.append_as_leader(&template, 0)?;
    log.update_high_watermark(log.log_end_offset());
    log.flush()?;
    let tiered_end = log.segments().last().map_or(0, |s| s.base_offset());
    println!(
        "partition: {} MiB in {} segments, store {url}, chunk {chunk_mb} MiB, read-ahead {read_ahead_chunks} chunks",
        total_mb,
        log.segment_count()
    );

    let remote_config = RemoteLogConfig {
        system_enable: true,
        storage_url: url.clone(),
        chunk_bytes: chunk_mb << 20,
        read_ahead_chunks,
        ..RemoteLogConfig::default()
    };
    let manager = RemoteLogManager::start(remote_config.clone(), Arc::new(SystemClock)).await?;
    let partition = manager.attach(Arc::clone(&log)).await?;
    let started = Instant::now();
    let copied = partition.copy_segments(0, log.high_watermark()).await?;
    let upload = rate(copied.bytes, started.elapsed());
    println!(
        "tiered {} segments ({} MB), highest tiered offset {}",
        copied.segments,
        copied.bytes / 1_000_000,
        partition.highest_tiered_offset()
    );

    // Local and cold passes alternate, so both see the same machine load.
    let mut local = Vec::new();
    let mut cold = Vec::new();
    let mut ttfb = Vec::new();
    let mut cold_hits = Vec::new();
    for _ in 0..runs {
        // Local: the same range from the local segments (page cache warm: just written, as
        // the tiered objects of a file:// store are).
        let started = Instant::now();
        let mut offset = 0;
        let mut bytes = 0u64;
        while offset < tiered_end {
            let info = log.read(offset, FETCH_BYTES, tiered_end, true)?;
            bytes += info.records.len() as u64;
            offset = next_offset(&info.records);
        }
        local.push(rate(bytes, started.elapsed()));
        // Cold: a fresh manager, nothing cached, the default bounded cache.
        let cold_manager =
            RemoteLogManager::start(remote_config.clone(), Arc::new(SystemClock)).await?;
        let cold_partition = cold_manager.attach(Arc::clone(&log)).await?;
        let started = Instant::now();
        let first = cold_partition.read(0, FETCH_BYTES, true).await?;
        ttfb.push(started.elapsed().as_secs_f64() * 1000.0);
        drop(first);
        let started = Instant::now();
        let bytes = catch_up(&cold_partition, tiered_end).await?;
        cold.push(rate(bytes, started.elapsed()));
        cold_hits.push(cold_partition.stats().cache_hit_ratio());
    }

    // Warm: a cache that holds the whole partition, filled by one untimed pass.
    let warm_config = RemoteLogConfig {
        chunk_cache_bytes: (total_mb as u64 + 64) << 20,
        ..remote_config
    };
    let warm_manager = RemoteLogManager::start(warm_config, Arc::new(SystemClock)).await?;
    let warm_partition = warm_manager.attach(Arc::clone(&log)).await?;
    catch_up(&warm_partition, tiered_end).await?;
    let mut warm = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let bytes = catch_up(&warm_partition, tiered_end).await?;
        warm.push(rate(bytes, started.elapsed()));
    }

    let local_median = median(&local);
    println!("upload throughput:            {upload:8.1} MB/s");
    println!(
        "local read throughput:        {local_median:8.1} MB/s  (runs: {})",
        list(&local)
    );
    println!(
        "remote read, cold cache:      {:8.1} MB/s  ({:.0}% of local; runs: {}; hit ratio {})",
        median(&cold),
        100.0 * median(&cold) / local_median,
        list(&cold),
        list(&cold_hits)
    );
    println!(
        "remote read, warm cache:      {:8.1} MB/s  ({:.0}% of local; runs: {})",
        median(&warm),
        100.0 * median(&warm) / local_median,
        list(&warm)
    );
    println!(
        "remote time to first byte:    {:8.2} ms  (runs: {})",
        median(&ttfb),
        list(&ttfb)
    );
    Ok(())
}

/// Reads `[0, end)` as the broker serves a catch-up consumer once local retention has removed
/// the tiered segments (kept here so local passes can read the same bytes): remote up to the
/// highest tiered offset, local after it.
async fn catch_up(
    partition: &RemotePartition,
    end: i64,
) -> Result<u64, Box<dyn std::error::Error>> {
    let log = partition.log();
    let tiered = partition.highest_tiered_offset();
    let mut offset = 0;
    let mut bytes = 0u64;
    while offset < end {
        let records = if offset <= tiered {
            partition.read(offset, FETCH_BYTES, true).await?
        } else {
            log.read(offset, FETCH_BYTES, end, true)?.records
        };
        bytes += records.len() as u64;
        offset = next_offset(&records);
    }
    Ok(bytes)
}

fn next_offset(records: &[u8]) -> i64 {
    batches(records)
        .last()
        .and_then(|b| b.ok())
        .map(|b| b.next_offset())
        .expect("a non-empty read")
}

fn rate(bytes: u64, elapsed: Duration) -> f64 {
    bytes as f64 / 1e6 / elapsed.as_secs_f64().max(1e-9)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn list(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format!("{v:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}
