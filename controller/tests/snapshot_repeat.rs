//! Repeated snapshots interleaved with writes each cover the newest applied entry.

mod common;

use common::{register, start, topic};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_snapshot_covers_the_latest_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let controller = start(dir.path()).await;
    register(&controller, 1).await;
    for i in 0..30 {
        let results = controller
            .create_topics(vec![topic(&format!("t{i}"), 1)], false)
            .await;
        assert!(results[0].is_ok());
        controller.snapshot().await.expect("snapshot");
    }
    controller.halt().await.expect("halt");
}
