//! What every simulated member last saw, and the wait for the whole group to be stable.
//!
//! Members publish their view after each response; the driver wakes on every publication and
//! checks the group-wide condition. The time of stability is the time of the publication that
//! made the condition true: the moment the last member reported a stable assignment.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use tokio::sync::watch;

/// One member's view after its latest response.
#[derive(Debug, Clone)]
pub(crate) struct MemberView {
    /// The member takes part in the group (false once the driver made it leave).
    pub(crate) active: bool,
    /// Member epoch (consumer protocol) or generation (classic) of the latest answer.
    pub(crate) generation: i32,
    /// Partitions the member owns now.
    pub(crate) owned: BTreeSet<i32>,
    /// The coordinator has been told what the member owns and nothing is left to reconcile
    /// (consumer protocol), or the member has its SyncGroup assignment (classic).
    pub(crate) settled: bool,
    /// When this view was published.
    pub(crate) at: Instant,
}

impl MemberView {
    fn joining() -> Self {
        Self {
            active: true,
            generation: -1,
            owned: BTreeSet::new(),
            settled: false,
            at: Instant::now(),
        }
    }
}

/// The views of all members, indexed by member number, plus a change counter to wake the driver.
pub(crate) struct GroupView {
    members: Mutex<Vec<MemberView>>,
    changes: watch::Sender<u64>,
}

/// A stable group: every active member at `generation`, each settled, partitions covered once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stable {
    /// The common generation or member epoch.
    pub(crate) generation: i32,
    /// When the last member reported it.
    pub(crate) at: Instant,
}

impl GroupView {
    /// An empty view; members are added by [`GroupView::add_member`].
    pub(crate) fn new() -> Arc<Self> {
        let (changes, _) = watch::channel(0);
        Arc::new(Self {
            members: Mutex::new(Vec::new()),
            changes,
        })
    }

    /// Adds a member that has not joined yet and returns its number.
    pub(crate) fn add_member(&self) -> usize {
        let mut members = self.members.lock().expect("view lock");
        members.push(MemberView::joining());
        members.len() - 1
    }

    /// Replaces member `index`'s view (stamped now) and wakes the driver.
    pub(crate) fn publish(
        &self,
        index: usize,
        generation: i32,
        owned: &BTreeSet<i32>,
        settled: bool,
    ) {
        {
            let mut members = self.members.lock().expect("view lock");
            let view = &mut members[index];
            view.generation = generation;
            view.owned.clone_from(owned);
            view.settled = settled;
            view.at = Instant::now();
        }
        self.changes.send_modify(|n| *n += 1);
    }

    /// Takes member `index` out of the stability condition (it is leaving).
    pub(crate) fn deactivate(&self, index: usize) {
        self.members.lock().expect("view lock")[index].active = false;
        self.changes.send_modify(|n| *n += 1);
    }

    /// A copy of every member's view.
    pub(crate) fn snapshot(&self) -> Vec<MemberView> {
        self.members.lock().expect("view lock").clone()
    }

    /// Waits until the group is stable at a generation above `generation_floor`, or fails after
    /// `timeout` with a summary of what was missing.
    pub(crate) async fn wait_stable(
        &self,
        partitions: i32,
        generation_floor: i32,
        timeout: Duration,
    ) -> Result<Stable> {
        let mut changes = self.changes.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            changes.borrow_and_update();
            let members = self.snapshot();
            if let Some(stable) = stable(&members, partitions, generation_floor) {
                return Ok(stable);
            }
            if tokio::time::timeout_at(deadline, changes.changed())
                .await
                .is_err()
            {
                bail!(
                    "group not stable within {timeout:?}: {}",
                    summary(&members, partitions)
                );
            }
        }
    }
}

/// The stability condition over all active members.
fn stable(members: &[MemberView], partitions: i32, generation_floor: i32) -> Option<Stable> {
    let active: Vec<&MemberView> = members.iter().filter(|m| m.active).collect();
    let first = active.first()?;
    let generation = first.generation;
    if generation <= generation_floor {
        return None;
    }
    let mut covered = BTreeSet::new();
    let mut owned_total = 0usize;
    let mut at = first.at;
    for member in &active {
        if !member.settled || member.generation != generation {
            return None;
        }
        owned_total += member.owned.len();
        covered.extend(member.owned.iter().copied());
        at = at.max(member.at);
    }
    let all = usize::try_from(partitions).unwrap_or(0);
    (owned_total == all && covered.len() == all).then_some(Stable { generation, at })
}

fn summary(members: &[MemberView], partitions: i32) -> String {
    let active: Vec<&MemberView> = members.iter().filter(|m| m.active).collect();
    let generations: BTreeSet<i32> = active.iter().map(|m| m.generation).collect();
    let unsettled = active.iter().filter(|m| !m.settled).count();
    let owned: usize = active.iter().map(|m| m.owned.len()).sum();
    format!(
        "{} active members, generations {generations:?}, {unsettled} unsettled, {owned} of {partitions} partitions owned",
        active.len()
    )
}
