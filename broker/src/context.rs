//! State shared by every handler of one broker.

use std::sync::Arc;

use strata_controller::MetadataImage;

use crate::config::KafkaConfig;
use crate::fetch_session::FetchSessionCache;
use crate::group::coordinator::GroupCoordinator;
use crate::producer_id_manager::ProducerIdManager;
use crate::replica_manager::ReplicaManager;

/// Everything a handler may touch. Built once by `Broker::start`, shared as an `Arc`.
pub(crate) struct BrokerContext {
    /// The node's validated server properties.
    pub(crate) config: Arc<KafkaConfig>,
    /// `node.id`.
    pub(crate) node_id: i32,
    /// Cluster id from meta.properties.
    pub(crate) cluster_id: String,
    /// The metadata quorum (combined mode: in this process).
    pub(crate) controller: strata_controller::Controller,
    /// Local partitions and their logs.
    pub(crate) replica_manager: Arc<ReplicaManager>,
    /// Injected time source, for handlers that measure time (delayed operations, sessions).
    #[allow(dead_code)] // Part of the shared context of BROKER.md; not every build reads it.
    pub(crate) clock: Arc<dyn strata_storage::Clock>,
    /// Producer id blocks for InitProducerId.
    pub(crate) producer_ids: Arc<ProducerIdManager>,
    /// Incremental fetch sessions (KIP-227).
    pub(crate) fetch_sessions: Arc<FetchSessionCache>,
    /// The group coordinator (shards of the `__consumer_offsets` partitions this node leads).
    pub(crate) group_coordinator: Arc<GroupCoordinator>,
}

impl BrokerContext {
    /// The latest committed metadata image; callers hold the Arc, never a lock.
    pub(crate) fn image(&self) -> Arc<MetadataImage> {
        self.controller.image()
    }
}
