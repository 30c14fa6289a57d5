//! `strata dump-log` on tiered segments read straight from the object store by URL (Strata's
//! extension), here through `file://` URLs and the remote tier's object naming
//! `<base offset:020>-<segment id>.<suffix>`.

#[path = "dump_log_support.rs"]
mod support;

use support::{dump_log, hand_batch, stderr, stdout_lines, walk_batches};

const T0: i64 = 1_700_000_000_000;

#[test]
fn tiered_segment_by_url_dumps_like_the_same_bytes_on_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = Vec::new();
    for base in [100i64, 102] {
        hand_batch(
            &mut bytes,
            base,
            2,
            0,
            T0,
            (-1, -1, -1),
            &[
                (0, 0, Some(b"k"), Some(b"v"), &[]),
                (1, 1, None, Some(b"w"), &[]),
            ],
        );
    }
    let id = "5f0c6a56-6f2a-4f43-9d0b-3d1a2b3c4d5e";
    let remote_log = dir.path().join(format!("00000000000000000100-{id}.log"));
    std::fs::write(&remote_log, &bytes).expect("write");
    let walked = walk_batches(&bytes);
    let mut index = Vec::new();
    for batch in &walked {
        index.extend_from_slice(&((batch.last_offset - 100) as i32).to_be_bytes());
        index.extend_from_slice(&(batch.position as i32).to_be_bytes());
    }
    std::fs::write(
        dir.path().join(format!("00000000000000000100-{id}.index")),
        &index,
    )
    .expect("write");
    let local_log = dir.path().join("00000000000000000100.log");
    std::fs::write(&local_log, &bytes).expect("write");

    let log_url = format!("file://{}", remote_log.display());
    let index_url = log_url.replace(".log", ".index");
    let output = dump_log(&[
        "--files",
        &format!("{log_url},{index_url}"),
        "--print-data-log",
    ]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let remote = stdout_lines(&output);
    let local = stdout_lines(&dump_log(&[
        "--files",
        local_log.to_str().expect("utf-8"),
        "--print-data-log",
    ]));
    assert_eq!(remote[0], format!("Dumping {log_url}"));
    assert_eq!(remote[1], "Log starting offset: 100");
    assert_eq!(remote[1..local.len()], local[1..]);
    assert_eq!(
        remote[local.len()..],
        [
            format!("Dumping {index_url}"),
            format!("offset: 101 position: {}", walked[0].position),
            format!("offset: 103 position: {}", walked[1].position),
        ]
    );

    let missing = format!(
        "file://{}/00000000000000000200-{id}.log",
        dir.path().display()
    );
    let output = dump_log(&["--files", &missing]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no such object"),
        "{}",
        stderr(&output)
    );
    let output = dump_log(&["--files", "ftp://host/00000000000000000000.log"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("only s3:// and file:// URLs"),
        "{}",
        stderr(&output)
    );
}
