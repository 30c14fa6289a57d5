//! Remote-tier figures for one partition: upload throughput, then catch-up read throughput from
//! offset 0 of the fully tiered partition with a cold and a warm cache, beside the local read
//! throughput of the same bytes measured in the same run, and the time to first byte of a cold
//! remote fetch. A benchmark, not a test: it prints figures and never fails on them.
//!
//! `cargo run --release -p strata-storage --example remote_bench -- [total_mb=1024] [url] [chunk_mb=4] [read_ahead_chunks=2]`
//! The URL defaults to a `file://` store in a temporary directory; `s3://bucket/prefix` uses the
//! `AWS_*` environment (e.g. a local moto or s3s-fs server).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use strata_protocol::record_batch::{batches, Compression, RecordBatchBuilder};
use strata_storage::remote::{RemoteLogConfig, RemoteLogManager, RemotePartition};
use strata_storage::{Log, LogConfig, LogError, SystemClock, TopicPartition};

const FETCH_BYTES: usize = 1 << 20;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let total_mb: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1024);
    let store_dir = tempfile::tempdir()?;
    let url = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| format!("file://{}", store_dir.path().join("bucket").display()));

    let url = if url == "-" {
        format!("file://{}", store_dir.path().join("bucket").display())
    } else {
        url
    };
    let chunk_mb: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(4);
    let read_ahead_chunks: usize = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(2);
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
    println!("partition: {} MiB in {} segments, store {url}", total_mb, log.segment_count());

    // Local read of the range that will be tiered (page cache warm: just written).
    let local_bytes;
    let started = Instant::now();
    {
        let mut offset = 0;
        let mut bytes = 0u64;
        while offset < tiered_end {
            let info = log.read(offset, FETCH_BYTES, tiered_end, true)?;
            bytes += info.records.len() as u64;
            offset = next_offset(&info.records);
        }
        local_bytes = bytes;
    }
    let local = rate(local_bytes, started.elapsed());

    let remote_config = RemoteLogConfig {
        system_enable: true,
        storage_url: url.clone(),
        chunk_cache_bytes: (total_mb as u64 + 64) << 20,
        chunk_bytes: chunk_mb << 20,
        read_ahead_chunks,
        ..RemoteLogConfig::default()
    };
    let manager = RemoteLogManager::start(remote_config.clone(), Arc::new(SystemClock)).await?;
    let partition = manager.attach(Arc::clone(&log)).await?;
    let started = Instant::now();
    let copied = partition.copy_segments(0, log.high_watermark()).await?;
    let upload = rate(copied.bytes, started.elapsed());
    log.apply_retention()?;
    println!(
        "tiered {} segments, local log start now {}",
        copied.segments,
        log.local_log_start_offset()
    );

    // A fresh manager: nothing cached.
    let cold_manager = RemoteLogManager::start(remote_config, Arc::new(SystemClock)).await?;
    let cold_partition = cold_manager.attach(Arc::clone(&log)).await?;
    let started = Instant::now();
    let first = cold_partition.read(0, FETCH_BYTES, true).await?;
    let ttfb = started.elapsed();
    drop(first);
    let started = Instant::now();
    let cold_bytes = catch_up(&cold_partition, tiered_end).await?;
    let cold = rate(cold_bytes, started.elapsed());
    let started = Instant::now();
    let warm_bytes = catch_up(&cold_partition, tiered_end).await?;
    let warm = rate(warm_bytes, started.elapsed());
    let stats = cold_partition.stats();

    println!("upload throughput:            {upload:8.1} MB/s");
    println!("local read throughput:        {local:8.1} MB/s");
    println!("remote read, cold cache:      {cold:8.1} MB/s  ({:.0}% of local)", 100.0 * cold / local);
    println!("remote read, warm cache:      {warm:8.1} MB/s  ({:.0}% of local)", 100.0 * warm / local);
    println!("remote time to first byte:    {:8.2} ms", ttfb.as_secs_f64() * 1000.0);
    println!("cache hit ratio:              {:8.2}", stats.cache_hit_ratio());
    Ok(())
}

/// Reads `[0, end)` as a catch-up consumer does: remote below the local start, else local.
async fn catch_up(partition: &RemotePartition, end: i64) -> Result<u64, Box<dyn std::error::Error>> {
    let log = partition.log();
    let mut offset = 0;
    let mut bytes = 0u64;
    while offset < end {
        let records = match log.read(offset, FETCH_BYTES, end, true) {
            Ok(info) => info.records,
            Err(LogError::OffsetMovedToTieredStorage { .. }) => {
                partition.read(offset, FETCH_BYTES, true).await?
            }
            Err(err) => return Err(err.into()),
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
