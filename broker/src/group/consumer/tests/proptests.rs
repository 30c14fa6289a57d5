//! Random join/leave/heartbeat/subscription/timer/metadata sequences with simulated clients that
//! revoke and take partitions like a real consumer. Properties:
//! - no partition is ever owned by two members, neither on the coordinator (assigned + pending
//!   revocation) nor by the clients (what they consume);
//! - once the sequence quiesces, every partition of every subscribed topic is assigned and the
//!   group is stable;
//! - replaying every record written rebuilds identical persisted state.

use std::collections::{BTreeMap, HashMap};

use kafka_protocol::protocol::StrBytes;
use proptest::prelude::*;
use uuid::Uuid;

use super::{assignment_of, beat, join, Harness};
use crate::group::assignor::TopicPartitions;
use crate::group::consumer::GroupState;
use crate::group::timer::TimerKey;

const TOPICS: [&str; 3] = ["t0", "t1", "t2"];
/// Regex subscriptions a client may pick (subscription values 8, 9, 10).
const REGEXES: [&str; 3] = ["t.*", "t[01]", "t2"];
const CLIENTS: usize = 5;

#[derive(Debug, Clone)]
enum Event {
    /// Client heartbeats (joining first if it is not in the group).
    Heartbeat(usize),
    /// Client leaves the group (epoch -1; static clients sometimes -2).
    Leave(usize, bool),
    /// Client changes its subscription (1..8: bit mask over TOPICS; 8..11: a regex of REGEXES).
    Subscribe(usize, u8),
    /// Client crashes: it stops consuming and its session expires.
    Crash(usize),
    /// Client stalls past its rebalance timeout: it drops its partitions; the timer fires.
    Stall(usize),
    /// A topic gets more partitions, is created, or is deleted.
    Metadata(usize, i32),
    /// A heartbeat response is lost (the client keeps its old epoch and partitions).
    LostResponse(usize),
    /// Client asks for another server assignor (`range` when true, else `uniform`).
    Assignor(usize, bool),
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        8 => (0..CLIENTS).prop_map(Event::Heartbeat),
        1 => (0..CLIENTS, any::<bool>()).prop_map(|(c, s)| Event::Leave(c, s)),
        1 => (0..CLIENTS, 1u8..11).prop_map(|(c, m)| Event::Subscribe(c, m)),
        1 => (0..CLIENTS).prop_map(Event::Crash),
        1 => (0..CLIENTS).prop_map(Event::Stall),
        1 => (0..TOPICS.len(), -1i32..6).prop_map(|(t, n)| Event::Metadata(t, n)),
        1 => (0..CLIENTS).prop_map(Event::LostResponse),
        1 => (0..CLIENTS, any::<bool>()).prop_map(|(c, r)| Event::Assignor(c, r)),
    ]
}

/// A consumer as the coordinator sees it from the outside.
#[derive(Debug, Clone)]
struct Client {
    /// Member id of the current incarnation (changes when a crashed client restarts).
    member_id: String,
    /// Static instance id (clients 0 and 1 are static).
    instance_id: Option<String>,
    incarnation: u32,
    joined: bool,
    epoch: i32,
    owned: TopicPartitions,
    subscription: u8,
    subscription_changed: bool,
    /// The last response was lost: like a real client, send a full request next (which makes
    /// the coordinator repeat the assignment).
    send_full: bool,
    /// The server assignor to ask for in the next heartbeat.
    assignor: Option<&'static str>,
}

impl Client {
    fn new(i: usize) -> Self {
        Self {
            member_id: format!("c{i}-0"),
            instance_id: (i < 2).then(|| format!("instance-{i}")),
            incarnation: 0,
            joined: false,
            epoch: 0,
            owned: TopicPartitions::new(),
            subscription: 1 | ((i as u8) & 2),
            subscription_changed: false,
            send_full: false,
            assignor: None,
        }
    }

    fn regex(&self) -> Option<&'static str> {
        (self.subscription >= 8).then(|| REGEXES[usize::from(self.subscription - 8)])
    }

    /// Topics subscribed by name (none for a regex subscription).
    fn topics(&self) -> Vec<&'static str> {
        if self.regex().is_some() {
            return Vec::new();
        }
        TOPICS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.subscription & (1 << i) != 0)
            .map(|(_, t)| *t)
            .collect()
    }

    /// Topics the client should end up consuming from, given the existing topics.
    fn expected_topics(&self, existing: &[String]) -> Vec<String> {
        match self.regex() {
            Some(r) => {
                let re = regex::Regex::new(&format!("^(?:{r})$")).expect("valid test regex");
                existing
                    .iter()
                    .filter(|t| re.is_match(t))
                    .cloned()
                    .collect()
            }
            None => self
                .topics()
                .iter()
                .map(|t| (*t).to_owned())
                .filter(|t| existing.contains(t))
                .collect(),
        }
    }

    /// Forget everything and come back as a new process.
    fn restart(&mut self, index: usize) {
        self.incarnation += 1;
        self.member_id = format!("c{index}-{}", self.incarnation);
        self.joined = false;
        self.epoch = 0;
        self.owned.clear();
    }
}

struct Sim {
    h: Harness,
    clients: Vec<Client>,
}

impl Sim {
    fn new() -> Self {
        let mut h = Harness::new();
        h.set_topic("t0", 4);
        h.set_topic("t1", 3);
        h.metadata_changed();
        Self {
            h,
            clients: (0..CLIENTS).map(Client::new).collect(),
        }
    }

    fn heartbeat(&mut self, i: usize, deliver: bool) {
        let c = &self.clients[i];
        let mut req = if c.joined {
            let mut req = beat("g", &c.member_id, c.epoch, Some(&c.owned));
            if c.subscription_changed || c.send_full {
                req.subscribed_topic_names = join("g", "", &c.topics()).subscribed_topic_names;
                req.subscribed_topic_regex =
                    Some(StrBytes::from_static_str(c.regex().unwrap_or("")));
            }
            if c.send_full {
                req.rebalance_timeout_ms = 30_000;
            }
            req
        } else {
            let mut req = join("g", &c.member_id, &c.topics());
            req.subscribed_topic_regex = c.regex().map(StrBytes::from_static_str);
            req
        };
        req.server_assignor = c.assignor.map(StrBytes::from_static_str);
        req.instance_id = c
            .instance_id
            .as_deref()
            .map(|s| StrBytes::from_string(s.to_owned()));
        let resp = self.h.heartbeat(&req);
        let c = &mut self.clients[i];
        if !deliver {
            c.send_full = true;
            return;
        }
        c.subscription_changed = false;
        c.send_full = false;
        if resp.error_code != 0 {
            // Fenced, unknown member, unreleased instance: the consumer drops its partitions and
            // comes back as a new process (a new member id).
            c.restart(i);
            return;
        }
        c.joined = true;
        c.epoch = resp.member_epoch;
        if let Some(assignment) = assignment_of(&resp) {
            c.owned = assignment;
        }
    }

    fn apply(&mut self, e: &Event) {
        match *e {
            Event::Heartbeat(i) => self.heartbeat(i, true),
            Event::Assignor(i, range) => {
                self.clients[i].assignor = Some(if range { "range" } else { "uniform" });
            }
            Event::LostResponse(i) => {
                if self.clients[i].joined {
                    self.heartbeat(i, false);
                }
            }
            Event::Leave(i, temporary) => {
                let c = &self.clients[i];
                if c.joined {
                    let epoch = if temporary && c.instance_id.is_some() {
                        -2
                    } else {
                        -1
                    };
                    let mut req = beat("g", &c.member_id, epoch, None);
                    req.instance_id = c
                        .instance_id
                        .as_deref()
                        .map(|s| StrBytes::from_string(s.to_owned()));
                    self.h.heartbeat(&req);
                    self.clients[i].restart(i);
                }
            }
            Event::Subscribe(i, mask) => {
                let c = &mut self.clients[i];
                c.subscription = mask;
                c.subscription_changed = true;
            }
            Event::Crash(i) => {
                let member_id = self.clients[i].member_id.clone();
                self.clients[i].restart(i);
                self.h.fire(&TimerKey::ConsumerSession {
                    group_id: "g".into(),
                    member_id,
                });
            }
            Event::Stall(i) => {
                let key = TimerKey::ConsumerRebalance {
                    group_id: "g".into(),
                    member_id: self.clients[i].member_id.clone(),
                };
                if self.h.timers.is_scheduled(&key) {
                    // The client's own poll timer expired too: it gave its partitions up.
                    self.clients[i].owned.clear();
                    self.clients[i].joined = false;
                    self.clients[i].epoch = 0;
                    self.h.timers.cancel(&key);
                    self.h.fire(&key);
                }
            }
            Event::Metadata(t, n) => {
                let name = TOPICS[t];
                let current = self
                    .h
                    .image
                    .topics
                    .get_by_name(name)
                    .map_or(0, |t| t.partitions.len() as i32);
                if n < 0 {
                    self.h.delete_topic(name);
                } else if n > current || current == 0 {
                    self.h.set_topic(name, n.max(1));
                }
                self.h.metadata_changed();
            }
        }
        self.check_exclusive_ownership();
    }

    fn check_exclusive_ownership(&self) {
        let group = self.h.groups.groups.get("g");
        let mut server: HashMap<(Uuid, i32), &str> = HashMap::new();
        if let Some(group) = group {
            for (id, m) in &group.persisted.members {
                for (t, ps) in m
                    .assigned_partitions
                    .iter()
                    .chain(&m.partitions_pending_revocation)
                {
                    for p in ps {
                        let previous = server.insert((*t, *p), id);
                        assert!(
                            previous.is_none(),
                            "{t}-{p} owned by {id} and {previous:?} on the coordinator"
                        );
                    }
                }
            }
        }
        let mut client: HashMap<(Uuid, i32), &str> = HashMap::new();
        for c in &self.clients {
            for (t, ps) in &c.owned {
                for p in ps {
                    let previous = client.insert((*t, *p), &c.member_id);
                    assert!(
                        previous.is_none(),
                        "{t}-{p} consumed by {} and {previous:?}",
                        c.member_id
                    );
                    // What a client consumes, the coordinator knows it owns.
                    assert_eq!(
                        server.get(&(*t, *p)).copied(),
                        Some(c.member_id.as_str()),
                        "{t}-{p}"
                    );
                }
            }
        }
    }

    /// Lets every client heartbeat until nothing changes; members without a live client expire.
    fn quiesce(&mut self) {
        for _ in 0..12 {
            let current: Vec<String> = self.clients.iter().map(|c| c.member_id.clone()).collect();
            let orphans: Vec<String> = self
                .h
                .groups
                .groups
                .get("g")
                .map(|g| {
                    g.persisted
                        .members
                        .keys()
                        .filter(|m| !current.contains(m))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            for member_id in orphans {
                self.h.fire(&TimerKey::ConsumerSession {
                    group_id: "g".into(),
                    member_id,
                });
            }
            for i in 0..CLIENTS {
                self.heartbeat(i, true);
                self.check_exclusive_ownership();
            }
        }
    }

    fn check_everything_assigned(&self) {
        let group = &self.h.groups.groups["g"];
        assert_eq!(group.state(), GroupState::Stable, "{:#?}", group.persisted);
        let mut expected: BTreeMap<Uuid, i32> = BTreeMap::new();
        let existing: Vec<String> = self.h.image.topics.by_name.keys().cloned().collect();
        for c in &self.clients {
            for name in c.expected_topics(&existing) {
                if let Some(t) = self.h.image.topics.get_by_name(&name) {
                    expected.insert(t.id, t.partitions.len() as i32);
                }
            }
        }
        for (topic_id, n) in expected {
            for p in 0..n {
                assert!(
                    group.partition_owner(&topic_id, p).is_some(),
                    "{topic_id}-{p} unassigned"
                );
            }
        }
        for c in &self.clients {
            assert_eq!(
                c.owned, group.persisted.members[&c.member_id].assigned_partitions,
                "{}",
                c.member_id
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn partitions_are_never_shared_and_all_get_assigned_and_replay_rebuilds_state(
        events in prop::collection::vec(event(), 1..120)
    ) {
        let mut sim = Sim::new();
        for (n, e) in events.iter().enumerate() {
            sim.apply(e);
            sim.h.now_ms += 100;
            if n % 10 == 9 {
                // Mid-rebalance too, the log alone rebuilds the state.
                sim.h.assert_replay_rebuilds_state();
            }
        }
        sim.quiesce();
        sim.check_everything_assigned();
        sim.h.assert_replay_rebuilds_state();
    }
}
