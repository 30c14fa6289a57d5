//! Tiered storage against the default local-directory store (`file://<log.dir>/remote-storage`,
//! no extra broker config): closed segments are uploaded, local retention deletes only what is
//! uploaded, clients read the tiered range through Fetch from offset 0, ListOffsets knows the
//! tiers, DeleteRecords / retention / topic deletion remove remote data, and a node whose
//! partition directories were wiped serves the tiered range again after a restart.

mod tiered_support;

use std::time::Duration;

use anyhow::{bail, Result};
use kafka_protocol::messages::delete_records_request::{
    DeleteRecordsPartition, DeleteRecordsTopic,
};
use kafka_protocol::messages::delete_topics_request::DeleteTopicState;
use kafka_protocol::messages::{DeleteRecordsRequest, DeleteTopicsRequest};
use strata_tests::requests::{decode_records, error_code, fetch, fetch_all, topic_name};
use strata_tests::StrataProcess;
use tiered_support::*;

/// Segment size of the test topics: many small segments.
const SEGMENT_BYTES: &str = "1048576";
/// Records (1 KiB each) produced to the main topic: ≈ 48 MiB.
const RECORDS: u64 = 48 * 1024;

fn tiered_node() -> Result<StrataProcess> {
    StrataProcess::builder()
        .with_override("remote.log.manager.task.interval.ms", "300")
        .with_override("log.retention.check.interval.ms", "300")
        .start()
}

fn tiered_configs(local_retention_ms: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("remote.storage.enable", "true"),
        ("segment.bytes", SEGMENT_BYTES),
        ("local.retention.ms", local_retention_ms),
        ("retention.ms", "-1"),
    ]
}

fn remote_dir(node: &StrataProcess) -> std::path::PathBuf {
    node.data_dir().join("remote-storage")
}

/// Remote segment objects of `topic`-0 in the directory store.
fn remote_segments(node: &StrataProcess, topic: &str) -> Vec<std::path::PathBuf> {
    let prefix = format!("{topic}-0-");
    std::fs::read_dir(remote_dir(node))
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
                .flat_map(|e| log_files(&e.path()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn tiered_range_is_served_from_the_directory_store_and_removed_with_the_data() -> Result<()> {
    let node = tiered_node()?;
    let mut client = node.connect()?;
    let topic = "tiered";
    create_tiered_topic(&mut client, topic, &tiered_configs("1000"))?;
    let ts_base = timestamp_base();
    let mut probe = node.connect()?;
    produce_records(&mut client, topic, 0, RECORDS, ts_base, |done| {
        if done % (RECORDS_PER_BATCH as u64 * 32) == 0 {
            check_local_deleted_only_after_upload(&mut probe, topic)?;
        }
        Ok(())
    })?;

    // Everything but the active segment ends up in the bucket, and off the local disk.
    let (start, local_start, tiered) = wait_for_tier(
        &mut client,
        topic,
        Duration::from_secs(90),
        "local log start moves past most of the log",
        |(_, local, tiered)| tiered >= 0 && local as u64 > RECORDS * 8 / 10 && local == tiered + 1,
    )?;
    eprintln!("tiered: log start {start}, local start {local_start}, tiered {tiered}");
    assert_eq!(start, 0, "nothing expired: retention.ms=-1");
    let local_bases = local_segment_bases(node.data_dir(), topic);
    assert!(
        local_bases.iter().all(|b| *b >= local_start),
        "local segments {local_bases:?} below the local log start {local_start}"
    );
    let uploaded = remote_segments(&node, topic);
    assert!(
        uploaded.len() >= 30,
        "{} segment objects in the store",
        uploaded.len()
    );

    // ListOffsets: earliest = remote log start, earliest-local, latest-tiered, by timestamp.
    assert_eq!(offset_for(&mut client, topic, EARLIEST)?.0, 0);
    assert_eq!(
        offset_for(&mut client, topic, EARLIEST_LOCAL)?.0,
        local_start
    );
    assert_eq!(offset_for(&mut client, topic, LATEST_TIERED)?.0, tiered);
    for target in [
        0u64,
        777,
        RECORDS / 3,
        local_start as u64 - 1,
        local_start as u64 + 5,
    ] {
        let (offset, timestamp) = offset_for(&mut client, topic, ts_base + target as i64)?;
        assert_eq!(
            (offset, timestamp),
            (target as i64, ts_base + target as i64),
            "timestamp lookup of record {target}"
        );
    }

    // A fetch in the middle of a remote batch gets the whole batch containing the offset.
    let inside = RECORDS_PER_BATCH as i64 * 10 + 17;
    let data = fetch(&mut client, topic, 0, inside, 1 << 20)?;
    assert_eq!(data.error_code, error_code::NONE);
    let records = decode_records(data.records.unwrap_or_default())?;
    assert_eq!(
        records.first().map(|r| r.offset),
        Some(RECORDS_PER_BATCH as i64 * 10)
    );
    assert!(
        records.len() >= RECORDS_PER_BATCH,
        "{} records",
        records.len()
    );
    for record in &records {
        check_value(
            record.offset as u64,
            record.value.as_deref().unwrap_or_default(),
        )?;
    }

    // librdkafka reads everything from offset 0, in order, with matching values.
    rdkafka_read_all(&node.bootstrap(), topic, RECORDS, Duration::from_secs(120))?;
    // So does the raw client's paged fetch (checks the remote/local boundary by offsets).
    let all = fetch_all(&mut client, topic, 0, 0)?;
    assert_eq!(all.len() as u64, RECORDS);

    // DeleteRecords into the tiered range: the log start moves, remote segments below go.
    let cut = RECORDS as i64 / 2;
    delete_records(&mut client, topic, cut)?;
    assert_eq!(offset_for(&mut client, topic, EARLIEST)?.0, cut);
    let below = fetch(&mut client, topic, 0, 0, 1 << 20)?;
    assert_eq!(below.error_code, error_code::OFFSET_OUT_OF_RANGE);
    wait_until(
        Duration::from_secs(30),
        "remote segments below the cut are deleted",
        || Ok(remote_segments(&node, topic).len() < uploaded.len() * 2 / 3),
    )?;
    let first = fetch(&mut client, topic, 0, cut, 1 << 20)?;
    assert_eq!(first.error_code, error_code::NONE);
    let records = decode_records(first.records.unwrap_or_default())?;
    assert!(records.iter().any(|r| r.offset == cut));

    // Topic deletion removes the partition's remote data.
    delete_topic(&mut client, topic)?;
    wait_until(
        Duration::from_secs(30),
        "remote data of the deleted topic is gone",
        || Ok(remote_segments(&node, topic).is_empty()),
    )?;
    Ok(())
}

#[test]
fn remote_retention_deletes_expired_segments_and_advances_the_log_start() -> Result<()> {
    let node = tiered_node()?;
    let mut client = node.connect()?;
    let topic = "expiring";
    // Records are an hour old: retention.ms=20 min expires every closed segment, but only
    // after it was uploaded (local retention waits for the copy, remote retention deletes).
    let configs = vec![
        ("remote.storage.enable", "true"),
        ("segment.bytes", SEGMENT_BYTES),
        ("local.retention.ms", "1000"),
        ("retention.ms", "1200000"),
    ];
    create_tiered_topic(&mut client, topic, &configs)?;
    let records = 8 * 1024;
    produce_records(&mut client, topic, 0, records, timestamp_base(), |_| Ok(()))?;
    let waited = wait_for_tier(
        &mut client,
        topic,
        Duration::from_secs(60),
        "the log start advances past expired remote segments",
        |(start, local, _)| start as u64 > records * 7 / 10 && local >= start,
    );
    let (start, _, _) = waited.map_err(|e| e.context(broker_log_lines(&node)))?;
    wait_until(
        Duration::from_secs(30),
        "expired segment objects are deleted",
        || Ok(remote_segments(&node, topic).len() <= 1),
    )?;
    let below = fetch(&mut client, topic, 0, 0, 1 << 20)?;
    assert_eq!(below.error_code, error_code::OFFSET_OUT_OF_RANGE);
    let at_start = fetch(&mut client, topic, 0, start, 1 << 20)?;
    assert_eq!(at_start.error_code, error_code::NONE);
    Ok(())
}

#[test]
fn wiped_partition_directories_are_served_from_the_bucket_after_restart() -> Result<()> {
    let mut node = tiered_node()?;
    let topic = "wiped";
    let records = 12 * 1024;
    {
        let mut client = node.connect()?;
        create_tiered_topic(&mut client, topic, &tiered_configs("1000"))?;
        produce_records(&mut client, topic, 0, records, timestamp_base(), |_| Ok(()))?;
        wait_for_tier(
            &mut client,
            topic,
            Duration::from_secs(60),
            "all closed segments tiered",
            |(_, local, tiered)| {
                tiered >= 0 && local == tiered + 1 && local as u64 > records * 7 / 10
            },
        )?;
    }
    node.terminate()?;
    let stats = node.log_contents();
    assert!(
        stats.contains("tiering stats") && stats.contains("highest_tiered_offset"),
        "the broker logs per-partition tiering figures"
    );
    let partition_dir = node.data_dir().join(format!("{topic}-0"));
    assert!(partition_dir.is_dir());
    std::fs::remove_dir_all(&partition_dir)?;
    node.restart()?;

    let mut client = node.connect()?;
    let (start, local_start, tiered) = tier_offsets(&mut client, topic)?;
    assert_eq!(start, 0, "the bucket's manifest restores the log start");
    assert!(tiered > 0);
    assert_eq!(
        local_start,
        tiered + 1,
        "the local log restarts after the tiered range"
    );
    let served = fetch_all(&mut client, topic, 0, 0)?;
    assert_eq!(served.len() as i64, tiered + 1);
    for record in &served {
        check_value(
            record.offset as u64,
            record.value.as_deref().unwrap_or_default(),
        )?;
    }
    // New records continue after the tiered range.
    produce_records(
        &mut client,
        topic,
        tiered as u64 + 1,
        10,
        timestamp_base(),
        |_| Ok(()),
    )?;
    rdkafka_read_all(
        &node.bootstrap(),
        topic,
        tiered as u64 + 11,
        Duration::from_secs(60),
    )?;
    Ok(())
}

#[test]
fn tiering_is_refused_for_compacted_topics_and_on_brokers_without_it() -> Result<()> {
    let node = StrataProcess::builder()
        .with_override("remote.log.storage.system.enable", "false")
        .start()?;
    let mut client = node.connect()?;
    let refused = strata_tests::requests::create_topic(
        &mut client,
        "no-tier",
        1,
        &[("remote.storage.enable", "true")],
    )?;
    assert_eq!(
        refused.error_code,
        error_code::INVALID_CONFIG,
        "{:?}",
        refused.error_message
    );
    drop(node);

    let node = StrataProcess::start()?;
    let mut client = node.connect()?;
    let compacted = strata_tests::requests::create_topic(
        &mut client,
        "compacted",
        1,
        &[
            ("remote.storage.enable", "true"),
            ("cleanup.policy", "compact"),
        ],
    )?;
    assert_eq!(
        compacted.error_code,
        error_code::INVALID_CONFIG,
        "{:?}",
        compacted.error_message
    );
    let plain = strata_tests::requests::create_topic(
        &mut client,
        "tiered-ok",
        1,
        &[("remote.storage.enable", "true")],
    )?;
    assert_eq!(
        plain.error_code,
        error_code::NONE,
        "{:?}",
        plain.error_message
    );

    // IncrementalAlterConfigs turns tiering on for an existing topic; turning it off needs
    // remote.log.delete.on.disable=true (KIP-950); DescribeConfigs shows the values.
    let untiered = strata_tests::requests::create_topic(&mut client, "later", 1, &[])?;
    assert_eq!(untiered.error_code, error_code::NONE);
    let on = [
        ("remote.storage.enable", "true"),
        ("local.retention.ms", "5000"),
    ];
    assert_eq!(alter_topic(&mut client, "later", &on)?, error_code::NONE);
    let described = strata_tests::requests::describe_topic_configs(&mut client, "later")?;
    let value = |key: &str| described.get(key).and_then(|(value, _)| value.clone());
    assert_eq!(value("remote.storage.enable").as_deref(), Some("true"));
    assert_eq!(value("local.retention.ms").as_deref(), Some("5000"));
    let off = [("remote.storage.enable", "false")];
    assert_eq!(
        alter_topic(&mut client, "later", &off)?,
        error_code::INVALID_CONFIG
    );
    let off_deleting = [
        ("remote.storage.enable", "false"),
        ("remote.log.delete.on.disable", "true"),
    ];
    assert_eq!(
        alter_topic(&mut client, "later", &off_deleting)?,
        error_code::NONE
    );
    Ok(())
}

/// IncrementalAlterConfigs SET of topic configs; the resource's error code.
fn alter_topic(
    client: &mut strata_tests::RawClient,
    topic: &str,
    set: &[(&str, &str)],
) -> Result<i16> {
    use kafka_protocol::messages::incremental_alter_configs_request::{
        AlterConfigsResource, AlterableConfig,
    };
    use kafka_protocol::messages::IncrementalAlterConfigsRequest;
    use kafka_protocol::protocol::StrBytes;
    let configs = set
        .iter()
        .map(|(k, v)| {
            AlterableConfig::default()
                .with_name(StrBytes::from_string((*k).to_owned()))
                .with_config_operation(0)
                .with_value(Some(StrBytes::from_string((*v).to_owned())))
        })
        .collect();
    let request = IncrementalAlterConfigsRequest::default().with_resources(vec![
        AlterConfigsResource::default()
            .with_resource_type(2)
            .with_resource_name(StrBytes::from_string(topic.to_owned()))
            .with_configs(configs),
    ]);
    let response = client.send(&request, 1)?;
    Ok(response.responses[0].error_code)
}

/// The broker's tiering and retention lines, for failure messages.
fn broker_log_lines(node: &StrataProcess) -> String {
    node.log_contents()
        .lines()
        .filter(|l| {
            l.contains("remote")
                || l.contains("segments")
                || l.contains("tier")
                || l.contains("WARN")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn delete_records(client: &mut strata_tests::RawClient, topic: &str, offset: i64) -> Result<()> {
    let request = DeleteRecordsRequest::default()
        .with_topics(vec![DeleteRecordsTopic::default()
            .with_name(topic_name(topic))
            .with_partitions(vec![DeleteRecordsPartition::default()
                .with_partition_index(0)
                .with_offset(offset)])])
        .with_timeout_ms(30_000);
    let response = client.send(&request, 2)?;
    let result = &response.topics[0].partitions[0];
    if result.error_code != error_code::NONE || result.low_watermark != offset {
        bail!(
            "DeleteRecords to {offset}: error {} low watermark {}",
            result.error_code,
            result.low_watermark
        );
    }
    Ok(())
}

fn delete_topic(client: &mut strata_tests::RawClient, topic: &str) -> Result<()> {
    let request = DeleteTopicsRequest::default()
        .with_topics(vec![
            DeleteTopicState::default().with_name(Some(topic_name(topic)))
        ])
        .with_timeout_ms(30_000);
    let response = client.send(&request, 6)?;
    let code = response.responses[0].error_code;
    if code != error_code::NONE {
        bail!("DeleteTopics {topic}: error {code}");
    }
    Ok(())
}

fn wait_until(timeout: Duration, what: &str, mut done: impl FnMut() -> Result<bool>) -> Result<()> {
    let deadline = std::time::Instant::now() + timeout;
    while !done()? {
        if std::time::Instant::now() >= deadline {
            bail!("{what}: not within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(())
}

#[test]
fn one_fetch_reads_one_tiered_partition_and_followers_are_sent_to_tiered_storage() -> Result<()> {
    use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic, ReplicaState};
    use kafka_protocol::messages::{BrokerId, FetchRequest};

    let node = tiered_node()?;
    let mut client = node.connect()?;
    let records = 6 * 1024;
    for topic in ["first", "second"] {
        create_tiered_topic(&mut client, topic, &tiered_configs("1000"))?;
        produce_records(&mut client, topic, 0, records, timestamp_base(), |_| Ok(()))?;
        wait_for_tier(
            &mut client,
            topic,
            Duration::from_secs(60),
            "tiered",
            |(_, local, _)| local as u64 > records / 2,
        )?;
    }
    create_tiered_topic(&mut client, "plain", &[])?;
    produce_records(&mut client, "plain", 0, 10, timestamp_base(), |_| Ok(()))?;

    let request = |replica_id: i32, topics: &[&str]| {
        FetchRequest::default()
            .with_replica_state(ReplicaState::default().with_replica_id(BrokerId(replica_id)))
            .with_max_wait_ms(500)
            .with_min_bytes(1)
            .with_max_bytes(50 << 20)
            .with_session_epoch(-1)
            .with_topics(
                topics
                    .iter()
                    .map(|t| {
                        FetchTopic::default()
                            .with_topic(topic_name(t))
                            .with_partitions(vec![FetchPartition::default()
                                .with_partition(0)
                                .with_current_leader_epoch(-1)
                                .with_fetch_offset(0)
                                .with_last_fetched_epoch(-1)
                                .with_log_start_offset(-1)
                                .with_partition_max_bytes(1 << 20)])
                    })
                    .collect(),
            )
    };
    // v12 names topics; the replica id travels in the top-level field there.
    let mut consumer = request(-1, &["first", "second", "plain"]);
    consumer.replica_id = BrokerId(-1);
    let response = client.send(&consumer, 12)?;
    let by_topic = |name: &str| {
        response
            .responses
            .iter()
            .find(|t| t.topic.0.as_str() == name)
            .map(|t| t.partitions[0].clone())
            .expect("topic answered")
    };
    let first = by_topic("first");
    assert_eq!(first.error_code, error_code::NONE);
    let first_records = decode_records(first.records.unwrap_or_default())?;
    assert_eq!(
        first_records.first().map(|r| r.offset),
        Some(0),
        "read from remote"
    );
    let second = by_topic("second");
    assert_eq!(second.error_code, error_code::NONE);
    assert!(
        second.records.as_ref().is_none_or(|r| r.is_empty()),
        "only one tiered partition per fetch is read remotely"
    );
    let plain = by_topic("plain");
    assert_eq!(decode_records(plain.records.unwrap_or_default())?.len(), 10);

    // A follower below the local log start is told to rebuild from tiered storage (109).
    let mut follower = request(-1, &["first"]);
    follower.replica_id = BrokerId(2);
    let response = client.send(&follower, 12)?;
    assert_eq!(
        response.responses[0].partitions[0].error_code,
        OFFSET_MOVED_TO_TIERED_STORAGE
    );
    Ok(())
}

/// Kafka's OFFSET_MOVED_TO_TIERED_STORAGE.
const OFFSET_MOVED_TO_TIERED_STORAGE: i16 = 109;
