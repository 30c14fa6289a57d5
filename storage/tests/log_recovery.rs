//! Crash recovery, property-tested: whatever happens to the tail of the `.log` files or to the
//! index files, reopening yields a valid prefix of what was written that holds every batch
//! written wholly before the damage, and never a byte that was not written.

mod common;

use std::path::Path;

use common::*;
use proptest::prelude::*;
use strata_storage::LogConfig;

fn small_config(index_interval: u64) -> LogConfig {
    config(&[
        ("segment.bytes", "1500"),
        ("index.interval.bytes", &index_interval.to_string()),
        ("segment.index.bytes", "96"),
    ])
}

/// Appends batches of the given (record count, value size) shapes; returns the stored batches.
fn write_log(dir: &Path, cfg: &LogConfig, shapes: &[(usize, usize)], close: bool) -> Vec<Vec<u8>> {
    let log = open(dir, cfg.clone(), clock(), 0);
    for (i, (count, size)) in shapes.iter().enumerate() {
        log.append_as_leader(batch(*count, *size, T0 + i as i64 * 10), (i / 7) as i32)
            .expect("append");
    }
    let written = read_all(&log);
    if close {
        log.close().expect("close");
    }
    written
}

/// The `.log` files in offset order with the global byte position where each starts.
fn log_files(dir: &Path) -> Vec<(std::path::PathBuf, u64)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    files.sort();
    let mut at = 0;
    files
        .into_iter()
        .map(|p| {
            let start = at;
            at += std::fs::metadata(&p).expect("stat").len();
            (p, start)
        })
        .collect()
}

/// Asserts `recovered` is a prefix of `written` that keeps every batch ending at or before
/// `damage_at` (a global byte position over the concatenated `.log` files).
fn assert_valid_prefix(written: &[Vec<u8>], recovered: &[Vec<u8>], damage_at: u64) {
    assert!(
        recovered.len() <= written.len(),
        "recovery invented batches"
    );
    for (i, batch) in recovered.iter().enumerate() {
        assert_eq!(
            batch, &written[i],
            "recovered batch {i} differs from what was written"
        );
    }
    let mut end = 0u64;
    let must_keep = written
        .iter()
        .take_while(|b| {
            end += b.len() as u64;
            end <= damage_at
        })
        .count();
    assert!(
        recovered.len() >= must_keep,
        "lost batches written before the damage: kept {} of {must_keep}",
        recovered.len()
    );
}

fn shapes() -> impl Strategy<Value = Vec<(usize, usize)>> {
    prop::collection::vec((1usize..6, 1usize..200), 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_appends_then_reopen_read_identically(shapes in shapes(), index_interval in 0u64..600, clean in any::<bool>()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = small_config(index_interval);
        let written = write_log(dir.path(), &cfg, &shapes, clean);
        let leo = written.iter().map(|b| offsets(b)[0].1 + 1).max().unwrap_or(0);
        // After a clean close the recovery point is the log end; after a crash nothing is known flushed.
        let log = open(dir.path(), cfg, clock(), if clean { leo } else { 0 });
        prop_assert_eq!(log.log_end_offset(), leo);
        prop_assert_eq!(read_all(&log), written.clone());
        // Every offset reads back the batch that contains it.
        for offset in (0..leo).step_by(3) {
            let info = log.read(offset, 1, leo, true).expect("read");
            let got = offsets(&info.records);
            prop_assert!(got.len() == 1 && got[0].0 <= offset && offset <= got[0].1);
        }
    }

    #[test]
    fn truncated_log_tail_recovers_to_the_whole_batches_before_the_cut(shapes in shapes(), cut in any::<prop::sample::Index>(), clean in any::<bool>()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = small_config(200);
        let written = write_log(dir.path(), &cfg, &shapes, clean);
        let files = log_files(dir.path());
        let (last, start) = files.last().expect("a segment").clone();
        let len = std::fs::metadata(&last).expect("stat").len();
        let keep = if len == 0 { 0 } else { cut.index(len as usize) as u64 };
        std::fs::OpenOptions::new().write(true).open(&last).expect("open").set_len(keep).expect("truncate");
        let log = open(dir.path(), cfg, clock(), 0);
        let recovered = read_all(&log);
        assert_valid_prefix(&written, &recovered, start + keep);
        let expected_leo = recovered.last().map_or(0, |b| offsets(b)[0].1 + 1);
        prop_assert_eq!(log.log_end_offset(), expected_leo);
        // The log accepts appends right after the recovered end.
        let next = log.append_as_leader(batch(1, 5, T0), 9).expect("append after recovery");
        prop_assert_eq!(next.first_offset, expected_leo);
    }

    #[test]
    fn corrupted_log_byte_recovers_to_a_prefix_before_the_damage(shapes in shapes(), at in any::<prop::sample::Index>(), flip in 1u8..=255, clean in any::<bool>()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = small_config(200);
        let written = write_log(dir.path(), &cfg, &shapes, clean);
        let files = log_files(dir.path());
        let total: u64 = written.iter().map(|b| b.len() as u64).sum();
        let damage_at = at.index(total as usize) as u64;
        let (path, start) = files.iter().rev().find(|(_, s)| *s <= damage_at).expect("segment holding the byte").clone();
        let mut bytes = std::fs::read(&path).expect("read");
        bytes[(damage_at - start) as usize] ^= flip;
        std::fs::write(&path, &bytes).expect("write");
        // Recovery point 0: nothing was known flushed, so every segment is checked.
        let log = open(dir.path(), cfg, clock(), 0);
        let recovered = read_all(&log);
        assert_valid_prefix(&written, &recovered, damage_at);
        prop_assert!(recovered.len() < written.len(), "the damaged batch was detected");
    }

    #[test]
    fn damaged_or_missing_index_files_never_change_what_is_read(
        shapes in shapes(),
        victim in any::<prop::sample::Index>(),
        damage in 0u8..4,
        at in any::<prop::sample::Index>(),
        noise in any::<[u8; 8]>(),
        clean in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = small_config(100);
        let written = write_log(dir.path(), &cfg, &shapes, clean);
        let leo = written.iter().map(|b| offsets(b)[0].1 + 1).max().unwrap_or(0);
        let mut indexes: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "index" || e == "timeindex"))
            .collect();
        indexes.sort();
        let path = indexes[victim.index(indexes.len())].clone();
        let mut bytes = std::fs::read(&path).expect("read");
        match damage {
            0 => std::fs::remove_file(&path).expect("delete"),
            1 if !bytes.is_empty() => {
                let start = at.index(bytes.len());
                for (i, b) in noise.iter().enumerate() {
                    if start + i < bytes.len() {
                        bytes[start + i] = *b;
                    }
                }
                std::fs::write(&path, &bytes).expect("write");
            }
            2 => {
                bytes.truncate(at.index(bytes.len() + 1));
                std::fs::write(&path, &bytes).expect("write");
            }
            _ => {
                bytes.extend_from_slice(&noise[..5]);
                std::fs::write(&path, &bytes).expect("write");
            }
        }
        let log = open(dir.path(), cfg, clock(), if clean { leo } else { 0 });
        prop_assert_eq!(log.log_end_offset(), leo);
        prop_assert_eq!(read_all(&log), written);
        for offset in (0..leo).step_by(2) {
            let info = log.read(offset, 1, leo, true).expect("read");
            let got = offsets(&info.records);
            prop_assert!(got.len() == 1 && got[0].0 <= offset && offset <= got[0].1, "offset {} read {:?}", offset, got);
        }
        // The repaired indexes accept further appends, and a clean reopen reads them back.
        for _ in 0..5 {
            log.append_as_leader(batch(2, 150, T0 + 1000), 9).expect("append after reopen");
        }
        let after = read_all(&log);
        log.close().expect("close");
        let reopened = open(dir.path(), small_config(100), clock(), leo + 10);
        prop_assert_eq!(read_all(&reopened), after);
    }
}
