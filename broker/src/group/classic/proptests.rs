//! Random join/sync/heartbeat/leave/timer sequences over several simulated clients.
//!
//! Properties: within one generation every member receives the assignment of one leader sync
//! and no partition goes to two clients; clients that keep following the protocol always reach
//! a Stable generation that includes all of them; replaying every record written rebuilds the
//! persisted state after every step.

use std::collections::BTreeMap;

use bytes::Bytes;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::ResponseError;
use proptest::prelude::*;
use tokio::sync::oneshot::error::TryRecvError;
use tokio::sync::oneshot::Receiver;

use super::harness::{group_id, join_request, s, sync_request, Harness, GROUP};
use super::*;

const CLIENTS: usize = 4;
const PARTITIONS: i32 = 6;

#[derive(Debug, Clone)]
enum Action {
    /// The client takes the next step a well-behaved consumer would.
    Behave {
        client: usize,
    },
    Join {
        client: usize,
        old_version: bool,
    },
    Sync {
        client: usize,
    },
    Heartbeat {
        client: usize,
    },
    Leave {
        client: usize,
    },
    /// The client process restarts: it forgets its member id and parked requests and rejoins.
    Restart {
        client: usize,
    },
    /// The client rejoins with a changed subscription.
    Resubscribe {
        client: usize,
    },
    Advance {
        ms: i64,
    },
}

fn action() -> impl Strategy<Value = Action> {
    let client = 0..CLIENTS;
    prop_oneof![
        8 => client.clone().prop_map(|client| Action::Behave { client }),
        2 => (client.clone(), any::<bool>()).prop_map(|(client, old_version)| Action::Join { client, old_version }),
        2 => client.clone().prop_map(|client| Action::Sync { client }),
        2 => client.clone().prop_map(|client| Action::Heartbeat { client }),
        1 => client.clone().prop_map(|client| Action::Leave { client }),
        1 => client.clone().prop_map(|client| Action::Restart { client }),
        1 => client.prop_map(|client| Action::Resubscribe { client }),
        4 => prop::sample::select(vec![100_i64, 1_000, 1_000, 3_000, 10_000, 30_000])
            .prop_map(|ms| Action::Advance { ms }),
    ]
}

/// A consumer as the simulation drives it. Client 0 is static.
#[derive(Default)]
struct Client {
    instance: Option<String>,
    member_id: String,
    join_rx: Option<Receiver<JoinGroupResponse>>,
    sync_rx: Option<Receiver<SyncGroupResponse>>,
    joined: Option<JoinGroupResponse>,
    synced_generation: Option<i32>,
    active: bool,
    needs_rejoin: bool,
    subscription: u8,
}

/// What was handed out per generation: the leader sync it came from and each client's partitions.
type Handed = BTreeMap<i32, (String, BTreeMap<usize, Vec<i32>>)>;

struct Sim {
    h: Harness,
    clients: Vec<Client>,
    handed: Handed,
    syncs_sent: u32,
}

impl Sim {
    fn new() -> Self {
        let mut clients: Vec<Client> = (0..CLIENTS).map(|_| Client::default()).collect();
        clients[0].instance = Some("static-0".to_owned());
        Self {
            h: Harness::new(),
            clients,
            handed: Handed::new(),
            syncs_sent: 0,
        }
    }

    fn join(&mut self, i: usize, old_version: bool) {
        if self.clients[i].join_rx.is_some() {
            return;
        }
        let client = &mut self.clients[i];
        client.active = true;
        client.needs_rejoin = false;
        client.joined = None;
        client.synced_generation = None;
        let metadata = [client.subscription];
        let req = join_request(&client.member_id, &[("range", &metadata)])
            .with_group_instance_id(client.instance.clone().map(|i| s(&i)));
        self.h.version = if old_version { 3 } else { 9 };
        let rx = self.h.join(&req);
        self.clients[i].join_rx = Some(rx);
    }

    /// The simulated leader's range assignment over the members of its join response, tagged
    /// with a nonce naming this sync.
    fn assignments(&mut self, i: usize, response: &JoinGroupResponse) -> Vec<(String, Bytes)> {
        self.syncs_sent += 1;
        let nonce = format!(
            "{}:{}:{}",
            self.clients[i].member_id, response.generation_id, self.syncs_sent
        );
        let mut members: Vec<String> = response
            .members
            .iter()
            .map(|m| m.member_id.to_string())
            .collect();
        members.sort();
        let count = members.len() as i32;
        members
            .iter()
            .enumerate()
            .map(|(index, member)| {
                let index = index as i32;
                let partitions: Vec<String> = (0..PARTITIONS)
                    .filter(|p| p * count / PARTITIONS == index)
                    .map(|p| p.to_string())
                    .collect();
                (
                    member.clone(),
                    Bytes::from(format!("{nonce}|{}", partitions.join(","))),
                )
            })
            .collect()
    }

    fn sync(&mut self, i: usize) {
        let client = &self.clients[i];
        let Some(joined) = client.joined.clone() else {
            return;
        };
        if client.sync_rx.is_some() || client.synced_generation == Some(joined.generation_id) {
            return;
        }
        let member_id = client.member_id.clone();
        let assignments = if joined.leader.as_str() == member_id {
            self.assignments(i, &joined)
        } else {
            Vec::new()
        };
        let pairs: Vec<(&str, &[u8])> = assignments
            .iter()
            .map(|(m, a)| (m.as_str(), a.as_ref()))
            .collect();
        let req = sync_request(&member_id, joined.generation_id, &pairs)
            .with_group_instance_id(self.clients[i].instance.clone().map(|i| s(&i)));
        let rx = self.h.sync(&req);
        self.clients[i].sync_rx = Some(rx);
    }

    fn heartbeat(&mut self, i: usize) {
        let client = &self.clients[i];
        let Some(joined) = &client.joined else { return };
        if client.member_id.is_empty() {
            return;
        }
        let code = self
            .h
            .heartbeat(&client.member_id.clone(), joined.generation_id);
        self.on_error(i, code);
    }

    fn leave(&mut self, i: usize) {
        if self.clients[i].member_id.is_empty() {
            return;
        }
        let identity = MemberIdentity::default()
            .with_member_id(s(&self.clients[i].member_id))
            .with_group_instance_id(self.clients[i].instance.clone().map(|i| s(&i)));
        let req = LeaveGroupRequest::default()
            .with_group_id(group_id(GROUP))
            .with_members(vec![identity]);
        let _ = self.h.leave(&req, 5);
        let client = &mut self.clients[i];
        client.member_id.clear();
        client.joined = None;
        client.synced_generation = None;
        client.active = false;
    }

    fn restart(&mut self, i: usize) {
        let client = &mut self.clients[i];
        if !client.active {
            return;
        }
        // Dropping the receivers is what a vanished connection does to parked requests.
        client.join_rx = None;
        client.sync_rx = None;
        client.member_id.clear();
        self.join(i, false);
    }

    fn resubscribe(&mut self, i: usize) {
        if !self.clients[i].active || self.clients[i].join_rx.is_some() {
            return;
        }
        self.clients[i].subscription = self.clients[i].subscription.wrapping_add(1);
        self.join(i, false);
    }

    fn on_error(&mut self, i: usize, code: i16) {
        if code == 0 {
            return;
        }
        let client = &mut self.clients[i];
        client.needs_rejoin = true;
        if code == ResponseError::UnknownMemberId.code()
            || code == ResponseError::FencedInstanceId.code()
        {
            client.member_id.clear();
        }
    }

    /// Collects released responses; checks the assignment properties.
    fn poll(&mut self) -> Result<(), TestCaseError> {
        for i in 0..CLIENTS {
            if let Some(rx) = self.clients[i].join_rx.as_mut() {
                match rx.try_recv() {
                    Ok(response) => {
                        self.clients[i].join_rx = None;
                        if response.error_code == 0 {
                            self.clients[i].member_id = response.member_id.to_string();
                            self.clients[i].joined = Some(response);
                        } else if response.error_code == ResponseError::MemberIdRequired.code() {
                            self.clients[i].member_id = response.member_id.to_string();
                            self.clients[i].needs_rejoin = true;
                        } else {
                            self.on_error(i, response.error_code);
                        }
                    }
                    Err(TryRecvError::Empty) => {}
                    Err(TryRecvError::Closed) => {
                        prop_assert!(false, "a parked join was dropped unanswered")
                    }
                }
            }
            if let Some(rx) = self.clients[i].sync_rx.as_mut() {
                match rx.try_recv() {
                    Ok(response) => {
                        self.clients[i].sync_rx = None;
                        if response.error_code == 0 {
                            let generation = self.clients[i]
                                .joined
                                .as_ref()
                                .map_or(-1, |j| j.generation_id);
                            self.clients[i].synced_generation = Some(generation);
                            self.record_assignment(i, generation, &response.assignment)?;
                        } else {
                            self.on_error(i, response.error_code);
                        }
                    }
                    Err(TryRecvError::Empty) => {}
                    Err(TryRecvError::Closed) => {
                        prop_assert!(false, "a parked sync was dropped unanswered")
                    }
                }
            }
        }
        Ok(())
    }

    fn record_assignment(
        &mut self,
        i: usize,
        generation: i32,
        assignment: &Bytes,
    ) -> Result<(), TestCaseError> {
        if assignment.is_empty() {
            // The leader's list did not include this member (it joined under another id).
            return Ok(());
        }
        let text = std::str::from_utf8(assignment).expect("utf8");
        let (nonce, partitions) = text.split_once('|').expect("nonce");
        let partitions: Vec<i32> = partitions
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| p.parse().expect("int"))
            .collect();
        let entry = self
            .handed
            .entry(generation)
            .or_insert_with(|| (nonce.to_owned(), BTreeMap::new()));
        prop_assert_eq!(
            &entry.0,
            nonce,
            "two leader syncs handed out in generation {}",
            generation
        );
        for (other, theirs) in &entry.1 {
            if *other != i {
                prop_assert!(
                    partitions.iter().all(|p| !theirs.contains(p)),
                    "generation {} gave a partition to clients {} and {}",
                    generation,
                    i,
                    other
                );
            }
        }
        entry.1.insert(i, partitions);
        Ok(())
    }

    fn check_replay(&self) -> Result<(), TestCaseError> {
        prop_assert_eq!(
            self.h.replayed().persisted_view(),
            self.h.groups.persisted_view()
        );
        Ok(())
    }

    /// One round of a well-behaved client.
    fn behave(&mut self, i: usize) {
        let client = &self.clients[i];
        if !client.active || client.join_rx.is_some() || client.sync_rx.is_some() {
            return;
        }
        if client.member_id.is_empty() || client.needs_rejoin || client.joined.is_none() {
            self.join(i, false);
        } else if client.synced_generation != client.joined.as_ref().map(|j| j.generation_id) {
            self.sync(i);
        } else {
            self.heartbeat(i);
        }
    }

    fn settled(&self) -> bool {
        let active: Vec<&Client> = self.clients.iter().filter(|c| c.active).collect();
        let Some(group) = self.h.groups.groups.get(GROUP) else {
            return active.is_empty();
        };
        if active.is_empty() {
            return group.is(ClassicGroupState::Empty);
        }
        group.is(ClassicGroupState::Stable)
            && group.members.len() == active.len()
            && active.iter().all(|c| {
                group.members.contains_key(&c.member_id)
                    && c.synced_generation == Some(group.generation_id)
            })
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn rebalances_hand_out_one_disjoint_assignment_per_generation_settle_and_replay(
        actions in prop::collection::vec(action(), 1..150)
    ) {
        let mut sim = Sim::new();
        for action in actions {
            match action {
                Action::Behave { client } => sim.behave(client),
                Action::Join { client, old_version } => sim.join(client, old_version),
                Action::Sync { client } => sim.sync(client),
                Action::Heartbeat { client } => sim.heartbeat(client),
                Action::Leave { client } => sim.leave(client),
                Action::Restart { client } => sim.restart(client),
                Action::Resubscribe { client } => sim.resubscribe(client),
                Action::Advance { ms } => sim.h.advance(ms),
            }
            sim.poll()?;
            sim.check_replay()?;
        }
        // From here on every active client follows the protocol, heartbeating every second.
        let mut rounds = 0;
        while !sim.settled() {
            prop_assert!(rounds < 400, "group did not settle: state {}", sim.h.state());
            for i in 0..CLIENTS {
                sim.behave(i);
                sim.poll()?;
            }
            sim.h.advance(1_000);
            sim.poll()?;
            sim.check_replay()?;
            rounds += 1;
        }
    }
}
