//! Metadata record types that `strata_protocol::metadata::MetadataRecord` does not model but that
//! Apache Kafka writes (ACLs, SCRAM credentials, client quotas, delegation tokens, controller
//! registrations, fencing records of old metadata versions, metadata transactions).
//!
//! Each is decoded from its ApiMessageAndVersion frame (frame version 1, api key, version,
//! flexible body) following the schemas in Kafka's `metadata/src/main/resources/common/metadata`.
//! All of them exist only in version 0.

use strata_protocol::wire::{WireError, WireReader};
use uuid::Uuid;

/// One `ControllerEndpoint` / `BrokerEndpoint` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListenerEndpoint {
    pub(crate) name: String,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) security_protocol: i16,
}

/// A record outside the typed enum.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ExtraRecord {
    /// FenceBrokerRecord (7).
    FenceBroker { id: i32, epoch: i64 },
    /// UnfenceBrokerRecord (8).
    UnfenceBroker { id: i32, epoch: i64 },
    /// DelegationTokenRecord (10).
    DelegationToken(DelegationToken),
    /// UserScramCredentialRecord (11).
    UserScramCredential(ScramCredential),
    /// ClientQuotaRecord (14).
    ClientQuota {
        entity: Vec<(String, Option<String>)>,
        key: String,
        value: f64,
        remove: bool,
    },
    /// AccessControlEntryRecord (18).
    AccessControlEntry(Acl),
    /// RemoveAccessControlEntryRecord (19).
    RemoveAccessControlEntry { id: Uuid },
    /// ZkMigrationStateRecord (21), removed from Kafka 4 but present in 3.4–3.9 logs.
    ZkMigrationState { state: i8 },
    /// RemoveUserScramCredentialRecord (22).
    RemoveUserScramCredential { name: String, mechanism: i8 },
    /// BeginTransactionRecord (23).
    BeginTransaction,
    /// EndTransactionRecord (24).
    EndTransaction,
    /// AbortTransactionRecord (25).
    AbortTransaction,
    /// RemoveDelegationTokenRecord (26).
    RemoveDelegationToken { token_id: String },
    /// RegisterControllerRecord (27).
    RegisterController(ControllerRegistration),
}

/// A delegation token as DelegationTokenRecord carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DelegationToken {
    pub(crate) owner: String,
    pub(crate) requester: String,
    pub(crate) renewers: Vec<String>,
    pub(crate) issue_timestamp: i64,
    pub(crate) max_timestamp: i64,
    pub(crate) expiration_timestamp: i64,
    pub(crate) token_id: String,
}

/// A SCRAM credential as UserScramCredentialRecord carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScramCredential {
    pub(crate) name: String,
    pub(crate) mechanism: i8,
    pub(crate) salt: Vec<u8>,
    pub(crate) stored_key: Vec<u8>,
    pub(crate) server_key: Vec<u8>,
    pub(crate) iterations: i32,
}

/// An ACL as AccessControlEntryRecord carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Acl {
    pub(crate) id: Uuid,
    pub(crate) resource_type: i8,
    pub(crate) resource_name: String,
    pub(crate) pattern_type: i8,
    pub(crate) principal: String,
    pub(crate) host: String,
    pub(crate) operation: i8,
    pub(crate) permission_type: i8,
}

/// A controller registration as RegisterControllerRecord carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ControllerRegistration {
    pub(crate) id: i32,
    pub(crate) incarnation_id: Uuid,
    pub(crate) zk_migration_ready: bool,
    pub(crate) endpoints: Vec<ListenerEndpoint>,
    /// (name, min, max).
    pub(crate) features: Vec<(String, i16, i16)>,
}

/// Why a value is not one of the extra record types.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ExtraRecordError {
    /// The frame header is not ApiMessageAndVersion v1.
    #[error("metadata record frame version {frame_version} is unknown (only 1 is defined)")]
    FrameVersion { frame_version: u32 },
    /// The api key names no record type Kafka defines.
    #[error("metadata record type {api_key} is unknown")]
    UnknownApiKey { api_key: u32 },
    /// Only version 0 of these records exists.
    #[error("metadata record type {api_key} version {version} is unknown (only 0 exists)")]
    UnknownVersion { api_key: u32, version: u32 },
    /// The body does not follow the schema.
    #[error("metadata record type {api_key} is malformed: {source}")]
    Malformed { api_key: u32, source: WireError },
    /// Bytes are left after the record.
    #[error("metadata record type {api_key} has {trailing} bytes of garbage after it")]
    Trailing { api_key: u32, trailing: usize },
}

fn string(r: &mut WireReader<'_>, field: &'static str) -> Result<String, WireError> {
    r.compact_string(field)
}

fn compact_bytes(r: &mut WireReader<'_>, field: &'static str) -> Result<Vec<u8>, WireError> {
    let position = r.position();
    let len = r
        .compact_len()?
        .ok_or(WireError::UnexpectedNull { field, position })?;
    Ok(r.bytes(len)?.to_vec())
}

fn array<T>(
    r: &mut WireReader<'_>,
    field: &'static str,
    mut item: impl FnMut(&mut WireReader<'_>) -> Result<T, WireError>,
) -> Result<Vec<T>, WireError> {
    let count = r.compact_array_len_non_null(field)?;
    let mut out = Vec::with_capacity(count.min(r.remaining()));
    for _ in 0..count {
        out.push(item(r)?);
    }
    Ok(out)
}

fn skip_tags(r: &mut WireReader<'_>) -> Result<(), WireError> {
    r.tagged_fields(|_, field| {
        field.skip_rest();
        Ok(())
    })
}

fn body(api_key: u32, r: &mut WireReader<'_>) -> Result<Option<ExtraRecord>, WireError> {
    let record = match api_key {
        7 | 8 => {
            let id = r.i32()?;
            let epoch = r.i64()?;
            if api_key == 7 {
                ExtraRecord::FenceBroker { id, epoch }
            } else {
                ExtraRecord::UnfenceBroker { id, epoch }
            }
        }
        10 => ExtraRecord::DelegationToken(DelegationToken {
            owner: string(r, "Owner")?,
            requester: string(r, "Requester")?,
            renewers: array(r, "Renewers", |r| string(r, "Renewers"))?,
            issue_timestamp: r.i64()?,
            max_timestamp: r.i64()?,
            expiration_timestamp: r.i64()?,
            token_id: string(r, "TokenId")?,
        }),
        11 => ExtraRecord::UserScramCredential(ScramCredential {
            name: string(r, "Name")?,
            mechanism: r.i8()?,
            salt: compact_bytes(r, "Salt")?,
            stored_key: compact_bytes(r, "StoredKey")?,
            server_key: compact_bytes(r, "ServerKey")?,
            iterations: r.i32()?,
        }),
        14 => {
            let entity = array(r, "Entity", |r| {
                let entity_type = string(r, "EntityType")?;
                let entity_name = r.compact_nullable_string()?;
                skip_tags(r)?;
                Ok((entity_type, entity_name))
            })?;
            let key = string(r, "Key")?;
            let value = f64::from_bits(r.i64()? as u64);
            let remove = r.bool()?;
            ExtraRecord::ClientQuota {
                entity,
                key,
                value,
                remove,
            }
        }
        18 => ExtraRecord::AccessControlEntry(Acl {
            id: r.uuid()?,
            resource_type: r.i8()?,
            resource_name: string(r, "ResourceName")?,
            pattern_type: r.i8()?,
            principal: string(r, "Principal")?,
            host: string(r, "Host")?,
            operation: r.i8()?,
            permission_type: r.i8()?,
        }),
        19 => ExtraRecord::RemoveAccessControlEntry { id: r.uuid()? },
        21 => ExtraRecord::ZkMigrationState { state: r.i8()? },
        22 => ExtraRecord::RemoveUserScramCredential {
            name: string(r, "Name")?,
            mechanism: r.i8()?,
        },
        23 => ExtraRecord::BeginTransaction,
        24 => ExtraRecord::EndTransaction,
        25 => ExtraRecord::AbortTransaction,
        26 => ExtraRecord::RemoveDelegationToken {
            token_id: string(r, "TokenId")?,
        },
        27 => {
            let id = r.i32()?;
            let incarnation_id = r.uuid()?;
            let zk_migration_ready = r.bool()?;
            let endpoints = array(r, "EndPoints", |r| {
                let e = ListenerEndpoint {
                    name: string(r, "Name")?,
                    host: string(r, "Host")?,
                    port: r.u16()?,
                    security_protocol: r.i16()?,
                };
                skip_tags(r)?;
                Ok(e)
            })?;
            let features = array(r, "Features", |r| {
                let f = (string(r, "Name")?, r.i16()?, r.i16()?);
                skip_tags(r)?;
                Ok(f)
            })?;
            ExtraRecord::RegisterController(ControllerRegistration {
                id,
                incarnation_id,
                zk_migration_ready,
                endpoints,
                features,
            })
        }
        _ => return Ok(None),
    };
    skip_tags(r)?;
    Ok(Some(record))
}

/// Decodes one record value of an extra type.
pub(crate) fn decode_extra_record(value: &[u8]) -> Result<ExtraRecord, ExtraRecordError> {
    let mut r = WireReader::new(value);
    let header = |r: &mut WireReader<'_>| -> Result<(u32, u32, u32), WireError> {
        Ok((
            r.unsigned_varint()?,
            r.unsigned_varint()?,
            r.unsigned_varint()?,
        ))
    };
    let (frame_version, api_key, version) =
        header(&mut r).map_err(|source| ExtraRecordError::Malformed { api_key: 0, source })?;
    if frame_version != 1 {
        return Err(ExtraRecordError::FrameVersion { frame_version });
    }
    if version != 0 {
        return Err(ExtraRecordError::UnknownVersion { api_key, version });
    }
    let record = body(api_key, &mut r)
        .map_err(|source| ExtraRecordError::Malformed { api_key, source })?
        .ok_or(ExtraRecordError::UnknownApiKey { api_key })?;
    if !r.is_empty() {
        return Err(ExtraRecordError::Trailing {
            api_key,
            trailing: r.remaining(),
        });
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_protocol::wire::WireWriter;

    fn frame(api_key: u32, body: impl FnOnce(&mut WireWriter)) -> Vec<u8> {
        let mut w = WireWriter::new();
        w.put_unsigned_varint(1);
        w.put_unsigned_varint(api_key);
        w.put_unsigned_varint(0);
        body(&mut w);
        w.put_unsigned_varint(0);
        w.into_inner()
    }

    #[test]
    fn acl_record_decodes_every_field() {
        let id = Uuid::from_u128(7);
        let bytes = frame(18, |w| {
            w.put_uuid(&id);
            w.put_i8(2);
            w.put_compact_string("foo");
            w.put_i8(3);
            w.put_compact_string("User:alice");
            w.put_compact_string("*");
            w.put_i8(3);
            w.put_i8(3);
        });
        let ExtraRecord::AccessControlEntry(acl) = decode_extra_record(&bytes).expect("decodes")
        else {
            panic!("not an ACL");
        };
        assert_eq!(acl.id, id);
        assert_eq!(acl.principal, "User:alice");
        assert_eq!(acl.operation, 3);
    }

    #[test]
    fn unknown_type_and_trailing_bytes_are_errors() {
        assert!(matches!(
            decode_extra_record(&frame(99, |_| {})),
            Err(ExtraRecordError::UnknownApiKey { api_key: 99 })
        ));
        let mut bytes = frame(19, |w| w.put_uuid(&Uuid::nil()));
        bytes.push(0);
        assert!(matches!(
            decode_extra_record(&bytes),
            Err(ExtraRecordError::Trailing { trailing: 1, .. })
        ));
        assert!(matches!(
            decode_extra_record(&bytes[..5]),
            Err(ExtraRecordError::Malformed { .. })
        ));
    }
}
