//! Which segments retention deletes (Kafka's `UnifiedLog.deleteOldSegments`).
//!
//! Three rules, applied in Kafka's order, each walking segments from the oldest and stopping at
//! the first one it keeps:
//! - **retention.ms**: the segment's largest timestamp is older than `now - retention.ms`;
//! - **retention.bytes**: the log is larger than `retention.bytes` by at least the segment's size;
//! - **log start**: the next segment starts at or below the log start offset (DeleteRecords).
//!
//! A segment is only deletable when the high watermark has passed all of it (its successor's base
//! offset, or the log end for the active segment), so uncommitted data is never deleted. The
//! active segment may be deleted too when it is non-empty and wholly expired; the log rolls first
//! so there is always an active segment. The first two rules apply only when `cleanup.policy`
//! contains `delete`.

use std::sync::Arc;

use crate::log_config::LogConfig;
use crate::segment::LogSegment;

/// What one retention pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RetentionOutcome {
    /// Segments removed.
    pub deleted_segments: usize,
    /// Bytes of the removed segments.
    pub deleted_bytes: u64,
    /// The log start offset afterwards.
    pub log_start_offset: i64,
}

/// Why segments were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetentionReason {
    Time,
    Size,
    LogStart,
}

/// Inputs of one retention decision.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetentionView {
    pub(crate) log_end_offset: i64,
    pub(crate) high_watermark: i64,
    pub(crate) log_start_offset: i64,
    pub(crate) now_ms: i64,
    /// With tiering (and copying) on: the highest offset in remote storage (-1 none). A segment
    /// is then deletable only once it is wholly tiered or wholly below the log start (Kafka's
    /// `UnifiedLog.isSegmentEligibleForDeletion`).
    pub(crate) highest_tiered_offset: Option<i64>,
}

/// What one rule chose, and whether the tiering gate held back a segment the rule wanted.
#[derive(Debug, Default)]
pub(crate) struct RetentionChoice {
    pub(crate) segments: Vec<Arc<LogSegment>>,
    pub(crate) reason: Option<RetentionReason>,
    /// Segments a rule would have deleted but that are not uploaded yet (counted once, at the
    /// first such segment).
    pub(crate) waiting_for_upload: bool,
}

/// The oldest segments that one rule deletes, with the reason. Empty when nothing is due.
pub(crate) fn deletable_segments(
    segments: &[Arc<LogSegment>],
    view: RetentionView,
    config: &LogConfig,
) -> RetentionChoice {
    let mut waiting_for_upload = false;
    if config.cleanup_policy.delete {
        let retention_ms = config.local_retention_ms_effective();
        if retention_ms >= 0 {
            let (chosen, waiting) = walk(segments, view, |segment, _| {
                view.now_ms - segment.largest_timestamp() > retention_ms
            });
            waiting_for_upload |= waiting;
            if !chosen.is_empty() {
                return RetentionChoice {
                    segments: chosen,
                    reason: Some(RetentionReason::Time),
                    waiting_for_upload,
                };
            }
        }
        let retention_bytes = config.local_retention_bytes_effective();
        let total: u64 = segments.iter().map(|s| s.size()).sum();
        if retention_bytes >= 0 && total > retention_bytes as u64 {
            let mut excess = total - retention_bytes as u64;
            let (chosen, waiting) = walk(segments, view, |segment, _| {
                if excess >= segment.size() {
                    excess -= segment.size();
                    true
                } else {
                    false
                }
            });
            waiting_for_upload |= waiting;
            if !chosen.is_empty() {
                return RetentionChoice {
                    segments: chosen,
                    reason: Some(RetentionReason::Size),
                    waiting_for_upload,
                };
            }
        }
    }
    let (chosen, _) = walk(segments, view, |_, next| {
        next.is_some_and(|n| n.base_offset() <= view.log_start_offset)
    });
    let reason = (!chosen.is_empty()).then_some(RetentionReason::LogStart);
    RetentionChoice {
        segments: chosen,
        reason,
        waiting_for_upload,
    }
}

/// Walks from the oldest segment while `predicate` holds and the segment may go; returns the
/// chosen segments and whether the walk stopped at a segment the predicate wanted but the
/// tiering gate kept.
fn walk(
    segments: &[Arc<LogSegment>],
    view: RetentionView,
    mut predicate: impl FnMut(&LogSegment, Option<&LogSegment>) -> bool,
) -> (Vec<Arc<LogSegment>>, bool) {
    let mut chosen = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        let next = segments.get(i + 1).map(|s| s.as_ref());
        let last_and_empty = next.is_none() && segment.size() == 0;
        let upper_bound = next.map_or(view.log_end_offset, |n| n.base_offset());
        if view.high_watermark < upper_bound || last_and_empty || !predicate(segment, next) {
            break;
        }
        if let Some(highest_tiered) = view.highest_tiered_offset {
            let below_log_start = next.is_some_and(|n| n.base_offset() <= view.log_start_offset);
            let tiered = upper_bound > 0 && upper_bound - 1 <= highest_tiered;
            if !(below_log_start || tiered) {
                return (chosen, true);
            }
        }
        chosen.push(Arc::clone(segment));
    }
    (chosen, false)
}
