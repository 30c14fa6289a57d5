//! librdkafka (through the rdkafka crate) against a real node: every compression codec,
//! timestamp lookups, and the idempotent producer.

mod common;

use std::time::Duration;

use anyhow::Result;
use common::{consume_all, consumer, flush_ok, producer};
use rdkafka::consumer::Consumer;
use rdkafka::producer::BaseRecord;
use rdkafka::{Offset, TopicPartitionList};
use strata_tests::requests::{create_topic_ok, decode_records, fetch};
use strata_tests::StrataProcess;

const RECORDS_PER_CODEC: usize = 2_000;

fn produce_and_read_back(node: &StrataProcess, codec: &str) -> Result<()> {
    let topic = format!("codec-{codec}");
    create_topic_ok(&mut node.connect()?, &topic, 1)?;
    let producer = producer(
        &node.bootstrap(),
        &[("compression.type", codec), ("batch.num.messages", "500")],
    )?;
    let expected: Vec<(String, String)> = (0..RECORDS_PER_CODEC)
        .map(|i| {
            (
                format!("key-{i}"),
                format!("{codec} value {i} {}", "x".repeat(i % 97)),
            )
        })
        .collect();
    for (key, value) in &expected {
        producer
            .send(BaseRecord::to(&topic).partition(0).key(key).payload(value))
            .map_err(|(e, _)| e)?;
        producer.poll(Duration::ZERO);
    }
    flush_ok(&producer)?;

    let consumed = consume_all(&node.bootstrap(), &topic, 1)?;
    assert_eq!(consumed.len(), expected.len(), "{codec}: record count");
    for (i, (record, (key, value))) in consumed.iter().zip(&expected).enumerate() {
        assert_eq!(
            record.offset, i as i64,
            "{codec}: offsets are contiguous from 0"
        );
        assert_eq!(record.key, key.as_bytes(), "{codec}: key at offset {i}");
        assert_eq!(
            record.value,
            value.as_bytes(),
            "{codec}: value at offset {i}"
        );
    }
    Ok(())
}

#[test]
fn gzip_snappy_lz4_and_zstd_batches_read_back_every_record_in_order() -> Result<()> {
    let node = StrataProcess::start()?;
    for codec in ["gzip", "snappy", "lz4", "zstd"] {
        produce_and_read_back(&node, codec)?;
    }
    Ok(())
}

#[test]
fn offsets_for_times_returns_first_offset_at_or_after_the_timestamp() -> Result<()> {
    let node = StrataProcess::start()?;
    create_topic_ok(&mut node.connect()?, "times", 1)?;
    let producer = producer(&node.bootstrap(), &[("linger.ms", "0")])?;
    let base_ts = strata_tests::requests::recent_timestamp_ms();
    for i in 0..50i64 {
        let value = format!("v{i}");
        producer
            .send(
                BaseRecord::<str, str>::to("times")
                    .partition(0)
                    .payload(&value)
                    .timestamp(base_ts + i * 1_000),
            )
            .map_err(|(e, _)| e)?;
        producer.poll(Duration::ZERO);
    }
    flush_ok(&producer)?;

    let consumer = consumer(&node.bootstrap())?;
    let lookup = |ts: i64| -> Result<Offset> {
        let mut query = TopicPartitionList::new();
        query.add_partition_offset("times", 0, Offset::Offset(ts))?;
        let answer = consumer.offsets_for_times(query, Duration::from_secs(30))?;
        let element = answer
            .find_partition("times", 0)
            .expect("answer has the partition");
        element.error()?;
        Ok(element.offset())
    };
    assert_eq!(lookup(base_ts)?, Offset::Offset(0));
    assert_eq!(lookup(base_ts + 10_000)?, Offset::Offset(10));
    assert_eq!(
        lookup(base_ts + 10_500)?,
        Offset::Offset(11),
        "between records"
    );
    assert_eq!(lookup(base_ts - 5)?, Offset::Offset(0), "before the first");
    assert_eq!(lookup(base_ts + 49_000)?, Offset::Offset(49));
    assert_eq!(
        lookup(base_ts + 50_000)?,
        Offset::End,
        "after the last: none"
    );
    Ok(())
}

#[test]
fn idempotent_producer_writes_every_record_once_in_order_with_a_producer_id() -> Result<()> {
    let node = StrataProcess::start()?;
    create_topic_ok(&mut node.connect()?, "idem", 1)?;
    let producer = producer(
        &node.bootstrap(),
        &[("enable.idempotence", "true"), ("acks", "all")],
    )?;
    for i in 0..3_000 {
        let key = format!("{i}");
        producer
            .send(BaseRecord::to("idem").partition(0).key(&key).payload(&key))
            .map_err(|(e, _)| e)?;
        producer.poll(Duration::ZERO);
    }
    flush_ok(&producer)?;

    let consumed = consume_all(&node.bootstrap(), "idem", 1)?;
    let keys: Vec<String> = consumed
        .iter()
        .map(|c| String::from_utf8_lossy(&c.key).into_owned())
        .collect();
    let expected: Vec<String> = (0..3_000).map(|i| i.to_string()).collect();
    assert_eq!(keys, expected);

    // The batches on the wire carry the producer id and sequences the broker accepted.
    let data = fetch(&mut node.connect()?, "idem", 0, 0, 1024 * 1024)?;
    let records = decode_records(data.records.unwrap_or_default())?;
    assert!(!records.is_empty());
    assert!(records.iter().all(|r| r.producer_id >= 0));
    assert_eq!(
        records[0].sequence, 0,
        "the first batch starts at sequence 0"
    );
    Ok(())
}
