//! Moving a member's current assignment toward its target (Kafka's `CurrentAssignmentBuilder`).
//!
//! Revocation comes before reassignment: a member first gives up what its target no longer holds
//! (staying at its epoch, state UNREVOKED_PARTITIONS), and only once it stops reporting those
//! partitions does it advance and receive new ones. A partition still owned by another member
//! (its partition epoch is not -1) is withheld (UNRELEASED_PARTITIONS) until released. Together
//! these guarantee no partition is owned by two members at once.

use std::collections::BTreeSet;

use uuid::Uuid;

use super::member::{ConsumerGroupMember, MemberState};
use crate::group::assignor::TopicPartitions;

/// The partitions a member reports owning in a heartbeat (`None`: not sent, unchanged).
pub(crate) type OwnedPartitions = Option<TopicPartitions>;

/// Inputs of one reconciliation step.
pub(crate) struct Reconciliation<'a> {
    /// The epoch of the target assignment.
    pub(crate) target_epoch: i32,
    /// The member's target partitions.
    pub(crate) target: &'a TopicPartitions,
    /// The epoch of the member currently owning a partition, -1 when free.
    pub(crate) partition_epoch: &'a dyn Fn(&Uuid, i32) -> i32,
    /// What the member reported owning.
    pub(crate) owned: &'a OwnedPartitions,
}

/// Why a member cannot be reconciled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReconciliationError {
    /// The member is in a state this coordinator does not know and still reports partitions: it
    /// must rejoin without partitions.
    UnknownStateWithPartitions,
}

/// The member after one step toward `input.target` (unchanged when nothing can move).
pub(crate) fn reconcile(
    member: &ConsumerGroupMember,
    input: &Reconciliation<'_>,
) -> Result<ConsumerGroupMember, ReconciliationError> {
    match member.state {
        MemberState::Stable => {
            if member.member_epoch != input.target_epoch {
                Ok(next_assignment(member, member.member_epoch, input))
            } else {
                Ok(member.clone())
            }
        }
        MemberState::UnrevokedPartitions => {
            if owns_any(input.owned, &member.partitions_pending_revocation) {
                Ok(member.clone())
            } else {
                Ok(next_assignment(member, member.member_epoch + 1, input))
            }
        }
        MemberState::UnreleasedPartitions => {
            Ok(next_assignment(member, member.member_epoch, input))
        }
        MemberState::Unknown => match input.owned {
            Some(owned) if owned.values().all(BTreeSet::is_empty) => {
                Ok(next_assignment(member, input.target_epoch, input))
            }
            _ => Err(ReconciliationError::UnknownStateWithPartitions),
        },
    }
}

/// Whether the member still reports any of `partitions` (`None` counts as yes: it did not say).
fn owns_any(owned: &OwnedPartitions, partitions: &TopicPartitions) -> bool {
    let Some(owned) = owned else { return true };
    owned.iter().any(|(topic_id, owned)| {
        partitions
            .get(topic_id)
            .is_some_and(|pending| owned.iter().any(|p| pending.contains(p)))
    })
}

fn next_assignment(
    member: &ConsumerGroupMember,
    member_epoch: i32,
    input: &Reconciliation<'_>,
) -> ConsumerGroupMember {
    let mut has_unreleased = false;
    let mut assigned = TopicPartitions::new();
    let mut pending_revocation = TopicPartitions::new();
    let mut pending_assignment = TopicPartitions::new();

    let topics: BTreeSet<&Uuid> = input
        .target
        .keys()
        .chain(member.assigned_partitions.keys())
        .collect();
    for topic_id in topics {
        let empty = BTreeSet::new();
        let target = input.target.get(topic_id).unwrap_or(&empty);
        let current = member.assigned_partitions.get(topic_id).unwrap_or(&empty);

        let kept: BTreeSet<i32> = current.intersection(target).copied().collect();
        let revoke: BTreeSet<i32> = current.difference(&kept).copied().collect();
        let mut add: BTreeSet<i32> = target.difference(&kept).copied().collect();
        let before = add.len();
        add.retain(|p| (input.partition_epoch)(topic_id, *p) == -1);
        has_unreleased |= add.len() != before;

        if !kept.is_empty() {
            assigned.insert(*topic_id, kept);
        }
        if !revoke.is_empty() {
            pending_revocation.insert(*topic_id, revoke);
        }
        if !add.is_empty() {
            pending_assignment.insert(*topic_id, add);
        }
    }

    let mut next = member.clone();
    if !pending_revocation.is_empty() && owns_any(input.owned, &pending_revocation) {
        // Stay at the current epoch until the client stops reporting the revoked partitions.
        set_epoch(&mut next, member_epoch);
        next.state = MemberState::UnrevokedPartitions;
        next.assigned_partitions = assigned;
        next.partitions_pending_revocation = pending_revocation;
    } else {
        for (topic_id, partitions) in pending_assignment {
            assigned.entry(topic_id).or_default().extend(partitions);
        }
        set_epoch(&mut next, input.target_epoch);
        next.state = if has_unreleased {
            MemberState::UnreleasedPartitions
        } else {
            MemberState::Stable
        };
        next.assigned_partitions = assigned;
        next.partitions_pending_revocation = TopicPartitions::new();
    }
    next
}

/// Kafka's `updateMemberEpoch`: the previous epoch becomes the one the member had, unless it is
/// unchanged (then the builder still records the old value as previous, like Kafka does).
fn set_epoch(member: &mut ConsumerGroupMember, epoch: i32) {
    let current = member.member_epoch;
    member.member_epoch = epoch;
    member.previous_member_epoch = current;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(pairs: &[(u128, &[i32])]) -> TopicPartitions {
        pairs
            .iter()
            .map(|(t, ps)| (Uuid::from_u128(*t), ps.iter().copied().collect()))
            .collect()
    }

    fn member(
        epoch: i32,
        state: MemberState,
        assigned: TopicPartitions,
        pending: TopicPartitions,
    ) -> ConsumerGroupMember {
        let mut m = ConsumerGroupMember::new("m");
        m.member_epoch = epoch;
        m.previous_member_epoch = epoch - 1;
        m.state = state;
        m.assigned_partitions = assigned;
        m.partitions_pending_revocation = pending;
        m
    }

    fn free(_: &Uuid, _: i32) -> i32 {
        -1
    }

    #[test]
    fn stable_member_with_only_new_partitions_moves_to_the_target_epoch() {
        let m = member(1, MemberState::Stable, tp(&[(1, &[0])]), tp(&[]));
        let target = tp(&[(1, &[0, 1])]);
        let owned = Some(tp(&[(1, &[0])]));
        let next = reconcile(
            &m,
            &Reconciliation {
                target_epoch: 2,
                target: &target,
                partition_epoch: &free,
                owned: &owned,
            },
        )
        .expect("known state");
        assert_eq!(
            (next.member_epoch, next.previous_member_epoch, next.state),
            (2, 1, MemberState::Stable)
        );
        assert_eq!(next.assigned_partitions, target);
    }

    #[test]
    fn member_that_must_revoke_stays_at_its_epoch_until_it_stops_reporting_the_partitions() {
        let m = member(1, MemberState::Stable, tp(&[(1, &[0, 1])]), tp(&[]));
        let target = tp(&[(1, &[0])]);
        let owned = Some(tp(&[(1, &[0, 1])]));
        let next = reconcile(
            &m,
            &Reconciliation {
                target_epoch: 2,
                target: &target,
                partition_epoch: &free,
                owned: &owned,
            },
        )
        .expect("known state");
        assert_eq!(
            (next.member_epoch, next.state),
            (1, MemberState::UnrevokedPartitions)
        );
        assert_eq!(next.assigned_partitions, tp(&[(1, &[0])]));
        assert_eq!(next.partitions_pending_revocation, tp(&[(1, &[1])]));

        // Still reporting partition 1: nothing moves.
        let again = reconcile(
            &next,
            &Reconciliation {
                target_epoch: 2,
                target: &target,
                partition_epoch: &free,
                owned: &owned,
            },
        )
        .expect("known state");
        assert_eq!(again, next);

        // Revoked: the member advances to the target epoch.
        let owned = Some(tp(&[(1, &[0])]));
        let done = reconcile(
            &next,
            &Reconciliation {
                target_epoch: 2,
                target: &target,
                partition_epoch: &free,
                owned: &owned,
            },
        )
        .expect("known state");
        assert_eq!((done.member_epoch, done.state), (2, MemberState::Stable));
        assert!(done.partitions_pending_revocation.is_empty());
    }

    #[test]
    fn partitions_owned_by_another_member_are_withheld_as_unreleased() {
        let m = member(1, MemberState::Stable, tp(&[]), tp(&[]));
        let target = tp(&[(1, &[0, 1])]);
        let owned = Some(tp(&[]));
        let held = |_: &Uuid, p: i32| if p == 1 { 3 } else { -1 };
        let next = reconcile(
            &m,
            &Reconciliation {
                target_epoch: 2,
                target: &target,
                partition_epoch: &held,
                owned: &owned,
            },
        )
        .expect("known state");
        assert_eq!(
            (next.member_epoch, next.state),
            (2, MemberState::UnreleasedPartitions)
        );
        assert_eq!(next.assigned_partitions, tp(&[(1, &[0])]));

        // Once released, the member gets it without an epoch change.
        let after = reconcile(
            &next,
            &Reconciliation {
                target_epoch: 2,
                target: &target,
                partition_epoch: &free,
                owned: &owned,
            },
        )
        .expect("known state");
        assert_eq!((after.member_epoch, after.state), (2, MemberState::Stable));
        assert_eq!(after.assigned_partitions, target);
    }

    #[test]
    fn member_in_an_unknown_state_reporting_partitions_is_refused() {
        let m = member(1, MemberState::Unknown, tp(&[(1, &[0])]), tp(&[]));
        let target = tp(&[(1, &[0])]);
        let owned = Some(tp(&[(1, &[0])]));
        let out = reconcile(
            &m,
            &Reconciliation {
                target_epoch: 2,
                target: &target,
                partition_epoch: &free,
                owned: &owned,
            },
        );
        assert_eq!(out, Err(ReconciliationError::UnknownStateWithPartitions));
    }
}
