//! [`StateMachine`]: openraft's `RaftStateMachine` — replays committed metadata records into the
//! next [`MetadataImage`] and publishes it; builds and installs `.checkpoint` snapshots.
//!
//! To ensure correctness: the image, the last applied log id and the next Kafka offset change
//! together under one lock, so a snapshot always describes exactly the entries it claims.
//! Offsets are counted with [`entry_offset_count`], the same rule the log store writes with.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use openraft::storage::RaftStateMachine;
use openraft::BasicNode;
use openraft::{
    AnyError, EntryPayload, LogId, OptionalSend, RaftSnapshotBuilder, Snapshot, SnapshotMeta,
    StorageError, StorageIOError, StoredMembership,
};
use parking_lot::Mutex;
use strata_storage::Clock;
use tokio::sync::watch;

use super::checkpoint::{decode_checkpoint, encode_checkpoint, list_checkpoints, write_checkpoint};
use super::{entry_offset_count, AppliedResponse, MetadataEntry, NodeId, TypeConfig};
use crate::image::{MetadataDelta, MetadataImage};
use crate::records::MetadataRecord;

fn any(e: impl std::error::Error + 'static) -> AnyError {
    AnyError::new(&e)
}

struct Inner {
    dir: PathBuf,
    image_tx: watch::Sender<Arc<MetadataImage>>,
    last_applied: Option<LogId<NodeId>>,
    membership: StoredMembership<NodeId, BasicNode>,
    /// Kafka offset of the next entry to apply.
    next_offset: i64,
    /// The newest snapshot: its meta and file.
    snapshot: Option<(SnapshotMeta<NodeId, BasicNode>, PathBuf)>,
    controller_id: Arc<AtomicI32>,
    clock: Arc<dyn Clock>,
    records_since_snapshot: u64,
}

/// The metadata state machine. Cloning shares it (the clone is the snapshot builder).
#[derive(Clone)]
pub struct StateMachine {
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for StateMachine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateMachine").finish_non_exhaustive()
    }
}

/// Replays records over `base` into a new image positioned at `offset` / `epoch`.
fn replay_image(
    base: Arc<MetadataImage>,
    records: &[MetadataRecord],
    offset: i64,
    epoch: i32,
    controller_id: i32,
) -> Result<MetadataImage, crate::image::ImageError> {
    let mut delta = MetadataDelta::new(base);
    for record in records {
        delta.replay(record)?;
    }
    delta.set_position(offset, epoch, controller_id);
    Ok(delta.apply())
}

impl StateMachine {
    /// Restores the state from the newest `.checkpoint` in `dir` (or the empty image).
    /// `index_of_end_offset` maps a snapshot's end offset to the raft index of its last entry
    /// (the log knows it); `controller_id` is the current leader as raft reports it.
    pub fn open(
        dir: &Path,
        cluster_id: &str,
        index_of_end_offset: impl Fn(i64) -> Option<u64>,
        controller_id: Arc<AtomicI32>,
        clock: Arc<dyn Clock>,
    ) -> Result<(Self, watch::Receiver<Arc<MetadataImage>>), crate::ControllerError> {
        let storage = |e: String| crate::ControllerError::Storage(e);
        let mut image = MetadataImage::empty(cluster_id);
        let mut last_applied = None;
        let mut membership = StoredMembership::default();
        let mut snapshot = None;
        let mut next_offset = 0;
        let checkpoints =
            list_checkpoints(dir).map_err(|e| storage(format!("list snapshots: {e}")))?;
        if let Some((end_offset, epoch, path)) = checkpoints.last() {
            let bytes = std::fs::read(path)
                .map_err(|e| storage(format!("read {}: {e}", path.display())))?;
            let contents = decode_checkpoint(&bytes)
                .map_err(|e| storage(format!("decode {}: {e}", path.display())))?;
            let index = index_of_end_offset(*end_offset).ok_or_else(|| {
                storage(format!(
                    "no log position for snapshot end offset {end_offset}"
                ))
            })?;
            let term = u64::try_from(*epoch)
                .map_err(|_| storage(format!("negative snapshot epoch {epoch}")))?;
            let log_id = LogId::new(openraft::CommittedLeaderId::new(term, 0), index);
            image = replay_image(
                Arc::new(image),
                &contents.records,
                end_offset - 1,
                *epoch,
                controller_id.load(Ordering::SeqCst),
            )?;
            // The membership as of the snapshot point; its log id is the snapshot's.
            membership =
                StoredMembership::new(Some(log_id), contents.membership.unwrap_or_default());
            last_applied = Some(log_id);
            next_offset = *end_offset;
            let meta = SnapshotMeta {
                last_log_id: Some(log_id),
                last_membership: membership.clone(),
                snapshot_id: format!("{end_offset}-{epoch}"),
            };
            snapshot = Some((meta, path.clone()));
        }
        let (image_tx, image_rx) = watch::channel(Arc::new(image));
        let inner = Inner {
            dir: dir.to_path_buf(),
            image_tx,
            last_applied,
            membership,
            next_offset,
            snapshot,
            controller_id,
            clock,
            records_since_snapshot: 0,
        };
        Ok((
            StateMachine {
                inner: Arc::new(Mutex::new(inner)),
            },
            image_rx,
        ))
    }

    /// The current image.
    pub fn image(&self) -> Arc<MetadataImage> {
        self.inner.lock().image_tx.borrow().clone()
    }

    /// The log id of the last applied entry.
    pub fn last_applied(&self) -> Option<LogId<NodeId>> {
        self.inner.lock().last_applied
    }

    /// Records applied since the last snapshot was built.
    pub fn records_since_snapshot(&self) -> u64 {
        self.inner.lock().records_since_snapshot
    }

    /// Builds a snapshot of the current image and writes it as a `.checkpoint` file.
    async fn build(&self) -> Result<Snapshot<TypeConfig>, StorageError<NodeId>> {
        let (bytes, meta, dir, end_offset, epoch) = {
            let inner = self.inner.lock();
            let image = inner.image_tx.borrow().clone();
            let last_applied = inner.last_applied;
            let epoch = image.epoch;
            let bytes = encode_checkpoint(
                epoch,
                &image.to_records(),
                inner.membership.membership(),
                inner.clock.now_ms(),
            )
            .map_err(|e| StorageIOError::write_snapshot(None, any(e)))?;
            let end_offset = image.offset + 1;
            let meta = SnapshotMeta {
                last_log_id: last_applied,
                last_membership: inner.membership.clone(),
                snapshot_id: format!("{end_offset}-{epoch}"),
            };
            (bytes, meta, inner.dir.clone(), end_offset, epoch)
        };
        let written = bytes.clone();
        let path = tokio::task::spawn_blocking(move || {
            write_checkpoint(&dir, end_offset, epoch, &written)
        })
        .await
        .map_err(|e| StorageIOError::write_snapshot(None, any(e)))?
        .map_err(|e| StorageIOError::write_snapshot(None, any(e)))?;
        {
            let mut inner = self.inner.lock();
            inner.snapshot = Some((meta.clone(), path));
            inner.records_since_snapshot = 0;
        }
        Ok(Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(bytes)),
        })
    }
}

impl RaftSnapshotBuilder<TypeConfig> for StateMachine {
    async fn build_snapshot(&mut self) -> Result<Snapshot<TypeConfig>, StorageError<NodeId>> {
        self.build().await
    }
}

impl RaftStateMachine<TypeConfig> for StateMachine {
    type SnapshotBuilder = StateMachine;

    async fn applied_state(
        &mut self,
    ) -> Result<(Option<LogId<NodeId>>, StoredMembership<NodeId, BasicNode>), StorageError<NodeId>>
    {
        let inner = self.inner.lock();
        Ok((inner.last_applied, inner.membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<AppliedResponse>, StorageError<NodeId>>
    where
        I: IntoIterator<Item = MetadataEntry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut inner = self.inner.lock();
        let base = inner.image_tx.borrow().clone();
        let mut delta = MetadataDelta::new(base);
        let controller_id = inner.controller_id.load(Ordering::SeqCst);
        let mut responses = Vec::new();
        for entry in entries {
            let count = entry_offset_count(&entry);
            let last_offset = inner.next_offset + count - 1;
            match &entry.payload {
                EntryPayload::Normal(cmd) => {
                    for record in &cmd.0 {
                        delta
                            .replay(record)
                            .map_err(|e| StorageIOError::apply(entry.log_id, any(e)))?;
                    }
                    inner.records_since_snapshot += cmd.0.len() as u64;
                }
                EntryPayload::Membership(m) => {
                    inner.membership = StoredMembership::new(Some(entry.log_id), m.clone());
                }
                EntryPayload::Blank => {}
            }
            let epoch = i32::try_from(entry.log_id.leader_id.term).unwrap_or(i32::MAX);
            delta.set_position(last_offset, epoch, controller_id);
            inner.next_offset = last_offset + 1;
            inner.last_applied = Some(entry.log_id);
            responses.push(AppliedResponse {
                offset: last_offset,
            });
        }
        let next = Arc::new(delta.apply());
        inner.image_tx.send_replace(next);
        Ok(responses)
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        self.clone()
    }

    async fn begin_receiving_snapshot(
        &mut self,
    ) -> Result<Box<Cursor<Vec<u8>>>, StorageError<NodeId>> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta<NodeId, BasicNode>,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<(), StorageError<NodeId>> {
        let bytes = snapshot.into_inner();
        let bad = |reason: String| {
            StorageError::from(StorageIOError::read_snapshot(None, AnyError::error(reason)))
        };
        let (end_offset, epoch) = meta
            .snapshot_id
            .split_once('-')
            .and_then(|(o, e)| Some((o.parse::<i64>().ok()?, e.parse::<i32>().ok()?)))
            .ok_or_else(|| {
                bad(format!(
                    "snapshot id {} is not <endOffset>-<epoch>",
                    meta.snapshot_id
                ))
            })?;
        let contents = decode_checkpoint(&bytes).map_err(|e| bad(e.to_string()))?;
        let dir = self.inner.lock().dir.clone();
        let written = bytes.clone();
        let path = tokio::task::spawn_blocking(move || {
            write_checkpoint(&dir, end_offset, epoch, &written)
        })
        .await
        .map_err(|e| StorageIOError::write_snapshot(None, any(e)))?
        .map_err(|e| StorageIOError::write_snapshot(None, any(e)))?;
        let mut inner = self.inner.lock();
        let cluster_id = inner.image_tx.borrow().cluster_id.clone();
        let controller_id = inner.controller_id.load(Ordering::SeqCst);
        let image = replay_image(
            Arc::new(MetadataImage::empty(cluster_id)),
            &contents.records,
            end_offset - 1,
            epoch,
            controller_id,
        )
        .map_err(|e| bad(e.to_string()))?;
        inner.image_tx.send_replace(Arc::new(image));
        inner.last_applied = meta.last_log_id;
        inner.membership = meta.last_membership.clone();
        inner.next_offset = end_offset;
        inner.snapshot = Some((meta.clone(), path));
        Ok(())
    }

    async fn get_current_snapshot(
        &mut self,
    ) -> Result<Option<Snapshot<TypeConfig>>, StorageError<NodeId>> {
        let current = self.inner.lock().snapshot.clone();
        let Some((meta, path)) = current else {
            return Ok(None);
        };
        let bytes = tokio::task::spawn_blocking(move || std::fs::read(path))
            .await
            .map_err(|e| StorageIOError::read_snapshot(None, any(e)))?
            .map_err(|e| StorageIOError::read_snapshot(None, any(e)))?;
        Ok(Some(Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(bytes)),
        }))
    }
}
