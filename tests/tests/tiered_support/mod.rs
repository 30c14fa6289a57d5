//! Shared pieces of the tiered-storage tests: deterministic record payloads that a reader can
//! verify, bulk produce through the raw client, ListOffsets probes, an rdkafka reader from
//! offset 0, S3 servers (moto, s3s-fs) and a TCP proxy that can cut the S3 endpoint off.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use bytes::Bytes;
use kafka_protocol::records::Compression;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use strata_tests::ports::free_port;
use strata_tests::raw_client::RawClient;
use strata_tests::requests::{build_batch, create_topic, error_code, list_offsets, produce};

/// ListOffsets special timestamps.
pub(crate) const EARLIEST: i64 = -2;
/// The first offset still on local disk.
pub(crate) const EARLIEST_LOCAL: i64 = -4;
/// The highest offset in remote storage.
pub(crate) const LATEST_TIERED: i64 = -5;
/// ListOffsets version that knows -4 and -5.
const LIST_OFFSETS_TIERED_VERSION: i16 = 9;

/// Bytes of every record value.
pub(crate) const VALUE_BYTES: usize = 1024;
/// Records per produced batch (≈ 128 KiB batches).
pub(crate) const RECORDS_PER_BATCH: usize = 128;
/// First record timestamp; record `i` has timestamp `TIMESTAMP_BASE + i`.
pub(crate) fn timestamp_base() -> i64 {
    strata_tests::requests::recent_timestamp_ms() - 3_600_000
}

/// The value of record `i`: its index, then bytes derived from it (xorshift), so any
/// corruption, loss, duplicate or reordering shows when a reader regenerates it.
pub(crate) fn value_of(i: u64) -> Vec<u8> {
    let mut value = Vec::with_capacity(VALUE_BYTES);
    value.extend_from_slice(&i.to_le_bytes());
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while value.len() < VALUE_BYTES {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        value.extend_from_slice(&x.to_le_bytes());
    }
    value.truncate(VALUE_BYTES);
    value
}

/// Checks a consumed value against what record `expected` must hold.
pub(crate) fn check_value(expected: u64, value: &[u8]) -> Result<()> {
    if value != value_of(expected).as_slice() {
        let got = value
            .get(..8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")));
        bail!("record {expected}: value mismatch (payload names record {got:?})");
    }
    Ok(())
}

/// Creates a topic with one partition and the given configs; fails on any error.
pub(crate) fn create_tiered_topic(
    client: &mut RawClient,
    topic: &str,
    configs: &[(&str, &str)],
) -> Result<()> {
    let result = create_topic(client, topic, 1, configs)?;
    if result.error_code != error_code::NONE {
        bail!(
            "creating {topic}: error {} {:?}",
            result.error_code,
            result.error_message
        );
    }
    strata_tests::requests::wait_for_leaders(client, topic, 1, Duration::from_secs(30))
}

/// Produces records `first..first+count` (acks=1) to partition 0 in batches of
/// [`RECORDS_PER_BATCH`]; record `i` has timestamp `ts_base + i`. `between` runs after each batch.
pub(crate) fn produce_records(
    client: &mut RawClient,
    topic: &str,
    first: u64,
    count: u64,
    ts_base: i64,
    mut between: impl FnMut(u64) -> Result<()>,
) -> Result<()> {
    let mut next = first;
    let end = first + count;
    while next < end {
        let n = (end - next).min(RECORDS_PER_BATCH as u64);
        let values: Vec<Bytes> = (next..next + n).map(|i| Bytes::from(value_of(i))).collect();
        let batch = build_batch(&values, ts_base + next as i64, Compression::None)?;
        let response = produce(client, topic, 0, batch.freeze(), 1)?;
        if response.error_code != error_code::NONE {
            bail!("produce at record {next}: error {}", response.error_code);
        }
        if response.base_offset != next as i64 {
            bail!(
                "produce at record {next}: base offset {}",
                response.base_offset
            );
        }
        next += n;
        between(next)?;
    }
    Ok(())
}

/// ListOffsets (v9) offset for `timestamp` on partition 0; errors fail.
pub(crate) fn offset_for(
    client: &mut RawClient,
    topic: &str,
    timestamp: i64,
) -> Result<(i64, i64)> {
    use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
    use kafka_protocol::messages::{BrokerId, ListOffsetsRequest};
    if timestamp != EARLIEST_LOCAL && timestamp != LATEST_TIERED {
        let answer = list_offsets(client, topic, 0, timestamp)?;
        if answer.error_code != error_code::NONE {
            bail!("ListOffsets {timestamp}: error {}", answer.error_code);
        }
        return Ok((answer.offset, answer.timestamp));
    }
    let request = ListOffsetsRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_topics(vec![ListOffsetsTopic::default()
            .with_name(strata_tests::requests::topic_name(topic))
            .with_partitions(vec![ListOffsetsPartition::default()
                .with_partition_index(0)
                .with_current_leader_epoch(-1)
                .with_timestamp(timestamp)])]);
    let response = client.send(&request, LIST_OFFSETS_TIERED_VERSION)?;
    let answer = response
        .topics
        .into_iter()
        .flat_map(|t| t.partitions)
        .next()
        .ok_or_else(|| anyhow!("no partition in ListOffsets response"))?;
    if answer.error_code != error_code::NONE {
        bail!("ListOffsets {timestamp}: error {}", answer.error_code);
    }
    Ok((answer.offset, answer.timestamp))
}

/// (log start, local log start, highest tiered offset).
pub(crate) fn tier_offsets(client: &mut RawClient, topic: &str) -> Result<(i64, i64, i64)> {
    // Asked in this order so the upload invariant can be checked on answers given at three
    // moments: the local start only grows; the tiered offset only grows until expiry drops
    // segments, and expiry advances the log start before that.
    let local_start = offset_for(client, topic, EARLIEST_LOCAL)?.0;
    let tiered = offset_for(client, topic, LATEST_TIERED)?.0;
    let start = offset_for(client, topic, EARLIEST)?.0;
    Ok((start, local_start, tiered))
}

/// The invariant of local retention under tiering: every offset below the local log start is
/// either below the log start or in remote storage.
pub(crate) fn check_local_deleted_only_after_upload(
    client: &mut RawClient,
    topic: &str,
) -> Result<(i64, i64, i64)> {
    let (start, local_start, tiered) = tier_offsets(client, topic)?;
    if local_start > start && local_start > tiered + 1 {
        bail!("local log starts at {local_start} but only offsets up to {tiered} are tiered (log start {start})");
    }
    Ok((start, local_start, tiered))
}

/// Polls `tier_offsets` until `done` holds, checking the upload invariant at each step.
pub(crate) fn wait_for_tier(
    client: &mut RawClient,
    topic: &str,
    timeout: Duration,
    what: &str,
    done: impl Fn((i64, i64, i64)) -> bool,
) -> Result<(i64, i64, i64)> {
    let deadline = Instant::now() + timeout;
    loop {
        let offsets = check_local_deleted_only_after_upload(client, topic)?;
        if done(offsets) {
            return Ok(offsets);
        }
        if Instant::now() >= deadline {
            bail!("{what}: not reached within {timeout:?}; (log start, local start, tiered) = {offsets:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Reads partition 0 from offset 0 with a librdkafka consumer and checks every record of
/// `0..count` arrives once, in order, with its value. Returns the bytes read.
pub(crate) fn rdkafka_read_all(
    bootstrap: &str,
    topic: &str,
    count: u64,
    timeout: Duration,
) -> Result<u64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("tiered-reader-{topic}"))
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "error")
        .set("fetch.max.bytes", "52428800")
        .set("max.partition.fetch.bytes", "4194304")
        .create()
        .context("creating the rdkafka consumer")?;
    let mut assignment = TopicPartitionList::new();
    assignment.add_partition_offset(topic, 0, Offset::Offset(0))?;
    consumer.assign(&assignment)?;
    let deadline = Instant::now() + timeout;
    let mut next = 0u64;
    let mut bytes = 0u64;
    while next < count {
        if Instant::now() >= deadline {
            bail!("rdkafka read {next} of {count} records of {topic} within {timeout:?}");
        }
        let Some(message) = consumer.poll(Duration::from_millis(500)) else {
            continue;
        };
        let message = message.with_context(|| format!("rdkafka poll at record {next}"))?;
        if message.offset() != next as i64 {
            bail!("rdkafka: expected offset {next}, got {}", message.offset());
        }
        let value = message.payload().unwrap_or_default();
        check_value(next, value)?;
        bytes += value.len() as u64;
        next += 1;
    }
    Ok(bytes)
}

/// Files named `*.log` under `dir` (recursively): local segments or remote segment objects.
pub(crate) fn log_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(log_files(&path));
        } else if path.extension().is_some_and(|e| e == "log") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The base offsets of the local segments of `topic`-0 in `data_dir`.
pub(crate) fn local_segment_bases(data_dir: &Path, topic: &str) -> Vec<i64> {
    log_files(&data_dir.join(format!("{topic}-0")))
        .iter()
        .filter_map(|p| p.file_stem()?.to_str()?.parse().ok())
        .collect()
}

// ---- S3 servers ------------------------------------------------------------------------------

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// A path from `env_var`, else `.deps/s3/<rel>`, else `name` on PATH.
fn s3_tool(env_var: &str, rel: &str, name: &str) -> Result<PathBuf> {
    if let Some(path) = std::env::var_os(env_var) {
        return Ok(PathBuf::from(path));
    }
    let local = repo_root().join(".deps/s3").join(rel);
    if local.is_file() {
        return Ok(local);
    }
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    bail!("{name} not found ({env_var}, .deps/s3/{rel}, PATH); run scripts/install-test-deps.sh")
}

/// An S3 server child process, killed on drop.
pub(crate) struct S3Server {
    child: Child,
    /// Its port on 127.0.0.1.
    pub(crate) port: u16,
    _dir: Option<tempfile::TempDir>,
}

impl S3Server {
    /// moto (in memory).
    pub(crate) fn moto() -> Result<Self> {
        let bin = s3_tool("STRATA_MOTO_SERVER", "venv/bin/moto_server", "moto_server")?;
        let port = free_port()?;
        let child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting moto_server")?;
        let server = Self {
            child,
            port,
            _dir: None,
        };
        server.wait_ready()?;
        Ok(server)
    }

    /// s3s-fs persisting into `dir` (credentials test/testtest).
    pub(crate) fn s3s_fs(dir: &Path) -> Result<Self> {
        Self::s3s_fs_on(dir, free_port()?)
    }

    /// s3s-fs persisting into `dir`, on a given port (a restart of an earlier server).
    pub(crate) fn s3s_fs_on(dir: &Path, port: u16) -> Result<Self> {
        let bin = s3_tool("STRATA_S3S_FS", "bin/s3s-fs", "s3s-fs")?;
        let child = Command::new(bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", "test", "--secret-key", "testtest"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting s3s-fs")?;
        let server = Self {
            child,
            port,
            _dir: None,
        };
        server.wait_ready()?;
        Ok(server)
    }

    fn wait_ready(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if Instant::now() >= deadline {
                bail!("S3 server on port {} did not listen within 30 s", self.port);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    }

    /// Creates a bucket (unsigned PUT; moto accepts it).
    pub(crate) fn create_bucket(&self, bucket: &str) -> Result<()> {
        let (status, body) = http(self.port, "PUT", &format!("/{bucket}"))?;
        if !(200..300).contains(&status) {
            bail!("creating bucket {bucket}: HTTP {status}: {body}");
        }
        Ok(())
    }

    /// Keys under `prefix` in `bucket` (ListObjectsV2, all pages).
    pub(crate) fn list_keys(&self, bucket: &str, prefix: &str) -> Result<Vec<String>> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut path = format!("/{bucket}?list-type=2&prefix={prefix}");
            if let Some(t) = &token {
                path.push_str(&format!("&continuation-token={}", url_encode(t)));
            }
            let (status, body) = http(self.port, "GET", &path)?;
            if status != 200 {
                bail!("listing {bucket}: HTTP {status}: {body}");
            }
            keys.extend(xml_values(&body, "Key"));
            token = xml_values(&body, "NextContinuationToken")
                .into_iter()
                .next();
            if token.is_none() {
                return Ok(keys);
            }
        }
    }

    /// Points the AWS_* variables of this process (inherited by brokers it starts) at `port`.
    pub(crate) fn set_aws_env(port: u16) {
        std::env::set_var("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"));
        std::env::set_var("AWS_ALLOW_HTTP", "true");
        std::env::set_var("AWS_ACCESS_KEY_ID", "test");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testtest");
        std::env::set_var("AWS_REGION", "us-east-1");
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn xml_values(body: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    body.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split(&close).next().map(str::to_string))
        .collect()
}

/// A minimal HTTP/1.1 request (Connection: close); returns status and body.
fn http(port: u16, method: &str, path: &str) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response).to_string();
    let status: u16 = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("bad HTTP response: {text:.200}"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

// ---- a TCP proxy that can take the endpoint away -----------------------------------------------

/// Forwards 127.0.0.1:`port` to an upstream port. While [`Outage::down`] is set, new
/// connections are closed at once and open ones are cut: the S3 endpoint is unreachable.
pub(crate) struct Outage {
    /// The port brokers talk to.
    pub(crate) port: u16,
    down: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Outage {
    /// Starts forwarding to `upstream` (threads live until the test process ends).
    pub(crate) fn start(upstream: u16) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let down = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::new(Mutex::new(Vec::new()));
        let (down2, open2) = (Arc::clone(&down), Arc::clone(&open));
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if down2.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                for s in [&client, &server] {
                    if let Ok(clone) = s.try_clone() {
                        open2.lock().expect("lock").push(clone);
                    }
                }
                pipe(&client, &server);
                pipe(&server, &client);
            }
        });
        Ok(Self { port, down, open })
    }

    /// Cuts the endpoint off (true) or restores it (false).
    pub(crate) fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
        if down {
            for stream in self.open.lock().expect("lock").drain(..) {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
    }
}

fn pipe(from: &TcpStream, to: &TcpStream) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else {
        return;
    };
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from, &mut to);
        let _ = to.shutdown(Shutdown::Write);
    });
}
