//! The remote tier against a real S3 API (moto, started here when `moto_server` is on PATH;
//! see TESTING.md): copy with multipart uploads, local retention, catch-up reads byte-identical,
//! rebuild of a wiped partition from the bucket, expiry. Without `moto_server` the test says so
//! and passes without running (CI installs it with scripts/install-test-deps.sh).

mod common;
mod remote_support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use strata_protocol::record_batch::batches;
use strata_storage::remote::{RemoteLogConfig, RemoteLogManager, RemotePartition};
use strata_storage::LogError;

use common::{clock, config, open, read_all, T0};
use remote_support::tiered_overrides;

struct Moto(Child);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Sends one bodiless HTTP request; returns the status line.
fn http(port: u16, method: &str, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response.lines().next().unwrap_or_default().to_string())
}

fn start_moto() -> Option<(Moto, u16)> {
    let port = free_port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let moto = Moto(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if http(port, "PUT", "/tiered").is_ok_and(|status| status.contains(" 200")) {
            return Some((moto, port));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("moto_server did not start on port {port}");
}

async fn consume_all(partition: &RemotePartition) -> Vec<Vec<u8>> {
    let log = partition.log();
    let (mut offset, end) = (log.log_start_offset(), log.log_end_offset());
    let mut out = Vec::new();
    while offset < end {
        let bytes = match log.read(offset, 1 << 20, end, true) {
            Ok(info) => info.records,
            Err(LogError::OffsetMovedToTieredStorage { .. }) => partition
                .read(offset, 1 << 20, true)
                .await
                .expect("remote read"),
            Err(err) => panic!("read at {offset}: {err}"),
        };
        for batch in batches(&bytes) {
            let batch = batch.expect("whole batches");
            offset = batch.next_offset();
            out.push(batch.bytes().to_vec());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tiering_to_s3_serves_history_and_survives_a_wiped_partition() {
    let Some((_moto, port)) = start_moto() else {
        eprintln!("moto_server is not on PATH: skipping the S3 test (see TESTING.md)");
        return;
    };
    std::env::set_var("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"));
    std::env::set_var("AWS_ALLOW_HTTP", "true");
    std::env::set_var("AWS_ACCESS_KEY_ID", "test");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
    std::env::set_var("AWS_REGION", "us-east-1");
    let remote = RemoteLogConfig {
        system_enable: true,
        storage_url: "s3://tiered/cluster-a".into(),
        multipart_part_bytes: 5 << 20,
        chunk_bytes: 1 << 20,
        ..RemoteLogConfig::default()
    };
    let clock = clock();
    let data = tempfile::tempdir().expect("tempdir");
    let part_dir = data.path().join("orders-0");
    let mut overrides = tiered_overrides();
    overrides.retain(|(k, _)| *k != "segment.bytes");
    overrides.push(("segment.bytes", "6291456"));
    let (original, highest) = {
        let log = Arc::new(open(&part_dir, config(&overrides), clock.clone(), 0));
        for i in 0..200 {
            log.append_as_leader(common::batch(10, 10_000, T0 - 100_000 + i * 10), 0)
                .expect("append");
        }
        log.update_high_watermark(log.log_end_offset());
        let original = read_all(&log);
        let manager = RemoteLogManager::start(remote.clone(), clock.clone())
            .await
            .expect("moto reachable");
        let partition = manager.attach(log.clone()).await.expect("attach");
        let copied = partition
            .copy_segments(0, log.high_watermark())
            .await
            .expect("copy");
        assert!(copied.segments >= 2, "{copied:?}");
        log.apply_retention().expect("retention");
        assert_eq!(log.segment_count(), 1);
        assert_eq!(consume_all(&partition).await, original);
        let highest = log.highest_tiered_offset();
        log.close().expect("close");
        (original, highest)
    };
    std::fs::remove_dir_all(&part_dir).expect("wipe");
    let log = Arc::new(open(&part_dir, config(&overrides), clock.clone(), 0));
    let manager = RemoteLogManager::start(remote, clock.clone())
        .await
        .expect("moto reachable");
    let partition = manager.attach(log.clone()).await.expect("attach");
    assert_eq!(log.log_start_offset(), 0);
    assert_eq!(log.local_log_start_offset(), highest + 1);
    let tiered: Vec<Vec<u8>> = original
        .into_iter()
        .filter(|b| common::offsets(b)[0].1 <= highest)
        .collect();
    assert_eq!(consume_all(&partition).await, tiered);

    let mut expiring = overrides.clone();
    expiring.retain(|(k, _)| *k != "retention.ms" && *k != "local.retention.ms");
    expiring.push(("retention.ms", "1000"));
    expiring.push(("local.retention.ms", "0"));
    log.update_config(config(&expiring));
    let expired = partition.expire_segments(0).await.expect("expire");
    assert!(expired.segments >= 2);
    assert_eq!(log.log_start_offset(), highest + 1);
    assert!(partition.segments().is_empty());
}
