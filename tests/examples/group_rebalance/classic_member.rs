//! A simulated classic (eager) consumer: JoinGroup with the member-id-required retry (KIP-394),
//! SyncGroup (the leader computes a range assignment), then Heartbeat at a fixed interval until
//! the coordinator answers REBALANCE_IN_PROGRESS, when it revokes everything and rejoins.
//!
//! Subscriptions and assignments are encoded in Kafka's consumer embedded protocol
//! (`ConsumerProtocolSubscription` / `ConsumerProtocolAssignment`, version 0), as the Java client
//! sends them, so the bytes the coordinator stores and relays are realistic.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::consumer_protocol_assignment::TopicPartition;
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::join_group_response::JoinGroupResponseMember;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::{
    ConsumerProtocolAssignment, ConsumerProtocolSubscription, GroupId, HeartbeatRequest,
    JoinGroupRequest, LeaveGroupRequest, SyncGroupRequest, TopicName,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};
use kafka_protocol::ResponseError;

use crate::conn::Conn;
use crate::group_view::GroupView;

/// Versions the members speak (the newest the broker registers; Kafka 4 clients use them).
const JOIN_GROUP_VERSION: i16 = 9;
const SYNC_GROUP_VERSION: i16 = 5;
/// Heartbeat version of the members and of the load phase.
pub(crate) const HEARTBEAT_VERSION: i16 = 4;
const LEAVE_GROUP_VERSION: i16 = 5;

/// Version of the embedded consumer protocol messages.
const EMBEDDED_PROTOCOL_VERSION: i16 = 0;

/// Session and rebalance timeouts sent on join (the Java client's defaults).
const SESSION_TIMEOUT_MS: i32 = 45_000;
const REBALANCE_TIMEOUT_MS: i32 = 300_000;

/// The only protocol the members offer.
const PROTOCOL_NAME: &str = "range";
const PROTOCOL_TYPE: &str = "consumer";

/// What every member of one simulated classic group shares.
pub(crate) struct ClassicGroupSpec {
    /// The group id.
    pub(crate) group: String,
    /// The one topic every member subscribes to.
    pub(crate) topic: String,
    /// Partitions of `topic`.
    pub(crate) partitions: i32,
    /// Client-side heartbeat interval.
    pub(crate) heartbeat_interval: Duration,
}

/// A classic member's identity once it has joined: what the load phase and leave need.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClassicIdentity {
    /// Member id the coordinator gave.
    pub(crate) member_id: String,
    /// Generation of the member's last successful SyncGroup.
    pub(crate) generation: i32,
}

/// Runs member `index` until aborted. `identity` is kept current for the driver.
pub(crate) async fn run_member(
    mut conn: Conn,
    index: usize,
    spec: Arc<ClassicGroupSpec>,
    view: Arc<GroupView>,
    identity: Arc<std::sync::Mutex<Vec<ClassicIdentity>>>,
) -> Result<()> {
    let subscription = encode_subscription(&spec.topic)?;
    let mut member_id = String::new();
    let mut owned = BTreeSet::new();
    loop {
        // Eager protocol: everything is revoked before rejoining.
        owned.clear();
        let join = conn
            .send(
                &JoinGroupRequest::default()
                    .with_group_id(group_id(&spec.group))
                    .with_session_timeout_ms(SESSION_TIMEOUT_MS)
                    .with_rebalance_timeout_ms(REBALANCE_TIMEOUT_MS)
                    .with_member_id(StrBytes::from_string(member_id.clone()))
                    .with_protocol_type(StrBytes::from_static_str(PROTOCOL_TYPE))
                    .with_protocols(vec![JoinGroupRequestProtocol::default()
                        .with_name(StrBytes::from_static_str(PROTOCOL_NAME))
                        .with_metadata(subscription.clone())]),
                JOIN_GROUP_VERSION,
            )
            .await?;
        let code = join.error_code;
        if code == ResponseError::MemberIdRequired.code() {
            member_id = join.member_id.to_string();
            continue;
        }
        if code == ResponseError::UnknownMemberId.code() {
            member_id.clear();
            continue;
        }
        if code != 0 {
            bail!("member {index}: JoinGroup error {code}");
        }
        member_id = join.member_id.to_string();
        let generation = join.generation_id;
        let assignments = if join.leader.as_str() == member_id {
            range_assignment(&join.members, &spec.topic, spec.partitions)?
        } else {
            Vec::new()
        };
        let sync = conn
            .send(
                &SyncGroupRequest::default()
                    .with_group_id(group_id(&spec.group))
                    .with_generation_id(generation)
                    .with_member_id(StrBytes::from_string(member_id.clone()))
                    .with_protocol_type(Some(StrBytes::from_static_str(PROTOCOL_TYPE)))
                    .with_protocol_name(Some(StrBytes::from_static_str(PROTOCOL_NAME)))
                    .with_assignments(assignments),
                SYNC_GROUP_VERSION,
            )
            .await?;
        let code = sync.error_code;
        if code == ResponseError::UnknownMemberId.code() {
            member_id.clear();
            continue;
        }
        if code == ResponseError::RebalanceInProgress.code()
            || code == ResponseError::IllegalGeneration.code()
        {
            continue;
        }
        if code != 0 {
            bail!("member {index}: SyncGroup error {code}");
        }
        owned = decode_assignment(sync.assignment)?;
        identity.lock().expect("identity lock")[index] = ClassicIdentity {
            member_id: member_id.clone(),
            generation,
        };
        view.publish(index, generation, &owned, true);
        loop {
            tokio::time::sleep(spec.heartbeat_interval).await;
            let beat = conn
                .send(
                    &heartbeat(&spec.group, &member_id, generation),
                    HEARTBEAT_VERSION,
                )
                .await?;
            match beat.error_code {
                0 => {}
                code if code == ResponseError::RebalanceInProgress.code()
                    || code == ResponseError::IllegalGeneration.code() =>
                {
                    break
                }
                code if code == ResponseError::UnknownMemberId.code() => {
                    member_id.clear();
                    break;
                }
                code => bail!("member {index}: Heartbeat error {code}"),
            }
        }
        view.publish(index, generation, &BTreeSet::new(), false);
    }
}

/// The Heartbeat a member in generation `generation` sends.
pub(crate) fn heartbeat(group: &str, member_id: &str, generation: i32) -> HeartbeatRequest {
    HeartbeatRequest::default()
        .with_group_id(group_id(group))
        .with_generation_id(generation)
        .with_member_id(StrBytes::from_string(member_id.to_owned()))
}

/// Makes `member_id` leave with LeaveGroup v5 (batched form, one member), as a closing client does.
pub(crate) async fn leave(conn: &mut Conn, group: &str, member_id: &str) -> Result<()> {
    let response = conn
        .send(
            &LeaveGroupRequest::default()
                .with_group_id(group_id(group))
                .with_members(vec![MemberIdentity::default()
                    .with_member_id(StrBytes::from_string(member_id.to_owned()))
                    .with_reason(Some(StrBytes::from_static_str("bench: member leaves")))]),
            LEAVE_GROUP_VERSION,
        )
        .await?;
    let member_code = response.members.first().map_or(0, |m| m.error_code);
    if response.error_code != 0 || member_code != 0 {
        bail!(
            "LeaveGroup: error {} (member {member_code})",
            response.error_code
        );
    }
    Ok(())
}

fn group_id(group: &str) -> GroupId {
    GroupId(StrBytes::from_string(group.to_owned()))
}

fn encode_subscription(topic: &str) -> Result<Bytes> {
    let mut buf = BytesMut::new();
    buf.put_i16(EMBEDDED_PROTOCOL_VERSION);
    ConsumerProtocolSubscription::default()
        .with_topics(vec![StrBytes::from_string(topic.to_owned())])
        .encode(&mut buf, EMBEDDED_PROTOCOL_VERSION)
        .context("encoding subscription")?;
    Ok(buf.freeze())
}

/// Kafka's RangeAssignor for one topic: members sorted by id, each gets a contiguous range,
/// the first `partitions % members` one partition more.
fn range_assignment(
    members: &[JoinGroupResponseMember],
    topic: &str,
    partitions: i32,
) -> Result<Vec<SyncGroupRequestAssignment>> {
    let mut ids: Vec<&StrBytes> = members.iter().map(|m| &m.member_id).collect();
    ids.sort();
    let count = i32::try_from(ids.len()).context("member count")?;
    if count == 0 {
        bail!("leader got an empty member list");
    }
    let (per_member, extra) = (partitions / count, partitions % count);
    let mut next = 0;
    let mut out = Vec::with_capacity(ids.len());
    for (n, id) in (0..count).zip(ids) {
        let take = per_member + i32::from(n < extra);
        let mut buf = BytesMut::new();
        buf.put_i16(EMBEDDED_PROTOCOL_VERSION);
        ConsumerProtocolAssignment::default()
            .with_assigned_partitions(vec![TopicPartition::default()
                .with_topic(TopicName(StrBytes::from_string(topic.to_owned())))
                .with_partitions((next..next + take).collect())])
            .encode(&mut buf, EMBEDDED_PROTOCOL_VERSION)
            .context("encoding assignment")?;
        next += take;
        out.push(
            SyncGroupRequestAssignment::default()
                .with_member_id(id.clone())
                .with_assignment(buf.freeze()),
        );
    }
    Ok(out)
}

fn decode_assignment(mut bytes: Bytes) -> Result<BTreeSet<i32>> {
    if bytes.remaining() < 2 {
        bail!("SyncGroup assignment of {} bytes", bytes.remaining());
    }
    let version = bytes.get_i16();
    let assignment = ConsumerProtocolAssignment::decode(&mut bytes, version)
        .map_err(|e| anyhow!("decoding assignment v{version}: {e}"))?;
    Ok(assignment
        .assigned_partitions
        .into_iter()
        .flat_map(|t| t.partitions)
        .collect())
}
