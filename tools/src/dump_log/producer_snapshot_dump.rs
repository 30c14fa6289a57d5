//! Dumps a producer-state `.snapshot` file: Kafka's `dumpProducerIdSnapshot`.
//!
//! Layout (`ProducerSnapshot.json`, version 1): `version int16 | crc uint32 (CRC-32C of
//! everything after it) | entries int32 count | 46-byte entries`. Version, CRC and length are
//! checked here first so that a damaged file gets Kafka's own messages; the entries are then
//! decoded by storage's `ProducerStateManager::decode_snapshot`.

use std::path::Path;

use strata_storage::ProducerStateManager;

use super::error::DumpError;
use super::printer::{Printer, ProducerLine};
use super::read_file;

/// The one snapshot version Kafka reads and writes.
const SNAPSHOT_VERSION: i16 = 1;
/// Where the CRC-covered part starts (Kafka's PRODUCER_ENTRIES_OFFSET).
const ENTRIES_OFFSET: usize = 6;
/// Bytes of one producer entry.
const ENTRY_BYTES: usize = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

/// Checks a snapshot with Kafka's messages; returns the bytes Kafka reads. Bytes after the
/// entries are covered by the CRC but otherwise ignored by Kafka's reader; storage's decoder
/// wants exactly the entries, so they are cut off and the CRC is recomputed over the rest.
fn checked(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let schema = |reason: &str| format!("Snapshot failed schema validation: {reason}");
    let [v0, v1, ..] = *bytes else {
        return Err(schema("null"));
    };
    let version = i16::from_be_bytes([v0, v1]);
    if version != SNAPSHOT_VERSION {
        return Err(schema(&format!("Snapshot contained an unknown file version {version}")));
    }
    let header = bytes.get(..ENTRIES_OFFSET + 4).ok_or_else(|| schema("null"))?;
    let count = i32::from_be_bytes([header[6], header[7], header[8], header[9]]);
    let needed = usize::try_from(count)
        .ok()
        .and_then(|c| c.checked_mul(ENTRY_BYTES))
        .and_then(|b| b.checked_add(ENTRIES_OFFSET + 4))
        .filter(|&n| n <= bytes.len())
        .ok_or_else(|| schema("null"))?;
    let stored = u32::from_be_bytes([bytes[2], bytes[3], bytes[4], bytes[5]]);
    let computed = crc32c::crc32c(&bytes[ENTRIES_OFFSET..]);
    if stored != computed {
        return Err(format!(
            "Snapshot is corrupt (CRC is no longer valid). Stored crc: {stored}. Computed crc: {computed}"
        ));
    }
    let mut exact = bytes[..needed].to_vec();
    if needed < bytes.len() {
        let crc = crc32c::crc32c(&exact[ENTRIES_OFFSET..]);
        exact[2..ENTRIES_OFFSET].copy_from_slice(&crc.to_be_bytes());
    }
    Ok(exact)
}

/// Dumps one producer snapshot.
pub(crate) fn dump_producer_snapshot(path: &Path, printer: &mut Printer) -> Result<(), DumpError> {
    let bytes = read_file(path)?;
    let entries = checked(&bytes)
        .and_then(|exact| ProducerStateManager::decode_snapshot(&exact))
        .map_err(DumpError::Kafka)?;
    for entry in entries {
        let batch = entry.batches.back().map(|b| {
            (
                b.first_seq,
                b.last_seq,
                b.last_offset,
                (b.last_offset - b.first_offset) as i32,
                b.timestamp,
            )
        });
        printer.producer(&ProducerLine {
            producer_id: entry.producer_id,
            producer_epoch: entry.producer_epoch,
            coordinator_epoch: entry.coordinator_epoch,
            current_txn_first_offset: entry.current_txn_first_offset,
            last_timestamp: entry.last_timestamp,
            batch,
        })?;
    }
    Ok(())
}
