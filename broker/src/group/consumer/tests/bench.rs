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

#[test]
#[ignore = "prints figures; run explicitly in release mode"]
fn uniform_assignor_heterogeneous_figures() {
    use std::collections::BTreeMap;

    use uuid::Uuid;

    use crate::group::assignor::{
        GroupSpec, MemberSpec, PartitionAssignor, SubscribedTopicMetadata, TopicInfo,
        UniformAssignor,
    };

    let topics = SubscribedTopicMetadata {
        topics: (0..10u128)
            .map(|t| {
                (
                    Uuid::from_u128(t + 1),
                    TopicInfo {
                        name: format!("t{t}"),
                        num_partitions: 100,
                    },
                )
            })
            .collect(),
    };
    let mut members: BTreeMap<String, MemberSpec> = (0..MEMBERS)
        .map(|m| {
            let subscribed =
                (0..10u128).filter(|t| (m as u128 + t) & 1 == 0 || [0, 3, 6, 9].contains(t));
            let spec = MemberSpec {
                subscribed_topic_ids: subscribed.map(|t| Uuid::from_u128(t + 1)).collect(),
                ..MemberSpec::default()
            };
            (format!("member-{m:03}"), spec)
        })
        .collect();
    let started = Instant::now();
    let first = UniformAssignor.assign(&GroupSpec::new(members.clone()), &topics);
    println!(
        "heterogeneous uniform, {MEMBERS} members x 1000 partitions, from scratch: {:?}",
        started.elapsed()
    );
    for (m, spec) in members.iter_mut() {
        spec.assignment = first.members[m].clone();
    }
    members.remove("member-000");
    let started = Instant::now();
    let second = UniformAssignor.assign(&GroupSpec::new(members.clone()), &topics);
    let moved: usize = members
        .keys()
        .map(|m| {
            let before = &first.members[m];
            let after = &second.members[m];
            before
                .iter()
                .map(|(t, ps)| {
                    ps.difference(after.get(t).unwrap_or(&Default::default()))
                        .count()
                })
                .sum::<usize>()
        })
        .sum();
    println!("heterogeneous uniform, one member left: {:?}, partitions taken from remaining members: {moved}", started.elapsed());
}
