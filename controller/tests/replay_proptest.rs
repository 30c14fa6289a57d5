//! Random sequences of admin operations, replayed from the metadata log (and snapshots) on
//! restart, rebuild exactly the image the running controller had.

mod common;

use common::{content, register, start, topic};
use proptest::prelude::*;
use strata_controller::{
    AlterConfigOp, AlterConfigOpType, ConfigChange, ConfigResource, CreatePartitionsSpec, TopicRef,
};

#[derive(Debug, Clone)]
enum Op {
    Create { name: usize, partitions: i32 },
    Delete { name: usize },
    SetRetention { name: usize, ms: i64 },
    DeleteRetention { name: usize },
    AppendCompact { name: usize },
    GrowPartitions { name: usize, by: i32 },
    Snapshot,
}

const NAMES: [&str; 4] = ["alpha", "beta", "gamma.one", "gamma_one"];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..NAMES.len(), 1..4i32).prop_map(|(name, partitions)| Op::Create { name, partitions }),
        1 => (0..NAMES.len()).prop_map(|name| Op::Delete { name }),
        2 => (0..NAMES.len(), 1..100_000i64).prop_map(|(name, ms)| Op::SetRetention { name, ms }),
        1 => (0..NAMES.len()).prop_map(|name| Op::DeleteRetention { name }),
        1 => (0..NAMES.len()).prop_map(|name| Op::AppendCompact { name }),
        1 => (0..NAMES.len(), 1..3i32).prop_map(|(name, by)| Op::GrowPartitions { name, by }),
        1 => Just(Op::Snapshot),
    ]
}

fn alter(name: &str, op: AlterConfigOp) -> Vec<ConfigChange> {
    vec![ConfigChange {
        resource: ConfigResource {
            resource_type: 2,
            name: name.to_string(),
        },
        ops: vec![op],
    }]
}

async fn run(ops: Vec<Op>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let controller = start(dir.path()).await;
    register(&controller, 1).await;
    for op in ops {
        // Operations may legitimately fail (unknown topic, collision, ...); what matters is
        // that whatever was committed replays to the same image.
        match op {
            Op::Create { name, partitions } => {
                controller
                    .create_topics(vec![topic(NAMES[name], partitions)], false)
                    .await;
            }
            Op::Delete { name } => {
                controller
                    .delete_topics(vec![TopicRef::Name(NAMES[name].to_string())])
                    .await;
            }
            Op::SetRetention { name, ms } => {
                let set = AlterConfigOp {
                    key: "retention.ms".into(),
                    op: AlterConfigOpType::Set,
                    value: Some(ms.to_string()),
                };
                controller
                    .incremental_alter_configs(alter(NAMES[name], set), false)
                    .await;
            }
            Op::DeleteRetention { name } => {
                let delete = AlterConfigOp {
                    key: "retention.ms".into(),
                    op: AlterConfigOpType::Delete,
                    value: None,
                };
                controller
                    .incremental_alter_configs(alter(NAMES[name], delete), false)
                    .await;
            }
            Op::AppendCompact { name } => {
                let append = AlterConfigOp {
                    key: "cleanup.policy".into(),
                    op: AlterConfigOpType::Append,
                    value: Some("compact".into()),
                };
                controller
                    .incremental_alter_configs(alter(NAMES[name], append), false)
                    .await;
            }
            Op::GrowPartitions { name, by } => {
                let current = controller
                    .image()
                    .topics
                    .by_name
                    .get(NAMES[name])
                    .map_or(0, |t| t.partitions.len() as i32);
                let spec = CreatePartitionsSpec {
                    name: NAMES[name].to_string(),
                    count: current + by,
                    assignments: None,
                };
                controller.create_partitions(vec![spec], false).await;
            }
            Op::Snapshot => controller.snapshot().await.expect("snapshot"),
        }
    }
    let before = controller.image();
    controller.halt().await.expect("halt");
    let restarted = start(dir.path()).await;
    assert_eq!(content(&restarted.image()), content(&before));
    restarted.halt().await.expect("halt");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn replaying_the_log_rebuilds_the_same_image(ops in proptest::collection::vec(op(), 1..25)) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        runtime.block_on(run(ops));
    }
}
