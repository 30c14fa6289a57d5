//! Loading a partition directory after a clean shutdown or a crash (Kafka's `LogLoader`).
//!
//! On open:
//! 1. Leftovers are removed: `*.deleted` (deletes that had not run), `*.cleaned`/`*.swap` (no
//!    compaction writes them yet), `*.tmp`, and index files without a `.log`.
//! 2. Every segment is opened and checked cheaply ([`LogSegment::load_check`]): indexes present
//!    and consistent, the tail made of well-framed batches.
//! 3. A segment is **recovered** — every batch re-read, CRC-32C checked, offsets checked to be
//!    contiguous, leader epochs checked against `leader-epoch-checkpoint`, indexes rebuilt, the
//!    `.log` truncated at the first bad byte — when it failed the check or holds offsets at or
//!    past the recovery point (data that was never fsynced). When a recovered segment loses its
//!    tail, every later segment is deleted: the log is a contiguous prefix, never invented data.
//! 4. The log end offset is the next offset of the last segment; the log start offset is the
//!    checkpointed one, raised to the first segment's base.
//! 5. The leader-epoch cache is trimmed to `[log start, log end)`; producer state is loaded from
//!    the newest snapshot at or below the log end and the batches after it are replayed.
//!
//! Data below the recovery point was fsynced before the checkpoint said so, so (as in Kafka) it
//! is trusted after the cheap check; a byte flipped inside it is found by CRC only when read by
//! tools, not on open.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::batch_header::BatchHeader;
use crate::error::{IoContext, LogError};
use crate::leader_epoch_cache::LeaderEpochFileCache;
use crate::log_config::LogConfig;
use crate::producer_state::ProducerStateManager;
use crate::segment::{
    LogSegment, DELETED_FILE_SUFFIX, INDEX_FILE_SUFFIX, LOG_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX,
};

/// What loading a partition directory produced.
#[derive(Debug)]
pub(crate) struct LoadedLog {
    pub(crate) segments: BTreeMap<i64, Arc<LogSegment>>,
    pub(crate) log_end_offset: i64,
    pub(crate) log_start_offset: i64,
    pub(crate) recovery_point: i64,
    pub(crate) epochs: LeaderEpochFileCache,
    pub(crate) producer_state: ProducerStateManager,
}

/// Loads (and if needed recovers) the partition directory `dir`, creating it when absent.
pub(crate) fn load_log(
    dir: &Path,
    config: &LogConfig,
    recovery_point: i64,
    log_start_checkpoint: i64,
    now_ms: i64,
) -> Result<LoadedLog, LogError> {
    std::fs::create_dir_all(dir)
        .io_context(|| format!("create partition directory {}", dir.display()))?;
    let bases = clean_leftovers_and_list_segments(dir)?;
    let mut epochs = LeaderEpochFileCache::load(dir)?;
    let index_bytes = config.segment_index_bytes;

    let mut segments: Vec<Arc<LogSegment>> = Vec::with_capacity(bases.len());
    let mut recovering = false;
    let mut truncated_at: Option<usize> = None;
    for (i, base) in bases.iter().copied().enumerate() {
        let segment = Arc::new(LogSegment::open(dir, base, index_bytes, now_ms)?);
        let check = segment.load_check();
        recovering |=
            base >= recovery_point || (check.is_ok() && segment.next_offset() > recovery_point);
        if recovering || check.is_err() {
            if let Err(reason) = &check {
                tracing::warn!(segment = %segment.log_path().display(), %reason, "segment failed its load check; recovering it");
            }
            let outcome =
                segment.recover(config.index_interval_bytes, index_bytes, None, |header| {
                    check_epoch(&mut epochs, header)
                })?;
            segments.push(segment);
            if outcome.truncated_bytes > 0 {
                truncated_at = Some(i);
                break;
            }
        } else {
            segments.push(segment);
        }
    }
    if let Some(i) = truncated_at {
        for &base in &bases[i + 1..] {
            tracing::warn!(dir = %dir.display(), base_offset = base, "deleting segment after a truncated one");
            for suffix in [LOG_FILE_SUFFIX, INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX] {
                let path = crate::segment::segment_file(dir, base, suffix);
                remove_if_exists(&path)?;
            }
        }
    }
    if segments.is_empty() {
        let start = log_start_checkpoint.max(0);
        segments.push(Arc::new(LogSegment::create(
            dir,
            start,
            index_bytes,
            config.preallocate.then_some(config.segment_bytes),
            now_ms,
        )?));
    }
    let last = segments.last().expect("at least one segment");
    last.resize_indexes(index_bytes)?;
    let log_end_offset = last.next_offset();
    let first_base = segments
        .first()
        .expect("at least one segment")
        .base_offset();
    let log_start_offset = log_start_checkpoint.max(first_base).min(log_end_offset);

    epochs.truncate_from_end(log_end_offset)?;
    epochs.truncate_from_start(log_start_offset)?;

    let mut producer_state = ProducerStateManager::new(dir);
    let replay_from = producer_state.truncate_and_reload(log_start_offset, log_end_offset)?;
    replay_producer_state(&segments, replay_from, &mut producer_state)?;
    producer_state.update_map_end_offset(log_end_offset);

    let segments: BTreeMap<i64, Arc<LogSegment>> =
        segments.into_iter().map(|s| (s.base_offset(), s)).collect();
    Ok(LoadedLog {
        segments,
        log_end_offset,
        log_start_offset,
        recovery_point: recovery_point.min(log_end_offset),
        epochs,
        producer_state,
    })
}

/// Kafka's `RecordBatch.NO_PARTITION_LEADER_EPOCH`.
const NO_PARTITION_LEADER_EPOCH: i32 = -1;

/// A recovered batch must carry the epoch the checkpoint says was current at its offset; an
/// empty cache (no checkpoint) is rebuilt from the batches instead.
fn check_epoch(epochs: &mut LeaderEpochFileCache, header: &BatchHeader) -> Result<(), String> {
    let Some(first) = epochs.entries().first().copied() else {
        epochs
            .assign(header.partition_leader_epoch, header.base_offset)
            .map_err(|e| e.to_string())?;
        return Ok(());
    };
    if header.base_offset < first.start_offset {
        return Ok(());
    }
    let expected = epochs.epoch_for_offset(header.base_offset);
    // -1 is Kafka's "no partition leader epoch"; any other negative value is a damaged field.
    if header.partition_leader_epoch == NO_PARTITION_LEADER_EPOCH
        || Some(header.partition_leader_epoch) == expected
    {
        return Ok(());
    }
    // The checkpoint is written before a batch of a new epoch is appended, so an epoch the
    // checkpoint does not place at this offset is damage (the epoch field is not CRC-covered).
    Err(format!(
        "batch at offset {} has leader epoch {} but the leader-epoch checkpoint says {:?}",
        header.base_offset, header.partition_leader_epoch, expected
    ))
}

/// Feeds every batch at or after `from_offset` to the producer state (after a snapshot load).
pub(crate) fn replay_producer_state(
    segments: &[Arc<LogSegment>],
    from_offset: i64,
    state: &mut ProducerStateManager,
) -> Result<(), LogError> {
    for segment in segments {
        if segment.next_offset() <= from_offset {
            continue;
        }
        let Some(location) = segment.translate_offset(from_offset)? else {
            continue;
        };
        let mut position = location.position;
        let size = segment.size();
        while position < size {
            let header = segment.read_header_at(position)?;
            if header.base_offset >= from_offset {
                state.update(&header);
            }
            position += header.size_bytes();
        }
    }
    Ok(())
}

fn remove_if_exists(path: &Path) -> Result<(), LogError> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(LogError::io(format!("delete {}", path.display()), err))
        }
        _ => Ok(()),
    }
}

/// Deletes leftover files and returns the base offsets of the `.log` files, ascending.
fn clean_leftovers_and_list_segments(dir: &Path) -> Result<Vec<i64>, LogError> {
    let mut logs = Vec::new();
    let mut indexes = Vec::new();
    for dirent in std::fs::read_dir(dir).io_context(|| format!("list {}", dir.display()))? {
        let dirent = dirent.io_context(|| format!("list {}", dir.display()))?;
        let name = dirent.file_name();
        let Some(name) = name.to_str() else { continue };
        let path = dirent.path();
        if name.ends_with(DELETED_FILE_SUFFIX)
            || name.ends_with(".cleaned")
            || name.ends_with(".swap")
            || name.ends_with(".tmp")
        {
            tracing::info!(file = %path.display(), "removing leftover file");
            remove_if_exists(&path)?;
            continue;
        }
        let parse = |suffix: &str| {
            name.strip_suffix(suffix)
                .filter(|p| p.len() == 20)
                .and_then(|p| p.parse::<i64>().ok())
        };
        if let Some(base) = parse(LOG_FILE_SUFFIX) {
            logs.push(base);
        } else if let Some(base) =
            parse(INDEX_FILE_SUFFIX).or_else(|| parse(TIME_INDEX_FILE_SUFFIX))
        {
            indexes.push((base, path));
        }
    }
    logs.sort_unstable();
    for (base, path) in indexes {
        if logs.binary_search(&base).is_err() {
            tracing::info!(file = %path.display(), "removing index without a log file");
            remove_if_exists(&path)?;
        }
    }
    Ok(logs)
}
