//! Topics and partitions (Kafka's `TopicsImage` / `TopicImage` / `PartitionRegistration`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use uuid::Uuid;

use crate::records::{PartitionChangeRecord, PartitionRecord, LEADER_UNCHANGED};

/// All topics, indexed both ways. Both maps hold the same `Arc`s.
#[derive(Debug, Clone, Default)]
pub struct TopicsImage {
    /// Topic name → topic.
    pub by_name: BTreeMap<String, Arc<TopicImage>>,
    /// Topic id → topic.
    pub by_id: HashMap<Uuid, Arc<TopicImage>>,
}

impl PartialEq for TopicsImage {
    fn eq(&self, other: &Self) -> bool {
        self.by_name == other.by_name && self.by_id == other.by_id
    }
}
impl Eq for TopicsImage {}

impl TopicsImage {
    /// Looks a topic up by name.
    pub fn get_by_name(&self, name: &str) -> Option<&Arc<TopicImage>> {
        self.by_name.get(name)
    }

    /// Looks a topic up by id.
    pub fn get_by_id(&self, id: &Uuid) -> Option<&Arc<TopicImage>> {
        self.by_id.get(id)
    }

    /// Number of topics.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// True when there is no topic.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// One topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicImage {
    /// Topic name.
    pub name: String,
    /// Topic id (never the zero uuid).
    pub id: Uuid,
    /// Partition index → state; indexes are dense from 0.
    pub partitions: BTreeMap<i32, PartitionRegistration>,
}

/// The controller's record of one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionRegistration {
    /// Replica broker ids, preferred leader first.
    pub replicas: Vec<i32>,
    /// In-sync replicas.
    pub isr: Vec<i32>,
    /// Replicas being removed by a reassignment.
    pub removing_replicas: Vec<i32>,
    /// Replicas being added by a reassignment.
    pub adding_replicas: Vec<i32>,
    /// Leader broker id, -1 for none.
    pub leader: i32,
    /// 0 = recovered, 1 = recovering.
    pub leader_recovery_state: i8,
    /// Bumped on every leader change.
    pub leader_epoch: i32,
    /// Bumped on every change of this partition.
    pub partition_epoch: i32,
    /// Log directory id of each replica (may be empty).
    pub directories: Vec<Uuid>,
}

impl PartitionRegistration {
    pub(crate) fn from_record(r: &PartitionRecord) -> Self {
        PartitionRegistration {
            replicas: r.replicas.clone(),
            isr: r.isr.clone(),
            removing_replicas: r.removing_replicas.clone(),
            adding_replicas: r.adding_replicas.clone(),
            leader: r.leader,
            leader_recovery_state: r.leader_recovery_state,
            leader_epoch: r.leader_epoch,
            partition_epoch: r.partition_epoch,
            directories: r.directories.clone(),
        }
    }

    /// The record that recreates this partition (used by snapshots).
    pub fn to_record(&self, topic_id: Uuid, partition_id: i32) -> PartitionRecord {
        PartitionRecord {
            partition_id,
            topic_id,
            replicas: self.replicas.clone(),
            isr: self.isr.clone(),
            removing_replicas: self.removing_replicas.clone(),
            adding_replicas: self.adding_replicas.clone(),
            leader: self.leader,
            leader_recovery_state: self.leader_recovery_state,
            leader_epoch: self.leader_epoch,
            partition_epoch: self.partition_epoch,
            directories: self.directories.clone(),
            ..PartitionRecord::default()
        }
    }

    /// Applies a PartitionChangeRecord the way Kafka's `PartitionRegistration.merge` does: a new
    /// leader bumps the leader epoch, every change bumps the partition epoch.
    pub(crate) fn merge(&self, change: &PartitionChangeRecord) -> Self {
        let mut next = self.clone();
        if let Some(isr) = &change.isr {
            next.isr = isr.clone();
        }
        if let Some(replicas) = &change.replicas {
            next.replicas = replicas.clone();
        }
        if let Some(removing) = &change.removing_replicas {
            next.removing_replicas = removing.clone();
        }
        if let Some(adding) = &change.adding_replicas {
            next.adding_replicas = adding.clone();
        }
        if change.leader != LEADER_UNCHANGED {
            next.leader = change.leader;
            next.leader_epoch += 1;
        }
        if change.leader_recovery_state >= 0 {
            next.leader_recovery_state = change.leader_recovery_state;
        }
        next.partition_epoch += 1;
        next
    }
}
