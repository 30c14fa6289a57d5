//! Migration scenarios run through a whole shard: upgrade of a classic group, classic members
//! inside a consumer group, downgrade, the policy, and replay of everything written.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::consumer_group_heartbeat_request::TopicPartitions as OwnedTopic;
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::{
    ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, GroupId, HeartbeatRequest,
    JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest, SyncGroupRequest, SyncGroupResponse,
    TopicName,
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use strata_controller::{MetadataImage, PartitionRegistration, TopicImage};
use strata_protocol::group_records::{GroupRecord, GroupRecordKey};
use tokio::sync::oneshot;
use uuid::Uuid;

use super::decode_assignment;
use super::tests::subscription_bytes;
use crate::group::config::{GroupCoordinatorConfig, MigrationPolicy};
use crate::group::op_context::OpContext;
use crate::group::result::CoordinatorResult;
use crate::group::runtime::CoordinatorShard;
use crate::group::shard::GroupShard;
use crate::group::timer::Timers;

const GROUP: &str = "g";
const TOPIC: &str = "t";
pub(super) const PARTITIONS: i32 = 6;

fn s(text: &str) -> StrBytes {
    StrBytes::from_string(text.to_owned())
}

pub(super) struct Cluster {
    shard: GroupShard,
    config: GroupCoordinatorConfig,
    image: MetadataImage,
    timers: Timers,
    now_ms: i64,
    log: Vec<GroupRecord>,
}

impl Cluster {
    pub(super) fn new(policy: MigrationPolicy) -> Self {
        let mut image = MetadataImage::empty("cluster");
        let registration = PartitionRegistration {
            replicas: vec![1],
            isr: vec![1],
            removing_replicas: Vec::new(),
            adding_replicas: Vec::new(),
            leader: 1,
            leader_recovery_state: 0,
            leader_epoch: 0,
            partition_epoch: 0,
            directories: Vec::new(),
        };
        let topic = Arc::new(TopicImage {
            name: TOPIC.to_owned(),
            id: Uuid::from_u128(42),
            partitions: (0..PARTITIONS).map(|p| (p, registration.clone())).collect(),
        });
        image.topics.by_name.insert(TOPIC.to_owned(), topic.clone());
        image.topics.by_id.insert(topic.id, topic);
        image.offset = 1;
        let config = GroupCoordinatorConfig {
            migration_policy: policy,
            classic_initial_rebalance_delay_ms: 0,
            ..GroupCoordinatorConfig::default()
        };
        Self {
            shard: GroupShard::new(),
            config,
            image,
            timers: Timers::default(),
            now_ms: 1_000,
            log: Vec::new(),
        }
    }

    pub(super) fn run<R>(
        &mut self,
        api_version: i16,
        op: impl FnOnce(&mut GroupShard, &mut OpContext<'_>) -> CoordinatorResult<R>,
    ) -> R {
        let mut ctx = OpContext {
            now_ms: self.now_ms,
            config: &self.config,
            image: &self.image,
            timers: &mut self.timers,
            client_id: "client",
            client_host: "/127.0.0.1",
            api_version,
        };
        let result = op(&mut self.shard, &mut ctx);
        self.log.extend(result.records.iter().cloned());
        for deferred in result.deferred {
            deferred.complete(Ok(()));
        }
        result.response
    }

    /// Fires every timer due now (the classic join phase with no initial delay).
    pub(super) fn fire_due(&mut self) {
        while self
            .timers
            .next_deadline()
            .is_some_and(|d| d <= self.now_ms)
        {
            for key in self.timers.pop_expired(self.now_ms) {
                self.run(0, |shard, ctx| shard.on_timer(ctx, &key));
            }
        }
    }

    /// A consumer-protocol member joins; returns its epoch and first assignment.
    pub(super) fn consumer_join(&mut self, member_id: &str) -> (i32, Vec<i32>) {
        let resp = self.consumer_heartbeat(member_id, 0, None);
        assert_eq!(resp.error_code, 0, "{:?}", resp.error_message);
        let owned = resp
            .assignment
            .map(|a| {
                a.topic_partitions
                    .iter()
                    .flat_map(|t| t.partitions.iter().copied())
                    .collect()
            })
            .unwrap_or_default();
        (resp.member_epoch, owned)
    }

    pub(super) fn join(
        &mut self,
        member_id: &str,
        owned: &[i32],
    ) -> oneshot::Receiver<JoinGroupResponse> {
        let (tx, rx) = oneshot::channel();
        let metadata = subscription_bytes(1, &[TOPIC], &[(TOPIC, owned)]);
        let req = JoinGroupRequest::default()
            .with_group_id(GroupId(s(GROUP)))
            .with_member_id(s(member_id))
            .with_session_timeout_ms(45_000)
            .with_rebalance_timeout_ms(60_000)
            .with_protocol_type(s("consumer"))
            .with_protocols(vec![JoinGroupRequestProtocol::default()
                .with_name(s("cooperative-sticky"))
                .with_metadata(metadata)]);
        self.run(3, |shard, ctx| shard.join(ctx, &req, tx));
        rx
    }

    pub(super) fn sync(
        &mut self,
        member_id: &str,
        generation: i32,
        assignments: &[(&str, Vec<i32>)],
    ) -> oneshot::Receiver<SyncGroupResponse> {
        let (tx, rx) = oneshot::channel();
        let sub = subscription_bytes(1, &[TOPIC], &[]);
        let req = SyncGroupRequest::default()
            .with_group_id(GroupId(s(GROUP)))
            .with_member_id(s(member_id))
            .with_generation_id(generation)
            .with_protocol_type(Some(s("consumer")))
            .with_protocol_name(Some(s("cooperative-sticky")))
            .with_assignments(
                assignments
                    .iter()
                    .map(|(m, ps)| {
                        SyncGroupRequestAssignment::default()
                            .with_member_id(s(m))
                            .with_assignment(super::encode_assignment(
                                &[(TOPIC.to_owned(), ps.clone())],
                                &sub,
                            ))
                    })
                    .collect(),
            );
        self.run(3, |shard, ctx| shard.sync(ctx, &req, tx));
        rx
    }

    pub(super) fn heartbeat(&mut self, member_id: &str, generation: i32) -> i16 {
        let req = HeartbeatRequest::default()
            .with_group_id(GroupId(s(GROUP)))
            .with_member_id(s(member_id))
            .with_generation_id(generation);
        self.run(3, |shard, ctx| shard.heartbeat(ctx, &req))
            .error_code
    }

    pub(super) fn consumer_heartbeat(
        &mut self,
        member_id: &str,
        epoch: i32,
        owned: Option<&[i32]>,
    ) -> ConsumerGroupHeartbeatResponse {
        let mut req = ConsumerGroupHeartbeatRequest::default()
            .with_group_id(GroupId(s(GROUP)))
            .with_member_id(s(member_id))
            .with_member_epoch(epoch);
        if epoch == 0 {
            req = req
                .with_rebalance_timeout_ms(60_000)
                .with_subscribed_topic_names(Some(vec![TopicName(s(TOPIC))]))
                .with_topic_partitions(Some(Vec::new()));
        } else if let Some(owned) = owned {
            req = req.with_topic_partitions(Some(vec![OwnedTopic::default()
                .with_topic_id(Uuid::from_u128(42))
                .with_partitions(owned.to_vec())]));
        }
        self.run(1, |shard, ctx| shard.consumer_heartbeat(ctx, &req))
    }

    pub(super) fn group_type(&self) -> Option<&'static str> {
        self.shard
            .list()
            .into_iter()
            .find(|g| g.group_id == GROUP)
            .map(|g| g.group_type)
    }

    /// A shard rebuilt from every record written must hold the same persisted state.
    pub(super) fn assert_replay_rebuilds_state(&self) {
        let mut replayed = GroupShard::new();
        for record in &self.log {
            replayed.replay(record);
        }
        assert_eq!(replayed.persisted_debug(), self.shard.persisted_debug());
    }
}

pub(super) fn received<T>(mut rx: oneshot::Receiver<T>) -> T {
    rx.try_recv().expect("response released")
}

pub(super) fn assigned(assignment: &Bytes) -> Vec<i32> {
    let decoded = decode_assignment(assignment).expect("a ConsumerProtocolAssignment");
    decoded
        .assigned_partitions
        .iter()
        .flat_map(|t| t.partitions.iter().copied())
        .collect()
}

/// Two classic members, generation 1, a: 0..3, b: 3..6.
pub(super) fn stable_classic_group(policy: MigrationPolicy) -> (Cluster, String, String) {
    let mut c = Cluster::new(policy);
    let a_join = c.join("", &[]);
    let b_join = c.join("", &[]);
    c.fire_due();
    let a = received(a_join);
    let b = received(b_join);
    assert_eq!(a.error_code, 0);
    let (leader, follower) = if a.leader == a.member_id {
        (a, b)
    } else {
        (b, a)
    };
    let leader_id = leader.member_id.to_string();
    let follower_id = follower.member_id.to_string();
    let f = c.sync(&follower_id, 1, &[]);
    let l = c.sync(
        &leader_id,
        1,
        &[(&leader_id, vec![0, 1, 2]), (&follower_id, vec![3, 4, 5])],
    );
    assert_eq!(received(l).error_code, 0);
    assert_eq!(assigned(&received(f).assignment), vec![3, 4, 5]);
    (c, leader_id, follower_id)
}

/// Drives classic members (rejoin + sync when told to) and the consumer member until every
/// member is at the group epoch with nothing to rejoin for; returns each member's partitions.
pub(super) fn converge(
    c: &mut Cluster,
    classic: &mut BTreeMap<String, (i32, Vec<i32>)>,
    consumer: Option<(&str, &mut (i32, Vec<i32>))>,
) -> BTreeMap<String, Vec<i32>> {
    let mut consumer = consumer;
    for _ in 0..10 {
        let mut quiet = true;
        for (id, (generation, owned)) in classic.iter_mut() {
            if c.heartbeat(id, *generation) == ResponseError::RebalanceInProgress.code() {
                quiet = false;
                let joined = received(c.join(id, owned));
                assert_eq!(joined.error_code, 0, "rejoin of {id}");
                *generation = joined.generation_id;
                let synced = received(c.sync(id, *generation, &[]));
                if synced.error_code == 0 {
                    *owned = assigned(&synced.assignment);
                }
            }
        }
        if let Some((id, (epoch, owned))) = consumer.as_mut() {
            let resp = c.consumer_heartbeat(id, *epoch, Some(owned));
            assert_eq!(resp.error_code, 0);
            if resp.member_epoch != *epoch {
                quiet = false;
            }
            *epoch = resp.member_epoch;
            if let Some(assignment) = resp.assignment {
                let now: Vec<i32> = assignment
                    .topic_partitions
                    .iter()
                    .flat_map(|t| t.partitions.iter().copied())
                    .collect();
                if now != *owned {
                    quiet = false;
                }
                *owned = now;
            }
        }
        if quiet {
            break;
        }
    }
    let mut out: BTreeMap<String, Vec<i32>> = classic
        .iter()
        .map(|(id, (_, owned))| (id.clone(), owned.clone()))
        .collect();
    if let Some((id, (_, owned))) = consumer {
        out.insert(id.to_owned(), owned.clone());
    }
    out
}

pub(super) fn assert_disjoint_and_complete(owned: &BTreeMap<String, Vec<i32>>) {
    let mut seen = BTreeSet::new();
    for (member, partitions) in owned {
        for p in partitions {
            assert!(
                seen.insert(*p),
                "partition {p} owned twice (again by {member})"
            );
        }
    }
    assert_eq!(seen, (0..PARTITIONS).collect::<BTreeSet<_>>(), "{owned:?}");
}

#[test]
fn consumer_heartbeat_upgrades_a_classic_group_keeping_its_assignments() {
    let (mut c, leader, follower) = stable_classic_group(MigrationPolicy::Bidirectional);
    let before = c.log.len();
    let resp = c.consumer_heartbeat("c", 0, None);
    assert_eq!(resp.error_code, 0, "{:?}", resp.error_message);
    assert_eq!(c.group_type(), Some("consumer"));
    let written = &c.log[before..];
    assert!(
        matches!(&written[0].key, GroupRecordKey::GroupMetadata(_)) && written[0].value.is_none(),
        "the classic group's tombstone comes first"
    );
    let described = c
        .shard
        .describe_consumer(GROUP, &c.image)
        .expect("a consumer group");
    let partitions_of = |id: &str| -> Vec<i32> {
        described
            .members
            .iter()
            .find(|m| m.member_id.as_str() == id)
            .map(|m| {
                m.assignment
                    .topic_partitions
                    .iter()
                    .flat_map(|t| t.partitions.iter().copied())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(partitions_of(&leader), vec![0, 1, 2]);
    assert_eq!(partitions_of(&follower), vec![3, 4, 5]);
    // The partitions are still owned, so the new member gets none yet.
    assert!(resp
        .assignment
        .is_none_or(|a| a.topic_partitions.iter().all(|t| t.partitions.is_empty())));
    c.assert_replay_rebuilds_state();
}

#[test]
fn classic_members_rebalance_with_a_consumer_member_after_the_upgrade() {
    let (mut c, leader, follower) = stable_classic_group(MigrationPolicy::Bidirectional);
    let mut consumer = c.consumer_join("c");
    let mut classic = BTreeMap::from([
        (leader.clone(), (1, vec![0, 1, 2])),
        (follower.clone(), (1, vec![3, 4, 5])),
    ]);
    let owned = converge(&mut c, &mut classic, Some(("c", &mut consumer)));
    assert_disjoint_and_complete(&owned);
    assert!(owned.values().all(|ps| ps.len() == 2), "{owned:?}");
    c.assert_replay_rebuilds_state();
}

#[test]
fn classic_member_joining_a_consumer_group_gets_partitions_disjoint_from_the_consumer_members() {
    let mut c = Cluster::new(MigrationPolicy::Bidirectional);
    let mut consumer = c.consumer_join("c");
    let mut none = BTreeMap::new();
    converge(&mut c, &mut none, Some(("c", &mut consumer)));
    assert_eq!(consumer.1.len(), PARTITIONS as usize);

    let joined = received(c.join("", &[]));
    assert_eq!(joined.error_code, 0);
    assert_eq!(
        joined.protocol_name.as_ref().map(|n| n.as_str()),
        Some("cooperative-sticky")
    );
    let classic_id = joined.member_id.to_string();
    let synced = received(c.sync(&classic_id, joined.generation_id, &[]));
    let mut classic = BTreeMap::from([(
        classic_id.clone(),
        (joined.generation_id, assigned(&synced.assignment)),
    )]);
    let owned = converge(&mut c, &mut classic, Some(("c", &mut consumer)));
    assert_disjoint_and_complete(&owned);
    assert_eq!(owned[&classic_id].len(), 3, "{owned:?}");
    assert_eq!(c.group_type(), Some("consumer"));
    c.assert_replay_rebuilds_state();
}

#[test]
fn last_consumer_member_leaving_downgrades_the_group_to_classic() {
    let (mut c, leader, follower) = stable_classic_group(MigrationPolicy::Bidirectional);
    let mut consumer = c.consumer_join("c");
    let mut classic = BTreeMap::from([
        (leader.clone(), (1, vec![0, 1, 2])),
        (follower.clone(), (1, vec![3, 4, 5])),
    ]);
    converge(&mut c, &mut classic, Some(("c", &mut consumer)));

    let left = c.consumer_heartbeat("c", -1, None);
    assert_eq!(left.error_code, 0);
    assert_eq!(c.group_type(), Some("classic"));
    let described = c.shard.describe_classic(GROUP, 5);
    assert_eq!(described.group_state.as_str(), "PreparingRebalance");
    assert_eq!(described.protocol_type.as_str(), "consumer");
    assert_eq!(described.members.len(), 2);
    // The classic members are told to rejoin, then rebalance as a classic group.
    let generation = classic[&leader].0;
    assert_eq!(
        c.heartbeat(&leader, generation),
        ResponseError::RebalanceInProgress.code()
    );
    c.assert_replay_rebuilds_state();
}

#[test]
fn upgrade_disabled_by_policy_answers_group_id_not_found_and_keeps_the_classic_group() {
    for policy in [MigrationPolicy::Disabled, MigrationPolicy::Downgrade] {
        let (mut c, leader, _) = stable_classic_group(policy);
        let before = c.log.len();
        let resp = c.consumer_heartbeat("c", 0, None);
        assert_eq!(resp.error_code, ResponseError::GroupIdNotFound.code());
        assert_eq!(c.log.len(), before, "nothing written");
        assert_eq!(c.group_type(), Some("classic"));
        assert_eq!(c.heartbeat(&leader, 1), 0);
    }
}

#[test]
fn downgrade_disabled_by_policy_keeps_a_consumer_group_of_classic_members() {
    let (mut c, leader, follower) = stable_classic_group(MigrationPolicy::Upgrade);
    let mut consumer = c.consumer_join("c");
    let mut classic = BTreeMap::from([
        (leader.clone(), (1, vec![0, 1, 2])),
        (follower.clone(), (1, vec![3, 4, 5])),
    ]);
    converge(&mut c, &mut classic, Some(("c", &mut consumer)));
    assert_eq!(c.consumer_heartbeat("c", -1, None).error_code, 0);
    assert_eq!(c.group_type(), Some("consumer"));
    c.assert_replay_rebuilds_state();
}

#[test]
fn classic_leave_removes_a_classic_member_from_a_consumer_group() {
    let mut c = Cluster::new(MigrationPolicy::Bidirectional);
    let resp = c.consumer_heartbeat("c", 0, None);
    assert_eq!(resp.error_code, 0);
    let joined = received(c.join("", &[]));
    let id = joined.member_id.to_string();
    let req = LeaveGroupRequest::default()
        .with_group_id(GroupId(s(GROUP)))
        .with_members(vec![MemberIdentity::default().with_member_id(s(&id))]);
    let left = c.run(3, |shard, ctx| shard.leave(ctx, &req));
    assert_eq!(left.members[0].error_code, 0);
    assert_eq!(
        c.heartbeat(&id, joined.generation_id),
        ResponseError::UnknownMemberId.code()
    );
    // A consumer-protocol member is not a classic member.
    assert_eq!(
        c.heartbeat("c", resp.member_epoch),
        ResponseError::UnknownMemberId.code()
    );
    c.assert_replay_rebuilds_state();
}

#[test]
fn refused_heartbeat_after_the_conversion_leaves_the_classic_group_untouched() {
    let (mut c, leader, _) = stable_classic_group(MigrationPolicy::Bidirectional);
    let before = c.log.len();
    let req = ConsumerGroupHeartbeatRequest::default()
        .with_group_id(GroupId(s(GROUP)))
        .with_member_id(s("c"))
        .with_member_epoch(0)
        .with_rebalance_timeout_ms(60_000)
        .with_server_assignor(Some(s("no-such-assignor")))
        .with_subscribed_topic_names(Some(vec![TopicName(s(TOPIC))]))
        .with_topic_partitions(Some(Vec::new()));
    let resp = c.run(1, |shard, ctx| shard.consumer_heartbeat(ctx, &req));
    assert_eq!(resp.error_code, ResponseError::UnsupportedAssignor.code());
    assert_eq!(c.log.len(), before, "nothing written");
    assert_eq!(c.group_type(), Some("classic"));
    assert_eq!(c.heartbeat(&leader, 1), 0);
    c.assert_replay_rebuilds_state();
}

#[test]
fn downgraded_group_persists_target_assignments_and_rebalances_as_classic() {
    let (mut c, leader, follower) = stable_classic_group(MigrationPolicy::Bidirectional);
    let mut consumer = c.consumer_join("c");
    let mut classic = BTreeMap::from([
        (leader.clone(), (1, vec![0, 1, 2])),
        (follower.clone(), (1, vec![3, 4, 5])),
    ]);
    let owned = converge(&mut c, &mut classic, Some(("c", &mut consumer)));
    let before = c.log.len();
    assert_eq!(c.consumer_heartbeat("c", -1, None).error_code, 0);
    let written = &c.log[before..];
    let tombstone_at = written
        .iter()
        .position(|r| {
            matches!(r.key, GroupRecordKey::ConsumerGroupMetadata(_)) && r.value.is_none()
        })
        .expect("the consumer group is tombstoned");
    let metadata = written
        .iter()
        .position(|r| matches!(r.key, GroupRecordKey::GroupMetadata(_)) && r.value.is_some())
        .expect("the classic group is written");
    assert!(tombstone_at < metadata);
    let Some(strata_protocol::group_records::GroupRecordValue::GroupMetadata(value)) =
        &written[metadata].value
    else {
        panic!("a GroupMetadata value");
    };
    assert_eq!(value.protocol_type, "consumer");
    assert_eq!(value.protocol.as_deref(), Some("cooperative-sticky"));
    for member in &value.members {
        // The classic members keep what the consumer group assigned them (before the rebalance).
        let mut target = assigned(&member.assignment);
        target.sort_unstable();
        assert_eq!(target, owned[&member.member_id], "{}", member.member_id);
    }
    // Both rejoin; the new generation completes as a classic rebalance.
    let generation = value.generation;
    let a = c.join(&leader, &owned[&leader]);
    let b = c.join(&follower, &owned[&follower]);
    c.fire_due();
    let (a, b) = (received(a), received(b));
    assert_eq!((a.error_code, b.error_code), (0, 0));
    assert_eq!(a.generation_id, generation + 1);
    let leader_id = if a.leader == a.member_id {
        a.member_id.to_string()
    } else {
        b.member_id.to_string()
    };
    let synced = c.sync(
        &leader_id,
        a.generation_id,
        &[(&leader, vec![0, 1, 2]), (&follower, vec![3, 4, 5])],
    );
    assert_eq!(received(synced).error_code, 0);
    assert_eq!(
        c.shard.describe_classic(GROUP, 5).group_state.as_str(),
        "Stable"
    );
    c.assert_replay_rebuilds_state();
}

#[test]
fn classic_member_that_does_not_rejoin_within_its_rebalance_timeout_is_fenced() {
    let mut c = Cluster::new(MigrationPolicy::Bidirectional);
    let mut first = c.consumer_join("c");
    let joined = received(c.join("", &[]));
    let k = joined.member_id.to_string();
    let synced = received(c.sync(&k, joined.generation_id, &[]));
    assert_eq!(synced.error_code, 0);
    // Another member joins: the classic member is told to rejoin, and does not.
    let second = c.consumer_join("d");
    assert_eq!(
        c.heartbeat(&k, joined.generation_id),
        ResponseError::RebalanceInProgress.code()
    );
    c.now_ms += 30_000;
    assert_eq!(
        c.heartbeat(&k, joined.generation_id),
        ResponseError::RebalanceInProgress.code()
    );
    let _ = c.consumer_heartbeat("c", first.0, Some(&first.1));
    let _ = c.consumer_heartbeat("d", second.0, Some(&second.1));
    c.now_ms += 30_001;
    c.fire_due();
    assert_eq!(
        c.heartbeat(&k, joined.generation_id),
        ResponseError::UnknownMemberId.code()
    );
    let mut none = BTreeMap::new();
    let owned = converge(&mut c, &mut none, Some(("c", &mut first)));
    assert!(!owned.is_empty());
    c.assert_replay_rebuilds_state();
}

#[test]
fn static_classic_member_replacing_the_last_consumer_member_downgrades_without_a_rebalance() {
    let mut c = Cluster::new(MigrationPolicy::Bidirectional);
    let req = ConsumerGroupHeartbeatRequest::default()
        .with_group_id(GroupId(s(GROUP)))
        .with_member_id(s("c"))
        .with_member_epoch(0)
        .with_instance_id(Some(s("instance-1")))
        .with_rebalance_timeout_ms(60_000)
        .with_subscribed_topic_names(Some(vec![TopicName(s(TOPIC))]))
        .with_topic_partitions(Some(Vec::new()));
    let resp = c.run(1, |shard, ctx| shard.consumer_heartbeat(ctx, &req));
    assert_eq!(resp.error_code, 0);
    let mut consumer = (
        resp.member_epoch,
        resp.assignment
            .map(|a| {
                a.topic_partitions
                    .iter()
                    .flat_map(|t| t.partitions.clone())
                    .collect()
            })
            .unwrap_or_default(),
    );
    let joined = received(c.join("", &[]));
    let k = joined.member_id.to_string();
    let synced = received(c.sync(&k, joined.generation_id, &[]));
    let mut classic = BTreeMap::from([(
        k.clone(),
        (joined.generation_id, assigned(&synced.assignment)),
    )]);
    let owned = converge(&mut c, &mut classic, Some(("c", &mut consumer)));
    assert_disjoint_and_complete(&owned);

    // The consumer process restarts with the classic protocol under the same instance id.
    let (tx, rx) = oneshot::channel();
    let join = JoinGroupRequest::default()
        .with_group_id(GroupId(s(GROUP)))
        .with_member_id(StrBytes::default())
        .with_group_instance_id(Some(s("instance-1")))
        .with_session_timeout_ms(45_000)
        .with_rebalance_timeout_ms(60_000)
        .with_protocol_type(s("consumer"))
        .with_protocols(vec![JoinGroupRequestProtocol::default()
            .with_name(s("cooperative-sticky"))
            .with_metadata(subscription_bytes(1, &[TOPIC], &[]))]);
    c.run(5, |shard, ctx| shard.join(ctx, &join, tx));
    let joined = received(rx);
    assert_eq!(joined.error_code, 0);
    assert_eq!(c.group_type(), Some("classic"));
    let described = c.shard.describe_classic(GROUP, 5);
    assert_eq!(described.group_state.as_str(), "Stable");
    let replacement = described
        .members
        .iter()
        .find(|m| m.member_id == joined.member_id)
        .expect("the replacement is a member");
    let mut taken_over = assigned(&replacement.member_assignment);
    taken_over.sort_unstable();
    assert_eq!(taken_over, owned["c"]);
    // Its SyncGroup is answered by the classic group, with the same partitions.
    let synced = received(c.sync(&joined.member_id, joined.generation_id, &[]));
    assert_eq!(synced.error_code, 0);
    let mut synced_partitions = assigned(&synced.assignment);
    synced_partitions.sort_unstable();
    assert_eq!(synced_partitions, owned["c"]);
    c.assert_replay_rebuilds_state();
}
