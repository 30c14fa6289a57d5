//! Group lifecycle: rebalances with revocation before reassignment, timers, metadata changes,
//! describe/list, offset validation, deletion.

use kafka_protocol::ResponseError;

use super::{assignment_of, beat, count, join, partitions, Harness, SESSION_TIMEOUT_MS};
use crate::group::consumer::{GroupState, MemberState};
use crate::group::timer::TimerKey;

#[test]
fn a_joining_member_gets_partitions_only_after_the_owner_revoked_them() {
    let mut h = Harness::new();
    let t = h.set_topic("orders", 4);
    h.heartbeat(&join("g", "m1", &["orders"]));
    let resp = h.heartbeat(&join("g", "m2", &["orders"]));
    assert_eq!(resp.member_epoch, 2);
    assert_eq!(
        assignment_of(&resp),
        Some(Default::default()),
        "m2 waits for m1 to release"
    );
    assert_eq!(
        h.groups.groups["g"].persisted.members["m2"].state,
        MemberState::UnreleasedPartitions
    );
    assert_eq!(h.groups.state("g"), Some(GroupState::Reconciling));

    let all = partitions(t, &[0, 1, 2, 3]);
    let resp = h.heartbeat(&beat("g", "m1", 1, Some(&all)));
    let kept = assignment_of(&resp).expect("m1 is told what to keep");
    assert_eq!(count(&kept), 2);
    assert_eq!(resp.member_epoch, 1);
    // Until m1 stops reporting the revoked partitions m2 still gets nothing.
    let resp = h.heartbeat(&beat("g", "m2", 2, Some(&Default::default())));
    assert!(resp.assignment.is_none());
    let resp = h.heartbeat(&beat("g", "m1", 1, Some(&kept)));
    assert_eq!(resp.member_epoch, 2);
    let resp = h.heartbeat(&beat("g", "m2", 2, Some(&Default::default())));
    let got = assignment_of(&resp).expect("released partitions arrive");
    assert_eq!(count(&got), 2);
    assert!(got[&t].is_disjoint(&kept[&t]));
    assert_eq!(h.groups.state("g"), Some(GroupState::Stable));
    h.assert_replay_rebuilds_state();
}

#[test]
fn session_timeout_fences_the_member_and_frees_its_partitions() {
    let mut h = Harness::new();
    h.set_topic("orders", 2);
    h.heartbeat(&join("g", "m1", &["orders"]));
    let key = TimerKey::ConsumerSession {
        group_id: "g".into(),
        member_id: "m1".into(),
    };
    assert_eq!(h.timers.deadline(&key), Some(h.now_ms + SESSION_TIMEOUT_MS));
    h.now_ms += SESSION_TIMEOUT_MS;
    let expired = h.timers.pop_expired(h.now_ms);
    assert_eq!(expired, vec![key.clone()]);
    let written = h.fire(&key);
    assert!(!written.is_empty());
    assert!(h.groups.is_empty("g"));
    assert_eq!(h.groups.state("g"), Some(GroupState::Empty));
    // A late heartbeat from the fenced member is refused.
    let resp = h.heartbeat(&beat("g", "m1", 1, None));
    assert_eq!(resp.error_code, ResponseError::UnknownMemberId.code());
    h.assert_replay_rebuilds_state();
}

#[test]
fn rebalance_timeout_fences_a_member_that_does_not_revoke() {
    let mut h = Harness::new();
    let t = h.set_topic("orders", 2);
    h.heartbeat(&join("g", "m1", &["orders"]));
    h.heartbeat(&join("g", "m2", &["orders"]));
    h.heartbeat(&beat("g", "m1", 1, Some(&partitions(t, &[0, 1]))));
    let key = TimerKey::ConsumerRebalance {
        group_id: "g".into(),
        member_id: "m1".into(),
    };
    assert!(h.timers.is_scheduled(&key), "armed while m1 must revoke");
    h.fire(&key);
    assert!(!h.groups.groups["g"].persisted.members.contains_key("m1"));
    // m2 now gets everything.
    let resp = h.heartbeat(&beat("g", "m2", 2, Some(&Default::default())));
    assert_eq!(assignment_of(&resp), Some(partitions(t, &[0, 1])));
    h.assert_replay_rebuilds_state();
}

#[test]
fn rebalance_timer_of_a_member_that_revoked_in_time_does_nothing() {
    let mut h = Harness::new();
    let t = h.set_topic("orders", 2);
    h.heartbeat(&join("g", "m1", &["orders"]));
    h.heartbeat(&join("g", "m2", &["orders"]));
    let resp = h.heartbeat(&beat("g", "m1", 1, Some(&partitions(t, &[0, 1]))));
    let kept = assignment_of(&resp).expect("kept");
    h.heartbeat(&beat("g", "m1", 1, Some(&kept)));
    let key = TimerKey::ConsumerRebalance {
        group_id: "g".into(),
        member_id: "m1".into(),
    };
    assert!(!h.timers.is_scheduled(&key));
    assert!(h.fire(&key).is_empty());
    assert!(h.groups.groups["g"].persisted.members.contains_key("m1"));
}

#[test]
fn new_partitions_and_deleted_topics_trigger_reassignment() {
    let mut h = Harness::new();
    let a = h.set_topic("a", 1);
    let b = h.set_topic("b", 1);
    h.heartbeat(&join("g", "m1", &["a", "b"]));
    let epoch = h.groups.groups["g"].persisted.group_epoch;

    h.set_topic("a", 2);
    assert!(!h.metadata_changed().is_empty());
    assert_eq!(h.groups.groups["g"].persisted.group_epoch, epoch + 1);
    let mut owned = partitions(a, &[0]);
    owned.extend(partitions(b, &[0]));
    let resp = h.heartbeat(&beat("g", "m1", 1, Some(&owned)));
    let mut expected = partitions(a, &[0, 1]);
    expected.extend(partitions(b, &[0]));
    assert_eq!(assignment_of(&resp), Some(expected.clone()));

    h.delete_topic("b");
    h.metadata_changed();
    let resp = h.heartbeat(&beat("g", "m1", resp.member_epoch, Some(&expected)));
    assert_eq!(
        assignment_of(&resp),
        Some(partitions(a, &[0, 1])),
        "b-0 must be revoked"
    );
    let resp = h.heartbeat(&beat(
        "g",
        "m1",
        resp.member_epoch,
        Some(&partitions(a, &[0, 1])),
    ));
    assert_eq!(
        h.groups.groups["g"].persisted.members["m1"].member_epoch,
        resp.member_epoch
    );
    assert_eq!(h.groups.state("g"), Some(GroupState::Stable));
    // Nothing changed since: another image with the same topics writes nothing.
    assert!(h.metadata_changed().is_empty());
    h.assert_replay_rebuilds_state();
}

#[test]
fn describe_and_list_show_members_assignments_and_state() {
    let mut h = Harness::new();
    let t = h.set_topic("orders", 2);
    h.heartbeat(&join("g", "m1", &["orders"]));
    let described = h.groups.describe("g", &h.image).expect("exists");
    assert_eq!(described.group_state.as_str(), "Stable");
    assert_eq!(described.group_epoch, 1);
    assert_eq!(described.assignment_epoch, 1);
    assert_eq!(described.assignor_name.as_str(), "uniform");
    assert_eq!(described.members.len(), 1);
    let member = &described.members[0];
    assert_eq!(member.member_id.as_str(), "m1");
    assert_eq!(member.client_host.as_str(), "/127.0.0.1");
    assert_eq!(member.member_type, 1);
    assert_eq!(member.assignment.topic_partitions[0].topic_id, t);
    assert_eq!(
        member.assignment.topic_partitions[0].topic_name.0.as_str(),
        "orders"
    );
    assert_eq!(member.assignment.topic_partitions[0].partitions, vec![0, 1]);
    assert!(h.groups.describe("missing", &h.image).is_none());

    let listed = h.groups.list();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (
            listed[0].group_id.as_str(),
            listed[0].state,
            listed[0].group_type
        ),
        ("g", "Stable", "consumer")
    );
    h.heartbeat(&beat("g", "m1", -1, None));
    assert_eq!(h.groups.list()[0].state, "Empty");
}

#[test]
fn offset_commit_and_fetch_check_the_member_epoch() {
    let mut h = Harness::new();
    h.set_topic("orders", 1);
    h.heartbeat(&join("g", "m1", &["orders"]));
    assert_eq!(h.groups.validate_offset_commit("g", "m1", 1), Ok(()));
    assert_eq!(
        h.groups.validate_offset_commit("g", "m1", 0),
        Err(ResponseError::StaleMemberEpoch.code())
    );
    assert_eq!(
        h.groups.validate_offset_commit("g", "m9", 1),
        Err(ResponseError::UnknownMemberId.code())
    );
    assert_eq!(
        h.groups.validate_offset_commit("g", "", -1),
        Err(ResponseError::UnknownMemberId.code())
    );
    assert_eq!(h.groups.validate_offset_fetch("g", "", -1), Ok(()));
    assert_eq!(
        h.groups.validate_offset_fetch("g", "m1", 2),
        Err(ResponseError::StaleMemberEpoch.code())
    );
    assert_eq!(
        h.groups.validate_offset_fetch("g", "m9", 1),
        Err(ResponseError::UnknownMemberId.code())
    );
    h.heartbeat(&beat("g", "m1", -1, None));
    assert_eq!(
        h.groups.validate_offset_commit("g", "", -1),
        Ok(()),
        "admin commits to an empty group"
    );
}

#[test]
fn deleting_a_group_needs_it_empty_and_writes_tombstones() {
    let mut h = Harness::new();
    h.set_topic("orders", 1);
    h.heartbeat(&join("g", "m1", &["orders"]));
    let (refused, _) = h.run(|g, ctx| {
        let r = g.delete_group(ctx, "g");
        crate::group::result::CoordinatorResult::response_only(r)
    });
    assert_eq!(refused, Err(ResponseError::NonEmptyGroup.code()));
    h.heartbeat(&beat("g", "m1", -1, None));
    let (deleted, _) = h.run(|g, ctx| {
        let r = g.delete_group(ctx, "g");
        crate::group::result::CoordinatorResult::response_only(r)
    });
    let tombstones = deleted.expect("empty group is deleted");
    assert!(tombstones.iter().all(|r| r.value.is_none()));
    h.log.extend(tombstones);
    assert!(!h.groups.contains("g"));
    assert!(h.groups.list().is_empty());
    h.assert_replay_rebuilds_state();
}

fn types(records: &[strata_protocol::group_records::GroupRecord]) -> Vec<(i16, bool)> {
    records
        .iter()
        .map(|r| (r.type_id(), r.value.is_some()))
        .collect()
}

#[test]
fn a_first_join_writes_kafkas_records_in_kafkas_order() {
    let mut h = Harness::new();
    h.set_topic("orders", 1);
    h.heartbeat(&join("g", "m1", &["orders"]));
    // Member metadata, subscription metadata, group epoch, target member, target epoch, current
    // assignment.
    assert_eq!(
        types(&h.log),
        vec![
            (5, true),
            (4, true),
            (3, true),
            (7, true),
            (6, true),
            (8, true)
        ]
    );
    let before = h.log.len();
    h.heartbeat(&beat("g", "m1", -1, None));
    // Tombstones for the member's current assignment, target and metadata; the subscription
    // metadata (now empty); the bumped epoch.
    assert_eq!(
        types(&h.log[before..]),
        vec![(8, false), (7, false), (5, false), (4, true), (3, true)]
    );
}

#[test]
fn steady_heartbeats_write_nothing() {
    let mut h = Harness::new();
    let t = h.set_topic("orders", 2);
    h.heartbeat(&join("g", "m1", &["orders"]));
    let before = h.log.len();
    for _ in 0..3 {
        h.heartbeat(&beat("g", "m1", 1, Some(&partitions(t, &[0, 1]))));
    }
    assert_eq!(h.log.len(), before);
}

#[test]
fn records_of_kafka_4_1_with_a_metadata_hash_replay_and_the_next_heartbeat_refreshes() {
    use strata_protocol::group_records::{
        ConsumerGroupMetadataKey, ConsumerGroupMetadataValue, GroupRecord, GroupRecordKey,
        GroupRecordValue,
    };
    let mut h = Harness::new();
    let t = h.set_topic("orders", 2);
    h.heartbeat(&join("g", "m1", &["orders"]));
    // Kafka 4.1 tombstones the partition metadata and keeps a hash in the group epoch record.
    let hash_epoch = GroupRecord {
        key: GroupRecordKey::ConsumerGroupMetadata(ConsumerGroupMetadataKey {
            group_id: "g".into(),
        }),
        value: Some(GroupRecordValue::ConsumerGroupMetadata(
            ConsumerGroupMetadataValue {
                epoch: 1,
                metadata_hash: 42,
            },
        )),
    };
    let tombstone = super::super::records::subscription_metadata_tombstone("g");
    let mut loaded = crate::group::consumer::ConsumerGroups::new();
    for r in h.log.iter().chain([&hash_epoch, &tombstone]) {
        assert!(loaded.replay(r));
    }
    let view = loaded.persisted_view();
    assert_eq!(view["g"].metadata_hash, 42);
    assert!(view["g"].subscription_metadata.is_empty());
    // Running on the loaded state: the first heartbeat restores the subscription metadata,
    // bumps the epoch, and the member keeps its partitions.
    h.groups = loaded;
    h.log.extend([hash_epoch, tombstone]);
    let resp = h.heartbeat(&beat("g", "m1", 1, Some(&partitions(t, &[0, 1]))));
    assert_eq!(resp.error_code, 0);
    assert_eq!(resp.member_epoch, 2);
    assert_eq!(
        h.groups.groups["g"].persisted.subscription_metadata["orders"].num_partitions,
        2
    );
    h.assert_replay_rebuilds_state();
}

#[test]
fn a_member_still_revoking_after_a_reload_gets_its_rebalance_timer_on_its_next_heartbeat() {
    let mut h = Harness::new();
    let t = h.set_topic("orders", 2);
    h.heartbeat(&join("g", "m1", &["orders"]));
    h.heartbeat(&join("g", "m2", &["orders"]));
    h.heartbeat(&beat("g", "m1", 1, Some(&partitions(t, &[0, 1]))));
    // The shard reloads: ephemeral timers are gone.
    h.groups = h.replayed();
    h.timers = crate::group::timer::Timers::default();
    let key = TimerKey::ConsumerRebalance {
        group_id: "g".into(),
        member_id: "m1".into(),
    };
    h.heartbeat(&beat("g", "m1", 1, None));
    assert_eq!(h.timers.deadline(&key), Some(h.now_ms + 30_000));
    h.fire(&key);
    assert!(!h.groups.groups["g"].persisted.members.contains_key("m1"));
}
