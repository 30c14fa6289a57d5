//! Online migration of a group through librdkafka (the rdkafka crate) against a real node: two
//! classic cooperative-sticky consumers form a classic group; a `group.protocol=consumer` member
//! joins the same group, which converts online to a consumer group with the classic members kept
//! in it (a mixed group); when that member leaves, the group converts back to a classic group.
//! Every consumer commits synchronously after each record, so no record may be lost or consumed
//! twice across the conversions.

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
    DescribeGroupsResponse, GroupId, ListGroupsRequest, ListGroupsResponse,
};
use kafka_protocol::protocol::StrBytes;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::BaseRecord;
use rdkafka::Offset;
use strata_tests::requests::create_topic_ok;
use strata_tests::StrataProcess;

const PARTITIONS: i32 = 6;
const TOPIC: &str = "migrating-orders";
const GROUP: &str = "migrating-group";

/// Which rebalance protocol a member uses.
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

    produce(&node, 0, 300)?;
    let a = Member::start(&node.bootstrap(), GROUP, classic, "a", Arc::clone(&seen))?;
    let b = Member::start(&node.bootstrap(), GROUP, classic, "b", Arc::clone(&seen))?;
    wait_exclusive_ownership(&[&a, &b], settle)?;
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
    )?;
    wait_group_type(&node, "consumer", settle)?;
    produce(&node, 300, 450)?;
    wait_exclusive_ownership(&[&a, &b, &c], settle)?;
    wait_consumed(&seen, 450, settle)?;
    assert_eq!(describe_consumer(&node)?, (0, 3));

    // The consumer-protocol member leaves: the group returns to classic with the two members.
    c.leave()?;
    wait_group_type(&node, "classic", settle)?;
    produce(&node, 450, 600)?;
    wait_exclusive_ownership(&[&a, &b], settle)?;
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
