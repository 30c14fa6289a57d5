//! ConsumerGroupHeartbeat (API 68, v0–v1): request validation, join, regular heartbeats, leave
//! and static-member temporary leave (Kafka's `GroupCoordinatorService` validation and
//! `GroupMetadataManager.consumerGroupHeartbeat` / `consumerGroupLeave`).

use kafka_protocol::messages::consumer_group_heartbeat_response::{
    Assignment, TopicPartitions as ResponsePartitions,
};
use kafka_protocol::messages::{ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use strata_protocol::group_records::GroupRecord;

use super::member::{
    ConsumerGroupMember, MemberState, LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH,
};
use super::reconciliation::{reconcile, OwnedPartitions, Reconciliation};
use super::subscription::compile_regex;
use super::{records, ConsumerGroups};
use crate::group::assignor::TopicPartitions;
use crate::group::op_context::OpContext;
use crate::group::result::CoordinatorResult;
use crate::group::timer::TimerKey;

/// From this version the client must generate its member id (KIP-1082).
const CONSUMER_GENERATED_MEMBER_ID_REQUIRED_VERSION: i16 = 1;

/// A refused heartbeat: the Kafka error code and message. Refusals happen before any record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeartbeatError {
    /// Kafka error code.
    pub(crate) code: i16,
    /// Message for `ErrorMessage`.
    pub(crate) message: String,
}

fn error(code: ResponseError, message: impl Into<String>) -> HeartbeatError {
    HeartbeatError {
        code: code.code(),
        message: message.into(),
    }
}

fn invalid(message: &str) -> HeartbeatError {
    error(ResponseError::InvalidRequest, message)
}

/// Java's `String.trim().isEmpty()`: blank when every char is at or below U+0020.
fn is_blank(value: &str) -> bool {
    value.chars().all(|c| c <= ' ')
}

/// Kafka's `throwIfConsumerGroupHeartbeatRequestIsInvalid` (4.x), in Kafka's order.
pub(crate) fn validate_request(
    req: &ConsumerGroupHeartbeatRequest,
    api_version: i16,
    assignors: &[String],
) -> Result<(), HeartbeatError> {
    let epoch = req.member_epoch;
    if (api_version >= CONSUMER_GENERATED_MEMBER_ID_REQUIRED_VERSION
        || epoch > 0
        || epoch == LEAVE_GROUP_MEMBER_EPOCH)
        && is_blank(&req.member_id)
    {
        return Err(invalid("MemberId can't be empty."));
    }
    if is_blank(&req.group_id) {
        return Err(invalid("GroupId can't be empty."));
    }
    if req.instance_id.as_deref().is_some_and(is_blank) {
        return Err(invalid("InstanceId can't be empty."));
    }
    if req.rack_id.as_deref().is_some_and(is_blank) {
        return Err(invalid("RackId can't be empty."));
    }
    if epoch == 0 {
        if req.rebalance_timeout_ms == -1 {
            return Err(invalid(
                "RebalanceTimeoutMs must be provided in first request.",
            ));
        }
        if req
            .topic_partitions
            .as_ref()
            .is_none_or(|tp| !tp.is_empty())
        {
            return Err(invalid("TopicPartitions must be empty when (re-)joining."));
        }
        if req.subscribed_topic_names.is_none() && req.subscribed_topic_regex.is_none() {
            return Err(invalid("Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining."));
        }
    } else if epoch == LEAVE_GROUP_STATIC_MEMBER_EPOCH {
        if req.instance_id.is_none() {
            return Err(invalid("InstanceId can't be null."));
        }
    } else if epoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH {
        return Err(invalid("MemberEpoch is invalid."));
    }
    if let Some(name) = &req.server_assignor {
        if !assignors.iter().any(|a| a.as_str() == name.as_str()) {
            return Err(error(
                ResponseError::UnsupportedAssignor,
                format!(
                    "ServerAssignor {} is not supported. Supported assignors: {}.",
                    name.as_str(),
                    assignors.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// The partitions a request reports owning, merged by topic.
fn owned_partitions(req: &ConsumerGroupHeartbeatRequest) -> OwnedPartitions {
    req.topic_partitions.as_ref().map(|topics| {
        let mut owned = TopicPartitions::new();
        for topic in topics {
            owned
                .entry(topic.topic_id)
                .or_default()
                .extend(topic.partitions.iter().copied());
        }
        owned
    })
}

/// Kafka's `isSubset(owned, assigned)`: a request without owned partitions is not a subset.
fn is_subset(owned: &OwnedPartitions, assigned: &TopicPartitions) -> bool {
    let Some(owned) = owned else { return false };
    owned.iter().all(|(topic_id, ps)| {
        ps.is_empty() || assigned.get(topic_id).is_some_and(|a| ps.is_subset(a))
    })
}

/// Kafka's `throwIfConsumerGroupMemberEpochIsInvalid`, including the lost-response tolerance: the
/// previous epoch is accepted if the member owns no more than it is assigned.
fn check_member_epoch(
    member: &ConsumerGroupMember,
    received: i32,
    owned: &OwnedPartitions,
) -> Result<(), HeartbeatError> {
    if received > member.member_epoch {
        return Err(error(
            ResponseError::FencedMemberEpoch,
            format!(
                "The consumer group member has a greater member epoch ({received}) than the one known by the group \
                 coordinator ({}). The member must abandon all its partitions and rejoin.",
                member.member_epoch
            ),
        ));
    }
    if received < member.member_epoch
        && (received != member.previous_member_epoch
            || !is_subset(owned, &member.assigned_partitions))
    {
        return Err(error(
            ResponseError::FencedMemberEpoch,
            format!(
                "The consumer group member has a smaller member epoch ({received}) than the one known by the group \
                 coordinator ({}). The member must abandon all its partitions and rejoin.",
                member.member_epoch
            ),
        ));
    }
    Ok(())
}

/// The response of a refused heartbeat.
fn error_response(e: &HeartbeatError) -> ConsumerGroupHeartbeatResponse {
    let mut resp = ConsumerGroupHeartbeatResponse::default();
    resp.error_code = e.code;
    resp.error_message = Some(StrBytes::from_string(e.message.clone()));
    resp
}

/// The response's `Assignment` for `partitions`.
fn response_assignment(partitions: &TopicPartitions) -> Assignment {
    let mut assignment = Assignment::default();
    assignment.topic_partitions = partitions
        .iter()
        .filter(|(_, ps)| !ps.is_empty())
        .map(|(topic_id, ps)| {
            let mut topic = ResponsePartitions::default();
            topic.topic_id = *topic_id;
            topic.partitions = ps.iter().copied().collect();
            topic
        })
        .collect();
    assignment
}

/// Where the member of a join/heartbeat comes from.
struct ResolvedMember {
    /// The member as it is before this request (for a static rejoin: the copy of the departed
    /// static member under the new id).
    member: ConsumerGroupMember,
    /// Whether the member is not in the group yet.
    is_new: bool,
    /// The departed static member this one replaces.
    replaces: Option<ConsumerGroupMember>,
}

impl ConsumerGroups {
    /// Handles a ConsumerGroupHeartbeat. Refusals carry Kafka's error code and message and change
    /// nothing; otherwise `records` hold every change (already applied).
    pub(crate) fn heartbeat(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &ConsumerGroupHeartbeatRequest,
    ) -> CoordinatorResult<ConsumerGroupHeartbeatResponse> {
        let mut records = Vec::new();
        let outcome = validate_request(req, ctx.api_version, &ctx.config.consumer_assignors)
            .and_then(|()| {
                if req.member_epoch == LEAVE_GROUP_MEMBER_EPOCH
                    || req.member_epoch == LEAVE_GROUP_STATIC_MEMBER_EPOCH
                {
                    self.leave(ctx, req, &mut records)
                } else {
                    self.join_or_heartbeat(ctx, req, &mut records)
                }
            });
        match outcome {
            Ok(response) => CoordinatorResult::with_records(records, response),
            Err(e) => {
                debug_assert!(
                    records.is_empty(),
                    "a refused heartbeat must not have written records"
                );
                CoordinatorResult::response_only(error_response(&e))
            }
        }
    }

    /// Finds or creates the member a join/heartbeat is about, with every check that can refuse it.
    fn resolve_member(
        &self,
        req: &ConsumerGroupHeartbeatRequest,
        member_id: &str,
        owned: &OwnedPartitions,
        max_size: usize,
    ) -> Result<ResolvedMember, HeartbeatError> {
        let group_id = req.group_id.as_str();
        let joining = req.member_epoch == 0;
        let group = self.groups.get(group_id);
        if group.is_none() && !joining {
            return Err(error(
                ResponseError::GroupIdNotFound,
                format!("Consumer group {group_id} not found."),
            ));
        }
        if let Some(group) = group {
            let members = &group.persisted.members;
            if members.len() >= max_size
                && (req.member_id.is_empty() || !members.contains_key(req.member_id.as_str()))
            {
                return Err(error(
                    ResponseError::GroupMaxSizeReached,
                    format!("The consumer group has reached its maximum capacity of {max_size} members."),
                ));
            }
        }
        let existing = group.and_then(|g| g.persisted.members.get(member_id));
        let Some(instance_id) = req.instance_id.as_deref() else {
            return match existing {
                Some(member) => {
                    check_member_epoch(member, req.member_epoch, owned)?;
                    Ok(ResolvedMember {
                        member: member.clone(),
                        is_new: false,
                        replaces: None,
                    })
                }
                None if joining => Ok(ResolvedMember {
                    member: ConsumerGroupMember::new(member_id),
                    is_new: true,
                    replaces: None,
                }),
                None => Err(error(
                    ResponseError::UnknownMemberId,
                    format!("Member {member_id} is not a member of group {group_id}."),
                )),
            };
        };
        let static_member = group.and_then(|g| g.static_member(instance_id));
        if joining {
            return match static_member {
                None => Ok(match existing {
                    Some(member) => ResolvedMember {
                        member: member.clone(),
                        is_new: false,
                        replaces: None,
                    },
                    None => ResolvedMember {
                        member: ConsumerGroupMember::new(member_id),
                        is_new: true,
                        replaces: None,
                    },
                }),
                Some(previous) => {
                    if previous.member_epoch != LEAVE_GROUP_STATIC_MEMBER_EPOCH
                        && previous.uses_consumer_protocol()
                    {
                        return Err(error(
                            ResponseError::UnreleasedInstanceId,
                            format!(
                                "Static member {member_id} with instance id {instance_id} cannot join the group because \
                                 the instance id is owned by {} member.",
                                previous.member_id
                            ),
                        ));
                    }
                    let mut member = previous.clone();
                    member.member_id = member_id.to_owned();
                    member.member_epoch = 0;
                    member.previous_member_epoch = 0;
                    // `replace_static_member` writes the member's records, so it is not new afterwards.
                    Ok(ResolvedMember {
                        member,
                        is_new: false,
                        replaces: Some(previous.clone()),
                    })
                }
            };
        }
        let Some(previous) = static_member else {
            return Err(error(
                ResponseError::UnknownMemberId,
                format!("Instance id {instance_id} is unknown."),
            ));
        };
        if previous.member_id != member_id {
            return Err(error(
                ResponseError::FencedInstanceId,
                format!(
                    "Static member {member_id} with instance id {instance_id} was fenced by member {}.",
                    previous.member_id
                ),
            ));
        }
        check_member_epoch(previous, req.member_epoch, owned)?;
        Ok(ResolvedMember {
            member: previous.clone(),
            is_new: false,
            replaces: None,
        })
    }

    /// A join (epoch 0) or a regular heartbeat.
    fn join_or_heartbeat(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &ConsumerGroupHeartbeatRequest,
        records: &mut Vec<GroupRecord>,
    ) -> Result<ConsumerGroupHeartbeatResponse, HeartbeatError> {
        let group_id = req.group_id.as_str().to_owned();
        let member_id = if req.member_id.is_empty() {
            (self.member_id_source)()
        } else {
            req.member_id.as_str().to_owned()
        };
        let owned = owned_partitions(req);
        let resolved =
            self.resolve_member(req, &member_id, &owned, ctx.config.consumer_max_size)?;
        let before = resolved.member.clone();

        let mut updated = before.clone();
        if let Some(instance_id) = &req.instance_id {
            updated.instance_id = Some(instance_id.as_str().to_owned());
        }
        if let Some(rack_id) = &req.rack_id {
            updated.rack_id = Some(rack_id.as_str().to_owned());
        }
        if req.rebalance_timeout_ms != -1 {
            updated.rebalance_timeout_ms = req.rebalance_timeout_ms;
        }
        if let Some(assignor) = &req.server_assignor {
            updated.server_assignor = Some(assignor.as_str().to_owned());
        }
        if let Some(names) = &req.subscribed_topic_names {
            updated.subscribed_topic_names = names.iter().map(|n| n.as_str().to_owned()).collect();
        }
        if let Some(regex) = &req.subscribed_topic_regex {
            updated.subscribed_topic_regex =
                Some(regex.as_str().to_owned()).filter(|r| !r.is_empty());
        }
        updated.client_id = ctx.client_id.to_owned();
        updated.client_host = ctx.client_host.to_owned();
        updated.classic_member_metadata = None;

        let regex_changed = updated.subscribed_topic_regex != before.subscribed_topic_regex;
        if regex_changed {
            if let Some(regex) = &updated.subscribed_topic_regex {
                compile_regex(regex).map_err(|e| {
                    error(
                        ResponseError::InvalidRegularExpression,
                        format!("SubscribedTopicRegex `{regex}` is not a valid regular expression: {e}."),
                    )
                })?;
            }
        }
        if before.state == MemberState::Unknown
            && owned
                .as_ref()
                .is_none_or(|o| o.values().any(|ps| !ps.is_empty()))
        {
            return Err(error(
                ResponseError::FencedMemberEpoch,
                "The consumer group member is in a unknown state. The member must abandon all its partitions and rejoin.",
            ));
        }

        // Every check passed: from here on, records are written and applied.
        if let Some(previous) = &resolved.replaces {
            self.replace_static_member(&group_id, previous, &before, records);
        }
        let after = self.apply_member_update(
            ctx,
            &group_id,
            &before,
            &updated,
            resolved.is_new,
            &owned,
            records,
        );
        ctx.timers.schedule(
            TimerKey::ConsumerSession {
                group_id: group_id.clone(),
                member_id: member_id.clone(),
            },
            ctx.now_ms + i64::from(ctx.config.consumer_session_timeout_ms),
        );

        let full_request = req.member_epoch == 0
            || (req.rebalance_timeout_ms != -1
                && req.subscribed_topic_names.is_some()
                && req.topic_partitions.is_some());
        let assignment_changed = after.assigned_partitions != before.assigned_partitions;
        let mut resp = ConsumerGroupHeartbeatResponse::default();
        resp.member_id = Some(StrBytes::from_string(member_id));
        resp.member_epoch = after.member_epoch;
        resp.heartbeat_interval_ms = ctx.config.consumer_heartbeat_interval_ms;
        resp.assignment = (full_request || assignment_changed)
            .then(|| response_assignment(&after.assigned_partitions));
        Ok(resp)
    }

    /// Writes a joined or updated member and moves the group and the member on (steps 1–3 of
    /// Kafka's heartbeat, shared with classic members' JoinGroup): the member's metadata if new or
    /// changed, regexes and subscription metadata, a group epoch bump when subscriptions changed,
    /// a new target assignment when the group epoch is ahead, and the member's reconciliation.
    /// Returns the member as it is afterwards. Every refusal must have been checked before.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn apply_member_update(
        &mut self,
        ctx: &mut OpContext<'_>,
        group_id: &str,
        before: &ConsumerGroupMember,
        updated: &ConsumerGroupMember,
        is_new: bool,
        owned: &OwnedPartitions,
        records: &mut Vec<GroupRecord>,
    ) -> ConsumerGroupMember {
        let group_id = group_id.to_owned();
        let member_id = updated.member_id.clone();
        let regex_changed = updated.subscribed_topic_regex != before.subscribed_topic_regex;
        let mut bump = self
            .groups
            .get(&group_id)
            .is_none_or(|g| g.persisted.group_epoch == 0);
        if is_new || updated.metadata_differs(before) {
            self.emit(records, records::member_metadata(&group_id, updated));
            bump |=
                updated.subscribed_topic_names != before.subscribed_topic_names || regex_changed;
        }
        // Kafka resolves a regex no member used before in the background, after the heartbeat
        // that brought it has been answered: that heartbeat's assignment leaves the regex's topics
        // out and a later one brings them (clients such as librdkafka rely on this order). Here
        // the resolution happens on the group's next heartbeat or metadata image.
        let introduced = updated
            .subscribed_topic_regex
            .as_deref()
            .filter(|_| regex_changed);
        bump |= self.resolve_pending_regexes(ctx, &group_id, introduced, records);
        if regex_changed {
            if let Some(regex) = &before.subscribed_topic_regex {
                bump |= self.maybe_drop_regex(&group_id, regex, records);
            }
        }
        let stale_metadata = self
            .groups
            .get(&group_id)
            .and_then(|g| g.metadata_checked_at)
            != Some(ctx.image.offset);
        if bump || stale_metadata {
            bump |= self.refresh_subscriptions(ctx, &group_id, stale_metadata, records);
            if bump {
                let epoch = self
                    .groups
                    .get(&group_id)
                    .map_or(0, |g| g.persisted.group_epoch);
                self.emit(records, records::group_epoch(&group_id, epoch + 1));
            }
        }
        let needs_target = self
            .groups
            .get(&group_id)
            .is_some_and(|g| g.persisted.group_epoch > g.persisted.target_assignment_epoch);
        if needs_target {
            self.update_target_assignment(ctx, &group_id, records);
        }

        self.reconcile_member(ctx, &group_id, &member_id, owned, records)
    }

    /// Kafka's `replaceMember`: the departed static member's records are tombstoned and the new
    /// member takes over its subscription, target and current assignment under its new id.
    pub(super) fn replace_static_member(
        &mut self,
        group_id: &str,
        previous: &ConsumerGroupMember,
        replacement: &ConsumerGroupMember,
        records: &mut Vec<GroupRecord>,
    ) {
        let target = self
            .groups
            .get(group_id)
            .map(|g| g.target_of(&previous.member_id))
            .unwrap_or_default();
        self.emit(
            records,
            records::current_assignment_tombstone(group_id, &previous.member_id),
        );
        self.emit(
            records,
            records::target_member_tombstone(group_id, &previous.member_id),
        );
        self.emit(
            records,
            records::member_metadata_tombstone(group_id, &previous.member_id),
        );
        self.emit(records, records::member_metadata(group_id, replacement));
        self.emit(
            records,
            records::target_member(group_id, &replacement.member_id, &target),
        );
        self.emit(records, records::current_assignment(group_id, replacement));
    }

    /// Moves the member one step toward its target (Kafka's `maybeReconcile`), writing its new
    /// current assignment if it changed and arming or cancelling its rebalance timer. Returns the
    /// member as it is afterwards.
    fn reconcile_member(
        &mut self,
        ctx: &mut OpContext<'_>,
        group_id: &str,
        member_id: &str,
        owned: &OwnedPartitions,
        records: &mut Vec<GroupRecord>,
    ) -> ConsumerGroupMember {
        let Some(group) = self.groups.get(group_id) else {
            return ConsumerGroupMember::new(member_id);
        };
        let Some(current) = group.persisted.members.get(member_id).cloned() else {
            return ConsumerGroupMember::new(member_id);
        };
        let target_epoch = group.persisted.target_assignment_epoch;
        if current.is_reconciled_to(target_epoch) {
            return current;
        }
        let target = group.target_of(member_id);
        let partition_epoch =
            |topic_id: &uuid::Uuid, partition: i32| group.partition_epoch(topic_id, partition);
        let input = Reconciliation {
            target_epoch,
            target: &target,
            partition_epoch: &partition_epoch,
            owned,
        };
        // The unknown-state refusal was checked before any record was written.
        let next = reconcile(&current, &input).unwrap_or_else(|_| current.clone());
        let changed = next.assignment_differs(&current);
        if changed {
            self.emit(records, records::current_assignment(group_id, &next));
        }
        self.sync_rebalance_timer(ctx, group_id, &next, changed);
        next
    }

    /// Arms the rebalance timer when a member starts revoking (Kafka's
    /// `scheduleConsumerGroupRebalanceTimeout`) and cancels it when it stops. A member found
    /// revoking without an armed timer (the shard was just loaded) gets one from now.
    fn sync_rebalance_timer(
        &mut self,
        ctx: &mut OpContext<'_>,
        group_id: &str,
        member: &ConsumerGroupMember,
        changed: bool,
    ) {
        let Some(group) = self.groups.get_mut(group_id) else {
            return;
        };
        let key = TimerKey::ConsumerRebalance {
            group_id: group_id.to_owned(),
            member_id: member.member_id.clone(),
        };
        let revoking = member.state == MemberState::UnrevokedPartitions;
        let armed = group.rebalance_timer_epochs.contains_key(&member.member_id);
        if revoking && (changed || !armed) {
            let deadline = ctx.now_ms + i64::from(member.rebalance_timeout_ms.max(0));
            ctx.timers.schedule(key, deadline);
            group
                .rebalance_timer_epochs
                .insert(member.member_id.clone(), member.member_epoch);
        } else if !revoking && changed {
            ctx.timers.cancel(&key);
            group.rebalance_timer_epochs.remove(&member.member_id);
        }
    }

    /// A leave (epoch -1) or a static member's temporary leave (epoch -2).
    fn leave(
        &mut self,
        ctx: &mut OpContext<'_>,
        req: &ConsumerGroupHeartbeatRequest,
        records: &mut Vec<GroupRecord>,
    ) -> Result<ConsumerGroupHeartbeatResponse, HeartbeatError> {
        let group_id = req.group_id.as_str();
        let member_id = req.member_id.as_str();
        let Some(group) = self.groups.get(group_id) else {
            return Err(error(
                ResponseError::GroupIdNotFound,
                format!("Consumer group {group_id} not found."),
            ));
        };
        let response = |member_id: &str, epoch: i32| {
            let mut resp = ConsumerGroupHeartbeatResponse::default();
            resp.member_id = Some(StrBytes::from_string(member_id.to_owned()));
            resp.member_epoch = epoch;
            resp
        };
        let Some(instance_id) = req.instance_id.as_deref() else {
            if !group.persisted.members.contains_key(member_id) {
                return Err(error(
                    ResponseError::UnknownMemberId,
                    format!("Member {member_id} is not a member of group {group_id}."),
                ));
            }
            self.fence_member(ctx, group_id, member_id, records);
            return Ok(response(member_id, req.member_epoch));
        };
        let Some(member) = group.static_member(instance_id).cloned() else {
            return Err(error(
                ResponseError::UnknownMemberId,
                format!("Instance id {instance_id} is unknown."),
            ));
        };
        if member.member_id != member_id {
            return Err(error(
                ResponseError::FencedInstanceId,
                format!("Static member {member_id} with instance id {instance_id} was fenced by member {}.", member.member_id),
            ));
        }
        if req.member_epoch == LEAVE_GROUP_STATIC_MEMBER_EPOCH {
            // The member keeps its partitions (nobody else gets them) until it rejoins or its
            // session expires; only what it was revoking is released.
            let mut leaving = member.clone();
            leaving.member_epoch = LEAVE_GROUP_STATIC_MEMBER_EPOCH;
            leaving.partitions_pending_revocation = TopicPartitions::new();
            self.emit(records, records::current_assignment(group_id, &leaving));
            return Ok(response(&member.member_id, LEAVE_GROUP_STATIC_MEMBER_EPOCH));
        }
        self.fence_member(ctx, group_id, &member.member_id, records);
        Ok(response(member_id, req.member_epoch))
    }
}
