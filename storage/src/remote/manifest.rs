//! The per-partition manifest: the bucket's own description of a partition's tiered segments,
//! and the object layout it names. This is a public interface (batch jobs read it).
//!
//! ```text
//! <prefix>/<topic>-<partition>-<topicId>/manifest.json
//! <prefix>/<topic>-<partition>-<topicId>/<baseOffset:020>-<segmentId>.log                 segment bytes
//!                                        ... .index .timeindex .snapshot .leader-epoch-checkpoint [.txnindex]
//! ```
//!
//! `topicId` is Kafka's base64url form; `segmentId` is a UUID chosen per upload attempt, so a
//! retried or interrupted upload never overwrites a committed object. A segment exists for
//! readers only once the manifest names it; objects it does not name are orphans of an
//! interrupted upload, harmless and deleted by the leader's next copy pass.
//!
//! Invariants: committed segments are sorted by base offset and do not overlap; `end_offset`
//! is inclusive; every object listed was durable before the manifest naming it was written.
//! The manifest is replaced whole (a PUT is atomic), by the partition leader only; a manifest
//! carrying a higher leader epoch than the writer's fences the writer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::leader_epoch_cache::EpochEntry;
use crate::partition_metadata::uuid_to_kafka_string;
use crate::remote::error::RemoteError;
use crate::topic_partition::TopicPartition;

/// The manifest format this code writes and reads.
pub const MANIFEST_FORMAT_VERSION: u32 = 1;
/// The manifest's object name inside a partition's directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The kinds of object uploaded per segment (Kafka's `LogSegmentData` / `IndexType`), with
/// their file suffixes.
pub const OBJECT_KINDS: [(&str, &str); 6] = [
    ("log", "log"),
    ("index", "index"),
    ("timeindex", "timeindex"),
    ("snapshot", "snapshot"),
    ("leader_epoch", "leader-epoch-checkpoint"),
    ("txnindex", "txnindex"),
];

/// A segment's lifecycle in the manifest (Kafka's `RemoteLogSegmentState`, minus the
/// invisible COPY_SEGMENT_STARTED: an unfinished upload is simply absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SegmentState {
    /// Every object is durable; readers may use it.
    CopySegmentFinished,
    /// Expiry started: no longer readable; objects are being deleted.
    DeleteSegmentStarted,
}

/// One stored object of a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectInfo {
    /// Size in bytes.
    pub bytes: u64,
    /// CRC32C of the whole object (indexes are checked on read; segment batches carry their own CRCs).
    pub crc32c: u32,
}

/// One tiered segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteSegmentMetadata {
    /// Unique per upload (Kafka's `RemoteLogSegmentId`).
    pub id: Uuid,
    /// First offset.
    pub base_offset: i64,
    /// Last offset, inclusive.
    pub end_offset: i64,
    /// Largest record timestamp (ms), -1 when none.
    pub max_timestamp_ms: i64,
    /// Size of the `.log` object.
    pub size_bytes: u64,
    /// Leader epochs up to this segment's end: `(epoch, start offset)`, oldest first.
    pub leader_epochs: Vec<(i32, i64)>,
    /// Leader epoch of the leader that uploaded it.
    pub uploader_epoch: i32,
    /// Objects by kind (`log`, `index`, `timeindex`, `snapshot`, `leader_epoch`, `txnindex`).
    pub objects: BTreeMap<String, ObjectInfo>,
    /// Lifecycle state.
    pub state: SegmentState,
}

impl RemoteSegmentMetadata {
    /// The key (relative to the store prefix) of this segment's object of `kind`.
    pub fn object_key(&self, dir: &str, kind: &str) -> String {
        let suffix = OBJECT_KINDS
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(kind, |(_, s)| *s);
        segment_object_key(dir, self.base_offset, self.id, suffix)
    }

    /// Keys of every object this segment lists.
    pub fn object_keys(&self, dir: &str) -> Vec<String> {
        self.objects
            .keys()
            .map(|kind| self.object_key(dir, kind))
            .collect()
    }
}

/// The key of one segment object.
pub(crate) fn segment_object_key(dir: &str, base_offset: i64, id: Uuid, suffix: &str) -> String {
    format!("{dir}/{base_offset:020}-{id}.{suffix}")
}

/// The segment id named by an object key of the layout, if it is one.
pub(crate) fn segment_id_of_key(key: &str) -> Option<Uuid> {
    let name = key.rsplit('/').next()?;
    let (_, rest) = name.split_once('-')?;
    let (id, _) = rest.split_once('.')?;
    Uuid::parse_str(id).ok()
}

/// The directory (key prefix) of a partition: `<topic>-<partition>-<topicId>`.
pub fn partition_dir(tp: &TopicPartition, topic_id: Uuid) -> String {
    format!("{tp}-{}", uuid_to_kafka_string(topic_id))
}

/// The manifest of one partition. See the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionManifest {
    /// [`MANIFEST_FORMAT_VERSION`].
    pub format_version: u32,
    /// Topic name.
    pub topic: String,
    /// Partition index.
    pub partition: i32,
    /// Topic id, Kafka's base64url form.
    pub topic_id: String,
    /// Leader epoch of the last writer.
    pub leader_epoch: i32,
    /// The partition's log start offset as far as remote storage knows (-1 when nothing is tiered).
    pub log_start_offset: i64,
    /// Segments, by base offset.
    pub segments: Vec<RemoteSegmentMetadata>,
}

impl PartitionManifest {
    /// An empty manifest for a partition.
    pub fn empty(tp: &TopicPartition, topic_id: Uuid) -> Self {
        Self {
            format_version: MANIFEST_FORMAT_VERSION,
            topic: tp.topic.clone(),
            partition: tp.partition,
            topic_id: uuid_to_kafka_string(topic_id),
            leader_epoch: -1,
            log_start_offset: -1,
            segments: Vec::new(),
        }
    }

    /// Parses and checks a manifest read from `path`.
    pub fn decode(path: &str, bytes: &[u8]) -> Result<Self, RemoteError> {
        let malformed = |reason: String| RemoteError::MalformedManifest {
            path: path.to_string(),
            reason,
        };
        let manifest: Self = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
        if manifest.format_version != MANIFEST_FORMAT_VERSION {
            return Err(malformed(format!(
                "format version {} is not {MANIFEST_FORMAT_VERSION}",
                manifest.format_version
            )));
        }
        let sorted = manifest
            .segments
            .windows(2)
            .all(|w| w[0].base_offset < w[1].base_offset && w[0].end_offset < w[1].base_offset);
        if !sorted {
            return Err(malformed("segments overlap or are not sorted".into()));
        }
        Ok(manifest)
    }

    /// The manifest as stored (pretty JSON, readable by people and batch jobs).
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("a manifest always serializes")
    }

    /// Segments readers may use.
    pub fn committed(&self) -> impl Iterator<Item = &RemoteSegmentMetadata> {
        self.segments
            .iter()
            .filter(|s| s.state == SegmentState::CopySegmentFinished)
    }

    /// The highest tiered offset, -1 when nothing is tiered.
    pub fn highest_offset(&self) -> i64 {
        self.committed().map(|s| s.end_offset).max().unwrap_or(-1)
    }

    /// The first readable offset: the log start, or the first committed segment's base.
    pub fn remote_log_start(&self) -> i64 {
        match self.committed().next() {
            Some(first) => first.base_offset.max(self.log_start_offset),
            None => -1,
        }
    }

    /// Committed bytes.
    pub fn size_bytes(&self) -> u64 {
        self.committed().map(|s| s.size_bytes).sum()
    }

    /// The committed segment holding `offset`.
    pub fn segment_for(&self, offset: i64) -> Option<&RemoteSegmentMetadata> {
        self.committed()
            .find(|s| s.base_offset <= offset && offset <= s.end_offset)
    }

    /// The leader epochs of the tiered range (from the newest committed segment's slice).
    pub fn leader_epochs(&self) -> Vec<EpochEntry> {
        self.committed()
            .last()
            .map(|s| {
                s.leader_epochs
                    .iter()
                    .map(|&(epoch, start_offset)| EpochEntry {
                        epoch,
                        start_offset,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The leader-epoch slice object: Kafka's `leader-epoch-checkpoint` text format.
pub(crate) fn encode_epoch_slice(entries: &[(i32, i64)]) -> Vec<u8> {
    let mut text = format!("0\n{}\n", entries.len());
    for (epoch, offset) in entries {
        text.push_str(&format!("{epoch} {offset}\n"));
    }
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_round_trips_and_keys_name_their_segment() {
        let tp = TopicPartition::new("orders", 3);
        let topic_id = Uuid::new_v4();
        let mut manifest = PartitionManifest::empty(&tp, topic_id);
        let id = Uuid::new_v4();
        manifest.segments.push(RemoteSegmentMetadata {
            id,
            base_offset: 100,
            end_offset: 199,
            max_timestamp_ms: 5,
            size_bytes: 1000,
            leader_epochs: vec![(0, 0), (2, 150)],
            uploader_epoch: 2,
            objects: BTreeMap::from([(
                "log".to_string(),
                ObjectInfo {
                    bytes: 1000,
                    crc32c: 7,
                },
            )]),
            state: SegmentState::CopySegmentFinished,
        });
        let decoded = PartitionManifest::decode("m", &manifest.encode()).expect("decodes");
        assert_eq!(decoded, manifest);
        let dir = partition_dir(&tp, topic_id);
        let key = manifest.segments[0].object_key(&dir, "log");
        assert!(key.starts_with("orders-3-"), "{key}");
        assert!(
            key.ends_with(&format!("00000000000000000100-{id}.log")),
            "{key}"
        );
        assert_eq!(segment_id_of_key(&key), Some(id));
        assert_eq!(decoded.highest_offset(), 199);
        assert_eq!(decoded.segment_for(150).map(|s| s.id), Some(id));
    }

    #[test]
    fn overlapping_segments_are_malformed() {
        let tp = TopicPartition::new("t", 0);
        let mut manifest = PartitionManifest::empty(&tp, Uuid::new_v4());
        let segment = RemoteSegmentMetadata {
            id: Uuid::new_v4(),
            base_offset: 0,
            end_offset: 10,
            max_timestamp_ms: -1,
            size_bytes: 1,
            leader_epochs: vec![],
            uploader_epoch: 0,
            objects: BTreeMap::new(),
            state: SegmentState::CopySegmentFinished,
        };
        manifest.segments.push(segment.clone());
        manifest.segments.push(RemoteSegmentMetadata {
            base_offset: 5,
            ..segment
        });
        assert!(PartitionManifest::decode("m", &manifest.encode()).is_err());
    }
}
