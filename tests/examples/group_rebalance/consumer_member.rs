//! A simulated KIP-848 consumer: ConsumerGroupHeartbeat v1 at the interval the coordinator
//! gives, reconciling like a real client (revoke, then report what it owns right away).
//!
//! The member joins with epoch 0, its own member id (v1 requires a client-generated id), the
//! subscribed topic and an empty owned list. After each answer it adopts the assignment it was
//! given; when that changes what it owns it heartbeats again at once with the new owned list (the
//! Java client's acknowledgement after reconciling), otherwise it sleeps the heartbeat interval.
//! Steady-state heartbeats carry only the group, member id and epoch, as real clients send them.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Result};
use kafka_protocol::messages::consumer_group_heartbeat_request::TopicPartitions;
use kafka_protocol::messages::{ConsumerGroupHeartbeatRequest, GroupId, TopicName};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use uuid::Uuid;

use crate::conn::Conn;
use crate::group_view::GroupView;

/// ConsumerGroupHeartbeat version the members speak (Kafka 4 clients).
pub(crate) const HEARTBEAT_VERSION: i16 = 1;

/// Epoch a member sends to leave the group.
const LEAVE_EPOCH: i32 = -1;

/// Rebalance timeout sent on join (Java's `max.poll.interval.ms` default).
const REBALANCE_TIMEOUT_MS: i32 = 300_000;

/// The heartbeat interval the coordinator last gave any member (for the report).
static SERVER_HEARTBEAT_INTERVAL_MS: AtomicI32 = AtomicI32::new(0);

/// The heartbeat interval the coordinator gave the members, in ms (0 before any answer).
pub(crate) fn server_heartbeat_interval_ms() -> i32 {
    SERVER_HEARTBEAT_INTERVAL_MS.load(Ordering::Relaxed)
}

/// What every member of one simulated group shares.
pub(crate) struct ConsumerGroupSpec {
    /// The group id.
    pub(crate) group: String,
    /// The one topic every member subscribes to.
    pub(crate) topic: String,
}

/// The identity of a member, known before it joins.
#[derive(Debug, Clone)]
pub(crate) struct ConsumerMemberId {
    /// Client-generated member id.
    pub(crate) member_id: String,
}

impl ConsumerMemberId {
    /// A fresh id, as a KIP-1082 client generates one.
    pub(crate) fn generate() -> Self {
        Self {
            member_id: Uuid::new_v4().to_string(),
        }
    }
}

/// Runs member `index` until aborted: join, heartbeat, reconcile. Fails on an error code a
/// real client would not survive; rejoins (epoch 0) after FENCED_MEMBER_EPOCH or
/// UNKNOWN_MEMBER_ID, as a real client does.
pub(crate) async fn run_member(
    mut conn: Conn,
    index: usize,
    id: ConsumerMemberId,
    spec: Arc<ConsumerGroupSpec>,
    view: Arc<GroupView>,
) -> Result<()> {
    let mut epoch = 0;
    let mut owned: BTreeSet<i32> = BTreeSet::new();
    let mut reported: Option<BTreeSet<i32>> = None;
    let mut topic_id = Uuid::nil();
    let mut interval = Duration::from_millis(100);
    loop {
        let mut request = ConsumerGroupHeartbeatRequest::default()
            .with_group_id(GroupId(StrBytes::from_string(spec.group.clone())))
            .with_member_id(StrBytes::from_string(id.member_id.clone()))
            .with_member_epoch(epoch);
        if epoch == 0 {
            owned.clear();
            request = request
                .with_rebalance_timeout_ms(REBALANCE_TIMEOUT_MS)
                .with_subscribed_topic_names(Some(vec![TopicName(StrBytes::from_string(
                    spec.topic.clone(),
                ))]))
                .with_topic_partitions(Some(Vec::new()));
            reported = Some(BTreeSet::new());
        } else if reported.as_ref() != Some(&owned) {
            request = request.with_topic_partitions(Some(vec![TopicPartitions::default()
                .with_topic_id(topic_id)
                .with_partitions(owned.iter().copied().collect())]));
            reported = Some(owned.clone());
        }
        let response = conn.send(&request, HEARTBEAT_VERSION).await?;
        let code = response.error_code;
        if code == ResponseError::FencedMemberEpoch.code()
            || code == ResponseError::UnknownMemberId.code()
        {
            epoch = 0;
            owned.clear();
            view.publish(index, epoch, &owned, false);
            continue;
        }
        if code != 0 {
            bail!(
                "member {index}: ConsumerGroupHeartbeat error {code} {:?}",
                response.error_message
            );
        }
        epoch = response.member_epoch;
        if response.heartbeat_interval_ms > 0 {
            SERVER_HEARTBEAT_INTERVAL_MS.store(response.heartbeat_interval_ms, Ordering::Relaxed);
            interval = Duration::from_millis(u64::try_from(response.heartbeat_interval_ms)?);
        }
        if let Some(assignment) = response.assignment {
            let mut assigned = BTreeSet::new();
            for topic in assignment.topic_partitions {
                topic_id = topic.topic_id;
                assigned.extend(topic.partitions);
            }
            // Revoke what is gone, then take what is new: both are immediate here (no
            // application callbacks), and the next heartbeat reports the result.
            owned = assigned;
        }
        let settled = reported.as_ref() == Some(&owned);
        view.publish(index, epoch, &owned, settled);
        if !settled {
            continue;
        }
        tokio::time::sleep(interval).await;
    }
}

/// Makes member `id` leave on connection `conn` (epoch -1), as a closing client does.
pub(crate) async fn leave(
    conn: &mut Conn,
    spec: &ConsumerGroupSpec,
    id: &ConsumerMemberId,
) -> Result<()> {
    let request = ConsumerGroupHeartbeatRequest::default()
        .with_group_id(GroupId(StrBytes::from_string(spec.group.clone())))
        .with_member_id(StrBytes::from_string(id.member_id.clone()))
        .with_member_epoch(LEAVE_EPOCH);
    let response = conn.send(&request, HEARTBEAT_VERSION).await?;
    if response.error_code != 0 {
        bail!("leave heartbeat: error {}", response.error_code);
    }
    Ok(())
}

/// The heartbeat a settled member sends between rebalances.
pub(crate) fn steady_heartbeat(
    spec: &ConsumerGroupSpec,
    id: &ConsumerMemberId,
    epoch: i32,
) -> ConsumerGroupHeartbeatRequest {
    ConsumerGroupHeartbeatRequest::default()
        .with_group_id(GroupId(StrBytes::from_string(spec.group.clone())))
        .with_member_id(StrBytes::from_string(id.member_id.clone()))
        .with_member_epoch(epoch)
}
