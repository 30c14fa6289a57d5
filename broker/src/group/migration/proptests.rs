//! Random sequences over a mixed group: two classic (cooperative) clients form a classic group,
//! then consumer-protocol clients join (upgrading it), heartbeat, leave and rejoin while the
//! classic clients heartbeat, rejoin and sync as the coordinator tells them. Properties:
//! - no partition is ever consumed by two clients;
//! - once everyone keeps heartbeating, every partition is consumed by exactly one client;
//! - replaying every record written rebuilds identical persisted state.

use std::collections::{BTreeMap, BTreeSet};

use kafka_protocol::ResponseError;
use proptest::prelude::*;

use super::scenarios::{
    assert_disjoint_and_complete, assigned, received, stable_classic_group, Cluster, PARTITIONS,
};
use crate::group::config::MigrationPolicy;

const CONSUMERS: usize = 2;

#[derive(Debug, Clone)]
enum Event {
    /// Classic client i heartbeats, rejoining and syncing when told to.
    Classic(usize),
    /// Consumer client i heartbeats (joining first if it is out).
    Consumer(usize),
    /// Consumer client i leaves (epoch -1).
    Leave(usize),
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        3 => (0..2usize).prop_map(Event::Classic),
        3 => (0..CONSUMERS).prop_map(Event::Consumer),
        1 => (0..CONSUMERS).prop_map(Event::Leave),
    ]
}

struct ClassicClient {
    member_id: String,
    generation: i32,
    owned: Vec<i32>,
}

#[derive(Default)]
struct ConsumerClient {
    joined: bool,
    epoch: i32,
    owned: Vec<i32>,
}

impl ClassicClient {
    /// One heartbeat; on REBALANCE_IN_PROGRESS a rejoin reporting what it owns, then a sync
    /// whose assignment replaces what it consumes (cooperative: revoked partitions are dropped).
    fn step(&mut self, c: &mut Cluster) {
        let code = c.heartbeat(&self.member_id, self.generation);
        if code != ResponseError::RebalanceInProgress.code() {
            assert_eq!(code, 0, "classic heartbeat of {}", self.member_id);
            return;
        }
        let joined = received(c.join(&self.member_id, &self.owned));
        assert_eq!(joined.error_code, 0, "rejoin of {}", self.member_id);
        self.generation = joined.generation_id;
        let synced = received(c.sync(&self.member_id, self.generation, &[]));
        if synced.error_code == 0 {
            self.owned = assigned(&synced.assignment);
        } else {
            assert_eq!(synced.error_code, ResponseError::RebalanceInProgress.code());
        }
    }
}

impl ConsumerClient {
    fn step(&mut self, c: &mut Cluster, member_id: &str) {
        if !self.joined {
            let (epoch, owned) = c.consumer_join(member_id);
            self.joined = true;
            self.epoch = epoch;
            self.owned = owned;
            return;
        }
        let resp = c.consumer_heartbeat(member_id, self.epoch, Some(&self.owned));
        assert_eq!(resp.error_code, 0, "{:?}", resp.error_message);
        self.epoch = resp.member_epoch;
        if let Some(assignment) = resp.assignment {
            self.owned = assignment
                .topic_partitions
                .iter()
                .flat_map(|t| t.partitions.iter().copied())
                .collect();
        }
    }

    fn leave(&mut self, c: &mut Cluster, member_id: &str) {
        if self.joined {
            assert_eq!(c.consumer_heartbeat(member_id, -1, None).error_code, 0);
            *self = Self::default();
        }
    }
}

fn consumed(classic: &[ClassicClient], consumers: &[ConsumerClient]) -> BTreeMap<String, Vec<i32>> {
    let mut out: BTreeMap<String, Vec<i32>> = classic
        .iter()
        .map(|k| (k.member_id.clone(), k.owned.clone()))
        .collect();
    for (i, client) in consumers.iter().enumerate() {
        out.insert(format!("consumer-{i}"), client.owned.clone());
    }
    out
}

fn assert_no_double_ownership(owned: &BTreeMap<String, Vec<i32>>) {
    let mut seen = BTreeSet::new();
    for (member, partitions) in owned {
        for p in partitions {
            assert!(
                seen.insert(*p),
                "partition {p} consumed twice (again by {member}): {owned:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn mixed_groups_never_double_assign_and_replay_rebuilds_them(
        events in proptest::collection::vec(event(), 1..60)
    ) {
        let (mut c, a, b) = stable_classic_group(MigrationPolicy::Upgrade);
        let mut classic = vec![
            ClassicClient { member_id: a, generation: 1, owned: vec![0, 1, 2] },
            ClassicClient { member_id: b, generation: 1, owned: vec![3, 4, 5] },
        ];
        let mut consumers: Vec<ConsumerClient> =
            (0..CONSUMERS).map(|_| ConsumerClient::default()).collect();
        for event in events {
            match event {
                Event::Classic(i) => classic[i].step(&mut c),
                Event::Consumer(i) => consumers[i].step(&mut c, &format!("consumer-{i}")),
                Event::Leave(i) => consumers[i].leave(&mut c, &format!("consumer-{i}")),
            }
            assert_no_double_ownership(&consumed(&classic, &consumers));
        }
        for _ in 0..20 {
            for k in classic.iter_mut() {
                k.step(&mut c);
            }
            for (i, client) in consumers.iter_mut().enumerate() {
                if client.joined {
                    client.step(&mut c, &format!("consumer-{i}"));
                }
            }
            assert_no_double_ownership(&consumed(&classic, &consumers));
        }
        let owned = consumed(&classic, &consumers);
        assert_disjoint_and_complete(&owned);
        prop_assert_eq!(owned.values().map(Vec::len).sum::<usize>(), PARTITIONS as usize);
        c.assert_replay_rebuilds_state();
    }
}
