//! The `quorum-state` file: Kafka's QuorumStateData JSON plus what openraft needs to restart
//! (the vote, the committed log id, the purged log id and where the retained log begins).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use openraft::{CommittedLeaderId, LogId, Vote};
use serde::{Deserialize, Serialize};

use super::metadata_log::LogStart;
use super::NodeId;

/// File name inside `__cluster_metadata-0/`.
pub const QUORUM_STATE_FILE: &str = "quorum-state";

/// A log id as stored: raft term (Kafka epoch) and index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredLogId {
    /// Raft term.
    pub term: u64,
    /// Raft index.
    pub index: u64,
}

impl From<LogId<NodeId>> for StoredLogId {
    fn from(id: LogId<NodeId>) -> Self {
        StoredLogId {
            term: id.leader_id.term,
            index: id.index,
        }
    }
}

impl From<StoredLogId> for LogId<NodeId> {
    fn from(id: StoredLogId) -> Self {
        LogId::new(CommittedLeaderId::new(id.term, 0), id.index)
    }
}

/// One voter entry of `currentVoters`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumVoter {
    /// Voter node id.
    #[serde(rename = "voterId")]
    pub voter_id: i32,
}

/// The persisted quorum state. Field names follow Kafka's `QuorumStateData` (v0); the `strata*`
/// fields are what openraft additionally needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuorumState {
    /// Cluster id.
    pub cluster_id: String,
    /// Known leader of `leader_epoch`, -1 if none.
    pub leader_id: i32,
    /// Current epoch (raft term).
    pub leader_epoch: i32,
    /// Node voted for in `leader_epoch`, -1 if none.
    pub voted_id: i32,
    /// Kafka's field; unused (0).
    pub applied_offset: i64,
    /// The static voter set.
    pub current_voters: Vec<QuorumVoter>,
    /// Whether the vote is committed (a quorum granted it).
    pub strata_vote_committed: bool,
    /// Last committed log id known to this node.
    pub strata_committed: Option<StoredLogId>,
    /// Last purged log id.
    pub strata_last_purged: Option<StoredLogId>,
    /// First retained raft index and its Kafka offset.
    pub strata_log_start: LogStart,
    /// Kafka's `data_version` (0).
    #[serde(rename = "data_version")]
    pub data_version: i16,
}

impl QuorumState {
    /// The state of a freshly formatted node.
    pub fn fresh(cluster_id: &str, voters: &[i32]) -> Self {
        QuorumState {
            cluster_id: cluster_id.to_string(),
            leader_id: -1,
            leader_epoch: 0,
            voted_id: -1,
            applied_offset: 0,
            current_voters: voters
                .iter()
                .map(|v| QuorumVoter { voter_id: *v })
                .collect(),
            strata_vote_committed: false,
            strata_committed: None,
            strata_last_purged: None,
            strata_log_start: LogStart {
                index: 0,
                offset: 0,
            },
            data_version: 0,
        }
    }

    /// Path of the file in `dir`.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(QUORUM_STATE_FILE)
    }

    /// Reads the file; `None` when it does not exist yet.
    pub fn load(dir: &Path) -> std::io::Result<Option<Self>> {
        match fs::read(Self::path(dir)) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("quorum-state: {e}"),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes the file atomically: temp file, fsync, rename, fsync of the directory.
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        let tmp = dir.join(format!("{QUORUM_STATE_FILE}.tmp"));
        let bytes = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        let mut file = fs::File::create(&tmp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, Self::path(dir))?;
        fs::File::open(dir)?.sync_all()
    }

    /// The openraft vote recorded here, if this node ever voted.
    pub fn vote(&self) -> Option<Vote<NodeId>> {
        let node = NodeId::try_from(self.voted_id).ok()?;
        let term = u64::try_from(self.leader_epoch).ok()?;
        Some(if self.strata_vote_committed {
            Vote::new_committed(term, node)
        } else {
            Vote::new(term, node)
        })
    }

    /// Records an openraft vote.
    pub fn set_vote(&mut self, vote: &Vote<NodeId>) {
        self.leader_epoch = i32::try_from(vote.leader_id().get_term()).unwrap_or(i32::MAX);
        self.voted_id = vote
            .leader_id()
            .voted_for()
            .and_then(|n| i32::try_from(n).ok())
            .unwrap_or(-1);
        self.strata_vote_committed = vote.is_committed();
        self.leader_id = if vote.is_committed() {
            self.voted_id
        } else {
            -1
        };
    }
}
