//! Starting and stopping one Strata node: logs, the combined-mode controller, registration,
//! the metadata publisher, periodic storage work and the client listeners.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use strata_controller::{BrokerRegistrationRequest, Controller, ControllerConfig, Endpoint};
use strata_storage::{Clock, LogManager, SystemClock};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::config::KafkaConfig;
use crate::connection::ConnectionShared;
use crate::context::BrokerContext;
use crate::fetch_session::FetchSessionCache;
use crate::group::config::GroupCoordinatorConfig;
use crate::group::coordinator::GroupCoordinator;
use crate::group::shard::GroupShard;
use crate::handlers::api_versions::supported_features;
use crate::limits::ConnectionLimits;
use crate::metadata_publisher::run_metadata_publisher;
use crate::producer_id_manager::ProducerIdManager;
use crate::remote_log::RemoteTier;
use crate::replica_manager::ReplicaManager;
use crate::server::{run_listener, BoundListener};

/// Why a node could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// Opening the log directories failed.
    #[error("cannot open log directories {dirs:?}: {source}")]
    Storage {
        /// `log.dirs`.
        dirs: Vec<std::path::PathBuf>,
        /// The storage error.
        source: strata_storage::LogError,
    },
    /// The controller could not start, register this broker, or shut down.
    #[error("controller {action} failed: {source}")]
    Controller {
        /// What was being done.
        action: &'static str,
        /// The controller error.
        source: strata_controller::ControllerError,
    },
    /// A listener could not be bound.
    #[error("cannot bind listener {listener}: {source}")]
    Bind {
        /// The listener URI.
        listener: String,
        /// The socket error.
        source: std::io::Error,
    },
    /// A blocking storage task panicked.
    #[error("storage task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// Tiered storage is enabled but its store cannot be used (the message names the setting).
    #[error("tiered storage cannot start: {source}")]
    RemoteStorage {
        /// What the remote tier said.
        source: strata_storage::remote::RemoteError,
    },
    /// Flushing or checkpointing at shutdown failed.
    #[error("storage shutdown failed: {0}")]
    StorageShutdown(strata_storage::LogError),
}

/// Entry point: `Broker::start(config)`.
#[derive(Debug)]
pub struct Broker;

/// A started node. Dropping it without [`RunningBroker::shutdown`] leaves files as after a crash
/// (recovered at next start).
pub struct RunningBroker {
    context: Arc<BrokerContext>,
    log_manager: Arc<LogManager>,
    shutdown_tx: watch::Sender<bool>,
    listener_tasks: Vec<JoinHandle<()>>,
    background_tasks: Vec<JoinHandle<()>>,
    client_addresses: Vec<(String, SocketAddr)>,
}

impl std::fmt::Debug for RunningBroker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningBroker")
            .field("node_id", &self.context.node_id)
            .field("cluster_id", &self.context.cluster_id)
            .field("client_addresses", &self.client_addresses)
            .finish()
    }
}

/// Triggers a clean shutdown of a [`RunningBroker`] from elsewhere (e.g. a signal handler).
#[derive(Debug, Clone)]
pub struct ShutdownTrigger(watch::Sender<bool>);

impl ShutdownTrigger {
    /// Stops accepting connections and asks every connection to finish; `RunningBroker::wait` returns after.
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }
}

impl Broker {
    /// Opens the logs, starts the controller, registers this node with the advertised (bound)
    /// endpoints, follows metadata images, and serves every client listener.
    pub async fn start(config: KafkaConfig) -> Result<RunningBroker, BrokerError> {
        let config = Arc::new(config);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let node_id = config.node_id;

        let log_dirs = config.log_dirs.clone();
        let open_clock = Arc::clone(&clock);
        let log_manager = tokio::task::spawn_blocking(move || {
            LogManager::open(log_dirs, node_id, None, open_clock)
        })
        .await?
        .map_err(|source| BrokerError::Storage {
            dirs: config.log_dirs.clone(),
            source,
        })?;
        let log_manager = Arc::new(log_manager);
        let cluster_id = log_manager.cluster_id().to_string();
        tracing::info!(node_id, %cluster_id, log_dirs = ?config.log_dirs, "log directories open");

        // Bind before starting the controller: a taken port fails the start with nothing to undo,
        // and port 0 resolves to the real port that is registered.
        let mut bound = Vec::new();
        for listener in config.client_listeners() {
            let socket = BoundListener::bind(listener, config.listen_backlog)
                .await
                .map_err(|source| BrokerError::Bind {
                    listener: listener.to_string(),
                    source,
                })?;
            bound.push(socket);
        }
        let remote_tier = RemoteTier::start(&config, Arc::clone(&clock))
            .await
            .map_err(|source| BrokerError::RemoteStorage { source })?;
        let controller_config = ControllerConfig {
            remote_log_storage_system_enable: remote_tier.is_some(),
            voters: config
                .controller_quorum_voters
                .iter()
                .map(|v| (v.id, v.address.clone()))
                .collect(),
            num_partitions: config.num_partitions,
            default_replication_factor: config.default_replication_factor,
            broker_defaults: config.topic_defaults(&BTreeMap::new()),
            ..ControllerConfig::single_node(
                node_id,
                config.metadata_log_dir.clone(),
                cluster_id.clone(),
            )
        };
        let controller = Controller::start(controller_config, Arc::clone(&clock))
            .await
            .map_err(|source| BrokerError::Controller {
                action: "start",
                source,
            })?;

        let endpoints = advertised_endpoints(&config, &bound);
        let registration = BrokerRegistrationRequest {
            broker_id: node_id,
            incarnation_id: Uuid::new_v4(),
            listeners: endpoints,
            rack: config.explicit_properties().get("broker.rack").cloned(),
            features: supported_features()
                .iter()
                .map(|(name, min, max)| (name.to_string(), *min, *max))
                .collect(),
            log_dirs: Vec::new(),
        };
        let broker_epoch = match controller.register_broker(registration).await {
            Ok(epoch) => epoch,
            Err(source) => {
                if let Err(error) = controller.shutdown().await {
                    tracing::warn!(%error, "controller shutdown after a failed registration failed");
                }
                return Err(BrokerError::Controller {
                    action: "broker registration",
                    source,
                });
            }
        };
        tracing::info!(node_id, broker_epoch, "broker registered");

        let replica_manager = Arc::new(ReplicaManager::new(
            Arc::clone(&log_manager),
            node_id,
            Arc::clone(&clock),
            Arc::clone(&config),
        ));
        let group_config = GroupCoordinatorConfig::from_kafka_config(&config)
            .expect("group coordinator keys are validated when the configuration loads");
        let group_coordinator = Arc::new(GroupCoordinator::new(
            group_config,
            node_id,
            Arc::clone(&replica_manager),
            Some(controller.clone()),
            controller.subscribe(),
            Arc::clone(&clock),
            Arc::new(GroupShard::new),
        ));
        let context = Arc::new(BrokerContext {
            config: Arc::clone(&config),
            node_id,
            cluster_id,
            controller: controller.clone(),
            replica_manager: Arc::clone(&replica_manager),
            clock,
            producer_ids: Arc::new(ProducerIdManager::new(controller.clone(), node_id)),
            fetch_sessions: Arc::new(FetchSessionCache::new(
                config.max_incremental_fetch_session_cache_slots,
            )),
            group_coordinator: Arc::clone(&group_coordinator),
        });

        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        // Apply the current image before serving, so the first requests see local logs.
        if let Err(error) = replica_manager.apply_image(&controller.image()) {
            tracing::error!(%error, "applying the initial metadata image failed");
        }
        if let Some(tier) = &remote_tier {
            // Before serving: a wiped or new log restarts after its tiered range.
            replica_manager.set_remote_tier(Arc::clone(tier));
            tier.sync(&replica_manager, &controller.image()).await;
            tier.spawn(&replica_manager, controller.subscribe());
        }
        group_coordinator.on_image(&controller.image());
        let mut background_tasks = vec![tokio::spawn(run_metadata_publisher(
            controller.subscribe(),
            Arc::clone(&replica_manager),
            Arc::clone(&group_coordinator),
            shutdown_rx.clone(),
        ))];
        let retention_lock = remote_tier.as_ref().map(|tier| tier.retention_lock());
        background_tasks.extend(spawn_storage_tasks(
            &config,
            &log_manager,
            &shutdown_rx,
            retention_lock,
        ));

        let connection_slots = Arc::new(Semaphore::new(
            config.max_connections.clamp(1, Semaphore::MAX_PERMITS),
        ));
        let limits = ConnectionLimits::from_config(&config);
        let mut client_addresses = Vec::new();
        let mut listener_tasks = Vec::new();
        for listener in bound {
            client_addresses.push((listener.config.name.clone(), listener.local_addr));
            let shared = Arc::new(ConnectionShared {
                context: Arc::clone(&context),
                router: crate::router::global(),
                listener: listener.config.name.clone(),
                limits,
            });
            listener_tasks.push(tokio::spawn(run_listener(
                listener,
                shared,
                Arc::clone(&connection_slots),
                shutdown_rx.clone(),
            )));
        }
        Ok(RunningBroker {
            context,
            log_manager,
            shutdown_tx,
            listener_tasks,
            background_tasks,
            client_addresses,
        })
    }
}

impl RunningBroker {
    /// The bound address of every client listener, by listener name, in configuration order.
    pub fn client_addresses(&self) -> &[(String, SocketAddr)] {
        &self.client_addresses
    }

    /// The first client listener's bound address (what tests and tools connect to).
    pub fn bootstrap_address(&self) -> SocketAddr {
        self.client_addresses
            .first()
            .map(|(_, addr)| *addr)
            .expect("a broker has at least one client listener")
    }

    /// The cluster id from meta.properties.
    pub fn cluster_id(&self) -> &str {
        &self.context.cluster_id
    }

    /// A handle that starts the shutdown from elsewhere.
    pub fn shutdown_trigger(&self) -> ShutdownTrigger {
        ShutdownTrigger(self.shutdown_tx.clone())
    }

    /// Waits until a [`ShutdownTrigger`] fires, then shuts down cleanly.
    pub async fn wait(self) -> Result<(), BrokerError> {
        let mut rx = self.shutdown_tx.subscribe();
        while !*rx.borrow_and_update() {
            if rx.changed().await.is_err() {
                break;
            }
        }
        self.shutdown().await
    }

    /// The clean sequence: stop accepting, let connections answer what is in flight, stop the
    /// background tasks, shut the replica manager down (flush + checkpoints), close the logs,
    /// then stop the controller (snapshot + close the metadata log).
    pub async fn shutdown(self) -> Result<(), BrokerError> {
        tracing::info!(node_id = self.context.node_id, "shutting down");
        self.shutdown_tx.send_replace(true);
        for task in self.listener_tasks {
            task.await?;
        }
        for task in self.background_tasks {
            task.await?;
        }
        self.context.group_coordinator.shutdown().await;
        if let Some(tier) = self.context.replica_manager.remote_tier() {
            tier.shutdown().await;
        }
        self.context.replica_manager.shutdown().await;
        let log_manager = Arc::clone(&self.log_manager);
        tokio::task::spawn_blocking(move || log_manager.shutdown())
            .await?
            .map_err(BrokerError::StorageShutdown)?;
        self.context
            .controller
            .shutdown()
            .await
            .map_err(|source| BrokerError::Controller {
                action: "shutdown",
                source,
            })?;
        tracing::info!(node_id = self.context.node_id, "shut down cleanly");
        Ok(())
    }
}

/// The endpoints registered for clients: `advertised.listeners` when set, else the bound client
/// listeners (an unspecified bind host is advertised as `localhost`; port 0 as the real port).
fn advertised_endpoints(config: &KafkaConfig, bound: &[BoundListener]) -> Vec<Endpoint> {
    let protocol = |name: &str| config.security_protocols.get(name).map_or(0, |p| p.id());
    if !config.advertised_listeners.is_empty() {
        return config
            .advertised_listeners
            .iter()
            .map(|l| {
                // An advertised port 0 means "whatever was bound" for the listener of that name.
                let port = if l.port == 0 {
                    bound
                        .iter()
                        .find(|b| b.config.name == l.name)
                        .map_or(0, |b| b.local_addr.port())
                } else {
                    l.port
                };
                Endpoint {
                    name: l.name.clone(),
                    host: l.host.clone(),
                    port,
                    security_protocol: protocol(&l.name),
                }
            })
            .collect();
    }
    bound
        .iter()
        .map(|b| {
            let host = match b.config.host.as_str() {
                "" | "0.0.0.0" | "::" => "localhost".to_string(),
                host => host.to_string(),
            };
            Endpoint {
                name: b.config.name.clone(),
                host,
                port: b.local_addr.port(),
                security_protocol: protocol(&b.config.name),
            }
        })
        .collect()
}

/// Retention (and segment.ms rolls, flush.ms) every `log.retention.check.interval.ms`; offset
/// checkpoints every min(`log.flush.offset.checkpoint.interval.ms`,
/// `replica.high.watermark.checkpoint.interval.ms`). Both run off the reactor.
fn spawn_storage_tasks(
    config: &KafkaConfig,
    log_manager: &Arc<LogManager>,
    shutdown: &watch::Receiver<bool>,
    retention_lock: Option<Arc<tokio::sync::Mutex<()>>>,
) -> Vec<JoinHandle<()>> {
    let retention_every = Duration::from_millis(config.log_retention_check_interval_ms.max(1));
    let checkpoint_every = Duration::from_millis(
        config
            .log_flush_offset_checkpoint_interval_ms
            .min(config.replica_high_watermark_checkpoint_interval_ms)
            .max(1),
    );
    vec![
        spawn_periodic(
            "retention",
            retention_every,
            Arc::clone(log_manager),
            shutdown.clone(),
            retention_lock,
            |logs| logs.run_periodic(),
        ),
        spawn_periodic(
            "checkpoint",
            checkpoint_every,
            Arc::clone(log_manager),
            shutdown.clone(),
            None,
            |logs| logs.checkpoint(),
        ),
    ]
}

fn spawn_periodic(
    name: &'static str,
    every: Duration,
    log_manager: Arc<LogManager>,
    mut shutdown: watch::Receiver<bool>,
    exclusive_with: Option<Arc<tokio::sync::Mutex<()>>>,
    work: fn(&LogManager) -> Result<(), strata_storage::LogError>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await;
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = shutdown.changed() => break,
            }
            let logs = Arc::clone(&log_manager);
            // Local retention and remote expiry never overlap (see RemoteTier::retention_lock).
            let _serialized = match &exclusive_with {
                Some(lock) => Some(lock.lock().await),
                None => None,
            };
            match tokio::task::spawn_blocking(move || work(&logs)).await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    tracing::warn!(task = name, %error, "periodic storage task failed")
                }
                Err(error) => {
                    tracing::error!(task = name, %error, "periodic storage task panicked")
                }
            }
        }
    })
}
