//! The copier (Redpanda's archiver, Kafka's `RLMCopyTask`): finds closed local segments wholly
//! below the last stable offset and above the highest tiered offset, uploads each with its
//! indexes, producer snapshot and leader-epoch slice under a fresh segment id, and only when
//! every object is durable adds the segment to the manifest and tells the log
//! ([`Log::set_highest_tiered_offset`]), which lets local retention delete the local copy.
//!
//! Idempotent and crash-safe: an upload that fails or is interrupted leaves objects no
//! manifest names (orphans, deleted by the leader's first pass after a restart) and is redone
//! from scratch under a new id on the next pass; nothing becomes visible half-written.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use uuid::Uuid;

use crate::log::Log;
use crate::producer_state::snapshot_file;
use crate::remote::error::RemoteError;
use crate::remote::manifest::{
    encode_epoch_slice, segment_id_of_key, segment_object_key, ObjectInfo, RemoteSegmentMetadata,
    SegmentState, MANIFEST_FILE,
};
use crate::remote::partition::RemotePartition;
use crate::remote::stats::PartitionCounters;
use crate::remote::store::PartSource;
use crate::segment::LogSegment;

/// What one copy pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CopyOutcome {
    /// Segments uploaded and committed.
    pub segments: usize,
    /// Bytes of their `.log` objects.
    pub bytes: u64,
    /// The highest tiered offset afterwards (-1 none).
    pub highest_tiered_offset: i64,
}

/// Suffix of the optional transaction index next to a segment.
const TXN_INDEX_SUFFIX: &str = ".txnindex";

impl RemotePartition {
    /// Uploads every eligible segment, oldest first (see the module docs). Only the partition
    /// leader may call this (`leader_epoch` is its epoch; a manifest from a newer leader fences
    /// it with [`RemoteError::Fenced`]). `last_stable_offset` bounds what may be copied (the
    /// high watermark until transactions exist). Does nothing when the topic has
    /// `remote.storage.enable=false` or `remote.log.copy.disable=true`. On a failure the
    /// segments committed so far stay committed and the error is returned (and counted).
    pub async fn copy_segments(
        &self,
        leader_epoch: i32,
        last_stable_offset: i64,
    ) -> Result<CopyOutcome, RemoteError> {
        let _writer = self.writer.lock().await;
        let result = self.copy_pass(leader_epoch, last_stable_offset).await;
        if let Err(err) = &result {
            PartitionCounters::add(&self.counters.upload_errors, 1);
            tracing::warn!(partition = %self.log.topic_partition(), error = %err, "copy to remote storage failed; local segments are kept and the copy resumes on the next pass");
        }
        result
    }

    /// One copy pass; the caller holds the writer lock and counts the failure.
    async fn copy_pass(
        &self,
        leader_epoch: i32,
        last_stable_offset: i64,
    ) -> Result<CopyOutcome, RemoteError> {
        let mut outcome = CopyOutcome {
            highest_tiered_offset: self.manifest().highest_offset(),
            ..CopyOutcome::default()
        };
        if !self.log.config().remote_copy_enabled() {
            return Ok(outcome);
        }
        self.check_epoch(leader_epoch)?;
        if !self.orphans_cleaned.load(Ordering::Acquire) {
            self.delete_orphans().await?;
            self.orphans_cleaned.store(true, Ordering::Release);
        }
        for (segment, next_base) in self.copy_candidates(last_stable_offset) {
            let uploaded = self
                .upload_segment(&segment, next_base, leader_epoch)
                .await?;
            let mut next = (*self.manifest()).clone();
            next.leader_epoch = leader_epoch;
            if next.log_start_offset < 0 {
                next.log_start_offset = self.log.log_start_offset().max(uploaded.base_offset);
            }
            let (end, size) = (uploaded.end_offset, uploaded.size_bytes);
            next.segments.push(uploaded);
            // Until this write succeeds the uploaded objects are invisible orphans.
            self.commit_manifest(next, leader_epoch).await?;
            self.log.set_highest_tiered_offset(end);
            outcome.segments += 1;
            outcome.bytes += size;
            outcome.highest_tiered_offset = end;
            tracing::info!(partition = %self.log.topic_partition(), base_offset = segment.base_offset(), end_offset = end, bytes = size, "segment copied to remote storage");
        }
        Ok(outcome)
    }

    /// Closed, non-empty segments whose every offset is below `last_stable_offset` and above
    /// the highest tiered offset, with the next segment's base.
    fn copy_candidates(&self, last_stable_offset: i64) -> Vec<(Arc<LogSegment>, i64)> {
        let highest = self.manifest().highest_offset();
        let segments = self.log.segments();
        segments
            .windows(2)
            .filter_map(|pair| {
                let (segment, next_base) = (&pair[0], pair[1].base_offset());
                let eligible = next_base <= last_stable_offset
                    && next_base - 1 > highest
                    && segment.base_offset() > highest
                    && segment.size() > 0;
                eligible.then(|| (Arc::clone(segment), next_base))
            })
            .collect()
    }

    /// Uploads every object of one segment (concurrently) and returns its manifest entry.
    async fn upload_segment(
        &self,
        segment: &Arc<LogSegment>,
        next_base: i64,
        leader_epoch: i32,
    ) -> Result<RemoteSegmentMetadata, RemoteError> {
        let id = Uuid::new_v4();
        let base = segment.base_offset();
        let end_offset = next_base - 1;
        let key = |suffix: &str| segment_object_key(&self.dir, base, id, suffix);
        let (offset_index, time_index) = segment.index_bytes();
        let epochs = epoch_slice(&self.log, end_offset);
        let snapshot = read_optional(snapshot_file(self.log.dir(), next_base))?;
        let txn_path = self.log.dir().join(format!(
            "{}{TXN_INDEX_SUFFIX}",
            crate::segment::filename_prefix(base)
        ));
        let txn_index = read_optional(txn_path)?;

        let size = segment.size();
        let source_segment = Arc::clone(segment);
        let source: PartSource = Arc::new(move |start, len| {
            source_segment
                .read_bytes(start, start + len)
                .map_err(RemoteError::Log)
        });
        let quota = &self.ctx.copy_quota;
        let log_key = key("log");
        let log_upload = self.ctx.store.upload(&log_key, size, source, quota);
        let mut small: Vec<(&str, String, Bytes)> = vec![
            ("index", key("index"), Bytes::from(offset_index)),
            ("timeindex", key("timeindex"), Bytes::from(time_index)),
            (
                "leader_epoch",
                key("leader-epoch-checkpoint"),
                Bytes::from(encode_epoch_slice(&epochs)),
            ),
        ];
        if let Some(snapshot) = snapshot {
            small.push(("snapshot", key("snapshot"), snapshot));
        }
        if let Some(txn) = txn_index {
            small.push(("txnindex", key("txnindex"), txn));
        }
        let small_uploads =
            futures::future::try_join_all(small.iter().map(|(_, k, bytes)| async move {
                quota.acquire(bytes.len() as u64).await;
                self.ctx.store.put(k, bytes.clone()).await
            }));
        let (log_object, _) = futures::future::try_join(log_upload, small_uploads).await?;
        // Durability check of the big object: the store reports what it holds.
        let stored = self.ctx.store.size(&log_key).await?;
        if stored != size {
            return Err(RemoteError::CorruptObject {
                path: log_key,
                reason: format!("stored {stored} bytes, uploaded {size}"),
            });
        }
        let mut objects = BTreeMap::from([(
            "log".to_string(),
            ObjectInfo {
                bytes: log_object.bytes,
                crc32c: log_object.crc32c,
            },
        )]);
        let mut uploaded_bytes = log_object.bytes;
        for (kind, _, bytes) in &small {
            uploaded_bytes += bytes.len() as u64;
            objects.insert(
                kind.to_string(),
                ObjectInfo {
                    bytes: bytes.len() as u64,
                    crc32c: crc32c::crc32c(bytes),
                },
            );
        }
        PartitionCounters::add(&self.counters.upload_bytes, uploaded_bytes);
        Ok(RemoteSegmentMetadata {
            id,
            base_offset: base,
            end_offset,
            max_timestamp_ms: segment.max_timestamp(),
            size_bytes: size,
            leader_epochs: epochs,
            uploader_epoch: leader_epoch,
            objects,
            state: SegmentState::CopySegmentFinished,
        })
    }

    /// Deletes objects under the partition's directory that no manifest entry names
    /// (leftovers of uploads interrupted by a crash or a failure).
    async fn delete_orphans(&self) -> Result<(), RemoteError> {
        let manifest = self.manifest();
        let listed = self.ctx.store.list(&self.dir).await?;
        let orphans: Vec<String> = listed
            .into_iter()
            .map(|(key, _)| key)
            .filter(|key| !key.ends_with(MANIFEST_FILE))
            .filter(|key| match segment_id_of_key(key) {
                Some(id) => !manifest.segments.iter().any(|s| s.id == id),
                None => false,
            })
            .collect();
        if !orphans.is_empty() {
            tracing::info!(partition = %self.log.topic_partition(), objects = orphans.len(), "deleting orphaned objects of interrupted uploads");
            self.ctx.store.delete_all(orphans).await?;
        }
        Ok(())
    }
}

/// The leader epochs up to `end_offset` (Kafka's filtered leader-epoch checkpoint).
fn epoch_slice(log: &Log, end_offset: i64) -> Vec<(i32, i64)> {
    log.leader_epoch_entries()
        .into_iter()
        .filter(|e| e.start_offset <= end_offset)
        .map(|e| (e.epoch, e.start_offset))
        .collect()
}

/// The file's bytes, or `None` when it does not exist.
fn read_optional(path: std::path::PathBuf) -> Result<Option<Bytes>, RemoteError> {
    match std::fs::read(&path) {
        Ok(bytes) => Ok(Some(Bytes::from(bytes))),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(RemoteError::Log(crate::error::LogError::io(
            format!("read {}", path.display()),
            err,
        ))),
    }
}
