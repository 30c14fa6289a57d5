//! Partition records: `PartitionRecord` (3) and `PartitionChangeRecord` (5).

use uuid::Uuid;

use super::RecordBody;
use crate::wire::{encode_with, WireError, WireReader, WireWriter};

/// A partition was created, with its full state (api key 3, versions 0–2).
///
/// v1 adds `directories` (one log-directory id per replica); v2 adds the tagged ELR fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionRecord {
    /// The record version to write (0–2).
    pub version: i16,
    /// The partition id (default -1).
    pub partition_id: i32,
    /// The topic's id.
    pub topic_id: Uuid,
    /// Replicas in preferred order.
    pub replicas: Vec<i32>,
    /// In-sync replicas.
    pub isr: Vec<i32>,
    /// Replicas being removed by a reassignment.
    pub removing_replicas: Vec<i32>,
    /// Replicas being added by a reassignment.
    pub adding_replicas: Vec<i32>,
    /// The leader, or -1 (default -1).
    pub leader: i32,
    /// Tag 0: 1 while recovering from an unclean election (default 0).
    pub leader_recovery_state: i8,
    /// Leader epoch (default -1).
    pub leader_epoch: i32,
    /// Partition epoch (default -1).
    pub partition_epoch: i32,
    /// v1+: log directory of each replica, same order as `replicas`.
    pub directories: Vec<Uuid>,
    /// v2+, tag 1: eligible leader replicas (default null).
    pub eligible_leader_replicas: Option<Vec<i32>>,
    /// v2+, tag 2: last known ELR (default null).
    pub last_known_elr: Option<Vec<i32>>,
}

impl Default for PartitionRecord {
    fn default() -> Self {
        Self {
            version: Self::VERSION_MAX,
            partition_id: -1,
            topic_id: Uuid::nil(),
            replicas: Vec::new(),
            isr: Vec::new(),
            removing_replicas: Vec::new(),
            adding_replicas: Vec::new(),
            leader: -1,
            leader_recovery_state: 0,
            leader_epoch: -1,
            partition_epoch: -1,
            directories: Vec::new(),
            eligible_leader_replicas: None,
            last_known_elr: None,
        }
    }
}

impl RecordBody for PartitionRecord {
    const API_KEY: i16 = 3;
    const VERSION_MIN: i16 = 0;
    const VERSION_MAX: i16 = 2;
    fn version(&self) -> i16 {
        self.version
    }
    fn encode_body(&self, w: &mut WireWriter) {
        let v = self.version;
        w.put_i32(self.partition_id);
        w.put_uuid(&self.topic_id);
        w.put_compact_i32_array(Some(&self.replicas));
        w.put_compact_i32_array(Some(&self.isr));
        w.put_compact_i32_array(Some(&self.removing_replicas));
        w.put_compact_i32_array(Some(&self.adding_replicas));
        w.put_i32(self.leader);
        w.put_i32(self.leader_epoch);
        w.put_i32(self.partition_epoch);
        if v >= 1 {
            w.put_compact_uuid_array(Some(&self.directories));
        }
        let mut tagged = Vec::new();
        if self.leader_recovery_state != 0 {
            tagged.push((0, encode_with(|t| t.put_i8(self.leader_recovery_state))));
        }
        if v >= 2 {
            if let Some(elr) = &self.eligible_leader_replicas {
                tagged.push((1, encode_with(|t| t.put_compact_i32_array(Some(elr)))));
            }
            if let Some(lke) = &self.last_known_elr {
                tagged.push((2, encode_with(|t| t.put_compact_i32_array(Some(lke)))));
            }
        }
        w.put_tagged_fields(&tagged);
    }
    fn decode_body(r: &mut WireReader<'_>, version: i16) -> Result<Self, WireError> {
        let mut out = Self {
            version,
            partition_id: r.i32()?,
            topic_id: r.uuid()?,
            replicas: r.compact_i32_array("Replicas")?,
            isr: r.compact_i32_array("Isr")?,
            removing_replicas: r.compact_i32_array("RemovingReplicas")?,
            adding_replicas: r.compact_i32_array("AddingReplicas")?,
            leader: r.i32()?,
            leader_epoch: r.i32()?,
            partition_epoch: r.i32()?,
            ..Self::default()
        };
        if version >= 1 {
            out.directories = r.compact_uuid_array("Directories")?;
        }
        r.tagged_fields(|tag, f| {
            match tag {
                0 => out.leader_recovery_state = f.i8()?,
                1 if version >= 2 => {
                    out.eligible_leader_replicas = f.compact_nullable_i32_array()?
                }
                2 if version >= 2 => out.last_known_elr = f.compact_nullable_i32_array()?,
                _ => f.skip_rest(),
            }
            Ok(())
        })?;
        Ok(out)
    }
}

/// A change to a partition; `None`/sentinel fields did not change (api key 5, versions 0–2).
///
/// Every field after `topic_id` is tagged. v1 adds `directories` (tag 8); v2 adds the ELR
/// fields (tags 6 and 7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionChangeRecord {
    /// The record version to write (0–2).
    pub version: i16,
    /// The partition id (default -1).
    pub partition_id: i32,
    /// The topic's id.
    pub topic_id: Uuid,
    /// Tag 0: the new ISR.
    pub isr: Option<Vec<i32>>,
    /// Tag 1: -1 no leader now, -2 (default) unchanged, else the new leader.
    pub leader: i32,
    /// Tag 2: the new replicas.
    pub replicas: Option<Vec<i32>>,
    /// Tag 3: the new removing replicas.
    pub removing_replicas: Option<Vec<i32>>,
    /// Tag 4: the new adding replicas.
    pub adding_replicas: Option<Vec<i32>>,
    /// Tag 5: -1 (default) unchanged, 0 recovered, 1 recovering.
    pub leader_recovery_state: i8,
    /// v2+, tag 6: the new eligible leader replicas.
    pub eligible_leader_replicas: Option<Vec<i32>>,
    /// v2+, tag 7: the new last known ELR.
    pub last_known_elr: Option<Vec<i32>>,
    /// v1+, tag 8: the new log directory per replica.
    pub directories: Option<Vec<Uuid>>,
}

/// `PartitionChangeRecord.leader` meaning "the leader did not change".
pub const LEADER_UNCHANGED: i32 = -2;

impl Default for PartitionChangeRecord {
    fn default() -> Self {
        Self {
            version: Self::VERSION_MAX,
            partition_id: -1,
            topic_id: Uuid::nil(),
            isr: None,
            leader: LEADER_UNCHANGED,
            replicas: None,
            removing_replicas: None,
            adding_replicas: None,
            leader_recovery_state: -1,
            eligible_leader_replicas: None,
            last_known_elr: None,
            directories: None,
        }
    }
}

impl RecordBody for PartitionChangeRecord {
    const API_KEY: i16 = 5;
    const VERSION_MIN: i16 = 0;
    const VERSION_MAX: i16 = 2;
    fn version(&self) -> i16 {
        self.version
    }
    fn encode_body(&self, w: &mut WireWriter) {
        let v = self.version;
        w.put_i32(self.partition_id);
        w.put_uuid(&self.topic_id);
        let mut tagged = Vec::new();
        let arrays = [
            (0u32, &self.isr),
            (2, &self.replicas),
            (3, &self.removing_replicas),
            (4, &self.adding_replicas),
        ];
        if let Some(isr) = arrays[0].1 {
            tagged.push((0, encode_with(|t| t.put_compact_i32_array(Some(isr)))));
        }
        if self.leader != LEADER_UNCHANGED {
            tagged.push((1, encode_with(|t| t.put_i32(self.leader))));
        }
        for (tag, array) in &arrays[1..] {
            if let Some(a) = array {
                tagged.push((*tag, encode_with(|t| t.put_compact_i32_array(Some(a)))));
            }
        }
        if self.leader_recovery_state != -1 {
            tagged.push((5, encode_with(|t| t.put_i8(self.leader_recovery_state))));
        }
        if v >= 2 {
            if let Some(elr) = &self.eligible_leader_replicas {
                tagged.push((6, encode_with(|t| t.put_compact_i32_array(Some(elr)))));
            }
            if let Some(lke) = &self.last_known_elr {
                tagged.push((7, encode_with(|t| t.put_compact_i32_array(Some(lke)))));
            }
        }
        if v >= 1 {
            if let Some(dirs) = &self.directories {
                tagged.push((8, encode_with(|t| t.put_compact_uuid_array(Some(dirs)))));
            }
        }
        w.put_tagged_fields(&tagged);
    }
    fn decode_body(r: &mut WireReader<'_>, version: i16) -> Result<Self, WireError> {
        let mut out = Self {
            version,
            partition_id: r.i32()?,
            topic_id: r.uuid()?,
            ..Self::default()
        };
        r.tagged_fields(|tag, f| {
            match tag {
                0 => out.isr = f.compact_nullable_i32_array()?,
                1 => out.leader = f.i32()?,
                2 => out.replicas = f.compact_nullable_i32_array()?,
                3 => out.removing_replicas = f.compact_nullable_i32_array()?,
                4 => out.adding_replicas = f.compact_nullable_i32_array()?,
                5 => out.leader_recovery_state = f.i8()?,
                6 if version >= 2 => {
                    out.eligible_leader_replicas = f.compact_nullable_i32_array()?
                }
                7 if version >= 2 => out.last_known_elr = f.compact_nullable_i32_array()?,
                8 if version >= 1 => out.directories = f.compact_nullable_uuid_array()?,
                _ => f.skip_rest(),
            }
            Ok(())
        })?;
        Ok(out)
    }
}
