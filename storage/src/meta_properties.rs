//! `meta.properties`: which cluster and node a log directory belongs to.
//!
//! Format (`MetaProperties.java`, version 1, Java properties text):
//! ```text
//! #
//! #<comment>
//! cluster.id=<id>
//! directory.id=<uuid, Kafka base64>
//! node.id=<int>
//! version=1
//! ```
//! Version 0 (ZooKeeper era) used `broker.id` instead of `node.id`; it is read for diagnosis.

use std::collections::BTreeMap;
use std::path::Path;

use uuid::Uuid;

use crate::checkpoint_file::write_atomically;
use crate::error::LogError;
use crate::partition_metadata::{uuid_from_kafka_string, uuid_to_kafka_string};

/// File name in each log directory.
pub const META_PROPERTIES_FILE: &str = "meta.properties";

/// The content of `meta.properties`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaProperties {
    /// `version` (1 for KRaft).
    pub version: i32,
    /// `cluster.id`.
    pub cluster_id: String,
    /// `node.id` (`broker.id` in version 0).
    pub node_id: i32,
    /// `directory.id`, unique per log directory.
    pub directory_id: Option<Uuid>,
}

impl MetaProperties {
    /// Writes `dir/meta.properties` atomically.
    pub fn write(&self, dir: &Path) -> Result<(), LogError> {
        let mut text = String::from("#\n#Written by Strata\n");
        text.push_str(&format!("cluster.id={}\n", self.cluster_id));
        if let Some(id) = self.directory_id {
            text.push_str(&format!("directory.id={}\n", uuid_to_kafka_string(id)));
        }
        let node_key = if self.version == 0 {
            "broker.id"
        } else {
            "node.id"
        };
        text.push_str(&format!(
            "{node_key}={}\nversion={}\n",
            self.node_id, self.version
        ));
        write_atomically(&dir.join(META_PROPERTIES_FILE), text.as_bytes())
    }

    /// Reads `dir/meta.properties`; `None` when absent. Missing keys or bad numbers are
    /// [`LogError::CorruptFile`] naming the file.
    pub fn read(dir: &Path) -> Result<Option<Self>, LogError> {
        let path = dir.join(META_PROPERTIES_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(LogError::io(format!("read {}", path.display()), err)),
        };
        let props: BTreeMap<&str, &str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
            .filter_map(|l| l.split_once(['=', ':']))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect();
        let corrupt = |reason: String| LogError::CorruptFile {
            path: path.clone(),
            reason,
        };
        let version: i32 = props
            .get("version")
            .ok_or_else(|| corrupt("missing version".into()))?
            .parse()
            .map_err(|_| corrupt("version is not a number".into()))?;
        let node_key = if version == 0 { "broker.id" } else { "node.id" };
        let node_id: i32 = props
            .get(node_key)
            .ok_or_else(|| corrupt(format!("missing {node_key}")))?
            .parse()
            .map_err(|_| corrupt(format!("{node_key} is not a number")))?;
        let cluster_id = props
            .get("cluster.id")
            .ok_or_else(|| corrupt("missing cluster.id".into()))?
            .to_string();
        let directory_id = match props.get("directory.id") {
            Some(text) => Some(
                uuid_from_kafka_string(text)
                    .ok_or_else(|| corrupt("directory.id is not a Kafka UUID".into()))?,
            ),
            None => None,
        };
        Ok(Some(Self {
            version,
            cluster_id,
            node_id,
            directory_id,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_properties_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let meta = MetaProperties {
            version: 1,
            cluster_id: "MkU3OEVBNTcwNTJENDM2Qk".into(),
            node_id: 3,
            directory_id: Some(Uuid::from_u128(7)),
        };
        meta.write(dir.path()).expect("write");
        let text = std::fs::read_to_string(dir.path().join(META_PROPERTIES_FILE)).expect("read");
        assert!(
            text.contains("cluster.id=MkU3OEVBNTcwNTJENDM2Qk\n")
                && text.contains("node.id=3\n")
                && text.contains("version=1\n")
        );
        assert_eq!(MetaProperties::read(dir.path()).expect("read"), Some(meta));
    }

    #[test]
    fn kafka_written_file_with_comments_parses() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(META_PROPERTIES_FILE), "#\n#Tue Oct 01 12:00:00 UTC 2024\nnode.id=1\ndirectory.id=ASNFZ4mrze8BI0VniavN7w\nversion=1\ncluster.id=abc\n").expect("write");
        let meta = MetaProperties::read(dir.path())
            .expect("read")
            .expect("present");
        assert_eq!((meta.node_id, meta.cluster_id.as_str()), (1, "abc"));
    }

    #[test]
    fn missing_node_id_is_corrupt() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join(META_PROPERTIES_FILE),
            "version=1\ncluster.id=abc\n",
        )
        .expect("write");
        assert!(matches!(
            MetaProperties::read(dir.path()),
            Err(LogError::CorruptFile { .. })
        ));
    }
}
