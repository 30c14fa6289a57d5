//! Online migration between classic and consumer groups (Kafka 4's mixed groups,
//! `group.consumer.migration.policy`).
//!
//! - Upgrade: a ConsumerGroupHeartbeat joining a non-empty classic group whose members all speak
//!   the "consumer" embedded protocol converts it (Kafka's `convertToConsumerGroup`): the
//!   `GroupMetadata` tombstone, then the consumer group records of the converted members (who keep
//!   their assignments and generation as member epoch), then the heartbeat itself.
//! - Classic members of a consumer group are served by [`ConsumerGroups`] (`classic_join`, ...).
//! - Downgrade: when the last consumer-protocol member leaves and everyone left is a classic
//!   member, [`ConsumerGroups`] tombstones the consumer group and hands a [`DowngradedGroup`] to
//!   [`ClassicGroups::adopt_downgraded`], which writes the `GroupMetadata` and starts a rebalance.
//!
//! This module holds the orchestration that spans both state machines and the codec of the
//! embedded consumer protocol (`ConsumerProtocolSubscription`/`Assignment`, an int16 version then
//! the body at that version, newer versions read as the newest known one, as Kafka does).

use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::consumer_protocol_assignment::TopicPartition as AssignedTopic;
use kafka_protocol::messages::{
    ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, ConsumerProtocolAssignment,
    ConsumerProtocolSubscription, TopicName,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};
use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;

use super::assignor::TopicPartitions;
use super::classic::ClassicGroups;
use super::consumer::ConsumerGroups;
use super::op_context::OpContext;
use super::result::CoordinatorResult;

/// The protocol type of consumers' classic groups.
pub(crate) const CONSUMER_PROTOCOL_TYPE: &str = "consumer";
/// Newest `ConsumerProtocolSubscription` version.
const SUBSCRIPTION_VERSION_MAX: i16 = 3;
/// Newest `ConsumerProtocolAssignment` version.
const ASSIGNMENT_VERSION_MAX: i16 = 3;

/// One member of a classic group as a consumer group takes it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClassicMemberSnapshot {
    /// Member id.
    pub(crate) member_id: String,
    /// `group.instance.id`.
    pub(crate) instance_id: Option<String>,
    /// `client.id`.
    pub(crate) client_id: String,
    /// Client host.
    pub(crate) client_host: String,
    /// Rebalance timeout, ms.
    pub(crate) rebalance_timeout_ms: i32,
    /// Session timeout, ms.
    pub(crate) session_timeout_ms: i32,
    /// Supported protocols (name, metadata), most preferred first.
    pub(crate) protocols: Vec<(String, Bytes)>,
    /// The subscription of the group's selected protocol.
    pub(crate) subscription: Bytes,
    /// The member's current assignment (ConsumerProtocolAssignment bytes; empty if none).
    pub(crate) assignment: Bytes,
}

/// A classic group about to become a consumer group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClassicGroupSnapshot {
    /// Group id.
    pub(crate) group_id: String,
    /// Generation: becomes group epoch, assignment epoch and member epochs.
    pub(crate) generation_id: i32,
    /// Its members.
    pub(crate) members: Vec<ClassicMemberSnapshot>,
}

/// One classic member of a consumer group that becomes a classic group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DowngradedMember {
    /// Member id.
    pub(crate) member_id: String,
    /// `group.instance.id`.
    pub(crate) instance_id: Option<String>,
    /// `client.id`.
    pub(crate) client_id: String,
    /// Client host.
    pub(crate) client_host: String,
    /// Rebalance timeout, ms.
    pub(crate) rebalance_timeout_ms: i32,
    /// Session timeout, ms (from its ClassicMemberMetadata).
    pub(crate) session_timeout_ms: i32,
    /// Supported protocols (name, metadata), most preferred first.
    pub(crate) protocols: Vec<(String, Bytes)>,
    /// Its target assignment by topic name (serialized once the protocol is selected).
    pub(crate) target: Vec<(String, Vec<i32>)>,
}

/// A consumer group, already tombstoned, that the classic groups take over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DowngradedGroup {
    /// Group id.
    pub(crate) group_id: String,
    /// The consumer group epoch: becomes the generation.
    pub(crate) group_epoch: i32,
    /// The remaining (classic) members.
    pub(crate) members: Vec<DowngradedMember>,
    /// Whether the classic group starts a rebalance (a member left), or stays Stable (a static
    /// classic member replaced the last consumer-protocol member and keeps its assignment).
    pub(crate) rebalance: bool,
}

/// The version prefix of embedded consumer protocol bytes.
pub(crate) fn protocol_version(bytes: &[u8]) -> Option<i16> {
    let prefix = bytes.get(..2)?;
    let version = i16::from_be_bytes([prefix[0], prefix[1]]);
    (version >= 0).then_some(version)
}

/// Decodes a `ConsumerProtocolSubscription` (None when malformed).
pub(crate) fn decode_subscription(bytes: &[u8]) -> Option<ConsumerProtocolSubscription> {
    let version = protocol_version(bytes)?.min(SUBSCRIPTION_VERSION_MAX);
    let mut buf = Bytes::copy_from_slice(&bytes[2..]);
    ConsumerProtocolSubscription::decode(&mut buf, version).ok()
}

/// Decodes a `ConsumerProtocolAssignment`; empty bytes (a member that has no assignment yet) are
/// an empty assignment. None when malformed.
pub(crate) fn decode_assignment(bytes: &[u8]) -> Option<ConsumerProtocolAssignment> {
    if bytes.is_empty() {
        return Some(ConsumerProtocolAssignment::default());
    }
    let version = protocol_version(bytes)?.min(ASSIGNMENT_VERSION_MAX);
    let mut buf = Bytes::copy_from_slice(&bytes[2..]);
    ConsumerProtocolAssignment::decode(&mut buf, version).ok()
}

/// Encodes `partitions` (by topic name) as a `ConsumerProtocolAssignment` at the version of the
/// member's subscription metadata (`metadata`), as Kafka's `prepareAssignment` does.
pub(crate) fn encode_assignment(partitions: &[(String, Vec<i32>)], metadata: &[u8]) -> Bytes {
    let version = protocol_version(metadata)
        .unwrap_or(0)
        .min(ASSIGNMENT_VERSION_MAX);
    let mut assignment = ConsumerProtocolAssignment::default();
    assignment.assigned_partitions = partitions
        .iter()
        .map(|(topic, ps)| {
            let mut t = AssignedTopic::default();
            t.topic = TopicName(StrBytes::from_string(topic.clone()));
            t.partitions = ps.clone();
            t
        })
        .collect();
    let mut buf = BytesMut::new();
    buf.put_i16(version);
    // Encoding an in-memory assignment cannot fail (no field exceeds its version's limits).
    if assignment.encode(&mut buf, version).is_err() {
        buf.truncate(2);
    }
    buf.freeze()
}

/// Partitions named by topic → by topic id; topics the image does not know are dropped.
pub(crate) fn to_topic_ids<'a>(
    named: impl IntoIterator<Item = (&'a str, &'a [i32])>,
    image: &MetadataImage,
) -> TopicPartitions {
    let mut out = TopicPartitions::new();
    for (name, partitions) in named {
        if let Some(topic) = image.topics.get_by_name(name) {
            if !partitions.is_empty() {
                out.entry(topic.id)
                    .or_default()
                    .extend(partitions.iter().copied());
            }
        }
    }
    out
}

/// Partitions by topic id → by topic name, ascending; unknown topic ids are dropped.
pub(crate) fn to_topic_names(
    partitions: &TopicPartitions,
    image: &MetadataImage,
) -> Vec<(String, Vec<i32>)> {
    let mut out: Vec<(String, Vec<i32>)> = partitions
        .iter()
        .filter(|(_, ps)| !ps.is_empty())
        .filter_map(|(id, ps)| {
            image
                .topics
                .get_by_id(id)
                .map(|t| (t.name.clone(), ps.iter().copied().collect()))
        })
        .collect();
    out.sort();
    out
}

fn not_a_consumer_group(group_id: &str) -> ConsumerGroupHeartbeatResponse {
    ConsumerGroupHeartbeatResponse::default()
        .with_error_code(ResponseError::GroupIdNotFound.code())
        .with_error_message(Some(StrBytes::from_string(format!(
            "Group {group_id} is not a consumer group."
        ))))
}

/// A ConsumerGroupHeartbeat for a group that is a non-empty classic group. With the upgrade
/// allowed (policy, every member on the "consumer" protocol type, size within
/// `group.consumer.max.size`) the group converts and the heartbeat runs against the result;
/// otherwise, or if the heartbeat is refused, the classic group stays untouched and the answer is
/// Kafka's GROUP_ID_NOT_FOUND (or the heartbeat's refusal).
pub(crate) fn upgrade_and_heartbeat(
    classic: &mut ClassicGroups,
    consumer: &mut ConsumerGroups,
    ctx: &mut OpContext<'_>,
    req: &ConsumerGroupHeartbeatRequest,
) -> CoordinatorResult<ConsumerGroupHeartbeatResponse> {
    let group_id = req.group_id.as_str();
    if req.member_epoch != 0 || !ctx.config.migration_policy.upgrade_enabled() {
        return CoordinatorResult::response_only(not_a_consumer_group(group_id));
    }
    let Some(snapshot) = classic.upgrade_snapshot(group_id, ctx.config.consumer_max_size) else {
        return CoordinatorResult::response_only(not_a_consumer_group(group_id));
    };
    let Some(detached) = classic.detach(group_id) else {
        return CoordinatorResult::response_only(not_a_consumer_group(group_id));
    };
    let mut records = vec![ClassicGroups::tombstone(group_id)];
    match consumer.adopt_classic(ctx, &snapshot) {
        Ok(adopted) => records.extend(adopted),
        Err(message) => {
            classic.restore(detached);
            return CoordinatorResult::response_only(
                ConsumerGroupHeartbeatResponse::default()
                    .with_error_code(ResponseError::GroupIdNotFound.code())
                    .with_error_message(Some(StrBytes::from_string(message))),
            );
        }
    }
    let mut result = consumer.heartbeat(ctx, req);
    if result.response.error_code != 0 {
        // Kafka discards the conversion records with the refused heartbeat.
        consumer.forget(ctx, group_id);
        classic.restore(detached);
        return CoordinatorResult::response_only(result.response);
    }
    let finished = classic.finish_upgrade(ctx, detached);
    records.append(&mut result.records);
    result.records = records;
    result.deferred.extend(finished);
    result
}

/// Hands the groups the consumer state machine downgraded over to the classic one, appending the
/// classic records and responses to `result`.
pub(crate) fn complete_downgrades<R>(
    classic: &mut ClassicGroups,
    consumer: &mut ConsumerGroups,
    ctx: &mut OpContext<'_>,
    result: &mut CoordinatorResult<R>,
) {
    for group in consumer.take_downgraded() {
        let adopted = classic.adopt_downgraded(ctx, &group);
        result.absorb(adopted);
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod scenarios;

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::consumer_protocol_subscription::TopicPartition as OwnedTopic;

    /// Subscription bytes as a Java consumer writes them.
    pub(super) fn subscription_bytes(
        version: i16,
        topics: &[&str],
        owned: &[(&str, &[i32])],
    ) -> Bytes {
        let mut sub = ConsumerProtocolSubscription::default();
        sub.topics = topics
            .iter()
            .map(|t| StrBytes::from_string((*t).to_owned()))
            .collect();
        sub.owned_partitions = owned
            .iter()
            .map(|(t, ps)| {
                let mut o = OwnedTopic::default();
                o.topic = TopicName(StrBytes::from_string((*t).to_owned()));
                o.partitions = ps.to_vec();
                o
            })
            .collect();
        sub.generation_id = -1;
        let mut buf = BytesMut::new();
        buf.put_i16(version);
        sub.encode(&mut buf, version).expect("encodes");
        buf.freeze()
    }

    #[test]
    fn assignment_round_trips_at_the_subscription_version() {
        let sub = subscription_bytes(1, &["a"], &[]);
        let bytes = encode_assignment(&[("a".to_owned(), vec![0, 2])], &sub);
        assert_eq!(protocol_version(&bytes), Some(1));
        let decoded = decode_assignment(&bytes).expect("decodes");
        assert_eq!(decoded.assigned_partitions.len(), 1);
        assert_eq!(decoded.assigned_partitions[0].partitions, vec![0, 2]);
    }

    #[test]
    fn subscription_decodes_topics_and_owned_partitions() {
        let bytes = subscription_bytes(3, &["a", "b"], &[("a", &[1])]);
        let sub = decode_subscription(&bytes).expect("decodes");
        assert_eq!(sub.topics.len(), 2);
        assert_eq!(sub.owned_partitions[0].partitions, vec![1]);
        assert!(decode_subscription(&[0xff, 0xff, 0]).is_none());
    }
}
