//! `partition.metadata`: the topic id of a partition directory.
//!
//! Format (`PartitionMetadataFile.java`): `version: 0\ntopic_id: <id>\n` where the id is Kafka's
//! `Uuid.toString()`, URL-safe base64 without padding. It lets a broker tell a partition directory
//! of a deleted topic from one of a re-created topic with the same name.

use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use uuid::Uuid;

use crate::checkpoint_file::write_atomically;
use crate::error::LogError;

/// File name inside the partition directory.
pub const PARTITION_METADATA_FILE: &str = "partition.metadata";

/// Kafka's text form of a UUID: 22 characters of URL-safe base64, no padding.
pub fn uuid_to_kafka_string(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

/// Parses Kafka's text form of a UUID.
pub fn uuid_from_kafka_string(text: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
    Uuid::from_slice(&bytes).ok()
}

/// The content of `partition.metadata`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionMetadata {
    /// The topic id.
    pub topic_id: Uuid,
}

impl PartitionMetadata {
    /// Writes `dir/partition.metadata` atomically.
    pub fn write(&self, dir: &Path) -> Result<(), LogError> {
        let text = format!(
            "version: 0\ntopic_id: {}\n",
            uuid_to_kafka_string(self.topic_id)
        );
        write_atomically(&dir.join(PARTITION_METADATA_FILE), text.as_bytes())
    }

    /// Reads `dir/partition.metadata`; `None` when absent.
    pub fn read(dir: &Path) -> Result<Option<Self>, LogError> {
        let path = dir.join(PARTITION_METADATA_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(LogError::io(format!("read {}", path.display()), err)),
        };
        let corrupt = |reason: &str| LogError::CorruptFile {
            path: path.clone(),
            reason: reason.to_string(),
        };
        let mut version = None;
        let mut topic_id = None;
        for line in text.lines() {
            match line.split_once(':') {
                Some(("version", v)) => version = Some(v.trim().to_string()),
                Some(("topic_id", v)) => {
                    topic_id = Some(
                        uuid_from_kafka_string(v).ok_or_else(|| corrupt("malformed topic_id"))?,
                    )
                }
                _ if line.trim().is_empty() => {}
                _ => return Err(corrupt("unexpected line")),
            }
        }
        if version.as_deref() != Some("0") {
            return Err(corrupt("missing or unsupported version (expected 0)"));
        }
        let topic_id = topic_id.ok_or_else(|| corrupt("missing topic_id"))?;
        Ok(Some(Self { topic_id }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_metadata_round_trips_in_kafka_format() {
        let dir = tempfile::tempdir().expect("tempdir");
        let id = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        PartitionMetadata { topic_id: id }
            .write(dir.path())
            .expect("write");
        let text = std::fs::read_to_string(dir.path().join(PARTITION_METADATA_FILE)).expect("read");
        assert_eq!(text, "version: 0\ntopic_id: ASNFZ4mrze8BI0VniavN7w\n");
        assert_eq!(
            PartitionMetadata::read(dir.path()).expect("read"),
            Some(PartitionMetadata { topic_id: id })
        );
    }
}
