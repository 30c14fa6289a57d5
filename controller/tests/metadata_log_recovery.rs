//! The metadata log rolls segments, purges whole segments below a snapshot, and recovers from a
//! torn tail.

mod common;

use std::io::Write;
use std::sync::Arc;

use common::{config, content, register, start, topic};
use strata_controller::Controller;
use strata_storage::ManualClock;

fn segment_files(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("__cluster_metadata-0"))
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".log"))
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_purges_whole_segments_and_restart_still_rebuilds_the_image() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = config(dir.path());
    cfg.metadata_log_segment_bytes = 1024;
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let controller = Controller::start(cfg.clone(), clock.clone())
        .await
        .expect("start");
    register(&controller, 1).await;
    for i in 0..20 {
        let results = controller
            .create_topics(vec![topic(&format!("topic-{i}"), 2)], false)
            .await;
        assert!(results[0].is_ok(), "{results:?}");
    }
    let rolled = segment_files(dir.path());
    assert!(rolled.len() > 3, "small segments roll: {rolled:?}");
    controller.snapshot().await.expect("snapshot");
    let after_purge = segment_files(dir.path());
    assert!(
        after_purge.len() < rolled.len(),
        "purged segments are deleted: {after_purge:?}"
    );
    assert!(!after_purge.contains(&"00000000000000000000.log".to_string()));
    let results = controller
        .create_topics(vec![topic("after-snapshot", 1)], false)
        .await;
    assert!(results[0].is_ok());
    let before = controller.image();
    controller.halt().await.expect("halt");
    let controller = Controller::start(cfg, clock).await.expect("restart");
    assert_eq!(content(&controller.image()), content(&before));
    assert_eq!(controller.image().topics.len(), 21);
    controller.halt().await.expect("halt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn torn_tail_is_truncated_on_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let controller = start(dir.path()).await;
    register(&controller, 1).await;
    let results = controller.create_topics(vec![topic("t", 1)], false).await;
    assert!(results[0].is_ok());
    let before = controller.image();
    controller.halt().await.expect("halt");
    let log_path = dir
        .path()
        .join("__cluster_metadata-0/00000000000000000000.log");
    let good_len = std::fs::metadata(&log_path).expect("stat").len();
    // Half a batch header, as a crash in the middle of an append leaves it.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&log_path)
        .expect("open");
    file.write_all(&[0, 0, 0, 0, 0, 0, 0, 99, 0, 0, 0, 200, 1, 2, 3])
        .expect("write");
    drop(file);
    let controller = start(dir.path()).await;
    assert_eq!(content(&controller.image()), content(&before));
    let results = controller.create_topics(vec![topic("u", 1)], false).await;
    assert!(
        results[0].is_ok(),
        "the log accepts appends after recovery: {results:?}"
    );
    controller.halt().await.expect("halt");
    assert!(std::fs::metadata(&log_path).expect("stat").len() > good_len);
    let controller = start(dir.path()).await;
    assert!(controller.image().topics.by_name.contains_key("u"));
    controller.halt().await.expect("halt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_are_taken_every_interval_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = config(dir.path());
    cfg.metadata_max_snapshot_interval_records = 10;
    let controller = Controller::start(cfg, Arc::new(ManualClock::new(0)))
        .await
        .expect("start");
    register(&controller, 1).await;
    let results = controller
        .create_topics(vec![topic("big", 12)], false)
        .await;
    assert!(results[0].is_ok());
    let checkpoint_dir = dir.path().join("__cluster_metadata-0");
    let mut found = false;
    for _ in 0..100 {
        found = std::fs::read_dir(&checkpoint_dir)
            .expect("dir")
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().ends_with(".checkpoint"));
        if found {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        found,
        "13 records exceed the interval of 10, so a snapshot was written"
    );
    assert!(controller.records_since_snapshot() < 10);
    controller.halt().await.expect("halt");
}
