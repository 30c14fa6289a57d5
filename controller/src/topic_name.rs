//! Topic name rules, as Kafka's `org.apache.kafka.common.internals.Topic` states them.

use crate::error::ControllerError;

/// Longest legal topic name (Kafka's `Topic.MAX_NAME_LENGTH`).
pub const TOPIC_NAME_LENGTH_MAX: usize = 249;

/// Checks a topic name: non-empty, not `.` or `..`, at most 249 characters, only ASCII
/// alphanumerics, `.`, `_` and `-`. The messages are Kafka's.
pub fn validate_topic_name(name: &str) -> Result<(), ControllerError> {
    let invalid = |reason: String| {
        Err(ControllerError::InvalidTopic {
            name: name.to_string(),
            reason,
        })
    };
    if name.is_empty() {
        return invalid("Topic name is illegal, it can't be empty".to_string());
    }
    if name == "." || name == ".." {
        return invalid("Topic name cannot be \".\" or \"..\"".to_string());
    }
    if name.len() > TOPIC_NAME_LENGTH_MAX {
        return invalid(format!(
            "Topic name is illegal, it can't be longer than {TOPIC_NAME_LENGTH_MAX} characters, topic name: {name}"
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
    {
        return invalid(format!(
            "Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"
        ));
    }
    Ok(())
}

/// True when the name contains `.` or `_`, which metric names cannot tell apart.
pub fn has_collision_chars(name: &str) -> bool {
    name.contains('.') || name.contains('_')
}

/// The name with `.` replaced by `_`: two topics with the same unified name collide.
pub fn unify_collision_chars(name: &str) -> String {
    name.replace('.', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(name: &str) -> bool {
        matches!(
            validate_topic_name(name),
            Err(ControllerError::InvalidTopic { .. })
        )
    }

    #[test]
    fn legal_names_pass() {
        for name in ["a", "topic-1", "my_topic.v2", "A.b-C_9", &"x".repeat(249)] {
            assert!(validate_topic_name(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn illegal_names_are_invalid_topic() {
        for name in [
            "",
            ".",
            "..",
            "has space",
            "slash/",
            "ümlaut",
            "star*",
            &"x".repeat(250),
        ] {
            assert!(rejected(name), "{name:?}");
        }
    }

    #[test]
    fn dot_and_underscore_unify() {
        assert!(has_collision_chars("a.b"));
        assert!(!has_collision_chars("a-b"));
        assert_eq!(unify_collision_chars("a.b_c"), "a_b_c");
    }
}
