//! What the admin and offset APIs ask of consumer groups: ConsumerGroupDescribe, ListGroups,
//! OffsetCommit/OffsetFetch member validation, DeleteGroups.

use kafka_protocol::messages::consumer_group_describe_response::{
    Assignment, DescribedGroup, Member, TopicPartitions as DescribedPartitions,
};
use kafka_protocol::messages::TopicName;
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;
use strata_protocol::group_records::GroupRecord;

use super::group::GroupState;
use super::{cancel_member_timers, records, ConsumerGroups};
use crate::group::assignor::{assignor_by_name, TopicPartitions};
use crate::group::op_context::OpContext;
use crate::group::GroupListing;

/// `MemberType` of ConsumerGroupDescribe v1: a member speaking the classic protocol.
const MEMBER_TYPE_CLASSIC: i8 = 0;
/// `MemberType` of ConsumerGroupDescribe v1: a member speaking the consumer protocol.
const MEMBER_TYPE_CONSUMER: i8 = 1;

fn str_bytes(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_owned())
}

/// An assignment with topic names from `image`; topics the image no longer has are left out, as
/// Kafka does.
fn described_assignment(partitions: &TopicPartitions, image: &MetadataImage) -> Assignment {
    let mut out = Assignment::default();
    out.topic_partitions = partitions
        .iter()
        .filter_map(|(topic_id, ps)| {
            image.topics.get_by_id(topic_id).map(|topic| {
                let mut described = DescribedPartitions::default();
                described.topic_id = *topic_id;
                described.topic_name = TopicName(str_bytes(&topic.name));
                described.partitions = ps.iter().copied().collect();
                described
            })
        })
        .collect();
    out
}

impl ConsumerGroups {
    /// The ConsumerGroupDescribe entry of a group (`None` when this shard has no such consumer
    /// group; the handler answers GROUP_ID_NOT_FOUND then). `AuthorizedOperations` is left at
    /// Kafka's "not requested" value for the handler to fill.
    pub(crate) fn describe(&self, group_id: &str, image: &MetadataImage) -> Option<DescribedGroup> {
        let group = self.groups.get(group_id)?;
        let p = &group.persisted;
        let configured: Vec<String> = p
            .members
            .values()
            .filter_map(|m| m.server_assignor.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        // The assignor the next target assignment would use (the one most members asked for,
        // else the default), named as the assignor itself reports it.
        let assignor = group
            .preferred_assignor(&configured)
            .and_then(assignor_by_name)
            .map_or("uniform", |a| a.name())
            .to_owned();
        let members = p
            .members
            .values()
            .map(|m| {
                let mut member = Member::default();
                member.member_id = str_bytes(&m.member_id);
                member.instance_id = m.instance_id.as_deref().map(str_bytes);
                member.rack_id = m.rack_id.as_deref().map(str_bytes);
                member.member_epoch = m.member_epoch;
                member.client_id = str_bytes(&m.client_id);
                member.client_host = str_bytes(&m.client_host);
                member.subscribed_topic_names = m
                    .subscribed_topic_names
                    .iter()
                    .map(|n| TopicName(str_bytes(n)))
                    .collect();
                member.subscribed_topic_regex = m.subscribed_topic_regex.as_deref().map(str_bytes);
                member.assignment = described_assignment(&m.assigned_partitions, image);
                member.target_assignment =
                    described_assignment(&group.target_of(&m.member_id), image);
                member.member_type = if m.uses_consumer_protocol() {
                    MEMBER_TYPE_CONSUMER
                } else {
                    MEMBER_TYPE_CLASSIC
                };
                member
            })
            .collect();
        let mut described = DescribedGroup::default();
        described.group_id = str_bytes(group_id).into();
        described.group_state = str_bytes(group.state().name());
        described.group_epoch = p.group_epoch;
        described.assignment_epoch = p.target_assignment_epoch;
        described.assignor_name = str_bytes(&assignor);
        described.members = members;
        Some(described)
    }

    /// ListGroups entries of every consumer group.
    pub(crate) fn list(&self) -> Vec<GroupListing> {
        self.groups
            .iter()
            .map(|(group_id, group)| GroupListing {
                group_id: group_id.clone(),
                state: group.state().name(),
                group_type: "consumer",
                protocol_type: "consumer".to_owned(),
            })
            .collect()
    }

    /// Whether `member_id` at `member_epoch` may commit offsets for the group (Kafka's
    /// `ConsumerGroup.validateOffsetCommit`): a negative epoch on a group without members is an
    /// admin or simple-consumer commit and is allowed; otherwise the member must exist
    /// (UNKNOWN_MEMBER_ID) at exactly that epoch (STALE_MEMBER_EPOCH, or ILLEGAL_GENERATION for a
    /// member speaking the classic protocol). A group this shard does not have is
    /// GROUP_ID_NOT_FOUND.
    pub(crate) fn validate_offset_commit(
        &self,
        group_id: &str,
        member_id: &str,
        member_epoch: i32,
    ) -> Result<(), i16> {
        let group = self
            .groups
            .get(group_id)
            .ok_or(ResponseError::GroupIdNotFound.code())?;
        if member_epoch < 0 && group.persisted.members.is_empty() {
            return Ok(());
        }
        let member = group
            .persisted
            .members
            .get(member_id)
            .ok_or(ResponseError::UnknownMemberId.code())?;
        check_epoch(
            member_epoch,
            member.member_epoch,
            member.uses_consumer_protocol(),
        )
    }

    /// Whether an OffsetFetch naming `member_id` at `member_epoch` may read (Kafka's
    /// `ConsumerGroup.validateOffsetFetch`): a request without a member id (empty) and a negative
    /// epoch is an admin read and is allowed; otherwise as for commits.
    pub(crate) fn validate_offset_fetch(
        &self,
        group_id: &str,
        member_id: &str,
        member_epoch: i32,
    ) -> Result<(), i16> {
        if member_id.is_empty() && member_epoch < 0 {
            return Ok(());
        }
        let group = self
            .groups
            .get(group_id)
            .ok_or(ResponseError::GroupIdNotFound.code())?;
        let member = group
            .persisted
            .members
            .get(member_id)
            .ok_or(ResponseError::UnknownMemberId.code())?;
        check_epoch(
            member_epoch,
            member.member_epoch,
            member.uses_consumer_protocol(),
        )
    }

    /// Deletes an empty group (DeleteGroups): NON_EMPTY_GROUP if it has members,
    /// GROUP_ID_NOT_FOUND if this shard does not have it. Returns the tombstones in Kafka's order
    /// (current assignments, targets, target epoch, members, subscription metadata, regexes,
    /// group epoch), already applied, and cancels the group's timers.
    pub(crate) fn delete_group(
        &mut self,
        ctx: &mut OpContext<'_>,
        group_id: &str,
    ) -> Result<Vec<GroupRecord>, i16> {
        let group = self
            .groups
            .get(group_id)
            .ok_or(ResponseError::GroupIdNotFound.code())?;
        if group.state() != GroupState::Empty {
            return Err(ResponseError::NonEmptyGroup.code());
        }
        let p = &group.persisted;
        let member_ids: Vec<String> = p
            .members
            .keys()
            .chain(p.target_assignment.keys())
            .cloned()
            .collect();
        let regexes: Vec<String> = p.resolved_regexes.keys().cloned().collect();
        let mut tombstones = Vec::new();
        for member_id in &member_ids {
            tombstones.push(records::current_assignment_tombstone(group_id, member_id));
        }
        for member_id in &member_ids {
            tombstones.push(records::target_member_tombstone(group_id, member_id));
        }
        tombstones.push(records::target_epoch_tombstone(group_id));
        for member_id in &member_ids {
            tombstones.push(records::member_metadata_tombstone(group_id, member_id));
            cancel_member_timers(ctx, group_id, member_id);
        }
        tombstones.push(records::subscription_metadata_tombstone(group_id));
        for regex in &regexes {
            tombstones.push(records::regex_tombstone(group_id, regex));
        }
        tombstones.push(records::group_epoch_tombstone(group_id));
        let mut out = Vec::with_capacity(tombstones.len());
        for record in tombstones {
            self.emit(&mut out, record);
        }
        ctx.timers.cancel_group(group_id);
        Ok(out)
    }
}

fn check_epoch(received: i32, expected: i32, consumer_protocol: bool) -> Result<(), i16> {
    if received == expected {
        Ok(())
    } else if consumer_protocol {
        Err(ResponseError::StaleMemberEpoch.code())
    } else {
        Err(ResponseError::IllegalGeneration.code())
    }
}
