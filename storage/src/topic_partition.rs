//! The name of one partition of one topic, and its directory name on disk.

use std::fmt;

/// One partition of a topic. Displays as Kafka's directory name, `topic-partition`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    /// Topic name (Kafka's legal characters: ASCII alphanumerics, `.`, `_`, `-`).
    pub topic: String,
    /// Partition index, ≥ 0.
    pub partition: i32,
}

impl TopicPartition {
    /// A topic partition.
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        Self {
            topic: topic.into(),
            partition,
        }
    }

    /// Parses a partition directory name `topic-partition` (the topic may itself contain `-`).
    /// Returns `None` for names that are not partition directories (for example `-delete` dirs).
    pub fn from_dir_name(name: &str) -> Option<Self> {
        let (topic, partition) = name.rsplit_once('-')?;
        if topic.is_empty()
            || partition.is_empty()
            || !partition.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let partition: i32 = partition.parse().ok()?;
        Some(Self::new(topic, partition))
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_name_round_trips_with_dashes_in_topic() {
        let tp = TopicPartition::new("my-topic", 12);
        assert_eq!(tp.to_string(), "my-topic-12");
        assert_eq!(TopicPartition::from_dir_name("my-topic-12"), Some(tp));
    }

    #[test]
    fn non_partition_dir_names_are_rejected() {
        assert_eq!(TopicPartition::from_dir_name("foo-0.abc-delete"), None);
        assert_eq!(TopicPartition::from_dir_name("nodash"), None);
        assert_eq!(TopicPartition::from_dir_name("-3"), None);
    }
}
