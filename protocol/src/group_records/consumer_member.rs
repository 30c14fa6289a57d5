//! Member-level records of a KIP-848 consumer group: `ConsumerGroupMemberMetadata` (type 5),
//! `ConsumerGroupTargetAssignmentMember` (7) and `ConsumerGroupCurrentMemberAssignment` (8).
//! Every value has the single flexible version 0.

use bytes::Bytes;
use uuid::Uuid;

use super::{RecordKeyBody, RecordValueBody};
use crate::schema::codec::{FlexReader, FlexWriter};
use crate::wire::WireError;

/// Key of a member's metadata (type 5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ConsumerGroupMemberMetadataKey {
    /// The group id.
    pub group_id: String,
    /// The member id.
    pub member_id: String,
}

/// Key of a member's target assignment (type 7).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ConsumerGroupTargetAssignmentMemberKey {
    /// The group id.
    pub group_id: String,
    /// The member id.
    pub member_id: String,
}

/// Key of a member's current assignment (type 8).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ConsumerGroupCurrentMemberAssignmentKey {
    /// The group id.
    pub group_id: String,
    /// The member id.
    pub member_id: String,
}

macro_rules! member_key {
    ($t:ty) => {
        impl RecordKeyBody for $t {
            fn encode_body(&self, w: &mut FlexWriter) {
                w.string(&self.group_id);
                w.string(&self.member_id);
            }
            fn decode_body(r: &mut FlexReader<'_>) -> Result<Self, WireError> {
                Ok(Self {
                    group_id: r.string("GroupId")?,
                    member_id: r.string("MemberId")?,
                })
            }
        }
    };
}
member_key!(ConsumerGroupMemberMetadataKey);
member_key!(ConsumerGroupTargetAssignmentMemberKey);
member_key!(ConsumerGroupCurrentMemberAssignmentKey);

/// A consumer group member's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerGroupMemberMetadataValue {
    /// The static instance id, if any.
    pub instance_id: Option<String>,
    /// The rack id, if any.
    pub rack_id: Option<String>,
    /// The client id.
    pub client_id: String,
    /// The client host.
    pub client_host: String,
    /// The subscribed topic names.
    pub subscribed_topic_names: Vec<String>,
    /// The subscribed regular expression, if any.
    pub subscribed_topic_regex: Option<String>,
    /// The rebalance timeout in ms (default -1).
    pub rebalance_timeout_ms: i32,
    /// The server-side assignor, if chosen.
    pub server_assignor: Option<String>,
    /// Tag 0: present when the member speaks the classic protocol (default null).
    pub classic_member_metadata: Option<ClassicMemberMetadata>,
}

impl Default for ConsumerGroupMemberMetadataValue {
    fn default() -> Self {
        Self {
            instance_id: None,
            rack_id: None,
            client_id: String::new(),
            client_host: String::new(),
            subscribed_topic_names: Vec::new(),
            subscribed_topic_regex: None,
            rebalance_timeout_ms: -1,
            server_assignor: None,
            classic_member_metadata: None,
        }
    }
}

/// The classic-protocol facts of a member that joined with JoinGroup.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClassicMemberMetadata {
    /// The session timeout in ms.
    pub session_timeout_ms: i32,
    /// The protocols the member supports.
    pub supported_protocols: Vec<ClassicProtocol>,
}

/// One protocol a classic member supports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClassicProtocol {
    /// The protocol name.
    pub name: String,
    /// The protocol metadata.
    pub metadata: Bytes,
}

impl ClassicMemberMetadata {
    fn encode(&self, w: &mut FlexWriter) {
        w.w.put_i32(self.session_timeout_ms);
        w.array_len(Some(self.supported_protocols.len()));
        for p in &self.supported_protocols {
            w.string(&p.name);
            w.bytes(&p.metadata);
            w.tagged(&[]);
        }
        w.tagged(&[]);
    }

    fn decode(r: &mut FlexReader<'_>) -> Result<Self, WireError> {
        let session_timeout_ms = r.r.i32()?;
        let supported_protocols = r.array("SupportedProtocols", |r| {
            let name = r.string("Name")?;
            let metadata = r.bytes("Metadata")?;
            r.skip_tagged()?;
            Ok(ClassicProtocol { name, metadata })
        })?;
        r.skip_tagged()?;
        Ok(Self {
            session_timeout_ms,
            supported_protocols,
        })
    }
}

impl RecordValueBody for ConsumerGroupMemberMetadataValue {
    const VERSION_MAX: i16 = 0;
    const FLEXIBLE_MIN: i16 = 0;
    fn write_version(&self) -> i16 {
        0
    }
    fn encode_body(&self, w: &mut FlexWriter, _version: i16) {
        w.nullable_string(self.instance_id.as_deref());
        w.nullable_string(self.rack_id.as_deref());
        w.string(&self.client_id);
        w.string(&self.client_host);
        w.string_array(&self.subscribed_topic_names);
        w.nullable_string(self.subscribed_topic_regex.as_deref());
        w.w.put_i32(self.rebalance_timeout_ms);
        w.nullable_string(self.server_assignor.as_deref());
        let mut tagged = Vec::new();
        if let Some(classic) = &self.classic_member_metadata {
            // A tagged nullable struct starts with unsigned varint 1 ("present").
            tagged.push((
                0,
                w.sub(|t| {
                    t.w.put_unsigned_varint(1);
                    classic.encode(t);
                }),
            ));
        }
        w.tagged(&tagged);
    }
    fn decode_body(r: &mut FlexReader<'_>, _version: i16) -> Result<Self, WireError> {
        let mut out = Self {
            instance_id: r.nullable_string("InstanceId")?,
            rack_id: r.nullable_string("RackId")?,
            client_id: r.string("ClientId")?,
            client_host: r.string("ClientHost")?,
            subscribed_topic_names: r.string_array("SubscribedTopicNames")?,
            subscribed_topic_regex: r.nullable_string("SubscribedTopicRegex")?,
            rebalance_timeout_ms: r.r.i32()?,
            server_assignor: r.nullable_string("ServerAssignor")?,
            classic_member_metadata: None,
        };
        r.tagged(|tag, f| {
            match tag {
                0 => {
                    out.classic_member_metadata = if f.r.unsigned_varint()? == 0 {
                        None
                    } else {
                        Some(ClassicMemberMetadata::decode(f)?)
                    }
                }
                _ => f.r.skip_rest(),
            }
            Ok(())
        })?;
        Ok(out)
    }
}

/// A member's target assignment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConsumerGroupTargetAssignmentMemberValue {
    /// The assigned partitions.
    pub topic_partitions: Vec<TopicPartition>,
}

/// Partitions of one topic in a target assignment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TopicPartition {
    /// The topic id.
    pub topic_id: Uuid,
    /// The partition indexes.
    pub partitions: Vec<i32>,
}

impl RecordValueBody for ConsumerGroupTargetAssignmentMemberValue {
    const VERSION_MAX: i16 = 0;
    const FLEXIBLE_MIN: i16 = 0;
    fn write_version(&self) -> i16 {
        0
    }
    fn encode_body(&self, w: &mut FlexWriter, _version: i16) {
        w.array_len(Some(self.topic_partitions.len()));
        for tp in &self.topic_partitions {
            w.w.put_uuid(&tp.topic_id);
            w.i32_array(&tp.partitions);
            w.tagged(&[]);
        }
        w.tagged(&[]);
    }
    fn decode_body(r: &mut FlexReader<'_>, _version: i16) -> Result<Self, WireError> {
        let topic_partitions = r.array("TopicPartitions", |r| {
            let topic_id = r.r.uuid()?;
            let partitions = r.i32_array("Partitions")?;
            r.skip_tagged()?;
            Ok(TopicPartition {
                topic_id,
                partitions,
            })
        })?;
        r.skip_tagged()?;
        Ok(Self { topic_partitions })
    }
}

/// A member's current assignment and epochs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConsumerGroupCurrentMemberAssignmentValue {
    /// The member epoch expected in the next heartbeat.
    pub member_epoch: i32,
    /// The previous member epoch (accepted if the last bump was lost).
    pub previous_member_epoch: i32,
    /// The member state (Kafka's `MemberState` value).
    pub state: i8,
    /// Partitions assigned to (or owned by) the member.
    pub assigned_partitions: Vec<TopicPartitions>,
    /// Partitions the member must revoke.
    pub partitions_pending_revocation: Vec<TopicPartitions>,
}

/// Partitions of one topic in a current assignment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TopicPartitions {
    /// The topic id.
    pub topic_id: Uuid,
    /// The partition indexes.
    pub partitions: Vec<i32>,
}

fn encode_topic_partitions(w: &mut FlexWriter, v: &[TopicPartitions]) {
    w.array_len(Some(v.len()));
    for tp in v {
        w.w.put_uuid(&tp.topic_id);
        w.i32_array(&tp.partitions);
        w.tagged(&[]);
    }
}

fn decode_topic_partitions(
    r: &mut FlexReader<'_>,
    field: &'static str,
) -> Result<Vec<TopicPartitions>, WireError> {
    r.array(field, |r| {
        let topic_id = r.r.uuid()?;
        let partitions = r.i32_array("Partitions")?;
        r.skip_tagged()?;
        Ok(TopicPartitions {
            topic_id,
            partitions,
        })
    })
}

impl RecordValueBody for ConsumerGroupCurrentMemberAssignmentValue {
    const VERSION_MAX: i16 = 0;
    const FLEXIBLE_MIN: i16 = 0;
    fn write_version(&self) -> i16 {
        0
    }
    fn encode_body(&self, w: &mut FlexWriter, _version: i16) {
        w.w.put_i32(self.member_epoch);
        w.w.put_i32(self.previous_member_epoch);
        w.w.put_i8(self.state);
        encode_topic_partitions(w, &self.assigned_partitions);
        encode_topic_partitions(w, &self.partitions_pending_revocation);
        w.tagged(&[]);
    }
    fn decode_body(r: &mut FlexReader<'_>, _version: i16) -> Result<Self, WireError> {
        let out = Self {
            member_epoch: r.r.i32()?,
            previous_member_epoch: r.r.i32()?,
            state: r.r.i8()?,
            assigned_partitions: decode_topic_partitions(r, "AssignedPartitions")?,
            partitions_pending_revocation: decode_topic_partitions(
                r,
                "PartitionsPendingRevocation",
            )?,
        };
        r.skip_tagged()?;
        Ok(out)
    }
}
