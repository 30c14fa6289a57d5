//! Figures, not a timed test: time from a membership change to a stable assignment for a
//! 100-member, 1,000-partition group on the pure state machine, and heartbeats per second.
//! Run with `cargo test -p strata-broker --release -- --ignored --nocapture consumer_group_rebalance_figures`.

use std::time::Instant;

use super::{assignment_of, beat, join, Harness};
use crate::group::assignor::TopicPartitions;
use crate::group::consumer::GroupState;

const MEMBERS: usize = 100;
const PARTITIONS: i32 = 1_000;

struct Member {
    id: String,
    epoch: i32,
    owned: TopicPartitions,
}

/// Every member heartbeats once per round, adopting its assignment, until the group is stable.
/// Returns (rounds, heartbeats).
fn run_until_stable(h: &mut Harness, members: &mut [Member]) -> (usize, usize) {
    let mut heartbeats = 0;
    for round in 1..=50 {
        for m in members.iter_mut() {
            let resp = h.heartbeat(&beat("g", &m.id, m.epoch, Some(&m.owned)));
            heartbeats += 1;
            assert_eq!(resp.error_code, 0, "{:?}", resp.error_message);
            m.epoch = resp.member_epoch;
            if let Some(a) = assignment_of(&resp) {
                m.owned = a;
            }
        }
        if h.groups.state("g") == Some(GroupState::Stable) {
            return (round, heartbeats);
        }
    }
    panic!("group did not stabilise in 50 rounds");
}

fn join_member(h: &mut Harness, id: String) -> Member {
    let resp = h.heartbeat(&join("g", &id, &["t"]));
    Member {
        id,
        epoch: resp.member_epoch,
        owned: assignment_of(&resp).unwrap_or_default(),
    }
}

#[test]
#[ignore = "prints figures; run explicitly in release mode"]
fn consumer_group_rebalance_figures() {
    let mut h = Harness::new();
    h.set_topic("t", PARTITIONS);
    let started = Instant::now();
    let mut members: Vec<Member> = (0..MEMBERS)
        .map(|i| join_member(&mut h, format!("member-{i:03}")))
        .collect();
    let (rounds, beats) = run_until_stable(&mut h, &mut members);
    println!(
        "initial: {MEMBERS} members joined one by one, {PARTITIONS} partitions: stable after {rounds} rounds / {beats} heartbeats, {:?}",
        started.elapsed()
    );

    // A member joins.
    let started = Instant::now();
    members.push(join_member(&mut h, "member-new".to_owned()));
    let (rounds, beats) = run_until_stable(&mut h, &mut members);
    println!(
        "member joins: stable after {rounds} rounds / {beats} heartbeats, {:?}",
        started.elapsed()
    );

    // A member leaves.
    let started = Instant::now();
    let leaver = members.remove(0);
    h.heartbeat(&beat("g", &leaver.id, -1, None));
    let (rounds, beats) = run_until_stable(&mut h, &mut members);
    println!(
        "member leaves: stable after {rounds} rounds / {beats} heartbeats, {:?}",
        started.elapsed()
    );

    // Steady-state heartbeats.
    let count = 200_000;
    let started = Instant::now();
    for i in 0..count {
        let m = &members[i % members.len()];
        let resp = h.heartbeat(&beat("g", &m.id, m.epoch, None));
        assert_eq!(resp.error_code, 0);
    }
    let elapsed = started.elapsed();
    println!(
        "steady heartbeats: {count} in {elapsed:?} = {:.0}/s",
        count as f64 / elapsed.as_secs_f64()
    );
    println!("records written in total: {}", h.log.len());
}
