//! Micro benchmark of the leader append and fetch paths: prints MB/s.
//!
//! `cargo run --release -p strata-storage --example append_bench -- [total_mb] [batch_kb] [flush_messages]`

use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use strata_protocol::record_batch::{Compression, RecordBatchBuilder};
use strata_storage::{Log, LogConfig, SystemClock, TopicPartition};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let total_mb: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(256);
    let batch_kb: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(16);
    let flush_messages = args.get(3).cloned().unwrap_or_else(|| i64::MAX.to_string());

    let mut builder = RecordBatchBuilder::new(0, Compression::None);
    let value = vec![0x5au8; 1000];
    while builder.len() * 1010 < batch_kb * 1024 {
        builder.append(0, None, Some(&value), &[]);
    }
    let template: BytesMut = builder.build()?;
    let batches = total_mb * 1024 * 1024 / template.len();

    let dir = tempfile::tempdir()?;
    let overrides = [("flush.messages".to_string(), flush_messages)]
        .into_iter()
        .collect();
    let config = LogConfig::from_props(&overrides, &Default::default())?;
    let log = Log::open(
        dir.path().join("bench-0"),
        TopicPartition::new("bench", 0),
        uuid::Uuid::nil(),
        config,
        0,
        0,
        Arc::new(SystemClock),
    )?;

    let started = Instant::now();
    for _ in 0..batches {
        log.append_as_leader(&template, 0)?;
    }
    let append_secs = started.elapsed().as_secs_f64();
    let bytes = (batches * template.len()) as f64;
    println!(
        "append: {batches} batches of {} bytes, {:.1} MB/s",
        template.len(),
        bytes / append_secs / 1e6
    );

    let started = Instant::now();
    let mut offset = 0;
    let mut read = 0usize;
    while offset < log.log_end_offset() {
        let info = log.read(offset, 1024 * 1024, i64::MAX, true)?;
        read += info.records.len();
        let mut last = offset;
        for view in strata_protocol::record_batch::batches(&info.records) {
            last = view?.last_offset();
        }
        offset = last + 1;
    }
    let read_secs = started.elapsed().as_secs_f64();
    println!(
        "read: {read} bytes, {:.1} MB/s",
        read as f64 / read_secs / 1e6
    );
    log.close()?;
    Ok(())
}
