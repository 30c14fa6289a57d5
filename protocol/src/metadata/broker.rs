//! Broker registration records: `RegisterBrokerRecord` (0), `UnregisterBrokerRecord` (1) and
//! `BrokerRegistrationChangeRecord` (17).

use uuid::Uuid;

use super::{skip_tagged_fields, RecordBody};
use crate::wire::{encode_with, WireError, WireReader, WireWriter};

/// One listener of a broker.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BrokerEndpoint {
    /// Listener name.
    pub name: String,
    /// Advertised host.
    pub host: String,
    /// Advertised port.
    pub port: u16,
    /// Security protocol id (0 PLAINTEXT, 1 SSL, 2 SASL_PLAINTEXT, 3 SASL_SSL).
    pub security_protocol: i16,
}

/// A feature range a broker supports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BrokerFeature {
    /// Feature name.
    pub name: String,
    /// Lowest supported level.
    pub min_supported_version: i16,
    /// Highest supported level.
    pub max_supported_version: i16,
}

/// A broker registered (api key 0, versions 0–3).
///
/// v1 adds `in_controlled_shutdown`, v2 `is_migrating_zk_broker`, v3 the tagged `log_dirs` (tag 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterBrokerRecord {
    /// The record version to write (0–3).
    pub version: i16,
    /// Broker id.
    pub broker_id: i32,
    /// v2+: a ZooKeeper broker in migration mode (default false).
    pub is_migrating_zk_broker: bool,
    /// Incarnation id of the broker process.
    pub incarnation_id: Uuid,
    /// Broker epoch assigned by the controller.
    pub broker_epoch: i64,
    /// Listeners.
    pub end_points: Vec<BrokerEndpoint>,
    /// Supported features.
    pub features: Vec<BrokerFeature>,
    /// Rack, if any.
    pub rack: Option<String>,
    /// Fenced (default true).
    pub fenced: bool,
    /// v1+: in controlled shutdown (default false).
    pub in_controlled_shutdown: bool,
    /// v3+, tag 0: available log directories.
    pub log_dirs: Vec<Uuid>,
}

impl Default for RegisterBrokerRecord {
    fn default() -> Self {
        Self {
            version: Self::VERSION_MAX,
            broker_id: 0,
            is_migrating_zk_broker: false,
            incarnation_id: Uuid::nil(),
            broker_epoch: 0,
            end_points: Vec::new(),
            features: Vec::new(),
            rack: None,
            fenced: true,
            in_controlled_shutdown: false,
            log_dirs: Vec::new(),
        }
    }
}

impl RecordBody for RegisterBrokerRecord {
    const API_KEY: i16 = 0;
    const VERSION_MIN: i16 = 0;
    const VERSION_MAX: i16 = 3;
    fn version(&self) -> i16 {
        self.version
    }
    fn encode_body(&self, w: &mut WireWriter) {
        let v = self.version;
        w.put_i32(self.broker_id);
        if v >= 2 {
            w.put_bool(self.is_migrating_zk_broker);
        }
        w.put_uuid(&self.incarnation_id);
        w.put_i64(self.broker_epoch);
        w.put_compact_len(Some(self.end_points.len()));
        for e in &self.end_points {
            w.put_compact_string(&e.name);
            w.put_compact_string(&e.host);
            w.put_u16(e.port);
            w.put_i16(e.security_protocol);
            w.put_tagged_fields(&[]);
        }
        w.put_compact_len(Some(self.features.len()));
        for f in &self.features {
            w.put_compact_string(&f.name);
            w.put_i16(f.min_supported_version);
            w.put_i16(f.max_supported_version);
            w.put_tagged_fields(&[]);
        }
        w.put_compact_nullable_string(self.rack.as_deref());
        w.put_bool(self.fenced);
        if v >= 1 {
            w.put_bool(self.in_controlled_shutdown);
        }
        let mut tagged = Vec::new();
        if v >= 3 && !self.log_dirs.is_empty() {
            tagged.push((
                0,
                encode_with(|t| t.put_compact_uuid_array(Some(&self.log_dirs))),
            ));
        }
        w.put_tagged_fields(&tagged);
    }
    fn decode_body(r: &mut WireReader<'_>, version: i16) -> Result<Self, WireError> {
        let broker_id = r.i32()?;
        let is_migrating_zk_broker = if version >= 2 { r.bool()? } else { false };
        let incarnation_id = r.uuid()?;
        let broker_epoch = r.i64()?;
        let n = r.compact_array_len_non_null("EndPoints")?;
        let mut end_points = Vec::with_capacity(n.min(r.remaining()));
        for _ in 0..n {
            end_points.push(BrokerEndpoint {
                name: r.compact_string("EndPoints.Name")?,
                host: r.compact_string("EndPoints.Host")?,
                port: r.u16()?,
                security_protocol: r.i16()?,
            });
            skip_tagged_fields(r)?;
        }
        let n = r.compact_array_len_non_null("Features")?;
        let mut features = Vec::with_capacity(n.min(r.remaining()));
        for _ in 0..n {
            features.push(BrokerFeature {
                name: r.compact_string("Features.Name")?,
                min_supported_version: r.i16()?,
                max_supported_version: r.i16()?,
            });
            skip_tagged_fields(r)?;
        }
        let rack = r.compact_nullable_string()?;
        let fenced = r.bool()?;
        let in_controlled_shutdown = if version >= 1 { r.bool()? } else { false };
        let mut log_dirs = Vec::new();
        r.tagged_fields(|tag, f| {
            match tag {
                0 if version >= 3 => log_dirs = f.compact_uuid_array("LogDirs")?,
                _ => f.skip_rest(),
            }
            Ok(())
        })?;
        Ok(Self {
            version,
            broker_id,
            is_migrating_zk_broker,
            incarnation_id,
            broker_epoch,
            end_points,
            features,
            rack,
            fenced,
            in_controlled_shutdown,
            log_dirs,
        })
    }
}

/// A broker was unregistered (api key 1, version 0).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnregisterBrokerRecord {
    /// Broker id.
    pub broker_id: i32,
    /// Broker epoch.
    pub broker_epoch: i64,
}

impl RecordBody for UnregisterBrokerRecord {
    const API_KEY: i16 = 1;
    const VERSION_MIN: i16 = 0;
    const VERSION_MAX: i16 = 0;
    fn version(&self) -> i16 {
        0
    }
    fn encode_body(&self, w: &mut WireWriter) {
        w.put_i32(self.broker_id);
        w.put_i64(self.broker_epoch);
        w.put_tagged_fields(&[]);
    }
    fn decode_body(r: &mut WireReader<'_>, _version: i16) -> Result<Self, WireError> {
        let broker_id = r.i32()?;
        let broker_epoch = r.i64()?;
        skip_tagged_fields(r)?;
        Ok(Self {
            broker_id,
            broker_epoch,
        })
    }
}

/// A change to a registered broker (api key 17, versions 0–2).
///
/// Tag 0 `fenced`: -1 unfenced, 0 (default) no change, 1 fenced. v1+ tag 1
/// `in_controlled_shutdown`: 0 (default) no change, 1 entered. v2+ tag 2 `log_dirs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerRegistrationChangeRecord {
    /// The record version to write (0–2).
    pub version: i16,
    /// Broker id.
    pub broker_id: i32,
    /// Broker epoch.
    pub broker_epoch: i64,
    /// Tag 0: -1 unfenced, 0 no change, 1 fenced.
    pub fenced: i8,
    /// v1+, tag 1: 0 no change, 1 in controlled shutdown.
    pub in_controlled_shutdown: i8,
    /// v2+, tag 2: available log directories (empty = unchanged).
    pub log_dirs: Vec<Uuid>,
}

impl Default for BrokerRegistrationChangeRecord {
    fn default() -> Self {
        Self {
            version: Self::VERSION_MAX,
            broker_id: 0,
            broker_epoch: 0,
            fenced: 0,
            in_controlled_shutdown: 0,
            log_dirs: Vec::new(),
        }
    }
}

impl RecordBody for BrokerRegistrationChangeRecord {
    const API_KEY: i16 = 17;
    const VERSION_MIN: i16 = 0;
    const VERSION_MAX: i16 = 2;
    fn version(&self) -> i16 {
        self.version
    }
    fn encode_body(&self, w: &mut WireWriter) {
        let v = self.version;
        w.put_i32(self.broker_id);
        w.put_i64(self.broker_epoch);
        let mut tagged = Vec::new();
        if self.fenced != 0 {
            tagged.push((0, encode_with(|t| t.put_i8(self.fenced))));
        }
        if v >= 1 && self.in_controlled_shutdown != 0 {
            tagged.push((1, encode_with(|t| t.put_i8(self.in_controlled_shutdown))));
        }
        if v >= 2 && !self.log_dirs.is_empty() {
            tagged.push((
                2,
                encode_with(|t| t.put_compact_uuid_array(Some(&self.log_dirs))),
            ));
        }
        w.put_tagged_fields(&tagged);
    }
    fn decode_body(r: &mut WireReader<'_>, version: i16) -> Result<Self, WireError> {
        let mut out = Self {
            version,
            broker_id: r.i32()?,
            broker_epoch: r.i64()?,
            ..Self::default()
        };
        r.tagged_fields(|tag, f| {
            match tag {
                0 => out.fenced = f.i8()?,
                1 if version >= 1 => out.in_controlled_shutdown = f.i8()?,
                2 if version >= 2 => out.log_dirs = f.compact_uuid_array("LogDirs")?,
                _ => f.skip_rest(),
            }
            Ok(())
        })?;
        Ok(out)
    }
}
