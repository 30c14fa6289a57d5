//! Tiered storage on s3s-fs (an S3 server that persists to a directory): after the node's
//! partition directory is wiped (metadata log kept) and both the node and the S3 server are
//! restarted, the tiered range is still served, found through the bucket's manifest alone.

mod tiered_support;

use std::time::Duration;

use anyhow::Result;
use strata_tests::requests::fetch_all;
use strata_tests::StrataProcess;
use tiered_support::*;

const BUCKET: &str = "strata-restart";

#[test]
fn wiped_node_serves_the_tiered_range_from_s3_after_both_restart() -> Result<()> {
    let s3_dir = tempfile::tempdir()?;
    std::fs::create_dir(s3_dir.path().join(BUCKET))?;
    let s3 = S3Server::s3s_fs(s3_dir.path())?;
    S3Server::set_aws_env(s3.port);

    let mut node = StrataProcess::builder()
        .with_override("remote.log.storage.url", &format!("s3://{BUCKET}/restart"))
        .with_override("remote.log.manager.task.interval.ms", "300")
        .with_override("log.retention.check.interval.ms", "300")
        .start()?;
    let topic = "persisted";
    let records = 12 * 1024;
    {
        let mut client = node.connect()?;
        create_tiered_topic(
            &mut client,
            topic,
            &[
                ("remote.storage.enable", "true"),
                ("segment.bytes", "1048576"),
                ("local.retention.ms", "1000"),
                ("retention.ms", "-1"),
            ],
        )?;
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
    std::fs::remove_dir_all(node.data_dir().join(format!("{topic}-0")))?;
    // The S3 server restarts too: what was uploaded must be on its disk.
    let port = s3.port;
    drop(s3);
    let _s3 = S3Server::s3s_fs_on(s3_dir.path(), port)?;
    node.restart()?;

    let mut client = node.connect()?;
    let (start, local_start, tiered) = tier_offsets(&mut client, topic)?;
    assert_eq!(start, 0);
    assert!(tiered as u64 > records * 7 / 10, "tiered up to {tiered}");
    assert_eq!(local_start, tiered + 1);
    let served = fetch_all(&mut client, topic, 0, 0)?;
    assert_eq!(served.len() as i64, tiered + 1);
    for record in &served {
        check_value(
            record.offset as u64,
            record.value.as_deref().unwrap_or_default(),
        )?;
    }
    rdkafka_read_all(
        &node.bootstrap(),
        topic,
        tiered as u64 + 1,
        Duration::from_secs(60),
    )?;
    Ok(())
}
