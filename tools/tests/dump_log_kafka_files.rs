//! `strata dump-log` on a segment written by Apache Kafka's own record encoder (kafka-clients
//! 4.3.0, see `fixtures/dump_log/KafkaWrittenSegment.java`): every codec, idempotent and
//! transactional batches, LogAppendTime, COMMIT/ABORT markers, a LeaderChange record and magic 0/1
//! messages. The expected text was printed by that program with DumpLogSegments' strings over
//! kafka-clients' own accessors, so it is Kafka's view of Kafka's bytes.

#[path = "dump_log_support.rs"]
mod support;

use std::path::PathBuf;

use support::{assert_lines, dump_file, stderr, stdout_lines};

fn fixture() -> (PathBuf, Vec<String>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dump_log/kafka-clients-4.3.0");
    let log = dir.join("00000000000000000000.log");
    let expected = std::fs::read_to_string(dir.join("00000000000000000000.log.expected"))
        .expect("expected output fixture")
        .lines()
        .map(str::to_string)
        .collect();
    (log, expected)
}

#[test]
fn kafka_written_segment_dumps_exactly_as_kafka_prints_it() {
    let (log, expected) = fixture();
    let output = dump_file(&log, &["--print-data-log"]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let mut lines = vec![format!("Dumping {}", log.display())];
    lines.extend(expected);
    assert_lines(&stdout_lines(&output), &lines);
}

#[test]
fn kafka_written_segment_shallow_dump_prints_only_batch_lines() {
    let (log, expected) = fixture();
    let output = dump_file(&log, &[]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let mut lines = vec![format!("Dumping {}", log.display())];
    lines.extend(expected.into_iter().filter(|l| !l.starts_with("| ")));
    assert_lines(&stdout_lines(&output), &lines);
}
