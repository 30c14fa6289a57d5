//! Behaviour of one partition log: appends, reads, rolls, validation, idempotence, epochs,
//! timestamps, retention and reopen.

mod common;

use std::sync::Arc;

use common::*;
use strata_protocol::record_batch::{set_base_offset, RecordBatchView};
use strata_storage::{LogError, EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP};

#[test]
fn appends_get_contiguous_offsets_and_read_back_identically() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    let a = log.append_as_leader(batch(3, 10, T0), 0).expect("append");
    let b = log.append_as_leader(batch(2, 10, T0), 0).expect("append");
    assert_eq!(
        (a.first_offset, a.last_offset, a.record_count, a.duplicate),
        (0, 2, 3, false)
    );
    assert_eq!((b.first_offset, b.last_offset), (3, 4));
    assert_eq!(log.log_end_offset(), 5);
    let info = log.read(0, 1 << 20, 5, false).expect("read");
    assert_eq!(offsets(&info.records), vec![(0, 2), (3, 4)]);
    for raw in read_all(&log) {
        let view = RecordBatchView::parse(&raw).expect("parse");
        view.verify_crc().expect("stored batches keep a valid CRC");
        assert_eq!(view.partition_leader_epoch(), 0);
    }
}

#[test]
fn several_batches_in_one_append_are_patched_in_the_log_and_not_in_the_callers_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    log.append_as_leader(batch(2, 10, T0), 3).expect("append");
    let mut payload = batch(3, 10, T0).to_vec();
    payload.extend_from_slice(&batch(4, 20, T0));
    let before = payload.clone();
    let info = log.append_as_leader(&payload, 7).expect("append");
    assert_eq!(
        (info.first_offset, info.last_offset, info.record_count),
        (2, 8, 7)
    );
    assert_eq!(payload, before, "the caller's bytes are only read");
    let stored = read_all(&log);
    assert_eq!(stored.len(), 3);
    assert_eq!(offsets(&stored[1]), vec![(2, 4)]);
    assert_eq!(offsets(&stored[2]), vec![(5, 8)]);
    let mut expected_tail = Vec::new();
    for raw in &stored[1..] {
        let view = RecordBatchView::parse(raw).expect("parse");
        view.verify_crc().expect("stored batches keep a valid CRC");
        assert_eq!(view.partition_leader_epoch(), 7);
        expected_tail.extend_from_slice(&raw[16..]);
    }
    // Apart from base offset and leader epoch (bytes 0..16 of each batch), bytes are as sent.
    let first_len = stored[1].len();
    let mut sent_tail = payload[16..first_len].to_vec();
    sent_tail.extend_from_slice(&payload[first_len + 16..]);
    assert_eq!(expected_tail, sent_tail);
}

#[test]
fn read_from_mid_batch_offset_returns_whole_batch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    log.append_as_leader(batch(5, 10, T0), 0).expect("append");
    log.append_as_leader(batch(5, 10, T0), 0).expect("append");
    let info = log.read(7, 1 << 20, 10, false).expect("read");
    assert_eq!(offsets(&info.records), vec![(5, 9)]);
}

#[test]
fn read_from_mid_batch_offset_returns_whole_batch_with_sparse_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(
        dir.path(),
        config(&[("index.interval.bytes", "100")]),
        clock(),
        0,
    );
    for _ in 0..50 {
        log.append_as_leader(batch(4, 30, T0), 0).expect("append");
    }
    for target in [0, 1, 77, 78, 79, 150, 199] {
        let info = log.read(target, 1, 200, true).expect("read");
        let got = offsets(&info.records);
        assert_eq!(got.len(), 1, "one batch for {target}");
        assert!(
            got[0].0 <= target && target <= got[0].1,
            "batch {:?} contains {target}",
            got[0]
        );
    }
}

#[test]
fn read_respects_max_bytes_and_min_one_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    for _ in 0..4 {
        log.append_as_leader(batch(1, 1000, T0), 0).expect("append");
    }
    let one = read_all(&log)[0].len();
    assert_eq!(
        offsets(&log.read(0, one * 2 + 10, 4, false).expect("read").records).len(),
        2
    );
    assert!(
        log.read(0, 10, 4, false).expect("read").records.is_empty(),
        "nothing fits and min_one_message is off"
    );
    assert_eq!(
        offsets(&log.read(0, 10, 4, true).expect("read").records),
        vec![(0, 0)],
        "the first batch is returned whole"
    );
}

#[test]
fn read_never_returns_batches_at_or_past_max_offset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    log.append_as_leader(batch(2, 10, T0), 0).expect("append");
    log.append_as_leader(batch(2, 10, T0), 0).expect("append");
    assert_eq!(
        offsets(&log.read(0, 1 << 20, 2, false).expect("read").records),
        vec![(0, 1)]
    );
    assert!(log
        .read(2, 1 << 20, 2, false)
        .expect("read")
        .records
        .is_empty());
}

#[test]
fn read_outside_log_is_offset_out_of_range_and_log_end_is_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    log.append_as_leader(batch(2, 10, T0), 0).expect("append");
    assert!(log
        .read(2, 100, 2, true)
        .expect("read at log end")
        .records
        .is_empty());
    assert!(matches!(
        log.read(3, 100, 3, true),
        Err(LogError::OffsetOutOfRange {
            requested: 3,
            log_start: 0,
            log_end: 2
        })
    ));
}

#[test]
fn segment_rolls_when_segment_bytes_would_be_exceeded_and_reads_cross_segments() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[("segment.bytes", "2000")]), clock(), 0);
    for _ in 0..10 {
        log.append_as_leader(batch(2, 200, T0), 0).expect("append");
    }
    assert!(
        log.segment_count() >= 3,
        "rolled into {} segments",
        log.segment_count()
    );
    for segment in log.segments() {
        assert!(segment.size() <= 2000);
    }
    assert!(dir.path().join("00000000000000000000.log").exists());
    let all = log.read(0, 1 << 20, 20, false).expect("read");
    assert_eq!(
        offsets(&all.records).len(),
        10,
        "one read spans every segment"
    );
    // Rolled segments have trimmed indexes.
    let first_index = std::fs::metadata(dir.path().join("00000000000000000000.index"))
        .expect("index")
        .len();
    assert!(first_index < 1024, "trimmed index is {first_index} bytes");
}

#[test]
fn segment_rolls_after_segment_ms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log = open(
        dir.path(),
        config(&[("segment.ms", "1000")]),
        clock.clone(),
        0,
    );
    log.append_as_leader(batch(1, 10, T0), 0).expect("append");
    clock.advance_ms(500);
    log.roll_if_due().expect("roll");
    assert_eq!(log.segment_count(), 1);
    clock.advance_ms(600);
    log.roll_if_due().expect("roll");
    assert_eq!(log.segment_count(), 2);
    // On append, the roll is driven by the batch timestamps (Kafka's timeWaitedForRoll).
    log.append_as_leader(batch(1, 10, T0 + 1100), 0)
        .expect("append");
    log.append_as_leader(batch(1, 10, T0 + 2200), 0)
        .expect("append");
    assert_eq!(log.segment_count(), 3);
}

#[test]
fn full_offset_index_rolls_the_segment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(
        dir.path(),
        config(&[("segment.index.bytes", "32"), ("index.interval.bytes", "0")]),
        clock(),
        0,
    );
    for _ in 0..12 {
        log.append_as_leader(batch(1, 10, T0), 0).expect("append");
    }
    assert!(log.segment_count() >= 3, "{} segments", log.segment_count());
    assert_eq!(
        offsets(&log.read(0, 1 << 20, 12, false).expect("read").records).len(),
        12
    );
}

#[test]
fn an_invalid_batch_rejects_the_whole_append() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    let mut records = batch(2, 10, T0);
    let mut bad = batch(2, 10, T0);
    let last = bad.len() - 1;
    bad[last] ^= 0xff;
    records.extend_from_slice(&bad);
    assert!(matches!(
        log.append_as_leader(records, 0),
        Err(LogError::CorruptRecord { .. })
    ));
    assert_eq!(log.log_end_offset(), 0, "nothing was appended");
}

#[test]
fn magic_other_than_two_is_invalid_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    let mut records = batch(1, 10, T0);
    records[16] = 1;
    assert!(matches!(
        log.append_as_leader(records, 0),
        Err(LogError::InvalidRecord { .. })
    ));
}

#[test]
fn batch_larger_than_max_message_bytes_is_record_too_large() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(
        dir.path(),
        config(&[("max.message.bytes", "500")]),
        clock(),
        0,
    );
    let err = log
        .append_as_leader(batch(1, 600, T0), 0)
        .expect_err("too large");
    assert!(matches!(err, LogError::RecordTooLarge { max: 500, .. }));
    assert_eq!(err.kafka_error_code(), 10);
}

#[test]
fn client_control_batches_and_truncated_tails_are_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    let mut builder = strata_protocol::record_batch::RecordBatchBuilder::new(
        0,
        strata_protocol::record_batch::Compression::None,
    )
    .control(true);
    builder.append(T0, Some(&[0, 0, 0, 0]), Some(&[0, 0, 0, 0, 0, 0]), &[]);
    let control = builder.build().expect("build");
    assert!(matches!(
        log.append_as_leader(control, 0),
        Err(LogError::InvalidRecord { .. })
    ));
    let mut torn = batch(1, 10, T0);
    torn.truncate(torn.len() - 3);
    assert!(matches!(
        log.append_as_leader(torn, 0),
        Err(LogError::CorruptRecord { .. })
    ));
}

#[test]
fn client_base_offsets_are_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    let mut records = batch(2, 10, T0);
    set_base_offset(&mut records, 12345);
    let info = log.append_as_leader(records, 0).expect("append");
    assert_eq!(info.first_offset, 0);
    assert_eq!(offsets(&read_all(&log)[0]), vec![(0, 1)]);
}

#[test]
fn log_append_time_is_stamped_when_configured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log = open(
        dir.path(),
        config(&[("message.timestamp.type", "LogAppendTime")]),
        clock.clone(),
        0,
    );
    let info = log.append_as_leader(batch(3, 10, 42), 0).expect("append");
    assert_eq!(info.log_append_time, T0);
    let raw = &read_all(&log)[0];
    let view = RecordBatchView::parse(raw).expect("parse");
    view.verify_crc().expect("CRC recomputed");
    assert_eq!(view.max_timestamp(), T0);
    assert_eq!(
        view.timestamp_type(),
        strata_protocol::record_batch::TimestampType::LogAppendTime
    );
}

#[test]
fn create_time_outside_configured_window_is_invalid_timestamp() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(
        dir.path(),
        config(&[
            ("message.timestamp.before.max.ms", "1000"),
            ("message.timestamp.after.max.ms", "1000"),
        ]),
        clock(),
        0,
    );
    assert!(matches!(
        log.append_as_leader(batch(1, 10, T0 - 5000), 0),
        Err(LogError::InvalidTimestamp { .. })
    ));
    assert!(matches!(
        log.append_as_leader(batch(1, 10, T0 + 5000), 0),
        Err(LogError::InvalidTimestamp { .. })
    ));
    log.append_as_leader(batch(1, 10, T0 + 500), 0)
        .expect("within the window");
}

#[test]
fn idempotent_retry_returns_original_offsets_as_duplicate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    log.append_as_leader(batch(2, 10, T0), 0).expect("append");
    let first = log
        .append_as_leader(idempotent_batch(1000, 0, 0, 3, T0), 0)
        .expect("append");
    log.append_as_leader(idempotent_batch(1000, 0, 3, 2, T0), 0)
        .expect("append");
    let retry = log
        .append_as_leader(idempotent_batch(1000, 0, 0, 3, T0), 0)
        .expect("retry");
    assert!(retry.duplicate);
    assert_eq!(
        (retry.first_offset, retry.last_offset),
        (first.first_offset, first.last_offset)
    );
    assert_eq!(log.log_end_offset(), 7, "the duplicate was not appended");
}

#[test]
fn duplicate_detection_survives_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    {
        let log = open(dir.path(), config(&[]), clock.clone(), 0);
        log.append_as_leader(idempotent_batch(7, 1, 0, 2, T0), 0)
            .expect("append");
        log.append_as_leader(idempotent_batch(7, 1, 2, 2, T0), 0)
            .expect("append");
        // Dropped without close: producer state must be rebuilt from the log itself.
    }
    let log = open(dir.path(), config(&[]), clock.clone(), 0);
    let retry = log
        .append_as_leader(idempotent_batch(7, 1, 2, 2, T0), 0)
        .expect("retry");
    assert!(retry.duplicate);
    assert_eq!((retry.first_offset, retry.last_offset), (2, 3));
    log.close().expect("close");
    let reopened = open(dir.path(), config(&[]), clock, 4);
    assert!(
        reopened
            .append_as_leader(idempotent_batch(7, 1, 2, 2, T0), 0)
            .expect("retry")
            .duplicate,
        "state loaded from the snapshot"
    );
    assert!(!reopened.producer_states().is_empty());
}

#[test]
fn sequence_gap_is_out_of_order_and_nothing_is_appended() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    log.append_as_leader(idempotent_batch(5, 0, 0, 2, T0), 0)
        .expect("append");
    let err = log
        .append_as_leader(idempotent_batch(5, 0, 3, 1, T0), 0)
        .expect_err("gap");
    assert!(matches!(
        err,
        LogError::OutOfOrderSequence {
            producer_id: 5,
            expected: 2,
            received: 3
        }
    ));
    assert_eq!(err.kafka_error_code(), 45);
    assert_eq!(log.log_end_offset(), 2);
}

#[test]
fn older_producer_epoch_is_fenced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    log.append_as_leader(idempotent_batch(5, 3, 0, 1, T0), 0)
        .expect("append");
    let err = log
        .append_as_leader(idempotent_batch(5, 2, 1, 1, T0), 0)
        .expect_err("fenced");
    assert!(matches!(
        err,
        LogError::InvalidProducerEpoch {
            producer_id: 5,
            current: 3,
            received: 2
        }
    ));
    log.append_as_leader(idempotent_batch(5, 4, 0, 1, T0), 0)
        .expect("a bumped epoch restarts at sequence 0");
}

#[test]
fn leader_epochs_are_cached_checkpointed_and_answer_offset_for_leader_epoch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    {
        let log = open(dir.path(), config(&[]), clock.clone(), 0);
        log.append_as_leader(batch(3, 10, T0), 1).expect("append");
        log.append_as_leader(batch(2, 10, T0), 1).expect("append");
        log.append_as_leader(batch(2, 10, T0), 4).expect("append");
        assert_eq!(log.latest_epoch(), Some(4));
        assert_eq!(log.end_offset_for_epoch(1), Some((1, 5)));
        assert_eq!(log.end_offset_for_epoch(2), Some((1, 5)));
        assert_eq!(log.end_offset_for_epoch(4), Some((4, 7)));
        assert_eq!(log.end_offset_for_epoch(5), None);
        log.close().expect("close");
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("leader-epoch-checkpoint")).expect("checkpoint"),
        "0\n2\n1 0\n4 5\n"
    );
    let log = open(dir.path(), config(&[]), clock, 7);
    assert_eq!(log.end_offset_for_epoch(1), Some((1, 5)));
}

#[test]
fn offset_by_timestamp_finds_first_record_at_or_after_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(
        dir.path(),
        config(&[("segment.bytes", "300"), ("index.interval.bytes", "1")]),
        clock(),
        0,
    );
    // Offsets 0..=2 at t=100,110,120; 3..=5 at t=200,190,210; then more segments.
    log.append_as_leader(batch_with_timestamps(&[100, 110, 120]), 2)
        .expect("append");
    log.append_as_leader(batch_with_timestamps(&[200, 190, 210]), 2)
        .expect("append");
    for i in 0..6 {
        log.append_as_leader(batch_with_timestamps(&[300 + i * 10]), 3)
            .expect("append");
    }
    assert!(log.segment_count() > 1);
    let at = |ts: i64| {
        log.fetch_offset_by_timestamp(ts)
            .expect("lookup")
            .map(|t| (t.offset, t.timestamp))
    };
    assert_eq!(at(0), Some((0, 100)));
    assert_eq!(at(105), Some((1, 110)));
    assert_eq!(at(120), Some((2, 120)));
    assert_eq!(at(195), Some((3, 200)));
    assert_eq!(at(205), Some((5, 210)));
    assert_eq!(at(325), Some((9, 330)));
    assert_eq!(at(10_000), None);
    let found = log
        .fetch_offset_by_timestamp(325)
        .expect("lookup")
        .expect("found");
    assert_eq!(found.leader_epoch, Some(3));
    assert_eq!(
        log.fetch_offset_by_timestamp(EARLIEST_TIMESTAMP)
            .expect("earliest")
            .map(|t| t.offset),
        Some(0)
    );
    assert_eq!(
        log.fetch_offset_by_timestamp(LATEST_TIMESTAMP)
            .expect("latest")
            .map(|t| (t.offset, t.leader_epoch)),
        Some((12, Some(3)))
    );
    assert_eq!(
        log.fetch_offset_by_timestamp(MAX_TIMESTAMP)
            .expect("max")
            .map(|t| (t.offset, t.timestamp)),
        Some((11, 350))
    );
}

#[test]
fn flush_messages_one_fsyncs_before_returning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[("flush.messages", "1")]), clock(), 0);
    log.append_as_leader(batch(3, 10, T0), 0).expect("append");
    assert_eq!(log.recovery_point(), 3);
    let lazy_dir = tempfile::tempdir().expect("tempdir");
    let lazy = open(lazy_dir.path(), config(&[]), clock(), 0);
    lazy.append_as_leader(batch(3, 10, T0), 0).expect("append");
    assert_eq!(lazy.recovery_point(), 0, "page cache only by default");
    lazy.flush().expect("flush");
    assert_eq!(lazy.recovery_point(), 3);
}

#[test]
fn retention_by_time_deletes_old_segments_up_to_high_watermark() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log = open(
        dir.path(),
        config(&[
            ("segment.bytes", "400"),
            ("retention.ms", "10000"),
            ("file.delete.delay.ms", "0"),
        ]),
        clock.clone(),
        0,
    );
    for i in 0..6 {
        log.append_as_leader(batch(1, 200, T0 + i * 1000), 0)
            .expect("append");
    }
    let segments = log.segment_count();
    assert!(segments >= 3);
    clock.advance_ms(12_500);
    // Nothing is committed yet: retention never deletes past the high watermark.
    assert_eq!(
        log.apply_retention().expect("retention").deleted_segments,
        0
    );
    log.update_high_watermark(log.log_end_offset());
    let outcome = log.apply_retention().expect("retention");
    // Batches at T0, T0+1000, T0+2000 are older than 10s at T0+12500.
    assert_eq!(outcome.deleted_segments, 3, "{outcome:?}");
    assert_eq!(log.log_start_offset(), 3);
    assert!(matches!(
        log.read(0, 100, 6, true),
        Err(LogError::OffsetOutOfRange { .. })
    ));
    assert!(!dir.path().join("00000000000000000000.log").exists());
    assert!(
        !dir.path().join("00000000000000000000.log.deleted").exists(),
        "file.delete.delay.ms=0 unlinks at once"
    );
}

#[test]
fn retention_deletes_expired_active_segment_after_rolling() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log = open(
        dir.path(),
        config(&[("retention.ms", "1000")]),
        clock.clone(),
        0,
    );
    log.append_as_leader(batch(2, 10, T0), 0).expect("append");
    log.update_high_watermark(2);
    clock.advance_ms(5000);
    let outcome = log.apply_retention().expect("retention");
    assert_eq!(outcome.deleted_segments, 1);
    assert_eq!(
        (
            log.log_start_offset(),
            log.log_end_offset(),
            log.segment_count()
        ),
        (2, 2, 1)
    );
    let next = log
        .append_as_leader(batch(1, 10, T0 + 5000), 0)
        .expect("append after");
    assert_eq!(next.first_offset, 2);
}

#[test]
fn retention_by_size_keeps_the_newest_segments_within_retention_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(
        dir.path(),
        config(&[
            ("segment.bytes", "400"),
            ("retention.bytes", "700"),
            ("file.delete.delay.ms", "60000"),
        ]),
        clock(),
        0,
    );
    for _ in 0..8 {
        log.append_as_leader(batch(1, 200, T0), 0).expect("append");
    }
    log.update_high_watermark(log.log_end_offset());
    let before = log.size_bytes();
    let outcome = log.apply_retention().expect("retention");
    assert!(outcome.deleted_segments > 0);
    // Kafka deletes a segment only while the log stays at or above retention.bytes without it.
    let oldest = log.segments()[0].size();
    assert!(
        log.size_bytes() >= 700 && log.size_bytes() - oldest < 700,
        "{} bytes left, oldest segment {oldest}",
        log.size_bytes()
    );
    assert!(before - outcome.deleted_bytes == log.size_bytes());
    assert!(
        dir.path().join("00000000000000000000.log.deleted").exists(),
        "deleted files wait for file.delete.delay.ms"
    );
}

#[test]
fn delete_records_advances_log_start_but_not_past_high_watermark() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[("segment.bytes", "400")]), clock(), 0);
    for _ in 0..6 {
        log.append_as_leader(batch(1, 200, T0), 0).expect("append");
    }
    log.update_high_watermark(4);
    assert!(matches!(
        log.delete_records_before(5),
        Err(LogError::OffsetOutOfRange { .. })
    ));
    assert_eq!(log.delete_records_before(3).expect("delete records"), 3);
    assert_eq!(log.log_start_offset(), 3);
    assert!(log.segments().first().expect("segment").base_offset() <= 3);
    assert_eq!(
        offsets(&log.read(3, 1 << 20, 4, false).expect("read").records),
        vec![(3, 3)]
    );
}

#[test]
fn high_watermark_stays_within_log_bounds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    log.append_as_leader(batch(3, 10, T0), 0).expect("append");
    log.update_high_watermark(10);
    assert_eq!(log.high_watermark(), 3);
    log.update_high_watermark(-5);
    assert_eq!(log.high_watermark(), 0);
}

#[test]
fn clean_close_and_reopen_needs_no_recovery_and_reads_identically() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let log = open(
        dir.path(),
        config(&[("segment.bytes", "1000")]),
        clock.clone(),
        0,
    );
    for i in 0..20 {
        log.append_as_leader(batch(1 + i % 3, 50, T0 + i as i64), 0)
            .expect("append");
    }
    let before = read_all(&log);
    let leo = log.log_end_offset();
    log.close().expect("close");
    assert!(matches!(
        log.read(0, 10, 1, true),
        Err(LogError::Closed { .. })
    ));
    assert_eq!(log.recovery_point(), leo);
    let reopened = open(dir.path(), config(&[("segment.bytes", "1000")]), clock, leo);
    assert_eq!(reopened.log_end_offset(), leo);
    assert_eq!(read_all(&reopened), before);
    reopened
        .append_as_leader(batch(1, 10, T0), 0)
        .expect("append after reopen");
}

#[test]
fn concurrent_readers_see_only_whole_batches_while_a_writer_appends() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = Arc::new(open(
        dir.path(),
        config(&[("segment.bytes", "5000")]),
        clock(),
        0,
    ));
    let writer = {
        let log = Arc::clone(&log);
        std::thread::spawn(move || {
            for _ in 0..300 {
                log.append_as_leader(batch(3, 40, T0), 0).expect("append");
            }
        })
    };
    let mut reads = 0;
    while !writer.is_finished() || reads == 0 {
        let leo = log.log_end_offset();
        let info = log.read(0, 1 << 20, leo, true).expect("read");
        let got = offsets(&info.records);
        for (i, (base, last)) in got.iter().enumerate() {
            assert_eq!(*base, i as i64 * 3);
            assert_eq!(*last, base + 2);
        }
        reads += 1;
    }
    writer.join().expect("writer");
    assert_eq!(log.log_end_offset(), 900);
}

#[test]
fn topic_id_mismatch_is_rejected_on_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(open(dir.path(), config(&[]), clock(), 0));
    let err = strata_storage::Log::open(
        dir.path().to_path_buf(),
        tp(),
        uuid::Uuid::from_u128(1),
        config(&[]),
        0,
        0,
        clock(),
    )
    .expect_err("mismatch");
    assert!(matches!(err, LogError::InconsistentTopicId { .. }));
}

#[test]
fn follower_append_copies_leader_batches_byte_for_byte() {
    let leader_dir = tempfile::tempdir().expect("tempdir");
    let follower_dir = tempfile::tempdir().expect("tempdir");
    let leader = open(leader_dir.path(), config(&[]), clock(), 0);
    let follower = open(follower_dir.path(), config(&[]), clock(), 0);
    leader
        .append_as_leader(batch(3, 10, T0), 1)
        .expect("append");
    leader
        .append_as_leader(idempotent_batch(9, 0, 0, 2, T0), 2)
        .expect("append");
    let fetched = leader.read(0, 1 << 20, 5, false).expect("read").records;
    let info = follower
        .append_as_follower(&fetched)
        .expect("follower append");
    assert_eq!(
        (info.first_offset, info.last_offset, info.record_count),
        (0, 4, 5)
    );
    assert_eq!(read_all(&follower), read_all(&leader));
    assert_eq!(follower.end_offset_for_epoch(1), Some((1, 3)));
    assert_eq!(follower.latest_epoch(), Some(2));
    assert_eq!(follower.producer_states().len(), 1);
    // Offsets that do not start at the log end are refused.
    let err = follower
        .append_as_follower(&fetched)
        .expect_err("replayed offsets");
    assert!(matches!(
        err,
        LogError::UnexpectedAppendOffset {
            expected: 5,
            received: 0
        }
    ));
}

#[test]
fn truncate_to_drops_the_tail_and_its_epochs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[("segment.bytes", "400")]), clock(), 0);
    for epoch in 0..6 {
        log.append_as_leader(batch(1, 200, T0), epoch)
            .expect("append");
    }
    log.update_high_watermark(6);
    log.truncate_to(3).expect("truncate");
    assert_eq!(
        (
            log.log_end_offset(),
            log.high_watermark(),
            log.latest_epoch()
        ),
        (3, 3, Some(2))
    );
    assert_eq!(
        offsets(&log.read(0, 1 << 20, 3, false).expect("read").records),
        vec![(0, 0), (1, 1), (2, 2)]
    );
    let next = log
        .append_as_leader(batch(1, 10, T0), 7)
        .expect("append after truncation");
    assert_eq!(next.first_offset, 3);
    assert_eq!(log.end_offset_for_epoch(2), Some((2, 3)));
}

#[test]
fn truncate_fully_restarts_the_log_at_an_offset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    log.append_as_leader(batch(3, 10, T0), 0).expect("append");
    log.truncate_fully_and_start_at(100)
        .expect("truncate fully");
    assert_eq!(
        (
            log.log_start_offset(),
            log.log_end_offset(),
            log.latest_epoch()
        ),
        (100, 100, None)
    );
    assert!(dir.path().join("00000000000000000100.log").exists());
    assert_eq!(
        log.append_as_leader(batch(1, 10, T0), 1)
            .expect("append")
            .first_offset,
        100
    );
}

/// A gzip batch whose records 1 and 3 have no key.
fn batch_with_keyless_records() -> bytes::BytesMut {
    use strata_protocol::record_batch::{Compression, RecordBatchBuilder};
    let mut builder = RecordBatchBuilder::new(0, Compression::Gzip);
    for i in 0..4 {
        let key = format!("k{i}");
        let key = (i % 2 == 0).then_some(key.as_bytes());
        builder.append(T0 + i, key, Some(b"value"), &[]);
    }
    builder.build().expect("build batch")
}

#[test]
fn keyless_records_on_a_compacted_topic_are_rejected_and_nothing_is_appended() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(
        dir.path(),
        config(&[("cleanup.policy", "compact,delete")]),
        clock(),
        0,
    );
    let err = log
        .append_as_leader(batch_with_keyless_records(), 0)
        .expect_err("keyless records must be rejected");
    match &err {
        LogError::KeylessRecordsOnCompactedTopic { record_indexes, .. } => {
            assert_eq!(record_indexes, &vec![1, 3]);
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(err.kafka_error_code(), 87, "INVALID_RECORD");
    assert_eq!(log.log_end_offset(), 0);
    log.append_as_leader(batch(2, 10, T0), 0)
        .expect("keyed records are accepted");
}

#[test]
fn keyless_records_on_a_delete_topic_are_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = open(dir.path(), config(&[]), clock(), 0);
    let info = log
        .append_as_leader(batch_with_keyless_records(), 0)
        .expect("append");
    assert_eq!(info.last_offset, 3);
}
