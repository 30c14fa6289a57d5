//! What a node remembers across a clean restart, and what it refuses to start with.

use std::time::Duration;

use anyhow::{Context, Result};
use bytes::Bytes;
use kafka_protocol::records::Compression;
use strata_tests::requests::{
    build_batch, create_topic, describe_topic_configs, error_code, fetch_all, partition_count,
    produce, recent_timestamp_ms, wait_for_leaders,
};
use strata_tests::StrataProcess;

/// How long a node may take to refuse a bad start.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(30);

fn values(partition: i32, n: usize) -> Vec<Bytes> {
    (0..n)
        .map(|i| Bytes::from(format!("p{partition}-{i}")))
        .collect()
}

#[test]
fn topics_configs_and_data_survive_a_sigterm_restart() -> Result<()> {
    let mut node = StrataProcess::start()?;
    let mut client = node.connect()?;
    let result = create_topic(&mut client, "keep", 3, &[("retention.ms", "123456789")])?;
    assert_eq!(
        result.error_code,
        error_code::NONE,
        "{:?}",
        result.error_message
    );
    wait_for_leaders(&mut client, "keep", 3, Duration::from_secs(30))?;
    for partition in 0..3 {
        let batch = build_batch(
            &values(partition, 25),
            recent_timestamp_ms(),
            Compression::None,
        )?;
        let response = produce(&mut client, "keep", partition, batch.freeze(), -1)?;
        assert_eq!(
            response.error_code,
            error_code::NONE,
            "{:?} {:?}",
            response.error_message,
            response.record_errors
        );
    }
    drop(client);

    let status = node.terminate()?;
    assert!(
        status.success(),
        "SIGTERM shutdown should exit 0, got {status}"
    );
    node.restart()?;

    let mut client = node.connect()?;
    wait_for_leaders(&mut client, "keep", 3, Duration::from_secs(30))?;
    assert_eq!(partition_count(&mut client, "keep")?, Some(3));
    let configs = describe_topic_configs(&mut client, "keep")?;
    assert_eq!(
        configs.get("retention.ms").map(|(v, _)| v.as_deref()),
        Some(Some("123456789")),
        "the topic override survives"
    );
    for partition in 0..3 {
        let records = fetch_all(&mut client, "keep", partition, 0)?;
        let got: Vec<Bytes> = records.into_iter().filter_map(|r| r.value).collect();
        assert_eq!(got, values(partition, 25), "partition {partition} data");
        let more = build_batch(
            &values(partition, 1),
            recent_timestamp_ms() + 1,
            Compression::None,
        )?;
        let response = produce(&mut client, "keep", partition, more.freeze(), -1)?;
        assert_eq!(
            response.error_code,
            error_code::NONE,
            "{:?} {:?}",
            response.error_message,
            response.record_errors
        );
        assert_eq!(
            response.base_offset, 25,
            "appends continue after the last offset"
        );
    }
    Ok(())
}

#[test]
fn a_data_dir_written_by_another_node_id_is_refused_with_a_clear_message() -> Result<()> {
    let mut node = StrataProcess::start()?;
    node.terminate()?;
    let meta_path = node.data_dir().join("meta.properties");
    let meta = std::fs::read_to_string(&meta_path)
        .with_context(|| format!("reading {}", meta_path.display()))?;
    assert!(
        meta.contains("node.id=1"),
        "meta.properties records node.id:\n{meta}"
    );
    std::fs::write(&meta_path, meta.replace("node.id=1", "node.id=7"))?;

    let (status, output) = node.restart_expecting_exit(REFUSAL_TIMEOUT)?;
    assert!(!status.success(), "must not start; output:\n{output}");
    let lower = output.to_lowercase();
    assert!(
        (lower.contains("node.id") || lower.contains("node id")) && lower.contains('7'),
        "the message names the mismatching node id; output:\n{output}"
    );
    Ok(())
}

#[test]
fn an_unknown_config_key_is_rejected_at_start_naming_the_key() -> Result<()> {
    let (status, output) = StrataProcess::builder()
        .with_override("log.retention.hourz", "5")
        .start_expecting_exit(REFUSAL_TIMEOUT)?;
    assert!(!status.success(), "must not start; output:\n{output}");
    assert!(
        output.contains("log.retention.hourz"),
        "the message names the key; output:\n{output}"
    );
    Ok(())
}
