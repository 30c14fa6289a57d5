//! One test per ConsumerGroupHeartbeat rule: validation, membership, epochs, static members,
//! assignor selection, regexes, group size.

use std::collections::{BTreeMap, BTreeSet};

use kafka_protocol::messages::ConsumerGroupHeartbeatRequest;
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;

use super::{assignment_of, beat, join, partitions, Harness};
use crate::group::consumer::MemberState;

fn code(e: ResponseError) -> i16 {
    e.code()
}

fn assert_refused(h: &mut Harness, req: &ConsumerGroupHeartbeatRequest, expected: ResponseError) {
    let before = h.log.len();
    let resp = h.heartbeat(req);
    assert_eq!(resp.error_code, code(expected), "{:?}", resp.error_message);
    assert_eq!(h.log.len(), before, "a refused heartbeat writes nothing");
}

#[test]
fn join_with_epoch_zero_creates_the_group_and_assigns_every_partition() {
    let mut h = Harness::new();
    let t = h.set_topic("orders", 3);
    let resp = h.heartbeat(&join("g", "m1", &["orders"]));
    assert_eq!(resp.error_code, 0);
    assert_eq!(resp.member_id.as_deref(), Some("m1"));
    assert_eq!(resp.member_epoch, 1);
    assert_eq!(resp.heartbeat_interval_ms, 5_000);
    assert_eq!(assignment_of(&resp), Some(partitions(t, &[0, 1, 2])));
    assert!(h.groups.contains("g"));
    h.assert_replay_rebuilds_state();
}

#[test]
fn v0_join_without_member_id_gets_a_generated_id_and_v1_is_refused() {
    let mut h = Harness::new();
    h.set_topic("orders", 1);
    h.api_version = 0;
    let resp = h.heartbeat(&join("g", "", &["orders"]));
    assert_eq!(resp.error_code, 0);
    assert_eq!(resp.member_id.as_deref(), Some("generated-member"));
    h.api_version = 1;
    assert_refused(
        &mut h,
        &join("g", "", &["orders"]),
        ResponseError::InvalidRequest,
    );
}

#[test]
fn malformed_heartbeats_are_invalid_requests() {
    let mut h = Harness::new();
    h.set_topic("orders", 1);
    let mut cases = Vec::new();
    let mut r = join("", "m", &["orders"]);
    cases.push(("empty group id", r.clone()));
    r = join("g", "m", &["orders"]);
    r.instance_id = Some(StrBytes::from_static_str(" "));
    cases.push(("blank instance id", r.clone()));
    r = join("g", "m", &["orders"]);
    r.rack_id = Some(StrBytes::from_static_str(""));
    cases.push(("blank rack id", r.clone()));
    r = join("g", "m", &["orders"]);
    r.rebalance_timeout_ms = -1;
    cases.push(("join without rebalance timeout", r.clone()));
    r = join("g", "m", &["orders"]);
    r.topic_partitions = None;
    cases.push(("join with null owned partitions", r.clone()));
    r = join("g", "m", &["orders"]);
    r.topic_partitions = Some(super::to_request(&partitions(h.topic_id("orders"), &[0])));
    cases.push(("join owning partitions", r.clone()));
    r = join("g", "m", &["orders"]);
    r.subscribed_topic_names = None;
    cases.push(("join without subscription", r.clone()));
    r = beat("g", "m", -2, None);
    cases.push(("static leave without instance id", r.clone()));
    r = beat("g", "m", -3, None);
    cases.push(("epoch below -2", r.clone()));
    r = beat("g", "", 4, None);
    cases.push(("heartbeat without member id", r.clone()));
    for (what, req) in cases {
        let resp = h.heartbeat(&req);
        assert_eq!(
            resp.error_code,
            code(ResponseError::InvalidRequest),
            "{what}"
        );
    }
    assert!(h.log.is_empty());
}

#[test]
fn unknown_server_assignor_is_unsupported() {
    let mut h = Harness::new();
    h.set_topic("orders", 1);
    let mut req = join("g", "m", &["orders"]);
    req.server_assignor = Some(StrBytes::from_static_str("sticky"));
    assert_refused(&mut h, &req, ResponseError::UnsupportedAssignor);
}

#[test]
fn heartbeat_for_unknown_group_or_member_is_refused() {
    let mut h = Harness::new();
    h.set_topic("orders", 1);
    assert_refused(
        &mut h,
        &beat("nope", "m", 1, None),
        ResponseError::GroupIdNotFound,
    );
    h.heartbeat(&join("g", "m1", &["orders"]));
    assert_refused(
        &mut h,
        &beat("g", "ghost", 1, None),
        ResponseError::UnknownMemberId,
    );
    assert_refused(
        &mut h,
        &beat("g", "ghost", -1, None),
        ResponseError::UnknownMemberId,
    );
}

#[test]
fn wrong_member_epochs_are_fenced_but_a_lost_response_is_tolerated() {
    let mut h = Harness::new();
    let t = h.set_topic("orders", 2);
    h.heartbeat(&join("g", "m1", &["orders"]));
    let owned = partitions(t, &[0, 1]);
    assert_refused(
        &mut h,
        &beat("g", "m1", 2, Some(&owned)),
        ResponseError::FencedMemberEpoch,
    );
    // A new member bumps the group epoch; m1 revokes partition 1 and advances.
    h.heartbeat(&join("g", "m2", &["orders"]));
    let resp = h.heartbeat(&beat("g", "m1", 1, Some(&owned)));
    assert_eq!(
        resp.member_epoch, 1,
        "m1 stays at its epoch until it revokes"
    );
    let kept = assignment_of(&resp).expect("assignment changed");
    let resp = h.heartbeat(&beat("g", "m1", 1, Some(&kept)));
    assert_eq!(resp.member_epoch, 2);
    // m1 did not see epoch 2 and retries with epoch 1 owning a subset: accepted.
    let resp = h.heartbeat(&beat("g", "m1", 1, Some(&kept)));
    assert_eq!(resp.error_code, 0);
    assert_eq!(resp.member_epoch, 2);
    // Epoch 1 owning more than assigned, or not saying what it owns: fenced.
    assert_refused(
        &mut h,
        &beat("g", "m1", 1, Some(&owned)),
        ResponseError::FencedMemberEpoch,
    );
    assert_refused(
        &mut h,
        &beat("g", "m1", 1, None),
        ResponseError::FencedMemberEpoch,
    );
    h.assert_replay_rebuilds_state();
}

#[test]
fn response_carries_the_assignment_only_on_full_requests_or_changes() {
    let mut h = Harness::new();
    let t = h.set_topic("orders", 2);
    let resp = h.heartbeat(&join("g", "m1", &["orders"]));
    let owned = assignment_of(&resp).expect("join is a full request");
    let resp = h.heartbeat(&beat("g", "m1", 1, Some(&owned)));
    assert!(resp.assignment.is_none(), "nothing changed");
    let mut full = beat("g", "m1", 1, Some(&owned));
    full.rebalance_timeout_ms = 30_000;
    full.subscribed_topic_names = join("g", "m1", &["orders"]).subscribed_topic_names;
    let resp = h.heartbeat(&full);
    assert_eq!(
        assignment_of(&resp),
        Some(partitions(t, &[0, 1])),
        "a full request gets the assignment"
    );
}

#[test]
fn leaving_removes_the_member_and_bumps_the_group_epoch() {
    let mut h = Harness::new();
    h.set_topic("orders", 2);
    h.heartbeat(&join("g", "m1", &["orders"]));
    h.heartbeat(&join("g", "m2", &["orders"]));
    let epoch = h.groups.groups["g"].persisted.group_epoch;
    let resp = h.heartbeat(&beat("g", "m2", -1, None));
    assert_eq!((resp.error_code, resp.member_epoch), (0, -1));
    let group = &h.groups.groups["g"];
    assert!(!group.persisted.members.contains_key("m2"));
    assert!(!group.persisted.target_assignment.contains_key("m2"));
    assert_eq!(group.persisted.group_epoch, epoch + 1);
    h.assert_replay_rebuilds_state();
}

fn static_join(member: &str, instance: &str) -> ConsumerGroupHeartbeatRequest {
    let mut req = join("g", member, &["orders"]);
    req.instance_id = Some(StrBytes::from_string(instance.to_owned()));
    req
}

fn static_beat(
    member: &str,
    instance: &str,
    epoch: i32,
    owned: Option<&crate::group::assignor::TopicPartitions>,
) -> ConsumerGroupHeartbeatRequest {
    let mut req = beat("g", member, epoch, owned);
    req.instance_id = Some(StrBytes::from_string(instance.to_owned()));
    req
}

#[test]
fn static_member_keeps_its_partitions_across_a_temporary_leave() {
    let mut h = Harness::new();
    let t = h.set_topic("orders", 2);
    h.heartbeat(&static_join("a1", "i-a"));
    h.heartbeat(&static_join("b1", "i-b"));
    // a revokes partition 1, then b gets it.
    let resp = h.heartbeat(&static_beat("a1", "i-a", 1, Some(&partitions(t, &[0, 1]))));
    assert_eq!(assignment_of(&resp), Some(partitions(t, &[0])));
    assert_eq!(
        h.heartbeat(&static_beat("a1", "i-a", 1, Some(&partitions(t, &[0]))))
            .member_epoch,
        2
    );
    let resp = h.heartbeat(&static_beat("b1", "i-b", 2, Some(&Default::default())));
    assert_eq!(assignment_of(&resp), Some(partitions(t, &[1])));

    // b leaves temporarily: epoch -2, partition 1 stays with it.
    let resp = h.heartbeat(&static_beat("b1", "i-b", -2, None));
    assert_eq!((resp.error_code, resp.member_epoch), (0, -2));
    assert_eq!(
        h.groups.groups["g"].persisted.members["b1"].assigned_partitions,
        partitions(t, &[1])
    );
    assert_eq!(h.groups.groups["g"].partition_owner(&t, 1), Some("b1"));

    // Another process cannot take i-a while a1 is active: its instance id is unreleased.
    assert_refused(
        &mut h,
        &static_join("a2", "i-a"),
        ResponseError::UnreleasedInstanceId,
    );

    // b restarts under a new member id and gets its partition back at once.
    let resp = h.heartbeat(&static_join("b2", "i-b"));
    assert_eq!(resp.error_code, 0);
    assert_eq!(assignment_of(&resp), Some(partitions(t, &[1])));
    assert!(!h.groups.groups["g"].persisted.members.contains_key("b1"));

    // The old process is fenced by the new one.
    assert_refused(
        &mut h,
        &static_beat("b1", "i-b", 2, None),
        ResponseError::FencedInstanceId,
    );
    assert_refused(
        &mut h,
        &static_beat("zz", "i-zz", 2, None),
        ResponseError::UnknownMemberId,
    );
    h.assert_replay_rebuilds_state();
}

#[test]
fn members_select_the_range_assignor_by_name() {
    let mut h = Harness::new();
    let a = h.set_topic("a", 2);
    let b = h.set_topic("b", 2);
    let mut r1 = join("g", "m1", &["a", "b"]);
    r1.server_assignor = Some(StrBytes::from_static_str("range"));
    let mut r2 = join("g", "m2", &["a", "b"]);
    r2.server_assignor = Some(StrBytes::from_static_str("range"));
    h.heartbeat(&r1);
    h.heartbeat(&r2);
    let target = &h.groups.groups["g"].persisted.target_assignment;
    // Range co-partitions: m1 gets partition 0 of both topics, m2 partition 1 of both.
    assert_eq!(
        target["m1"],
        [(a, [0].into()), (b, [0].into())].into_iter().collect()
    );
    assert_eq!(
        target["m2"],
        [(a, [1].into()), (b, [1].into())].into_iter().collect()
    );
}

#[test]
fn regex_subscription_resolves_against_topic_names_and_follows_new_topics() {
    let mut h = Harness::new();
    let o1 = h.set_topic("orders-eu", 1);
    h.set_topic("payments", 1);
    let mut req = join("g", "m1", &[]);
    req.subscribed_topic_names = None;
    req.subscribed_topic_regex = Some(StrBytes::from_static_str("orders-.*"));
    let resp = h.heartbeat(&req);
    assert_eq!(resp.error_code, 0);
    assert_eq!(
        assignment_of(&resp),
        Some(Default::default()),
        "a new regex is resolved after the heartbeat that brought it"
    );
    let resp = h.heartbeat(&beat(
        "g",
        "m1",
        resp.member_epoch,
        Some(&Default::default()),
    ));
    assert_eq!(resp.member_epoch, 2);
    assert_eq!(assignment_of(&resp), Some(partitions(o1, &[0])));

    let o2 = h.set_topic("orders-us", 1);
    let written = h.metadata_changed();
    assert!(
        !written.is_empty(),
        "a new matching topic changes the subscription"
    );
    let resp = h.heartbeat(&beat("g", "m1", 2, Some(&partitions(o1, &[0]))));
    let mut expected = partitions(o1, &[0]);
    expected.extend(partitions(o2, &[0]));
    assert_eq!(assignment_of(&resp), Some(expected));
    h.assert_replay_rebuilds_state();
}

/// The target assignment of `member`, as topic name → partitions.
fn target_by_name(h: &Harness, member: &str) -> BTreeMap<String, BTreeSet<i32>> {
    h.groups.groups["g"].persisted.target_assignment[member]
        .iter()
        .map(|(id, ps)| (h.image.topics.by_id[id].name.clone(), ps.clone()))
        .collect()
}

fn names(topics: &[&str]) -> BTreeMap<String, BTreeSet<i32>> {
    topics
        .iter()
        .map(|t| ((*t).to_owned(), [0].into()))
        .collect()
}

/// A heartbeat changing the subscription: `names` (`None`: unchanged) and `regex` (`""` clears it,
/// `None`: unchanged), reporting what the member was assigned.
fn resubscribe(
    h: &Harness,
    names: Option<&[&str]>,
    regex: Option<&'static str>,
) -> ConsumerGroupHeartbeatRequest {
    let member = &h.groups.groups["g"].persisted.members["m1"];
    let mut req = beat(
        "g",
        "m1",
        member.member_epoch,
        Some(&member.assigned_partitions),
    );
    req.subscribed_topic_names = names.and_then(|n| join("g", "m1", n).subscribed_topic_names);
    req.subscribed_topic_regex = regex.map(StrBytes::from_static_str);
    req
}

/// Heartbeats with nothing changed until the member's assignment stops changing.
fn settle(h: &mut Harness) {
    for _ in 0..5 {
        let member = &h.groups.groups["g"].persisted.members["m1"];
        let req = beat(
            "g",
            "m1",
            member.member_epoch,
            Some(&member.assigned_partitions.clone()),
        );
        assert_eq!(h.heartbeat(&req).error_code, 0);
    }
}

#[test]
fn resubscribing_between_names_and_regexes_replaces_the_previous_subscription() {
    let mut h = Harness::new();
    for t in ["regex1", "regex2", "a", "b"] {
        h.set_topic(t, 1);
    }
    h.heartbeat(&join("g", "m1", &["a"]));
    settle(&mut h);
    assert_eq!(target_by_name(&h, "m1"), names(&["a"]));

    // Names → regex: "names = []" and the regex replace "a".
    let req = resubscribe(&h, Some(&[]), Some("regex.*"));
    h.heartbeat(&req);
    settle(&mut h);
    assert_eq!(target_by_name(&h, "m1"), names(&["regex1", "regex2"]));

    // Regex → another regex.
    let req = resubscribe(&h, None, Some("regex2|b"));
    h.heartbeat(&req);
    settle(&mut h);
    assert_eq!(target_by_name(&h, "m1"), names(&["b", "regex2"]));
    assert!(
        !h.groups.groups["g"]
            .persisted
            .resolved_regexes
            .contains_key("regex.*"),
        "the regex nobody uses any more is dropped"
    );

    // Regex → names: "" clears the regex.
    let req = resubscribe(&h, Some(&["a"]), Some(""));
    h.heartbeat(&req);
    settle(&mut h);
    assert_eq!(target_by_name(&h, "m1"), names(&["a"]));
    assert!(h.groups.groups["g"].persisted.resolved_regexes.is_empty());
    h.assert_replay_rebuilds_state();
}

#[test]
fn names_and_a_new_regex_assign_the_names_first_and_the_regex_topics_on_the_next_heartbeat() {
    let mut h = Harness::new();
    let a = h.set_topic("a", 1);
    let r1 = h.set_topic("regex1", 1);
    let mut req = join("g", "m1", &["a"]);
    req.subscribed_topic_regex = Some(StrBytes::from_static_str("regex.*"));
    let resp = h.heartbeat(&req);
    assert_eq!(assignment_of(&resp), Some(partitions(a, &[0])));
    let resp = h.heartbeat(&beat(
        "g",
        "m1",
        resp.member_epoch,
        Some(&partitions(a, &[0])),
    ));
    let mut expected = partitions(a, &[0]);
    expected.extend(partitions(r1, &[0]));
    assert_eq!(assignment_of(&resp), Some(expected));
    h.assert_replay_rebuilds_state();
}

#[test]
fn invalid_regex_is_refused() {
    let mut h = Harness::new();
    let mut req = join("g", "m1", &[]);
    req.subscribed_topic_regex = Some(StrBytes::from_static_str("orders-("));
    assert_refused(&mut h, &req, ResponseError::InvalidRegularExpression);
    assert!(!h.groups.contains("g"));
}

#[test]
fn full_group_refuses_new_members_but_not_existing_ones() {
    let mut h = Harness::new();
    h.set_topic("orders", 1);
    h.config.consumer_max_size = 1;
    h.heartbeat(&join("g", "m1", &["orders"]));
    assert_refused(
        &mut h,
        &join("g", "m2", &["orders"]),
        ResponseError::GroupMaxSizeReached,
    );
    let owned = h.groups.groups["g"].persisted.members["m1"]
        .assigned_partitions
        .clone();
    assert_eq!(h.heartbeat(&beat("g", "m1", 1, Some(&owned))).error_code, 0);
}

#[test]
fn subscription_change_bumps_the_epoch_and_moves_partitions() {
    let mut h = Harness::new();
    let a = h.set_topic("a", 1);
    let b = h.set_topic("b", 1);
    h.heartbeat(&join("g", "m1", &["a"]));
    let mut req = beat("g", "m1", 1, Some(&partitions(a, &[0])));
    req.subscribed_topic_names = join("g", "m1", &["b"]).subscribed_topic_names;
    let resp = h.heartbeat(&req);
    assert_eq!(resp.member_epoch, 1, "must revoke a-0 first");
    assert_eq!(assignment_of(&resp), Some(Default::default()));
    assert_eq!(
        h.groups.groups["g"].persisted.members["m1"].state,
        MemberState::UnrevokedPartitions
    );
    let resp = h.heartbeat(&beat("g", "m1", 1, Some(&Default::default())));
    assert_eq!(resp.member_epoch, 2);
    assert_eq!(assignment_of(&resp), Some(partitions(b, &[0])));
    h.assert_replay_rebuilds_state();
}

#[test]
fn a_regex_nobody_uses_any_more_is_tombstoned() {
    let mut h = Harness::new();
    h.set_topic("orders-eu", 1);
    let mut req = join("g", "m1", &[]);
    req.subscribed_topic_regex = Some(StrBytes::from_static_str("orders-.*"));
    let epoch = h.heartbeat(&req).member_epoch;
    h.heartbeat(&beat("g", "m1", epoch, None));
    assert!(h.groups.groups["g"]
        .persisted
        .resolved_regexes
        .contains_key("orders-.*"));
    h.heartbeat(&beat("g", "m1", -1, None));
    assert!(h.groups.groups["g"].persisted.resolved_regexes.is_empty());
    let last_regex_record = h
        .log
        .iter()
        .rev()
        .find(|r| r.type_id() == 16)
        .expect("regex records");
    assert!(last_regex_record.value.is_none(), "the regex is tombstoned");
    h.assert_replay_rebuilds_state();
}

#[test]
fn a_static_member_that_never_comes_back_expires_and_its_partitions_move() {
    let mut h = Harness::new();
    let t = h.set_topic("orders", 2);
    h.heartbeat(&static_join("a1", "i-a"));
    h.heartbeat(&join("g", "d1", &["orders"]));
    let resp = h.heartbeat(&static_beat("a1", "i-a", 1, Some(&partitions(t, &[0, 1]))));
    let kept = assignment_of(&resp).expect("a1 revokes one");
    h.heartbeat(&static_beat("a1", "i-a", 1, Some(&kept)));
    h.heartbeat(&static_beat("a1", "i-a", -2, None));
    // d1 cannot get a1's partition while a1 may come back.
    let resp = h.heartbeat(&beat("g", "d1", 2, Some(&Default::default())));
    let d1 = assignment_of(&resp).unwrap_or_default();
    assert!(d1.get(&t).is_none_or(|ps| ps.is_disjoint(&kept[&t])));
    // a1's session expires: it is removed and d1 gets everything.
    h.fire(&crate::group::timer::TimerKey::ConsumerSession {
        group_id: "g".into(),
        member_id: "a1".into(),
    });
    let epoch = h.groups.groups["g"].persisted.members["d1"].member_epoch;
    let resp = h.heartbeat(&beat("g", "d1", epoch, Some(&d1)));
    assert_eq!(assignment_of(&resp), Some(partitions(t, &[0, 1])));
    h.assert_replay_rebuilds_state();
}

#[test]
fn generated_member_ids_have_kafkas_base64_form() {
    let id = crate::group::consumer::random_member_id();
    assert_eq!(id.len(), 22);
    assert!(!id.starts_with('-'));
    assert!(id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    assert_eq!(
        crate::group::consumer::base64_url(&[0xfb, 0xff, 0x00, 0x41]),
        "-_8AQQ"
    );
}
