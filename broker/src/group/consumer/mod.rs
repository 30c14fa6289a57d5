//! KIP-848 consumer groups: the pure state machine behind ConsumerGroupHeartbeat (Kafka's
//! `GroupMetadataManager` consumer-group half, `ConsumerGroup`, `CurrentAssignmentBuilder`).
//!
//! Every change to persisted state is a record; operations build records and apply each one with
//! [`ConsumerGroups::replay`] as they go, the same function that rebuilds the state on load, so
//! live traffic and recovery share one path. All validation that can fail happens before the
//! first record is built, so a refused request changes nothing. Timers (session, rebalance) and
//! the partition-ownership index are ephemeral or derived and are rebuilt/rescheduled by traffic.
//!
//! Records written (Kafka 4.0's set): `ConsumerGroupMetadata` (group epoch),
//! `ConsumerGroupPartitionMetadata` (subscribed topics; Kafka 4.1's metadata hash is replayed but
//! not written), `ConsumerGroupMemberMetadata`, `ConsumerGroupTargetAssignmentMetadata`/`Member`,
//! `ConsumerGroupCurrentMemberAssignment`, `ConsumerGroupRegularExpression`, and their tombstones.
//!
//! Where this differs from Kafka: regular expressions are resolved on the group's next heartbeat
//! after the one that first used them (so, as in Kafka, that heartbeat's assignment leaves their
//! topics out) and again on every new metadata image, instead of by Kafka's batched background
//! refresh; the subscribed-topic metadata is refreshed when the image changes instead of on
//! Kafka's refresh interval; generated member ids (ConsumerGroupHeartbeat v0 only) are hyphenated
//! UUIDs rather than Kafka's base64 form; assignors are not rack-aware.

mod admin;
mod classic_member;
mod group;
mod heartbeat;
mod member;
mod reconciliation;
mod records;
mod replay;
mod subscription;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use strata_protocol::group_records::GroupRecord;

use self::group::ConsumerGroup;
#[cfg(test)]
use self::group::PersistedGroup;
use super::migration::DowngradedGroup;
use super::op_context::OpContext;
use super::result::CoordinatorResult;
use super::timer::TimerKey;

#[cfg(test)]
pub(crate) use self::group::GroupState;
#[cfg(test)]
pub(crate) use self::member::MemberState;

/// All consumer groups of one `__consumer_offsets` partition.
#[derive(Debug)]
pub(crate) struct ConsumerGroups {
    /// Groups by id (ordered, so listings and iteration are deterministic).
    groups: BTreeMap<String, ConsumerGroup>,
    /// Generates member ids for v0 clients that join without one (Kafka: a random UUID).
    member_id_source: fn() -> String,
    /// Groups converted to classic groups by the last operation, for the shard to hand over.
    downgraded: Vec<DowngradedGroup>,
}

impl Default for ConsumerGroups {
    fn default() -> Self {
        Self::new()
    }
}

/// A random member id in Kafka's `Uuid.toString()` form: the 16 bytes in URL-safe base64 without
/// padding (22 characters), never starting with `-` (Kafka draws again then, so ids cannot be
/// mistaken for command-line flags).
pub(super) fn random_member_id() -> String {
    loop {
        let id = base64_url(uuid::Uuid::new_v4().as_bytes());
        if !id.starts_with('-') {
            return id;
        }
    }
}

/// URL-safe base64 without padding.
pub(super) fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

impl ConsumerGroups {
    /// No groups; member ids generated as random UUIDs.
    pub(crate) fn new() -> Self {
        Self {
            groups: BTreeMap::new(),
            member_id_source: random_member_id,
            downgraded: Vec::new(),
        }
    }

    /// No groups; member ids for v0 joins come from `source` (deterministic tests).
    #[cfg(test)]
    pub(crate) fn with_member_id_source(source: fn() -> String) -> Self {
        Self {
            groups: BTreeMap::new(),
            member_id_source: source,
            downgraded: Vec::new(),
        }
    }

    /// Whether `group_id` is a consumer group of this shard.
    pub(crate) fn contains(&self, group_id: &str) -> bool {
        self.groups.contains_key(group_id)
    }

    /// Whether the group has no members (true for a group this shard does not have).
    pub(crate) fn is_empty(&self, group_id: &str) -> bool {
        self.groups
            .get(group_id)
            .is_none_or(|g| g.persisted.members.is_empty())
    }

    /// The group's state, if the group exists.
    #[cfg(test)]
    pub(crate) fn state(&self, group_id: &str) -> Option<GroupState> {
        self.groups.get(group_id).map(ConsumerGroup::state)
    }

    /// Handles a timer this state machine scheduled: a member's session expired
    /// (`ConsumerSession`), it did not revoke in time (`ConsumerRebalance`), or a classic member
    /// did not rejoin or sync in time (`ConsumerClassicJoin`/`Sync`); all fence the member. Other keys and stale timers (the member left or moved on) do nothing.
    pub(crate) fn on_timer(
        &mut self,
        ctx: &mut OpContext<'_>,
        key: &TimerKey,
    ) -> CoordinatorResult<()> {
        let mut records = Vec::new();
        match key {
            TimerKey::ConsumerSession {
                group_id,
                member_id,
            }
            | TimerKey::ConsumerClassicJoin {
                group_id,
                member_id,
            }
            | TimerKey::ConsumerClassicSync {
                group_id,
                member_id,
            } if self.member(group_id, member_id).is_some() => {
                self.fence_member(ctx, group_id, member_id, &mut records);
            }
            TimerKey::ConsumerRebalance {
                group_id,
                member_id,
            } => {
                let armed_at = self
                    .groups
                    .get(group_id)
                    .and_then(|g| g.rebalance_timer_epochs.get(member_id))
                    .copied();
                if let Some(member) = self.member(group_id, member_id) {
                    if armed_at == Some(member.member_epoch) {
                        self.fence_member(ctx, group_id, member_id, &mut records);
                    }
                }
            }
            _ => {}
        }
        CoordinatorResult::with_records(records, ())
    }

    /// Reacts to a new metadata image (topics created or deleted, partitions added): re-resolves
    /// regular expressions, recomputes every group's subscribed-topic metadata, and where it
    /// changed bumps the group epoch and recomputes the target assignment. Members then reconcile
    /// on their next heartbeat.
    pub(crate) fn on_metadata_image(&mut self, ctx: &mut OpContext<'_>) -> CoordinatorResult<()> {
        let mut records = Vec::new();
        let group_ids: Vec<String> = self.groups.keys().cloned().collect();
        for group_id in group_ids {
            let checked = self
                .groups
                .get(&group_id)
                .and_then(|g| g.metadata_checked_at);
            let resolved = self.resolve_pending_regexes(ctx, &group_id, None, &mut records);
            if checked == Some(ctx.image.offset) && !resolved {
                continue;
            }
            if self.refresh_subscriptions(ctx, &group_id, true, &mut records) || resolved {
                let epoch = self
                    .groups
                    .get(&group_id)
                    .map_or(0, |g| g.persisted.group_epoch);
                self.emit(&mut records, records::group_epoch(&group_id, epoch + 1));
                if !self.is_empty(&group_id) {
                    self.update_target_assignment(ctx, &group_id, &mut records);
                }
            }
        }
        CoordinatorResult::with_records(records, ())
    }

    /// The persisted state of every group, for comparing a live state machine with one rebuilt
    /// by replaying its records.
    #[cfg(test)]
    pub(crate) fn persisted_view(&self) -> BTreeMap<String, PersistedGroup> {
        self.groups
            .iter()
            .map(|(id, g)| (id.clone(), g.persisted.clone()))
            .collect()
    }

    /// Appends `record` and applies it.
    fn emit(&mut self, records: &mut Vec<GroupRecord>, record: GroupRecord) {
        self.replay(&record);
        records.push(record);
    }

    fn member(&self, group_id: &str, member_id: &str) -> Option<&member::ConsumerGroupMember> {
        self.groups
            .get(group_id)
            .and_then(|g| g.persisted.members.get(member_id))
    }

    /// Removes a member (Kafka's `consumerGroupFenceMember`): tombstones for its records, its
    /// regex if nobody else uses it, new subscription metadata if it changed, a group epoch bump,
    /// and its timers cancelled.
    fn fence_member(
        &mut self,
        ctx: &mut OpContext<'_>,
        group_id: &str,
        member_id: &str,
        records: &mut Vec<GroupRecord>,
    ) {
        let Some(member) = self.member(group_id, member_id).cloned() else {
            return;
        };
        if self.downgrade_allowed_without(ctx, group_id, member_id) {
            self.downgrade(ctx, group_id, member_id, true, records);
            return;
        }
        self.emit(
            records,
            records::current_assignment_tombstone(group_id, member_id),
        );
        self.emit(
            records,
            records::target_member_tombstone(group_id, member_id),
        );
        self.emit(
            records,
            records::member_metadata_tombstone(group_id, member_id),
        );
        if let Some(regex) = &member.subscribed_topic_regex {
            self.maybe_drop_regex(group_id, regex, records);
        }
        self.refresh_subscriptions(ctx, group_id, false, records);
        let epoch = self
            .groups
            .get(group_id)
            .map_or(0, |g| g.persisted.group_epoch);
        self.emit(records, records::group_epoch(group_id, epoch + 1));
        cancel_member_timers(ctx, group_id, member_id);
    }
}

pub(super) fn cancel_member_timers(ctx: &mut OpContext<'_>, group_id: &str, member_id: &str) {
    ctx.timers.cancel(&TimerKey::ConsumerSession {
        group_id: group_id.to_owned(),
        member_id: member_id.to_owned(),
    });
    ctx.timers.cancel(&TimerKey::ConsumerRebalance {
        group_id: group_id.to_owned(),
        member_id: member_id.to_owned(),
    });
    ctx.timers.cancel(&TimerKey::ConsumerClassicJoin {
        group_id: group_id.to_owned(),
        member_id: member_id.to_owned(),
    });
    ctx.timers.cancel(&TimerKey::ConsumerClassicSync {
        group_id: group_id.to_owned(),
        member_id: member_id.to_owned(),
    });
}
