//! What a control record adds to its record line, from Kafka's DumpLogSegments: transaction
//! markers as `endTxnMarker: COMMIT coordinatorEpoch: N`, the KRaft snapshot and quorum records
//! as their message JSON (Kafka's generated JSON converters: camelCase field names in schema
//! order, UUIDs in Kafka's base64 form), and every other type as `controlType: NAME(id)`.

use strata_protocol::control::{self, ControlError, ControlRecord, ControlRecordType};
use strata_storage::uuid_to_kafka_string;

use super::json_object::{json_array, JsonObject};

/// The control part of one record line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ControlLine {
    /// COMMIT or ABORT marker.
    EndTxnMarker {
        /// `COMMIT` or `ABORT`.
        control_type: &'static str,
        /// The coordinator epoch in the marker.
        coordinator_epoch: i32,
    },
    /// A KRaft control record printed as `<label> <json>`.
    Message {
        /// `SnapshotHeader`, `SnapshotFooter`, `KRaftVersion` or `KRaftVoters`.
        label: &'static str,
        /// Kafka's type name, for `--json`.
        type_name: &'static str,
        /// The record as compact JSON.
        json: String,
    },
    /// Any other type (LEADER_CHANGE, unknown ids), which Kafka prints by name and id only.
    Other {
        /// `LEADER_CHANGE` or `UNKNOWN`.
        name: &'static str,
        /// The type id from the key.
        type_id: i16,
    },
}

impl ControlLine {
    /// The text Kafka appends to the record line (with its leading space).
    pub(crate) fn text(&self) -> String {
        match self {
            Self::EndTxnMarker {
                control_type,
                coordinator_epoch,
            } => format!(" endTxnMarker: {control_type} coordinatorEpoch: {coordinator_epoch}"),
            Self::Message { label, json, .. } => format!(" {label} {json}"),
            Self::Other { name, type_id } => format!(" controlType: {name}({type_id})"),
        }
    }

    /// The control part as a JSON object, for `--json`.
    pub(crate) fn json(&self) -> String {
        match self {
            Self::EndTxnMarker {
                control_type,
                coordinator_epoch,
            } => JsonObject::new()
                .string("type", control_type)
                .number("coordinatorEpoch", coordinator_epoch)
                .finish(),
            Self::Message {
                type_name, json, ..
            } => JsonObject::new()
                .string("type", type_name)
                .raw("data", json)
                .finish(),
            Self::Other { name, type_id } => JsonObject::new()
                .string("type", name)
                .number("typeId", type_id)
                .finish(),
        }
    }
}

/// Decodes a control record into its line part. Errors are what Kafka's tool would fail on: a
/// key shorter than 4 bytes or with a negative version, a value that does not decode.
pub(crate) fn control_line(
    key: Option<&[u8]>,
    value: Option<&[u8]>,
) -> Result<ControlLine, String> {
    let key = key.ok_or("the control record has a null key")?;
    let record_type = match control::decode_key(key) {
        Ok(record_type) => record_type,
        Err(ControlError::UnknownType { type_id }) => {
            return Ok(ControlLine::Other {
                name: "UNKNOWN",
                type_id,
            })
        }
        Err(error) => return Err(error.to_string()),
    };
    if record_type == ControlRecordType::LeaderChange {
        return Ok(ControlLine::Other {
            name: "LEADER_CHANGE",
            type_id: record_type.id(),
        });
    }
    let value = value.ok_or("the control record has a null value")?;
    let record = ControlRecord::decode(key, value).map_err(|e| e.to_string())?;
    Ok(match record {
        ControlRecord::Commit(marker) => ControlLine::EndTxnMarker {
            control_type: "COMMIT",
            coordinator_epoch: marker.coordinator_epoch,
        },
        ControlRecord::Abort(marker) => ControlLine::EndTxnMarker {
            control_type: "ABORT",
            coordinator_epoch: marker.coordinator_epoch,
        },
        ControlRecord::SnapshotHeader(header) => ControlLine::Message {
            label: "SnapshotHeader",
            type_name: "SNAPSHOT_HEADER",
            json: JsonObject::new()
                .number("version", header.version)
                .number(
                    "lastContainedLogTimestamp",
                    header.last_contained_log_timestamp,
                )
                .finish(),
        },
        ControlRecord::SnapshotFooter(footer) => ControlLine::Message {
            label: "SnapshotFooter",
            type_name: "SNAPSHOT_FOOTER",
            json: JsonObject::new().number("version", footer.version).finish(),
        },
        ControlRecord::KRaftVersion(kraft) => ControlLine::Message {
            label: "KRaftVersion",
            type_name: "KRAFT_VERSION",
            json: JsonObject::new()
                .number("version", kraft.version)
                .number("kRaftVersion", kraft.kraft_version)
                .finish(),
        },
        ControlRecord::KRaftVoters(voters) => ControlLine::Message {
            label: "KRaftVoters",
            type_name: "KRAFT_VOTERS",
            json: JsonObject::new()
                .number("version", voters.version)
                .raw(
                    "voters",
                    &json_array(voters.voters.iter().map(|voter| {
                        JsonObject::new()
                            .number("voterId", voter.voter_id)
                            .string(
                                "voterDirectoryId",
                                &uuid_to_kafka_string(voter.voter_directory_id),
                            )
                            .raw(
                                "endpoints",
                                &json_array(voter.endpoints.iter().map(|endpoint| {
                                    JsonObject::new()
                                        .string("name", &endpoint.name)
                                        .string("host", &endpoint.host)
                                        .number("port", endpoint.port)
                                        .finish()
                                })),
                            )
                            .raw(
                                "kRaftVersionFeature",
                                &JsonObject::new()
                                    .number("minSupportedVersion", voter.min_supported_version)
                                    .number("maxSupportedVersion", voter.max_supported_version)
                                    .finish(),
                            )
                            .finish()
                    })),
                )
                .finish(),
        },
        // Handled above from the key alone, as Kafka does.
        ControlRecord::LeaderChange(_) => ControlLine::Other {
            name: "LEADER_CHANGE",
            type_id: ControlRecordType::LeaderChange.id(),
        },
    })
}
