//! One partition's log: Kafka's `UnifiedLog`, local tier only for now.
//!
//! [`Log`] adds to the segments of [`LocalLog`] everything that makes appends correct: batch
//! validation (header-only, as Kafka's `LogValidator` does without decompressing), offset
//! assignment by patching copies of the batch headers (written ahead of the untouched rest of
//! each batch with one `pwritev`), leader-epoch stamping and the epoch cache,
//! LogAppendTime, idempotent-producer checks, the high watermark, the log start offset,
//! retention, flush policy and producer snapshots.
//!
//! **Remote tier** (`crate::remote`): offsets in `[log start, local log start)` live only in
//! the bucket; [`Log::read`] answers them with [`LogError::OffsetMovedToTieredStorage`] and the
//! caller reads them through `RemotePartition::read`. With `remote.storage.enable` (and copying
//! enabled) local retention follows `local.retention.*` and deletes a segment only once the
//! remote tier reported it durable ([`Log::set_highest_tiered_offset`]); the log start offset
//! then stays where the remote data begins and only the remote expirer advances it
//! ([`Log::increment_log_start_offset`]). The active segment is always local.
//!
//! Thread-safety: `Log` is `Send + Sync`. One writer at a time: `append_as_leader`, roll,
//! retention, truncation and close serialize on an internal mutex. Readers (`read`,
//! `fetch_offset_by_timestamp`, offsets, `end_offset_for_epoch`) take no writer lock, so they
//! never wait for an append or its fsync; they see whole batches below the published log end.

use std::io::IoSlice;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::{Mutex, RwLock};
use strata_protocol::record_batch::{
    set_base_offset, set_log_append_time, set_partition_leader_epoch, TimestampType,
    RECORD_BATCH_OVERHEAD,
};
use uuid::Uuid;

use crate::batch_header::BatchHeader;
use crate::clock::Clock;
use crate::error::LogError;
use crate::leader_epoch_cache::{EpochEntry, LeaderEpochFileCache};
use crate::local_log::LocalLog;
use crate::log_config::LogConfig;
use crate::log_validator::{validate_batches, validate_replicated_batches, ValidatedBatch};
use crate::partition_metadata::{uuid_to_kafka_string, PartitionMetadata};
use crate::producer_state::{
    BatchMetadata, ProducerAppendCheck, ProducerStateEntry, ProducerStateManager,
};
use crate::recovery::{load_log, replay_producer_state};
use crate::retention::{deletable_segments, RetentionOutcome, RetentionReason, RetentionView};
use crate::segment::{LogSegment, TimestampOffset};
use crate::topic_partition::TopicPartition;

/// ListOffsets special timestamp: the log start offset.
pub const EARLIEST_TIMESTAMP: i64 = -2;
/// ListOffsets special timestamp: the log end offset.
pub const LATEST_TIMESTAMP: i64 = -1;
/// ListOffsets special timestamp: the record with the largest timestamp (KIP-734).
pub const MAX_TIMESTAMP: i64 = -3;
/// ListOffsets special timestamp: the first offset in local storage (KIP-405).
pub const EARLIEST_LOCAL_TIMESTAMP: i64 = -4;
/// ListOffsets special timestamp: the highest offset in remote storage (KIP-1005).
pub const LATEST_TIERED_TIMESTAMP: i64 = -5;

/// Result of an append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendInfo {
    /// Offset of the first appended record (-1 when nothing was appended).
    pub first_offset: i64,
    /// Offset of the last appended record (-1 when nothing was appended).
    pub last_offset: i64,
    /// The LogAppendTime stamped on the batches, -1 for CreateTime topics.
    pub log_append_time: i64,
    /// The log start offset after the append.
    pub log_start_offset: i64,
    /// The batch was a retry of one already in the log; the offsets are the original ones.
    pub duplicate: bool,
    /// Records appended (or in the duplicate batch).
    pub record_count: u32,
}

/// Result of a read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogReadInfo {
    /// Whole batches, concatenated.
    pub records: Bytes,
    /// High watermark at the time of the read.
    pub high_watermark: i64,
    /// Log start offset at the time of the read.
    pub log_start_offset: i64,
    /// Log end offset at the time of the read.
    pub log_end_offset: i64,
}

/// Files renamed `.deleted`, to unlink once `file.delete.delay.ms` has passed.
#[derive(Debug)]
struct PendingDelete {
    due_ms: i64,
    paths: Vec<PathBuf>,
}

/// Writer-only state.
#[derive(Debug, Default)]
struct WriterState {
    /// Records appended since the last flush (drives `flush.messages`).
    unflushed_messages: i64,
}

/// One partition's log. Thread-safety: `Send + Sync`; appends, rolls, retention and truncation
/// serialize on an internal writer mutex, while reads take no writer lock and never wait for an
/// fsync. See the module docs for the layering and the remote-tier seam.
#[derive(Debug)]
pub struct Log {
    tp: TopicPartition,
    topic_id: Uuid,
    clock: Arc<dyn Clock>,
    config: RwLock<Arc<LogConfig>>,
    local: LocalLog,
    writer: Mutex<WriterState>,
    producer_state: Mutex<ProducerStateManager>,
    epochs: RwLock<LeaderEpochFileCache>,
    log_start_offset: AtomicI64,
    high_watermark: AtomicI64,
    /// Highest offset durable in remote storage (-1 none); set by the remote tier.
    highest_tiered_offset: AtomicI64,
    /// Segments the last retention pass kept only because they were not uploaded yet.
    local_retention_blocked: AtomicU64,
    /// The log start offset the caller's checkpoint gave at open (recovery clamps the live one
    /// to the first local segment; a DeleteRecords above the tiered start must survive).
    opened_log_start_offset: i64,
    pending_deletes: Mutex<Vec<PendingDelete>>,
    closed: AtomicBool,
}

impl Log {
    /// Opens (creating if needed) the partition directory `dir` and recovers it (see
    /// `recovery.rs`). `recovery_point` and `log_start_offset` come from the log dir's
    /// checkpoints (0 when unknown). Writes `partition.metadata` when `topic_id` is not nil; an
    /// existing file with another id is [`LogError::InconsistentTopicId`].
    pub fn open(
        dir: PathBuf,
        tp: TopicPartition,
        topic_id: Uuid,
        config: LogConfig,
        recovery_point: i64,
        log_start_offset: i64,
        clock: Arc<dyn Clock>,
    ) -> Result<Log, LogError> {
        let now = clock.now_ms();
        let loaded = load_log(&dir, &config, recovery_point, log_start_offset, now)?;
        if !topic_id.is_nil() {
            match PartitionMetadata::read(&dir)? {
                Some(existing) if existing.topic_id != topic_id => {
                    return Err(LogError::InconsistentTopicId {
                        partition: tp.to_string(),
                        on_disk: uuid_to_kafka_string(existing.topic_id),
                        requested: uuid_to_kafka_string(topic_id),
                    });
                }
                Some(_) => {}
                None => PartitionMetadata { topic_id }.write(&dir)?,
            }
        }
        let local = LocalLog::new(
            dir,
            tp.clone(),
            loaded.segments,
            loaded.log_end_offset,
            loaded.recovery_point,
            now,
        );
        tracing::info!(partition = %tp, log_start = loaded.log_start_offset, log_end = loaded.log_end_offset, segments = local.segments().len(), "opened log");
        Ok(Log {
            tp,
            topic_id,
            clock,
            config: RwLock::new(Arc::new(config)),
            local,
            writer: Mutex::new(WriterState::default()),
            producer_state: Mutex::new(loaded.producer_state),
            epochs: RwLock::new(loaded.epochs),
            log_start_offset: AtomicI64::new(loaded.log_start_offset),
            high_watermark: AtomicI64::new(loaded.log_start_offset),
            highest_tiered_offset: AtomicI64::new(-1),
            local_retention_blocked: AtomicU64::new(0),
            opened_log_start_offset: log_start_offset,
            pending_deletes: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
        })
    }

    /// The partition.
    pub fn topic_partition(&self) -> &TopicPartition {
        &self.tp
    }

    /// The topic id (nil when unknown).
    pub fn topic_id(&self) -> Uuid {
        self.topic_id
    }

    /// The partition directory.
    pub fn dir(&self) -> &Path {
        self.local.dir()
    }

    /// The current config.
    pub fn config(&self) -> Arc<LogConfig> {
        Arc::clone(&self.config.read())
    }

    /// Replaces the config; takes effect for the next append, roll and retention pass.
    pub fn update_config(&self, config: LogConfig) {
        *self.config.write() = Arc::new(config);
    }

    fn ensure_open(&self) -> Result<(), LogError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(LogError::Closed {
                partition: self.tp.to_string(),
            });
        }
        Ok(())
    }

    /// Validates every batch (magic 2, CRC, size ≤ max.message.bytes, record count, no client
    /// control batches, timestamps within bounds), runs idempotent sequence checks, assigns
    /// offsets, stamps the leader epoch (and LogAppendTime if configured), appends,
    /// maintains indexes and producer state, rolls, and fsyncs per `flush.messages`.
    /// Nothing of `records` is appended if any batch is invalid.
    ///
    /// `records` is only read: each batch is written as a patched copy of its 61-byte header
    /// followed by the caller's bytes (one `pwritev`), so a produce request's payload is never
    /// copied in memory (a LogAppendTime topic, whose CRC changes, copies each batch once).
    pub fn append_as_leader(
        &self,
        records: impl AsRef<[u8]>,
        leader_epoch: i32,
    ) -> Result<AppendInfo, LogError> {
        let records = records.as_ref();
        self.ensure_open()?;
        let config = self.config();
        let now = self.clock.now_ms();
        let validated = validate_batches(records, &config, now, &self.tp)?;
        if validated.is_empty() {
            // Kafka answers an empty produce with offsets -1 and appends nothing.
            return Ok(AppendInfo {
                first_offset: -1,
                last_offset: -1,
                log_append_time: -1,
                log_start_offset: self.log_start_offset(),
                duplicate: false,
                record_count: 0,
            });
        }
        let mut writer = self.writer.lock();
        self.ensure_open()?;

        let headers: Vec<BatchHeader> = validated.iter().map(|b| b.header).collect();
        if let ProducerAppendCheck::Duplicate(original) =
            self.producer_state.lock().check_leader_append(&headers)?
        {
            return Ok(self.duplicate_append_info(original, &config));
        }

        let first_offset = self.local.log_end_offset();
        let log_append_time = config.message_timestamp_type == TimestampType::LogAppendTime;
        let assigned = assign_offsets(
            records,
            &validated,
            first_offset,
            leader_epoch,
            log_append_time.then_some(now),
        )?;
        let (headers, next_offset) = (assigned.headers, assigned.next_offset);
        let (max_timestamp, record_count) = (assigned.max_timestamp, assigned.record_count);
        let last_offset = next_offset - 1;

        self.maybe_roll(
            records.len() as u64,
            first_offset,
            last_offset,
            max_timestamp,
            &config,
            now,
        )?;
        // The epoch checkpoint is written before the batch, so recovery can trust it.
        if self.epochs.read().latest_epoch() != Some(leader_epoch) {
            self.epochs.write().assign(leader_epoch, first_offset)?;
        }
        let mut pieces: Vec<IoSlice<'_>> = Vec::with_capacity(assigned.patched.len() * 2);
        for batch in &assigned.patched {
            pieces.push(IoSlice::new(&batch.head));
            pieces.push(IoSlice::new(&records[batch.rest.clone()]));
        }
        self.local
            .append_vectored(&mut pieces, &headers, config.index_interval_bytes)?;
        {
            let mut producers = self.producer_state.lock();
            for header in &headers {
                producers.update(header);
            }
            producers.update_map_end_offset(next_offset);
        }

        writer.unflushed_messages += i64::from(record_count);
        if writer.unflushed_messages >= config.flush_messages {
            self.local.flush(next_offset, now)?;
            writer.unflushed_messages = 0;
        }
        drop(writer);
        Ok(AppendInfo {
            first_offset,
            last_offset,
            log_append_time: if log_append_time { now } else { -1 },
            log_start_offset: self.log_start_offset(),
            duplicate: false,
            record_count,
        })
    }

    /// The answer to a retried idempotent batch: the original offsets. Kafka reports the stored
    /// batch timestamp as the append time; Strata does so only for LogAppendTime topics, since
    /// for CreateTime -1 is what a first append answers too.
    fn duplicate_append_info(&self, original: BatchMetadata, config: &LogConfig) -> AppendInfo {
        let log_append_time = if config.message_timestamp_type == TimestampType::LogAppendTime {
            original.timestamp
        } else {
            -1
        };
        AppendInfo {
            first_offset: original.first_offset,
            last_offset: original.last_offset,
            log_append_time,
            log_start_offset: self.log_start_offset(),
            duplicate: true,
            record_count: (original.last_offset - original.first_offset + 1) as u32,
        }
    }

    /// Rolls the active segment when the append would overflow `segment.bytes`, the segment is
    /// older than `segment.ms` (minus jitter), an index is full, or the last offset does not fit
    /// the 32-bit relative offset. Caller holds the writer lock.
    fn maybe_roll(
        &self,
        size: u64,
        first_offset: i64,
        last_offset: i64,
        max_timestamp: i64,
        config: &LogConfig,
        now: i64,
    ) -> Result<(), LogError> {
        let segment = self.local.active_segment();
        let full = segment.size() + size > config.segment_bytes;
        let aged = segment.size() > 0
            && segment.time_waited_for_roll(now, max_timestamp)
                > config.segment_ms - segment_jitter_ms(segment.base_offset(), config);
        let overflow = last_offset - segment.base_offset() > i64::from(i32::MAX);
        if full || aged || segment.indexes_full() || overflow {
            self.roll(Some(first_offset), config, now)?;
        }
        Ok(())
    }

    /// Rolls and snapshots producer state at the new segment's base (Kafka does both on roll).
    fn roll(
        &self,
        expected_next_offset: Option<i64>,
        config: &LogConfig,
        now: i64,
    ) -> Result<Arc<LogSegment>, LogError> {
        let segment = self.local.roll(
            expected_next_offset,
            config.segment_index_bytes,
            config.preallocate.then_some(config.segment_bytes),
            now,
        )?;
        let mut producers = self.producer_state.lock();
        producers.update_map_end_offset(segment.base_offset());
        producers.take_snapshot()?;
        Ok(segment)
    }

    /// Rolls the active segment if it is older than `segment.ms` (minus jitter) and not empty.
    pub fn roll_if_due(&self) -> Result<(), LogError> {
        self.ensure_open()?;
        let config = self.config();
        let _writer = self.writer.lock();
        let now = self.clock.now_ms();
        let segment = self.local.active_segment();
        if segment.size() > 0
            && segment.time_waited_for_roll(now, now)
                > config.segment_ms - segment_jitter_ms(segment.base_offset(), &config)
        {
            self.roll(None, &config, now)?;
        }
        Ok(())
    }

    /// Reads from `fetch_offset` (the whole batch containing it) up to `max_bytes`, never
    /// including a batch that reaches `max_offset` (exclusive; the high watermark for consumers).
    /// `min_one_message` returns a first batch larger than `max_bytes`. Offsets outside
    /// `[log start, log end]` are [`LogError::OffsetOutOfRange`]; the log end gives no records.
    pub fn read(
        &self,
        fetch_offset: i64,
        max_bytes: usize,
        max_offset: i64,
        min_one_message: bool,
    ) -> Result<LogReadInfo, LogError> {
        self.ensure_open()?;
        let high_watermark = self.high_watermark();
        let log_end = self.log_end_offset();
        let log_start = self.log_start_offset();
        if fetch_offset < log_start || fetch_offset > log_end {
            return Err(LogError::OffsetOutOfRange {
                requested: fetch_offset,
                log_start,
                log_end,
            });
        }
        let local_log_start = self.local_log_start_offset();
        if fetch_offset < local_log_start {
            return Err(LogError::OffsetMovedToTieredStorage {
                requested: fetch_offset,
                log_start,
                local_log_start,
            });
        }
        let records = self
            .local
            .read(fetch_offset, max_bytes, max_offset, min_one_message)?;
        Ok(LogReadInfo {
            records,
            high_watermark,
            log_start_offset: log_start,
            log_end_offset: log_end,
        })
    }

    /// The first offset of the log (raised by retention and DeleteRecords).
    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset.load(Ordering::Acquire)
    }

    /// The first offset held locally: the log start, or later when older segments exist only
    /// in remote storage.
    pub fn local_log_start_offset(&self) -> i64 {
        self.log_start_offset()
            .max(self.local.first_segment_base_offset())
    }

    /// The highest offset durable in remote storage, -1 when nothing is tiered (ListOffsets -5).
    pub fn highest_tiered_offset(&self) -> i64 {
        self.highest_tiered_offset.load(Ordering::Acquire)
    }

    /// Called by the remote tier once a segment and the manifest naming it are durable: local
    /// retention may now delete local segments up to `offset`. The remote tier's word (it
    /// moves back only when remote data is deleted, e.g. `remote.log.delete.on.disable`).
    pub fn set_highest_tiered_offset(&self, offset: i64) {
        self.highest_tiered_offset.store(offset, Ordering::Release);
    }

    /// Segments the last retention pass kept only because they are not in remote storage yet
    /// (the bucket is slow or unreachable: disk fills before data is lost).
    pub fn local_retention_blocked(&self) -> u64 {
        self.local_retention_blocked.load(Ordering::Acquire)
    }

    /// The leader-epoch cache's entries, oldest first (the copier uploads a slice per segment).
    pub fn leader_epoch_entries(&self) -> Vec<EpochEntry> {
        self.epochs.read().entries().to_vec()
    }

    /// Raises the log start offset (remote expiry deleted the segments below `offset`) and
    /// deletes local segments wholly below it. Lower values are ignored.
    pub fn increment_log_start_offset(&self, offset: i64) -> Result<(), LogError> {
        self.ensure_open()?;
        let _writer = self.writer.lock();
        if offset > self.log_start_offset() {
            self.advance_log_start_offset(offset.min(self.log_end_offset()))?;
            self.delete_segments_by_rules(&self.config())?;
        }
        Ok(())
    }

    /// Restores what remote storage knows about the partition's tiered prefix (called when the
    /// remote tier attaches, e.g. after a restart or on a node whose directory was wiped):
    /// the log start offset `log_start` (recovery clamps it to the first local segment), the
    /// highest tiered offset, and the leader epochs of the tiered range. A local log that ends
    /// at or before `highest_tiered` (wiped or new) is emptied and restarts at
    /// `highest_tiered + 1`, as Kafka's follower does after OFFSET_MOVED_TO_TIERED_STORAGE,
    /// with producer state from `producer_snapshot` (the last tiered segment's snapshot) when
    /// given. Tiered data is committed, so the high watermark moves up to the tiered end.
    pub fn restore_tiered_prefix(
        &self,
        log_start: i64,
        highest_tiered: i64,
        epochs: &[EpochEntry],
        producer_snapshot: Option<&[u8]>,
    ) -> Result<(), LogError> {
        self.ensure_open()?;
        if highest_tiered < 0 {
            return Ok(());
        }
        let config = self.config();
        let _writer = self.writer.lock();
        let now = self.clock.now_ms();
        let tiered_end = highest_tiered + 1;
        if self.log_end_offset() < tiered_end {
            tracing::info!(partition = %self.tp, log_end = self.log_end_offset(), tiered_end, "local log is behind remote storage; restarting it after the tiered range");
            let paths = self.local.truncate_fully_and_start_at(
                tiered_end,
                config.segment_index_bytes,
                config.preallocate.then_some(config.segment_bytes),
                now,
            )?;
            self.pending_deletes.lock().push(PendingDelete {
                due_ms: now + config.file_delete_delay_ms,
                paths,
            });
            self.epochs.write().clear()?;
            let mut producers = self.producer_state.lock();
            producers.reset(tiered_end);
            producers.delete_snapshots_before(i64::MAX)?;
            if let Some(snapshot) = producer_snapshot {
                producers.install_snapshot(tiered_end, snapshot)?;
            }
        }
        self.highest_tiered_offset
            .fetch_max(highest_tiered, Ordering::AcqRel);
        // The tiered range must reach the local data for the log start to move below it.
        let log_start = log_start.max(self.opened_log_start_offset);
        if log_start <= tiered_end && tiered_end >= self.local.first_segment_base_offset() {
            self.log_start_offset.store(log_start, Ordering::Release);
            let remote: Vec<EpochEntry> = epochs
                .iter()
                .copied()
                .filter(|e| e.start_offset <= highest_tiered)
                .map(|e| EpochEntry {
                    epoch: e.epoch,
                    start_offset: e.start_offset.max(log_start),
                })
                .collect();
            self.epochs.write().restore_prefix(&remote)?;
        }
        if self.high_watermark() < tiered_end {
            self.high_watermark.store(tiered_end, Ordering::Release);
        }
        Ok(())
    }

    /// The offset the next record gets.
    pub fn log_end_offset(&self) -> i64 {
        self.local.log_end_offset()
    }

    /// The high watermark: offsets below it are committed.
    pub fn high_watermark(&self) -> i64 {
        self.high_watermark.load(Ordering::Acquire)
    }

    /// Sets the high watermark, kept within `[log start, log end]`.
    pub fn update_high_watermark(&self, hw: i64) {
        let clamped = hw.min(self.log_end_offset()).max(self.log_start_offset());
        self.high_watermark.store(clamped, Ordering::Release);
    }

    /// The latest leader epoch in the epoch cache.
    pub fn latest_epoch(&self) -> Option<i32> {
        self.epochs.read().latest_epoch()
    }

    /// OffsetForLeaderEpoch: `(largest epoch ≤ requested, its end offset)`; `None` = undefined.
    pub fn end_offset_for_epoch(&self, epoch: i32) -> Option<(i32, i64)> {
        self.epochs
            .read()
            .end_offset_for(epoch, self.log_end_offset())
    }

    /// ListOffsets: -2 earliest, -1 latest (the log end; the caller caps at the high watermark),
    /// -3 the record with the max timestamp, -4 earliest local, -5 latest tiered (`(-1, -1)`
    /// without tiering); a timestamp ≥ 0 gives the first record whose timestamp is ≥ it, found
    /// via the time index. `None` when no record qualifies.
    pub fn fetch_offset_by_timestamp(
        &self,
        timestamp: i64,
    ) -> Result<Option<TimestampOffset>, LogError> {
        self.ensure_open()?;
        let log_start = self.log_start_offset();
        let epochs = |offset: i64| self.epochs.read().epoch_for_offset(offset);
        match timestamp {
            EARLIEST_TIMESTAMP => Ok(Some(TimestampOffset {
                timestamp: -1,
                offset: log_start,
                leader_epoch: epochs(log_start),
            })),
            EARLIEST_LOCAL_TIMESTAMP => {
                let local_start = self.local_log_start_offset();
                Ok(Some(TimestampOffset {
                    timestamp: -1,
                    offset: local_start,
                    leader_epoch: epochs(local_start),
                }))
            }
            LATEST_TIMESTAMP => Ok(Some(TimestampOffset {
                timestamp: -1,
                offset: self.log_end_offset(),
                leader_epoch: self.latest_epoch(),
            })),
            LATEST_TIERED_TIMESTAMP => {
                let tiered = self.highest_tiered_offset();
                Ok(Some(TimestampOffset {
                    timestamp: -1,
                    offset: tiered,
                    leader_epoch: (tiered >= 0).then(|| epochs(tiered)).flatten(),
                }))
            }
            MAX_TIMESTAMP => {
                let segments = self.local.segments();
                let best = segments.iter().filter(|s| s.max_timestamp() >= 0).fold(
                    None::<&Arc<LogSegment>>,
                    |best, s| match best {
                        Some(b) if b.max_timestamp() >= s.max_timestamp() => Some(b),
                        _ => Some(s),
                    },
                );
                match best {
                    Some(segment) => {
                        segment.find_offset_by_timestamp(segment.max_timestamp(), log_start)
                    }
                    None => Ok(None),
                }
            }
            ts if ts >= 0 => {
                for segment in self.local.segments() {
                    if segment.max_timestamp() >= ts {
                        if let Some(found) = segment.find_offset_by_timestamp(ts, log_start)? {
                            return Ok(Some(found));
                        }
                    }
                }
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    /// DeleteRecords: raises the log start offset to `offset` (≤ high watermark) and deletes the
    /// segments wholly below it. Returns the new log start offset (the low watermark).
    pub fn delete_records_before(&self, offset: i64) -> Result<i64, LogError> {
        self.ensure_open()?;
        let _writer = self.writer.lock();
        let hw = self.high_watermark();
        if offset > hw || offset < 0 {
            return Err(LogError::OffsetOutOfRange {
                requested: offset,
                log_start: self.log_start_offset(),
                log_end: hw,
            });
        }
        if offset > self.log_start_offset() {
            self.advance_log_start_offset(offset)?;
            self.delete_segments_by_rules(&self.config())?;
        }
        Ok(self.log_start_offset())
    }

    fn advance_log_start_offset(&self, offset: i64) -> Result<(), LogError> {
        let previous = self.log_start_offset.fetch_max(offset, Ordering::AcqRel);
        if offset > previous {
            self.epochs.write().truncate_from_start(offset)?;
            if self.high_watermark() < offset {
                self.high_watermark.store(offset, Ordering::Release);
            }
        }
        Ok(())
    }

    /// Deletes segments by retention.ms, retention.bytes and the log start offset (see
    /// `retention.rs`), and unlinks `.deleted` files whose delay has passed.
    pub fn apply_retention(&self) -> Result<RetentionOutcome, LogError> {
        self.ensure_open()?;
        let config = self.config();
        let _writer = self.writer.lock();
        let outcome = self.delete_segments_by_rules(&config)?;
        self.purge_deleted_files(self.clock.now_ms(), false)?;
        Ok(outcome)
    }

    /// Applies the retention rules until none deletes anything. Caller holds the writer lock.
    fn delete_segments_by_rules(&self, config: &LogConfig) -> Result<RetentionOutcome, LogError> {
        let mut outcome = RetentionOutcome {
            log_start_offset: self.log_start_offset(),
            ..RetentionOutcome::default()
        };
        loop {
            let now = self.clock.now_ms();
            let segments = self.local.segments();
            let tiering = config.remote_copy_enabled();
            let view = RetentionView {
                log_end_offset: self.log_end_offset(),
                high_watermark: self.high_watermark(),
                log_start_offset: self.log_start_offset(),
                now_ms: now,
                highest_tiered_offset: tiering.then(|| self.highest_tiered_offset()),
            };
            let choice = deletable_segments(&segments, view, config);
            self.note_retention_waiting(&segments, choice.waiting_for_upload);
            let (doomed, reason) = (choice.segments, choice.reason);
            if doomed.is_empty() {
                break;
            }
            if doomed.len() == segments.len() {
                // Never leave the log without an active segment.
                self.roll(None, config, now)?;
            }
            let bytes: u64 = doomed.iter().map(|s| s.size()).sum();
            let paths = self.local.remove_segments(&doomed)?;
            tracing::info!(partition = %self.tp, segments = doomed.len(), bytes, ?reason, "deleted log segments");
            self.pending_deletes.lock().push(PendingDelete {
                due_ms: now + config.file_delete_delay_ms,
                paths,
            });
            outcome.deleted_segments += doomed.len();
            outcome.deleted_bytes += bytes;
            let first_base = self.local.first_segment_base_offset();
            // With tiered data the deleted range is still readable remotely: only the local log
            // start moves (it is the first segment's base); the remote expirer moves the log start.
            let tiered = config.remote_storage_enable && self.highest_tiered_offset() >= 0;
            if !tiered || reason == Some(RetentionReason::LogStart) {
                self.advance_log_start_offset(first_base)?;
            }
            self.producer_state
                .lock()
                .delete_snapshots_before(first_base)?;
        }
        outcome.log_start_offset = self.log_start_offset();
        Ok(outcome)
    }

    /// Records (and warns about, once per change) segments that local retention keeps only
    /// because remote storage does not have them yet.
    fn note_retention_waiting(&self, segments: &[Arc<LogSegment>], waiting: bool) {
        let blocked = if waiting {
            let tiered_end = self.highest_tiered_offset() + 1;
            segments
                .windows(2)
                .filter(|pair| pair[1].base_offset() > tiered_end)
                .count() as u64
        } else {
            0
        };
        let previous = self.local_retention_blocked.swap(blocked, Ordering::AcqRel);
        if blocked > 0 && previous != blocked {
            tracing::warn!(partition = %self.tp, segments = blocked, highest_tiered = self.highest_tiered_offset(), "local retention is keeping segments that are not in remote storage yet");
        }
    }

    fn purge_deleted_files(&self, now: i64, all: bool) -> Result<(), LogError> {
        let due: Vec<PendingDelete> = {
            let mut pending = self.pending_deletes.lock();
            let (due, keep) = std::mem::take(&mut *pending)
                .into_iter()
                .partition(|p| all || p.due_ms <= now);
            *pending = keep;
            due
        };
        for path in due.into_iter().flat_map(|p| p.paths) {
            match std::fs::remove_file(&path) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                    return Err(LogError::io(format!("delete {}", path.display()), err))
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// fsyncs everything up to the log end and advances the recovery point.
    pub fn flush(&self) -> Result<(), LogError> {
        self.ensure_open()?;
        self.local.flush(self.log_end_offset(), self.clock.now_ms())
    }

    /// fsyncs when `flush.ms` has passed since the last flush, or when rolled segments are not
    /// yet fsynced (Kafka flushes a rolled segment in the background).
    pub fn flush_if_due(&self) -> Result<(), LogError> {
        self.ensure_open()?;
        let config = self.config();
        let now = self.clock.now_ms();
        let active_base = self.local.active_segment().base_offset();
        if now.saturating_sub(self.local.last_flush_ms()) >= config.flush_ms {
            self.local.flush(self.log_end_offset(), now)
        } else if self.local.recovery_point() < active_base {
            self.local.flush(active_base, now)
        } else {
            Ok(())
        }
    }

    /// Every offset below this is fsynced.
    pub fn recovery_point(&self) -> i64 {
        self.local.recovery_point()
    }

    /// DescribeProducers: every producer's state.
    pub fn producer_states(&self) -> Vec<ProducerStateEntry> {
        self.producer_state.lock().producers().cloned().collect()
    }

    /// Drops producers idle for `producer.id.expiration.ms`. Returns how many were removed.
    pub fn remove_expired_producers(&self, expiration_ms: i64) -> usize {
        self.producer_state
            .lock()
            .remove_expired(self.clock.now_ms(), expiration_ms)
    }

    /// Bytes of all local segments.
    pub fn size_bytes(&self) -> u64 {
        self.local.size_bytes()
    }

    /// Number of local segments.
    pub fn segment_count(&self) -> usize {
        self.local.segments().len()
    }

    /// The local segments, oldest first (for tools and tiering).
    pub fn segments(&self) -> Vec<Arc<LogSegment>> {
        self.local.segments()
    }

    /// Writes `<log end>.snapshot` with the current producer state.
    pub fn take_producer_snapshot(&self) -> Result<(), LogError> {
        self.ensure_open()?;
        let _writer = self.writer.lock();
        let mut producers = self.producer_state.lock();
        producers.update_map_end_offset(self.log_end_offset());
        producers.take_snapshot()?;
        Ok(())
    }

    /// Appends batches whose offsets and leader epochs were assigned by a leader (a follower's
    /// fetched data, or the metadata log's replicated entries). Checks framing, CRC and that the
    /// first batch starts at the log end offset; updates the epoch cache from the batches' epochs
    /// (before writing, as on the leader) and producer state without sequence checks.
    pub fn append_as_follower(&self, records: &[u8]) -> Result<AppendInfo, LogError> {
        self.ensure_open()?;
        let config = self.config();
        let mut writer = self.writer.lock();
        self.ensure_open()?;
        let first_offset = self.local.log_end_offset();
        let headers = validate_replicated_batches(records, first_offset)?;
        let Some(last) = headers.last().copied() else {
            return Ok(AppendInfo {
                first_offset: -1,
                last_offset: -1,
                log_append_time: -1,
                log_start_offset: self.log_start_offset(),
                duplicate: false,
                record_count: 0,
            });
        };
        let now = self.clock.now_ms();
        let max_timestamp = headers.iter().map(|h| h.max_timestamp).max().unwrap_or(-1);
        self.maybe_roll(
            records.len() as u64,
            first_offset,
            last.last_offset(),
            max_timestamp,
            &config,
            now,
        )?;
        {
            let mut epochs = self.epochs.write();
            for header in &headers {
                epochs.assign(header.partition_leader_epoch, header.base_offset)?;
            }
        }
        self.local
            .append(records, &headers, config.index_interval_bytes)?;
        let record_count = headers
            .iter()
            .fold(0u32, |n, h| n.saturating_add(h.records_count.max(0) as u32));
        {
            let mut producers = self.producer_state.lock();
            for header in &headers {
                producers.update(header);
            }
            producers.update_map_end_offset(last.next_offset());
        }
        writer.unflushed_messages += i64::from(record_count);
        if writer.unflushed_messages >= config.flush_messages {
            self.local.flush(last.next_offset(), now)?;
            writer.unflushed_messages = 0;
        }
        Ok(AppendInfo {
            first_offset,
            last_offset: last.last_offset(),
            log_append_time: -1,
            log_start_offset: self.log_start_offset(),
            duplicate: false,
            record_count,
        })
    }

    /// Empties the log and restarts it at `offset` (a follower whose fetch offset fell below the
    /// leader's log start). Epochs and producer state are cleared.
    pub fn truncate_fully_and_start_at(&self, offset: i64) -> Result<(), LogError> {
        self.ensure_open()?;
        let config = self.config();
        let _writer = self.writer.lock();
        let now = self.clock.now_ms();
        let paths = self.local.truncate_fully_and_start_at(
            offset,
            config.segment_index_bytes,
            config.preallocate.then_some(config.segment_bytes),
            now,
        )?;
        self.pending_deletes.lock().push(PendingDelete {
            due_ms: now + config.file_delete_delay_ms,
            paths,
        });
        self.log_start_offset.store(offset, Ordering::Release);
        self.high_watermark.store(offset, Ordering::Release);
        self.epochs.write().clear()?;
        let mut producers = self.producer_state.lock();
        producers.reset(offset);
        producers.delete_snapshots_before(i64::MAX)?;
        Ok(())
    }

    /// Removes every batch at and after `offset` (a follower truncating to the leader). Producer
    /// state is rebuilt from snapshots and the remaining log; epochs after `offset` are dropped.
    pub fn truncate_to(&self, offset: i64) -> Result<(), LogError> {
        self.ensure_open()?;
        let config = self.config();
        let _writer = self.writer.lock();
        if offset >= self.log_end_offset() {
            return Ok(());
        }
        let now = self.clock.now_ms();
        let paths = if offset < self.log_start_offset() {
            self.local.truncate_fully_and_start_at(
                offset,
                config.segment_index_bytes,
                config.preallocate.then_some(config.segment_bytes),
                now,
            )?
        } else {
            self.local.truncate_to(offset, config.segment_index_bytes)?
        };
        self.pending_deletes.lock().push(PendingDelete {
            due_ms: now + config.file_delete_delay_ms,
            paths,
        });
        let log_end = self.log_end_offset();
        if self.log_start_offset() > log_end {
            self.log_start_offset.store(log_end, Ordering::Release);
        }
        self.epochs.write().truncate_from_end(log_end)?;
        if self.high_watermark() > log_end {
            self.high_watermark.store(log_end, Ordering::Release);
        }
        let mut producers = self.producer_state.lock();
        producers.delete_snapshots_after(log_end)?;
        let from = producers.truncate_and_reload(self.log_start_offset(), log_end)?;
        replay_producer_state(&self.local.segments(), from, &mut producers)?;
        producers.update_map_end_offset(log_end);
        Ok(())
    }

    /// Closes the log: trims the active segment's indexes, fsyncs everything, snapshots producer
    /// state at the log end, unlinks pending deletes. Later calls fail with [`LogError::Closed`].
    pub fn close(&self) -> Result<(), LogError> {
        let _writer = self.writer.lock();
        if self.closed.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        self.local.close()?;
        {
            let mut producers = self.producer_state.lock();
            producers.update_map_end_offset(self.log_end_offset());
            producers.take_snapshot()?;
        }
        self.epochs.read().flush()?;
        self.purge_deleted_files(self.clock.now_ms(), true)?;
        tracing::info!(partition = %self.tp, log_end = self.log_end_offset(), "closed log");
        Ok(())
    }

    /// True once `close` ran.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

/// Deterministic per-segment jitter in `[0, min(segment.jitter.ms, segment.ms))`, so segments
/// of many partitions do not all roll at once (Kafka draws it at random per segment).
fn segment_jitter_ms(base_offset: i64, config: &LogConfig) -> i64 {
    let bound = config.segment_jitter_ms.min(config.segment_ms);
    if bound <= 0 {
        return 0;
    }
    // SplitMix64 of the base offset: cheap, well spread, stable across restarts.
    let mut x = base_offset as u64 ^ 0x9E37_79B9_7F4A_7C15;
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x % bound as u64) as i64
}

/// Headers of an append after offsets were assigned, and what the caller needs from them.
struct AssignedOffsets {
    headers: Vec<BatchHeader>,
    /// Per batch, in order, what to write: together exactly the appended bytes.
    patched: Vec<PatchedBatch>,
    next_offset: i64,
    max_timestamp: i64,
    record_count: u32,
}

/// One batch as written by the leader: its patched beginning, then `rest` of the caller's bytes.
struct PatchedBatch {
    /// The 61-byte header with offsets and epoch patched, or (LogAppendTime, whose CRC covers
    /// the whole batch) the whole patched batch.
    head: Vec<u8>,
    /// Range of the caller's records that follows `head` unchanged (empty when `head` is whole).
    rest: Range<usize>,
}

/// Patches base offsets (contiguous from `first_offset`), the leader epoch and, when given, the
/// LogAppendTime into copies of the validated batches' headers (the caller's bytes stay
/// untouched); CRCs stay valid (LogAppendTime copies the whole batch and recomputes it).
fn assign_offsets(
    records: &[u8],
    validated: &[ValidatedBatch],
    first_offset: i64,
    leader_epoch: i32,
    log_append_time_ms: Option<i64>,
) -> Result<AssignedOffsets, LogError> {
    let mut assigned = AssignedOffsets {
        headers: Vec::with_capacity(validated.len()),
        patched: Vec::with_capacity(validated.len()),
        next_offset: first_offset,
        max_timestamp: -1,
        record_count: 0,
    };
    for batch in validated {
        let end = batch.start + batch.header.size_bytes() as usize;
        let head_end = if log_append_time_ms.is_some() {
            end
        } else {
            batch.start + RECORD_BATCH_OVERHEAD
        };
        let mut head = records[batch.start..head_end].to_vec();
        set_base_offset(&mut head, assigned.next_offset);
        set_partition_leader_epoch(&mut head, leader_epoch);
        if let Some(now) = log_append_time_ms {
            set_log_append_time(&mut head, now);
        }
        let header =
            BatchHeader::decode(&head).map_err(|reason| LogError::InvalidRecord { reason })?;
        assigned.next_offset = header.next_offset();
        assigned.max_timestamp = assigned.max_timestamp.max(header.max_timestamp);
        assigned.record_count = assigned
            .record_count
            .saturating_add(header.records_count.max(0) as u32);
        assigned.headers.push(header);
        assigned.patched.push(PatchedBatch {
            head,
            rest: head_end..end,
        });
    }
    Ok(assigned)
}
