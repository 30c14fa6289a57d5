//! The expirer (Kafka's `RLMExpirationTask`): deletes remote segments past the topic's total
//! retention — `retention.ms` (by the segment's largest timestamp), `retention.bytes` (remote
//! bytes plus local bytes not yet tiered, oldest first) — and those wholly below the log start
//! offset (DeleteRecords), then advances the log start offset.
//!
//! Three steps, each idempotent, so a crash anywhere is finished by the next pass:
//! 1. the manifest marks the segments DELETE_SEGMENT_STARTED and records the new log start
//!    (readers stop using them at once);
//! 2. their objects are deleted (an absent object counts as deleted);
//! 3. the manifest drops them.

use crate::remote::error::RemoteError;
use crate::remote::manifest::{RemoteSegmentMetadata, SegmentState};
use crate::remote::partition::RemotePartition;

/// What one expiry pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExpireOutcome {
    /// Segments deleted from remote storage.
    pub segments: usize,
    /// Their `.log` bytes.
    pub bytes: u64,
    /// The log start offset afterwards.
    pub log_start_offset: i64,
}

impl RemotePartition {
    /// One expiry pass (see the module docs); leader only. With `remote.storage.enable=false`
    /// and `remote.log.delete.on.disable=true`, every remote segment is deleted.
    pub async fn expire_segments(&self, leader_epoch: i32) -> Result<ExpireOutcome, RemoteError> {
        let _writer = self.writer.lock().await;
        self.check_epoch(leader_epoch)?;
        let config = self.log.config();
        let manifest = self.manifest();
        let mut outcome = ExpireOutcome {
            log_start_offset: self.log.log_start_offset(),
            ..ExpireOutcome::default()
        };
        let pending: Vec<RemoteSegmentMetadata> = manifest
            .segments
            .iter()
            .filter(|s| s.state == SegmentState::DeleteSegmentStarted)
            .cloned()
            .collect();
        let committed: Vec<&RemoteSegmentMetadata> = manifest.committed().collect();
        let doomed: Vec<RemoteSegmentMetadata> = if !config.remote_storage_enable {
            if config.remote_log_delete_on_disable {
                committed.into_iter().cloned().collect()
            } else {
                Vec::new()
            }
        } else {
            self.expired(&committed, &config)
                .into_iter()
                .cloned()
                .collect()
        };
        if doomed.is_empty() && pending.is_empty() {
            return Ok(outcome);
        }
        // Step 1: mark, and move the log start past them.
        let mut next = (*manifest).clone();
        next.leader_epoch = leader_epoch.max(next.leader_epoch);
        for segment in next.segments.iter_mut() {
            if doomed.iter().any(|d| d.id == segment.id) {
                segment.state = SegmentState::DeleteSegmentStarted;
            }
        }
        // Kafka's expiration task: the log start moves past the last expired segment (its end
        // offset + 1) and the highest offset in remote storage never moves back, so local copies
        // of expired segments are deleted (wholly below the new log start) instead of being
        // served or uploaded again, and no offset above the log start is left neither local
        // nor remote. With tiering disabled (`remote.log.delete.on.disable`) the remote data is
        // simply gone: the log is its local part again.
        let new_log_start = if config.remote_storage_enable {
            doomed.iter().map(|s| s.end_offset + 1).max().unwrap_or(-1)
        } else {
            next.committed()
                .next()
                .map(|s| s.base_offset)
                .unwrap_or_else(|| self.log.local_log_start_offset())
        };
        if !doomed.is_empty() {
            next.log_start_offset = next.log_start_offset.max(new_log_start);
            self.commit_manifest(next.clone(), leader_epoch).await?;
            self.log.increment_log_start_offset(new_log_start)?;
            if !config.remote_storage_enable && next.committed().next().is_none() {
                self.log.set_highest_tiered_offset(-1);
            }
        }
        // Step 2: delete the objects.
        let all: Vec<RemoteSegmentMetadata> =
            pending.into_iter().chain(doomed.iter().cloned()).collect();
        let mut keys = Vec::new();
        for segment in &all {
            for key in segment.object_keys(&self.dir) {
                self.ctx.chunk_cache.invalidate_object(&key);
                self.ctx.index_cache.invalidate_object(&key);
                keys.push(key);
            }
        }
        self.ctx.store.delete_all(keys).await?;
        // Step 3: drop the entries.
        next.segments
            .retain(|s| s.state == SegmentState::CopySegmentFinished);
        self.commit_manifest(next, leader_epoch).await?;
        outcome.segments = doomed.len();
        outcome.bytes = doomed.iter().map(|s| s.size_bytes).sum();
        outcome.log_start_offset = self.log.log_start_offset();
        if outcome.segments > 0 {
            tracing::info!(partition = %self.log.topic_partition(), segments = outcome.segments, bytes = outcome.bytes, log_start = outcome.log_start_offset, "deleted expired segments from remote storage");
        }
        Ok(outcome)
    }

    /// The committed segments past retention or below the log start, oldest first.
    fn expired<'a>(
        &self,
        committed: &[&'a RemoteSegmentMetadata],
        config: &crate::log_config::LogConfig,
    ) -> Vec<&'a RemoteSegmentMetadata> {
        let log_start = self.log.log_start_offset();
        let now = self.ctx.clock.now_ms();
        let remote_bytes: u64 = committed.iter().map(|s| s.size_bytes).sum();
        let tiered_end = committed.last().map_or(-1, |s| s.end_offset);
        let local_only_bytes: u64 = self
            .log
            .segments()
            .iter()
            .filter(|s| s.base_offset() > tiered_end)
            .map(|s| s.size())
            .sum();
        let mut excess = if config.cleanup_policy.delete && config.retention_bytes >= 0 {
            (remote_bytes + local_only_bytes).saturating_sub(config.retention_bytes as u64)
        } else {
            0
        };
        let mut doomed = Vec::new();
        for segment in committed {
            let below_start = segment.end_offset < log_start;
            let too_old = config.cleanup_policy.delete
                && config.retention_ms >= 0
                && segment.max_timestamp_ms >= 0
                && now - segment.max_timestamp_ms > config.retention_ms;
            let too_big = excess > 0 && excess >= segment.size_bytes;
            if !(below_start || too_old || too_big) {
                break;
            }
            excess = excess.saturating_sub(segment.size_bytes);
            doomed.push(*segment);
        }
        doomed
    }
}
