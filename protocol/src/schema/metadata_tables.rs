//! Transcribed by `transcribe.py` from Kafka's JSON schemas; regenerate, do not edit.

use super::types::{Element, Field, FieldType, MessageSchema, Versions, MAX};

const ABORT_TRANSACTION_RECORD__FIELDS: &[Field] = &[Field {
    name: "reason",
    ty: FieldType::One(Element::String),
    versions: Versions { min: 0, max: MAX },
    nullable: Versions { min: 0, max: MAX },
    tagged: Versions { min: 0, max: MAX },
    tag: 0,
    default: "null",
}];

const ACCESS_CONTROL_ENTRY_RECORD__FIELDS: &[Field] = &[
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
        name: "resourceType",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "resourceName",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "patternType",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "principal",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "host",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "operation",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "permissionType",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const BEGIN_TRANSACTION_RECORD__FIELDS: &[Field] = &[Field {
    name: "name",
    ty: FieldType::One(Element::String),
    versions: Versions { min: 0, max: MAX },
    nullable: Versions { min: 0, max: MAX },
    tagged: Versions { min: 0, max: MAX },
    tag: 0,
    default: "null",
}];

const BROKER_REGISTRATION_CHANGE_RECORD__FIELDS: &[Field] = &[
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
        name: "brokerEpoch",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "fenced",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 0, max: MAX },
        tag: 0,
        default: "",
    },
    Field {
        name: "inControlledShutdown",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 1, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: MAX },
        tag: 1,
        default: "",
    },
    Field {
        name: "logDirs",
        ty: FieldType::Array(Element::Uuid),
        versions: Versions { min: 2, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 2, max: MAX },
        tag: 2,
        default: "",
    },
];

const CLEAR_ELR_RECORD__FIELDS: &[Field] = &[Field {
    name: "topicName",
    ty: FieldType::One(Element::String),
    versions: Versions { min: 0, max: MAX },
    nullable: Versions { min: 1, max: 0 },
    tagged: Versions { min: 1, max: 0 },
    tag: 0,
    default: "",
}];

const CLIENT_QUOTA_RECORD__FIELDS__ENTITY_DATA: &[Field] = &[
    Field {
        name: "entityType",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "entityName",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CLIENT_QUOTA_RECORD__FIELDS: &[Field] = &[
    Field {
        name: "entity",
        ty: FieldType::Array(Element::Struct(CLIENT_QUOTA_RECORD__FIELDS__ENTITY_DATA)),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "key",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "value",
        ty: FieldType::One(Element::Float64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "remove",
        ty: FieldType::One(Element::Bool),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CONFIG_RECORD__FIELDS: &[Field] = &[
    Field {
        name: "resourceType",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "resourceName",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
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
        name: "value",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const DELEGATION_TOKEN_RECORD__FIELDS: &[Field] = &[
    Field {
        name: "owner",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "requester",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "renewers",
        ty: FieldType::Array(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "issueTimestamp",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "maxTimestamp",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "expirationTimestamp",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "tokenId",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const END_TRANSACTION_RECORD__FIELDS: &[Field] = &[];

const FEATURE_LEVEL_RECORD__FIELDS: &[Field] = &[
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
        name: "featureLevel",
        ty: FieldType::One(Element::Int16),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const FENCE_BROKER_RECORD__FIELDS: &[Field] = &[
    Field {
        name: "id",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "epoch",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const NO_OP_RECORD__FIELDS: &[Field] = &[];

const PARTITION_CHANGE_RECORD__FIELDS: &[Field] = &[
    Field {
        name: "partitionId",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "-1",
    },
    Field {
        name: "topicId",
        ty: FieldType::One(Element::Uuid),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "isr",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 0, max: MAX },
        tag: 0,
        default: "null",
    },
    Field {
        name: "leader",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 0, max: MAX },
        tag: 1,
        default: "-2",
    },
    Field {
        name: "replicas",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 0, max: MAX },
        tag: 2,
        default: "null",
    },
    Field {
        name: "removingReplicas",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 0, max: MAX },
        tag: 3,
        default: "null",
    },
    Field {
        name: "addingReplicas",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 0, max: MAX },
        tag: 4,
        default: "null",
    },
    Field {
        name: "leaderRecoveryState",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 0, max: MAX },
        tag: 5,
        default: "-1",
    },
    Field {
        name: "directories",
        ty: FieldType::Array(Element::Uuid),
        versions: Versions { min: 1, max: MAX },
        nullable: Versions { min: 1, max: MAX },
        tagged: Versions { min: 1, max: MAX },
        tag: 8,
        default: "null",
    },
    Field {
        name: "eligibleLeaderReplicas",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 2, max: MAX },
        nullable: Versions { min: 2, max: MAX },
        tagged: Versions { min: 2, max: MAX },
        tag: 6,
        default: "null",
    },
    Field {
        name: "lastKnownElr",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 2, max: MAX },
        nullable: Versions { min: 2, max: MAX },
        tagged: Versions { min: 2, max: MAX },
        tag: 7,
        default: "null",
    },
];

const PARTITION_RECORD__FIELDS: &[Field] = &[
    Field {
        name: "partitionId",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "-1",
    },
    Field {
        name: "topicId",
        ty: FieldType::One(Element::Uuid),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "replicas",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "isr",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "removingReplicas",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "addingReplicas",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "leader",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "-1",
    },
    Field {
        name: "leaderRecoveryState",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 0, max: MAX },
        tag: 0,
        default: "0",
    },
    Field {
        name: "leaderEpoch",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "-1",
    },
    Field {
        name: "partitionEpoch",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "-1",
    },
    Field {
        name: "directories",
        ty: FieldType::Array(Element::Uuid),
        versions: Versions { min: 1, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "eligibleLeaderReplicas",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 2, max: MAX },
        nullable: Versions { min: 2, max: MAX },
        tagged: Versions { min: 2, max: MAX },
        tag: 1,
        default: "null",
    },
    Field {
        name: "lastKnownElr",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 2, max: MAX },
        nullable: Versions { min: 2, max: MAX },
        tagged: Versions { min: 2, max: MAX },
        tag: 2,
        default: "null",
    },
];

const PRODUCER_IDS_RECORD__FIELDS: &[Field] = &[
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
        name: "brokerEpoch",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "-1",
    },
    Field {
        name: "nextProducerId",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const REGISTER_BROKER_RECORD__FIELDS__BROKER_ENDPOINT: &[Field] = &[
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
        name: "host",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "port",
        ty: FieldType::One(Element::Uint16),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "securityProtocol",
        ty: FieldType::One(Element::Int16),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const REGISTER_BROKER_RECORD__FIELDS__BROKER_FEATURE: &[Field] = &[
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
        name: "minSupportedVersion",
        ty: FieldType::One(Element::Int16),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "maxSupportedVersion",
        ty: FieldType::One(Element::Int16),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const REGISTER_BROKER_RECORD__FIELDS: &[Field] = &[
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
        name: "isMigratingZkBroker",
        ty: FieldType::One(Element::Bool),
        versions: Versions { min: 2, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "false",
    },
    Field {
        name: "incarnationId",
        ty: FieldType::One(Element::Uuid),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "brokerEpoch",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "endPoints",
        ty: FieldType::Array(Element::Struct(
            REGISTER_BROKER_RECORD__FIELDS__BROKER_ENDPOINT,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "features",
        ty: FieldType::Array(Element::Struct(
            REGISTER_BROKER_RECORD__FIELDS__BROKER_FEATURE,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "rack",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "fenced",
        ty: FieldType::One(Element::Bool),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "true",
    },
    Field {
        name: "inControlledShutdown",
        ty: FieldType::One(Element::Bool),
        versions: Versions { min: 1, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "false",
    },
    Field {
        name: "logDirs",
        ty: FieldType::Array(Element::Uuid),
        versions: Versions { min: 3, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 3, max: MAX },
        tag: 0,
        default: "",
    },
];

const REGISTER_CONTROLLER_RECORD__FIELDS__CONTROLLER_ENDPOINT: &[Field] = &[
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
        name: "host",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "port",
        ty: FieldType::One(Element::Uint16),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "securityProtocol",
        ty: FieldType::One(Element::Int16),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const REGISTER_CONTROLLER_RECORD__FIELDS__CONTROLLER_FEATURE: &[Field] = &[
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
        name: "minSupportedVersion",
        ty: FieldType::One(Element::Int16),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "maxSupportedVersion",
        ty: FieldType::One(Element::Int16),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const REGISTER_CONTROLLER_RECORD__FIELDS: &[Field] = &[
    Field {
        name: "controllerId",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "incarnationId",
        ty: FieldType::One(Element::Uuid),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "zkMigrationReady",
        ty: FieldType::One(Element::Bool),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "endPoints",
        ty: FieldType::Array(Element::Struct(
            REGISTER_CONTROLLER_RECORD__FIELDS__CONTROLLER_ENDPOINT,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "features",
        ty: FieldType::Array(Element::Struct(
            REGISTER_CONTROLLER_RECORD__FIELDS__CONTROLLER_FEATURE,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const REMOVE_ACCESS_CONTROL_ENTRY_RECORD__FIELDS: &[Field] = &[Field {
    name: "id",
    ty: FieldType::One(Element::Uuid),
    versions: Versions { min: 0, max: MAX },
    nullable: Versions { min: 1, max: 0 },
    tagged: Versions { min: 1, max: 0 },
    tag: 0,
    default: "",
}];

const REMOVE_DELEGATION_TOKEN_RECORD__FIELDS: &[Field] = &[Field {
    name: "tokenId",
    ty: FieldType::One(Element::String),
    versions: Versions { min: 0, max: MAX },
    nullable: Versions { min: 1, max: 0 },
    tagged: Versions { min: 1, max: 0 },
    tag: 0,
    default: "",
}];

const REMOVE_TOPIC_RECORD__FIELDS: &[Field] = &[Field {
    name: "topicId",
    ty: FieldType::One(Element::Uuid),
    versions: Versions { min: 0, max: MAX },
    nullable: Versions { min: 1, max: 0 },
    tagged: Versions { min: 1, max: 0 },
    tag: 0,
    default: "",
}];

const REMOVE_USER_SCRAM_CREDENTIAL_RECORD__FIELDS: &[Field] = &[
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
        name: "mechanism",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const TOPIC_RECORD__FIELDS: &[Field] = &[
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
        name: "topicId",
        ty: FieldType::One(Element::Uuid),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const UNFENCE_BROKER_RECORD__FIELDS: &[Field] = &[
    Field {
        name: "id",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "epoch",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const UNREGISTER_BROKER_RECORD__FIELDS: &[Field] = &[
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
        name: "brokerEpoch",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const USER_SCRAM_CREDENTIAL_RECORD__FIELDS: &[Field] = &[
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
        name: "mechanism",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "salt",
        ty: FieldType::One(Element::Bytes),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "storedKey",
        ty: FieldType::One(Element::Bytes),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "serverKey",
        ty: FieldType::One(Element::Bytes),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "iterations",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const ZK_MIGRATION_STATE_RECORD__FIELDS: &[Field] = &[Field {
    name: "zkMigrationState",
    ty: FieldType::One(Element::Int8),
    versions: Versions { min: 0, max: MAX },
    nullable: Versions { min: 1, max: 0 },
    tagged: Versions { min: 1, max: 0 },
    tag: 0,
    default: "",
}];

/// Kafka's `AbortTransactionRecord`.
pub(crate) static ABORT_TRANSACTION_RECORD: MessageSchema = MessageSchema {
    name: "AbortTransactionRecord",
    api_key: Some(25),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: ABORT_TRANSACTION_RECORD__FIELDS,
};

/// Kafka's `AccessControlEntryRecord`.
pub(crate) static ACCESS_CONTROL_ENTRY_RECORD: MessageSchema = MessageSchema {
    name: "AccessControlEntryRecord",
    api_key: Some(18),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: ACCESS_CONTROL_ENTRY_RECORD__FIELDS,
};

/// Kafka's `BeginTransactionRecord`.
pub(crate) static BEGIN_TRANSACTION_RECORD: MessageSchema = MessageSchema {
    name: "BeginTransactionRecord",
    api_key: Some(23),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: BEGIN_TRANSACTION_RECORD__FIELDS,
};

/// Kafka's `BrokerRegistrationChangeRecord`.
pub(crate) static BROKER_REGISTRATION_CHANGE_RECORD: MessageSchema = MessageSchema {
    name: "BrokerRegistrationChangeRecord",
    api_key: Some(17),
    valid: Versions { min: 0, max: 2 },
    flexible: Versions { min: 0, max: MAX },
    fields: BROKER_REGISTRATION_CHANGE_RECORD__FIELDS,
};

/// Kafka's `ClearElrRecord`.
pub(crate) static CLEAR_ELR_RECORD: MessageSchema = MessageSchema {
    name: "ClearElrRecord",
    api_key: Some(28),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: CLEAR_ELR_RECORD__FIELDS,
};

/// Kafka's `ClientQuotaRecord`.
pub(crate) static CLIENT_QUOTA_RECORD: MessageSchema = MessageSchema {
    name: "ClientQuotaRecord",
    api_key: Some(14),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: CLIENT_QUOTA_RECORD__FIELDS,
};

/// Kafka's `ConfigRecord`.
pub(crate) static CONFIG_RECORD: MessageSchema = MessageSchema {
    name: "ConfigRecord",
    api_key: Some(4),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: CONFIG_RECORD__FIELDS,
};

/// Kafka's `DelegationTokenRecord`.
pub(crate) static DELEGATION_TOKEN_RECORD: MessageSchema = MessageSchema {
    name: "DelegationTokenRecord",
    api_key: Some(10),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: DELEGATION_TOKEN_RECORD__FIELDS,
};

/// Kafka's `EndTransactionRecord`.
pub(crate) static END_TRANSACTION_RECORD: MessageSchema = MessageSchema {
    name: "EndTransactionRecord",
    api_key: Some(24),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: END_TRANSACTION_RECORD__FIELDS,
};

/// Kafka's `FeatureLevelRecord`.
pub(crate) static FEATURE_LEVEL_RECORD: MessageSchema = MessageSchema {
    name: "FeatureLevelRecord",
    api_key: Some(12),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: FEATURE_LEVEL_RECORD__FIELDS,
};

/// Kafka's `FenceBrokerRecord`.
pub(crate) static FENCE_BROKER_RECORD: MessageSchema = MessageSchema {
    name: "FenceBrokerRecord",
    api_key: Some(7),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: FENCE_BROKER_RECORD__FIELDS,
};

/// Kafka's `NoOpRecord`.
pub(crate) static NO_OP_RECORD: MessageSchema = MessageSchema {
    name: "NoOpRecord",
    api_key: Some(20),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: NO_OP_RECORD__FIELDS,
};

/// Kafka's `PartitionChangeRecord`.
pub(crate) static PARTITION_CHANGE_RECORD: MessageSchema = MessageSchema {
    name: "PartitionChangeRecord",
    api_key: Some(5),
    valid: Versions { min: 0, max: 2 },
    flexible: Versions { min: 0, max: MAX },
    fields: PARTITION_CHANGE_RECORD__FIELDS,
};

/// Kafka's `PartitionRecord`.
pub(crate) static PARTITION_RECORD: MessageSchema = MessageSchema {
    name: "PartitionRecord",
    api_key: Some(3),
    valid: Versions { min: 0, max: 2 },
    flexible: Versions { min: 0, max: MAX },
    fields: PARTITION_RECORD__FIELDS,
};

/// Kafka's `ProducerIdsRecord`.
pub(crate) static PRODUCER_IDS_RECORD: MessageSchema = MessageSchema {
    name: "ProducerIdsRecord",
    api_key: Some(15),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: PRODUCER_IDS_RECORD__FIELDS,
};

/// Kafka's `RegisterBrokerRecord`.
pub(crate) static REGISTER_BROKER_RECORD: MessageSchema = MessageSchema {
    name: "RegisterBrokerRecord",
    api_key: Some(0),
    valid: Versions { min: 0, max: 3 },
    flexible: Versions { min: 0, max: MAX },
    fields: REGISTER_BROKER_RECORD__FIELDS,
};

/// Kafka's `RegisterControllerRecord`.
pub(crate) static REGISTER_CONTROLLER_RECORD: MessageSchema = MessageSchema {
    name: "RegisterControllerRecord",
    api_key: Some(27),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: REGISTER_CONTROLLER_RECORD__FIELDS,
};

/// Kafka's `RemoveAccessControlEntryRecord`.
pub(crate) static REMOVE_ACCESS_CONTROL_ENTRY_RECORD: MessageSchema = MessageSchema {
    name: "RemoveAccessControlEntryRecord",
    api_key: Some(19),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: REMOVE_ACCESS_CONTROL_ENTRY_RECORD__FIELDS,
};

/// Kafka's `RemoveDelegationTokenRecord`.
pub(crate) static REMOVE_DELEGATION_TOKEN_RECORD: MessageSchema = MessageSchema {
    name: "RemoveDelegationTokenRecord",
    api_key: Some(26),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: REMOVE_DELEGATION_TOKEN_RECORD__FIELDS,
};

/// Kafka's `RemoveTopicRecord`.
pub(crate) static REMOVE_TOPIC_RECORD: MessageSchema = MessageSchema {
    name: "RemoveTopicRecord",
    api_key: Some(9),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: REMOVE_TOPIC_RECORD__FIELDS,
};

/// Kafka's `RemoveUserScramCredentialRecord`.
pub(crate) static REMOVE_USER_SCRAM_CREDENTIAL_RECORD: MessageSchema = MessageSchema {
    name: "RemoveUserScramCredentialRecord",
    api_key: Some(22),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: REMOVE_USER_SCRAM_CREDENTIAL_RECORD__FIELDS,
};

/// Kafka's `TopicRecord`.
pub(crate) static TOPIC_RECORD: MessageSchema = MessageSchema {
    name: "TopicRecord",
    api_key: Some(2),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: TOPIC_RECORD__FIELDS,
};

/// Kafka's `UnfenceBrokerRecord`.
pub(crate) static UNFENCE_BROKER_RECORD: MessageSchema = MessageSchema {
    name: "UnfenceBrokerRecord",
    api_key: Some(8),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: UNFENCE_BROKER_RECORD__FIELDS,
};

/// Kafka's `UnregisterBrokerRecord`.
pub(crate) static UNREGISTER_BROKER_RECORD: MessageSchema = MessageSchema {
    name: "UnregisterBrokerRecord",
    api_key: Some(1),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: UNREGISTER_BROKER_RECORD__FIELDS,
};

/// Kafka's `UserScramCredentialRecord`.
pub(crate) static USER_SCRAM_CREDENTIAL_RECORD: MessageSchema = MessageSchema {
    name: "UserScramCredentialRecord",
    api_key: Some(11),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: USER_SCRAM_CREDENTIAL_RECORD__FIELDS,
};

/// Kafka's `ZkMigrationStateRecord`.
pub(crate) static ZK_MIGRATION_STATE_RECORD: MessageSchema = MessageSchema {
    name: "ZkMigrationStateRecord",
    api_key: Some(21),
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: ZK_MIGRATION_STATE_RECORD__FIELDS,
};

/// Every schema in this table.
pub(crate) static METADATA_RECORDS: &[&MessageSchema] = &[
    &ABORT_TRANSACTION_RECORD,
    &ACCESS_CONTROL_ENTRY_RECORD,
    &BEGIN_TRANSACTION_RECORD,
    &BROKER_REGISTRATION_CHANGE_RECORD,
    &CLEAR_ELR_RECORD,
    &CLIENT_QUOTA_RECORD,
    &CONFIG_RECORD,
    &DELEGATION_TOKEN_RECORD,
    &END_TRANSACTION_RECORD,
    &FEATURE_LEVEL_RECORD,
    &FENCE_BROKER_RECORD,
    &NO_OP_RECORD,
    &PARTITION_CHANGE_RECORD,
    &PARTITION_RECORD,
    &PRODUCER_IDS_RECORD,
    &REGISTER_BROKER_RECORD,
    &REGISTER_CONTROLLER_RECORD,
    &REMOVE_ACCESS_CONTROL_ENTRY_RECORD,
    &REMOVE_DELEGATION_TOKEN_RECORD,
    &REMOVE_TOPIC_RECORD,
    &REMOVE_USER_SCRAM_CREDENTIAL_RECORD,
    &TOPIC_RECORD,
    &UNFENCE_BROKER_RECORD,
    &UNREGISTER_BROKER_RECORD,
    &USER_SCRAM_CREDENTIAL_RECORD,
    &ZK_MIGRATION_STATE_RECORD,
];
