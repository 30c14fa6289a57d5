//! The quorum controller: one task that owns every metadata change.
//!
//! Operations arrive on a bounded channel and run one at a time: validate against the current
//! image (pure functions in `replication_control`, `config_control`, `cluster_control`) → propose
//! the records as one raft entry → wait until the state machine applied them → answer. Because
//! the next operation starts only after the previous one's records are in the image, validation
//! never races a pending change (Kafka's `QuorumController` event queue, minus pipelining).

use std::sync::Arc;

use openraft::error::{ClientWriteError, RaftError};
use tokio::sync::{mpsc, oneshot, watch};

use crate::cluster_control;
use crate::config::ControllerConfig;
use crate::config_control;
use crate::error::ControllerError;
use crate::image::MetadataImage;
use crate::operations::{
    BrokerRegistrationRequest, ConfigChange, ConfigReplace, CreatePartitionsSpec, CreateTopicSpec,
    CreatedTopic, ProducerIdBlock, TopicRef,
};
use crate::raft::{MetadataCommand, MetadataRaft, NodeId, StateMachine};
use crate::records::MetadataRecord;
use crate::replication_control;

type Reply<T> = oneshot::Sender<T>;
type Results<T> = Vec<Result<T, ControllerError>>;

/// One queued operation and where to send its answer.
pub(crate) enum Request {
    Bootstrap {
        reply: Reply<Result<(), ControllerError>>,
    },
    RegisterBroker {
        req: BrokerRegistrationRequest,
        reply: Reply<Result<i64, ControllerError>>,
    },
    CreateTopics {
        topics: Vec<CreateTopicSpec>,
        validate_only: bool,
        reply: Reply<Results<CreatedTopic>>,
    },
    DeleteTopics {
        topics: Vec<TopicRef>,
        reply: Reply<Results<(String, uuid::Uuid)>>,
    },
    CreatePartitions {
        specs: Vec<CreatePartitionsSpec>,
        validate_only: bool,
        reply: Reply<Results<()>>,
    },
    IncrementalAlterConfigs {
        changes: Vec<ConfigChange>,
        validate_only: bool,
        reply: Reply<Results<()>>,
    },
    LegacyAlterConfigs {
        replaces: Vec<ConfigReplace>,
        validate_only: bool,
        reply: Reply<Results<()>>,
    },
    AllocateProducerIds {
        broker_id: i32,
        broker_epoch: i64,
        reply: Reply<Result<ProducerIdBlock, ControllerError>>,
    },
    Shutdown {
        reply: Reply<()>,
    },
}

/// The state the controller task owns.
pub(crate) struct QuorumController {
    pub(crate) config: ControllerConfig,
    pub(crate) raft: MetadataRaft,
    pub(crate) image_rx: watch::Receiver<Arc<MetadataImage>>,
    pub(crate) requests: mpsc::Receiver<Request>,
    pub(crate) state_machine: StateMachine,
}

/// Maps a failed proposal to the error the caller sees.
fn write_error(
    e: RaftError<NodeId, ClientWriteError<NodeId, openraft::BasicNode>>,
) -> ControllerError {
    match e {
        RaftError::APIError(ClientWriteError::ForwardToLeader(_)) => ControllerError::NotController,
        RaftError::APIError(other) => ControllerError::Raft(other.to_string()),
        RaftError::Fatal(fatal) => ControllerError::Raft(fatal.to_string()),
    }
}

/// Replaces every success with `error` when the records could not be committed.
fn fail_successes<T>(results: Results<T>, error: &ControllerError) -> Results<T> {
    results
        .into_iter()
        .map(|r| r.and_then(|_| Err(error.clone())))
        .collect()
}

impl QuorumController {
    /// Serves requests until `Shutdown` or until every handle is dropped.
    pub(crate) async fn run(mut self) {
        while let Some(request) = self.requests.recv().await {
            if let Request::Shutdown { reply } = request {
                let _ = reply.send(());
                break;
            }
            self.handle(request).await;
            self.maybe_snapshot().await;
        }
        tracing::info!(node_id = self.config.node_id, "quorum controller stopped");
    }

    /// Asks raft for a snapshot once `metadata_max_snapshot_interval_records` records were
    /// applied since the last one (Kafka's `metadata.log.max.record.bytes.between.snapshots`,
    /// counted in records). The snapshot is built in the background.
    async fn maybe_snapshot(&self) {
        let interval = self.config.metadata_max_snapshot_interval_records;
        if interval > 0 && self.state_machine.records_since_snapshot() >= interval {
            if let Err(e) = self.raft.trigger().snapshot().await {
                tracing::warn!(error = %e, "could not trigger a metadata snapshot");
            }
        }
    }

    fn image(&self) -> Arc<MetadataImage> {
        self.image_rx.borrow().clone()
    }

    /// Proposes records as one entry and returns once they are applied to the image.
    async fn commit(&self, records: Vec<MetadataRecord>) -> Result<(), ControllerError> {
        if records.is_empty() {
            return Ok(());
        }
        self.raft
            .client_write(MetadataCommand(records))
            .await
            .map(|_| ())
            .map_err(write_error)
    }

    async fn commit_all<T>(
        &self,
        (records, results): (Vec<MetadataRecord>, Results<T>),
        validate_only: bool,
    ) -> Results<T> {
        if validate_only {
            return results;
        }
        match self.commit(records).await {
            Ok(()) => results,
            Err(e) => fail_successes(results, &e),
        }
    }

    async fn commit_one<T>(
        &self,
        outcome: Result<(Vec<MetadataRecord>, T), ControllerError>,
    ) -> Result<T, ControllerError> {
        let (records, value) = outcome?;
        self.commit(records).await?;
        Ok(value)
    }

    async fn handle(&self, request: Request) {
        let image = self.image();
        // A dropped receiver means the caller gave up; the change (if any) still stands.
        match request {
            Request::Bootstrap { reply } => {
                let result = if image.metadata_version().is_some() {
                    Ok(())
                } else {
                    self.commit(cluster_control::bootstrap_records()).await
                };
                let _ = reply.send(result);
            }
            Request::RegisterBroker { req, reply } => {
                let _ = reply.send(
                    self.commit_one(cluster_control::register_broker(&image, &req))
                        .await,
                );
            }
            Request::CreateTopics {
                topics,
                validate_only,
                reply,
            } => {
                let outcome = replication_control::create_topics(&image, &self.config, &topics);
                let _ = reply.send(self.commit_all(outcome, validate_only).await);
            }
            Request::DeleteTopics { topics, reply } => {
                let outcome = replication_control::delete_topics(&image, &topics);
                let _ = reply.send(self.commit_all(outcome, false).await);
            }
            Request::CreatePartitions {
                specs,
                validate_only,
                reply,
            } => {
                let outcome = replication_control::create_partitions(&image, &specs);
                let _ = reply.send(self.commit_all(outcome, validate_only).await);
            }
            Request::IncrementalAlterConfigs {
                changes,
                validate_only,
                reply,
            } => {
                let outcome =
                    config_control::incremental_alter_configs(&image, &self.config, &changes);
                let _ = reply.send(self.commit_all(outcome, validate_only).await);
            }
            Request::LegacyAlterConfigs {
                replaces,
                validate_only,
                reply,
            } => {
                let outcome = config_control::legacy_alter_configs(&image, &self.config, &replaces);
                let _ = reply.send(self.commit_all(outcome, validate_only).await);
            }
            Request::AllocateProducerIds {
                broker_id,
                broker_epoch,
                reply,
            } => {
                let outcome =
                    cluster_control::allocate_producer_ids(&image, broker_id, broker_epoch);
                let _ = reply.send(self.commit_one(outcome).await);
            }
            Request::Shutdown { reply } => {
                let _ = reply.send(());
            }
        }
    }
}
