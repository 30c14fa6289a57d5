//! Admin operations through the running controller: answers, image updates, and persistence.

mod common;

use std::collections::BTreeMap;

use common::{content, register, start, topic};
use strata_controller::{
    ConfigReplace, ConfigResource, ControllerError, CreatePartitionsSpec, TopicRef,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn producer_id_blocks_continue_after_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let controller = start(dir.path()).await;
    let epoch = register(&controller, 1).await;
    let first = controller
        .allocate_producer_ids(1, epoch)
        .await
        .expect("block");
    let second = controller
        .allocate_producer_ids(1, epoch)
        .await
        .expect("block");
    assert_eq!(
        (first.first_producer_id, second.first_producer_id),
        (0, 1000)
    );
    let stale = controller
        .allocate_producer_ids(1, epoch - 1)
        .await
        .expect_err("stale epoch");
    assert!(
        matches!(stale, ControllerError::StaleBrokerEpoch { .. }),
        "{stale:?}"
    );
    controller.shutdown().await.expect("shutdown");
    let controller = start(dir.path()).await;
    let third = controller
        .allocate_producer_ids(1, epoch)
        .await
        .expect("block");
    assert_eq!(third.first_producer_id, 2000);
    controller.halt().await.expect("halt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topic_lifecycle_is_visible_to_subscribers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let controller = start(dir.path()).await;
    register(&controller, 1).await;
    let mut images = controller.subscribe();
    let created = controller.create_topics(vec![topic("t", 1)], false).await;
    let id = created[0].as_ref().expect("created").topic_id;
    images.changed().await.expect("a new image is published");
    assert!(images.borrow().topics.by_id.contains_key(&id));

    let grown = controller
        .create_partitions(
            vec![CreatePartitionsSpec {
                name: "t".into(),
                count: 3,
                assignments: None,
            }],
            false,
        )
        .await;
    assert!(grown[0].is_ok(), "{grown:?}");
    assert_eq!(controller.image().topics.by_name["t"].partitions.len(), 3);

    let replaced = controller
        .legacy_alter_configs(
            vec![ConfigReplace {
                resource: ConfigResource {
                    resource_type: 2,
                    name: "t".into(),
                },
                configs: BTreeMap::from([("retention.ms".to_string(), "60000".to_string())]),
            }],
            false,
        )
        .await;
    assert!(replaced[0].is_ok(), "{replaced:?}");
    assert_eq!(
        controller.image().configs.topics["t"]["retention.ms"],
        "60000"
    );

    let deleted = controller.delete_topics(vec![TopicRef::Id(id)]).await;
    assert_eq!(
        deleted[0].as_ref().expect("deleted"),
        &("t".to_string(), id)
    );
    assert!(controller.image().topics.is_empty());
    assert!(controller.image().configs.topics.is_empty());
    let before = controller.image();
    controller.shutdown().await.expect("shutdown");
    let controller = start(dir.path()).await;
    assert_eq!(content(&controller.image()), content(&before));
    controller.halt().await.expect("halt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_after_shutdown_fail_with_not_controller() {
    let dir = tempfile::tempdir().expect("tempdir");
    let controller = start(dir.path()).await;
    controller.shutdown().await.expect("shutdown");
    let results = controller.create_topics(vec![topic("t", 1)], false).await;
    assert_eq!(
        results[0].as_ref().expect_err("stopped").kafka_error_code(),
        41
    );
}
