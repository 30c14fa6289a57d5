//! Dumps a `.txnindex` file: Kafka's `dumpTxnIndex`. Entries are 34 bytes (`AbortedTxn.java`):
//! `version int16 | producerId int64 | firstOffset int64 | lastOffset int64 |
//! lastStableOffset int64`; a shorter tail is ignored, as Kafka's reader ignores it. Storage has
//! no transaction index reader, so the entries are read here.

use std::path::Path;

use super::error::DumpError;
use super::findings::absolute;
use super::printer::{AbortedTxnLine, Printer};
use super::{offset_from_file_name, read_file};

/// Bytes of one aborted transaction entry.
const ABORTED_TXN_BYTES: usize = 34;
/// `AbortedTxn.CURRENT_VERSION`.
const ABORTED_TXN_VERSION: i16 = 0;

fn i64_at(bytes: &[u8], at: usize) -> i64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    i64::from_be_bytes(b)
}

/// Dumps one transaction index. Like Kafka, all entries are read before any is printed.
pub(crate) fn dump_txn_index(path: &Path, printer: &mut Printer) -> Result<(), DumpError> {
    // Kafka parses the base offset from the name even though the dump does not print it.
    offset_from_file_name(path)?;
    let bytes = read_file(path)?;
    let mut entries = Vec::with_capacity(bytes.len() / ABORTED_TXN_BYTES);
    for raw in bytes.chunks_exact(ABORTED_TXN_BYTES) {
        let version = i16::from_be_bytes([raw[0], raw[1]]);
        if version > ABORTED_TXN_VERSION {
            return Err(DumpError::Kafka(format!(
                "Unexpected aborted transaction version {version} in transaction index {}, current version is {ABORTED_TXN_VERSION}",
                absolute(path)
            )));
        }
        entries.push(AbortedTxnLine {
            version,
            producer_id: i64_at(raw, 2),
            first_offset: i64_at(raw, 10),
            last_offset: i64_at(raw, 18),
            last_stable_offset: i64_at(raw, 26),
        });
    }
    for entry in &entries {
        printer.aborted_txn(entry)?;
    }
    Ok(())
}
