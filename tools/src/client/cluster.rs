//! `Client`: a bootstrap connection plus lazily opened connections to the brokers the metadata
//! names, with the routing an admin tool needs (partition leaders, group coordinators).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use kafka_protocol::messages::find_coordinator_request::FindCoordinatorRequest;
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{MetadataRequest, TopicName};
use kafka_protocol::protocol::StrBytes;

use super::connection::Connection;
use super::error::{BrokerError, ClientError};
use super::error_code::{
    is_retriable, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, LEADER_NOT_AVAILABLE,
    UNKNOWN_TOPIC_OR_PARTITION,
};
use super::topology::{BrokerInfo, Topology};

/// The default `--bootstrap-server`.
pub(crate) const BOOTSTRAP_DEFAULT: &str = "127.0.0.1:9092";
/// Attempts for a request that fails with a retriable error (leader elections, loading groups).
pub(crate) const RETRY_ATTEMPTS_MAX: u32 = 20;
/// Pause between those attempts.
pub(crate) const RETRY_BACKOFF: Duration = Duration::from_millis(250);

/// FindCoordinator key type of a consumer group.
const COORDINATOR_KEY_GROUP: i8 = 0;

/// Connections to a cluster.
pub(crate) struct Client {
    bootstrap: Connection,
    brokers: BTreeMap<i32, BrokerInfo>,
    connections: HashMap<i32, Connection>,
    request_timeout: Duration,
}

impl Client {
    /// Connects to the first reachable address of a comma-separated bootstrap list.
    pub(crate) async fn connect(
        bootstrap_servers: &str,
        request_timeout: Duration,
    ) -> Result<Self, ClientError> {
        let mut last = None;
        for address in bootstrap_servers
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            match Connection::connect(address, request_timeout).await {
                Ok(bootstrap) => {
                    return Ok(Client {
                        bootstrap,
                        brokers: BTreeMap::new(),
                        connections: HashMap::new(),
                        request_timeout,
                    })
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| ClientError::Connect {
            address: bootstrap_servers.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "empty address list"),
        }))
    }

    /// The bootstrap connection, for requests any broker answers (admin requests are forwarded
    /// to the controller by KRaft brokers).
    pub(crate) fn any(&mut self) -> &mut Connection {
        &mut self.bootstrap
    }

    /// Node ids known from the last metadata.
    pub(crate) fn node_ids(&self) -> Vec<i32> {
        self.brokers.keys().copied().collect()
    }

    /// A connection to broker `node_id`, opened on first use.
    pub(crate) async fn node(&mut self, node_id: i32) -> Result<&mut Connection, ClientError> {
        if !self.brokers.contains_key(&node_id) {
            self.metadata(Some(&[])).await?;
        }
        let info = self
            .brokers
            .get(&node_id)
            .ok_or(ClientError::UnknownNode { node_id })?;
        if !self.connections.contains_key(&node_id) {
            let address = info.address();
            // The bootstrap connection may already be this broker: reuse the address's socket
            // only by opening a second one; brokers allow many connections per client.
            let connection = Connection::connect(&address, self.request_timeout).await?;
            self.connections.insert(node_id, connection);
        }
        self.connections
            .get_mut(&node_id)
            .ok_or(ClientError::UnknownNode { node_id })
    }

    /// Metadata for `topics` (None: all topics; empty: brokers only). Never creates topics.
    pub(crate) async fn metadata(
        &mut self,
        topics: Option<&[String]>,
    ) -> Result<Topology, ClientError> {
        let response = self
            .bootstrap
            .call(|_version| {
                let mut request = MetadataRequest::default();
                request.topics = topics.map(|names| {
                    names
                        .iter()
                        .map(|n| {
                            MetadataRequestTopic::default()
                                .with_name(Some(TopicName(StrBytes::from_string(n.clone()))))
                        })
                        .collect()
                });
                request.allow_auto_topic_creation = false;
                request
            })
            .await?;
        let topology = Topology::from_response(&response);
        self.brokers = topology.brokers.clone();
        Ok(topology)
    }

    /// Metadata for topics that must exist: UNKNOWN_TOPIC_OR_PARTITION (or any topic error)
    /// becomes an error naming the topic; retries while leaders are being elected.
    pub(crate) async fn topics_with_leaders(
        &mut self,
        topics: &[String],
    ) -> Result<Topology, ClientError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let topology = self.metadata(Some(topics)).await?;
            let mut retriable = None;
            for name in topics {
                let Some(topic) = topology.topics.get(name) else {
                    return Err(BrokerError::new(
                        UNKNOWN_TOPIC_OR_PARTITION,
                        format!("topic '{name}'"),
                        None,
                    )
                    .into());
                };
                if topic.error_code != 0 {
                    let error = BrokerError::new(topic.error_code, format!("topic '{name}'"), None);
                    if is_retriable(topic.error_code)
                        && topic.error_code != UNKNOWN_TOPIC_OR_PARTITION
                    {
                        retriable = Some(error);
                        continue;
                    }
                    return Err(error.into());
                }
                if let Some(p) = topic.partitions.values().find(|p| p.leader < 0) {
                    retriable = Some(BrokerError::new(
                        if p.error_code != 0 {
                            p.error_code
                        } else {
                            LEADER_NOT_AVAILABLE
                        },
                        format!("{name}-{}", p.partition),
                        None,
                    ));
                }
            }
            match retriable {
                None => return Ok(topology),
                Some(error) if attempt >= RETRY_ATTEMPTS_MAX => {
                    return Err(ClientError::RetriesExhausted {
                        attempts: attempt,
                        last: Box::new(error.into()),
                    })
                }
                Some(_) => tokio::time::sleep(RETRY_BACKOFF).await,
            }
        }
    }

    /// The node id of the coordinator of consumer group `group`.
    pub(crate) async fn group_coordinator(&mut self, group: &str) -> Result<i32, ClientError> {
        let mut retry = Retry::new();
        loop {
            match self.find_coordinator_once(group).await {
                Ok(node_id) => return Ok(node_id),
                Err(error) => retry.after(error).await?,
            }
        }
    }

    async fn find_coordinator_once(&mut self, group: &str) -> Result<i32, ClientError> {
        let key = StrBytes::from_string(group.to_owned());
        let response = self
            .bootstrap
            .call(|version| {
                let mut request = FindCoordinatorRequest::default();
                request.key_type = COORDINATOR_KEY_GROUP;
                if version >= 4 {
                    request.coordinator_keys = vec![key.clone()];
                } else {
                    request.key = key.clone();
                }
                request
            })
            .await?;
        let subject = || format!("coordinator of group '{group}'");
        let (node_id, host, port) = match response.coordinators.first() {
            Some(c) => {
                super::error::check(c.error_code, subject, c.error_message.as_ref())?;
                (c.node_id.0, c.host.to_string(), c.port)
            }
            None => {
                super::error::check(
                    response.error_code,
                    subject,
                    response.error_message.as_ref(),
                )?;
                (response.node_id.0, response.host.to_string(), response.port)
            }
        };
        self.brokers.entry(node_id).or_insert(BrokerInfo {
            node_id,
            host,
            port,
            rack: None,
        });
        Ok(node_id)
    }
}

/// A retry budget for retriable broker errors (coordinator loading, leader elections): capped
/// attempts with a fixed backoff.
pub(crate) struct Retry {
    attempts: u32,
}

impl Retry {
    /// A fresh budget of [`RETRY_ATTEMPTS_MAX`] attempts.
    pub(crate) fn new() -> Self {
        Retry { attempts: 0 }
    }

    /// After a failed attempt: sleeps and returns `Ok(())` when `error` is retriable and budget
    /// remains; otherwise returns the error to give up with.
    pub(crate) async fn after(&mut self, error: ClientError) -> Result<(), ClientError> {
        self.attempts += 1;
        let retriable = error.broker_code().is_some_and(|code| {
            is_retriable(code)
                || code == COORDINATOR_LOAD_IN_PROGRESS
                || code == COORDINATOR_NOT_AVAILABLE
        });
        if !retriable {
            return Err(error);
        }
        if self.attempts >= RETRY_ATTEMPTS_MAX {
            return Err(ClientError::RetriesExhausted {
                attempts: self.attempts,
                last: Box::new(error),
            });
        }
        tokio::time::sleep(RETRY_BACKOFF).await;
        Ok(())
    }
}
