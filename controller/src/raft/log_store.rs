//! [`LogStore`]: openraft's `RaftLogStorage` over the [`MetadataLog`] segments and the
//! `quorum-state` file.
//!
//! To ensure correctness: an append is acknowledged (`LogFlushed`) only after fsync; the log
//! start is persisted in quorum-state before purged segments are deleted, so a crash in between
//! never leaves the recorded start pointing at a deleted batch. File work runs on the blocking
//! pool, never on the reactor threads.

// openraft's `StorageError` (200+ bytes) is the error type its storage traits require; the
// closures below produce it directly rather than boxing and converting back.
#![allow(clippy::result_large_err)]

use std::fmt::Debug;
use std::ops::RangeBounds;
use std::path::PathBuf;
use std::sync::Arc;

use openraft::storage::{LogFlushed, RaftLogStorage};
use openraft::{
    AnyError, LogId, LogState, OptionalSend, RaftLogReader, StorageError, StorageIOError, Vote,
};
use parking_lot::Mutex;
use strata_storage::Clock;

use super::metadata_log::MetadataLog;
use super::quorum_state::QuorumState;
use super::{MetadataEntry, NodeId, TypeConfig};

struct Inner {
    dir: PathBuf,
    log: MetadataLog,
    state: QuorumState,
    clock: Arc<dyn Clock>,
}

/// The metadata raft log store. Cloning shares the same log (the clone is openraft's reader).
#[derive(Clone)]
pub struct LogStore {
    inner: Arc<Mutex<Inner>>,
}

impl Debug for LogStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogStore").finish_non_exhaustive()
    }
}

fn any(e: impl std::error::Error + 'static) -> AnyError {
    AnyError::new(&e)
}

impl LogStore {
    /// Wraps an opened log and its quorum state (both read from `dir`).
    pub fn new(dir: PathBuf, log: MetadataLog, state: QuorumState, clock: Arc<dyn Clock>) -> Self {
        LogStore {
            inner: Arc::new(Mutex::new(Inner {
                dir,
                log,
                state,
                clock,
            })),
        }
    }

    /// True when nothing was ever written: no vote, no entry, nothing purged.
    pub fn is_pristine(&self) -> bool {
        let inner = self.inner.lock();
        inner.state.vote().is_none()
            && inner.log.last_entry().is_none()
            && inner.state.strata_last_purged.is_none()
    }

    /// The Kafka offset the next entry will get (the metadata log end offset).
    pub fn next_offset(&self) -> i64 {
        self.inner.lock().log.next_offset()
    }

    /// The Kafka offset after the entry at raft `index`, if that entry is retained.
    pub fn next_offset_after(&self, index: u64) -> Option<i64> {
        self.inner
            .lock()
            .log
            .offsets_of(index)
            .map(|(_, next)| next)
    }

    /// Base offsets of the segment files, oldest first.
    pub fn segment_base_offsets(&self) -> Vec<i64> {
        self.inner.lock().log.segment_base_offsets()
    }

    async fn blocking<T, F>(&self, f: F) -> Result<T, StorageError<NodeId>>
    where
        T: Send + 'static,
        F: FnOnce(&mut Inner) -> Result<T, StorageError<NodeId>> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || f(&mut inner.lock()))
            .await
            .map_err(|e| StorageError::from(StorageIOError::write_logs(any(e))))?
    }
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<MetadataEntry>, StorageError<NodeId>> {
        Ok(self.inner.lock().log.entries(range))
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogStore;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, StorageError<NodeId>> {
        let inner = self.inner.lock();
        let last_purged_log_id: Option<LogId<NodeId>> =
            inner.state.strata_last_purged.map(LogId::from);
        let last_log_id = inner
            .log
            .last_entry()
            .map(|e| e.log_id)
            .or(last_purged_log_id);
        Ok(LogState {
            last_purged_log_id,
            last_log_id,
        })
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote<NodeId>) -> Result<(), StorageError<NodeId>> {
        let vote = *vote;
        self.blocking(move |inner| {
            inner.state.set_vote(&vote);
            inner
                .state
                .save(&inner.dir)
                .map_err(|e| StorageIOError::write_vote(any(e)).into())
        })
        .await
    }

    async fn read_vote(&mut self) -> Result<Option<Vote<NodeId>>, StorageError<NodeId>> {
        Ok(self.inner.lock().state.vote())
    }

    async fn save_committed(
        &mut self,
        committed: Option<LogId<NodeId>>,
    ) -> Result<(), StorageError<NodeId>> {
        self.blocking(move |inner| {
            inner.state.strata_committed = committed.map(Into::into);
            inner
                .state
                .save(&inner.dir)
                .map_err(|e| StorageIOError::write_logs(any(e)).into())
        })
        .await
    }

    async fn read_committed(&mut self) -> Result<Option<LogId<NodeId>>, StorageError<NodeId>> {
        Ok(self.inner.lock().state.strata_committed.map(LogId::from))
    }

    async fn append<I>(
        &mut self,
        entries: I,
        callback: LogFlushed<TypeConfig>,
    ) -> Result<(), StorageError<NodeId>>
    where
        I: IntoIterator<Item = MetadataEntry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let entries: Vec<MetadataEntry> = entries.into_iter().collect();
        let result = self
            .blocking(move |inner| {
                let now = inner.clock.now_ms();
                for entry in entries {
                    let term = i32::try_from(entry.log_id.leader_id.term).unwrap_or(i32::MAX);
                    let leader = if term == inner.state.leader_epoch {
                        inner.state.voted_id
                    } else {
                        -1
                    };
                    let log_id = entry.log_id;
                    inner.log.append(entry, leader, now).map_err(|e| {
                        StorageError::from(StorageIOError::write_log_entry(log_id, any(e)))
                    })?;
                }
                inner
                    .log
                    .flush()
                    .map_err(|e| StorageError::from(StorageIOError::write_logs(any(e))))
            })
            .await;
        match &result {
            Ok(()) => callback.log_io_completed(Ok(())),
            Err(e) => callback.log_io_completed(Err(std::io::Error::other(e.to_string()))),
        }
        result
    }

    async fn truncate(&mut self, log_id: LogId<NodeId>) -> Result<(), StorageError<NodeId>> {
        self.blocking(move |inner| {
            inner
                .log
                .truncate_from(log_id.index)
                .map_err(|e| StorageIOError::write_logs(any(e)).into())
        })
        .await
    }

    async fn purge(&mut self, log_id: LogId<NodeId>) -> Result<(), StorageError<NodeId>> {
        self.blocking(move |inner| {
            let start = inner.log.purge_through(log_id.index);
            inner.state.strata_last_purged = Some(log_id.into());
            inner.state.strata_log_start = start;
            inner
                .state
                .save(&inner.dir)
                .map_err(|e| StorageError::from(StorageIOError::write_logs(any(e))))?;
            inner
                .log
                .delete_purged_segments()
                .map_err(|e| StorageIOError::write_logs(any(e)).into())
        })
        .await
    }
}
