//! LogManager: meta.properties, the directory lock, checkpoints, and partition lifecycle.

mod common;

use std::sync::Arc;

use common::*;
use strata_storage::{
    read_offsets_checkpoint, LogError, LogManager, MetaProperties, TopicPartition,
};

fn manager(
    dirs: &[&std::path::Path],
    node_id: i32,
    cluster_id: Option<&str>,
) -> Result<LogManager, LogError> {
    LogManager::open(
        dirs.iter().map(|d| d.to_path_buf()).collect(),
        node_id,
        cluster_id.map(str::to_string),
        clock(),
    )
}

#[test]
fn first_open_writes_meta_properties_in_every_dir() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let manager = manager(&[a.path(), b.path()], 3, Some("cluster-abc")).expect("open");
    assert_eq!(manager.cluster_id(), "cluster-abc");
    for dir in [a.path(), b.path()] {
        let meta = MetaProperties::read(dir).expect("read").expect("written");
        assert_eq!(
            (meta.version, meta.node_id, meta.cluster_id.as_str()),
            (1, 3, "cluster-abc")
        );
        assert!(meta.directory_id.is_some());
    }
    let ids: Vec<_> = [a.path(), b.path()]
        .iter()
        .map(|d| {
            MetaProperties::read(d)
                .expect("read")
                .expect("meta")
                .directory_id
        })
        .collect();
    assert_ne!(ids[0], ids[1], "each directory has its own directory.id");
}

#[test]
fn meta_properties_node_id_mismatch_names_file_and_both_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    manager(&[dir.path()], 1, Some("c1"))
        .expect("open")
        .shutdown()
        .expect("shutdown");
    let err = manager(&[dir.path()], 2, Some("c1")).expect_err("node id mismatch");
    let text = err.to_string();
    assert!(matches!(err, LogError::MetaPropertiesMismatch { .. }));
    assert!(
        text.contains("meta.properties") && text.contains("node.id is 1") && text.contains('2'),
        "{text}"
    );
}

#[test]
fn meta_properties_cluster_id_mismatch_is_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    manager(&[dir.path()], 1, Some("c1"))
        .expect("open")
        .shutdown()
        .expect("shutdown");
    let err = manager(&[dir.path()], 1, Some("c2")).expect_err("cluster mismatch");
    assert!(
        err.to_string().contains("cluster.id is c1") && err.to_string().contains("c2"),
        "{err}"
    );
    // Without a configured id, the one on disk is adopted.
    let adopted = manager(&[dir.path()], 1, None).expect("open");
    assert_eq!(adopted.cluster_id(), "c1");
}

#[test]
fn log_dirs_of_different_clusters_are_rejected() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    manager(&[a.path()], 1, Some("c1"))
        .expect("open")
        .shutdown()
        .expect("shutdown");
    manager(&[b.path()], 1, Some("c2"))
        .expect("open")
        .shutdown()
        .expect("shutdown");
    assert!(matches!(
        manager(&[a.path(), b.path()], 1, None),
        Err(LogError::MetaPropertiesMismatch { .. })
    ));
}

#[test]
fn a_second_manager_on_the_same_dir_fails_while_the_first_holds_the_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = manager(&[dir.path()], 1, Some("c")).expect("open");
    assert!(matches!(
        manager(&[dir.path()], 1, Some("c")),
        Err(LogError::DirLocked { .. })
    ));
    first.shutdown().expect("shutdown");
    manager(&[dir.path()], 1, Some("c")).expect("the lock is released on shutdown");
}

#[test]
fn checkpoints_restore_offsets_after_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tp = TopicPartition::new("events", 2);
    {
        let manager = manager(&[dir.path()], 1, Some("c")).expect("open");
        let log = manager
            .get_or_create(&tp, topic_id(), config(&[("segment.bytes", "500")]))
            .expect("create");
        for _ in 0..6 {
            log.append_as_leader(batch(1, 200, T0), 0).expect("append");
        }
        log.update_high_watermark(5);
        log.delete_records_before(2).expect("delete records");
        manager.checkpoint().expect("checkpoint");
        let hw = read_offsets_checkpoint(&dir.path().join("replication-offset-checkpoint"))
            .expect("read");
        assert_eq!(hw.get(&tp), Some(&5));
        manager.shutdown().expect("shutdown");
    }
    assert_eq!(
        read_offsets_checkpoint(&dir.path().join("recovery-point-offset-checkpoint"))
            .expect("read")
            .get(&tp),
        Some(&6)
    );
    assert_eq!(
        read_offsets_checkpoint(&dir.path().join("log-start-offset-checkpoint"))
            .expect("read")
            .get(&tp),
        Some(&2)
    );
    let manager = manager(&[dir.path()], 1, Some("c")).expect("reopen");
    let log = manager
        .get_or_create(&tp, topic_id(), config(&[("segment.bytes", "500")]))
        .expect("open existing");
    assert_eq!(
        (
            log.log_start_offset(),
            log.log_end_offset(),
            log.high_watermark(),
            log.recovery_point()
        ),
        (2, 6, 5, 6)
    );
}

#[test]
fn delete_removes_the_partition_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let manager = manager(&[dir.path()], 1, Some("c")).expect("open");
    let tp = TopicPartition::new("gone", 0);
    let log = manager
        .get_or_create(&tp, topic_id(), config(&[]))
        .expect("create");
    log.append_as_leader(batch(1, 10, T0), 0).expect("append");
    assert!(dir.path().join("gone-0").is_dir());
    manager.delete(&tp).expect("delete");
    assert!(!dir.path().join("gone-0").exists());
    assert!(manager.get(&tp).is_none());
    assert!(matches!(
        log.append_as_leader(batch(1, 10, T0), 0),
        Err(LogError::Closed { .. })
    ));
}

#[test]
fn partitions_spread_over_log_dirs_and_run_periodic_applies_retention() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let manager = LogManager::open(
        vec![a.path().to_path_buf(), b.path().to_path_buf()],
        1,
        Some("c".into()),
        clock.clone(),
    )
    .expect("open");
    let cfg = config(&[("retention.ms", "1000"), ("file.delete.delay.ms", "0")]);
    let logs: Vec<Arc<strata_storage::Log>> = (0..4)
        .map(|p| {
            manager
                .get_or_create(&TopicPartition::new("t", p), topic_id(), cfg.clone())
                .expect("create")
        })
        .collect();
    assert_eq!(
        std::fs::read_dir(a.path())
            .expect("list")
            .filter(|e| e.as_ref().expect("entry").path().is_dir())
            .count(),
        2
    );
    for log in &logs {
        log.append_as_leader(batch(2, 10, T0), 0).expect("append");
        log.update_high_watermark(2);
    }
    clock.advance_ms(10_000);
    manager.run_periodic().expect("periodic");
    for log in &logs {
        assert_eq!(log.log_start_offset(), 2, "expired data deleted");
    }
    assert_eq!(manager.logs().len(), 4);
}
