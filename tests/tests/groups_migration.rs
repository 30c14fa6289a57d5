//! Online migration of a group through librdkafka (the rdkafka crate) against a real node: two
//! classic cooperative-sticky consumers form a classic group; a `group.protocol=consumer` member
//! joins the same group, which converts online to a consumer group with the classic members kept
//! in it (a mixed group); when that member leaves, the group converts back to a classic group.
//! Every consumer commits synchronously after each record, so no record may be lost or consumed
//! twice across the conversions.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use common::group_member::{
    assert_each_record_once, listed_group, node, produce, wait_consumed, wait_exclusive_ownership,
    Member, Protocol, Seen,
};
use kafka_protocol::messages::{
    ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse, DescribeGroupsRequest,
    DescribeGroupsResponse, GroupId,
};
use kafka_protocol::protocol::StrBytes;
use strata_tests::requests::create_topic_ok;
use strata_tests::StrataProcess;

const PARTITIONS: i32 = 6;
const TOPIC: &str = "migrating-orders";
const GROUP: &str = "migrating-group";

/// Waits until ListGroups shows the group with `group_type`.
fn wait_group_type(node: &StrataProcess, group_type: &str, timeout: Duration) -> Result<String> {
    let deadline = Instant::now() + timeout;
    loop {
        let listed = listed_group(node, GROUP)?;
        if let Some((t, state)) = &listed {
            if t == group_type {
                return Ok(state.clone());
            }
        }
        if Instant::now() >= deadline {
            bail!("group {GROUP} is not a {group_type} group within {timeout:?}: {listed:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// DescribeGroups (classic view): error code, protocol type, member count.
fn describe_classic(node: &StrataProcess) -> Result<(i16, String, usize)> {
    let id = GroupId(StrBytes::from_static_str(GROUP));
    let response: DescribeGroupsResponse = node
        .connect()?
        .send(&DescribeGroupsRequest::default().with_groups(vec![id]), 5)?;
    let described = response.groups.first().context("one group")?;
    Ok((
        described.error_code,
        described.protocol_type.to_string(),
        described.members.len(),
    ))
}

/// ConsumerGroupDescribe: error code, member count.
fn describe_consumer(node: &StrataProcess) -> Result<(i16, usize)> {
    let id = GroupId(StrBytes::from_static_str(GROUP));
    let response: ConsumerGroupDescribeResponse = node.connect()?.send(
        &ConsumerGroupDescribeRequest::default().with_group_ids(vec![id]),
        0,
    )?;
    let described = response.groups.first().context("one group")?;
    Ok((described.error_code, described.members.len()))
}

#[test]
fn classic_group_upgrades_when_a_consumer_protocol_member_joins_and_downgrades_when_it_leaves(
) -> Result<()> {
    let node = node()?;
    create_topic_ok(&mut node.connect()?, TOPIC, PARTITIONS)?;
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let settle = Duration::from_secs(60);
    let classic = Protocol::ClassicCooperativeSticky;

    produce(&node, TOPIC, PARTITIONS, 0, 300)?;
    let a = Member::start(
        &node.bootstrap(),
        GROUP,
        classic,
        "a",
        Arc::clone(&seen),
        TOPIC,
    )?;
    let b = Member::start(
        &node.bootstrap(),
        GROUP,
        classic,
        "b",
        Arc::clone(&seen),
        TOPIC,
    )?;
    wait_exclusive_ownership(&[&a, &b], PARTITIONS, settle)?;
    wait_consumed(&seen, 300, settle)?;
    wait_group_type(&node, "classic", settle)?;

    // A consumer-protocol member joins: the group becomes a consumer group with the two classic
    // members in it, and the partitions are spread over all three.
    let c = Member::start(
        &node.bootstrap(),
        GROUP,
        Protocol::Consumer,
        "c",
        Arc::clone(&seen),
        TOPIC,
    )?;
    wait_group_type(&node, "consumer", settle)?;
    produce(&node, TOPIC, PARTITIONS, 300, 450)?;
    wait_exclusive_ownership(&[&a, &b, &c], PARTITIONS, settle)?;
    wait_consumed(&seen, 450, settle)?;
    assert_eq!(describe_consumer(&node)?, (0, 3));

    // The consumer-protocol member leaves: the group returns to classic with the two members.
    c.leave()?;
    wait_group_type(&node, "classic", settle)?;
    produce(&node, TOPIC, PARTITIONS, 450, 600)?;
    wait_exclusive_ownership(&[&a, &b], PARTITIONS, settle)?;
    wait_consumed(&seen, 600, settle)?;
    let (code, protocol_type, members) = describe_classic(&node)?;
    assert_eq!((code, protocol_type.as_str(), members), (0, "consumer", 2));
    assert_ne!(describe_consumer(&node)?.0, 0, "no longer a consumer group");
    std::thread::sleep(Duration::from_secs(2));
    assert_each_record_once(&seen, 600);
    for member in [a, b] {
        member.leave()?;
    }
    Ok(())
}
