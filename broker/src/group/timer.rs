//! Deadlines of a coordinator shard: session timeouts, rebalance timeouts, the initial rebalance
//! delay, offset expiry. Pure data: the runtime sleeps until [`Timers::next_deadline`] and hands each
//! expired key back to the state machine that scheduled it.

use std::collections::{BTreeSet, HashMap};

/// What a timer is for. Scheduling a key that is already scheduled replaces its deadline.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum TimerKey {
    /// Classic group: end of the join phase (rebalance timeout or initial rebalance delay).
    ClassicJoin { group_id: String },
    /// Classic group: the leader's SyncGroup did not arrive within the rebalance timeout.
    ClassicSync { group_id: String },
    /// Classic group: a member's session expired (no heartbeat within `session.timeout.ms`).
    ClassicMemberSession { group_id: String, member_id: String },
    /// Classic group: a member id handed out by KIP-394 was not used to rejoin in time.
    ClassicPendingMember { group_id: String, member_id: String },
    /// Consumer group: a member's session expired (no heartbeat within the session timeout).
    ConsumerSession { group_id: String, member_id: String },
    /// Consumer group: a member did not revoke partitions within its rebalance timeout.
    ConsumerRebalance { group_id: String, member_id: String },
    /// Consumer group, classic member: told to rejoin, it did not within its rebalance timeout.
    ConsumerClassicJoin { group_id: String, member_id: String },
    /// Consumer group, classic member: joined, it did not sync within its rebalance timeout.
    ConsumerClassicSync { group_id: String, member_id: String },
    /// Periodic expiry of committed offsets (`offsets.retention.check.interval.ms`).
    OffsetsExpiry,
}

/// The scheduled deadlines of one shard.
#[derive(Debug, Default)]
pub(crate) struct Timers {
    by_deadline: BTreeSet<(i64, u64, TimerKey)>,
    by_key: HashMap<TimerKey, (i64, u64)>,
    next_seq: u64,
}

impl Timers {
    /// Schedules `key` to fire at `deadline_ms`, replacing an earlier schedule of the same key.
    pub(crate) fn schedule(&mut self, key: TimerKey, deadline_ms: i64) {
        self.cancel(&key);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_deadline.insert((deadline_ms, seq, key.clone()));
        self.by_key.insert(key, (deadline_ms, seq));
    }

    /// Cancels `key`; returns whether it was scheduled.
    pub(crate) fn cancel(&mut self, key: &TimerKey) -> bool {
        match self.by_key.remove(key) {
            Some((deadline, seq)) => {
                self.by_deadline.remove(&(deadline, seq, key.clone()));
                true
            }
            None => false,
        }
    }

    /// Whether `key` is scheduled.
    pub(crate) fn is_scheduled(&self, key: &TimerKey) -> bool {
        self.by_key.contains_key(key)
    }

    /// The deadline of `key`, if scheduled (tests check what was armed).
    #[cfg(test)]
    pub(crate) fn deadline(&self, key: &TimerKey) -> Option<i64> {
        self.by_key.get(key).map(|(deadline, _)| *deadline)
    }

    /// The earliest deadline, if any.
    pub(crate) fn next_deadline(&self) -> Option<i64> {
        self.by_deadline.first().map(|(deadline, _, _)| *deadline)
    }

    /// Removes and returns every key whose deadline is at or before `now_ms`, earliest first.
    pub(crate) fn pop_expired(&mut self, now_ms: i64) -> Vec<TimerKey> {
        let mut expired = Vec::new();
        while let Some((deadline, _, _)) = self.by_deadline.first() {
            if *deadline > now_ms {
                break;
            }
            let Some((_, _, key)) = self.by_deadline.pop_first() else {
                break;
            };
            self.by_key.remove(&key);
            expired.push(key);
        }
        expired
    }

    /// Cancels every timer of `group_id` (the group was deleted or unloaded).
    pub(crate) fn cancel_group(&mut self, group_id: &str) {
        let keys: Vec<TimerKey> = self
            .by_key
            .keys()
            .filter(|key| key.group_id() == Some(group_id))
            .cloned()
            .collect();
        for key in keys {
            self.cancel(&key);
        }
    }
}

impl TimerKey {
    /// The group a timer belongs to, if any.
    pub(crate) fn group_id(&self) -> Option<&str> {
        match self {
            Self::ClassicJoin { group_id }
            | Self::ClassicSync { group_id }
            | Self::ClassicMemberSession { group_id, .. }
            | Self::ClassicPendingMember { group_id, .. }
            | Self::ConsumerSession { group_id, .. }
            | Self::ConsumerRebalance { group_id, .. }
            | Self::ConsumerClassicJoin { group_id, .. }
            | Self::ConsumerClassicSync { group_id, .. } => Some(group_id),
            Self::OffsetsExpiry => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(member: &str) -> TimerKey {
        TimerKey::ConsumerSession {
            group_id: "g".into(),
            member_id: member.into(),
        }
    }

    #[test]
    fn expired_timers_come_out_earliest_first_and_only_once() {
        let mut timers = Timers::default();
        timers.schedule(session("b"), 20);
        timers.schedule(session("a"), 10);
        timers.schedule(TimerKey::OffsetsExpiry, 30);
        assert_eq!(timers.pop_expired(20), vec![session("a"), session("b")]);
        assert!(timers.pop_expired(20).is_empty());
        assert_eq!(timers.next_deadline(), Some(30));
    }

    #[test]
    fn rescheduling_a_key_replaces_its_deadline() {
        let mut timers = Timers::default();
        timers.schedule(session("a"), 10);
        timers.schedule(session("a"), 50);
        assert!(timers.pop_expired(49).is_empty());
        assert_eq!(timers.deadline(&session("a")), Some(50));
    }

    #[test]
    fn cancelling_a_group_leaves_other_groups_timers() {
        let mut timers = Timers::default();
        timers.schedule(session("a"), 10);
        timers.schedule(
            TimerKey::ClassicJoin {
                group_id: "other".into(),
            },
            10,
        );
        timers.cancel_group("g");
        assert_eq!(
            timers.pop_expired(10),
            vec![TimerKey::ClassicJoin {
                group_id: "other".into()
            }]
        );
    }
}
