//! Kafka error codes as operators know them: `UNKNOWN_TOPIC_OR_PARTITION (3)`, with a sentence
//! saying what to do about the common ones.
//!
//! Names come from kafka-protocol's `ResponseError` table (generated from Kafka's `Errors.java`),
//! rewritten from `CamelCase` into Kafka's `SCREAMING_SNAKE_CASE`, so they match the names in
//! Kafka's documentation and broker logs.

use kafka_protocol::error::ResponseError;

/// OFFSET_OUT_OF_RANGE.
pub(crate) const OFFSET_OUT_OF_RANGE: i16 = 1;
/// UNKNOWN_TOPIC_OR_PARTITION.
pub(crate) const UNKNOWN_TOPIC_OR_PARTITION: i16 = 3;
/// LEADER_NOT_AVAILABLE.
pub(crate) const LEADER_NOT_AVAILABLE: i16 = 5;
/// COORDINATOR_LOAD_IN_PROGRESS.
pub(crate) const COORDINATOR_LOAD_IN_PROGRESS: i16 = 14;
/// COORDINATOR_NOT_AVAILABLE.
pub(crate) const COORDINATOR_NOT_AVAILABLE: i16 = 15;
/// UNSUPPORTED_VERSION.
pub(crate) const UNSUPPORTED_VERSION: i16 = 35;
/// TOPIC_ALREADY_EXISTS.
pub(crate) const TOPIC_ALREADY_EXISTS: i16 = 36;
/// GROUP_ID_NOT_FOUND.
pub(crate) const GROUP_ID_NOT_FOUND: i16 = 69;

/// Kafka's name of an error code (`UNKNOWN_TOPIC_OR_PARTITION`); `UNKNOWN_CODE_<n>` for codes
/// newer than the table.
pub(crate) fn error_name(code: i16) -> String {
    match ResponseError::try_from_code(code) {
        None => "NONE".to_owned(),
        Some(ResponseError::Unknown(code)) => format!("UNKNOWN_CODE_{code}"),
        Some(known) => screaming_snake(&format!("{known:?}")),
    }
}

/// Whether Kafka marks the error retriable (the same request may succeed later).
pub(crate) fn is_retriable(code: i16) -> bool {
    ResponseError::try_from_code(code).is_some_and(|e| e.is_retriable())
}

/// What an operator should do about an error, for the codes a CLI user meets most.
pub(crate) fn error_hint(code: i16) -> Option<&'static str> {
    Some(match code {
        -1 => "the broker hit an unexpected error; check its log",
        1 => {
            "pick an offset between the partition's earliest and latest (see `strata get-offsets`)"
        }
        3 => {
            "check the topic name with `strata topic list`, or create it with `strata topic create`"
        }
        5 | 6 => "the partition has no leader right now; retry in a few seconds",
        7 => "the broker did not finish in time; retry, or raise --timeout-ms",
        10 => "the record is larger than the topic's max.message.bytes; raise it or send less",
        14..=16 => "the group coordinator is moving or loading; retry in a few seconds",
        17 => {
            "topic names use only ASCII letters, digits, '.', '_' and '-', at most 249 characters"
        }
        25 => "the group has active members; stop its consumers first",
        29..=31 => "the client's principal lacks the ACL for this operation; ask an administrator",
        35 => "the broker does not support this request version; upgrade the broker or the tool",
        36 => "the topic exists already; use `strata topic alter`, or pass --if-not-exists",
        37 => {
            "the partition count must be positive and, when altering, larger than the current count"
        }
        38 => "the replication factor must be between 1 and the number of live brokers",
        40 => {
            "check the config name and value (`strata config describe --all` lists the valid names)"
        }
        42 => "the broker rejected the request as malformed; check the arguments",
        44 => "the broker's policy rejected the request; see the message",
        68 => "the group still has members; stop its consumers, then retry",
        69 => "check the group id with `strata group list`",
        73 => "topic deletion is disabled on the broker (delete.topic.enable=false)",
        87 => "the broker rejected a record (for example a keyless record on a compacted topic)",
        89 => "a quota throttled the request; retry later",
        _ => return None,
    })
}

fn screaming_snake(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 8);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_kafkas_errors_table() {
        assert_eq!(error_name(3), "UNKNOWN_TOPIC_OR_PARTITION");
        assert_eq!(error_name(36), "TOPIC_ALREADY_EXISTS");
        assert_eq!(error_name(17), "INVALID_TOPIC_EXCEPTION");
        assert_eq!(error_name(-1), "UNKNOWN_SERVER_ERROR");
        assert_eq!(error_name(0), "NONE");
    }

    #[test]
    fn codes_beyond_the_table_are_named_by_number() {
        assert_eq!(error_name(9999), "UNKNOWN_CODE_9999");
    }

    #[test]
    fn retriable_follows_kafka() {
        assert!(is_retriable(LEADER_NOT_AVAILABLE));
        assert!(!is_retriable(TOPIC_ALREADY_EXISTS));
    }
}
