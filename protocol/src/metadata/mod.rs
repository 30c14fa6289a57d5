//! KRaft metadata records (`__cluster_metadata`), framed as Kafka's `ApiMessageAndVersion`.
//!
//! A record value in the metadata log is (`MetadataRecordSerde`, frame version 1):
//!
//! ```text
//! frame version: unsigned varint (= 1) | api key: unsigned varint | version: unsigned varint
//! body: the record in the flexible encoding (compact strings/arrays, tagged fields)
//! ```
//!
//! Field lists, versions and tag numbers follow Kafka's JSON schemas in
//! `metadata/src/main/resources/common/metadata/`. As in Kafka's generated code, a tagged field is
//! written only when it differs from its default, fields newer than the record's version are not
//! written, and tags this build does not know are skipped on decode. Records whose schema has
//! several versions carry a `version` field; it is the version written by [`MetadataRecord::encode`].

mod broker;
mod config;
mod feature;
mod json;
mod partition;
mod producer_ids;
mod topic;

pub use broker::{
    BrokerEndpoint, BrokerFeature, BrokerRegistrationChangeRecord, RegisterBrokerRecord,
    UnregisterBrokerRecord,
};
pub use config::ConfigRecord;
pub use feature::FeatureLevelRecord;
pub use json::{decode_metadata_record_json, encode_metadata_record_json, MetadataJsonError};
pub use partition::{PartitionChangeRecord, PartitionRecord, LEADER_UNCHANGED};
pub use producer_ids::ProducerIdsRecord;
pub use topic::{RemoveTopicRecord, TopicRecord};

use bytes::Bytes;

use crate::wire::{WireError, WireReader, WireWriter};

/// The only `ApiMessageAndVersion` frame version Kafka defines.
pub const FRAME_VERSION: u32 = 1;

/// Why bytes are not a metadata record this build understands.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum MetadataError {
    /// The frame version is not 1.
    #[error("metadata record frame version {frame_version} is unknown (only {FRAME_VERSION} is defined)")]
    UnknownFrameVersion {
        /// The frame version found.
        frame_version: u32,
    },
    /// The api key names no record type this build knows.
    #[error("metadata record api key {api_key} is unknown")]
    UnknownApiKey {
        /// The api key found.
        api_key: u32,
    },
    /// The record version is outside the schema's valid versions.
    #[error("metadata record api key {api_key} version {version} is outside {min}..={max}")]
    UnsupportedVersion {
        /// The record type.
        api_key: i16,
        /// The version found.
        version: u32,
        /// Lowest valid version.
        min: i16,
        /// Highest valid version.
        max: i16,
    },
    /// Bytes remain after the record.
    #[error("metadata record api key {api_key} v{version} ends at byte {position} but {trailing} bytes follow")]
    TrailingBytes {
        /// The record type.
        api_key: i16,
        /// Its version.
        version: i16,
        /// Where the record ended.
        position: usize,
        /// How many bytes follow.
        trailing: usize,
    },
    /// The frame header or the record body is malformed.
    #[error("metadata record api key {api_key:?} is malformed: {source}")]
    Malformed {
        /// The record type, once known.
        api_key: Option<i16>,
        /// The primitive that failed.
        source: WireError,
    },
}

/// One record body: its schema facts and flexible-format codec.
pub(crate) trait RecordBody: Sized {
    /// Kafka's api key for the record type.
    const API_KEY: i16;
    /// Lowest valid version.
    const VERSION_MIN: i16;
    /// Highest valid version.
    const VERSION_MAX: i16;
    /// The version to write.
    fn version(&self) -> i16;
    /// Writes the body at `self.version()`.
    fn encode_body(&self, w: &mut WireWriter);
    /// Reads a body of `version`.
    fn decode_body(r: &mut WireReader<'_>, version: i16) -> Result<Self, WireError>;
}

/// The empty record the controller appends to advance the log (api key 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NoOpRecord;

impl RecordBody for NoOpRecord {
    const API_KEY: i16 = 20;
    const VERSION_MIN: i16 = 0;
    const VERSION_MAX: i16 = 0;
    fn version(&self) -> i16 {
        0
    }
    fn encode_body(&self, w: &mut WireWriter) {
        w.put_tagged_fields(&[]);
    }
    fn decode_body(r: &mut WireReader<'_>, _version: i16) -> Result<Self, WireError> {
        skip_tagged_fields(r)?;
        Ok(Self)
    }
}

/// Reads a tagged-field section whose tags are all unknown here.
pub(crate) fn skip_tagged_fields(r: &mut WireReader<'_>) -> Result<(), WireError> {
    r.tagged_fields(|_, field| {
        field.skip_rest();
        Ok(())
    })
}

/// A decoded metadata record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataRecord {
    /// RegisterBrokerRecord (api key 0).
    RegisterBroker(RegisterBrokerRecord),
    /// UnregisterBrokerRecord (1).
    UnregisterBroker(UnregisterBrokerRecord),
    /// TopicRecord (2).
    Topic(TopicRecord),
    /// PartitionRecord (3).
    Partition(PartitionRecord),
    /// ConfigRecord (4).
    Config(ConfigRecord),
    /// PartitionChangeRecord (5).
    PartitionChange(PartitionChangeRecord),
    /// RemoveTopicRecord (9).
    RemoveTopic(RemoveTopicRecord),
    /// FeatureLevelRecord (12).
    FeatureLevel(FeatureLevelRecord),
    /// ProducerIdsRecord (15).
    ProducerIds(ProducerIdsRecord),
    /// BrokerRegistrationChangeRecord (17).
    BrokerRegistrationChange(BrokerRegistrationChangeRecord),
    /// NoOpRecord (20).
    NoOp,
}

fn frame<T: RecordBody>(body: &T) -> Bytes {
    let mut w = WireWriter::new();
    w.put_unsigned_varint(FRAME_VERSION);
    w.put_unsigned_varint(T::API_KEY as u32);
    w.put_unsigned_varint(body.version() as u32);
    body.encode_body(&mut w);
    Bytes::from(w.into_inner())
}

fn unframe<T: RecordBody>(r: &mut WireReader<'_>, version: u32) -> Result<T, MetadataError> {
    let in_range = i16::try_from(version)
        .ok()
        .filter(|v| (T::VERSION_MIN..=T::VERSION_MAX).contains(v));
    let Some(version) = in_range else {
        return Err(MetadataError::UnsupportedVersion {
            api_key: T::API_KEY,
            version,
            min: T::VERSION_MIN,
            max: T::VERSION_MAX,
        });
    };
    let body = T::decode_body(r, version).map_err(|source| MetadataError::Malformed {
        api_key: Some(T::API_KEY),
        source,
    })?;
    if !r.is_empty() {
        return Err(MetadataError::TrailingBytes {
            api_key: T::API_KEY,
            version,
            position: r.position(),
            trailing: r.remaining(),
        });
    }
    Ok(body)
}

impl MetadataRecord {
    /// Kafka's api key of the record type.
    pub fn api_key(&self) -> i16 {
        match self {
            Self::RegisterBroker(_) => RegisterBrokerRecord::API_KEY,
            Self::UnregisterBroker(_) => UnregisterBrokerRecord::API_KEY,
            Self::Topic(_) => TopicRecord::API_KEY,
            Self::Partition(_) => PartitionRecord::API_KEY,
            Self::Config(_) => ConfigRecord::API_KEY,
            Self::PartitionChange(_) => PartitionChangeRecord::API_KEY,
            Self::RemoveTopic(_) => RemoveTopicRecord::API_KEY,
            Self::FeatureLevel(_) => FeatureLevelRecord::API_KEY,
            Self::ProducerIds(_) => ProducerIdsRecord::API_KEY,
            Self::BrokerRegistrationChange(_) => BrokerRegistrationChangeRecord::API_KEY,
            Self::NoOp => NoOpRecord::API_KEY,
        }
    }

    /// The record version that `encode` writes.
    pub fn version(&self) -> i16 {
        match self {
            Self::RegisterBroker(r) => r.version(),
            Self::UnregisterBroker(r) => r.version(),
            Self::Topic(r) => r.version(),
            Self::Partition(r) => r.version(),
            Self::Config(r) => r.version(),
            Self::PartitionChange(r) => r.version(),
            Self::RemoveTopic(r) => r.version(),
            Self::FeatureLevel(r) => r.version(),
            Self::ProducerIds(r) => r.version(),
            Self::BrokerRegistrationChange(r) => r.version(),
            Self::NoOp => 0,
        }
    }

    /// Kafka's name of the record type (as `kafka-metadata-shell` prints it).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::RegisterBroker(_) => "RegisterBrokerRecord",
            Self::UnregisterBroker(_) => "UnregisterBrokerRecord",
            Self::Topic(_) => "TopicRecord",
            Self::Partition(_) => "PartitionRecord",
            Self::Config(_) => "ConfigRecord",
            Self::PartitionChange(_) => "PartitionChangeRecord",
            Self::RemoveTopic(_) => "RemoveTopicRecord",
            Self::FeatureLevel(_) => "FeatureLevelRecord",
            Self::ProducerIds(_) => "ProducerIdsRecord",
            Self::BrokerRegistrationChange(_) => "BrokerRegistrationChangeRecord",
            Self::NoOp => "NoOpRecord",
        }
    }

    /// Encodes the record as an `ApiMessageAndVersion` frame (version 1): the bytes of a record
    /// value in `__cluster_metadata`.
    pub fn encode(&self) -> Bytes {
        match self {
            Self::RegisterBroker(r) => frame(r),
            Self::UnregisterBroker(r) => frame(r),
            Self::Topic(r) => frame(r),
            Self::Partition(r) => frame(r),
            Self::Config(r) => frame(r),
            Self::PartitionChange(r) => frame(r),
            Self::RemoveTopic(r) => frame(r),
            Self::FeatureLevel(r) => frame(r),
            Self::ProducerIds(r) => frame(r),
            Self::BrokerRegistrationChange(r) => frame(r),
            Self::NoOp => frame(&NoOpRecord),
        }
    }

    /// Decodes one framed record; `buf` must hold exactly one record.
    pub fn decode(buf: &[u8]) -> Result<Self, MetadataError> {
        let mut r = WireReader::new(buf);
        let header = |source| MetadataError::Malformed {
            api_key: None,
            source,
        };
        let frame_version = r.unsigned_varint().map_err(header)?;
        if frame_version != FRAME_VERSION {
            return Err(MetadataError::UnknownFrameVersion { frame_version });
        }
        let api_key = r.unsigned_varint().map_err(header)?;
        let version = r.unsigned_varint().map_err(header)?;
        let r = &mut r;
        Ok(match api_key {
            0 => Self::RegisterBroker(unframe(r, version)?),
            1 => Self::UnregisterBroker(unframe(r, version)?),
            2 => Self::Topic(unframe(r, version)?),
            3 => Self::Partition(unframe(r, version)?),
            4 => Self::Config(unframe(r, version)?),
            5 => Self::PartitionChange(unframe(r, version)?),
            9 => Self::RemoveTopic(unframe(r, version)?),
            12 => Self::FeatureLevel(unframe(r, version)?),
            15 => Self::ProducerIds(unframe(r, version)?),
            17 => Self::BrokerRegistrationChange(unframe(r, version)?),
            20 => {
                unframe::<NoOpRecord>(r, version)?;
                Self::NoOp
            }
            _ => return Err(MetadataError::UnknownApiKey { api_key }),
        })
    }
}
