//! The runtime with real logs: loading is replaying, a shard rebuilt from its log has the same
//! state, and responses wait for the high watermark.

use std::sync::Arc;
use std::time::Duration;

use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::{
    ConsumerGroupHeartbeatRequest, GroupId, OffsetCommitRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;
use strata_storage::{Clock, SystemClock};
use tokio::sync::watch;

use super::{start_shard, OpMeta, RunningShard, ShardEnv, ShardHandle};
use crate::group::config::GroupCoordinatorConfig;
use crate::group::coordinator::{Coordinator, OFFSETS_TOPIC};
use crate::group::result::CoordinatorResult;
use crate::group::shard::GroupShard;
use crate::replica_manager::testing::{Fixture, NODE_ID};

fn s(text: &str) -> StrBytes {
    StrBytes::from_string(text.to_owned())
}

fn fixture() -> Fixture {
    Fixture::new(&[(OFFSETS_TOPIC, 1, &[]), ("t", 3, &[])])
}

fn shard(fixture: &Fixture) -> RunningShard<GroupShard> {
    shard_with(fixture, GroupCoordinatorConfig::default())
}

fn shard_with(fixture: &Fixture, config: GroupCoordinatorConfig) -> RunningShard<GroupShard> {
    // The sender drops at once: the task keeps this image (a closed channel stops only the watching).
    let (_, images) = watch::channel(Arc::new(fixture.image.clone()));
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    start_shard(ShardEnv {
        partition: fixture
            .replica_manager
            .get(OFFSETS_TOPIC, 0)
            .expect("hosted"),
        config: Arc::new(config),
        images,
        clock,
        new_shard: Arc::new(GroupShard::new),
    })
}

async fn active(handle: &ShardHandle<GroupShard>) {
    for _ in 0..200 {
        if handle.is_active() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("shard never finished loading");
}

fn meta(api_version: i16) -> OpMeta {
    OpMeta {
        client_id: "test".into(),
        client_host: "/127.0.0.1".into(),
        api_version,
    }
}

fn simple_commit(group: &str, offsets: &[(i32, i64)]) -> OffsetCommitRequest {
    OffsetCommitRequest::default()
        .with_group_id(GroupId(s(group)))
        .with_generation_id_or_member_epoch(-1)
        .with_topics(vec![OffsetCommitRequestTopic::default()
            .with_name(TopicName(s("t")))
            .with_partitions(
                offsets
                    .iter()
                    .map(|(p, o)| {
                        OffsetCommitRequestPartition::default()
                            .with_partition_index(*p)
                            .with_committed_offset(*o)
                            .with_committed_leader_epoch(-1)
                            .with_committed_metadata(Some(s("m")))
                    })
                    .collect(),
            )])
}

async fn commit(
    handle: &ShardHandle<GroupShard>,
    request: OffsetCommitRequest,
) -> Result<Vec<i16>, i16> {
    handle
        .run(meta(8), move |shard, ctx| {
            shard.commit_offsets(ctx, &request)
        })
        .await
        .map(|topics| {
            topics
                .iter()
                .flat_map(|t| t.partitions.iter().map(|p| p.error_code))
                .collect()
        })
}

async fn fetched(
    handle: &ShardHandle<GroupShard>,
    group: &str,
) -> Vec<(String, Vec<(i32, i64, String)>)> {
    let group = group.to_owned();
    let offsets = handle
        .run(meta(8), move |shard, _ctx| {
            CoordinatorResult::response_only(shard.fetch_offsets(&group, None, None, false))
        })
        .await
        .expect("shard answers")
        .expect("no group error");
    offsets
        .into_iter()
        .map(|(topic, partitions)| {
            (
                topic,
                partitions
                    .into_iter()
                    .map(|p| (p.partition, p.offset, p.metadata))
                    .collect(),
            )
        })
        .collect()
}

fn join(group: &str, member: &str) -> ConsumerGroupHeartbeatRequest {
    ConsumerGroupHeartbeatRequest::default()
        .with_group_id(GroupId(s(group)))
        .with_member_id(s(member))
        .with_member_epoch(0)
        .with_rebalance_timeout_ms(30_000)
        .with_subscribed_topic_names(Some(vec![TopicName(s("t"))]))
        .with_topic_partitions(Some(Vec::new()))
}

#[tokio::test]
async fn a_shard_rebuilt_from_its_log_has_the_same_offsets_and_groups() {
    let fixture = fixture();
    let first = shard(&fixture);
    active(&first.handle).await;
    assert_eq!(
        commit(&first.handle, simple_commit("simple", &[(0, 5), (1, 7)])).await,
        Ok(vec![0, 0])
    );
    assert_eq!(
        commit(&first.handle, simple_commit("simple", &[(0, 9)])).await,
        Ok(vec![0])
    );
    let request = join("cg", "member-1");
    let joined = first
        .handle
        .run(meta(1), move |shard, ctx| {
            shard.consumer_heartbeat(ctx, &request)
        })
        .await
        .expect("heartbeat answered");
    assert_eq!(joined.error_code, 0, "{joined:?}");
    assert_eq!(joined.member_epoch, 1);
    let image = Arc::new(fixture.image.clone());
    let describe = |handle: ShardHandle<GroupShard>, image: Arc<MetadataImage>| async move {
        handle
            .run(meta(0), move |shard, _ctx| {
                CoordinatorResult::response_only(shard.describe_consumer("cg", &image))
            })
            .await
            .expect("answered")
            .expect("consumer group exists")
    };
    let live_offsets = fetched(&first.handle, "simple").await;
    let live_group = describe(first.handle.clone(), Arc::clone(&image)).await;
    first.stop().await.expect("shard task ends");

    let second = shard(&fixture);
    active(&second.handle).await;
    assert_eq!(fetched(&second.handle, "simple").await, live_offsets);
    assert_eq!(
        live_offsets,
        vec![(
            "t".to_owned(),
            vec![(0, 9, "m".to_owned()), (1, 7, "m".to_owned())]
        )]
    );
    let loaded_group = describe(second.handle.clone(), image).await;
    assert_eq!(loaded_group, live_group);
    assert_eq!(loaded_group.members.len(), 1);
    second.stop().await.expect("shard task ends");
}

#[tokio::test]
async fn responses_are_released_only_after_the_high_watermark_passes_the_write() {
    let mut fixture = fixture();
    // Add follower 2 to the ISR: the high watermark now waits for it.
    let topic = fixture.image.topics.by_name[OFFSETS_TOPIC].clone();
    let mut widened = (*topic).clone();
    for registration in widened.partitions.values_mut() {
        registration.replicas = vec![NODE_ID, 2];
        registration.isr = registration.replicas.clone();
    }
    fixture
        .image
        .topics
        .by_name
        .insert(OFFSETS_TOPIC.into(), Arc::new(widened));
    fixture
        .replica_manager
        .apply_image(&fixture.image)
        .expect("applies");
    let partition = fixture
        .replica_manager
        .get(OFFSETS_TOPIC, 0)
        .expect("hosted");

    let running = shard(&fixture);
    active(&running.handle).await;
    let handle = running.handle.clone();
    let pending = tokio::spawn(async move { commit(&handle, simple_commit("g", &[(0, 3)])).await });
    // A read queued after the write must not overtake it either.
    let handle = running.handle.clone();
    let read = tokio::spawn(async move { fetched(&handle, "g").await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !pending.is_finished(),
        "the commit was answered before it was replicated"
    );
    assert!(!read.is_finished(), "a read overtook an uncommitted write");
    assert_eq!(
        partition.offsets().log_end_offset,
        1,
        "the batch is in the log"
    );

    partition.update_follower_fetch_position(2, 1);
    assert_eq!(pending.await.expect("task"), Ok(vec![0]));
    assert_eq!(
        read.await.expect("task"),
        vec![("t".to_owned(), vec![(0, 3, "m".to_owned())])]
    );
    running.stop().await.expect("shard task ends");
}

#[tokio::test]
async fn coordinator_follows_leadership_of_the_offsets_partitions() {
    let mut fixture = fixture();
    let (images_tx, images) = watch::channel(Arc::new(fixture.image.clone()));
    let coordinator: Coordinator<GroupShard> = Coordinator::new(
        GroupCoordinatorConfig::default(),
        NODE_ID,
        Arc::clone(&fixture.replica_manager),
        None,
        images,
        Arc::new(SystemClock),
        Arc::new(GroupShard::new),
    );
    // One partition: every group maps to partition 0. Led here but not started yet: loading.
    assert_eq!(
        coordinator.shard_for("g").err(),
        Some(ResponseError::CoordinatorLoadInProgress.code())
    );
    coordinator.on_image(&fixture.image);
    let mut answered = None;
    for _ in 0..200 {
        match coordinator.shard_for("g") {
            Ok(handle) => {
                answered = Some(handle);
                break;
            }
            Err(code) => assert_eq!(code, ResponseError::CoordinatorLoadInProgress.code()),
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let handle = answered.expect("the shard loads");
    assert_eq!(
        commit(&handle, simple_commit("g", &[(0, 1)])).await,
        Ok(vec![0])
    );

    // Leadership moves to node 2: the shard goes and requests get NOT_COORDINATOR.
    let topic = fixture.image.topics.by_name[OFFSETS_TOPIC].clone();
    let mut moved = (*topic).clone();
    for registration in moved.partitions.values_mut() {
        registration.leader = 2;
        registration.leader_epoch += 1;
    }
    fixture
        .image
        .topics
        .by_name
        .insert(OFFSETS_TOPIC.into(), Arc::new(moved));
    images_tx.send_replace(Arc::new(fixture.image.clone()));
    coordinator.on_image(&fixture.image);
    assert_eq!(
        coordinator.shard_for("g").err(),
        Some(ResponseError::NotCoordinator.code())
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        commit(&handle, simple_commit("g", &[(0, 2)])).await,
        Err(ResponseError::NotCoordinator.code())
    );
    coordinator.shutdown().await;
}

#[tokio::test]
async fn offsets_of_an_empty_group_expire_after_the_retention() {
    let fixture = fixture();
    let config = GroupCoordinatorConfig {
        offsets_retention_ms: 100,
        offsets_retention_check_interval_ms: 50,
        ..GroupCoordinatorConfig::default()
    };
    let running = shard_with(&fixture, config);
    active(&running.handle).await;
    assert_eq!(
        commit(&running.handle, simple_commit("old", &[(0, 4)])).await,
        Ok(vec![0])
    );
    assert_eq!(fetched(&running.handle, "old").await.len(), 1);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        fetched(&running.handle, "old").await.is_empty(),
        "the offset expired"
    );
    running.stop().await.expect("shard task ends");
    // The expiry was written: a shard loaded from the log does not bring the offset back.
    let reloaded = shard(&fixture);
    active(&reloaded.handle).await;
    assert!(fetched(&reloaded.handle, "old").await.is_empty());
    reloaded.stop().await.expect("shard task ends");
}

#[tokio::test]
async fn a_member_loaded_from_the_log_is_removed_when_its_session_expires() {
    let fixture = fixture();
    let first = shard(&fixture);
    active(&first.handle).await;
    let request = join("cg", "member-1");
    let joined = first
        .handle
        .run(meta(1), move |shard, ctx| {
            shard.consumer_heartbeat(ctx, &request)
        })
        .await
        .expect("heartbeat answered");
    assert_eq!(joined.error_code, 0);
    first.stop().await.expect("shard task ends");

    // The member never heartbeats again: after the load its session (here 150 ms) runs out.
    let config = GroupCoordinatorConfig {
        consumer_session_timeout_ms: 150,
        ..GroupCoordinatorConfig::default()
    };
    let second = shard_with(&fixture, config);
    active(&second.handle).await;
    let image = Arc::new(fixture.image.clone());
    let members = |handle: ShardHandle<GroupShard>, image: Arc<MetadataImage>| async move {
        handle
            .run(meta(0), move |shard, _ctx| {
                CoordinatorResult::response_only(shard.describe_consumer("cg", &image))
            })
            .await
            .expect("answered")
            .map(|g| g.members.len())
    };
    assert_eq!(
        members(second.handle.clone(), Arc::clone(&image)).await,
        Ok(1)
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(members(second.handle.clone(), image).await, Ok(0));
    second.stop().await.expect("shard task ends");
}

/// Figures, not a check: operations per second through one shard on a real log (heartbeats that
/// write nothing, and offset commits that append one batch each). Run with
/// `cargo test -p strata-broker --release --lib heartbeat_and_commit_throughput -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: prints figures"]
async fn heartbeat_and_commit_throughput() {
    const MEMBERS: usize = 100;
    const ROUNDS: usize = 50;
    let fixture = fixture();
    let running = shard(&fixture);
    active(&running.handle).await;
    let mut epochs = Vec::with_capacity(MEMBERS);
    for m in 0..MEMBERS {
        let request = join("bench", &format!("member-{m}"));
        let joined = running
            .handle
            .run(meta(1), move |shard, ctx| {
                shard.consumer_heartbeat(ctx, &request)
            })
            .await
            .expect("joined");
        assert_eq!(joined.error_code, 0);
        epochs.push(joined.member_epoch);
    }
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for (m, mut epoch) in epochs.iter().copied().enumerate() {
        let handle = running.handle.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..ROUNDS {
                let request = ConsumerGroupHeartbeatRequest::default()
                    .with_group_id(GroupId(s("bench")))
                    .with_member_id(s(&format!("member-{m}")))
                    .with_member_epoch(epoch);
                let answer = handle
                    .run(meta(1), move |shard, ctx| {
                        shard.consumer_heartbeat(ctx, &request)
                    })
                    .await
                    .expect("answered");
                assert_eq!(answer.error_code, 0, "{answer:?}");
                epoch = answer.member_epoch;
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let heartbeats = (MEMBERS * ROUNDS) as f64 / started.elapsed().as_secs_f64();
    let started = std::time::Instant::now();
    let commits = 2_000;
    for i in 0..commits {
        commit(&running.handle, simple_commit("bench-commits", &[(0, i)]))
            .await
            .expect("committed");
    }
    let commit_rate = commits as f64 / started.elapsed().as_secs_f64();
    println!("shard throughput: {heartbeats:.0} consumer heartbeats/s ({MEMBERS} members), {commit_rate:.0} sequential offset commits/s (one batch each)");
    running.stop().await.expect("shard task ends");
}
