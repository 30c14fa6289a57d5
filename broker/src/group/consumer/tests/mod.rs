//! Tests of the consumer group state machine: a harness that runs operations like the shard does
//! (and keeps every record written), unit tests per rule, and proptests with simulated clients.

mod bench;
mod heartbeat_rules;
mod lifecycle;
mod proptests;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use kafka_protocol::messages::consumer_group_heartbeat_request::TopicPartitions as RequestPartitions;
use kafka_protocol::messages::{
    ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, GroupId, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use strata_controller::{MetadataImage, PartitionRegistration, TopicImage};
use strata_protocol::group_records::GroupRecord;
use uuid::Uuid;

use super::ConsumerGroups;
use crate::group::assignor::TopicPartitions;
use crate::group::config::GroupCoordinatorConfig;
use crate::group::op_context::OpContext;
use crate::group::result::CoordinatorResult;
use crate::group::timer::{TimerKey, Timers};

pub(super) const SESSION_TIMEOUT_MS: i64 = 45_000;

/// Runs operations on a `ConsumerGroups` the way a shard does, keeping every record written.
pub(super) struct Harness {
    pub(super) groups: ConsumerGroups,
    pub(super) config: GroupCoordinatorConfig,
    pub(super) image: MetadataImage,
    pub(super) timers: Timers,
    pub(super) now_ms: i64,
    pub(super) api_version: i16,
    pub(super) log: Vec<GroupRecord>,
}

fn generated_member_id() -> String {
    "generated-member".to_owned()
}

impl Harness {
    pub(super) fn new() -> Self {
        Self {
            groups: ConsumerGroups::with_member_id_source(generated_member_id),
            config: GroupCoordinatorConfig::default(),
            image: MetadataImage::empty("cluster"),
            timers: Timers::default(),
            now_ms: 1_000,
            api_version: 1,
            log: Vec::new(),
        }
    }

    /// Runs `op` with a context over the harness' clock, config, image and timers.
    pub(super) fn run<R>(
        &mut self,
        op: impl FnOnce(&mut ConsumerGroups, &mut OpContext<'_>) -> CoordinatorResult<R>,
    ) -> (R, Vec<GroupRecord>) {
        let mut ctx = OpContext {
            now_ms: self.now_ms,
            config: &self.config,
            image: &self.image,
            timers: &mut self.timers,
            client_id: "client",
            client_host: "/127.0.0.1",
            api_version: self.api_version,
        };
        let result = op(&mut self.groups, &mut ctx);
        self.log.extend(result.records.iter().cloned());
        (result.response, result.records)
    }

    pub(super) fn heartbeat(
        &mut self,
        req: &ConsumerGroupHeartbeatRequest,
    ) -> ConsumerGroupHeartbeatResponse {
        self.run(|g, ctx| g.heartbeat(ctx, req)).0
    }

    pub(super) fn fire(&mut self, key: &TimerKey) -> Vec<GroupRecord> {
        self.run(|g, ctx| g.on_timer(ctx, key)).1
    }

    pub(super) fn metadata_changed(&mut self) -> Vec<GroupRecord> {
        self.run(|g, ctx| g.on_metadata_image(ctx)).1
    }

    /// Creates or resizes a topic and advances the image offset; returns its id.
    pub(super) fn set_topic(&mut self, name: &str, partitions: i32) -> Uuid {
        let id = self.image.topics.get_by_name(name).map_or_else(
            // A new topic (also one re-created under an old name) gets a new id.
            || {
                let name_hash = name
                    .bytes()
                    .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
                Uuid::from_u128(
                    (u128::from((self.image.offset + 2) as u64) << 64) | u128::from(name_hash),
                )
            },
            |t| t.id,
        );
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
            name: name.to_owned(),
            id,
            partitions: (0..partitions).map(|p| (p, registration.clone())).collect(),
        });
        self.image
            .topics
            .by_name
            .insert(name.to_owned(), topic.clone());
        self.image.topics.by_id.insert(id, topic);
        self.image.offset += 1;
        id
    }

    pub(super) fn delete_topic(&mut self, name: &str) {
        if let Some(topic) = self.image.topics.by_name.remove(name) {
            self.image.topics.by_id.remove(&topic.id);
        }
        self.image.offset += 1;
    }

    pub(super) fn topic_id(&self, name: &str) -> Uuid {
        self.image
            .topics
            .get_by_name(name)
            .expect("topic exists")
            .id
    }

    /// A fresh state machine rebuilt from every record written so far, each record going
    /// through its `__consumer_offsets` bytes first (as a load reads them).
    pub(super) fn replayed(&self) -> ConsumerGroups {
        let mut fresh = ConsumerGroups::new();
        for record in &self.log {
            let value = record.encode_value();
            let decoded = GroupRecord::decode(&record.encode_key(), value.as_deref())
                .expect("written records decode");
            assert_eq!(&decoded, record, "records survive their encoding");
            assert!(
                fresh.replay(&decoded),
                "consumer group records are claimed by replay"
            );
        }
        fresh
    }

    pub(super) fn assert_replay_rebuilds_state(&self) {
        assert_eq!(
            self.replayed().persisted_view(),
            self.groups.persisted_view()
        );
    }
}

/// A join request (epoch 0) subscribing to `topics` by name.
pub(super) fn join(group: &str, member: &str, topics: &[&str]) -> ConsumerGroupHeartbeatRequest {
    let mut req = ConsumerGroupHeartbeatRequest::default();
    req.group_id = GroupId(StrBytes::from_string(group.to_owned()));
    req.member_id = StrBytes::from_string(member.to_owned());
    req.member_epoch = 0;
    req.rebalance_timeout_ms = 30_000;
    req.subscribed_topic_names = Some(
        topics
            .iter()
            .map(|t| TopicName(StrBytes::from_string((*t).to_owned())))
            .collect(),
    );
    req.topic_partitions = Some(Vec::new());
    req
}

/// A regular heartbeat at `epoch` reporting `owned` (`None`: not reported).
pub(super) fn beat(
    group: &str,
    member: &str,
    epoch: i32,
    owned: Option<&TopicPartitions>,
) -> ConsumerGroupHeartbeatRequest {
    let mut req = ConsumerGroupHeartbeatRequest::default();
    req.group_id = GroupId(StrBytes::from_string(group.to_owned()));
    req.member_id = StrBytes::from_string(member.to_owned());
    req.member_epoch = epoch;
    req.rebalance_timeout_ms = -1;
    req.topic_partitions = owned.map(to_request);
    req
}

pub(super) fn to_request(partitions: &TopicPartitions) -> Vec<RequestPartitions> {
    partitions
        .iter()
        .map(|(topic_id, ps)| {
            let mut topic = RequestPartitions::default();
            topic.topic_id = *topic_id;
            topic.partitions = ps.iter().copied().collect();
            topic
        })
        .collect()
}

/// The assignment a response carries, if any.
pub(super) fn assignment_of(resp: &ConsumerGroupHeartbeatResponse) -> Option<TopicPartitions> {
    resp.assignment.as_ref().map(|a| {
        let mut out: TopicPartitions = BTreeMap::new();
        for tp in &a.topic_partitions {
            out.entry(tp.topic_id)
                .or_default()
                .extend(tp.partitions.iter().copied());
        }
        out
    })
}

pub(super) fn partitions(topic_id: Uuid, ps: &[i32]) -> TopicPartitions {
    [(topic_id, ps.iter().copied().collect::<BTreeSet<i32>>())]
        .into_iter()
        .collect()
}

pub(super) fn count(tp: &TopicPartitions) -> usize {
    tp.values().map(BTreeSet::len).sum()
}
