//! [`ShellImage`]: what the shell shows — the controller crate's [`MetadataImage`] (advanced by
//! its own [`MetadataDelta`]) plus the parts of Kafka's image that Strata's controller does not
//! keep (ACLs, SCRAM, client quotas, delegation tokens, controller registrations, broker
//! features and directories, configs of other resource types), replayed here from the same
//! records.

use std::collections::BTreeMap;
use std::sync::Arc;

use strata_controller::image::ImageError;
use strata_controller::records::{config_resource_type, MetadataRecord};
use strata_controller::{MetadataDelta, MetadataImage};
use uuid::Uuid;

use super::extra_records::{Acl, ControllerRegistration, DelegationToken, ExtraRecord};

/// Where the image comes from: the last data batch replayed (Kafka's `MetadataProvenance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Provenance {
    pub(crate) offset: i64,
    pub(crate) epoch: i32,
    pub(crate) time_ms: i64,
}

/// Broker registration fields Kafka prints that the controller's image does not keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BrokerExtras {
    /// Supported features: name → (min, max).
    pub(crate) features: BTreeMap<String, (i16, i16)>,
    pub(crate) is_migrating_zk_broker: bool,
    pub(crate) directories: Vec<Uuid>,
}

/// Partition fields Kafka prints that the controller's image does not keep: ELR (v2 records)
/// and directories assigned later by PartitionChangeRecord (v1+, AssignReplicasToDirs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PartitionExtras {
    pub(crate) elr: Vec<i32>,
    pub(crate) last_known_elr: Vec<i32>,
    /// Directories set by a PartitionChangeRecord; None = as the PartitionRecord had them.
    pub(crate) directories: Option<Vec<Uuid>>,
}

/// SCRAM credential data of one user and mechanism.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScramData {
    pub(crate) salt: Vec<u8>,
    pub(crate) stored_key: Vec<u8>,
    pub(crate) server_key: Vec<u8>,
    pub(crate) iterations: i32,
}

/// A client-quota entity: sorted (entity type, name) pairs; a None name is the default entity.
pub(crate) type QuotaEntity = Vec<(String, Option<String>)>;

/// The whole image the shell shows.
#[derive(Debug, Clone)]
pub(crate) struct ShellImage {
    pub(crate) base: Arc<MetadataImage>,
    pub(crate) provenance: Provenance,
    pub(crate) zk_migration_state: i8,
    pub(crate) broker_extras: BTreeMap<i32, BrokerExtras>,
    pub(crate) controllers: BTreeMap<i32, ControllerRegistration>,
    pub(crate) acls: BTreeMap<Uuid, Acl>,
    /// mechanism id → user → data.
    pub(crate) scram: BTreeMap<i8, BTreeMap<String, ScramData>>,
    /// Entity (sorted (type, name) pairs; None = default entity) → quota key → value.
    pub(crate) client_quotas: BTreeMap<QuotaEntity, BTreeMap<String, f64>>,
    pub(crate) delegation_tokens: BTreeMap<String, DelegationToken>,
    /// Configs of resource types the controller does not keep: (type id, name) → key → value.
    pub(crate) other_configs: BTreeMap<(i8, String), BTreeMap<String, String>>,
    /// (topic id, partition) → fields the controller's PartitionRegistration lacks.
    pub(crate) partition_extras: BTreeMap<(Uuid, i32), PartitionExtras>,
    /// Read over the Kafka protocol (`--bootstrap-server`): only some subtrees are known.
    pub(crate) live: bool,
}

/// A record of either family, as read from the log.
#[derive(Debug, Clone)]
pub(crate) enum AnyRecord {
    Typed(MetadataRecord),
    Extra(ExtraRecord),
}

impl ShellImage {
    /// The image before any record.
    pub(crate) fn empty() -> Self {
        ShellImage {
            base: Arc::new(MetadataImage::empty("")),
            provenance: Provenance {
                offset: -1,
                epoch: -1,
                time_ms: -1,
            },
            zk_migration_state: 0,
            broker_extras: BTreeMap::new(),
            controllers: BTreeMap::new(),
            acls: BTreeMap::new(),
            scram: BTreeMap::new(),
            client_quotas: BTreeMap::new(),
            delegation_tokens: BTreeMap::new(),
            other_configs: BTreeMap::new(),
            partition_extras: BTreeMap::new(),
            live: false,
        }
    }

    /// Wraps an image that only the controller crate describes (live mode, tests).
    pub(crate) fn from_base(base: Arc<MetadataImage>, provenance: Provenance) -> Self {
        ShellImage {
            base,
            provenance,
            ..ShellImage::empty()
        }
    }

    /// Replays the records of one committed data batch that ends at `last_offset`.
    pub(crate) fn replay_batch(
        &mut self,
        records: &[AnyRecord],
        provenance: Provenance,
    ) -> Result<(), ImageError> {
        let mut delta = MetadataDelta::new(Arc::clone(&self.base));
        for record in records {
            match record {
                AnyRecord::Typed(typed) => {
                    if self.replay_typed_side(typed) {
                        delta.replay(typed)?;
                    }
                }
                AnyRecord::Extra(ExtraRecord::FenceBroker { id, epoch }) => {
                    self.base = Arc::new(delta.apply());
                    self.set_fenced(*id, *epoch, true);
                    delta = MetadataDelta::new(Arc::clone(&self.base));
                }
                AnyRecord::Extra(ExtraRecord::UnfenceBroker { id, epoch }) => {
                    self.base = Arc::new(delta.apply());
                    self.set_fenced(*id, *epoch, false);
                    delta = MetadataDelta::new(Arc::clone(&self.base));
                }
                AnyRecord::Extra(extra) => self.replay_extra(extra),
            }
        }
        delta.set_position(provenance.offset, provenance.epoch, self.base.controller_id);
        self.base = Arc::new(delta.apply());
        self.provenance = provenance;
        Ok(())
    }

    fn set_fenced(&mut self, id: i32, epoch: i64, fenced: bool) {
        let mut image = self.base.as_ref().clone();
        if let Some(b) = image.brokers.get_mut(&id) {
            if b.epoch == epoch {
                b.fenced = fenced;
            }
        }
        self.base = Arc::new(image);
    }

    /// Keeps the side tables in step with a typed record. Returns whether the controller's
    /// delta should replay it too.
    fn replay_typed_side(&mut self, record: &MetadataRecord) -> bool {
        match record {
            MetadataRecord::RegisterBroker(r) => {
                self.broker_extras.insert(
                    r.broker_id,
                    BrokerExtras {
                        features: r
                            .features
                            .iter()
                            .map(|f| {
                                (
                                    f.name.clone(),
                                    (f.min_supported_version, f.max_supported_version),
                                )
                            })
                            .collect(),
                        is_migrating_zk_broker: r.is_migrating_zk_broker,
                        directories: r.log_dirs.clone(),
                    },
                );
                true
            }
            MetadataRecord::UnregisterBroker(r) => {
                if self
                    .base
                    .brokers
                    .get(&r.broker_id)
                    .is_some_and(|b| b.epoch == r.broker_epoch)
                {
                    self.broker_extras.remove(&r.broker_id);
                }
                true
            }
            MetadataRecord::BrokerRegistrationChange(r) => {
                if !r.log_dirs.is_empty() {
                    if let Some(extras) = self.broker_extras.get_mut(&r.broker_id) {
                        extras.directories = r.log_dirs.clone();
                    }
                }
                true
            }
            MetadataRecord::Partition(r) => {
                self.partition_extras.insert(
                    (r.topic_id, r.partition_id),
                    PartitionExtras {
                        elr: r.eligible_leader_replicas.clone().unwrap_or_default(),
                        last_known_elr: r.last_known_elr.clone().unwrap_or_default(),
                        directories: None,
                    },
                );
                true
            }
            MetadataRecord::PartitionChange(r) => {
                let extras = self
                    .partition_extras
                    .entry((r.topic_id, r.partition_id))
                    .or_default();
                if let Some(elr) = &r.eligible_leader_replicas {
                    extras.elr = elr.clone();
                }
                if let Some(last_known) = &r.last_known_elr {
                    extras.last_known_elr = last_known.clone();
                }
                if let Some(directories) = &r.directories {
                    extras.directories = Some(directories.clone());
                }
                true
            }
            MetadataRecord::RemoveTopic(r) => {
                self.partition_extras
                    .retain(|(topic, _), _| *topic != r.topic_id);
                true
            }
            MetadataRecord::Config(r)
                if r.resource_type != config_resource_type::TOPIC
                    && r.resource_type != config_resource_type::BROKER =>
            {
                let key = (r.resource_type, r.resource_name.clone());
                match &r.value {
                    Some(v) => {
                        self.other_configs
                            .entry(key)
                            .or_default()
                            .insert(r.name.clone(), v.clone());
                    }
                    None => {
                        if let Some(map) = self.other_configs.get_mut(&key) {
                            map.remove(&r.name);
                            if map.is_empty() {
                                self.other_configs.remove(&key);
                            }
                        }
                    }
                }
                false
            }
            _ => true,
        }
    }

    fn replay_extra(&mut self, record: &ExtraRecord) {
        match record {
            ExtraRecord::DelegationToken(t) => {
                self.delegation_tokens.insert(t.token_id.clone(), t.clone());
            }
            ExtraRecord::RemoveDelegationToken { token_id } => {
                self.delegation_tokens.remove(token_id);
            }
            ExtraRecord::UserScramCredential(c) => {
                self.scram.entry(c.mechanism).or_default().insert(
                    c.name.clone(),
                    ScramData {
                        salt: c.salt.clone(),
                        stored_key: c.stored_key.clone(),
                        server_key: c.server_key.clone(),
                        iterations: c.iterations,
                    },
                );
            }
            ExtraRecord::RemoveUserScramCredential { name, mechanism } => {
                if let Some(users) = self.scram.get_mut(mechanism) {
                    users.remove(name);
                    if users.is_empty() {
                        self.scram.remove(mechanism);
                    }
                }
            }
            ExtraRecord::ClientQuota {
                entity,
                key,
                value,
                remove,
            } => {
                let mut entity = entity.clone();
                entity.sort();
                if *remove {
                    if let Some(map) = self.client_quotas.get_mut(&entity) {
                        map.remove(key);
                        if map.is_empty() {
                            self.client_quotas.remove(&entity);
                        }
                    }
                } else {
                    self.client_quotas
                        .entry(entity)
                        .or_default()
                        .insert(key.clone(), *value);
                }
            }
            ExtraRecord::AccessControlEntry(acl) => {
                self.acls.insert(acl.id, acl.clone());
            }
            ExtraRecord::RemoveAccessControlEntry { id } => {
                self.acls.remove(id);
            }
            ExtraRecord::ZkMigrationState { state } => self.zk_migration_state = *state,
            ExtraRecord::RegisterController(c) => {
                self.controllers.insert(c.id, c.clone());
            }
            // Fencing is handled in replay_batch; transaction markers by the loader.
            ExtraRecord::FenceBroker { .. }
            | ExtraRecord::UnfenceBroker { .. }
            | ExtraRecord::BeginTransaction
            | ExtraRecord::EndTransaction
            | ExtraRecord::AbortTransaction => {}
        }
    }
}
