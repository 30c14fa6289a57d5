//! The metadata log on disk is Kafka's format: record batches v2 whose records are
//! ApiMessageAndVersion-encoded metadata records, at dense offsets.

mod common;

use common::{register, start, topic};
use strata_protocol::control::ControlRecord;
use strata_protocol::metadata::MetadataRecord;
use strata_protocol::record_batch::{batches, decode_records};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_segment_parses_as_batches_of_api_message_and_version_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let controller = start(dir.path()).await;
    register(&controller, 1).await;
    let results = controller
        .create_topics(vec![topic("orders", 2)], false)
        .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let image = controller.image();
    controller.halt().await.expect("halt");

    let bytes = std::fs::read(
        dir.path()
            .join("__cluster_metadata-0/00000000000000000000.log"),
    )
    .expect("segment");
    let mut next_offset = 0;
    let mut data_records = Vec::new();
    let mut control_records = Vec::new();
    for batch in batches(&bytes) {
        let batch = batch.expect("whole batch");
        batch.verify_crc().expect("crc");
        assert_eq!(batch.base_offset(), next_offset, "offsets are dense");
        assert!(batch.partition_leader_epoch() >= 0);
        next_offset = batch.last_offset() + 1;
        for record in decode_records(&batch).expect("records") {
            if batch.is_control() {
                let key = record.key.expect("control key");
                let value = record.value.expect("control value");
                control_records.push(ControlRecord::decode(&key, &value).expect("control record"));
            } else {
                assert!(record.key.is_none());
                let value = record.value.expect("value");
                data_records.push(MetadataRecord::decode(&value).expect("ApiMessageAndVersion"));
            }
        }
    }
    assert_eq!(
        next_offset,
        image.offset + 1,
        "the image covers the whole log"
    );
    assert!(
        control_records
            .iter()
            .any(|c| matches!(c, ControlRecord::KRaftVoters(_))),
        "membership entry"
    );
    assert!(control_records
        .iter()
        .any(|c| matches!(c, ControlRecord::LeaderChange(l) if l.leader_id == 1)));
    assert!(data_records.iter().any(|r| matches!(r, MetadataRecord::FeatureLevel(f) if f.name == "metadata.version" && f.feature_level == 25)));
    assert!(data_records
        .iter()
        .any(|r| matches!(r, MetadataRecord::RegisterBroker(b) if b.broker_id == 1)));
    assert!(data_records
        .iter()
        .any(|r| matches!(r, MetadataRecord::Topic(t) if t.name == "orders")));
    assert_eq!(
        data_records
            .iter()
            .filter(|r| matches!(r, MetadataRecord::Partition(_)))
            .count(),
        2
    );
    let quorum_state =
        std::fs::read_to_string(dir.path().join("__cluster_metadata-0/quorum-state"))
            .expect("quorum-state");
    assert!(quorum_state.contains("\"leaderEpoch\""), "{quorum_state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_only_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let controller = start(dir.path()).await;
    register(&controller, 1).await;
    let before = controller.image();
    let results = controller.create_topics(vec![topic("t", 1)], true).await;
    assert!(results[0].is_ok());
    assert_eq!(controller.image(), before);
    assert!(controller.image().topics.is_empty());
    controller.shutdown().await.expect("shutdown");
}
