//! The group admin APIs, routed to the group's coordinator: ListGroups (every broker),
//! DescribeGroups, ConsumerGroupDescribe, OffsetFetch, OffsetCommit and DeleteGroups.

use std::collections::BTreeMap;

use bytes::Bytes;
use kafka_protocol::messages::consumer_protocol_assignment::ConsumerProtocolAssignment;
use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestGroup;
use kafka_protocol::messages::{
    ConsumerGroupDescribeRequest, DeleteGroupsRequest, DescribeGroupsRequest, GroupId,
    ListGroupsRequest, OffsetCommitRequest, OffsetFetchRequest, TopicName,
};
use kafka_protocol::protocol::{Decodable, StrBytes};

use super::cluster::{Client, Retry};
use super::connection::take_version;
use super::error::{check, BrokerError, ClientError};
use super::error_code::{GROUP_ID_NOT_FOUND, UNSUPPORTED_VERSION};
use super::offsets::TopicPartition;

/// One group as ListGroups reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListedGroup {
    /// The group id.
    pub(crate) group_id: String,
    /// `consumer` for consumer groups (either protocol), `` for simple (commit-only) groups.
    pub(crate) protocol_type: String,
    /// The state (v4+), or empty.
    pub(crate) state: String,
    /// `classic` or `consumer` (v5+), or empty.
    pub(crate) group_type: String,
    /// The broker that answered (the coordinator).
    pub(crate) coordinator: i32,
}

/// One member of a described group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupMember {
    /// The member id.
    pub(crate) member_id: String,
    /// `group.instance.id` for static members.
    pub(crate) instance_id: Option<String>,
    /// The client id.
    pub(crate) client_id: String,
    /// The client's host.
    pub(crate) host: String,
    /// Assigned partitions.
    pub(crate) assignment: Vec<TopicPartition>,
}

/// A described group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupDescription {
    /// The group id.
    pub(crate) group_id: String,
    /// The state (`Stable`, `Empty`, `Dead`, ...).
    pub(crate) state: String,
    /// `classic` or `consumer`.
    pub(crate) group_type: String,
    /// The classic protocol type (`consumer`), or empty.
    pub(crate) protocol_type: String,
    /// The assignor (classic: the protocol name; consumer: the server assignor).
    pub(crate) assignor: String,
    /// Group epoch (consumer groups), -1 otherwise.
    pub(crate) epoch: i32,
    /// The coordinator's node id.
    pub(crate) coordinator: i32,
    /// Members.
    pub(crate) members: Vec<GroupMember>,
}

/// One committed offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommittedOffset {
    /// The offset, -1 when none is committed.
    pub(crate) offset: i64,
    /// The metadata string committed with it.
    pub(crate) metadata: Option<String>,
}

/// ListGroups on every broker (each answers for the groups it coordinates), as Kafka's admin
/// client does. `states` and `types` filter on the broker when it supports them.
pub(crate) async fn list_groups(
    client: &mut Client,
    states: &[String],
    types: &[String],
) -> Result<Vec<ListedGroup>, ClientError> {
    client.metadata(Some(&[])).await?;
    let mut out = Vec::new();
    for node_id in client.node_ids() {
        let connection = client.node(node_id).await?;
        let response = connection
            .call(|_version| {
                let mut request = ListGroupsRequest::default();
                request.states_filter = states
                    .iter()
                    .map(|s| StrBytes::from_string(s.clone()))
                    .collect();
                request.types_filter = types
                    .iter()
                    .map(|s| StrBytes::from_string(s.clone()))
                    .collect();
                request
            })
            .await?;
        check(
            response.error_code,
            || format!("listing groups on broker {node_id}"),
            None,
        )?;
        for g in response.groups {
            out.push(ListedGroup {
                group_id: g.group_id.0.to_string(),
                protocol_type: g.protocol_type.to_string(),
                state: g.group_state.to_string(),
                group_type: g.group_type.to_string(),
                coordinator: node_id,
            });
        }
    }
    out.sort_by(|a, b| a.group_id.cmp(&b.group_id));
    Ok(out)
}

/// Describes a group: ConsumerGroupDescribe first when the coordinator offers it (KIP-848
/// groups), DescribeGroups for classic and simple groups, as Kafka's admin client does.
pub(crate) async fn describe_group(
    client: &mut Client,
    group: &str,
) -> Result<GroupDescription, ClientError> {
    let mut retry = Retry::new();
    loop {
        match describe_group_once(client, group).await {
            Ok(description) => return Ok(description),
            Err(error) => retry.after(error).await?,
        }
    }
}

async fn describe_group_once(
    client: &mut Client,
    group: &str,
) -> Result<GroupDescription, ClientError> {
    let coordinator = client.group_coordinator(group).await?;
    let connection = client.node(coordinator).await?;
    let group_id = GroupId(StrBytes::from_string(group.to_owned()));
    if connection
        .version_for::<ConsumerGroupDescribeRequest>()
        .is_ok()
    {
        let response = connection
            .call(|_version| {
                let mut request = ConsumerGroupDescribeRequest::default();
                request.group_ids = vec![group_id.clone()];
                request
            })
            .await?;
        if let Some(g) = response.groups.first() {
            // GROUP_ID_NOT_FOUND here also means "a classic group": fall through to DescribeGroups.
            if g.error_code != GROUP_ID_NOT_FOUND && g.error_code != UNSUPPORTED_VERSION {
                check(
                    g.error_code,
                    || format!("group '{group}'"),
                    g.error_message.as_ref(),
                )?;
                return Ok(GroupDescription {
                    group_id: group.to_owned(),
                    state: g.group_state.to_string(),
                    group_type: "consumer".to_owned(),
                    protocol_type: "consumer".to_owned(),
                    assignor: g.assignor_name.to_string(),
                    epoch: g.group_epoch,
                    coordinator,
                    members: g
                        .members
                        .iter()
                        .map(|m| GroupMember {
                            member_id: m.member_id.to_string(),
                            instance_id: m.instance_id.as_ref().map(|i| i.to_string()),
                            client_id: m.client_id.to_string(),
                            host: m.client_host.to_string(),
                            assignment: m
                                .assignment
                                .topic_partitions
                                .iter()
                                .flat_map(|t| {
                                    let name = t.topic_name.0.to_string();
                                    t.partitions.iter().map(move |p| (name.clone(), *p))
                                })
                                .collect(),
                        })
                        .collect(),
                });
            }
        }
    }
    let response = connection
        .call(|_version| {
            let mut request = DescribeGroupsRequest::default();
            request.groups = vec![group_id.clone()];
            request
        })
        .await?;
    let Some(g) = response.groups.first() else {
        return Err(BrokerError::new(GROUP_ID_NOT_FOUND, format!("group '{group}'"), None).into());
    };
    check(
        g.error_code,
        || format!("group '{group}'"),
        g.error_message.as_ref(),
    )?;
    let protocol_type = g.protocol_type.to_string();
    Ok(GroupDescription {
        group_id: group.to_owned(),
        state: g.group_state.to_string(),
        group_type: "classic".to_owned(),
        protocol_type: protocol_type.clone(),
        assignor: g.protocol_data.to_string(),
        epoch: -1,
        coordinator,
        members: g
            .members
            .iter()
            .map(|m| GroupMember {
                member_id: m.member_id.to_string(),
                instance_id: m.group_instance_id.as_ref().map(|i| i.to_string()),
                client_id: m.client_id.to_string(),
                host: m.client_host.to_string(),
                assignment: if protocol_type == "consumer" {
                    decode_assignment(&m.member_assignment)
                } else {
                    Vec::new()
                },
            })
            .collect(),
    })
}

/// Decodes a classic consumer's assignment blob (`ConsumerProtocolAssignment`, version-prefixed);
/// an undecodable blob yields no partitions rather than failing the description.
pub(crate) fn decode_assignment(blob: &Bytes) -> Vec<TopicPartition> {
    let mut buf = blob.clone();
    let Some(version) = take_version(&mut buf) else {
        return Vec::new();
    };
    let version = version.clamp(0, 3);
    match ConsumerProtocolAssignment::decode(&mut buf, version) {
        Ok(assignment) => assignment
            .assigned_partitions
            .iter()
            .flat_map(|t| {
                let name = t.topic.0.to_string();
                t.partitions.iter().map(move |p| (name.clone(), *p))
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Committed offsets of `group` (all partitions it has committed).
pub(crate) async fn fetch_committed(
    client: &mut Client,
    group: &str,
) -> Result<BTreeMap<TopicPartition, CommittedOffset>, ClientError> {
    let mut retry = Retry::new();
    loop {
        match fetch_committed_once(client, group).await {
            Ok(offsets) => return Ok(offsets),
            Err(error) => retry.after(error).await?,
        }
    }
}

async fn fetch_committed_once(
    client: &mut Client,
    group: &str,
) -> Result<BTreeMap<TopicPartition, CommittedOffset>, ClientError> {
    let coordinator = client.group_coordinator(group).await?;
    let connection = client.node(coordinator).await?;
    let group_id = GroupId(StrBytes::from_string(group.to_owned()));
    let response = connection
        .call(|version| {
            let mut request = OffsetFetchRequest::default();
            if version >= 8 {
                let mut g = OffsetFetchRequestGroup::default();
                g.group_id = group_id.clone();
                g.member_epoch = -1;
                g.topics = None;
                request.groups = vec![g];
            } else {
                request.group_id = group_id.clone();
                request.topics = None;
            }
            request
        })
        .await?;
    let subject = || format!("committed offsets of group '{group}'");
    let mut out = BTreeMap::new();
    if let Some(g) = response.groups.first() {
        check(g.error_code, subject, None)?;
        for t in &g.topics {
            for p in &t.partitions {
                check(
                    p.error_code,
                    || format!("{}-{} in group '{group}'", t.name.0, p.partition_index),
                    None,
                )?;
                out.insert(
                    (t.name.0.to_string(), p.partition_index),
                    CommittedOffset {
                        offset: p.committed_offset,
                        metadata: p.metadata.as_ref().map(|m| m.to_string()),
                    },
                );
            }
        }
    } else {
        check(response.error_code, subject, None)?;
        for t in &response.topics {
            for p in &t.partitions {
                check(
                    p.error_code,
                    || format!("{}-{} in group '{group}'", t.name.0, p.partition_index),
                    None,
                )?;
                out.insert(
                    (t.name.0.to_string(), p.partition_index),
                    CommittedOffset {
                        offset: p.committed_offset,
                        metadata: p.metadata.as_ref().map(|m| m.to_string()),
                    },
                );
            }
        }
    }
    out.retain(|_, c| c.offset >= 0);
    Ok(out)
}

/// Commits `offsets` for `group` as a standalone (simple) commit: generation -1 and no member
/// id, which Kafka accepts only while the group has no active members.
pub(crate) async fn commit_offsets(
    client: &mut Client,
    group: &str,
    offsets: &BTreeMap<TopicPartition, i64>,
) -> Result<(), ClientError> {
    let mut retry = Retry::new();
    loop {
        match commit_offsets_once(client, group, offsets).await {
            Ok(()) => return Ok(()),
            Err(error) => retry.after(error).await?,
        }
    }
}

async fn commit_offsets_once(
    client: &mut Client,
    group: &str,
    offsets: &BTreeMap<TopicPartition, i64>,
) -> Result<(), ClientError> {
    let coordinator = client.group_coordinator(group).await?;
    let connection = client.node(coordinator).await?;
    let mut by_topic: BTreeMap<&str, Vec<(i32, i64)>> = BTreeMap::new();
    for ((topic, partition), offset) in offsets {
        by_topic
            .entry(topic)
            .or_default()
            .push((*partition, *offset));
    }
    let response = connection
        .call(|_version| {
            let mut request = OffsetCommitRequest::default();
            request.group_id = GroupId(StrBytes::from_string(group.to_owned()));
            request.generation_id_or_member_epoch = -1;
            request.member_id = StrBytes::default();
            request.group_instance_id = None;
            request.retention_time_ms = -1;
            request.topics = by_topic
                .iter()
                .map(|(topic, partitions)| {
                    let mut t = OffsetCommitRequestTopic::default();
                    t.name = TopicName(StrBytes::from_string((*topic).to_owned()));
                    t.partitions = partitions
                        .iter()
                        .map(|(p, o)| {
                            let mut partition = OffsetCommitRequestPartition::default();
                            partition.partition_index = *p;
                            partition.committed_offset = *o;
                            partition.committed_leader_epoch = -1;
                            partition.committed_metadata = Some(StrBytes::default());
                            partition
                        })
                        .collect();
                    t
                })
                .collect();
            request
        })
        .await?;
    for t in &response.topics {
        for p in &t.partitions {
            check(
                p.error_code,
                || {
                    format!(
                        "committing {}-{} for group '{group}'",
                        t.name.0, p.partition_index
                    )
                },
                None,
            )?;
        }
    }
    Ok(())
}

/// Deletes `group`; returns the broker's per-group error as an error.
pub(crate) async fn delete_group(client: &mut Client, group: &str) -> Result<(), ClientError> {
    let mut retry = Retry::new();
    loop {
        let attempt = async {
            let coordinator = client.group_coordinator(group).await?;
            let connection = client.node(coordinator).await?;
            let response = connection
                .call(|_version| {
                    let mut request = DeleteGroupsRequest::default();
                    request.groups_names = vec![GroupId(StrBytes::from_string(group.to_owned()))];
                    request
                })
                .await?;
            for r in &response.results {
                check(r.error_code, || format!("deleting group '{group}'"), None)?;
            }
            Ok::<(), ClientError>(())
        };
        match attempt.await {
            Ok(()) => return Ok(()),
            Err(error) => retry.after(error).await?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BufMut;
    use kafka_protocol::messages::consumer_protocol_assignment::TopicPartition as AssignedTopic;
    use kafka_protocol::protocol::Encodable;

    #[test]
    fn classic_assignment_blob_decodes_to_partitions() {
        let assignment = ConsumerProtocolAssignment::default().with_assigned_partitions(vec![
            AssignedTopic::default()
                .with_topic(TopicName(StrBytes::from_static_str("orders")))
                .with_partitions(vec![0, 2]),
        ]);
        let mut buf = bytes::BytesMut::new();
        buf.put_i16(1);
        assignment.encode(&mut buf, 1).expect("encode");
        assert_eq!(
            decode_assignment(&buf.freeze()),
            vec![("orders".to_owned(), 0), ("orders".to_owned(), 2)]
        );
    }

    #[test]
    fn garbage_assignment_blob_yields_nothing() {
        assert!(decode_assignment(&Bytes::from_static(&[0, 1, 0xff])).is_empty());
        assert!(decode_assignment(&Bytes::new()).is_empty());
    }
}
