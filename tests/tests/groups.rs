//! Consumer groups through librdkafka (the rdkafka crate) against a real node: a classic group
//! (cooperative-sticky) and a KIP-848 consumer-protocol group, each with 3 members on a
//! 6-partition topic, a member leaving and one joining; committed offsets across kill -9.
//!
//! Every consumer commits synchronously after each record it processes, so across rebalances
//! no record may be lost or consumed twice, and at every stable point each partition has exactly
//! one owner.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use common::{flush_ok, producer};
use kafka_protocol::messages::{
    ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse, DescribeGroupsRequest,
    DescribeGroupsResponse, GroupId, ListGroupsRequest, ListGroupsResponse, MetadataRequest,
    MetadataResponse,
};
use kafka_protocol::protocol::StrBytes;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::BaseRecord;
use rdkafka::{Offset, TopicPartitionList};
use strata_tests::requests::create_topic_ok;
use strata_tests::StrataProcess;

const PARTITIONS: i32 = 6;
const TOPIC: &str = "group-orders";

/// Which rebalance protocol a group uses.
#[derive(Debug, Clone, Copy)]
enum Protocol {
    ClassicCooperativeSticky,
    Consumer,
}

/// A node with group timings shortened so rebalances settle in test time.
fn node() -> Result<StrataProcess> {
    StrataProcess::builder()
        .with_override("group.initial.rebalance.delay.ms", "200")
        .with_override("group.consumer.min.heartbeat.interval.ms", "500")
        .with_override("group.consumer.heartbeat.interval.ms", "500")
        .with_override("group.consumer.min.session.timeout.ms", "6000")
        .with_override("group.consumer.session.timeout.ms", "10000")
        .start()
}

/// What one member saw: (partition, offset, value) of every record it processed.
type Seen = Arc<Mutex<Vec<(i32, i64, String)>>>;

/// One group member on its own thread: polls, records, commits each record synchronously.
struct Member {
    name: String,
    stop: Arc<AtomicBool>,
    assignment: Arc<Mutex<BTreeSet<i32>>>,
    thread: Option<JoinHandle<Result<()>>>,
}

impl Member {
    fn start(
        bootstrap: &str,
        group: &str,
        protocol: Protocol,
        name: &str,
        seen: Seen,
    ) -> Result<Self> {
        let mut config = ClientConfig::new();
        config
            .set("bootstrap.servers", bootstrap)
            .set("group.id", group)
            .set("client.id", name)
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "earliest")
            .set("enable.partition.eof", "false");
        match protocol {
            Protocol::ClassicCooperativeSticky => {
                config
                    .set("group.protocol", "classic")
                    .set("partition.assignment.strategy", "cooperative-sticky")
                    .set("session.timeout.ms", "10000")
                    .set("heartbeat.interval.ms", "500");
            }
            Protocol::Consumer => {
                config.set("group.protocol", "consumer");
            }
        }
        let consumer: BaseConsumer = config.create().context("creating group consumer")?;
        consumer.subscribe(&[TOPIC]).context("subscribing")?;
        let stop = Arc::new(AtomicBool::new(false));
        let assignment = Arc::new(Mutex::new(BTreeSet::new()));
        let thread = {
            let stop = Arc::clone(&stop);
            let assignment = Arc::clone(&assignment);
            let name = name.to_owned();
            std::thread::spawn(move || -> Result<()> {
                while !stop.load(Ordering::Acquire) {
                    let polled = consumer.poll(Duration::from_millis(100));
                    if let Ok(current) = consumer.assignment() {
                        *assignment.lock().expect("assignment lock") =
                            current.elements().iter().map(|e| e.partition()).collect();
                    }
                    let Some(message) = polled else { continue };
                    let message = match message {
                        Ok(message) => message,
                        Err(error) => {
                            eprintln!("{name}: consumer error {error}");
                            continue;
                        }
                    };
                    let value =
                        String::from_utf8_lossy(message.payload().unwrap_or_default()).into_owned();
                    let (partition, offset) = (message.partition(), message.offset());
                    // Commit before recording: a record counts as consumed once its commit is durable.
                    match consumer.commit_message(&message, CommitMode::Sync) {
                        Ok(()) => seen
                            .lock()
                            .expect("seen lock")
                            .push((partition, offset, value)),
                        Err(error) => {
                            // Not committed, so not consumed: read it again (a rebalance refused
                            // the commit; if the partition moved, its new owner starts from the
                            // last committed offset instead and the seek fails harmlessly).
                            eprintln!("{name}: commit of {partition}@{offset} failed: {error}");
                            drop(message);
                            let _ = consumer.seek(
                                TOPIC,
                                partition,
                                Offset::Offset(offset),
                                Duration::from_secs(5),
                            );
                        }
                    }
                }
                consumer.unsubscribe();
                drop(consumer);
                Ok(())
            })
        };
        Ok(Self {
            name: name.to_owned(),
            stop,
            assignment,
            thread: Some(thread),
        })
    }

    fn assignment(&self) -> BTreeSet<i32> {
        self.assignment.lock().expect("assignment lock").clone()
    }

    /// Stops polling and closes the consumer (it leaves the group).
    fn leave(mut self) -> Result<()> {
        self.stop.store(true, Ordering::Release);
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| anyhow::anyhow!("{} panicked", self.name))?,
            None => Ok(()),
        }
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn produce(node: &StrataProcess, from: usize, to: usize) -> Result<()> {
    let producer = producer(&node.bootstrap(), &[])?;
    for i in from..to {
        let value = format!("record-{i}");
        let partition = (i % PARTITIONS as usize) as i32;
        producer
            .send(
                BaseRecord::<str, str>::to(TOPIC)
                    .partition(partition)
                    .payload(&value),
            )
            .map_err(|(e, _)| e)?;
        producer.poll(Duration::ZERO);
    }
    flush_ok(&producer)
}

/// Waits until `count` records were processed in total.
fn wait_consumed(seen: &Seen, count: usize, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let have = seen.lock().expect("seen lock").len();
        if have >= count {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!("only {have} of {count} records consumed within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits until the members' assignments are disjoint, every member owns something, and together
/// they own every partition exactly once.
fn wait_exclusive_ownership(
    members: &[&Member],
    timeout: Duration,
) -> Result<BTreeMap<String, BTreeSet<i32>>> {
    let deadline = Instant::now() + timeout;
    loop {
        let owned: BTreeMap<String, BTreeSet<i32>> = members
            .iter()
            .map(|m| (m.name.clone(), m.assignment()))
            .collect();
        let total: usize = owned.values().map(BTreeSet::len).sum();
        let union: BTreeSet<i32> = owned.values().flatten().copied().collect();
        if total == PARTITIONS as usize
            && union == (0..PARTITIONS).collect()
            && owned.values().all(|a| !a.is_empty())
        {
            return Ok(owned);
        }
        if Instant::now() >= deadline {
            bail!(
                "no exclusive ownership of {PARTITIONS} partitions within {timeout:?}: {owned:?}"
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The (type, state) ListGroups v5 reports for `group`.
fn listed_group(node: &StrataProcess, group: &str) -> Result<Option<(String, String)>> {
    let response: ListGroupsResponse = node.connect()?.send(&ListGroupsRequest::default(), 5)?;
    anyhow::ensure!(
        response.error_code == 0,
        "ListGroups error {}",
        response.error_code
    );
    Ok(response
        .groups
        .iter()
        .find(|g| g.group_id.as_str() == group)
        .map(|g| (g.group_type.to_string(), g.group_state.to_string())))
}

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

/// Every produced record exactly once.
fn assert_each_record_once(seen: &Seen, produced: usize) {
    let seen = seen.lock().expect("seen lock");
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, _, value) in seen.iter() {
        *counts.entry(value.as_str()).or_default() += 1;
    }
    let duplicates: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        duplicates.is_empty(),
        "records consumed twice: {duplicates:?}"
    );
    let missing: Vec<usize> = (0..produced)
        .filter(|i| !counts.contains_key(format!("record-{i}").as_str()))
        .collect();
    assert!(missing.is_empty(), "records never consumed: {missing:?}");
    assert_eq!(seen.len(), produced);
}

fn three_members_leave_and_join(protocol: Protocol) -> Result<()> {
    let node = node()?;
    create_topic_ok(&mut node.connect()?, TOPIC, PARTITIONS)?;
    let group = format!("group-{protocol:?}").to_lowercase();
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let settle = Duration::from_secs(60);

    produce(&node, 0, 300)?;
    let a = Member::start(&node.bootstrap(), &group, protocol, "a", Arc::clone(&seen))?;
    let b = Member::start(&node.bootstrap(), &group, protocol, "b", Arc::clone(&seen))?;
    let c = Member::start(&node.bootstrap(), &group, protocol, "c", Arc::clone(&seen))?;
    wait_exclusive_ownership(&[&a, &b, &c], settle)?;
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
    produce(&node, 300, 450)?;
    wait_exclusive_ownership(&[&a, &b], settle)?;
    wait_consumed(&seen, 450, settle)?;

    // One member joins: it gets a share without anyone consuming a record twice.
    let d = Member::start(&node.bootstrap(), &group, protocol, "d", Arc::clone(&seen))?;
    produce(&node, 450, 600)?;
    wait_exclusive_ownership(&[&a, &b, &d], settle)?;
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
    produce(&node, 0, 120)?;
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    for (group, protocol) in [
        ("durable-classic", Protocol::ClassicCooperativeSticky),
        ("durable-consumer", Protocol::Consumer),
    ] {
        let member = Member::start(&node.bootstrap(), group, protocol, group, Arc::clone(&seen))?;
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
