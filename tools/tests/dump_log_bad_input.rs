//! `strata dump-log` on bad input: every case ends with a clear message on stderr, never a
//! panic, and the files read are left exactly as they were. A file that cannot be dumped exits 1;
//! what Kafka's tool reports and goes on from (findings) exits 0 as Kafka does, and 1 under
//! `--fail-on-findings`.

#[path = "dump_log_support.rs"]
mod support;

use std::path::Path;

use support::{dump_file, hand_batch, stderr, stdout_lines, walk_batches};

const T0: i64 = 1_700_000_000_000;

fn good_segment() -> Vec<u8> {
    let mut out = Vec::new();
    for base in [0i64, 1, 2] {
        hand_batch(
            &mut out,
            base,
            0,
            0,
            T0 + base,
            (-1, -1, -1),
            &[(0, 0, Some(b"key"), Some(b"value"), &[])],
        );
    }
    out
}

fn segment_path(dir: &Path, base: i64, suffix: &str) -> std::path::PathBuf {
    dir.join(format!("{base:020}{suffix}"))
}

/// Asserts a failed run that did not panic and said something on stderr.
fn assert_fails_cleanly(output: &std::process::Output, needle: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(1), "stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    assert!(err.contains(needle), "expected {needle:?} in stderr: {err}");
}

/// Asserts a finding: reported on stderr with Kafka's exit status 0 by default, and exit 1 with
/// the same report under `--fail-on-findings`. Returns the default run.
fn assert_finding(path: &Path, extra: &[&str], needle: &str) -> std::process::Output {
    let output = dump_file(path, extra);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "stderr: {err}");
    assert!(err.contains(needle), "expected {needle:?} in stderr: {err}");
    let mut strict_args = extra.to_vec();
    strict_args.push("--fail-on-findings");
    let strict = dump_file(path, &strict_args);
    assert_fails_cleanly(&strict, needle);
    assert_eq!(
        strict.stdout, output.stdout,
        "the flag changes only the status"
    );
    output
}

#[test]
fn missing_path_fails_with_a_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dump_file(&segment_path(dir.path(), 0, ".log"), &[]);
    assert_fails_cleanly(&output, "cannot open");
}

#[test]
fn truncated_segment_reports_the_trailing_bytes_like_kafka() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment_path(dir.path(), 0, ".log");
    let bytes = good_segment();
    let cut = bytes.len() - 10;
    std::fs::write(&path, &bytes[..cut]).expect("write");
    let walked = walk_batches(&bytes);
    let output = assert_finding(&path, &[], "not a batch");
    let lines = stdout_lines(&output);
    let trailing = cut - walked[2].position;
    assert_eq!(
        lines.last().map(String::as_str),
        Some(
            format!("Found {trailing} invalid bytes at the end of 00000000000000000000.log")
                .as_str()
        )
    );
    assert_eq!(lines.len(), 2 + 2 + 1, "two whole batches: {lines:?}");
}

#[test]
fn max_bytes_stops_early_without_a_trailing_bytes_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment_path(dir.path(), 0, ".log");
    let bytes = good_segment();
    std::fs::write(&path, &bytes).expect("write");
    let limit = (walk_batches(&bytes)[1].position + 5).to_string();
    let output = dump_file(&path, &["--max-bytes", &limit]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let lines = stdout_lines(&output);
    assert_eq!(lines.len(), 3, "{lines:?}");
}

#[test]
fn bad_crc_prints_isvalid_false_and_exits_like_kafka() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment_path(dir.path(), 0, ".log");
    let mut bytes = good_segment();
    let second = walk_batches(&bytes)[1];
    // Flip a byte of the second batch's value: framing intact, CRC wrong.
    let at = second.position + second.size - 3;
    bytes[at] ^= 0xff;
    std::fs::write(&path, &bytes).expect("write");
    let output = assert_finding(&path, &[], "Invalid CRC in ");
    let lines = stdout_lines(&output);
    assert!(lines[2].ends_with("isvalid: true"), "{}", lines[2]);
    assert!(lines[3].ends_with("isvalid: false"), "{}", lines[3]);
    assert!(lines[4].ends_with("isvalid: true"), "{}", lines[4]);
}

#[test]
fn size_below_the_minimum_is_kafkas_corrupt_record_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment_path(dir.path(), 0, ".log");
    let mut bytes = good_segment();
    let second = walk_batches(&bytes)[1].position;
    bytes[second + 8..second + 12].copy_from_slice(&5i32.to_be_bytes());
    std::fs::write(&path, &bytes).expect("write");
    let output = dump_file(&path, &[]);
    assert_fails_cleanly(
        &output,
        &format!(
            "Found record size 5 smaller than minimum record overhead (14) in file {}.",
            path.display()
        ),
    );
}

#[test]
fn garbage_and_wrong_kind_files_fail_without_panicking() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An index renamed to .log: the first "size" field is small or the batch is garbage.
    let mut index = Vec::new();
    for (rel, pos) in [(0i32, 0i32), (5, 4096), (9, 8192)] {
        index.extend_from_slice(&rel.to_be_bytes());
        index.extend_from_slice(&pos.to_be_bytes());
    }
    let wrong_kind = segment_path(dir.path(), 0, ".log");
    std::fs::write(&wrong_kind, &index).expect("write");
    let output = dump_file(&wrong_kind, &["--deep-iteration"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"));

    // A plausible frame with magic 2 but a length below the v2 header.
    let mut garbage = vec![0u8; 40];
    garbage[8..12].copy_from_slice(&20i32.to_be_bytes());
    garbage[16] = 2;
    let path = segment_path(dir.path(), 100, ".log");
    std::fs::write(&path, &garbage).expect("write");
    let output = dump_file(&path, &[]);
    assert_fails_cleanly(&output, "batch at position 0");

    // Magic 7: no such format.
    garbage[16] = 7;
    std::fs::write(&path, &garbage).expect("write");
    assert_fails_cleanly(&dump_file(&path, &[]), "magic 7");
}

#[test]
fn unknown_suffix_is_ignored_like_kafka() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("leader-epoch-checkpoint");
    std::fs::write(&path, b"0\n0\n").expect("write");
    let output = assert_finding(
        &path,
        &[],
        &format!("Ignoring unknown file {}", path.display()),
    );
    assert_eq!(
        stdout_lines(&output),
        vec![format!("Dumping {}", path.display())]
    );
}

#[test]
fn a_failure_exits_1_even_beside_a_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let unknown = dir.path().join("leader-epoch-checkpoint");
    std::fs::write(&unknown, b"0\n").expect("write");
    let missing = segment_path(dir.path(), 0, ".log");
    let files = format!("{},{}", unknown.display(), missing.display());
    let output = support::dump_log(&["--files", &files]);
    assert_fails_cleanly(&output, "cannot open");
    assert!(stderr(&output).contains("Ignoring unknown file"));
}

#[test]
fn bad_names_and_directories_fail_with_a_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = dir.path().join("segment.log");
    std::fs::write(&name, good_segment()).expect("write");
    assert_fails_cleanly(&dump_file(&name, &[]), "does not start with an offset");
    let snapshot = dir.path().join("100-1.checkpoint");
    std::fs::write(&snapshot, good_segment()).expect("write");
    assert_fails_cleanly(&dump_file(&snapshot, &[]), "is not a snapshot file name");
    let as_dir = dir.path().join("00000000000000000000.log");
    std::fs::create_dir(&as_dir).expect("mkdir");
    assert_fails_cleanly(&dump_file(&as_dir, &[]), "directory");
}

#[test]
fn corrupt_producer_snapshot_gets_kafkas_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment_path(dir.path(), 7, ".snapshot");
    let mut file = 1i16.to_be_bytes().to_vec();
    file.extend_from_slice(&0u32.to_be_bytes());
    file.extend_from_slice(&0i32.to_be_bytes());
    std::fs::write(&path, &file).expect("write");
    let computed = crc32c::crc32c(&0i32.to_be_bytes());
    assert_fails_cleanly(
        &dump_file(&path, &[]),
        &format!(
            "Snapshot is corrupt (CRC is no longer valid). Stored crc: 0. Computed crc: {computed}"
        ),
    );
    file[1] = 9;
    std::fs::write(&path, &file).expect("write");
    assert_fails_cleanly(
        &dump_file(&path, &[]),
        "Snapshot failed schema validation: Snapshot contained an unknown file version 9",
    );
    std::fs::write(&path, [0u8, 1, 0]).expect("write");
    assert_fails_cleanly(&dump_file(&path, &[]), "Snapshot failed schema validation");
}

#[test]
fn txn_index_with_a_future_version_fails_like_kafka() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment_path(dir.path(), 0, ".txnindex");
    let mut entry = 1i16.to_be_bytes().to_vec();
    entry.extend_from_slice(&[0u8; 32]);
    std::fs::write(&path, &entry).expect("write");
    assert_fails_cleanly(
        &dump_file(&path, &[]),
        "Unexpected aborted transaction version 1 in transaction index ",
    );
}

#[test]
fn index_pointing_at_the_wrong_batch_is_a_kafka_mismatch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = good_segment();
    std::fs::write(segment_path(dir.path(), 0, ".log"), &bytes).expect("write");
    let walked = walk_batches(&bytes);
    // Entry (offset 2, position of batch 1) is wrong: batch 1 ends at offset 1.
    let mut index = Vec::new();
    for (rel, pos) in [(0i32, 0usize), (2, walked[1].position)] {
        index.extend_from_slice(&rel.to_be_bytes());
        index.extend_from_slice(&(pos as i32).to_be_bytes());
    }
    let path = segment_path(dir.path(), 0, ".index");
    std::fs::write(&path, &index).expect("write");
    let output = assert_finding(
        &path,
        &[],
        &format!(
            "Mismatches in :{}\n  Index offset: 2, log offset: 1\n",
            path.display()
        ),
    );
    assert_eq!(
        stdout_lines(&output),
        vec![
            format!("Dumping {}", path.display()),
            "offset: 0 position: 0".to_string(),
            format!("offset: 2 position: {}", walked[1].position),
        ]
    );
    // A 10-byte index fails Kafka's sanity check.
    std::fs::write(&path, &index[..10]).expect("write");
    assert_fails_cleanly(
        &dump_file(&path, &["--index-sanity-check"]),
        &format!(
            "Index file {} is corrupt, found 10 bytes which is neither positive nor a multiple of 8",
            path.display()
        ),
    );
}

#[test]
fn time_index_errors_are_reported_in_kafkas_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = good_segment();
    std::fs::write(segment_path(dir.path(), 0, ".log"), &bytes).expect("write");
    // (T0+1, 1) is right; (T0+9, 2) has the wrong timestamp; (T0, 5) names no batch's offset.
    let mut index = Vec::new();
    for (ts, rel) in [(T0 + 1, 1i32), (T0 + 9, 2), (T0, 5)] {
        index.extend_from_slice(&ts.to_be_bytes());
        index.extend_from_slice(&rel.to_be_bytes());
    }
    let path = segment_path(dir.path(), 0, ".timeindex");
    std::fs::write(&path, &index).expect("write");
    let output = assert_finding(
        &path,
        &[],
        &format!(
            "Found timestamp mismatch in :{p}\n  Index timestamp: {}, log timestamp: {}\n",
            T0 + 9,
            T0 + 2,
            p = path.display()
        ),
    );
    assert_eq!(stdout_lines(&output).len(), 4);
    assert!(stderr(&output).contains(
        "The following indexed offsets are not found in the log.\nIndexed offset: 5, found log offset: -1\n"
    ));
}

#[test]
fn non_consecutive_offsets_are_reported_newest_first_like_kafka() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = Vec::new();
    for base in [0i64, 5, 9] {
        hand_batch(
            &mut bytes,
            base,
            0,
            0,
            T0,
            (-1, -1, -1),
            &[(0, 0, None, Some(b"v"), &[])],
        );
    }
    let path = segment_path(dir.path(), 0, ".log");
    std::fs::write(&path, &bytes).expect("write");
    assert_finding(
        &path,
        &["--deep-iteration"],
        &format!(
            "Non-consecutive offsets in {}\n  5 is followed by 9\n  0 is followed by 5\n",
            path.display()
        ),
    );
}

#[test]
fn dumping_never_changes_the_files_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = good_segment();
    let log = segment_path(dir.path(), 0, ".log");
    std::fs::write(&log, &bytes).expect("write");
    // An empty index: Kafka's reader would preallocate a writable one; ours must not touch it.
    let index = segment_path(dir.path(), 0, ".index");
    std::fs::write(&index, b"").expect("write");
    let time_index = segment_path(dir.path(), 0, ".timeindex");
    std::fs::write(&time_index, b"").expect("write");
    let before: Vec<_> = [&log, &index, &time_index]
        .iter()
        .map(|p| {
            (
                std::fs::read(p).expect("read"),
                std::fs::metadata(p)
                    .expect("stat")
                    .modified()
                    .expect("mtime"),
            )
        })
        .collect();
    let files = format!(
        "{},{},{}",
        log.display(),
        index.display(),
        time_index.display()
    );
    let output = support::dump_log(&["--files", &files, "--print-data-log"]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    assert!(stdout_lines(&output).contains(&format!("{} is empty.", index.display())));
    let after: Vec<_> = [&log, &index, &time_index]
        .iter()
        .map(|p| {
            (
                std::fs::read(p).expect("read"),
                std::fs::metadata(p)
                    .expect("stat")
                    .modified()
                    .expect("mtime"),
            )
        })
        .collect();
    assert_eq!(before, after);
    // The time index's missing sibling index was not created either.
    let lone = segment_path(dir.path(), 0, ".timeindex");
    std::fs::remove_file(&index).expect("rm");
    let _ = support::dump_file(&lone, &[]);
    assert!(!index.exists());
}

#[test]
fn an_unloadable_decoder_class_is_a_usage_error() {
    let output = support::dump_log(&[
        "--files",
        "x.log",
        "--value-decoder-class",
        "com.example.Custom",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot be loaded"));
    let output = support::dump_log(&[]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn help_documents_the_fail_on_findings_flag() {
    let output = support::dump_log(&["--help"]);
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("--fail-on-findings"), "{help}");
    assert!(help.contains("exit status is 0"), "{help}");
}
