//! The metadata image survives restarts: log replay, snapshot + log replay.

mod common;

use common::{content, register, start, topic};
use strata_controller::{AlterConfigOp, AlterConfigOpType, ConfigChange, ConfigResource, TopicRef};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_replays_the_log_into_an_identical_image() {
    let dir = tempfile::tempdir().expect("tempdir");
    let controller = start(dir.path()).await;
    assert_eq!(controller.image().metadata_version(), Some(25));
    register(&controller, 1).await;
    let results = controller
        .create_topics(vec![topic("orders", 3), topic("payments.v1", 1)], false)
        .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let before = controller.image();
    assert_eq!(before.topics.by_name["orders"].partitions.len(), 3);
    // Stop without the shutdown snapshot so the restart must replay the log itself.
    controller.halt().await.expect("halt");
    let controller = start(dir.path()).await;
    assert_eq!(content(&controller.image()), content(&before));
    assert!(controller.image().offset >= before.offset);
    controller.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_from_snapshot_plus_log_gives_an_identical_image() {
    let dir = tempfile::tempdir().expect("tempdir");
    let controller = start(dir.path()).await;
    register(&controller, 1).await;
    let results = controller
        .create_topics(vec![topic("a", 2), topic("b", 1)], false)
        .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    controller.snapshot().await.expect("snapshot");
    let checkpoints: Vec<_> = std::fs::read_dir(dir.path().join("__cluster_metadata-0"))
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".checkpoint"))
        .collect();
    assert_eq!(checkpoints.len(), 1);
    let results = controller
        .delete_topics(vec![TopicRef::Name("b".into())])
        .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let results = controller
        .incremental_alter_configs(
            vec![ConfigChange {
                resource: ConfigResource {
                    resource_type: 2,
                    name: "a".into(),
                },
                ops: vec![AlterConfigOp {
                    key: "retention.ms".into(),
                    op: AlterConfigOpType::Set,
                    value: Some("1000".into()),
                }],
            }],
            false,
        )
        .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let before = controller.image();
    controller.halt().await.expect("halt");
    let controller = start(dir.path()).await;
    let after = controller.image();
    assert_eq!(content(&after), content(&before));
    assert_eq!(after.configs.topics["a"]["retention.ms"], "1000");
    assert!(!after.topics.by_name.contains_key("b"));
    controller.shutdown().await.expect("shutdown");
}
