//! `GroupMetadataKey` (record type 2) and `GroupMetadataValue` (versions 0–4): the state of a
//! classic group and its members.

use bytes::Bytes;

use super::{RecordKeyBody, RecordValueBody};
use crate::schema::codec::{FlexReader, FlexWriter};
use crate::wire::WireError;

/// The key of a classic group's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct GroupMetadataKey {
    /// The group id.
    pub group: String,
}

impl RecordKeyBody for GroupMetadataKey {
    fn encode_body(&self, w: &mut FlexWriter) {
        w.string(&self.group);
    }
    fn decode_body(r: &mut FlexReader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            group: r.string("group")?,
        })
    }
}

/// A classic group's state (versions 0–4; v4 is the first flexible version). Kafka 4.x writes v3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMetadataValue {
    /// The protocol type ("consumer", "connect", ...).
    pub protocol_type: String,
    /// The generation id.
    pub generation: i32,
    /// The selected protocol, or null while empty.
    pub protocol: Option<String>,
    /// The leader member id, or null.
    pub leader: Option<String>,
    /// v2+: when the group entered its current state, in ms (default -1).
    pub current_state_timestamp: i64,
    /// The members.
    pub members: Vec<MemberMetadata>,
}

impl Default for GroupMetadataValue {
    fn default() -> Self {
        Self {
            protocol_type: String::new(),
            generation: 0,
            protocol: None,
            leader: None,
            current_state_timestamp: -1,
            members: Vec::new(),
        }
    }
}

/// One member of a classic group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberMetadata {
    /// The member id.
    pub member_id: String,
    /// v3+: the static instance id, or null.
    pub group_instance_id: Option<String>,
    /// The client id.
    pub client_id: String,
    /// The client host.
    pub client_host: String,
    /// v1+: the rebalance timeout in ms (default -1).
    pub rebalance_timeout: i32,
    /// The session timeout in ms.
    pub session_timeout: i32,
    /// The member's subscription (protocol metadata).
    pub subscription: Bytes,
    /// The member's assignment.
    pub assignment: Bytes,
}

impl Default for MemberMetadata {
    fn default() -> Self {
        Self {
            member_id: String::new(),
            group_instance_id: None,
            client_id: String::new(),
            client_host: String::new(),
            rebalance_timeout: -1,
            session_timeout: 0,
            subscription: Bytes::new(),
            assignment: Bytes::new(),
        }
    }
}

impl MemberMetadata {
    fn encode(&self, w: &mut FlexWriter, version: i16) {
        w.string(&self.member_id);
        if version >= 3 {
            w.nullable_string(self.group_instance_id.as_deref());
        }
        w.string(&self.client_id);
        w.string(&self.client_host);
        if version >= 1 {
            w.w.put_i32(self.rebalance_timeout);
        }
        w.w.put_i32(self.session_timeout);
        w.bytes(&self.subscription);
        w.bytes(&self.assignment);
        w.tagged(&[]);
    }

    fn decode(r: &mut FlexReader<'_>, version: i16) -> Result<Self, WireError> {
        let mut out = Self {
            member_id: r.string("memberId")?,
            ..Self::default()
        };
        if version >= 3 {
            out.group_instance_id = r.nullable_string("groupInstanceId")?;
        }
        out.client_id = r.string("clientId")?;
        out.client_host = r.string("clientHost")?;
        if version >= 1 {
            out.rebalance_timeout = r.r.i32()?;
        }
        out.session_timeout = r.r.i32()?;
        out.subscription = r.bytes("subscription")?;
        out.assignment = r.bytes("assignment")?;
        r.skip_tagged()?;
        Ok(out)
    }
}

impl RecordValueBody for GroupMetadataValue {
    const VERSION_MAX: i16 = 4;
    const FLEXIBLE_MIN: i16 = 4;
    fn write_version(&self) -> i16 {
        3
    }
    fn encode_body(&self, w: &mut FlexWriter, version: i16) {
        w.string(&self.protocol_type);
        w.w.put_i32(self.generation);
        w.nullable_string(self.protocol.as_deref());
        w.nullable_string(self.leader.as_deref());
        if version >= 2 {
            w.w.put_i64(self.current_state_timestamp);
        }
        w.array_len(Some(self.members.len()));
        for m in &self.members {
            m.encode(w, version);
        }
        w.tagged(&[]);
    }
    fn decode_body(r: &mut FlexReader<'_>, version: i16) -> Result<Self, WireError> {
        let mut out = Self {
            protocol_type: r.string("protocolType")?,
            generation: r.r.i32()?,
            protocol: r.nullable_string("protocol")?,
            leader: r.nullable_string("leader")?,
            ..Self::default()
        };
        if version >= 2 {
            out.current_state_timestamp = r.r.i64()?;
        }
        out.members = r.array("members", |r| MemberMetadata::decode(r, version))?;
        r.skip_tagged()?;
        Ok(out)
    }
}
