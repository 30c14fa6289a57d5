//! What a group subscribes to and what it gets: regular-expression resolution against the
//! metadata image, the subscribed-topic metadata whose changes bump the group epoch, and the
//! target assignment computed by the preferred server assignor.

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;
use strata_controller::MetadataImage;
use strata_protocol::group_records::GroupRecord;

use super::group::{ResolvedRegex, SubscribedTopic};
use super::{records, ConsumerGroups};
use crate::group::assignor::{
    assignor_by_name, GroupSpec, MemberSpec, PartitionAssignor, SubscribedTopicMetadata, TopicInfo,
    UniformAssignor,
};
use crate::group::op_context::OpContext;

/// Topics a regular expression never matches: the coordinators' internal topics.
const INTERNAL_TOPICS: [&str; 3] = [
    "__consumer_offsets",
    "__transaction_state",
    "__share_group_state",
];

/// Compiles a `SubscribedTopicRegex` so that it must match a whole topic name, as Java's
/// `Pattern.matcher(name).matches()` does.
pub(super) fn compile_regex(regex: &str) -> Result<Regex, regex::Error> {
    Regex::new(&format!("^(?:{regex})$"))
}

/// The non-internal topics of `image` whose whole name matches `regex` (none if it does not
/// compile, which validation rules out before a regex is stored).
fn resolve_regex(regex: &str, image: &MetadataImage) -> BTreeSet<String> {
    let Ok(compiled) = compile_regex(regex) else {
        return BTreeSet::new();
    };
    image
        .topics
        .by_name
        .keys()
        .filter(|name| !INTERNAL_TOPICS.contains(&name.as_str()) && compiled.is_match(name))
        .cloned()
        .collect()
}

impl ConsumerGroups {
    /// Resolves `regex` for the group and records it, if not resolved yet. Returns whether a
    /// record was written.
    pub(super) fn maybe_add_regex(
        &mut self,
        ctx: &OpContext<'_>,
        group_id: &str,
        regex: &str,
        records: &mut Vec<GroupRecord>,
    ) -> bool {
        let known = self
            .groups
            .get(group_id)
            .is_some_and(|g| g.persisted.resolved_regexes.contains_key(regex));
        if known {
            return false;
        }
        let resolved = ResolvedRegex {
            topics: resolve_regex(regex, ctx.image),
            version: ctx.image.offset,
            timestamp_ms: ctx.now_ms,
        };
        self.emit(records, records::regex(group_id, regex, &resolved));
        true
    }

    /// Resolves every regex some member of the group uses that is not resolved yet, except
    /// `introduced` (the regex the current heartbeat brought, resolved on a later one). Returns
    /// whether a record was written.
    pub(super) fn resolve_pending_regexes(
        &mut self,
        ctx: &OpContext<'_>,
        group_id: &str,
        introduced: Option<&str>,
        records: &mut Vec<GroupRecord>,
    ) -> bool {
        let pending: Vec<String> = match self.groups.get(group_id) {
            Some(g) => g
                .regexes_in_use()
                .into_iter()
                .filter(|r| {
                    Some(r.as_str()) != introduced && !g.persisted.resolved_regexes.contains_key(r)
                })
                .collect(),
            None => return false,
        };
        let mut written = false;
        for regex in pending {
            written |= self.maybe_add_regex(ctx, group_id, &regex, records);
        }
        written
    }

    /// Writes a tombstone for `regex` if no member of the group uses it any more. Returns whether
    /// a record was written.
    pub(super) fn maybe_drop_regex(
        &mut self,
        group_id: &str,
        regex: &str,
        records: &mut Vec<GroupRecord>,
    ) -> bool {
        let Some(group) = self.groups.get(group_id) else {
            return false;
        };
        if group.regexes_in_use().contains(regex)
            || !group.persisted.resolved_regexes.contains_key(regex)
        {
            return false;
        }
        self.emit(records, records::regex_tombstone(group_id, regex));
        true
    }

    /// Re-resolves the group's regexes (when `check_regexes`) and recomputes its subscribed-topic
    /// metadata against `ctx.image`, writing records for what changed. Returns whether the group's
    /// subscriptions changed (the caller bumps the group epoch).
    pub(super) fn refresh_subscriptions(
        &mut self,
        ctx: &OpContext<'_>,
        group_id: &str,
        check_regexes: bool,
        records: &mut Vec<GroupRecord>,
    ) -> bool {
        let mut changed = false;
        if check_regexes {
            let current: Vec<(String, BTreeSet<String>)> = match self.groups.get(group_id) {
                Some(g) => g
                    .persisted
                    .resolved_regexes
                    .iter()
                    .map(|(r, v)| (r.clone(), v.topics.clone()))
                    .collect(),
                None => return false,
            };
            for (regex, topics) in current {
                let resolved = resolve_regex(&regex, ctx.image);
                if resolved != topics {
                    let value = ResolvedRegex {
                        topics: resolved,
                        version: ctx.image.offset,
                        timestamp_ms: ctx.now_ms,
                    };
                    self.emit(records, records::regex(group_id, &regex, &value));
                    changed = true;
                }
            }
        }
        let Some(group) = self.groups.get(group_id) else {
            return changed;
        };
        let metadata = subscription_metadata(&group.subscribed_topic_names(), ctx.image);
        if metadata != group.persisted.subscription_metadata {
            self.emit(records, records::subscription_metadata(group_id, &metadata));
            changed = true;
        }
        // Only a full check (regexes included) makes the group current with this image.
        if let (true, Some(group)) = (check_regexes, self.groups.get_mut(group_id)) {
            group.metadata_checked_at = Some(ctx.image.offset);
        }
        changed
    }

    /// Recomputes the target assignment at the current group epoch (Kafka's
    /// `TargetAssignmentBuilder`): writes a `ConsumerGroupTargetAssignmentMember` for every member
    /// whose target changed, then the new `ConsumerGroupTargetAssignmentMetadata` epoch.
    pub(super) fn update_target_assignment(
        &mut self,
        ctx: &OpContext<'_>,
        group_id: &str,
        records: &mut Vec<GroupRecord>,
    ) {
        let Some(group) = self.groups.get(group_id) else {
            return;
        };
        let assignor: &dyn PartitionAssignor = group
            .preferred_assignor(&ctx.config.consumer_assignors)
            .and_then(assignor_by_name)
            .unwrap_or(&UniformAssignor);
        let topics = SubscribedTopicMetadata {
            topics: group
                .persisted
                .subscription_metadata
                .iter()
                .map(|(name, t)| {
                    (
                        t.topic_id,
                        TopicInfo {
                            name: name.clone(),
                            num_partitions: t.num_partitions,
                        },
                    )
                })
                .collect(),
        };
        let members: BTreeMap<String, MemberSpec> = group
            .persisted
            .members
            .iter()
            .map(|(member_id, member)| {
                let subscribed_topic_ids = group
                    .member_topics(member)
                    .iter()
                    .filter_map(|name| {
                        group
                            .persisted
                            .subscription_metadata
                            .get(name)
                            .map(|t| t.topic_id)
                    })
                    .collect();
                let spec = MemberSpec {
                    instance_id: member.instance_id.clone(),
                    rack_id: member.rack_id.clone(),
                    subscribed_topic_ids,
                    assignment: group.target_of(member_id),
                };
                (member_id.clone(), spec)
            })
            .collect();
        let target = assignor.assign(&GroupSpec::new(members), &topics);
        let epoch = group.persisted.group_epoch;
        let changed: Vec<GroupRecord> = target
            .members
            .iter()
            .filter(|(member_id, partitions)| {
                group.persisted.target_assignment.get(*member_id) != Some(*partitions)
            })
            .map(|(member_id, partitions)| records::target_member(group_id, member_id, partitions))
            .collect();
        for record in changed {
            self.emit(records, record);
        }
        self.emit(records, records::target_epoch(group_id, epoch));
    }
}

/// The subscribed topics that exist in `image`, with their ids and partition counts.
fn subscription_metadata(
    names: &BTreeSet<String>,
    image: &MetadataImage,
) -> BTreeMap<String, SubscribedTopic> {
    names
        .iter()
        .filter_map(|name| {
            image.topics.get_by_name(name).map(|topic| {
                let num_partitions = i32::try_from(topic.partitions.len()).unwrap_or(i32::MAX);
                (
                    name.clone(),
                    SubscribedTopic {
                        topic_id: topic.id,
                        num_partitions,
                    },
                )
            })
        })
        .collect()
}
