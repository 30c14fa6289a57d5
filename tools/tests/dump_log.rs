//! Golden tests of `strata dump-log`: files written by Strata's own storage writer, and files
//! assembled byte by byte from Kafka's documented formats, dumped by the real binary and
//! compared line by line with Kafka's output lines.

#[path = "dump_log_support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use strata_protocol::compression::{Compression, ALL_COMPRESSIONS};
use strata_protocol::control::{ControlRecord, ControlRecordType, EndTxnMarker};
use strata_protocol::record_batch::RecordBatchBuilder;
use strata_storage::{Log, LogConfig, ManualClock, TopicPartition};
use support::{assert_lines, dump_file, hand_batch, stderr, stdout_lines, walk_batches};

const T0: i64 = 1_700_000_000_000;
const LEADER_EPOCH: i32 = 5;

/// What the test appended, batch by batch, to derive Kafka's expected lines.
struct Expected {
    batch_fields: Vec<String>,
    records: Vec<Vec<String>>,
}

fn segment(dir: &Path, base: i64, suffix: &str) -> PathBuf {
    dir.join(format!("{base:020}{suffix}"))
}

/// Writes a partition with Strata's `Log`: one batch per codec (keys, values, headers), two
/// idempotent batches (with a null key and a null value), a transactional batch and its COMMIT
/// marker (appended as replicated data, as markers arrive).
fn write_strata_partition(dir: &Path) -> Expected {
    let config = LogConfig {
        index_interval_bytes: 1,
        ..LogConfig::default()
    };
    let log = Log::open(
        dir.to_path_buf(),
        TopicPartition::new("golden", 0),
        uuid::Uuid::nil(),
        config,
        0,
        0,
        Arc::new(ManualClock::new(T0 + 1_000)),
    )
    .expect("open log");
    let mut expected = Expected {
        batch_fields: Vec::new(),
        records: Vec::new(),
    };
    let plain = |first: i64,
                 count: i64,
                 seq: i32,
                 pid: i64,
                 epoch: i16,
                 txn: bool,
                 control: bool| {
        let last_seq = if seq < 0 { -1 } else { seq + count as i32 - 1 };
        format!(
            "baseOffset: {first} lastOffset: {} count: {count} baseSequence: {seq} lastSequence: {last_seq} \
             producerId: {pid} producerEpoch: {epoch} partitionLeaderEpoch: {LEADER_EPOCH} isTransactional: {txn} \
             isControl: {control} deleteHorizonMs: OptionalLong.empty",
            first + count - 1
        )
    };
    let mut offset = 0i64;
    for (i, codec) in ALL_COMPRESSIONS.into_iter().enumerate() {
        let mut builder = RecordBatchBuilder::new(0, codec);
        let mut lines = Vec::new();
        for j in 0..3i64 {
            let ts = T0 + 10 * i as i64 + j;
            let key = format!("k{j}");
            let value = format!("{}-v{j}", codec.name());
            let headers: &[(&str, Option<&[u8]>)] = if j == 1 {
                &[("h1", Some(b"x")), ("h2", None)]
            } else {
                &[]
            };
            builder.append(ts, Some(key.as_bytes()), Some(value.as_bytes()), headers);
            lines.push(format!(
                "| offset: {} CreateTime: {ts} keySize: 2 valueSize: {} sequence: -1 headerKeys: [{}] key: {key} payload: {value}",
                offset + j,
                value.len(),
                if j == 1 { "h1,h2" } else { "" }
            ));
        }
        log.append_as_leader(builder.build().expect("build"), LEADER_EPOCH)
            .expect("append");
        expected
            .batch_fields
            .push(plain(offset, 3, -1, -1, -1, false, false));
        expected.records.push(lines);
        offset += 3;
    }
    // Idempotent batches: sequences 0-1 then 2-3 of producer 1000.
    for (seq, ts) in [(0, T0 + 100), (2, T0 + 110)] {
        let mut builder = RecordBatchBuilder::new(0, Compression::None).producer(1000, 0, seq);
        builder.append(ts, None, Some(b"p0"), &[]);
        builder.append(ts + 1, Some(b"pk"), None, &[]);
        log.append_as_leader(builder.build().expect("build"), LEADER_EPOCH)
            .expect("append idempotent");
        expected
            .batch_fields
            .push(plain(offset, 2, seq, 1000, 0, false, false));
        expected.records.push(vec![
            format!("| offset: {offset} CreateTime: {ts} keySize: -1 valueSize: 2 sequence: {seq} headerKeys: [] payload: p0"),
            format!(
                "| offset: {} CreateTime: {} keySize: 2 valueSize: -1 sequence: {} headerKeys: [] key: pk",
                offset + 1,
                ts + 1,
                seq + 1
            ),
        ]);
        offset += 2;
    }
    // A transaction of producer 2000 and its COMMIT marker.
    let mut builder = RecordBatchBuilder::new(0, Compression::None)
        .producer(2000, 1, 0)
        .transactional(true);
    builder.append(T0 + 200, Some(b"tk"), Some(b"tv"), &[]);
    log.append_as_leader(builder.build().expect("build"), LEADER_EPOCH)
        .expect("append transactional");
    expected
        .batch_fields
        .push(plain(offset, 1, 0, 2000, 1, true, false));
    expected.records.push(vec![format!(
        "| offset: {offset} CreateTime: {} keySize: 2 valueSize: 2 sequence: 0 headerKeys: [] key: tk payload: tv",
        T0 + 200
    )]);
    offset += 1;
    let marker = ControlRecord::Commit(EndTxnMarker {
        coordinator_epoch: 7,
    });
    let mut builder = RecordBatchBuilder::new(offset, Compression::None)
        .producer(2000, 1, -1)
        .transactional(true)
        .control(true)
        .partition_leader_epoch(LEADER_EPOCH);
    builder.append(
        T0 + 300,
        Some(&ControlRecordType::Commit.key()),
        Some(&marker.encode_value()),
        &[],
    );
    log.append_as_follower(&builder.build().expect("build marker"))
        .expect("append marker");
    expected
        .batch_fields
        .push(plain(offset, 1, -1, 2000, 1, true, true));
    expected.records.push(vec![format!(
        "| offset: {offset} CreateTime: {} keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: COMMIT coordinatorEpoch: 7",
        T0 + 300
    )]);
    log.close().expect("close");
    expected
}

fn batch_line(fields: &str, walked: &support::WalkedBatch, codec: &str) -> String {
    format!(
        "{fields} position: {} CreateTime: {} size: {} magic: 2 compresscodec: {codec} crc: {} isvalid: true",
        walked.position, walked.max_timestamp, walked.size, walked.crc
    )
}

fn codec_of(n: usize) -> &'static str {
    ALL_COMPRESSIONS.get(n).map_or("none", |c| c.name())
}

#[test]
fn strata_segment_with_every_codec_and_batch_kind_dumps_kafka_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let expected = write_strata_partition(dir.path());
    let log_path = segment(dir.path(), 0, ".log");
    let bytes = std::fs::read(&log_path).expect("read log");
    let walked = walk_batches(&bytes);
    assert_eq!(walked.len(), expected.batch_fields.len());

    // Shallow: batch lines only.
    let output = dump_file(&log_path, &[]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let mut lines = vec![
        format!("Dumping {}", log_path.display()),
        "Log starting offset: 0".to_string(),
    ];
    for (n, fields) in expected.batch_fields.iter().enumerate() {
        lines.push(batch_line(fields, &walked[n], codec_of(n)));
    }
    assert_lines(&stdout_lines(&output), &lines);

    // Deep with data: every record, every codec decoded, the marker as Kafka prints it.
    let output = dump_file(&log_path, &["--print-data-log"]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let mut lines = vec![
        format!("Dumping {}", log_path.display()),
        "Log starting offset: 0".to_string(),
    ];
    for (n, fields) in expected.batch_fields.iter().enumerate() {
        lines.push(batch_line(fields, &walked[n], codec_of(n)));
        lines.extend(expected.records[n].iter().cloned());
    }
    assert_lines(&stdout_lines(&output), &lines);
    assert_eq!(stderr(&output), "");
}

#[test]
fn strata_indexes_and_producer_snapshot_dump_and_verify_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_strata_partition(dir.path());
    let log_bytes = std::fs::read(segment(dir.path(), 0, ".log")).expect("read log");
    let walked = walk_batches(&log_bytes);

    // Offset index: entries as Kafka's layout says, each at a batch whose last offset it names.
    let index_path = segment(dir.path(), 0, ".index");
    let raw = std::fs::read(&index_path).expect("read index");
    let mut lines = vec![format!("Dumping {}", index_path.display())];
    for (n, entry) in raw.chunks_exact(8).enumerate() {
        let rel = i32::from_be_bytes(entry[..4].try_into().expect("4"));
        let pos = i32::from_be_bytes(entry[4..].try_into().expect("4"));
        if rel == 0 && n > 0 {
            break;
        }
        let batch = walked
            .iter()
            .find(|b| b.position == pos as usize)
            .expect("index entries point at batches");
        assert_eq!(batch.last_offset, i64::from(rel));
        lines.push(format!("offset: {rel} position: {pos}"));
    }
    assert!(lines.len() > 2, "the index has entries");
    let output = dump_file(&index_path, &[]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    assert_lines(&stdout_lines(&output), &lines);

    let output = dump_file(&index_path, &["--verify-index-only"]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    assert_lines(&stdout_lines(&output), &lines[..1]);
    let output = dump_file(&index_path, &["--index-sanity-check"]);
    assert_lines(
        &stdout_lines(&output),
        &[
            format!("Dumping {}", index_path.display()),
            format!("{} passed sanity check.", index_path.display()),
        ],
    );

    // Time index.
    let time_path = segment(dir.path(), 0, ".timeindex");
    let raw = std::fs::read(&time_path).expect("read time index");
    let mut lines = vec![format!("Dumping {}", time_path.display())];
    for (n, entry) in raw.chunks_exact(12).enumerate() {
        let ts = i64::from_be_bytes(entry[..8].try_into().expect("8"));
        let rel = i32::from_be_bytes(entry[8..].try_into().expect("4"));
        if rel == 0 && n > 0 {
            break;
        }
        lines.push(format!("timestamp: {ts} offset: {rel}"));
    }
    assert!(lines.len() > 1, "the time index has entries");
    let output = dump_file(&time_path, &[]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    assert_lines(&stdout_lines(&output), &lines);

    // Producer snapshot at the log end (21): Kafka's line per producer, ordered by id.
    let snapshot = segment(dir.path(), 21, ".snapshot");
    let output = dump_file(&snapshot, &[]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let lines = stdout_lines(&output);
    assert_eq!(lines[0], format!("Dumping {}", snapshot.display()));
    assert_eq!(
        lines[1],
        format!(
            "producerId: 1000 producerEpoch: 0 coordinatorEpoch: -1 currentTxnFirstOffset: OptionalLong.empty \
             lastTimestamp: {ts} firstSequence: 2 lastSequence: 3 lastOffset: 18 offsetDelta: 1 timestamp: {ts}",
            ts = T0 + 111
        )
    );
    // The coordinator epoch is whatever storage recorded from the COMMIT marker (Kafka records
    // the marker's, 7); the dump prints the snapshot's field as it is.
    let (head, tail) = lines[2]
        .split_once(" currentTxnFirstOffset: ")
        .expect("producer line");
    assert!(
        head.starts_with("producerId: 2000 producerEpoch: 1 coordinatorEpoch: "),
        "{head}"
    );
    assert_eq!(
        tail,
        format!(
            "OptionalLong.empty lastTimestamp: {ts} firstSequence: 0 lastSequence: 0 lastOffset: 19 offsetDelta: 0 timestamp: {ts}",
            ts = T0 + 300
        )
    );
    assert_eq!(lines.len(), 3);
}

#[test]
fn strata_segment_json_and_hex_and_skip_metadata_variants() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_strata_partition(dir.path());
    let log_path = segment(dir.path(), 0, ".log");

    let output = dump_file(
        &log_path,
        &["--print-data-log", "--skip-record-metadata", "--hex"],
    );
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let lines = stdout_lines(&output);
    // "k0" = 6b30, "none-v0" = 6e6f6e652d7630; a null key leaves only the payload.
    assert_eq!(lines[3], "| key: 6b30 payload: 6e6f6e652d7630");
    assert!(lines.contains(&" payload: 7030".to_string()), "{lines:?}");
    assert!(lines.contains(&"| key: 706b".to_string()), "{lines:?}");
    // The control record's line is empty when its metadata is skipped (as in Kafka).
    assert_eq!(lines.last().map(String::as_str), Some(""));

    let output = dump_file(&log_path, &["--print-data-log", "--json"]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let values: Vec<serde_json::Value> = stdout_lines(&output)
        .iter()
        .map(|l| serde_json::from_str(l).expect("every --json line is JSON"))
        .collect();
    assert_eq!(values[0]["type"], "file");
    assert_eq!(values[1]["type"], "log_start");
    assert_eq!(values[2]["type"], "batch");
    assert_eq!(values[2]["compresscodec"], "none");
    assert_eq!(values[2]["isValid"], true);
    assert_eq!(values[3]["type"], "record");
    assert_eq!(values[3]["key"], "k0");
    assert_eq!(values[3]["payload"], "none-v0");
    let marker = values.last().expect("lines");
    assert_eq!(marker["control"]["type"], "COMMIT");
    assert_eq!(marker["control"]["coordinatorEpoch"], 7);
}

/// A segment assembled byte by byte: a CreateTime batch with headers and a null value, a
/// LogAppendTime batch, a transactional ABORT marker, and KRaft control records (snapshot
/// header, KRaft version, voters, leader change, snapshot footer, an unknown type).
fn hand_segment() -> Vec<u8> {
    let mut out = Vec::new();
    hand_batch(
        &mut out,
        0,
        3,
        0,
        T0,
        (-1, -1, -1),
        &[
            (0, 0, Some(b"a"), Some(b"hello"), &[("trace", Some(b"1"))]),
            (1, 5, Some(b"b"), None, &[]),
        ],
    );
    // LogAppendTime (attribute bit 3): records take the batch MaxTimestamp.
    hand_batch(
        &mut out,
        2,
        3,
        0x08,
        T0 + 50,
        (-1, -1, -1),
        &[(0, 0, None, Some(b"x"), &[])],
    );
    // Transactional (bit 4) + control (bit 5) ABORT marker: key 0,0 / value version 0, epoch 9.
    hand_batch(
        &mut out,
        3,
        3,
        0x30,
        T0 + 60,
        (77, 2, -1),
        &[(0, 0, Some(&[0, 0, 0, 0]), Some(&[0, 0, 0, 0, 0, 9]), &[])],
    );
    // KRaft control batch. Values are flexible messages: tagged-field count 0 at the end.
    let header = [0u8, 0, 0, 0, 0, 0, 0, 0, 0, 123, 0];
    let kraft_version = [0u8, 0, 0, 1, 0];
    let mut voters = vec![0u8, 0, 2]; // version 0, compact array of 1 voter
    voters.extend_from_slice(&1i32.to_be_bytes());
    voters.extend_from_slice(&[0x11; 16]); // directory id
    voters.push(2); // one endpoint
    voters.extend_from_slice(&[11]);
    voters.extend_from_slice(b"CONTROLLER");
    voters.extend_from_slice(&[10]);
    voters.extend_from_slice(b"localhost");
    voters.extend_from_slice(&9093u16.to_be_bytes());
    voters.push(0); // endpoint tags
    voters.extend_from_slice(&0i16.to_be_bytes());
    voters.extend_from_slice(&1i16.to_be_bytes());
    voters.push(0); // feature struct tags
    voters.push(0); // voter tags
    voters.push(0); // record tags
    let leader_change = [0u8, 0, 0, 0, 0, 1, 2, 0, 0, 0, 1, 0, 2, 0, 0, 0, 1, 0, 0];
    let footer = [0u8, 0, 0];
    hand_batch(
        &mut out,
        4,
        3,
        0x20,
        T0 + 70,
        (-1, -1, -1),
        &[
            (0, 0, Some(&[0, 0, 0, 3]), Some(&header), &[]),
            (1, 0, Some(&[0, 0, 0, 5]), Some(&kraft_version), &[]),
            (2, 0, Some(&[0, 0, 0, 6]), Some(&voters), &[]),
            (3, 0, Some(&[0, 0, 0, 2]), Some(&leader_change), &[]),
            (4, 0, Some(&[0, 0, 0, 4]), Some(&footer), &[]),
            (5, 0, Some(&[0, 0, 0, 42]), Some(&[]), &[]),
        ],
    );
    out
}

#[test]
fn hand_assembled_segment_dumps_kafka_lines_for_every_control_type() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment(dir.path(), 0, ".log");
    let bytes = hand_segment();
    std::fs::write(&path, &bytes).expect("write");
    let w = walk_batches(&bytes);
    // The voters value is the third record of the last batch: 55 bytes (see hand_segment).
    let voters_len = 3 + 4 + 16 + 1 + 11 + 10 + 2 + 1 + 2 + 2 + 1 + 1 + 1;
    let output = dump_file(&path, &["--print-data-log"]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let dir_id = "EREREREREREREREREREREQ"; // base64url of sixteen 0x11 bytes
    let expected = vec![
        format!("Dumping {}", path.display()),
        "Log starting offset: 0".to_string(),
        format!(
            "baseOffset: 0 lastOffset: 1 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 \
             partitionLeaderEpoch: 3 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty \
             position: 0 CreateTime: {} size: {} magic: 2 compresscodec: none crc: {} isvalid: true",
            T0 + 5, w[0].size, w[0].crc
        ),
        format!("| offset: 0 CreateTime: {T0} keySize: 1 valueSize: 5 sequence: -1 headerKeys: [trace] key: a payload: hello"),
        format!("| offset: 1 CreateTime: {} keySize: 1 valueSize: -1 sequence: -1 headerKeys: [] key: b", T0 + 5),
        format!(
            "baseOffset: 2 lastOffset: 2 count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 \
             partitionLeaderEpoch: 3 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty \
             position: {} LogAppendTime: {} size: {} magic: 2 compresscodec: none crc: {} isvalid: true",
            w[1].position, T0 + 50, w[1].size, w[1].crc
        ),
        format!("| offset: 2 LogAppendTime: {} keySize: -1 valueSize: 1 sequence: -1 headerKeys: [] payload: x", T0 + 50),
        format!(
            "baseOffset: 3 lastOffset: 3 count: 1 baseSequence: -1 lastSequence: -1 producerId: 77 producerEpoch: 2 \
             partitionLeaderEpoch: 3 isTransactional: true isControl: true deleteHorizonMs: OptionalLong.empty \
             position: {} CreateTime: {} size: {} magic: 2 compresscodec: none crc: {} isvalid: true",
            w[2].position, T0 + 60, w[2].size, w[2].crc
        ),
        format!("| offset: 3 CreateTime: {} keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: ABORT coordinatorEpoch: 9", T0 + 60),
        format!(
            "baseOffset: 4 lastOffset: 9 count: 6 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 \
             partitionLeaderEpoch: 3 isTransactional: false isControl: true deleteHorizonMs: OptionalLong.empty \
             position: {} CreateTime: {} size: {} magic: 2 compresscodec: none crc: {} isvalid: true",
            w[3].position, T0 + 70, w[3].size, w[3].crc
        ),
        format!("| offset: 4 CreateTime: {} keySize: 4 valueSize: 11 sequence: -1 headerKeys: [] SnapshotHeader {{\"version\":0,\"lastContainedLogTimestamp\":123}}", T0 + 70),
        format!("| offset: 5 CreateTime: {} keySize: 4 valueSize: 5 sequence: -1 headerKeys: [] KRaftVersion {{\"version\":0,\"kRaftVersion\":1}}", T0 + 70),
        format!(
            "| offset: 6 CreateTime: {} keySize: 4 valueSize: {} sequence: -1 headerKeys: [] KRaftVoters {{\"version\":0,\"voters\":[{{\"voterId\":1,\
             \"voterDirectoryId\":\"{dir_id}\",\"endpoints\":[{{\"name\":\"CONTROLLER\",\"host\":\"localhost\",\"port\":9093}}],\
             \"kRaftVersionFeature\":{{\"minSupportedVersion\":0,\"maxSupportedVersion\":1}}}}]}}",
            T0 + 70,
            voters_len
        ),
        format!("| offset: 7 CreateTime: {} keySize: 4 valueSize: 19 sequence: -1 headerKeys: [] controlType: LEADER_CHANGE(2)", T0 + 70),
        format!("| offset: 8 CreateTime: {} keySize: 4 valueSize: 3 sequence: -1 headerKeys: [] SnapshotFooter {{\"version\":0}}", T0 + 70),
        format!("| offset: 9 CreateTime: {} keySize: 4 valueSize: 0 sequence: -1 headerKeys: [] controlType: UNKNOWN(42)", T0 + 70),
    ];
    assert_lines(&stdout_lines(&output), &expected);
}

#[test]
fn checkpoint_names_print_snapshot_id_or_bootstrap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = hand_segment();
    let snapshot = dir
        .path()
        .join("00000000000000000100-0000000001.checkpoint");
    let bootstrap = dir.path().join("bootstrap.checkpoint");
    std::fs::write(&snapshot, &bytes).expect("write");
    std::fs::write(&bootstrap, &bytes).expect("write");
    let files = format!("{},{}", snapshot.display(), bootstrap.display());
    let output = support::dump_log(&["--files", &files]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let lines = stdout_lines(&output);
    assert_eq!(lines[0], format!("Dumping {}", snapshot.display()));
    assert_eq!(lines[1], "Snapshot end offset: 100, epoch: 1");
    assert!(lines[2].starts_with("baseOffset: 0 lastOffset: 1 count: 2 "));
    let at = lines
        .iter()
        .position(|l| *l == format!("Dumping {}", bootstrap.display()))
        .expect("second file dumped");
    assert_eq!(lines[at + 1], "KRaft bootstrap snapshot");
}

#[test]
fn hand_assembled_producer_snapshot_and_txn_index_dump_kafka_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    // ProducerSnapshot v1: version, crc32c, count, entries (pid, epoch, lastSeq, lastOffset,
    // offsetDelta, timestamp, coordinatorEpoch, currentTxnFirstOffset).
    let mut body = Vec::new();
    body.extend_from_slice(&2i32.to_be_bytes());
    for (pid, epoch, last_seq, last_offset, delta, ts, coord, txn_first) in [
        (5i64, 1i16, 9i32, 40i64, 4i32, T0, -1i32, -1i64),
        (6, 0, -1, -1, 0, T0 + 1, 3, 41),
    ] {
        body.extend_from_slice(&pid.to_be_bytes());
        body.extend_from_slice(&epoch.to_be_bytes());
        body.extend_from_slice(&last_seq.to_be_bytes());
        body.extend_from_slice(&last_offset.to_be_bytes());
        body.extend_from_slice(&delta.to_be_bytes());
        body.extend_from_slice(&ts.to_be_bytes());
        body.extend_from_slice(&coord.to_be_bytes());
        body.extend_from_slice(&txn_first.to_be_bytes());
    }
    let mut file = 1i16.to_be_bytes().to_vec();
    file.extend_from_slice(&crc32c::crc32c(&body).to_be_bytes());
    file.extend_from_slice(&body);
    let snapshot = dir.path().join("00000000000000000042.snapshot");
    std::fs::write(&snapshot, &file).expect("write");

    let mut txn = Vec::new();
    for (pid, first, last, lso) in [(5i64, 10i64, 20i64, 8i64), (6, 30, 31, 30)] {
        txn.extend_from_slice(&0i16.to_be_bytes());
        for v in [pid, first, last, lso] {
            txn.extend_from_slice(&v.to_be_bytes());
        }
    }
    txn.extend_from_slice(&[0u8; 5]); // a partial tail entry is ignored, as in Kafka
    let txn_index = dir.path().join("00000000000000000000.txnindex");
    std::fs::write(&txn_index, &txn).expect("write");

    let files = format!("{},{}", snapshot.display(), txn_index.display());
    let output = support::dump_log(&["--files", &files]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    assert_lines(
        &stdout_lines(&output),
        &[
            format!("Dumping {}", snapshot.display()),
            format!(
                "producerId: 5 producerEpoch: 1 coordinatorEpoch: -1 currentTxnFirstOffset: OptionalLong.empty \
                 lastTimestamp: {T0} firstSequence: 5 lastSequence: 9 lastOffset: 40 offsetDelta: 4 timestamp: {T0}"
            ),
            format!(
                "producerId: 6 producerEpoch: 0 coordinatorEpoch: 3 currentTxnFirstOffset: OptionalLong[41] lastTimestamp: {} ",
                T0 + 1
            ),
            format!("Dumping {}", txn_index.display()),
            "version: 0 producerId: 5 firstOffset: 10 lastOffset: 20 lastStableOffset: 8".to_string(),
            "version: 0 producerId: 6 firstOffset: 30 lastOffset: 31 lastStableOffset: 30".to_string(),
        ],
    );

    // The same facts as JSON lines.
    let output = support::dump_log(&["--files", &files, "--json"]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let values: Vec<serde_json::Value> = stdout_lines(&output)
        .iter()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(values[1]["type"], "producer");
    assert_eq!(values[1]["firstSequence"], 5);
    assert_eq!(values[1]["currentTxnFirstOffset"], serde_json::Value::Null);
    assert_eq!(values[2]["currentTxnFirstOffset"], 41);
    assert!(values[2].get("firstSequence").is_none());
    assert_eq!(values[4]["type"], "aborted_txn");
    assert_eq!(values[5]["lastStableOffset"], 30);
}

#[test]
fn hand_assembled_magic_1_messages_dump_with_legacy_lines() {
    // Magic 1 message: offset, size, crc32 (over magic..end), magic, attributes, timestamp, key, value.
    fn message(offset: i64, attributes: u8, ts: i64, key: Option<&[u8]>, value: &[u8]) -> Vec<u8> {
        let mut body = vec![1u8, attributes];
        body.extend_from_slice(&ts.to_be_bytes());
        match key {
            Some(k) => {
                body.extend_from_slice(&(k.len() as i32).to_be_bytes());
                body.extend_from_slice(k);
            }
            None => body.extend_from_slice(&(-1i32).to_be_bytes()),
        }
        body.extend_from_slice(&(value.len() as i32).to_be_bytes());
        body.extend_from_slice(value);
        let mut crc = flate2::Crc::new();
        crc.update(&body);
        let mut out = offset.to_be_bytes().to_vec();
        out.extend_from_slice(&((4 + body.len()) as i32).to_be_bytes());
        out.extend_from_slice(&crc.sum().to_be_bytes());
        out.extend_from_slice(&body);
        out
    }
    let plain = message(0, 0, T0, Some(b"k"), b"v1");
    // A gzip wrapper of two inner messages with relative offsets 0 and 1, wrapper offset 2.
    let mut inner = message(0, 0, T0 + 1, None, b"i0");
    inner.extend_from_slice(&message(1, 0, T0 + 2, Some(b"ik"), b"i1"));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &inner).expect("gzip");
    let compressed = gz.finish().expect("gzip");
    let wrapper = message(2, 1, T0 + 2, None, &compressed);
    let mut bytes = plain.clone();
    bytes.extend_from_slice(&wrapper);

    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment(dir.path(), 0, ".log");
    std::fs::write(&path, &bytes).expect("write");
    let crc = |m: &[u8]| u32::from_be_bytes(m[12..16].try_into().expect("4"));
    let output = dump_file(&path, &["--print-data-log"]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    assert_lines(
        &stdout_lines(&output),
        &[
            format!("Dumping {}", path.display()),
            "Log starting offset: 0".to_string(),
            format!(
                "offset: 0 position: 0 CreateTime: {T0} size: {} magic: 1 compresscodec: none crc: {} isvalid: true",
                plain.len(),
                crc(&plain)
            ),
            format!("| offset: 0 CreateTime: {T0} keySize: 1 valueSize: 2 isValid: true crc: {}}} key: k payload: v1", crc(&plain)),
            format!(
                "offset: 2 position: {} CreateTime: {} size: {} magic: 1 compresscodec: gzip crc: {} isvalid: true",
                plain.len(),
                T0 + 2,
                wrapper.len(),
                crc(&wrapper)
            ),
            format!("| offset: 1 CreateTime: {} keySize: -1 valueSize: 2 isValid: true crc: {}}} payload: i0", T0 + 1, crc(&inner)),
            format!(
                "| offset: 2 CreateTime: {} keySize: 2 valueSize: 2 isValid: true crc: {}}} key: ik payload: i1",
                T0 + 2,
                crc(&inner[inner.len() - 38..])
            ),
        ],
    );
}

#[test]
fn delete_horizon_batches_print_it_as_java_optional_long() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment(dir.path(), 0, ".log");
    let mut bytes = Vec::new();
    // Attribute bit 6: the base timestamp is the delete horizon (compacted tombstones).
    hand_batch(
        &mut bytes,
        0,
        0,
        0x40,
        T0,
        (-1, -1, -1),
        &[(0, 0, Some(b"k"), None, &[])],
    );
    hand_batch(
        &mut bytes,
        1,
        0,
        0,
        T0,
        (-1, -1, -1),
        &[(0, 0, Some(b"k"), Some(b"v"), &[])],
    );
    std::fs::write(&path, &bytes).expect("write");
    let lines = stdout_lines(&dump_file(&path, &[]));
    assert!(
        lines[2].contains(" deleteHorizonMs: OptionalLong[1700000000000] position: 0 "),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains(" deleteHorizonMs: OptionalLong.empty position: "),
        "{}",
        lines[3]
    );
}
