//! Remote expiry that removes every remote segment: the log start moves past the expired
//! segments (Kafka's expiration task: last expired end offset + 1), the highest tiered offset
//! never moves back, local copies below the new log start are deleted, and no offset above the
//! log start is left neither local nor remote.

mod common;
mod remote_support;

use std::sync::Arc;

use object_store::memory::InMemory;
use strata_storage::remote::RemotePartition;
use strata_storage::{Log, LogError};

use common::{clock, config, open};
use remote_support::{fill, manager_over, tiered_overrides};

/// Tiered overrides with `retention.ms=60000` and the given `local.retention.ms`.
fn overrides(local_retention_ms: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut overrides = tiered_overrides();
    overrides.retain(|(k, _)| *k != "retention.ms" && *k != "local.retention.ms");
    overrides.push(("retention.ms", "60000"));
    overrides.push(("local.retention.ms", local_retention_ms));
    overrides
}

/// Every offset from the log start to the log end is readable, locally or remotely.
async fn assert_no_gap(partition: &RemotePartition) {
    let log = partition.log();
    let end = log.log_end_offset();
    let mut offset = log.log_start_offset();
    while offset < end {
        let bytes = match log.read(offset, 1500, end, true) {
            Ok(info) => info.records,
            Err(LogError::OffsetMovedToTieredStorage { .. }) => {
                partition.read(offset, 1500, true).await.unwrap_or_else(|err| {
                    panic!(
                        "offset {offset} (log start {}, local start {}) is neither local nor remote: {err}",
                        log.log_start_offset(),
                        log.local_log_start_offset()
                    )
                })
            }
            Err(err) => panic!("read at {offset}: {err}"),
        };
        let last = common::offsets(&bytes)
            .last()
            .map(|&(_, last)| last)
            .expect("a batch");
        offset = last + 1;
    }
}

#[tokio::test]
async fn expiring_every_remote_segment_moves_the_log_start_past_them_and_stops_reuploads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    // Local retention inherits retention.ms: the local copies are all still there.
    let log: Arc<Log> = Arc::new(open(dir.path(), config(&overrides("-2")), clock.clone(), 0));
    fill(&log, 20);
    let manager = manager_over(Arc::new(InMemory::new()), clock.clone());
    let partition = manager.attach(log.clone()).await.expect("attach");
    let copied = partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("copy");
    assert!(copied.segments >= 3, "small segments: {copied:?}");
    let tiered = log.highest_tiered_offset();
    assert_eq!(log.local_log_start_offset(), 0, "local copies kept");

    clock.advance_ms(120_000);
    let outcome = partition.expire_segments(0).await.expect("expire");
    assert_eq!(
        outcome.segments, copied.segments,
        "every remote segment expired"
    );
    assert!(partition.segments().is_empty());
    assert_eq!(
        log.log_start_offset(),
        tiered + 1,
        "past the last expired segment"
    );
    assert_eq!(outcome.log_start_offset, tiered + 1);
    assert_eq!(
        log.highest_tiered_offset(),
        tiered,
        "the highest tiered offset never moves back"
    );
    assert_eq!(
        log.local_log_start_offset(),
        tiered + 1,
        "local copies of expired segments are deleted"
    );
    assert!(matches!(
        log.read(0, 1000, log.log_end_offset(), true),
        Err(LogError::OffsetOutOfRange { .. })
    ));
    let again = partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("copy again");
    assert_eq!(again.segments, 0, "expired data is not uploaded again");
    assert_no_gap(&partition).await;
}

#[tokio::test]
async fn expiring_every_remote_segment_leaves_no_gap_when_local_copies_go_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log: Arc<Log> = Arc::new(open(dir.path(), config(&overrides("0")), clock.clone(), 0));
    fill(&log, 30);
    let manager = manager_over(Arc::new(InMemory::new()), clock.clone());
    let partition = manager.attach(log.clone()).await.expect("attach");
    // Part of the tiered range is only remote, the rest is also still local.
    let third_base = log.segments()[3].base_offset();
    partition.copy_segments(0, third_base).await.expect("copy");
    log.apply_retention().expect("local retention");
    assert_eq!(log.local_log_start_offset(), third_base);
    assert_eq!(log.log_start_offset(), 0);
    partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("copy rest");
    let tiered = log.highest_tiered_offset();
    assert!(tiered > third_base);
    assert!(
        log.local_log_start_offset() < tiered,
        "local copies not yet deleted"
    );

    clock.advance_ms(120_000);
    let outcome = partition.expire_segments(0).await.expect("expire");
    assert!(partition.segments().is_empty(), "{outcome:?}");
    assert_eq!(log.log_start_offset(), tiered + 1);
    assert_eq!(log.local_log_start_offset(), log.log_start_offset());
    assert_eq!(log.highest_tiered_offset(), tiered);
    assert_no_gap(&partition).await;
    assert_eq!(
        partition
            .copy_segments(0, log.high_watermark())
            .await
            .expect("copy again")
            .segments,
        0
    );
    // A later local retention pass finds nothing more to delete and moves nothing back.
    log.apply_retention().expect("retention");
    assert_eq!(log.log_start_offset(), tiered + 1);
    assert_no_gap(&partition).await;
}
