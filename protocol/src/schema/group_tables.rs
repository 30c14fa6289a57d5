//! Transcribed by `transcribe.py` from Kafka's JSON schemas; regenerate, do not edit.

use super::types::{Element, Field, FieldType, MessageSchema, Versions, MAX};

const CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_KEY__FIELDS: &[Field] = &[
    Field {
        name: "groupId",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 8, max: 8 },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "memberId",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 8, max: 8 },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_VALUE__FIELDS__TOPIC_PARTITIONS: &[Field] = &[
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
        name: "partitions",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_VALUE__FIELDS: &[Field] = &[
    Field {
        name: "memberEpoch",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "previousMemberEpoch",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "state",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "assignedPartitions",
        ty: FieldType::Array(Element::Struct(
            CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_VALUE__FIELDS__TOPIC_PARTITIONS,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "partitionsPendingRevocation",
        ty: FieldType::Array(Element::Struct(
            CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_VALUE__FIELDS__TOPIC_PARTITIONS,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CONSUMER_GROUP_MEMBER_METADATA_KEY__FIELDS: &[Field] = &[
    Field {
        name: "groupId",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 5, max: 5 },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "memberId",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 5, max: 5 },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CONSUMER_GROUP_MEMBER_METADATA_VALUE__FIELDS__CLASSIC_MEMBER_METADATA__CLASSIC_PROTOCOL:
    &[Field] = &[
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
        name: "metadata",
        ty: FieldType::One(Element::Bytes),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CONSUMER_GROUP_MEMBER_METADATA_VALUE__FIELDS__CLASSIC_MEMBER_METADATA: &[Field] = &[
    Field {
        name: "sessionTimeoutMs",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "supportedProtocols",
        ty: FieldType::Array(Element::Struct(
            CONSUMER_GROUP_MEMBER_METADATA_VALUE__FIELDS__CLASSIC_MEMBER_METADATA__CLASSIC_PROTOCOL,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CONSUMER_GROUP_MEMBER_METADATA_VALUE__FIELDS: &[Field] = &[
    Field {
        name: "instanceId",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "rackId",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "clientId",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "clientHost",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "subscribedTopicNames",
        ty: FieldType::Array(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "subscribedTopicRegex",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "rebalanceTimeoutMs",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "-1",
    },
    Field {
        name: "serverAssignor",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "classicMemberMetadata",
        ty: FieldType::One(Element::Struct(
            CONSUMER_GROUP_MEMBER_METADATA_VALUE__FIELDS__CLASSIC_MEMBER_METADATA,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 0, max: MAX },
        tag: 0,
        default: "",
    },
];

const CONSUMER_GROUP_METADATA_KEY__FIELDS: &[Field] = &[Field {
    name: "groupId",
    ty: FieldType::One(Element::String),
    versions: Versions { min: 3, max: 3 },
    nullable: Versions { min: 1, max: 0 },
    tagged: Versions { min: 1, max: 0 },
    tag: 0,
    default: "",
}];

const CONSUMER_GROUP_METADATA_VALUE__FIELDS: &[Field] = &[
    Field {
        name: "epoch",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "metadataHash",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 0, max: MAX },
        tag: 0,
        default: "0",
    },
];

const CONSUMER_GROUP_PARTITION_METADATA_KEY__FIELDS: &[Field] = &[Field {
    name: "groupId",
    ty: FieldType::One(Element::String),
    versions: Versions { min: 4, max: 4 },
    nullable: Versions { min: 1, max: 0 },
    tagged: Versions { min: 1, max: 0 },
    tag: 0,
    default: "",
}];

const CONSUMER_GROUP_PARTITION_METADATA_VALUE__FIELDS__TOPIC_METADATA__PARTITION_METADATA:
    &[Field] = &[
    Field {
        name: "partition",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "racks",
        ty: FieldType::Array(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CONSUMER_GROUP_PARTITION_METADATA_VALUE__FIELDS__TOPIC_METADATA: &[Field] = &[
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
        name: "topicName",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "numPartitions",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "partitionMetadata",
        ty: FieldType::Array(Element::Struct(
            CONSUMER_GROUP_PARTITION_METADATA_VALUE__FIELDS__TOPIC_METADATA__PARTITION_METADATA,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CONSUMER_GROUP_PARTITION_METADATA_VALUE__FIELDS: &[Field] = &[Field {
    name: "topics",
    ty: FieldType::Array(Element::Struct(
        CONSUMER_GROUP_PARTITION_METADATA_VALUE__FIELDS__TOPIC_METADATA,
    )),
    versions: Versions { min: 0, max: MAX },
    nullable: Versions { min: 1, max: 0 },
    tagged: Versions { min: 1, max: 0 },
    tag: 0,
    default: "",
}];

const CONSUMER_GROUP_REGULAR_EXPRESSION_KEY__FIELDS: &[Field] = &[
    Field {
        name: "groupId",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 16, max: 16 },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "regularExpression",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 16, max: 16 },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CONSUMER_GROUP_REGULAR_EXPRESSION_VALUE__FIELDS: &[Field] = &[
    Field {
        name: "topics",
        ty: FieldType::Array(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "version",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "timestamp",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_KEY__FIELDS: &[Field] = &[
    Field {
        name: "groupId",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 7, max: 7 },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "memberId",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 7, max: 7 },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_VALUE__FIELDS__TOPIC_PARTITION: &[Field] = &[
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
        name: "partitions",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_VALUE__FIELDS: &[Field] = &[Field {
    name: "topicPartitions",
    ty: FieldType::Array(Element::Struct(
        CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_VALUE__FIELDS__TOPIC_PARTITION,
    )),
    versions: Versions { min: 0, max: MAX },
    nullable: Versions { min: 1, max: 0 },
    tagged: Versions { min: 1, max: 0 },
    tag: 0,
    default: "",
}];

const CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_KEY__FIELDS: &[Field] = &[Field {
    name: "groupId",
    ty: FieldType::One(Element::String),
    versions: Versions { min: 6, max: 6 },
    nullable: Versions { min: 1, max: 0 },
    tagged: Versions { min: 1, max: 0 },
    tag: 0,
    default: "",
}];

const CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_VALUE__FIELDS: &[Field] = &[Field {
    name: "assignmentEpoch",
    ty: FieldType::One(Element::Int32),
    versions: Versions { min: 0, max: MAX },
    nullable: Versions { min: 1, max: 0 },
    tagged: Versions { min: 1, max: 0 },
    tag: 0,
    default: "",
}];

const CONSUMER_PROTOCOL_ASSIGNMENT__FIELDS__TOPIC_PARTITION: &[Field] = &[
    Field {
        name: "topic",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "partitions",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CONSUMER_PROTOCOL_ASSIGNMENT__FIELDS: &[Field] = &[
    Field {
        name: "assignedPartitions",
        ty: FieldType::Array(Element::Struct(
            CONSUMER_PROTOCOL_ASSIGNMENT__FIELDS__TOPIC_PARTITION,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "userData",
        ty: FieldType::One(Element::Bytes),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "null",
    },
];

const CONSUMER_PROTOCOL_SUBSCRIPTION__FIELDS__TOPIC_PARTITION: &[Field] = &[
    Field {
        name: "topic",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 1, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "partitions",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 1, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const CONSUMER_PROTOCOL_SUBSCRIPTION__FIELDS: &[Field] = &[
    Field {
        name: "topics",
        ty: FieldType::Array(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "userData",
        ty: FieldType::One(Element::Bytes),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "null",
    },
    Field {
        name: "ownedPartitions",
        ty: FieldType::Array(Element::Struct(
            CONSUMER_PROTOCOL_SUBSCRIPTION__FIELDS__TOPIC_PARTITION,
        )),
        versions: Versions { min: 1, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "generationId",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 2, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "-1",
    },
    Field {
        name: "rackId",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 3, max: MAX },
        nullable: Versions { min: 3, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "null",
    },
];

const GROUP_METADATA_KEY__FIELDS: &[Field] = &[Field {
    name: "group",
    ty: FieldType::One(Element::String),
    versions: Versions { min: 2, max: 2 },
    nullable: Versions { min: 1, max: 0 },
    tagged: Versions { min: 1, max: 0 },
    tag: 0,
    default: "",
}];

const GROUP_METADATA_VALUE__FIELDS__MEMBER_METADATA: &[Field] = &[
    Field {
        name: "memberId",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "groupInstanceId",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 3, max: MAX },
        nullable: Versions { min: 3, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "null",
    },
    Field {
        name: "clientId",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "clientHost",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "rebalanceTimeout",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 1, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "-1",
    },
    Field {
        name: "sessionTimeout",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "subscription",
        ty: FieldType::One(Element::Bytes),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "assignment",
        ty: FieldType::One(Element::Bytes),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const GROUP_METADATA_VALUE__FIELDS: &[Field] = &[
    Field {
        name: "protocolType",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "generation",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "protocol",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "leader",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "currentStateTimestamp",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 2, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "-1",
    },
    Field {
        name: "members",
        ty: FieldType::Array(Element::Struct(
            GROUP_METADATA_VALUE__FIELDS__MEMBER_METADATA,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const OFFSET_COMMIT_KEY__FIELDS: &[Field] = &[
    Field {
        name: "group",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: 1 },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "topic",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: 1 },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "partition",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: 1 },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const OFFSET_COMMIT_VALUE__FIELDS: &[Field] = &[
    Field {
        name: "offset",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "leaderEpoch",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 3, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "-1",
    },
    Field {
        name: "metadata",
        ty: FieldType::One(Element::String),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "commitTimestamp",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "expireTimestamp",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 1, max: 1 },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "-1",
    },
];

/// Kafka's `ConsumerGroupCurrentMemberAssignmentKey`.
pub(crate) static CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_KEY: MessageSchema = MessageSchema {
    name: "ConsumerGroupCurrentMemberAssignmentKey",
    api_key: None,
    valid: Versions { min: 8, max: 8 },
    flexible: Versions { min: 1, max: 0 },
    fields: CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_KEY__FIELDS,
};

/// Kafka's `ConsumerGroupCurrentMemberAssignmentValue`.
pub(crate) static CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_VALUE: MessageSchema = MessageSchema {
    name: "ConsumerGroupCurrentMemberAssignmentValue",
    api_key: None,
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_VALUE__FIELDS,
};

/// Kafka's `ConsumerGroupMemberMetadataKey`.
pub(crate) static CONSUMER_GROUP_MEMBER_METADATA_KEY: MessageSchema = MessageSchema {
    name: "ConsumerGroupMemberMetadataKey",
    api_key: None,
    valid: Versions { min: 5, max: 5 },
    flexible: Versions { min: 1, max: 0 },
    fields: CONSUMER_GROUP_MEMBER_METADATA_KEY__FIELDS,
};

/// Kafka's `ConsumerGroupMemberMetadataValue`.
pub(crate) static CONSUMER_GROUP_MEMBER_METADATA_VALUE: MessageSchema = MessageSchema {
    name: "ConsumerGroupMemberMetadataValue",
    api_key: None,
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: CONSUMER_GROUP_MEMBER_METADATA_VALUE__FIELDS,
};

/// Kafka's `ConsumerGroupMetadataKey`.
pub(crate) static CONSUMER_GROUP_METADATA_KEY: MessageSchema = MessageSchema {
    name: "ConsumerGroupMetadataKey",
    api_key: None,
    valid: Versions { min: 3, max: 3 },
    flexible: Versions { min: 1, max: 0 },
    fields: CONSUMER_GROUP_METADATA_KEY__FIELDS,
};

/// Kafka's `ConsumerGroupMetadataValue`.
pub(crate) static CONSUMER_GROUP_METADATA_VALUE: MessageSchema = MessageSchema {
    name: "ConsumerGroupMetadataValue",
    api_key: None,
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: CONSUMER_GROUP_METADATA_VALUE__FIELDS,
};

/// Kafka's `ConsumerGroupPartitionMetadataKey`.
pub(crate) static CONSUMER_GROUP_PARTITION_METADATA_KEY: MessageSchema = MessageSchema {
    name: "ConsumerGroupPartitionMetadataKey",
    api_key: None,
    valid: Versions { min: 4, max: 4 },
    flexible: Versions { min: 1, max: 0 },
    fields: CONSUMER_GROUP_PARTITION_METADATA_KEY__FIELDS,
};

/// Kafka's `ConsumerGroupPartitionMetadataValue`.
pub(crate) static CONSUMER_GROUP_PARTITION_METADATA_VALUE: MessageSchema = MessageSchema {
    name: "ConsumerGroupPartitionMetadataValue",
    api_key: None,
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: CONSUMER_GROUP_PARTITION_METADATA_VALUE__FIELDS,
};

/// Kafka's `ConsumerGroupRegularExpressionKey`.
pub(crate) static CONSUMER_GROUP_REGULAR_EXPRESSION_KEY: MessageSchema = MessageSchema {
    name: "ConsumerGroupRegularExpressionKey",
    api_key: None,
    valid: Versions { min: 16, max: 16 },
    flexible: Versions { min: 1, max: 0 },
    fields: CONSUMER_GROUP_REGULAR_EXPRESSION_KEY__FIELDS,
};

/// Kafka's `ConsumerGroupRegularExpressionValue`.
pub(crate) static CONSUMER_GROUP_REGULAR_EXPRESSION_VALUE: MessageSchema = MessageSchema {
    name: "ConsumerGroupRegularExpressionValue",
    api_key: None,
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: CONSUMER_GROUP_REGULAR_EXPRESSION_VALUE__FIELDS,
};

/// Kafka's `ConsumerGroupTargetAssignmentMemberKey`.
pub(crate) static CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_KEY: MessageSchema = MessageSchema {
    name: "ConsumerGroupTargetAssignmentMemberKey",
    api_key: None,
    valid: Versions { min: 7, max: 7 },
    flexible: Versions { min: 1, max: 0 },
    fields: CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_KEY__FIELDS,
};

/// Kafka's `ConsumerGroupTargetAssignmentMemberValue`.
pub(crate) static CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_VALUE: MessageSchema = MessageSchema {
    name: "ConsumerGroupTargetAssignmentMemberValue",
    api_key: None,
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_VALUE__FIELDS,
};

/// Kafka's `ConsumerGroupTargetAssignmentMetadataKey`.
pub(crate) static CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_KEY: MessageSchema = MessageSchema {
    name: "ConsumerGroupTargetAssignmentMetadataKey",
    api_key: None,
    valid: Versions { min: 6, max: 6 },
    flexible: Versions { min: 1, max: 0 },
    fields: CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_KEY__FIELDS,
};

/// Kafka's `ConsumerGroupTargetAssignmentMetadataValue`.
pub(crate) static CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_VALUE: MessageSchema = MessageSchema {
    name: "ConsumerGroupTargetAssignmentMetadataValue",
    api_key: None,
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 0, max: MAX },
    fields: CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_VALUE__FIELDS,
};

/// Kafka's `ConsumerProtocolAssignment`.
pub(crate) static CONSUMER_PROTOCOL_ASSIGNMENT: MessageSchema = MessageSchema {
    name: "ConsumerProtocolAssignment",
    api_key: None,
    valid: Versions { min: 0, max: 3 },
    flexible: Versions { min: 1, max: 0 },
    fields: CONSUMER_PROTOCOL_ASSIGNMENT__FIELDS,
};

/// Kafka's `ConsumerProtocolSubscription`.
pub(crate) static CONSUMER_PROTOCOL_SUBSCRIPTION: MessageSchema = MessageSchema {
    name: "ConsumerProtocolSubscription",
    api_key: None,
    valid: Versions { min: 0, max: 3 },
    flexible: Versions { min: 1, max: 0 },
    fields: CONSUMER_PROTOCOL_SUBSCRIPTION__FIELDS,
};

/// Kafka's `GroupMetadataKey`.
pub(crate) static GROUP_METADATA_KEY: MessageSchema = MessageSchema {
    name: "GroupMetadataKey",
    api_key: None,
    valid: Versions { min: 2, max: 2 },
    flexible: Versions { min: 1, max: 0 },
    fields: GROUP_METADATA_KEY__FIELDS,
};

/// Kafka's `GroupMetadataValue`.
pub(crate) static GROUP_METADATA_VALUE: MessageSchema = MessageSchema {
    name: "GroupMetadataValue",
    api_key: None,
    valid: Versions { min: 0, max: 4 },
    flexible: Versions { min: 4, max: MAX },
    fields: GROUP_METADATA_VALUE__FIELDS,
};

/// Kafka's `OffsetCommitKey`.
pub(crate) static OFFSET_COMMIT_KEY: MessageSchema = MessageSchema {
    name: "OffsetCommitKey",
    api_key: None,
    valid: Versions { min: 0, max: 1 },
    flexible: Versions { min: 1, max: 0 },
    fields: OFFSET_COMMIT_KEY__FIELDS,
};

/// Kafka's `OffsetCommitValue`.
pub(crate) static OFFSET_COMMIT_VALUE: MessageSchema = MessageSchema {
    name: "OffsetCommitValue",
    api_key: None,
    valid: Versions { min: 0, max: 4 },
    flexible: Versions { min: 4, max: MAX },
    fields: OFFSET_COMMIT_VALUE__FIELDS,
};

/// Every schema in this table.
pub(crate) static GROUP_RECORDS: &[&MessageSchema] = &[
    &CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_KEY,
    &CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_VALUE,
    &CONSUMER_GROUP_MEMBER_METADATA_KEY,
    &CONSUMER_GROUP_MEMBER_METADATA_VALUE,
    &CONSUMER_GROUP_METADATA_KEY,
    &CONSUMER_GROUP_METADATA_VALUE,
    &CONSUMER_GROUP_PARTITION_METADATA_KEY,
    &CONSUMER_GROUP_PARTITION_METADATA_VALUE,
    &CONSUMER_GROUP_REGULAR_EXPRESSION_KEY,
    &CONSUMER_GROUP_REGULAR_EXPRESSION_VALUE,
    &CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_KEY,
    &CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_VALUE,
    &CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_KEY,
    &CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_VALUE,
    &CONSUMER_PROTOCOL_ASSIGNMENT,
    &CONSUMER_PROTOCOL_SUBSCRIPTION,
    &GROUP_METADATA_KEY,
    &GROUP_METADATA_VALUE,
    &OFFSET_COMMIT_KEY,
    &OFFSET_COMMIT_VALUE,
];
