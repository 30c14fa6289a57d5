//! Consumer groups through librdkafka (the rdkafka crate) against a real node: a classic group
//! (cooperative-sticky) and a KIP-848 consumer-protocol group, each with 3 members on a
//! 6-partition topic, a member leaving and one joining; committed offsets across kill -9.
//!
//! Every consumer commits synchronously after each record it processes, so across rebalances
//! no record may be lost or consumed twice, and at every stable point each partition has exactly
//! one owner.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use common::group_member::{
    assert_each_record_once, listed_group, node, produce, wait_consumed, wait_exclusive_ownership,
    Member, Protocol, Seen,
};
use kafka_protocol::messages::{
    ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse, DescribeGroupsRequest,
    DescribeGroupsResponse, GroupId, ListGroupsRequest, ListGroupsResponse, MetadataRequest,
    MetadataResponse,
};
use kafka_protocol::protocol::StrBytes;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use strata_tests::requests::create_topic_ok;
use strata_tests::StrataProcess;

const PARTITIONS: i32 = 6;
const TOPIC: &str = "group-orders";

/// Members of `group` as DescribeGroups (classic) or ConsumerGroupDescribe (consumer) shows them.
fn described_member_count(node: &StrataProcess, group: &str, protocol: Protocol) -> Result<usize> {
    let id = GroupId(StrBytes::from_string(group.to_owned()));
    let (code, members) = match protocol {
        Protocol::ClassicCooperativeSticky => {
            let response: DescribeGroupsResponse = node
                .connect()?
                .send(&DescribeGroupsRequest::default().with_groups(vec![id]), 5)?;
            let described = response.groups.first().context("one group")?;
            (described.error_code, described.members.len())
        }
        Protocol::Consumer => {
            let response: ConsumerGroupDescribeResponse = node.connect()?.send(
                &ConsumerGroupDescribeRequest::default().with_group_ids(vec![id]),
                0,
            )?;
            let described = response.groups.first().context("one group")?;
            (described.error_code, described.members.len())
        }
    };
    anyhow::ensure!(code == 0, "describing {group}: error {code}");
    Ok(members)
}

fn three_members_leave_and_join(protocol: Protocol) -> Result<()> {
    let node = node()?;
    create_topic_ok(&mut node.connect()?, TOPIC, PARTITIONS)?;
    let group = format!("group-{protocol:?}").to_lowercase();
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let settle = Duration::from_secs(60);

    produce(&node, TOPIC, PARTITIONS, 0, 300)?;
    let a = Member::start(
        &node.bootstrap(),
        &group,
        protocol,
        "a",
        Arc::clone(&seen),
        TOPIC,
    )?;
    let b = Member::start(
        &node.bootstrap(),
        &group,
        protocol,
        "b",
        Arc::clone(&seen),
        TOPIC,
    )?;
    let c = Member::start(
        &node.bootstrap(),
        &group,
        protocol,
        "c",
        Arc::clone(&seen),
        TOPIC,
    )?;
    wait_exclusive_ownership(&[&a, &b, &c], PARTITIONS, settle)?;
    wait_consumed(&seen, 300, settle)?;
    let expected_type = match protocol {
        Protocol::ClassicCooperativeSticky => "classic",
        Protocol::Consumer => "consumer",
    };
    let (group_type, _) = listed_group(&node, &group)?.context("the group is listed")?;
    assert_eq!(group_type, expected_type);
    let filtered: ListGroupsResponse = node.connect()?.send(
        &ListGroupsRequest::default()
            .with_types_filter(vec![StrBytes::from_static_str(expected_type)]),
        5,
    )?;
    assert_eq!(
        filtered.groups.len(),
        1,
        "only this group has type {expected_type}"
    );
    assert_eq!(described_member_count(&node, &group, protocol)?, 3);

    // One member leaves: the other two take over its partitions.
    c.leave()?;
    produce(&node, TOPIC, PARTITIONS, 300, 450)?;
    wait_exclusive_ownership(&[&a, &b], PARTITIONS, settle)?;
    wait_consumed(&seen, 450, settle)?;

    // One member joins: it gets a share without anyone consuming a record twice.
    let d = Member::start(
        &node.bootstrap(),
        &group,
        protocol,
        "d",
        Arc::clone(&seen),
        TOPIC,
    )?;
    produce(&node, TOPIC, PARTITIONS, 450, 600)?;
    wait_exclusive_ownership(&[&a, &b, &d], PARTITIONS, settle)?;
    wait_consumed(&seen, 600, settle)?;
    // Let any late duplicate show up before judging.
    std::thread::sleep(Duration::from_secs(2));
    assert_each_record_once(&seen, 600);
    for member in [a, b, d] {
        member.leave()?;
    }
    Ok(())
}

#[test]
fn classic_cooperative_sticky_group_moves_partitions_without_losing_or_repeating_records(
) -> Result<()> {
    three_members_leave_and_join(Protocol::ClassicCooperativeSticky)
}

#[test]
fn consumer_protocol_group_moves_partitions_without_losing_or_repeating_records() -> Result<()> {
    three_members_leave_and_join(Protocol::Consumer)
}

fn committed(bootstrap: &str, group: &str) -> Result<BTreeMap<i32, Offset>> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()?;
    let mut list = TopicPartitionList::new();
    for partition in 0..PARTITIONS {
        list.add_partition(TOPIC, partition);
    }
    let committed = consumer.committed_offsets(list, Duration::from_secs(30))?;
    Ok(committed
        .elements()
        .iter()
        .map(|e| (e.partition(), e.offset()))
        .collect())
}

#[test]
fn committed_offsets_are_identical_after_kill_9_and_restart() -> Result<()> {
    let mut node = node()?;
    create_topic_ok(&mut node.connect()?, TOPIC, PARTITIONS)?;
    produce(&node, TOPIC, PARTITIONS, 0, 120)?;
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    for (group, protocol) in [
        ("durable-classic", Protocol::ClassicCooperativeSticky),
        ("durable-consumer", Protocol::Consumer),
    ] {
        let member = Member::start(
            &node.bootstrap(),
            group,
            protocol,
            group,
            Arc::clone(&seen),
            TOPIC,
        )?;
        wait_consumed(
            &seen,
            if group == "durable-classic" { 120 } else { 240 },
            Duration::from_secs(60),
        )?;
        member.leave()?;
    }
    let before: Vec<BTreeMap<i32, Offset>> = ["durable-classic", "durable-consumer"]
        .iter()
        .map(|g| committed(&node.bootstrap(), g))
        .collect::<Result<_>>()?;
    for offsets in &before {
        assert_eq!(
            offsets
                .values()
                .map(|o| o.to_raw().unwrap_or(-1))
                .sum::<i64>(),
            120,
            "{offsets:?}"
        );
    }
    // Metadata lists the offsets topic as internal (v1+ without a topic list means all topics).
    let metadata: MetadataResponse = node
        .connect()?
        .send(&MetadataRequest::default().with_topics(None), 12)?;
    let offsets_topic = metadata
        .topics
        .iter()
        .find(|t| {
            t.name
                .as_ref()
                .is_some_and(|n| n.as_str() == "__consumer_offsets")
        })
        .context("__consumer_offsets exists")?;
    assert!(offsets_topic.is_internal);
    node.kill()?;
    node.restart()?;
    let after: Vec<BTreeMap<i32, Offset>> = ["durable-classic", "durable-consumer"]
        .iter()
        .map(|g| committed(&node.bootstrap(), g))
        .collect::<Result<_>>()?;
    assert_eq!(before, after);
    Ok(())
}
