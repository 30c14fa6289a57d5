//! The remote tier against in-memory, local-directory and fault-injecting stores: copy, local
//! retention gated on upload, reads below the local start, rebuild from the bucket, faults,
//! expiry and corruption.

mod common;
mod remote_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use strata_protocol::record_batch::batches;
use strata_storage::remote::{RemoteError, RemoteLogManager, RemotePartition, RemoteStore};
use strata_storage::{
    Clock, Log, LogError, EARLIEST_LOCAL_TIMESTAMP, EARLIEST_TIMESTAMP, LATEST_TIERED_TIMESTAMP,
};

use common::{clock, config, open, read_all, T0};
use remote_support::{fill, manager_over, remote_config, tiered_overrides, FaultyStore};

/// Reads the whole log from its start as a consumer would: locally, or remotely when the log
/// says the offset is tiered. Returns every batch's bytes.
async fn consume_all(partition: &RemotePartition) -> Vec<Vec<u8>> {
    let log = partition.log();
    let mut offset = log.log_start_offset();
    let end = log.log_end_offset();
    let mut out = Vec::new();
    while offset < end {
        let bytes = match log.read(offset, 1500, end, true) {
            Ok(info) => info.records,
            Err(LogError::OffsetMovedToTieredStorage { .. }) => partition
                .read(offset, 1500, true)
                .await
                .expect("remote read"),
            Err(err) => panic!("read at {offset}: {err}"),
        };
        assert!(!bytes.is_empty(), "no progress at offset {offset}");
        for batch in batches(&bytes) {
            let batch = batch.expect("whole batches");
            offset = batch.next_offset();
            out.push(batch.bytes().to_vec());
        }
    }
    out
}

fn tiered_log(dir: &std::path::Path, clock: Arc<dyn Clock>) -> Arc<Log> {
    Arc::new(open(dir, config(&tiered_overrides()), clock, 0))
}

async fn list_keys(store: &InMemory) -> Vec<String> {
    use futures::TryStreamExt;
    let mut keys: Vec<String> = store
        .list(None)
        .map_ok(|m| m.location.to_string())
        .try_collect()
        .await
        .expect("list");
    keys.sort();
    keys
}

#[tokio::test]
async fn local_retention_deletes_only_segments_already_in_the_bucket() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log = tiered_log(dir.path(), clock.clone());
    fill(&log, 40);
    let segments = log.segment_count();
    assert!(segments >= 6, "small segments roll: {segments}");
    let original = read_all(&log);

    // Nothing is uploaded yet: local.retention.ms=0 must not delete anything.
    log.apply_retention().expect("retention");
    assert_eq!(log.segment_count(), segments);
    assert!(
        log.local_retention_blocked() > 0,
        "retention reports it waits for uploads"
    );

    let store = Arc::new(InMemory::new());
    let manager = manager_over(store.clone(), clock.clone());
    let partition = manager.attach(log.clone()).await.expect("attach");
    let closed: u64 = log.segments()[..segments - 1]
        .iter()
        .map(|s| s.size())
        .sum();
    assert_eq!(partition.stats().bytes_pending_upload, closed);
    // Only segments wholly below the last stable offset are copied.
    let third_base = log.segments()[3].base_offset();
    let outcome = partition.copy_segments(0, third_base).await.expect("copy");
    assert_eq!(outcome.segments, 3);
    assert_eq!(log.highest_tiered_offset(), third_base - 1);
    log.apply_retention().expect("retention");
    assert_eq!(
        log.local_log_start_offset(),
        third_base,
        "only uploaded segments went"
    );
    assert_eq!(
        log.log_start_offset(),
        0,
        "the tiered range is still part of the log"
    );

    let outcome = partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("copy rest");
    assert_eq!(
        outcome.segments,
        segments - 4,
        "every closed segment; never the active one"
    );
    log.apply_retention().expect("retention");
    assert_eq!(
        log.segment_count(),
        1,
        "only the active segment stays local"
    );
    assert_eq!(log.local_retention_blocked(), 0);
    assert_eq!(log.log_start_offset(), 0);
    assert_eq!(consume_all(&partition).await, original);

    let stats = partition.stats();
    assert_eq!(
        stats.highest_tiered_offset,
        log.local_log_start_offset() - 1
    );
    assert_eq!(stats.bytes_pending_upload, 0);
    assert!(stats.upload_bytes > 0 && stats.upload_errors == 0);
}

#[tokio::test]
async fn reads_below_the_local_start_return_the_original_batches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log = tiered_log(dir.path(), clock.clone());
    fill(&log, 30);
    let original = read_all(&log);
    let manager = manager_over(Arc::new(InMemory::new()), clock.clone());
    let partition = manager.attach(log.clone()).await.expect("attach");
    partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("copy");
    log.apply_retention().expect("retention");
    let local_start = log.local_log_start_offset();
    assert!(local_start > 50);

    // The local log refuses tiered offsets with the tiered-storage error (code 109).
    let err = log
        .read(7, 1 << 20, log.log_end_offset(), true)
        .expect_err("tiered");
    assert!(
        matches!(
            err,
            LogError::OffsetMovedToTieredStorage {
                requested: 7,
                log_start: 0,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.kafka_error_code(), 109);

    // A mid-batch offset returns the whole batch holding it, byte for byte.
    let one = partition.read(7, 1, true).await.expect("remote read");
    assert_eq!(common::offsets(&one), vec![(5, 9)]);
    assert_eq!(one.as_ref(), &original[1][..]);
    // Byte limits: whole batches only; nothing when the first batch does not fit without min_one_message.
    let limited = partition
        .read(0, original[0].len() * 2 + 10, false)
        .await
        .expect("read");
    assert_eq!(common::offsets(&limited), vec![(0, 4), (5, 9)]);
    assert!(partition.read(0, 10, false).await.expect("read").is_empty());
    // Everything, sequentially, across both tiers (the second pass hits the cache).
    assert_eq!(consume_all(&partition).await, original);
    assert_eq!(consume_all(&partition).await, original);
    let stats = partition.stats();
    assert!(
        stats.cache_hits > 0 && stats.cache_hit_ratio() > 0.5,
        "{stats:?}"
    );
    // Offsets past the tiered range are not remote.
    let err = partition
        .read(local_start + 1, 100, true)
        .await
        .expect_err("not tiered");
    assert!(matches!(err, RemoteError::OffsetOutOfRange { .. }), "{err}");
}

#[tokio::test]
async fn a_wiped_partition_directory_is_rebuilt_from_the_bucket() {
    let bucket = tempfile::tempdir().expect("bucket dir");
    let url = format!("file://{}", bucket.path().join("store").display());
    let clock = clock();
    let original;
    let (local_start, log_end, highest);
    let data = tempfile::tempdir().expect("data dir");
    let part_dir = data.path().join("orders-0");
    {
        let log = tiered_log(&part_dir, clock.clone());
        fill(&log, 30);
        original = read_all(&log);
        let config = strata_storage::remote::RemoteLogConfig {
            storage_url: url.clone(),
            ..remote_config()
        };
        let manager = RemoteLogManager::start(config, clock.clone())
            .await
            .expect("file store");
        let partition = manager.attach(log.clone()).await.expect("attach");
        partition
            .copy_segments(3, log.high_watermark())
            .await
            .expect("copy");
        log.apply_retention().expect("retention");
        highest = log.highest_tiered_offset();
        local_start = log.local_log_start_offset();
        log_end = log.log_end_offset();
        log.close().expect("close");
    }
    std::fs::remove_dir_all(&part_dir).expect("wipe the partition directory");

    let log = tiered_log(&part_dir, clock.clone());
    assert_eq!(log.log_end_offset(), 0, "the local log starts empty");
    let config = strata_storage::remote::RemoteLogConfig {
        storage_url: url,
        ..remote_config()
    };
    let manager = RemoteLogManager::start(config, clock.clone())
        .await
        .expect("file store");
    let partition = manager
        .attach(log.clone())
        .await
        .expect("attach from the manifest");
    assert_eq!(log.log_start_offset(), 0);
    assert_eq!(log.highest_tiered_offset(), highest);
    assert_eq!(log.local_log_start_offset(), highest + 1);
    assert_eq!(
        log.log_end_offset(),
        highest + 1,
        "the local log restarts after the tiered range"
    );
    assert!(local_start > highest && log_end > highest);
    let tiered: Vec<Vec<u8>> = original
        .iter()
        .filter(|b| common::offsets(b)[0].1 <= highest)
        .cloned()
        .collect();
    assert_eq!(
        consume_all(&partition).await,
        tiered,
        "every tiered batch is served"
    );
    let offset = |ts| {
        log.fetch_offset_by_timestamp(ts)
            .expect("list offsets")
            .expect("some")
            .offset
    };
    assert_eq!(offset(EARLIEST_TIMESTAMP), 0);
    assert_eq!(offset(EARLIEST_LOCAL_TIMESTAMP), highest + 1);
    assert_eq!(offset(LATEST_TIERED_TIMESTAMP), highest);
    assert_eq!(
        log.end_offset_for_epoch(0).map(|(e, _)| e),
        Some(0),
        "epochs restored from the bucket"
    );
    let appended = log
        .append_as_leader(common::batch(1, 10, T0), 3)
        .expect("append after rebuild");
    assert_eq!(appended.first_offset, highest + 1);
}

#[tokio::test]
async fn an_unavailable_bucket_loses_nothing_and_copy_resumes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log = tiered_log(dir.path(), clock.clone());
    fill(&log, 30);
    let original = read_all(&log);
    let segments = log.segment_count();
    let store = Arc::new(FaultyStore::default());
    let manager = manager_over(store.clone(), clock.clone());
    let partition = manager.attach(log.clone()).await.expect("attach");

    store.fail(true);
    let err = partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect_err("store down");
    assert!(matches!(err, RemoteError::Store { .. }), "{err}");
    log.apply_retention().expect("retention");
    assert_eq!(
        log.segment_count(),
        segments,
        "local retention waits for the bucket"
    );
    assert!(log.local_retention_blocked() > 0);
    assert_eq!(partition.stats().upload_errors, 1);
    // Produce keeps working meanwhile.
    log.append_as_leader(common::batch(2, 10, T0), 0)
        .expect("append while the bucket is down");

    // A stalled endpoint times out instead of hanging the copier.
    store.fail(false);
    store.stall(true);
    let started = Instant::now();
    assert!(partition
        .copy_segments(0, log.high_watermark())
        .await
        .is_err());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "bounded by the request timeout"
    );
    store.stall(false);

    let outcome = partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("copy resumes");
    assert!(outcome.segments >= segments - 1);
    log.update_high_watermark(log.log_end_offset());
    log.apply_retention().expect("retention");
    assert_eq!(log.segment_count(), 1);
    let all = consume_all(&partition).await;
    assert_eq!(&all[..original.len()], &original[..], "nothing lost");
    // Every object the manifest names exists; the failed attempts left nothing it names missing.
    for segment in partition.segments() {
        for key in segment.object_keys(partition.object_dir()) {
            let path = Path::from(format!("cluster/{key}"));
            store.inner.head(&path).await.expect("named object exists");
        }
    }
}

#[tokio::test]
async fn expiry_deletes_old_remote_segments_and_advances_the_log_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let mut overrides = tiered_overrides();
    overrides.retain(|(k, _)| *k != "retention.ms");
    overrides.push(("retention.ms", "60000"));
    let log = Arc::new(open(dir.path(), config(&overrides), clock.clone(), 0));
    fill(&log, 20);
    // Newer data that must survive expiry.
    clock.advance_ms(120_000);
    for _ in 0..10 {
        log.append_as_leader(common::batch(5, 100, clock.now_ms()), 0)
            .expect("append");
    }
    log.update_high_watermark(log.log_end_offset());
    let store = Arc::new(InMemory::new());
    let manager = manager_over(store.clone(), clock.clone());
    let partition = manager.attach(log.clone()).await.expect("attach");
    partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("copy");
    let before = partition.segments();
    let keys_before = list_keys(&store).await;

    let outcome = partition.expire_segments(0).await.expect("expire");
    assert!(outcome.segments > 0);
    let after = partition.segments();
    assert_eq!(after.len(), before.len() - outcome.segments);
    assert!(
        after
            .iter()
            .all(|s| s.max_timestamp_ms >= clock.now_ms() - 60_000),
        "only expired ones went"
    );
    let new_start = after
        .first()
        .map(|s| s.base_offset)
        .expect("recent segments stay");
    assert_eq!(log.log_start_offset(), new_start);
    assert_eq!(outcome.log_start_offset, new_start);
    let keys_after = list_keys(&store).await;
    assert!(keys_after.len() < keys_before.len());
    for gone in &before[..outcome.segments] {
        assert!(
            keys_after.iter().all(|k| !k.contains(&gone.id.to_string())),
            "objects deleted"
        );
    }
    let err = partition.read(0, 1000, true).await.expect_err("expired");
    assert!(matches!(err, RemoteError::OffsetOutOfRange { .. }));
    assert!(matches!(
        log.read(0, 1000, log.log_end_offset(), true),
        Err(LogError::OffsetOutOfRange { .. })
    ));
    // A second pass is a no-op (idempotent).
    assert_eq!(
        partition.expire_segments(0).await.expect("again").segments,
        0
    );

    // DeleteRecords moves the log start; the next pass removes the remote data below it.
    let cut = after[1].base_offset + 1;
    log.delete_records_before(cut).expect("delete records");
    let outcome = partition
        .expire_segments(0)
        .await
        .expect("expire below log start");
    assert_eq!(outcome.segments, 1);
    assert_eq!(
        log.log_start_offset(),
        cut,
        "the log start never moves back"
    );
    assert_eq!(
        partition.segments().first().map(|s| s.base_offset),
        Some(after[1].base_offset)
    );
}

#[tokio::test]
async fn a_corrupt_remote_object_is_reported_and_not_served() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log = tiered_log(dir.path(), clock.clone());
    fill(&log, 20);
    let store = Arc::new(InMemory::new());
    let manager = manager_over(store.clone(), clock.clone());
    let partition = manager.attach(log.clone()).await.expect("attach");
    partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("copy");
    log.apply_retention().expect("retention");
    let segment = partition.segments()[1].clone();
    let key = Path::from(format!(
        "cluster/{}",
        segment.object_key(partition.object_dir(), "log")
    ));
    let mut bytes = store
        .get(&key)
        .await
        .expect("get")
        .bytes()
        .await
        .expect("bytes")
        .to_vec();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff; // inside the last batch's records: its CRC no longer matches
    store
        .put(&key, Bytes::from(bytes).into())
        .await
        .expect("overwrite");

    let last_batch_offset = segment.end_offset;
    let err = partition
        .read(last_batch_offset, 1 << 20, true)
        .await
        .expect_err("corrupt");
    assert!(matches!(err, RemoteError::CorruptObject { .. }), "{err}");
    assert_eq!(err.kafka_error_code(), 2);
    assert_eq!(partition.stats().corrupt_objects, 1);
    // Other segments still read.
    partition
        .read(0, 1 << 20, true)
        .await
        .expect("healthy segment");

    // A corrupt index is caught by its manifest checksum.
    let segment = partition.segments()[2].clone();
    let key = Path::from(format!(
        "cluster/{}",
        segment.object_key(partition.object_dir(), "index")
    ));
    store
        .put(&key, Bytes::from_static(&[0, 0, 0, 1, 0, 0, 0, 0]).into())
        .await
        .expect("overwrite");
    let err = partition
        .read(segment.base_offset, 1 << 20, true)
        .await
        .expect_err("corrupt index");
    assert!(matches!(err, RemoteError::CorruptObject { .. }), "{err}");
}

#[tokio::test]
async fn orphans_of_an_interrupted_upload_are_never_read_and_get_deleted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log = tiered_log(dir.path(), clock.clone());
    fill(&log, 10);
    let original = read_all(&log);
    let store = Arc::new(InMemory::new());
    // What a broker killed mid-upload leaves: objects under a segment id no manifest names.
    let orphan_dir = strata_storage::remote::partition_dir(log.topic_partition(), log.topic_id());
    let orphan = Path::from(format!(
        "cluster/{orphan_dir}/00000000000000000000-{}.log",
        uuid::Uuid::new_v4()
    ));
    store
        .put(&orphan, Bytes::from_static(b"half an upload").into())
        .await
        .expect("put");

    let manager = manager_over(store.clone(), clock.clone());
    let partition = manager.attach(log.clone()).await.expect("attach");
    assert_eq!(
        partition.highest_tiered_offset(),
        -1,
        "the orphan is not a segment"
    );
    partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("copy");
    assert!(store.head(&orphan).await.is_err(), "the orphan was deleted");
    log.apply_retention().expect("retention");
    assert_eq!(consume_all(&partition).await, original);
}

#[tokio::test]
async fn timestamp_lookups_use_the_remote_time_indexes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log = tiered_log(dir.path(), clock.clone());
    fill(&log, 30);
    let manager = manager_over(Arc::new(InMemory::new()), clock.clone());
    let partition = manager.attach(log.clone()).await.expect("attach");
    partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("copy");
    log.apply_retention().expect("retention");
    // Batch i holds timestamps T0-10000+5i .. +4, offsets 5i .. 5i+4: timestamp = offset + T0-10000.
    for target in [3i64, 27, 61] {
        let found = partition
            .fetch_offset_by_timestamp(T0 - 10_000 + target)
            .await
            .expect("lookup")
            .expect("found");
        assert_eq!(found.offset, target, "timestamp of offset {target}");
        assert!(
            target < log.local_log_start_offset(),
            "answered from the bucket"
        );
    }
    let latest = log.log_end_offset() - 1;
    let found = partition
        .fetch_offset_by_timestamp(T0 - 10_000 + latest)
        .await
        .expect("lookup")
        .expect("found locally");
    assert_eq!(found.offset, latest);
    assert!(partition
        .fetch_offset_by_timestamp(T0 + 1)
        .await
        .expect("lookup")
        .is_none());
}

#[tokio::test]
async fn segments_larger_than_a_part_go_as_multipart_uploads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let mut overrides = tiered_overrides();
    overrides.retain(|(k, _)| *k != "segment.bytes");
    overrides.push(("segment.bytes", "8388608"));
    let log = Arc::new(open(dir.path(), config(&overrides), clock.clone(), 0));
    for i in 0..140 {
        log.append_as_leader(common::batch(10, 8000, T0 - 1000 + i), 0)
            .expect("append");
    }
    log.update_high_watermark(log.log_end_offset());
    assert!(log.segment_count() >= 2);
    assert!(log.segments()[0].size() > 5 << 20);
    let original = read_all(&log);
    let store = Arc::new(FaultyStore::default());
    let manager = manager_over(store.clone(), clock.clone());
    let partition = manager.attach(log.clone()).await.expect("attach");
    partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("copy");
    log.apply_retention().expect("retention");
    assert!(partition.segments()[0].size_bytes > remote_config().multipart_part_bytes);
    let big = partition
        .segments()
        .iter()
        .filter(|s| s.size_bytes > remote_config().multipart_part_bytes)
        .count() as u64;
    assert_eq!(
        store
            .multipart_uploads
            .load(std::sync::atomic::Ordering::Relaxed),
        big
    );
    assert_eq!(consume_all(&partition).await, original);
}

#[tokio::test]
async fn an_unreachable_store_at_start_names_the_setting() {
    let store = Arc::new(FaultyStore::default());
    store.fail(true);
    let config = remote_config();
    let remote = RemoteStore::new(store, "s3://missing-bucket", "", &config);
    let err = remote.check_reachable().await.expect_err("unreachable");
    assert!(err.to_string().contains("remote.log.storage.url"), "{err}");
    let err = RemoteStore::from_url("file://relative/dir", &config).expect_err("relative path");
    assert!(err.to_string().contains("remote.log.storage.url"), "{err}");
    let err = RemoteStore::from_url("ftp://x", &config).expect_err("scheme");
    assert!(err.to_string().contains("remote.log.storage.url"), "{err}");
}

#[tokio::test]
async fn deleting_a_topic_removes_its_remote_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log = tiered_log(dir.path(), clock.clone());
    fill(&log, 10);
    let store = Arc::new(InMemory::new());
    let manager = manager_over(store.clone(), clock.clone());
    let partition = manager.attach(log.clone()).await.expect("attach");
    partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("copy");
    assert!(!list_keys(&store).await.is_empty());
    let deleted = manager
        .delete_partition(log.topic_partition(), log.topic_id())
        .await
        .expect("delete");
    assert!(deleted > 1);
    assert!(
        list_keys(&store).await.is_empty(),
        "{:?}",
        list_keys(&store).await
    );
    assert!(manager.partition(log.topic_partition()).is_none());
}

#[tokio::test]
async fn a_sequential_reader_gets_the_next_segments_fetched_ahead() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log = tiered_log(dir.path(), clock.clone());
    fill(&log, 30);
    let store: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let manager = manager_over(store.clone(), clock.clone());
    let partition = manager.attach(log.clone()).await.expect("attach");
    partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("copy");
    log.apply_retention().expect("retention");
    // A cold node reads the bucket.
    let cold = manager_over(store, clock.clone());
    let partition = cold.attach(log.clone()).await.expect("attach");
    let first = partition.read(0, 100, true).await.expect("read");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (_, after_random) = cold.cache_bytes();
    let next = common::offsets(&first)[0].1 + 1;
    partition
        .read(next, 100, true)
        .await
        .expect("sequential read");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (_, after_sequential) = cold.cache_bytes();
    let segments = partition.segments();
    let ahead: u64 = segments[..3].iter().map(|s| s.size_bytes).sum();
    assert_eq!(
        after_random, segments[0].size_bytes,
        "one chunk per small segment, no read-ahead yet"
    );
    assert!(
        after_sequential >= ahead,
        "read-ahead fetched the next segments: {after_sequential} < {ahead}"
    );
}

/// What [`tier_in_64k_segments`] leaves: every batch as written, the segments in the bucket, and
/// a cold node (empty caches) over the partition whose local copies are gone.
struct ColdTieredPartition {
    original: Vec<Vec<u8>>,
    segments: Vec<strata_storage::remote::RemoteSegmentMetadata>,
    node: Arc<RemoteLogManager>,
    partition: Arc<RemotePartition>,
}

/// Writes `batches` batches in 64 KiB segments, tiers them through `store` with `remote`, drops
/// the local copies, and attaches a cold node with the same settings.
async fn tier_in_64k_segments(
    dir: &std::path::Path,
    batches: usize,
    store: Arc<dyn ObjectStore>,
    remote: &strata_storage::remote::RemoteLogConfig,
) -> ColdTieredPartition {
    let clock = clock();
    let overrides: Vec<(&str, &str)> = tiered_overrides()
        .into_iter()
        .map(|(k, v)| {
            if k == "segment.bytes" {
                (k, "65536")
            } else {
                (k, v)
            }
        })
        .collect();
    let log = Arc::new(open(dir, config(&overrides), clock.clone(), 0));
    fill(&log, batches);
    let manager = || {
        let store = RemoteStore::new(store.clone(), "memory://test", "cluster", remote);
        RemoteLogManager::with_store(store, remote.clone(), clock.clone())
    };
    let partition = manager().attach(log.clone()).await.expect("attach");
    partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("copy");
    let original = consume_all(&partition).await;
    log.apply_retention().expect("retention");
    let segments = partition.segments();
    let node = manager();
    let partition = node.attach(log).await.expect("attach");
    ColdTieredPartition {
        original,
        segments,
        node,
        partition,
    }
}

#[tokio::test]
async fn a_sequential_reader_costs_one_ranged_get_per_read_ahead_block() {
    let dir = tempfile::tempdir().expect("tempdir");
    let faulty = Arc::new(FaultyStore::default());
    let remote = strata_storage::remote::RemoteLogConfig {
        chunk_bytes: 4096,
        read_ahead_chunks: 4,
        read_ahead_request_bytes: 16384,
        ..remote_config()
    };
    let cold = tier_in_64k_segments(dir.path(), 400, faulty.clone(), &remote).await;
    assert!(cold.segments.len() >= 3, "{} segments", cold.segments.len());

    // The cold node reads the tiered range sequentially, 1500 bytes per fetch.
    let ranged_gets = || {
        faulty
            .ranged_gets
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    let before = ranged_gets();
    let served = consume_all(&cold.partition).await;
    let gets = ranged_gets() - before;
    assert_eq!(served, cold.original, "every batch, in order, intact");

    let chunks: u64 = cold
        .segments
        .iter()
        .map(|s| s.size_bytes.div_ceil(4096))
        .sum();
    let blocks: u64 = cold
        .segments
        .iter()
        .map(|s| s.size_bytes.div_ceil(16384))
        .sum();
    // One GET per block, plus the first chunk read before the reader is known to be sequential.
    assert!(
        gets <= blocks + 1,
        "{gets} ranged GETs for {blocks} blocks ({chunks} chunks)"
    );
    assert!(gets < chunks, "{gets} ranged GETs for {chunks} chunks");
}

#[tokio::test]
async fn a_reader_past_the_nodes_read_ahead_limit_still_reads_everything() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A 3-chunk cache: read-ahead may hold one chunk in flight, far less than its window.
    let remote = strata_storage::remote::RemoteLogConfig {
        chunk_bytes: 4096,
        chunk_cache_bytes: 3 * 4096,
        read_ahead_chunks: 8,
        read_ahead_request_bytes: 16384,
        ..remote_config()
    };
    let cold = tier_in_64k_segments(dir.path(), 300, Arc::new(InMemory::new()), &remote).await;
    assert_eq!(consume_all(&cold.partition).await, cold.original);
    let (_, cached) = cold.node.cache_bytes();
    assert!(
        cached <= 3 * 4096,
        "the chunk cache stays in its limit: {cached}"
    );
}

#[tokio::test]
async fn copy_disable_stops_uploads_and_delete_on_disable_removes_remote_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log = tiered_log(dir.path(), clock.clone());
    fill(&log, 20);
    let store = Arc::new(InMemory::new());
    let manager = manager_over(store.clone(), clock.clone());
    let partition = manager.attach(log.clone()).await.expect("attach");
    let third_base = log.segments()[3].base_offset();
    partition.copy_segments(0, third_base).await.expect("copy");
    let tiered = partition.highest_tiered_offset();

    let mut overrides = tiered_overrides();
    overrides.push(("remote.log.copy.disable", "true"));
    log.update_config(config(&overrides));
    let outcome = partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("no-op");
    assert_eq!(outcome.segments, 0);
    assert_eq!(partition.highest_tiered_offset(), tiered);

    let overrides = [
        ("remote.storage.enable", "false"),
        ("remote.log.delete.on.disable", "true"),
        ("segment.bytes", "2048"),
        ("retention.ms", "-1"),
    ];
    log.update_config(config(&overrides));
    let outcome = partition
        .expire_segments(0)
        .await
        .expect("delete on disable");
    assert_eq!(outcome.segments, 3);
    assert!(partition.segments().is_empty());
    assert_eq!(log.highest_tiered_offset(), -1);
    let keys = list_keys(&store).await;
    assert!(
        keys.iter().all(|k| k.ends_with("manifest.json")),
        "{keys:?}"
    );
}

#[tokio::test]
async fn a_restart_keeps_the_tiered_log_start_and_a_delete_records_above_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let store = Arc::new(InMemory::new());
    let overrides = tiered_overrides();
    let (cut, highest) = {
        let log = tiered_log(dir.path(), clock.clone());
        fill(&log, 30);
        let manager = manager_over(store.clone(), clock.clone());
        let partition = manager.attach(log.clone()).await.expect("attach");
        partition
            .copy_segments(0, log.high_watermark())
            .await
            .expect("copy");
        log.apply_retention().expect("retention");
        assert_eq!(log.log_start_offset(), 0);
        let cut = partition.segments()[1].base_offset + 2;
        log.delete_records_before(cut).expect("delete records");
        log.close().expect("close");
        (cut, log.highest_tiered_offset())
    };
    // Reopen as LogManager does, with the checkpointed log start; recovery alone would clamp it
    // to the first local segment.
    let log = Arc::new(
        strata_storage::Log::open(
            dir.path().to_path_buf(),
            common::tp(),
            common::topic_id(),
            config(&overrides),
            0,
            cut,
            clock.clone(),
        )
        .expect("reopen"),
    );
    assert_eq!(
        log.log_start_offset(),
        log.local_log_start_offset(),
        "before attach only local data is known"
    );
    let manager = manager_over(store.clone(), clock.clone());
    let partition = manager.attach(log.clone()).await.expect("attach");
    assert_eq!(
        log.log_start_offset(),
        cut,
        "DeleteRecords survives the restart"
    );
    assert_eq!(log.highest_tiered_offset(), highest);
    assert!(partition.read(cut - 1, 1000, true).await.is_err());
    let batch = partition
        .read(cut, 1000, true)
        .await
        .expect("read at the log start");
    assert_eq!(common::offsets(&batch)[0], (cut / 5 * 5, cut / 5 * 5 + 4));
    let outcome = partition
        .expire_segments(0)
        .await
        .expect("expire below the log start");
    assert_eq!(
        outcome.segments, 1,
        "the first segment ends below offset {cut}"
    );
    assert_eq!(log.log_start_offset(), cut);
}

#[tokio::test]
async fn a_rebuilt_partition_keeps_idempotent_producer_state_from_the_bucket() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let store = Arc::new(InMemory::new());
    let part_dir = dir.path().join("orders-0");
    let highest = {
        let log = tiered_log(&part_dir, clock.clone());
        for i in 0..20 {
            let batch = common::idempotent_batch(7, 0, i * 5, 5, T0 - 1000);
            log.append_as_leader(&batch, 0).expect("append");
        }
        log.update_high_watermark(log.log_end_offset());
        let manager = manager_over(store.clone(), clock.clone());
        let partition = manager.attach(log.clone()).await.expect("attach");
        partition
            .copy_segments(0, log.high_watermark())
            .await
            .expect("copy");
        log.close().expect("close");
        log.highest_tiered_offset()
    };
    std::fs::remove_dir_all(&part_dir).expect("wipe");
    let log = tiered_log(&part_dir, clock.clone());
    let manager = manager_over(store, clock.clone());
    manager.attach(log.clone()).await.expect("attach");
    assert_eq!(log.log_end_offset(), highest + 1);
    let producer = log
        .producer_states()
        .into_iter()
        .find(|p| p.producer_id == 7)
        .expect("producer 7 restored from the tiered snapshot");
    let next_seq = (highest + 1) as i32; // one record per offset, sequences from 0
    assert_eq!(producer.last_seq(), next_seq - 1);
    let gap = common::idempotent_batch(7, 0, next_seq + 5, 5, T0);
    assert!(matches!(
        log.append_as_leader(&gap, 0),
        Err(LogError::OutOfOrderSequence { .. })
    ));
    let next = common::idempotent_batch(7, 0, next_seq, 5, T0);
    let appended = log.append_as_leader(&next, 0).expect("in sequence");
    assert_eq!(appended.first_offset, highest + 1);
}

#[tokio::test]
async fn a_newer_leader_epoch_in_the_manifest_fences_an_old_leader() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log = tiered_log(dir.path(), clock.clone());
    fill(&log, 20);
    let store: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let old_leader = manager_over(store.clone(), clock.clone());
    let old = old_leader.attach(log.clone()).await.expect("attach");
    let second_base = log.segments()[2].base_offset();
    old.copy_segments(4, second_base)
        .await
        .expect("copy as epoch 4");
    // A new leader (epoch 5) on another node writes the manifest.
    let new_leader = manager_over(store, clock.clone());
    let new = new_leader.attach(log.clone()).await.expect("attach");
    let third_base = log.segments()[3].base_offset();
    new.copy_segments(5, third_base)
        .await
        .expect("copy as epoch 5");
    let err = old
        .copy_segments(4, log.high_watermark())
        .await
        .expect_err("fenced");
    assert!(
        matches!(
            err,
            RemoteError::Fenced {
                leader_epoch: 4,
                manifest_epoch: 5
            }
        ),
        "{err}"
    );
    assert_eq!(err.kafka_error_code(), 6);
    assert_eq!(new.segments().len(), 3, "the old leader added nothing");
}

#[tokio::test]
async fn the_background_task_copies_only_partitions_this_node_leads() {
    let clock = clock();
    let manager = manager_over(Arc::new(InMemory::new()), clock.clone());
    let led_dir = tempfile::tempdir().expect("tempdir");
    let led = tiered_log(led_dir.path(), clock.clone());
    fill(&led, 20);
    let followed_dir = tempfile::tempdir().expect("tempdir");
    let followed = Arc::new(
        Log::open(
            followed_dir.path().to_path_buf(),
            strata_storage::TopicPartition::new("orders", 1),
            common::topic_id(),
            config(&tiered_overrides()),
            0,
            0,
            clock.clone(),
        )
        .expect("open"),
    );
    fill(&followed, 20);
    manager.attach(led.clone()).await.expect("attach");
    manager.attach(followed.clone()).await.expect("attach");
    let hw = led.high_watermark();
    let leader = move |tp: &strata_storage::TopicPartition| (tp.partition == 0).then_some((0, hw));
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let task = manager.spawn(Arc::new(leader), shutdown);
    let deadline = Instant::now() + Duration::from_secs(10);
    while led.highest_tiered_offset() < 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.send(true).expect("stop");
    task.await.expect("task ends");
    assert!(
        led.highest_tiered_offset() > 0,
        "the led partition was copied"
    );
    assert_eq!(
        followed.highest_tiered_offset(),
        -1,
        "a follower never copies"
    );
    let stats = manager.stats();
    assert_eq!(stats.len(), 2);
    assert_eq!(stats[0].highest_tiered_offset, led.highest_tiered_offset());
}

#[tokio::test]
async fn a_corrupt_batch_in_a_chunk_fetched_ahead_is_reported_not_served() {
    let bucket = tempfile::tempdir().expect("bucket dir");
    let store_dir = bucket.path().join("store");
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let overrides: Vec<(&str, &str)> = tiered_overrides()
        .into_iter()
        .map(|(k, v)| {
            if k == "segment.bytes" {
                (k, "16384")
            } else {
                (k, v)
            }
        })
        .collect();
    let log = Arc::new(open(dir.path(), config(&overrides), clock.clone(), 0));
    fill(&log, 60);
    let original = read_all(&log);
    let remote = strata_storage::remote::RemoteLogConfig {
        storage_url: format!("file://{}", store_dir.display()),
        chunk_bytes: 1024,
        read_ahead_chunks: 4,
        ..remote_config()
    };
    let manager = RemoteLogManager::start(remote, clock.clone())
        .await
        .expect("file store");
    let partition = manager.attach(log.clone()).await.expect("attach");
    partition
        .copy_segments(0, log.high_watermark())
        .await
        .expect("copy");
    log.apply_retention().expect("retention");
    let segment = partition.segments()[0].clone();
    // The first batch starting past three chunks: its chunk is fetched ahead of the reader.
    let mut start = 0usize;
    let victim = original
        .iter()
        .position(|batch| {
            let past = start >= 3 * 1024;
            start += if past { 0 } else { batch.len() };
            past
        })
        .expect("a batch past three chunks");
    assert!(5 * victim as i64 + 4 <= segment.end_offset, "in segment 0");
    let object = store_dir.join(segment.object_key(partition.object_dir(), "log"));
    let mut bytes = std::fs::read(&object).expect("object file");
    bytes[start + original[victim].len() - 1] ^= 0xff; // inside its records: the CRC fails
    std::fs::write(&object, bytes).expect("corrupt the object");

    // A sequential consumer gets every batch before it intact, then an error, never its bytes.
    let mut offset = 0;
    let mut served = Vec::new();
    let err = loop {
        match partition.read(offset, 700, true).await {
            Ok(bytes) => {
                for batch in batches(&bytes) {
                    let batch = batch.expect("whole batches");
                    offset = batch.next_offset();
                    served.push(batch.bytes().to_vec());
                }
            }
            Err(err) => break err,
        }
        tokio::time::sleep(Duration::from_millis(1)).await; // let read-ahead land
    };
    assert!(matches!(err, RemoteError::CorruptObject { .. }), "{err}");
    assert_eq!(served, original[..victim].to_vec());
    assert_eq!(offset, 5 * victim as i64);
    // Still refused when asked again (now from a cached chunk).
    let again = partition
        .read(offset, 700, true)
        .await
        .expect_err("corrupt");
    assert!(
        matches!(again, RemoteError::CorruptObject { .. }),
        "{again}"
    );
}
