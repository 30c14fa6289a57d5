//! Registered brokers (Kafka's `ClusterImage`).

use uuid::Uuid;

use crate::records::{BrokerEndpoint, BrokerFeature, RegisterBrokerRecord};

/// One listener a broker advertises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Listener name, e.g. `PLAINTEXT`.
    pub name: String,
    /// Advertised host.
    pub host: String,
    /// Advertised port.
    pub port: u16,
    /// Kafka `SecurityProtocol` id (0 = PLAINTEXT).
    pub security_protocol: i16,
}

impl From<&BrokerEndpoint> for Endpoint {
    fn from(e: &BrokerEndpoint) -> Self {
        Endpoint {
            name: e.name.clone(),
            host: e.host.clone(),
            port: e.port,
            security_protocol: e.security_protocol,
        }
    }
}

impl From<&Endpoint> for BrokerEndpoint {
    fn from(e: &Endpoint) -> Self {
        BrokerEndpoint {
            name: e.name.clone(),
            host: e.host.clone(),
            port: e.port,
            security_protocol: e.security_protocol,
        }
    }
}

/// A broker's registration as the controller recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerRegistration {
    /// Broker id (`node.id`).
    pub id: i32,
    /// Epoch of this registration; a re-registration gets a new, larger one.
    pub epoch: i64,
    /// Identifies the broker process run that registered.
    pub incarnation_id: Uuid,
    /// Advertised listeners.
    pub listeners: Vec<Endpoint>,
    /// Rack, if configured.
    pub rack: Option<String>,
    /// A fenced broker is not eligible as leader or ISR member.
    pub fenced: bool,
    /// Whether the broker is in controlled shutdown.
    pub in_controlled_shutdown: bool,
    /// Feature ranges the broker supports, as registered: (name, min, max). Kept so a snapshot
    /// recreates the `RegisterBrokerRecord` whole (Kafka's `supportedFeatures`).
    pub supported_features: Vec<(String, i16, i16)>,
    /// Log directory ids the broker registered (or last reported in a
    /// `BrokerRegistrationChangeRecord`); empty when it registered none.
    pub log_dirs: Vec<Uuid>,
}

impl BrokerRegistration {
    pub(crate) fn from_record(r: &RegisterBrokerRecord) -> Self {
        BrokerRegistration {
            id: r.broker_id,
            epoch: r.broker_epoch,
            incarnation_id: r.incarnation_id,
            listeners: r.end_points.iter().map(Endpoint::from).collect(),
            rack: r.rack.clone(),
            fenced: r.fenced,
            in_controlled_shutdown: r.in_controlled_shutdown,
            supported_features: r
                .features
                .iter()
                .map(|f| {
                    (
                        f.name.clone(),
                        f.min_supported_version,
                        f.max_supported_version,
                    )
                })
                .collect(),
            log_dirs: r.log_dirs.clone(),
        }
    }

    /// The record that recreates this registration (used by snapshots).
    pub fn to_record(&self) -> RegisterBrokerRecord {
        RegisterBrokerRecord {
            broker_id: self.id,
            incarnation_id: self.incarnation_id,
            broker_epoch: self.epoch,
            end_points: self.listeners.iter().map(BrokerEndpoint::from).collect(),
            rack: self.rack.clone(),
            fenced: self.fenced,
            in_controlled_shutdown: self.in_controlled_shutdown,
            features: self
                .supported_features
                .iter()
                .map(|(name, min, max)| BrokerFeature {
                    name: name.clone(),
                    min_supported_version: *min,
                    max_supported_version: *max,
                })
                .collect(),
            log_dirs: self.log_dirs.clone(),
            ..RegisterBrokerRecord::default()
        }
    }
}
