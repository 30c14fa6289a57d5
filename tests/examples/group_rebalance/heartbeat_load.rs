//! Coordinator heartbeat throughput: N connections, each sending its member's steady-state
//! heartbeat again as soon as the previous answer arrives, for a fixed time.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use kafka_protocol::protocol::Request;

use crate::conn::Conn;

/// Heartbeats answered, error answers, and latency percentiles over all connections.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LoadFigures {
    /// Connections that sent heartbeats.
    pub(crate) connections: usize,
    /// Answers per second over the whole run.
    pub(crate) per_second: f64,
    /// Answers that carried an error code (they count in `per_second` too).
    pub(crate) errors: u64,
    /// Median round trip.
    pub(crate) latency_us_p50: u64,
    /// 99th percentile round trip.
    pub(crate) latency_us_p99: u64,
    /// Broker CPU (user + system) per answered heartbeat, when the broker's pid was given.
    pub(crate) broker_cpu_us_per_heartbeat: Option<f64>,
    /// Broker CPU over the run as a share of one core, when the broker's pid was given.
    pub(crate) broker_cores: Option<f64>,
}

/// Kernel clock ticks per second for `/proc/<pid>/stat` CPU times (USER_HZ, 100 on Linux).
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// User + system CPU seconds of process `pid` so far, from `/proc/<pid>/stat`.
fn process_cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / CLOCK_TICKS_PER_SECOND)
}

/// Sends `requests[i]` in a loop on connection i for `duration`; `error_code` reads a response's
/// error code. With `broker_pid`, the broker's CPU time over the run is reported too.
pub(crate) async fn run<R>(
    addr: &str,
    broker_pid: Option<u32>,
    requests: Vec<R>,
    version: i16,
    duration: Duration,
    error_code: fn(&R::Response) -> i16,
) -> Result<LoadFigures>
where
    R: Request + Send + Sync + 'static,
    R::Response: Send,
{
    let connections = requests.len();
    let mut conns = Vec::with_capacity(connections);
    for _ in 0..connections {
        conns.push(Conn::connect(addr).await?);
    }
    let broker_cpu_start = broker_pid.and_then(process_cpu_seconds);
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::with_capacity(connections);
    for (mut conn, request) in conns.into_iter().zip(requests) {
        tasks.push(tokio::spawn(async move {
            let mut latencies_us = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let sent = Instant::now();
                let response = conn.send(&request, version).await?;
                latencies_us.push(u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX));
                if error_code(&response) != 0 {
                    errors += 1;
                }
            }
            anyhow::Ok((latencies_us, errors))
        }));
    }
    let mut latencies_us = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (mut l, e) = task.await.context("load task panicked")??;
        latencies_us.append(&mut l);
        errors += e;
    }
    let elapsed = start.elapsed();
    let broker_cpu = broker_pid
        .and_then(process_cpu_seconds)
        .zip(broker_cpu_start)
        .map(|(end, begin)| end - begin);
    let answered = latencies_us.len() as f64;
    latencies_us.sort_unstable();
    let percentile = |p: usize| {
        latencies_us
            .get((latencies_us.len() * p / 100).min(latencies_us.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    Ok(LoadFigures {
        connections,
        per_second: answered / elapsed.as_secs_f64(),
        errors,
        latency_us_p50: percentile(50),
        latency_us_p99: percentile(99),
        broker_cpu_us_per_heartbeat: broker_cpu
            .filter(|_| answered > 0.0)
            .map(|cpu| cpu * 1e6 / answered),
        broker_cores: broker_cpu.map(|cpu| cpu / elapsed.as_secs_f64()),
    })
}
