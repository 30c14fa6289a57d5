//! Transcribed by `transcribe.py` from Kafka's JSON schemas; regenerate, do not edit.

use super::types::{Element, Field, FieldType, MessageSchema, Versions, MAX};

const TRANSACTION_LOG_KEY__FIELDS: &[Field] = &[Field {
    name: "transactionalId",
    ty: FieldType::One(Element::String),
    versions: Versions { min: 0, max: 0 },
    nullable: Versions { min: 1, max: 0 },
    tagged: Versions { min: 1, max: 0 },
    tag: 0,
    default: "",
}];

const TRANSACTION_LOG_VALUE__FIELDS__PARTITIONS_SCHEMA: &[Field] = &[
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
        name: "partitionIds",
        ty: FieldType::Array(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
];

const TRANSACTION_LOG_VALUE__FIELDS: &[Field] = &[
    Field {
        name: "producerId",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "previousProducerId",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 1, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: MAX },
        tag: 0,
        default: "-1",
    },
    Field {
        name: "nextProducerId",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 1, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: MAX },
        tag: 1,
        default: "-1",
    },
    Field {
        name: "producerEpoch",
        ty: FieldType::One(Element::Int16),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "transactionTimeoutMs",
        ty: FieldType::One(Element::Int32),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "transactionStatus",
        ty: FieldType::One(Element::Int8),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "transactionPartitions",
        ty: FieldType::Array(Element::Struct(
            TRANSACTION_LOG_VALUE__FIELDS__PARTITIONS_SCHEMA,
        )),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 0, max: MAX },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "transactionLastUpdateTimestampMs",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "transactionStartTimestampMs",
        ty: FieldType::One(Element::Int64),
        versions: Versions { min: 0, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: 0 },
        tag: 0,
        default: "",
    },
    Field {
        name: "clientTransactionVersion",
        ty: FieldType::One(Element::Int16),
        versions: Versions { min: 1, max: MAX },
        nullable: Versions { min: 1, max: 0 },
        tagged: Versions { min: 1, max: MAX },
        tag: 2,
        default: "0",
    },
];

/// Kafka's `TransactionLogKey`.
pub(crate) static TRANSACTION_LOG_KEY: MessageSchema = MessageSchema {
    name: "TransactionLogKey",
    api_key: None,
    valid: Versions { min: 0, max: 0 },
    flexible: Versions { min: 1, max: 0 },
    fields: TRANSACTION_LOG_KEY__FIELDS,
};

/// Kafka's `TransactionLogValue`.
pub(crate) static TRANSACTION_LOG_VALUE: MessageSchema = MessageSchema {
    name: "TransactionLogValue",
    api_key: None,
    valid: Versions { min: 0, max: 1 },
    flexible: Versions { min: 1, max: MAX },
    fields: TRANSACTION_LOG_VALUE__FIELDS,
};

/// Every schema in this table.
pub(crate) static TRANSACTION_RECORDS: &[&MessageSchema] =
    &[&TRANSACTION_LOG_KEY, &TRANSACTION_LOG_VALUE];
