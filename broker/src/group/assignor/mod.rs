//! Server-side partition assignors of KIP-848 consumer groups (Kafka's
//! `ConsumerGroupPartitionAssignor`): `uniform` (the default) and `range`.
//!
//! An assignor is a pure function from the group's members (their subscriptions and current target
//! assignment) and the subscribed topics' partition counts to a new target assignment. It never
//! sees records, epochs or time. Invariants every assignor keeps (proptested in `proptests.rs`):
//! - no partition is assigned to two members;
//! - a member only receives partitions of topics it subscribes to and that exist;
//! - every partition of a topic with at least one subscriber is assigned (completeness).

mod range;
mod uniform;

#[cfg(test)]
mod proptests;

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

pub(crate) use range::RangeAssignor;
pub(crate) use uniform::UniformAssignor;

/// Partitions by topic id; the shape of assignments everywhere in the consumer group code.
pub(crate) type TopicPartitions = BTreeMap<Uuid, BTreeSet<i32>>;

/// Whether every member subscribes to the same topics (Kafka's `SubscriptionType`). Assignors use
/// a cheaper, exactly balanced algorithm for homogeneous groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubscriptionType {
    /// All members subscribe to the same set of topics.
    Homogeneous,
    /// Subscriptions differ between members.
    Heterogeneous,
}

/// What an assignor knows about one member.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct MemberSpec {
    /// Static membership id; the range assignor orders static members by it.
    pub(crate) instance_id: Option<String>,
    /// The member's rack (unused by the assignors here: rack-aware assignment is not implemented).
    pub(crate) rack_id: Option<String>,
    /// Ids of the existing topics the member subscribes to.
    pub(crate) subscribed_topic_ids: BTreeSet<Uuid>,
    /// The member's current target assignment (what stickiness tries to keep).
    pub(crate) assignment: TopicPartitions,
}

/// The input of an assignment: members by id and the subscription type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupSpec {
    /// Members by member id.
    pub(crate) members: BTreeMap<String, MemberSpec>,
    /// Homogeneous when all members subscribe to the same topics.
    pub(crate) subscription_type: SubscriptionType,
}

impl GroupSpec {
    /// Builds a spec and derives its subscription type from the members.
    pub(crate) fn new(members: BTreeMap<String, MemberSpec>) -> Self {
        let mut subscriptions = members.values().map(|m| &m.subscribed_topic_ids);
        let homogeneous = match subscriptions.next() {
            Some(first) => subscriptions.all(|s| s == first),
            None => true,
        };
        let subscription_type = if homogeneous {
            SubscriptionType::Homogeneous
        } else {
            SubscriptionType::Heterogeneous
        };
        Self {
            members,
            subscription_type,
        }
    }
}

/// One subscribed topic as the assignor sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopicInfo {
    /// Topic name (for messages only).
    pub(crate) name: String,
    /// Number of partitions; partitions are `0..num_partitions`.
    pub(crate) num_partitions: i32,
}

/// The subscribed topics that exist, by id (Kafka's `SubscribedTopicDescriber`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct SubscribedTopicMetadata {
    /// Topics by id.
    pub(crate) topics: BTreeMap<Uuid, TopicInfo>,
}

impl SubscribedTopicMetadata {
    /// Number of partitions of `topic_id`, or `None` when the topic is unknown.
    pub(crate) fn num_partitions(&self, topic_id: &Uuid) -> Option<i32> {
        self.topics.get(topic_id).map(|t| t.num_partitions)
    }
}

/// The output of an assignment: the partitions of every member of the spec (members that get
/// nothing are present with an empty map).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct TargetAssignment {
    /// Partitions by member id.
    pub(crate) members: BTreeMap<String, TopicPartitions>,
}

/// A server-side assignor, selected by name through `group.consumer.assignors` and the members'
/// `ServerAssignor` field.
///
/// To ensure correctness an implementation must, for any input: return an entry for every member
/// of `spec`; never assign one partition to two members; only assign partitions `0..n` of topics in
/// `topics` that the member subscribes to; and assign every partition of every topic in `topics`
/// that at least one member subscribes to. It must be deterministic (same input, same output),
/// because the target assignment is recomputed on every group epoch.
pub(crate) trait PartitionAssignor: Send + Sync {
    /// The name clients select it by (`uniform`, `range`).
    fn name(&self) -> &'static str;
    /// Computes the target assignment.
    fn assign(&self, spec: &GroupSpec, topics: &SubscribedTopicMetadata) -> TargetAssignment;
}

/// The assignor called `name`, if this build has one.
pub(crate) fn assignor_by_name(name: &str) -> Option<&'static dyn PartitionAssignor> {
    static UNIFORM: UniformAssignor = UniformAssignor;
    static RANGE: RangeAssignor = RangeAssignor;
    match name {
        "uniform" => Some(&UNIFORM),
        "range" => Some(&RANGE),
        _ => None,
    }
}

/// The partitions of `topic_id` a member may receive: those below the topic's partition count,
/// if it subscribes to the topic and the topic exists.
pub(super) fn valid_partition(
    member: &MemberSpec,
    topics: &SubscribedTopicMetadata,
    topic_id: &Uuid,
    partition: i32,
) -> bool {
    member.subscribed_topic_ids.contains(topic_id)
        && topics
            .num_partitions(topic_id)
            .is_some_and(|n| (0..n).contains(&partition))
}
