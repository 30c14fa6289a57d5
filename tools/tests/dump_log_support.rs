//! Helpers shared by the dump-log tests: running the real binary and walking batch bytes
//! independently of the code under test (Kafka's documented v2 layout, read by hand).
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs `strata dump-log <args>`.
pub(crate) fn dump_log(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("dump-log")
        .args(args)
        .output()
        .expect("the strata binary runs")
}

/// Runs `strata dump-log --files <path> <extra>`.
pub(crate) fn dump_file(path: &Path, extra: &[&str]) -> Output {
    let path = path.to_str().expect("utf-8 temp path");
    let mut args = vec!["--files", path];
    args.extend_from_slice(extra);
    dump_log(&args)
}

/// Stdout lines.
pub(crate) fn stdout_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Stderr as text.
pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts two line lists are equal, showing the first difference.
pub(crate) fn assert_lines(actual: &[String], expected: &[String]) {
    for (n, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert_eq!(a, e, "line {n} differs");
    }
    assert_eq!(
        actual.len(),
        expected.len(),
        "line count differs:\nactual:\n{}\nexpected:\n{}",
        actual.join("\n"),
        expected.join("\n")
    );
}

/// What a hand walk of a v2 batch's header finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WalkedBatch {
    pub(crate) position: usize,
    pub(crate) size: usize,
    pub(crate) base_offset: i64,
    pub(crate) last_offset: i64,
    pub(crate) max_timestamp: i64,
    pub(crate) crc: u32,
}

/// Walks concatenated v2 batches by their length fields (big-endian, Kafka's layout).
pub(crate) fn walk_batches(bytes: &[u8]) -> Vec<WalkedBatch> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 61 <= bytes.len() {
        let be_i64 = |p: usize| i64::from_be_bytes(bytes[p..p + 8].try_into().expect("8"));
        let be_i32 = |p: usize| i32::from_be_bytes(bytes[p..p + 4].try_into().expect("4"));
        let size = 12 + be_i32(at + 8) as usize;
        let base_offset = be_i64(at);
        out.push(WalkedBatch {
            position: at,
            size,
            base_offset,
            last_offset: base_offset + i64::from(be_i32(at + 23)),
            max_timestamp: be_i64(at + 35),
            crc: be_i32(at + 17) as u32,
        });
        at += size;
    }
    out
}

/// One record of [`hand_batch`]: offset delta, timestamp delta, key, value, headers.
pub(crate) type HandRecord<'a> = (
    i32,
    i64,
    Option<&'a [u8]>,
    Option<&'a [u8]>,
    &'a [(&'a str, Option<&'a [u8]>)],
);

/// Appends a v2 batch assembled byte by byte from Kafka's documented layout (no Strata
/// encoder), records uncompressed.
#[allow(clippy::too_many_arguments)]
pub(crate) fn hand_batch(
    out: &mut Vec<u8>,
    base_offset: i64,
    partition_leader_epoch: i32,
    attributes: i16,
    base_timestamp: i64,
    producer: (i64, i16, i32),
    records: &[HandRecord<'_>],
) {
    fn varint(out: &mut Vec<u8>, v: i64) {
        let mut z = ((v << 1) ^ (v >> 63)) as u64;
        loop {
            let b = (z & 0x7f) as u8;
            z >>= 7;
            if z == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
    }
    fn bytes_field(out: &mut Vec<u8>, b: Option<&[u8]>) {
        match b {
            None => varint(out, -1),
            Some(b) => {
                varint(out, b.len() as i64);
                out.extend_from_slice(b);
            }
        }
    }
    let mut body = Vec::new();
    let mut max_ts = -1i64;
    let mut last_delta = 0;
    for (offset_delta, ts_delta, key, value, headers) in records {
        let mut rec = vec![0u8]; // attributes
        varint(&mut rec, *ts_delta);
        varint(&mut rec, i64::from(*offset_delta));
        bytes_field(&mut rec, *key);
        bytes_field(&mut rec, *value);
        varint(&mut rec, headers.len() as i64);
        for (hk, hv) in *headers {
            bytes_field(&mut rec, Some(hk.as_bytes()));
            bytes_field(&mut rec, *hv);
        }
        varint(&mut body, rec.len() as i64);
        body.extend_from_slice(&rec);
        max_ts = max_ts.max(base_timestamp + ts_delta);
        last_delta = *offset_delta;
    }
    let mut after_crc = Vec::new();
    after_crc.extend_from_slice(&attributes.to_be_bytes());
    after_crc.extend_from_slice(&last_delta.to_be_bytes());
    after_crc.extend_from_slice(&base_timestamp.to_be_bytes());
    after_crc.extend_from_slice(&max_ts.to_be_bytes());
    after_crc.extend_from_slice(&producer.0.to_be_bytes());
    after_crc.extend_from_slice(&producer.1.to_be_bytes());
    after_crc.extend_from_slice(&producer.2.to_be_bytes());
    after_crc.extend_from_slice(&(records.len() as i32).to_be_bytes());
    after_crc.extend_from_slice(&body);
    let crc = crc32c::crc32c(&after_crc);
    out.extend_from_slice(&base_offset.to_be_bytes());
    out.extend_from_slice(&((4 + 1 + 4 + after_crc.len()) as i32).to_be_bytes());
    out.extend_from_slice(&partition_leader_epoch.to_be_bytes());
    out.push(2);
    out.extend_from_slice(&crc.to_be_bytes());
    out.extend_from_slice(&after_crc);
}
