//! Helpers shared by the storage integration tests.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use bytes::BytesMut;
use strata_protocol::record_batch::{batches, Compression, RecordBatchBuilder};
use strata_storage::{Clock, Log, LogConfig, ManualClock, TopicPartition};
use uuid::Uuid;

pub const T0: i64 = 1_700_000_000_000;

pub fn tp() -> TopicPartition {
    TopicPartition::new("orders", 0)
}

pub fn topic_id() -> Uuid {
    Uuid::from_u128(0xfeed_beef)
}

pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(T0))
}

/// A config from topic-level overrides.
pub fn config(pairs: &[(&str, &str)]) -> LogConfig {
    let overrides: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    LogConfig::from_props(&overrides, &BTreeMap::new()).expect("valid test config")
}

/// An uncompressed batch of `count` records with `value_bytes`-byte values and timestamps `ts, ts+1, ...`.
pub fn batch(count: usize, value_bytes: usize, ts: i64) -> BytesMut {
    let mut builder = RecordBatchBuilder::new(0, Compression::None);
    for i in 0..count {
        let value = vec![(i % 251) as u8; value_bytes];
        builder.append(
            ts + i as i64,
            Some(format!("k{i}").as_bytes()),
            Some(&value),
            &[],
        );
    }
    builder.build().expect("build batch")
}

/// A batch with explicit per-record timestamps.
pub fn batch_with_timestamps(timestamps: &[i64]) -> BytesMut {
    let mut builder = RecordBatchBuilder::new(0, Compression::None);
    for ts in timestamps {
        builder.append(*ts, None, Some(b"v"), &[]);
    }
    builder.build().expect("build batch")
}

/// An idempotent batch.
pub fn idempotent_batch(
    producer_id: i64,
    epoch: i16,
    base_sequence: i32,
    count: usize,
    ts: i64,
) -> BytesMut {
    let mut builder =
        RecordBatchBuilder::new(0, Compression::None).producer(producer_id, epoch, base_sequence);
    for i in 0..count {
        builder.append(
            ts,
            None,
            Some(format!("p{producer_id}-{}", base_sequence as usize + i).as_bytes()),
            &[],
        );
    }
    builder.build().expect("build batch")
}

pub fn open(dir: &Path, config: LogConfig, clock: Arc<dyn Clock>, recovery_point: i64) -> Log {
    Log::open(
        dir.to_path_buf(),
        tp(),
        topic_id(),
        config,
        recovery_point,
        0,
        clock,
    )
    .expect("open log")
}

/// Every batch of the log, as raw bytes, read from the log start to the log end.
pub fn read_all(log: &Log) -> Vec<Vec<u8>> {
    let info = log
        .read(
            log.log_start_offset(),
            usize::MAX / 2,
            log.log_end_offset(),
            true,
        )
        .expect("read all");
    batches(&info.records)
        .map(|b| b.expect("whole batches").bytes().to_vec())
        .collect()
}

/// (base offset, last offset) of every batch in `bytes`.
pub fn offsets(bytes: &[u8]) -> Vec<(i64, i64)> {
    batches(bytes)
        .map(|b| b.expect("whole batches"))
        .map(|b| (b.base_offset(), b.last_offset()))
        .collect()
}
