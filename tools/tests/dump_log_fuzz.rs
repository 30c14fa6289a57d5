//! Fuzz-style test of `strata dump-log`: thousands of random and mutated files of every kind,
//! dumped with every option set, must never make the binary panic (exit 101) or hang; every run
//! ends with status 0, 1 or 2. Files are batched into one run per few hundred so the test stays
//! fast; the seeds are fixed (proptest's deterministic runner) so failures reproduce.

#[path = "dump_log_support.rs"]
mod support;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

const T0: i64 = 1_700_000_000_000;
/// Files per binary run.
const FILES_PER_RUN: usize = 250;
/// Binary runs per option set.
const RUNS: usize = 4;

fn seed_segment() -> Vec<u8> {
    use strata_protocol::compression::ALL_COMPRESSIONS;
    use strata_protocol::record_batch::RecordBatchBuilder;
    let mut out = Vec::new();
    support::hand_batch(
        &mut out,
        0,
        1,
        0x30,
        T0,
        (9, 0, -1),
        &[(0, 0, Some(&[0, 0, 0, 1]), Some(&[0, 0, 0, 0, 0, 3]), &[])],
    );
    for (n, codec) in ALL_COMPRESSIONS.into_iter().enumerate() {
        let mut builder = RecordBatchBuilder::new(1 + n as i64 * 2, codec);
        builder.append(
            T0,
            Some(b"key"),
            Some(b"some value bytes"),
            &[("h", Some(b"v"))],
        );
        builder.append(T0 + 1, None, None, &[]);
        out.extend_from_slice(&builder.build().expect("build"));
    }
    out
}

fn mutate(seed: &[u8], edits: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for &(at, value) in edits {
        if !bytes.is_empty() {
            let at = at % bytes.len();
            bytes[at] = value;
        }
    }
    if let Some(cut) = cut {
        bytes.truncate(cut % (bytes.len() + 1));
    }
    bytes
}

/// A producer snapshot whose CRC is right, so the entries behind it get decoded: version 1,
/// then `noise` cut to whole 46-byte entries.
fn valid_crc_snapshot(noise: &[u8]) -> Vec<u8> {
    let entries = noise.len() / 46;
    let mut body = (entries as i32).to_be_bytes().to_vec();
    body.extend_from_slice(&noise[..entries * 46]);
    let mut out = 1i16.to_be_bytes().to_vec();
    out.extend_from_slice(&crc32c::crc32c(&body).to_be_bytes());
    out.extend_from_slice(&body);
    out
}

#[test]
fn random_and_mutated_files_never_panic_the_dump() {
    let seed = seed_segment();
    let suffixes = [
        ".log",
        ".index",
        ".timeindex",
        ".snapshot",
        ".txnindex",
        ".checkpoint",
    ];
    let option_sets: [&[&str]; 5] = [
        &["--print-data-log"],
        &[
            "--deep-iteration",
            "--skip-record-metadata",
            "--hex",
            "--json",
        ],
        &["--verify-index-only", "--max-message-size", "100"],
        &["--index-sanity-check"],
        &["--cluster-metadata-decoder", "--max-bytes", "300"],
    ];
    let file_strategy = (
        prop::bool::ANY,
        prop::collection::vec(any::<u8>(), 0..400),
        prop::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        prop::option::of(any::<usize>()),
        0..suffixes.len(),
    );
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let mut total = 0;
    for options in option_sets {
        for run in 0..RUNS {
            let dir = tempfile::tempdir().expect("tempdir");
            let mut names = Vec::with_capacity(FILES_PER_RUN);
            for n in 0..FILES_PER_RUN {
                let (random, noise, edits, cut, suffix) = file_strategy
                    .new_tree(&mut runner)
                    .expect("strategy")
                    .current();
                let mut bytes = if random {
                    noise
                } else {
                    mutate(&seed, &edits, cut)
                };
                if suffixes[suffix] == ".snapshot" && random {
                    bytes = valid_crc_snapshot(&bytes);
                }
                // Segment-like names so the index kinds find a sibling .log; some at the edges
                // of the offset range, where offset arithmetic overflows.
                let base = if suffixes[suffix] == ".checkpoint" {
                    format!("{:020}-{:010}", n, run)
                } else if n % 7 == 0 {
                    ["9223372036854775807", "-9223372036854775808", "-1"][n % 3].to_string()
                } else {
                    format!("{:020}", n % 50)
                };
                let path = dir.path().join(format!("{base}{}", suffixes[suffix]));
                std::fs::write(&path, &bytes).expect("write");
                names.push(path.display().to_string());
            }
            let files = names.join(",");
            let mut args = vec!["--files", files.as_str()];
            args.extend_from_slice(options);
            let output = support::dump_log(&args);
            let err = support::stderr(&output);
            assert!(
                matches!(output.status.code(), Some(0..=2)),
                "status {:?} with {options:?}: {err}",
                output.status
            );
            assert!(!err.contains("panicked"), "panic with {options:?}: {err}");
            total += FILES_PER_RUN;
        }
    }
    assert!(total >= 5_000);
}
