//! Transcribed by `transcribe.py` from Kafka's JSON schemas; regenerate, do not edit.

use super::types::{Element, Field, FieldType, MessageSchema, Versions, MAX};

const REMOTE_LOG_SEGMENT_METADATA_RECORD__FIELDS__REMOTE_LOG_SEGMENT_ID_ENTRY__TOPIC_ID_PARTITION_ENTRY: &[Field] = &[
    Field { name: "name", ty: FieldType::One(Element::String), versions: Versions { min: 0, max: MAX }, nullable: Versions { min: 1, max: 0 }, tagged: Versions { min: 1, max: 0 }, tag: 0, default: "" },
    Field { name: "id", ty: FieldType::One(Element::Uuid), versions: Versions { min: 0, max: MAX }, nullable: Versions { min: 1, max: 0 }, tagged: Versions { min: 1, max: 0 }, tag: 0, default: "" },
    Field { name: "partition", ty: FieldType::One(Element::Int32), versions: Versions { min: 0, max: MAX }, nullable: Versions { min: 1, max: 0 }, tagged: Versions { min: 1, max: 0 }, tag: 0, default: "" },
];

const REMOTE_LOG_SEGMENT_METADATA_RECORD__FIELDS__REMOTE_LOG_SEGMENT_ID_ENTRY: &[Field] = &[
    Field { name: "topicIdPartition", ty: FieldType::One(Element::Struct(REMOTE_LOG_SEGMENT_METADATA_RECORD__FIELDS__REMOTE_LOG_SEGMENT_ID_ENTRY__TOPIC_ID_PARTITION_ENTRY)), versions: Versions { min: 0, max: MAX }, nullable: Versions { min: 1, max: 0 }, tagged: Versions { min: 1, max: 0 }, tag: 0, default: "" },
    Field { name: "id", ty: FieldType::One(Element::Uuid), versions: Versions { min: 0, max: MAX }, nullable: Versions { min: 1, max: 0 }, tagged: Versions { min: 1, max: 0 }, tag: 0, default: "" },
];

const REMOTE_LOG_SEGMENT_METADATA_RECORD__FIELDS__SEGMENT_LEADER_EPOCH_ENTRY: &[Field] = &[
    Field {
        name: "leaderEpoch",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "offset",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const REMOTE_LOG_SEGMENT_METADATA_RECORD__FIELDS: &[Field] = &[
    Field {
        name: "remoteLogSegmentId",
        ty: FieldType::One(Element::Struct(
            REMOTE_LOG_SEGMENT_METADATA_RECORD__FIELDS__REMOTE_LOG_SEGMENT_ID_ENTRY,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "startOffset",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "endOffset",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "brokerId",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "maxTimestampMs",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "eventTimestampMs",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "segmentLeaderEpochs",
        ty: FieldType::Array(Element::Struct(
            REMOTE_LOG_SEGMENT_METADATA_RECORD__FIELDS__SEGMENT_LEADER_EPOCH_ENTRY,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "segmentSizeInBytes",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "customMetadata",
        ty: FieldType::One(Element::Bytes),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "null",
    },
    Field {
        name: "remoteLogSegmentState",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const REMOTE_LOG_SEGMENT_METADATA_SNAPSHOT_RECORD__FIELDS__SEGMENT_LEADER_EPOCH_ENTRY: &[Field] = &[
    Field {
        name: "leaderEpoch",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "offset",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const REMOTE_LOG_SEGMENT_METADATA_SNAPSHOT_RECORD__FIELDS: &[Field] = &[
    Field {
        name: "segmentId",
        ty: FieldType::One(Element::Uuid),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "startOffset",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "endOffset",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "brokerId",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "maxTimestampMs",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "eventTimestampMs",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "segmentLeaderEpochs",
        ty: FieldType::Array(Element::Struct(
            REMOTE_LOG_SEGMENT_METADATA_SNAPSHOT_RECORD__FIELDS__SEGMENT_LEADER_EPOCH_ENTRY,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "segmentSizeInBytes",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "customMetadata",
        ty: FieldType::One(Element::Bytes),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "null",
    },
    Field {
        name: "remoteLogSegmentState",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const REMOTE_LOG_SEGMENT_METADATA_UPDATE_RECORD__FIELDS__REMOTE_LOG_SEGMENT_ID_ENTRY__TOPIC_ID_PARTITION_ENTRY: &[Field] = &[
    Field { name: "name", ty: FieldType::One(Element::String), versions: Versions { min: 0, max: MAX }, nullable: Versions { min: 1, max: 0 }, tagged: Versions { min: 1, max: 0 }, tag: 0, default: "" },
    Field { name: "id", ty: FieldType::One(Element::Uuid), versions: Versions { min: 0, max: MAX }, nullable: Versions { min: 1, max: 0 }, tagged: Versions { min: 1, max: 0 }, tag: 0, default: "" },
    Field { name: "partition", ty: FieldType::One(Element::Int32), versions: Versions { min: 0, max: MAX }, nullable: Versions { min: 1, max: 0 }, tagged: Versions { min: 1, max: 0 }, tag: 0, default: "" },
];

const REMOTE_LOG_SEGMENT_METADATA_UPDATE_RECORD__FIELDS__REMOTE_LOG_SEGMENT_ID_ENTRY: &[Field] = &[
    Field { name: "topicIdPartition", ty: FieldType::One(Element::Struct(REMOTE_LOG_SEGMENT_METADATA_UPDATE_RECORD__FIELDS__REMOTE_LOG_SEGMENT_ID_ENTRY__TOPIC_ID_PARTITION_ENTRY)), versions: Versions { min: 0, max: MAX }, nullable: Versions { min: 1, max: 0 }, tagged: Versions { min: 1, max: 0 }, tag: 0, default: "" },
    Field { name: "id", ty: FieldType::One(Element::Uuid), versions: Versions { min: 0, max: MAX }, nullable: Versions { min: 1, max: 0 }, tagged: Versions { min: 1, max: 0 }, tag: 0, default: "" },
];

const REMOTE_LOG_SEGMENT_METADATA_UPDATE_RECORD__FIELDS: &[Field] = &[
    Field {
        name: "remoteLogSegmentId",
        ty: FieldType::One(Element::Struct(
            REMOTE_LOG_SEGMENT_METADATA_UPDATE_RECORD__FIELDS__REMOTE_LOG_SEGMENT_ID_ENTRY,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "brokerId",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "eventTimestampMs",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "customMetadata",
        ty: FieldType::One(Element::Bytes),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "null",
    },
    Field {
        name: "remoteLogSegmentState",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const REMOTE_PARTITION_DELETE_METADATA_RECORD__FIELDS__TOPIC_ID_PARTITION_ENTRY: &[Field] = &[
    Field {
        name: "name",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "id",
        ty: FieldType::One(Element::Uuid),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "partition",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const REMOTE_PARTITION_DELETE_METADATA_RECORD__FIELDS: &[Field] = &[
    Field {
        name: "topicIdPartition",
        ty: FieldType::One(Element::Struct(
            REMOTE_PARTITION_DELETE_METADATA_RECORD__FIELDS__TOPIC_ID_PARTITION_ENTRY,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "brokerId",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "eventTimestampMs",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "remotePartitionDeleteState",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

/// Kafka's `RemoteLogSegmentMetadataRecord`.
pub(crate) static REMOTE_LOG_SEGMENT_METADATA_RECORD: MessageSchema = MessageSchema {
    name: "RemoteLogSegmentMetadataRecord",
    api_key: Some(0),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: REMOTE_LOG_SEGMENT_METADATA_RECORD__FIELDS,
};

/// Kafka's `RemoteLogSegmentMetadataSnapshotRecord`.
pub(crate) static REMOTE_LOG_SEGMENT_METADATA_SNAPSHOT_RECORD: MessageSchema = MessageSchema {
    name: "RemoteLogSegmentMetadataSnapshotRecord",
    api_key: Some(3),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: REMOTE_LOG_SEGMENT_METADATA_SNAPSHOT_RECORD__FIELDS,
};

/// Kafka's `RemoteLogSegmentMetadataUpdateRecord`.
pub(crate) static REMOTE_LOG_SEGMENT_METADATA_UPDATE_RECORD: MessageSchema = MessageSchema {
    name: "RemoteLogSegmentMetadataUpdateRecord",
    api_key: Some(1),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: REMOTE_LOG_SEGMENT_METADATA_UPDATE_RECORD__FIELDS,
};

/// Kafka's `RemotePartitionDeleteMetadataRecord`.
pub(crate) static REMOTE_PARTITION_DELETE_METADATA_RECORD: MessageSchema = MessageSchema {
    name: "RemotePartitionDeleteMetadataRecord",
    api_key: Some(2),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: REMOTE_PARTITION_DELETE_METADATA_RECORD__FIELDS,
};

/// Every schema in this table.
pub(crate) static REMOTE_LOG_RECORDS: &[&MessageSchema] = &[
    &REMOTE_LOG_SEGMENT_METADATA_RECORD,
    &REMOTE_LOG_SEGMENT_METADATA_SNAPSHOT_RECORD,
    &REMOTE_LOG_SEGMENT_METADATA_UPDATE_RECORD,
    &REMOTE_PARTITION_DELETE_METADATA_RECORD,
];
