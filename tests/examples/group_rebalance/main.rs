//! Group coordinator figures over the wire, against a running `strata serve` (see
//! `scripts/bench-groups.sh`, which starts a release node and runs this).
//!
//! For a group of `--members` simulated consumers on one `--partitions`-partition topic, in both
//! the consumer protocol (KIP-848) and the classic protocol, it prints the time from a
//! membership change to a stable assignment:
//!
//! - initial: from the first member's first request to all members stable;
//! - join: from the extra member's first request to all members stable again;
//! - leave: from one member's leave request to the rest stable again.
//!
//! "Stable" means every member reported the same generation (member epoch for the consumer
//! protocol) above the one before the change, nothing left to reconcile, and the members' owned
//! partitions cover the topic exactly once. The time is when the last member reported it.
//!
//! Then coordinator heartbeat throughput: `--load-connections` connections, each impersonating a
//! settled member and sending its steady-state heartbeat back to back for `--load-seconds`.
//!
//! Members are simulated (not real client libraries) so that the figures measure the broker,
//! not 100 client runtimes sharing the machine. With `--broker-pid`, the load rows also give the
//! broker's CPU per heartbeat (from `/proc/<pid>/stat`), since members and broker share the CPUs.
//! A benchmark: it prints figures and fails only when the group does not become stable at all.

mod classic_member;
mod conn;
mod consumer_member;
mod group_view;
mod heartbeat_load;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use kafka_protocol::messages::{
    ConsumerGroupDescribeRequest, ConsumerGroupHeartbeatRequest, FindCoordinatorRequest, GroupId,
    HeartbeatRequest,
};
use kafka_protocol::protocol::StrBytes;
use strata_tests::requests::create_topic_ok;
use strata_tests::RawClient;

use classic_member::{ClassicGroupSpec, ClassicIdentity};
use conn::Conn;
use consumer_member::{ConsumerGroupSpec, ConsumerMemberId};
use group_view::{GroupView, Stable};
use heartbeat_load::LoadFigures;

/// How long a membership change may take to settle before the run is declared failed.
const STABLE_TIMEOUT: Duration = Duration::from_secs(120);

/// FindCoordinator version used to make the coordinator create `__consumer_offsets` up front.
const FIND_COORDINATOR_VERSION: i16 = 3;

/// How long the broker may take to have the group coordinator ready.
const COORDINATOR_WAIT: Duration = Duration::from_secs(60);

/// Command-line settings.
struct Args {
    bootstrap: String,
    members: usize,
    partitions: i32,
    topic: String,
    classic_heartbeat: Duration,
    load_duration: Duration,
    load_connections: Vec<usize>,
    broker_pid: Option<u32>,
}

impl Args {
    fn parse() -> Result<Self> {
        let mut args = Self {
            bootstrap: std::env::var("STRATA_BOOTSTRAP").unwrap_or_default(),
            members: 100,
            partitions: 1000,
            topic: "bench-groups".to_owned(),
            classic_heartbeat: Duration::from_millis(100),
            load_duration: Duration::from_secs(10),
            load_connections: vec![1, 100],
            broker_pid: None,
        };
        let mut it = std::env::args().skip(1);
        while let Some(flag) = it.next() {
            if flag == "--bench" {
                continue;
            }
            let value = it.next().with_context(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--bootstrap" => args.bootstrap = value,
                "--members" => args.members = value.parse()?,
                "--partitions" => args.partitions = value.parse()?,
                "--topic" => args.topic = value,
                "--classic-heartbeat-ms" => {
                    args.classic_heartbeat = Duration::from_millis(value.parse()?);
                }
                "--load-seconds" => args.load_duration = Duration::from_secs(value.parse()?),
                "--load-connections" => {
                    args.load_connections =
                        value.split(',').map(str::parse).collect::<Result<_, _>>()?;
                }
                "--broker-pid" => args.broker_pid = Some(value.parse()?),
                other => bail!("unknown flag {other}"),
            }
        }
        if args.bootstrap.is_empty() {
            bail!("give --bootstrap HOST:PORT or set STRATA_BOOTSTRAP");
        }
        if args.members < 2 {
            bail!("--members must be at least 2");
        }
        Ok(args)
    }
}

/// Times of the three membership changes.
struct RebalanceFigures {
    initial: Duration,
    join: Duration,
    leave: Duration,
    generations: [i32; 3],
}

fn main() -> Result<()> {
    let args = Args::parse()?;
    let run_tag = std::process::id();
    let consumer_group = format!("bench-consumer-{run_tag}");
    let classic_group = format!("bench-classic-{run_tag}");
    setup(&args, &[&consumer_group, &classic_group])?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting tokio")?;
    runtime.block_on(async {
        println!(
            "group-bench: {} members (+1 joining, -1 leaving), topic of {} partitions, load {} s per row",
            args.members,
            args.partitions,
            args.load_duration.as_secs()
        );
        let (consumer, consumer_load) = consumer_protocol(&args, consumer_group).await?;
        let interval = consumer_member::server_heartbeat_interval_ms();
        print_rebalance(
            &format!("consumer protocol (uniform assignor, heartbeat interval {interval} ms from the coordinator)"),
            &args,
            &consumer,
        );
        print_load("consumer protocol ConsumerGroupHeartbeat v1", &consumer_load);
        let (classic, classic_load) = classic_protocol(&args, classic_group).await?;
        print_rebalance(
            &format!(
                "classic protocol (eager range assignment by the leader, client heartbeat every {} ms)",
                args.classic_heartbeat.as_millis()
            ),
            &args,
            &classic,
        );
        print_load("classic Heartbeat v4", &classic_load);
        anyhow::Ok(())
    })
}

/// Creates the topic and waits until the coordinator of both groups answers (which creates
/// `__consumer_offsets`), so that no timed phase pays for either.
fn setup(args: &Args, groups: &[&str]) -> Result<()> {
    let mut client = RawClient::connect(&args.bootstrap)?;
    create_topic_ok(&mut client, &args.topic, args.partitions)
        .or_else(|e| {
            if e.to_string().contains("error 36") {
                Ok(())
            } else {
                Err(e)
            }
        })
        .context("creating the bench topic")?;
    for group in groups {
        let deadline = Instant::now() + COORDINATOR_WAIT;
        loop {
            let response = client.send(
                &FindCoordinatorRequest::default()
                    .with_key(StrBytes::from_string((*group).to_owned()))
                    .with_key_type(0),
                FIND_COORDINATOR_VERSION,
            )?;
            if response.error_code == 0 {
                break;
            }
            if Instant::now() > deadline {
                bail!(
                    "FindCoordinator for {group}: error {} after {COORDINATOR_WAIT:?}",
                    response.error_code
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    Ok(())
}

/// Spawns a member future that reports its failure instead of vanishing.
fn spawn_member(
    index: usize,
    future: impl std::future::Future<Output = Result<()>> + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(e) = future.await {
            eprintln!("group-bench: member {index} stopped: {e:#}");
        }
    })
}

async fn connect_all(addr: &str, count: usize) -> Result<Vec<Conn>> {
    let mut conns = Vec::with_capacity(count);
    for _ in 0..count {
        conns.push(Conn::connect(addr).await?);
    }
    Ok(conns)
}

async fn consumer_protocol(
    args: &Args,
    group: String,
) -> Result<(RebalanceFigures, Vec<LoadFigures>)> {
    let spec = Arc::new(ConsumerGroupSpec {
        group,
        topic: args.topic.clone(),
    });
    let view = GroupView::new();
    let mut ids = Vec::new();
    let mut tasks = Vec::new();
    let spawn = |conn: Conn, ids: &mut Vec<ConsumerMemberId>| {
        let index = view.add_member();
        let id = ConsumerMemberId::generate();
        ids.push(id.clone());
        spawn_member(
            index,
            consumer_member::run_member(conn, index, id, spec.clone(), view.clone()),
        )
    };

    let conns = connect_all(&args.bootstrap, args.members).await?;
    let start = Instant::now();
    for conn in conns {
        tasks.push(spawn(conn, &mut ids));
    }
    let initial = wait(&view, args, 0, "consumer initial").await?;
    let initial_time = initial.at - start;

    let conn = Conn::connect(&args.bootstrap).await?;
    let start = Instant::now();
    tasks.push(spawn(conn, &mut ids));
    let joined = wait(&view, args, initial.generation, "consumer join").await?;
    let join_time = joined.at - start;

    let leaver = 0;
    let mut conn = Conn::connect(&args.bootstrap).await?;
    view.deactivate(leaver);
    tasks[leaver].abort();
    let start = Instant::now();
    consumer_member::leave(&mut conn, &spec, &ids[leaver]).await?;
    let left = wait(&view, args, joined.generation, "consumer leave").await?;
    let leave_time = left.at - start;
    check_consumer_group(&mut conn, &spec.group, left.generation, args.members).await?;

    // Load: the members stop heartbeating on their own; connections impersonate them.
    for task in &tasks {
        task.abort();
    }
    let members = view.snapshot();
    let active: Vec<(usize, i32)> = members
        .iter()
        .enumerate()
        .filter(|(_, m)| m.active)
        .map(|(i, m)| (i, m.generation))
        .collect();
    let mut load = Vec::new();
    for &n in &args.load_connections {
        let requests: Vec<ConsumerGroupHeartbeatRequest> = active
            .iter()
            .take(n)
            .map(|&(i, epoch)| consumer_member::steady_heartbeat(&spec, &ids[i], epoch))
            .collect();
        load.push(
            heartbeat_load::run(
                &args.bootstrap,
                args.broker_pid,
                requests,
                consumer_member::HEARTBEAT_VERSION,
                args.load_duration,
                |r: &kafka_protocol::messages::ConsumerGroupHeartbeatResponse| r.error_code,
            )
            .await?,
        );
    }
    // Close like real clients, so the group's expiry does not disturb the classic phase.
    for &(i, _) in &active {
        consumer_member::leave(&mut conn, &spec, &ids[i]).await?;
    }
    Ok((
        RebalanceFigures {
            initial: initial_time,
            join: join_time,
            leave: leave_time,
            generations: [initial.generation, joined.generation, left.generation],
        },
        load,
    ))
}

/// Confirms from the coordinator's side (ConsumerGroupDescribe) what the members saw: group
/// epoch = assignment epoch = the members' epoch, and the member count.
async fn check_consumer_group(
    conn: &mut Conn,
    group: &str,
    epoch: i32,
    members: usize,
) -> Result<()> {
    let response = conn
        .send(
            &ConsumerGroupDescribeRequest::default()
                .with_group_ids(vec![GroupId(StrBytes::from_string(group.to_owned()))]),
            0,
        )
        .await?;
    let described = response
        .groups
        .first()
        .context("ConsumerGroupDescribe answered no group")?;
    if described.error_code != 0
        || described.group_epoch != epoch
        || described.assignment_epoch != epoch
        || described.members.len() != members
    {
        bail!(
            "coordinator disagrees with the members: error {}, state {}, group epoch {}, assignment epoch {}, {} members; members saw epoch {epoch} with {members} members",
            described.error_code,
            described.group_state.as_str(),
            described.group_epoch,
            described.assignment_epoch,
            described.members.len()
        );
    }
    Ok(())
}

async fn classic_protocol(
    args: &Args,
    group: String,
) -> Result<(RebalanceFigures, Vec<LoadFigures>)> {
    let spec = Arc::new(ClassicGroupSpec {
        group,
        topic: args.topic.clone(),
        partitions: args.partitions,
        heartbeat_interval: args.classic_heartbeat,
    });
    let view = GroupView::new();
    let identities: Arc<Mutex<Vec<ClassicIdentity>>> = Arc::default();
    let mut tasks = Vec::new();
    let spawn = |conn: Conn| {
        let index = view.add_member();
        identities
            .lock()
            .expect("identity lock")
            .push(ClassicIdentity::default());
        spawn_member(
            index,
            classic_member::run_member(conn, index, spec.clone(), view.clone(), identities.clone()),
        )
    };

    let conns = connect_all(&args.bootstrap, args.members).await?;
    let start = Instant::now();
    for conn in conns {
        tasks.push(spawn(conn));
    }
    let initial = wait(&view, args, 0, "classic initial").await?;
    let initial_time = initial.at - start;

    let conn = Conn::connect(&args.bootstrap).await?;
    let start = Instant::now();
    tasks.push(spawn(conn));
    let joined = wait(&view, args, initial.generation, "classic join").await?;
    let join_time = joined.at - start;

    let leaver = 0;
    let mut conn = Conn::connect(&args.bootstrap).await?;
    let leaver_id = identities.lock().expect("identity lock")[leaver]
        .member_id
        .clone();
    view.deactivate(leaver);
    tasks[leaver].abort();
    let start = Instant::now();
    classic_member::leave(&mut conn, &spec.group, &leaver_id).await?;
    let left = wait(&view, args, joined.generation, "classic leave").await?;
    let leave_time = left.at - start;

    for task in &tasks {
        task.abort();
    }
    let members: Vec<ClassicIdentity> = {
        let identities = identities.lock().expect("identity lock");
        view.snapshot()
            .iter()
            .zip(identities.iter())
            .filter(|(m, _)| m.active)
            .map(|(_, id)| id.clone())
            .collect()
    };
    let mut load = Vec::new();
    for &n in &args.load_connections {
        let requests: Vec<HeartbeatRequest> = members
            .iter()
            .take(n)
            .map(|m| classic_member::heartbeat(&spec.group, &m.member_id, m.generation))
            .collect();
        load.push(
            heartbeat_load::run(
                &args.bootstrap,
                args.broker_pid,
                requests,
                classic_member::HEARTBEAT_VERSION,
                args.load_duration,
                |r: &kafka_protocol::messages::HeartbeatResponse| r.error_code,
            )
            .await?,
        );
    }
    for member in &members {
        classic_member::leave(&mut conn, &spec.group, &member.member_id).await?;
    }
    Ok((
        RebalanceFigures {
            initial: initial_time,
            join: join_time,
            leave: leave_time,
            generations: [initial.generation, joined.generation, left.generation],
        },
        load,
    ))
}

async fn wait(view: &GroupView, args: &Args, floor: i32, phase: &str) -> Result<Stable> {
    view.wait_stable(args.partitions, floor, STABLE_TIMEOUT)
        .await
        .with_context(|| phase.to_owned())
}

fn print_rebalance(title: &str, args: &Args, figures: &RebalanceFigures) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("\n{title}");
    let [g0, g1, g2] = figures.generations;
    println!(
        "  initial join of {} members -> stable   {:>9.1} ms  (generation/epoch {g0})",
        args.members,
        ms(figures.initial)
    );
    println!(
        "  member {} joins -> stable              {:>9.1} ms  (generation/epoch {g1})",
        args.members + 1,
        ms(figures.join)
    );
    println!(
        "  one member leaves -> stable            {:>9.1} ms  (generation/epoch {g2})",
        ms(figures.leave)
    );
}

fn print_load(title: &str, rows: &[LoadFigures]) {
    for row in rows {
        let broker = match (row.broker_cpu_us_per_heartbeat, row.broker_cores) {
            (Some(per), Some(cores)) => {
                format!("; broker CPU {per:.1} us/heartbeat, {cores:.2} cores")
            }
            _ => String::new(),
        };
        println!(
            "  {title}, {:>3} connections: {:>8.0} heartbeats/s  p50 {:.2} ms  p99 {:.2} ms  ({} error answers{broker})",
            row.connections,
            row.per_second,
            row.latency_us_p50 as f64 / 1000.0,
            row.latency_us_p99 as f64 / 1000.0,
            row.errors
        );
    }
}
