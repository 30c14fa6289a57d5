//! librdkafka helpers shared by the test files that drive real clients.
#![allow(dead_code, unreachable_pub)]

pub mod group_member;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{DeliveryResult, Message};
use rdkafka::producer::{BaseProducer, Producer, ProducerContext};
use rdkafka::{ClientContext, Offset, TopicPartitionList};

/// One record as a consumer saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumed {
    pub partition: i32,
    pub offset: i64,
    pub timestamp: Option<i64>,
    pub key: Vec<u8>,
    pub value: Vec<u8>,
}

/// A producer context that records which keys the broker acknowledged (delivery report
/// without error) and which failed, so a test can compare "acknowledged" with "readable".
#[derive(Default)]
pub struct RecordingContext {
    pub acked: Mutex<Vec<(Vec<u8>, i32, i64)>>,
    pub failed: Mutex<Vec<(Vec<u8>, String)>>,
}

impl ClientContext for RecordingContext {}

impl ProducerContext for RecordingContext {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _opaque: ()) {
        match result {
            Ok(message) => {
                let key = message.key().unwrap_or_default().to_vec();
                self.acked.lock().expect("delivery lock").push((
                    key,
                    message.partition(),
                    message.offset(),
                ));
            }
            Err((error, message)) => {
                let key = message.key().unwrap_or_default().to_vec();
                self.failed
                    .lock()
                    .expect("delivery lock")
                    .push((key, error.to_string()));
            }
        }
    }
}

/// A librdkafka producer for `bootstrap` with `extra` settings on top of quick test defaults.
pub fn producer(bootstrap: &str, extra: &[(&str, &str)]) -> Result<BaseProducer<RecordingContext>> {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "5")
        .set("message.timeout.ms", "30000");
    for (k, v) in extra {
        config.set(*k, *v);
    }
    config
        .create_with_context(RecordingContext::default())
        .context("creating librdkafka producer")
}

/// Flushes and fails if any delivery failed.
pub fn flush_ok(producer: &BaseProducer<RecordingContext>) -> Result<()> {
    producer
        .flush(Duration::from_secs(60))
        .context("flushing producer")?;
    let failed = producer.context().failed.lock().expect("lock").clone();
    if !failed.is_empty() {
        bail!("{} deliveries failed, first: {:?}", failed.len(), failed[0]);
    }
    Ok(())
}

/// An assign-only librdkafka consumer. librdkafka's assign() needs a group.id to exist, but
/// with assign() and auto-commit off it never joins the group or commits.
pub fn consumer(bootstrap: &str) -> Result<BaseConsumer> {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "strata-tests-assign-only")
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "false")
        .create()
        .context("creating librdkafka consumer")
}

/// Reads partitions `0..partitions` of `topic` from the beginning up to their high
/// watermarks (as of the call), via assign().
pub fn consume_all(bootstrap: &str, topic: &str, partitions: i32) -> Result<Vec<Consumed>> {
    let consumer = consumer(bootstrap)?;
    let mut ends = BTreeMap::new();
    let mut assignment = TopicPartitionList::new();
    for partition in 0..partitions {
        let (_, high) = consumer
            .fetch_watermarks(topic, partition, Duration::from_secs(30))
            .with_context(|| format!("watermarks of {topic}-{partition}"))?;
        ends.insert(partition, high);
        assignment.add_partition_offset(topic, partition, Offset::Beginning)?;
    }
    consumer.assign(&assignment)?;
    let mut next: BTreeMap<i32, i64> = (0..partitions).map(|p| (p, 0)).collect();
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while next.iter().any(|(p, o)| *o < ends[p]) {
        if Instant::now() >= deadline {
            bail!("consuming {topic} timed out: positions {next:?}, ends {ends:?}");
        }
        let Some(message) = consumer.poll(Duration::from_millis(500)) else {
            continue;
        };
        let message = message.context("consumer error")?;
        next.insert(message.partition(), message.offset() + 1);
        out.push(Consumed {
            partition: message.partition(),
            offset: message.offset(),
            timestamp: message.timestamp().to_millis(),
            key: message.key().unwrap_or_default().to_vec(),
            value: message.payload().unwrap_or_default().to_vec(),
        });
    }
    Ok(out)
}
