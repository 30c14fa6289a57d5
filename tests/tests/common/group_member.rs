//! Group members driven by librdkafka (the rdkafka crate) on their own threads, and the waits
//! and checks the group tests share: each member polls, commits every record synchronously and
//! records it only once the commit is durable.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use kafka_protocol::messages::{ListGroupsRequest, ListGroupsResponse};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::BaseRecord;
use rdkafka::Offset;
use strata_tests::StrataProcess;

use super::{flush_ok, producer};

/// Which rebalance protocol a group uses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Protocol {
    /// Classic protocol with the cooperative-sticky assignor.
    ClassicCooperativeSticky,
    /// KIP-848 consumer protocol.
    Consumer,
}

/// A node with group timings shortened so rebalances settle in test time.
pub(crate) fn node() -> Result<StrataProcess> {
    StrataProcess::builder()
        .with_override("group.initial.rebalance.delay.ms", "200")
        .with_override("group.consumer.min.heartbeat.interval.ms", "500")
        .with_override("group.consumer.heartbeat.interval.ms", "500")
        .with_override("group.consumer.min.session.timeout.ms", "6000")
        .with_override("group.consumer.session.timeout.ms", "10000")
        .start()
}

/// What one member saw: (partition, offset, value) of every record it processed.
pub(crate) type Seen = Arc<Mutex<Vec<(i32, i64, String)>>>;

/// One group member on its own thread: polls, records, commits each record synchronously.
pub(crate) struct Member {
    pub(crate) name: String,
    stop: Arc<AtomicBool>,
    assignment: Arc<Mutex<BTreeSet<i32>>>,
    thread: Option<JoinHandle<Result<()>>>,
}

impl Member {
    pub(crate) fn start(
        bootstrap: &str,
        group: &str,
        protocol: Protocol,
        name: &str,
        seen: Seen,
        topic: &str,
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
        consumer.subscribe(&[topic]).context("subscribing")?;
        let stop = Arc::new(AtomicBool::new(false));
        let assignment = Arc::new(Mutex::new(BTreeSet::new()));
        let thread = {
            let stop = Arc::clone(&stop);
            let assignment = Arc::clone(&assignment);
            let name = name.to_owned();
            let topic = topic.to_owned();
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
                                &topic,
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

    pub(crate) fn assignment(&self) -> BTreeSet<i32> {
        self.assignment.lock().expect("assignment lock").clone()
    }

    /// Stops polling and closes the consumer (it leaves the group).
    pub(crate) fn leave(mut self) -> Result<()> {
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

pub(crate) fn produce(
    node: &StrataProcess,
    topic: &str,
    partitions: i32,
    from: usize,
    to: usize,
) -> Result<()> {
    let producer = producer(&node.bootstrap(), &[])?;
    for i in from..to {
        let value = format!("record-{i}");
        let partition = (i % partitions as usize) as i32;
        producer
            .send(
                BaseRecord::<str, str>::to(topic)
                    .partition(partition)
                    .payload(&value),
            )
            .map_err(|(e, _)| e)?;
        producer.poll(Duration::ZERO);
    }
    flush_ok(&producer)
}

/// Waits until `count` records were processed in total.
pub(crate) fn wait_consumed(seen: &Seen, count: usize, timeout: Duration) -> Result<()> {
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
pub(crate) fn wait_exclusive_ownership(
    members: &[&Member],
    partitions: i32,
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
        if total == partitions as usize
            && union == (0..partitions).collect()
            && owned.values().all(|a| !a.is_empty())
        {
            return Ok(owned);
        }
        if Instant::now() >= deadline {
            bail!(
                "no exclusive ownership of {partitions} partitions within {timeout:?}: {owned:?}"
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The (type, state) ListGroups v5 reports for `group`.
pub(crate) fn listed_group(node: &StrataProcess, group: &str) -> Result<Option<(String, String)>> {
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
pub(crate) fn assert_each_record_once(seen: &Seen, produced: usize) {
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
