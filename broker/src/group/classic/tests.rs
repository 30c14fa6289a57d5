use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::ResponseError;
use tokio::sync::oneshot::Receiver;

use super::*;
use crate::group::config::GroupCoordinatorConfig;

use super::harness::*;

fn received<T>(rx: &mut Receiver<T>) -> T {
    rx.try_recv().expect("response released")
}

fn parked<T>(rx: &mut Receiver<T>) -> bool {
    matches!(rx.try_recv(), Err(oneshot::error::TryRecvError::Empty))
}

/// KIP-394 dance: join without id, rejoin with the id handed out; returns the id and the parked
/// (or answered) second join.
fn join_new(h: &mut Harness, req: JoinGroupRequest) -> (String, Receiver<JoinGroupResponse>) {
    let first = received(&mut h.join(&req));
    assert_eq!(first.error_code, code(ResponseError::MemberIdRequired));
    let member_id = first.member_id.to_string();
    let rx = h.join(&req.with_member_id(s(&member_id)));
    (member_id, rx)
}

/// Two members in a Stable generation 1 with leader `a` assigning "A" and "B".
fn stable_pair(h: &mut Harness) -> (String, String) {
    let (a, mut ja) = join_new(h, range_join(""));
    let (b, mut jb) = join_new(h, range_join(""));
    // b arrived during the initial delay, which is extended once: 3000 + 3000.
    h.advance(5_999);
    assert!(parked(&mut ja));
    h.advance(1);
    let (ra, rb) = (received(&mut ja), received(&mut jb));
    let leader = ra.leader.to_string();
    assert_eq!(leader, rb.leader.to_string());
    let (leader, follower) = if leader == a { (a, b) } else { (b, a) };
    let mut fs = h.sync(&sync_request(&follower, 1, &[]));
    assert!(parked(&mut fs));
    let mut ls = h.sync(&sync_request(
        &leader,
        1,
        &[(&leader, b"A"), (&follower, b"B")],
    ));
    assert_eq!(received(&mut ls).assignment.as_ref(), b"A");
    assert_eq!(received(&mut fs).assignment.as_ref(), b"B");
    assert_eq!(h.state(), "Stable");
    (leader, follower)
}

#[test]
fn join_without_member_id_from_v4_is_member_id_required_with_a_new_id() {
    let mut h = Harness::new();
    let response = received(&mut h.join(&range_join("")));
    assert_eq!(response.error_code, code(ResponseError::MemberIdRequired));
    assert!(response.member_id.starts_with("client-"));
    assert_eq!(h.state(), "Empty");
    // Kafka persists the group the join created.
    assert_eq!(h.records.len(), 1);
}

#[test]
fn join_without_member_id_before_v4_joins_at_once() {
    let mut h = Harness::new();
    h.version = 3;
    let mut rx = h.join(&range_join(""));
    assert!(parked(&mut rx));
    assert_eq!(h.state(), "PreparingRebalance");
}

#[test]
fn unused_pending_member_id_is_forgotten_after_the_session_timeout() {
    let mut h = Harness::new();
    let id = received(&mut h.join(&range_join(""))).member_id.to_string();
    h.advance(i64::from(SESSION_MS));
    let response = received(&mut h.join(&range_join(&id)));
    assert_eq!(response.error_code, code(ResponseError::UnknownMemberId));
}

#[test]
fn session_timeout_outside_the_configured_bounds_is_invalid_session_timeout() {
    let mut h = Harness::new();
    let too_short = range_join("").with_session_timeout_ms(10);
    assert_eq!(
        received(&mut h.join(&too_short)).error_code,
        code(ResponseError::InvalidSessionTimeout)
    );
    let too_long = range_join("").with_session_timeout_ms(i32::MAX);
    assert_eq!(
        received(&mut h.join(&too_long)).error_code,
        code(ResponseError::InvalidSessionTimeout)
    );
    assert!(!h.groups.contains(GROUP));
}

#[test]
fn member_id_for_an_unknown_group_is_unknown_member_id() {
    let mut h = Harness::new();
    let response = received(&mut h.join(&range_join("ghost")));
    assert_eq!(response.error_code, code(ResponseError::UnknownMemberId));
}

#[test]
fn first_join_phase_ends_after_the_initial_delay_and_the_leader_gets_the_members() {
    let mut h = Harness::new();
    let (a, mut ja) = join_new(&mut h, range_join(""));
    h.advance(2_999);
    assert!(parked(&mut ja));
    h.advance(1);
    let response = received(&mut ja);
    assert_eq!(response.error_code, 0);
    assert_eq!(response.generation_id, 1);
    assert_eq!(response.leader.as_str(), a);
    assert_eq!(
        response.protocol_name.as_ref().map(|p| p.as_str()),
        Some("range")
    );
    assert_eq!(
        response.protocol_type.as_ref().map(|p| p.as_str()),
        Some("consumer")
    );
    assert_eq!(response.members.len(), 1);
    assert_eq!(response.members[0].metadata.as_ref(), b"sub");
    assert_eq!(h.state(), "CompletingRebalance");
}

#[test]
fn initial_delay_is_extended_while_members_arrive_but_not_past_the_rebalance_timeout() {
    let config = GroupCoordinatorConfig {
        classic_initial_rebalance_delay_ms: 3_000,
        ..GroupCoordinatorConfig::default()
    };
    let mut h = Harness::with_config(config);
    let req = range_join("").with_rebalance_timeout_ms(5_000);
    let (_, mut first) = join_new(&mut h, req.clone());
    // Remaining extension: 5000 - 3000 = 2000.
    for _ in 0..4 {
        h.advance(1_000);
        let _ = join_new(&mut h, req.clone());
    }
    // Delay 3000, extended once by min(3000, 2000) = 2000: done at 5000 from the start.
    assert!(parked(&mut first));
    h.advance(1_000);
    assert_eq!(received(&mut first).members.len(), 5);
}

#[test]
fn join_with_another_protocol_type_is_inconsistent_group_protocol() {
    let mut h = Harness::new();
    let _ = join_new(&mut h, range_join(""));
    let other = range_join("").with_protocol_type(s("connect"));
    let response = received(&mut h.join(&other));
    assert_eq!(
        response.error_code,
        code(ResponseError::InconsistentGroupProtocol)
    );
}

#[test]
fn join_with_no_protocol_in_common_is_inconsistent_group_protocol() {
    let mut h = Harness::new();
    let _ = join_new(&mut h, range_join(""));
    let other = join_request("", &[("roundrobin", b"x")]);
    let response = received(&mut h.join(&other));
    assert_eq!(
        response.error_code,
        code(ResponseError::InconsistentGroupProtocol)
    );
}

#[test]
fn the_most_preferred_protocol_all_members_support_is_selected() {
    let mut h = Harness::new();
    let (_, mut ja) = join_new(
        &mut h,
        join_request("", &[("sticky", b"1"), ("range", b"1")]),
    );
    let (_, _) = join_new(
        &mut h,
        join_request("", &[("range", b"2"), ("sticky", b"2")]),
    );
    let (_, _) = join_new(
        &mut h,
        join_request("", &[("sticky", b"3"), ("range", b"3")]),
    );
    h.advance(i64::from(REBALANCE_MS));
    let response = received(&mut ja);
    assert_eq!(
        response.protocol_name.as_ref().map(|p| p.as_str()),
        Some("sticky")
    );
}

#[test]
fn a_member_beyond_group_max_size_is_refused() {
    let config = GroupCoordinatorConfig {
        classic_max_size: 1,
        ..GroupCoordinatorConfig::default()
    };
    let mut h = Harness::with_config(config);
    let _ = join_new(&mut h, range_join(""));
    let response = received(&mut h.join(&range_join("")));
    assert_eq!(
        response.error_code,
        code(ResponseError::GroupMaxSizeReached)
    );
    assert_eq!(h.groups.groups[GROUP].members.len(), 1);
}

#[test]
fn leader_sync_persists_the_assignment_and_releases_parked_followers() {
    let mut h = Harness::new();
    let before = h.records.len();
    let (leader, follower) = stable_pair(&mut h);
    let last = h.records.last().expect("a record");
    let Some(GroupRecordValue::GroupMetadata(value)) = &last.value else {
        panic!("group record")
    };
    assert!(h.records.len() > before);
    assert_eq!(value.generation, 1);
    assert_eq!(value.leader.as_deref(), Some(leader.as_str()));
    assert_eq!(value.protocol.as_deref(), Some("range"));
    let assignment = |id: &str| {
        value
            .members
            .iter()
            .find(|m| m.member_id == id)
            .map(|m| m.assignment.clone())
    };
    assert_eq!(assignment(&leader).as_deref(), Some(&b"A"[..]));
    assert_eq!(assignment(&follower).as_deref(), Some(&b"B"[..]));
}

#[test]
fn sync_errors_follow_kafka() {
    let mut h = Harness::new();
    let (leader, _) = stable_pair(&mut h);
    let sync_code = |h: &mut Harness, req: SyncGroupRequest| received(&mut h.sync(&req)).error_code;
    assert_eq!(
        sync_code(&mut h, sync_request(&leader, 7, &[])),
        code(ResponseError::IllegalGeneration)
    );
    assert_eq!(
        sync_code(&mut h, sync_request("nobody", 1, &[])),
        code(ResponseError::UnknownMemberId)
    );
    let wrong_protocol = sync_request(&leader, 1, &[]).with_protocol_name(Some(s("sticky")));
    assert_eq!(
        sync_code(&mut h, wrong_protocol),
        code(ResponseError::InconsistentGroupProtocol)
    );
    // A Stable group answers a repeated sync with the current assignment.
    assert_eq!(
        received(&mut h.sync(&sync_request(&leader, 1, &[])))
            .assignment
            .as_ref(),
        b"A"
    );
    // The leader rejoining starts a rebalance; syncs are then refused.
    let mut rejoin = h.join(&range_join(&leader));
    assert!(parked(&mut rejoin));
    assert_eq!(h.state(), "PreparingRebalance");
    assert_eq!(
        sync_code(&mut h, sync_request(&leader, 1, &[])),
        code(ResponseError::RebalanceInProgress)
    );
}

#[test]
fn heartbeats_report_rebalances_and_reject_strangers() {
    let mut h = Harness::new();
    let (leader, follower) = stable_pair(&mut h);
    assert_eq!(h.heartbeat(&follower, 1), 0);
    assert_eq!(
        h.heartbeat(&follower, 0),
        code(ResponseError::IllegalGeneration)
    );
    assert_eq!(
        h.heartbeat("nobody", 1),
        code(ResponseError::UnknownMemberId)
    );
    let _rejoin = h.join(&range_join(&leader));
    assert_eq!(
        h.heartbeat(&follower, 1),
        code(ResponseError::RebalanceInProgress)
    );
}

#[test]
fn a_member_that_stops_heartbeating_is_removed_and_the_group_rebalances_without_it() {
    let mut h = Harness::new();
    let (leader, follower) = stable_pair(&mut h);
    h.advance(i64::from(SESSION_MS) / 2);
    assert_eq!(h.heartbeat(&leader, 1), 0);
    h.advance(i64::from(SESSION_MS) / 2);
    assert_eq!(
        h.heartbeat(&leader, 1),
        code(ResponseError::RebalanceInProgress)
    );
    let mut rejoin = h.join(&range_join(&leader));
    let response = received(&mut rejoin);
    assert_eq!(response.generation_id, 2);
    assert_eq!(response.members.len(), 1);
    assert!(!h.groups.groups[GROUP].members.contains_key(&follower));
}

#[test]
fn members_that_do_not_rejoin_within_the_rebalance_timeout_are_removed() {
    let mut h = Harness::new();
    let (leader, follower) = stable_pair(&mut h);
    let mut rejoin = h.join(&range_join(&leader));
    // The follower keeps heartbeating but never rejoins.
    for _ in 0..(REBALANCE_MS / 5_000) {
        assert!(parked(&mut rejoin));
        h.advance(5_000);
        let _ = h.heartbeat(&follower, 1);
    }
    let response = received(&mut rejoin);
    assert_eq!(response.generation_id, 2);
    assert_eq!(response.members.len(), 1);
}

#[test]
fn members_that_never_sync_are_removed_when_the_sync_times_out() {
    let mut h = Harness::new();
    let (a, mut ja) = join_new(&mut h, range_join(""));
    let (b, mut jb) = join_new(&mut h, range_join(""));
    h.advance(6_000);
    let (ra, _) = (received(&mut ja), received(&mut jb));
    let leader = ra.leader.to_string();
    assert_eq!(leader, a);
    let mut ls = h.sync(&sync_request(&leader, 1, &[(&leader, b"A")]));
    assert_eq!(received(&mut ls).assignment.as_ref(), b"A");
    // b keeps its session alive but never syncs: the sync timeout removes it.
    for _ in 0..(REBALANCE_MS / 5_000) {
        assert_eq!(h.heartbeat(&a, 1), 0);
        assert_eq!(h.heartbeat(&b, 1), 0);
        h.advance(5_000);
    }
    assert_eq!(h.heartbeat(&b, 1), code(ResponseError::UnknownMemberId));
    assert_eq!(h.groups.groups[GROUP].members.len(), 1);
    assert_eq!(h.state(), "PreparingRebalance");
}

#[test]
fn leave_group_batch_reports_each_member_and_removes_static_members_by_instance_id() {
    let mut h = Harness::new();
    let static_join = range_join("").with_group_instance_id(Some(s("instance-1")));
    let mut js = h.join(&static_join);
    let (_dynamic, _jd) = join_new(&mut h, range_join(""));
    h.advance(6_000);
    let static_id = received(&mut js).member_id.to_string();
    assert!(static_id.starts_with("instance-1-"));
    let req = LeaveGroupRequest::default()
        .with_group_id(group_id(GROUP))
        .with_members(vec![
            MemberIdentity::default()
                .with_member_id(s(""))
                .with_group_instance_id(Some(s("instance-1"))),
            MemberIdentity::default().with_member_id(s("nobody")),
        ]);
    let response = h.leave(&req, 5);
    let codes: Vec<i16> = response.members.iter().map(|m| m.error_code).collect();
    assert_eq!(codes, vec![0, code(ResponseError::UnknownMemberId)]);
    assert!(!h.groups.groups[GROUP].members.contains_key(&static_id));
}

#[test]
fn leave_group_v0_reports_the_member_outcome_at_the_top_level() {
    let mut h = Harness::new();
    let (leader, _) = stable_pair(&mut h);
    let req = LeaveGroupRequest::default()
        .with_group_id(group_id(GROUP))
        .with_member_id(s("nobody"));
    assert_eq!(
        h.leave(&req, 0).error_code,
        code(ResponseError::UnknownMemberId)
    );
    let req = LeaveGroupRequest::default()
        .with_group_id(group_id(GROUP))
        .with_member_id(s(&leader));
    let response = h.leave(&req, 0);
    assert_eq!(response.error_code, 0);
    assert!(response.members.is_empty());
}

#[test]
fn the_last_member_leaving_empties_the_group_and_persists_it() {
    let mut h = Harness::new();
    let (leader, follower) = stable_pair(&mut h);
    let req = LeaveGroupRequest::default()
        .with_group_id(group_id(GROUP))
        .with_members(vec![
            MemberIdentity::default().with_member_id(s(&leader)),
            MemberIdentity::default().with_member_id(s(&follower)),
        ]);
    let response = h.leave(&req, 5);
    assert!(response.members.iter().all(|m| m.error_code == 0));
    assert_eq!(h.state(), "Empty");
    let Some(GroupRecordValue::GroupMetadata(value)) = &h.records.last().expect("record").value
    else {
        panic!("group record")
    };
    assert_eq!(value.generation, 2);
    assert!(value.members.is_empty());
    assert_eq!(value.protocol_type, "consumer");
    assert_eq!(h.replayed().persisted_view(), h.groups.persisted_view());
}

#[test]
fn a_restarted_static_member_takes_a_new_id_fencing_the_old_one_without_a_rebalance() {
    let mut h = Harness::new();
    let static_join = range_join("").with_group_instance_id(Some(s("i1")));
    let mut first = h.join(&static_join);
    h.advance(3_000);
    let old_id = received(&mut first).member_id.to_string();
    let mut sync = h.sync(&sync_request(&old_id, 1, &[(&old_id, b"A")]));
    assert_eq!(received(&mut sync).error_code, 0);

    let mut again = h.join(&static_join);
    let response = received(&mut again);
    let new_id = response.member_id.to_string();
    assert_ne!(new_id, old_id);
    assert_eq!(response.generation_id, 1);
    assert!(
        response.skip_assignment,
        "a static leader at v9 keeps its assignment"
    );
    assert_eq!(h.state(), "Stable");
    let fenced = HeartbeatRequest::default()
        .with_group_id(group_id(GROUP))
        .with_member_id(s(&old_id))
        .with_group_instance_id(Some(s("i1")))
        .with_generation_id(1);
    let mut ctx = OpContext {
        now_ms: h.now_ms,
        config: &h.config,
        image: &h.image,
        timers: &mut h.timers,
        client_id: "client",
        client_host: "",
        api_version: 4,
    };
    let result = h.groups.heartbeat(&mut ctx, &fenced);
    assert_eq!(
        result.response.error_code,
        code(ResponseError::FencedInstanceId)
    );
    // The new member id is persisted with the old assignment.
    assert_eq!(h.replayed().persisted_view(), h.groups.persisted_view());
    assert_eq!(
        h.groups.persisted_view()[GROUP].members[0].member_id,
        new_id
    );
}

#[test]
fn describe_shows_kafka_state_names_and_member_data_only_when_stable() {
    let mut h = Harness::new();
    let (_a, _ja) = join_new(&mut h, range_join(""));
    let described = h.groups.describe(GROUP).expect("known");
    assert_eq!(described.group_state.as_str(), "PreparingRebalance");
    assert!(described.members[0].member_metadata.is_empty());
    h.advance(3_000);
    assert_eq!(
        h.groups
            .describe(GROUP)
            .expect("known")
            .group_state
            .as_str(),
        "CompletingRebalance"
    );
    let leader = h.groups.groups[GROUP].leader_id.clone().expect("leader");
    let _sync = h.sync(&sync_request(&leader, 1, &[(&leader, b"A")]));
    let described = h.groups.describe(GROUP).expect("known");
    assert_eq!(described.group_state.as_str(), "Stable");
    assert_eq!(described.protocol_data.as_str(), "range");
    assert_eq!(described.protocol_type.as_str(), "consumer");
    assert_eq!(described.members[0].member_metadata.as_ref(), b"sub");
    assert_eq!(described.members[0].member_assignment.as_ref(), b"A");
    assert_eq!(described.members[0].client_host.as_str(), "/127.0.0.1");
    assert!(h.groups.describe("other").is_none());
    let listed = h.groups.list();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].state, listed[0].group_type),
        ("Stable", "classic")
    );
}

#[test]
fn offset_commit_validation_follows_the_group_state() {
    let mut h = Harness::new();
    // Unknown group: simple commits pass, member commits do not.
    assert_eq!(h.groups.validate_offset_commit(GROUP, "", -1, None), Ok(()));
    assert_eq!(
        h.groups.validate_offset_commit(GROUP, "m", 1, None),
        Err(code(ResponseError::GroupIdNotFound))
    );
    let (a, mut ja) = join_new(&mut h, range_join(""));
    h.advance(3_000);
    let _ = received(&mut ja);
    assert_eq!(
        h.groups.validate_offset_commit(GROUP, &a, 1, None),
        Err(code(ResponseError::RebalanceInProgress)),
        "CompletingRebalance"
    );
    let _sync = h.sync(&sync_request(&a, 1, &[(&a, b"A")]));
    assert_eq!(h.groups.validate_offset_commit(GROUP, &a, 1, None), Ok(()));
    assert_eq!(
        h.groups.validate_offset_commit(GROUP, &a, 0, None),
        Err(code(ResponseError::IllegalGeneration))
    );
    assert_eq!(
        h.groups.validate_offset_commit(GROUP, "", -1, None),
        Err(code(ResponseError::UnknownMemberId)),
        "a simple commit to a group with members"
    );
    assert_eq!(
        h.groups
            .validate_offset_commit(GROUP, &a, 1, Some("unknown-instance")),
        Err(code(ResponseError::UnknownMemberId))
    );
}

#[test]
fn offset_commit_of_a_static_member_under_an_old_id_is_fenced() {
    let mut h = Harness::new();
    let mut first = h.join(&range_join("").with_group_instance_id(Some(s("i1"))));
    h.advance(3_000);
    let id = received(&mut first).member_id.to_string();
    assert_eq!(
        h.groups
            .validate_offset_commit(GROUP, "old-id", 1, Some("i1")),
        Err(code(ResponseError::FencedInstanceId))
    );
    let _sync = h.sync(&sync_request(&id, 1, &[]));
    assert_eq!(
        h.groups.validate_offset_commit(GROUP, &id, 1, Some("i1")),
        Ok(())
    );
}

#[test]
fn simple_groups_are_empty_classic_groups_without_protocol_type_or_record() {
    let mut h = Harness::new();
    let mut ctx = OpContext {
        now_ms: h.now_ms,
        config: &h.config,
        image: &h.image,
        timers: &mut h.timers,
        client_id: "",
        client_host: "",
        api_version: 0,
    };
    let result = h.groups.ensure_empty_group(&mut ctx, "simple");
    assert!(result.records.is_empty());
    assert!(h.groups.contains("simple"));
    assert!(h.groups.is_empty("simple"));
    assert!(h.groups.is_empty("never-heard-of"));
    assert_eq!(h.groups.list()[0].protocol_type, "");
    assert_eq!(h.groups.list()[0].state, "Empty");
}

#[test]
fn deleting_groups_requires_them_to_exist_and_be_empty() {
    let mut h = Harness::new();
    assert_eq!(
        h.delete("missing"),
        Err(code(ResponseError::GroupIdNotFound))
    );
    let (leader, _) = stable_pair(&mut h);
    assert_eq!(h.delete(GROUP), Err(code(ResponseError::NonEmptyGroup)));
    let req = LeaveGroupRequest::default()
        .with_group_id(group_id(GROUP))
        .with_member_id(s(&leader));
    let _ = h.leave(&req, 0);
    h.advance(i64::from(SESSION_MS));
    assert_eq!(h.state(), "Empty");
    let records = h.delete(GROUP).expect("deleted");
    assert_eq!(records, vec![ClassicGroup::tombstone(GROUP)]);
    assert!(!h.groups.contains(GROUP));
    assert!(!h.replayed().contains(GROUP));
}

#[test]
fn replay_rebuilds_a_stable_group_with_its_members_and_nothing_pending() {
    let mut h = Harness::new();
    let (leader, follower) = stable_pair(&mut h);
    let replayed = h.replayed();
    assert_eq!(replayed.persisted_view(), h.groups.persisted_view());
    let group = &replayed.groups[GROUP];
    assert_eq!(group.state, ClassicGroupState::Stable);
    assert_eq!(group.generation_id, 1);
    assert_eq!(group.leader_id.as_deref(), Some(leader.as_str()));
    assert_eq!(group.members[&follower].assignment.as_ref(), b"B");
    assert!(group.pending_sync_members.is_empty() && group.pending_join_members.is_empty());
    // A loaded follower can sync and heartbeat at the persisted generation.
    let mut h2 = Harness::new();
    h2.groups = replayed;
    assert_eq!(
        received(&mut h2.sync(&sync_request(&follower, 1, &[])))
            .assignment
            .as_ref(),
        b"B"
    );
    assert_eq!(h2.heartbeat(&follower, 1), 0);
}

#[test]
fn replay_ignores_offset_records() {
    let mut groups = ClassicGroups::default();
    let record = GroupRecord {
        key: GroupRecordKey::OffsetCommit(
            strata_protocol::group_records::OffsetCommitKey::default(),
        ),
        value: None,
    };
    assert!(!groups.replay(&record));
}

#[test]
fn stale_timer_firings_are_ignored() {
    let mut h = Harness::new();
    let (leader, _) = stable_pair(&mut h);
    let key = rebalance::session_key(GROUP, &leader);
    h.timers.schedule(key.clone(), h.now_ms + 100_000);
    let mut ctx = OpContext {
        now_ms: h.now_ms,
        config: &h.config,
        image: &h.image,
        timers: &mut h.timers,
        client_id: "",
        client_host: "",
        api_version: 0,
    };
    let result = h.groups.on_timer(&mut ctx, &key);
    assert!(result.records.is_empty());
    assert_eq!(h.state(), "Stable");
}

#[test]
fn a_member_rejoining_with_unchanged_metadata_while_completing_gets_the_generation_again() {
    let mut h = Harness::new();
    let (a, mut ja) = join_new(&mut h, range_join(""));
    h.advance(3_000);
    let first = received(&mut ja);
    let again = received(&mut h.join(&range_join(&a)));
    assert_eq!(h.state(), "CompletingRebalance");
    assert_eq!(again.generation_id, first.generation_id);
    assert_eq!(
        again.members.len(),
        1,
        "the leader gets the member list again"
    );
}

#[test]
fn a_restarted_static_member_during_completing_rebalance_forces_a_new_rebalance() {
    let mut h = Harness::new();
    let static_join = range_join("").with_group_instance_id(Some(s("i1")));
    let mut js = h.join(&static_join);
    let (other, mut jo) = join_new(&mut h, range_join(""));
    h.advance(6_000);
    let old_id = received(&mut js).member_id.to_string();
    let _ = received(&mut jo);
    let mut parked_sync = h.sync(&sync_request(&other, 1, &[]));
    assert!(parked(&mut parked_sync));

    let mut restarted = h.join(&static_join);
    assert_eq!(h.state(), "PreparingRebalance");
    assert_eq!(
        received(&mut parked_sync).error_code,
        code(ResponseError::RebalanceInProgress)
    );
    let old = HeartbeatRequest::default()
        .with_group_id(group_id(GROUP))
        .with_member_id(s(&old_id))
        .with_group_instance_id(Some(s("i1")))
        .with_generation_id(1);
    let mut ctx = OpContext {
        now_ms: h.now_ms,
        config: &h.config,
        image: &h.image,
        timers: &mut h.timers,
        client_id: "client",
        client_host: "",
        api_version: 4,
    };
    let result = h.groups.heartbeat(&mut ctx, &old);
    assert_eq!(
        result.response.error_code,
        code(ResponseError::FencedInstanceId)
    );
    // The other member rejoins; the restarted instance is in the next generation under its new id.
    let mut rejoin = h.join(&range_join(&other));
    let response = received(&mut restarted);
    assert_eq!(response.generation_id, 2);
    assert_ne!(response.member_id.as_str(), old_id);
    assert_eq!(received(&mut rejoin).generation_id, 2);
}

#[test]
fn a_new_member_parked_longer_than_the_new_member_join_timeout_is_dropped() {
    let mut h = Harness::new();
    let slow = range_join("").with_rebalance_timeout_ms(600_000);
    let (old, mut jo) = join_new(&mut h, slow);
    h.advance(3_000);
    let _ = received(&mut jo);
    let _sync = h.sync(&sync_request(&old, 1, &[(&old, b"A")]));
    h.version = 3;
    let mut newcomer = h.join(&range_join(""));
    assert_eq!(h.state(), "PreparingRebalance");
    // The old member keeps its session but never rejoins; the rebalance waits up to 600 s.
    let mut waited_ms = 0;
    while waited_ms < rebalance::NEW_MEMBER_JOIN_TIMEOUT_MS {
        assert!(parked(&mut newcomer));
        assert_eq!(
            h.heartbeat(&old, 1),
            code(ResponseError::RebalanceInProgress)
        );
        h.advance(5_000);
        waited_ms += 5_000;
    }
    assert_eq!(
        received(&mut newcomer).error_code,
        code(ResponseError::UnknownMemberId)
    );
}

#[test]
fn during_a_rebalance_only_rejoined_members_count_toward_group_max_size() {
    let config = GroupCoordinatorConfig {
        classic_max_size: 2,
        ..GroupCoordinatorConfig::default()
    };
    let mut h = Harness::with_config(config);
    let (leader, follower) = stable_pair(&mut h);
    // The leader rejoins: one member awaiting join, so a newcomer still fits...
    let _rejoin = h.join(&range_join(&leader));
    let (_newcomer, mut jn) = join_new(&mut h, range_join(""));
    assert!(parked(&mut jn));
    // ...but now two await, and the follower that had not rejoined is refused and removed.
    let response = received(&mut h.join(&range_join(&follower)));
    assert_eq!(
        response.error_code,
        code(ResponseError::GroupMaxSizeReached)
    );
    assert!(!h.groups.groups[GROUP].members.contains_key(&follower));
}

#[test]
fn an_accepted_offset_commit_keeps_the_member_session_alive() {
    let mut h = Harness::new();
    let (a, mut ja) = join_new(&mut h, range_join(""));
    h.advance(3_000);
    let _ = received(&mut ja);
    let _sync = h.sync(&sync_request(&a, 1, &[(&a, b"A")]));
    for _ in 0..4 {
        h.advance(i64::from(SESSION_MS) - 1_000);
        let mut ctx = OpContext {
            now_ms: h.now_ms,
            config: &h.config,
            image: &h.image,
            timers: &mut h.timers,
            client_id: "client",
            client_host: "",
            api_version: 9,
        };
        assert_eq!(h.groups.validate_offset_commit(GROUP, &a, 1, None), Ok(()));
        h.groups.on_offset_commit(&mut ctx, GROUP, &a);
    }
    assert_eq!(h.state(), "Stable");
    h.advance(i64::from(SESSION_MS));
    assert_eq!(
        h.state(),
        "Empty",
        "without commits or heartbeats the session ends"
    );
}
