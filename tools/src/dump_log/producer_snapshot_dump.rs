//! Dumps a producer-state `.snapshot` file: Kafka's `dumpProducerIdSnapshot`.
//!
//! Layout (`ProducerSnapshot.json`, version 1): `version int16 | crc uint32 (CRC-32C of
//! everything after it) | entries int32 count | entries of producerId int64, epoch int16,
//! lastSequence int32, lastOffset int64, offsetDelta int32, timestamp int64, coordinatorEpoch
//! int32, currentTxnFirstOffset int64`. Read here rather than with storage's
//! `ProducerStateManager::decode_snapshot` for three reasons: damaged files must get Kafka's own
//! messages, Kafka ignores bytes after the entries (storage refuses them), and the dump prints
//! `offsetDelta` exactly as stored, where storage derives a first offset whose arithmetic can
//! overflow on hostile values.

use std::path::Path;

use super::error::DumpError;
use super::printer::{Printer, ProducerLine};
use super::read_file;

/// The one snapshot version Kafka reads and writes.
const SNAPSHOT_VERSION: i16 = 1;
/// Where the CRC-covered part starts (Kafka's PRODUCER_ENTRIES_OFFSET).
const ENTRIES_OFFSET: usize = 6;
/// Bytes of one producer entry.
const ENTRY_BYTES: usize = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

fn i64_at(bytes: &[u8], at: usize) -> i64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    i64::from_be_bytes(b)
}

fn i32_at(bytes: &[u8], at: usize) -> i32 {
    i32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Kafka's `DefaultRecordBatch.decrementSequence` (Java int arithmetic wraps).
fn decrement_sequence(sequence: i32, decrement: i32) -> i32 {
    if sequence < decrement {
        sequence
            .wrapping_sub(decrement)
            .wrapping_add(i32::MAX)
            .wrapping_add(1)
    } else {
        sequence.wrapping_sub(decrement)
    }
}

/// Kafka's `ProducerStateManager.readSnapshot`, with its messages.
fn read_snapshot(bytes: &[u8]) -> Result<Vec<ProducerLine>, String> {
    let schema = |reason: &str| format!("Snapshot failed schema validation: {reason}");
    let [v0, v1, ..] = *bytes else {
        return Err(schema("null"));
    };
    let version = i16::from_be_bytes([v0, v1]);
    if version != SNAPSHOT_VERSION {
        return Err(schema(&format!(
            "Snapshot contained an unknown file version {version}"
        )));
    }
    if bytes.len() < ENTRIES_OFFSET + 4 {
        return Err(schema("null"));
    }
    let count = i32_at(bytes, ENTRIES_OFFSET);
    let entries = usize::try_from(count)
        .ok()
        .filter(|&c| {
            c.checked_mul(ENTRY_BYTES)
                .and_then(|b| b.checked_add(ENTRIES_OFFSET + 4))
                .is_some_and(|n| n <= bytes.len())
        })
        .ok_or_else(|| schema("null"))?;
    let stored = u32::from_be_bytes([bytes[2], bytes[3], bytes[4], bytes[5]]);
    let computed = crc32c::crc32c(&bytes[ENTRIES_OFFSET..]);
    if stored != computed {
        return Err(format!(
            "Snapshot is corrupt (CRC is no longer valid). Stored crc: {stored}. Computed crc: {computed}"
        ));
    }
    let body = &bytes[ENTRIES_OFFSET + 4..];
    Ok(body
        .chunks_exact(ENTRY_BYTES)
        .take(entries)
        .map(|raw| {
            let last_sequence = i32_at(raw, 10);
            let last_offset = i64_at(raw, 14);
            let offset_delta = i32_at(raw, 22);
            let timestamp = i64_at(raw, 26);
            let txn_first = i64_at(raw, 38);
            ProducerLine {
                producer_id: i64_at(raw, 0),
                producer_epoch: i16::from_be_bytes([raw[8], raw[9]]),
                coordinator_epoch: i32_at(raw, 34),
                current_txn_first_offset: (txn_first >= 0).then_some(txn_first),
                last_timestamp: timestamp,
                batch: (last_offset >= 0).then(|| {
                    (
                        decrement_sequence(last_sequence, offset_delta),
                        last_sequence,
                        last_offset,
                        offset_delta,
                        timestamp,
                    )
                }),
            }
        })
        .collect())
}

/// Dumps one producer snapshot.
pub(crate) fn dump_producer_snapshot(path: &Path, printer: &mut Printer) -> Result<(), DumpError> {
    let bytes = read_file(path)?;
    for line in read_snapshot(&bytes).map_err(DumpError::Kafka)? {
        printer.producer(&line)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{decrement_sequence, read_snapshot};

    #[test]
    fn first_sequence_wraps_below_zero_like_kafka() {
        assert_eq!(decrement_sequence(9, 4), 5);
        assert_eq!(decrement_sequence(1, 3), i32::MAX - 1);
    }

    #[test]
    fn bytes_after_the_entries_are_ignored_but_covered_by_the_crc() {
        let mut body = 0i32.to_be_bytes().to_vec();
        body.extend_from_slice(b"extra");
        let mut file = 1i16.to_be_bytes().to_vec();
        file.extend_from_slice(&crc32c::crc32c(&body).to_be_bytes());
        file.extend_from_slice(&body);
        assert_eq!(read_snapshot(&file), Ok(Vec::new()));
        let last = file.len() - 1;
        file[last] ^= 1;
        assert!(read_snapshot(&file)
            .expect_err("crc")
            .starts_with("Snapshot is corrupt (CRC is no longer valid)."));
    }

    #[test]
    fn a_count_beyond_the_file_is_a_schema_failure() {
        let mut file = 1i16.to_be_bytes().to_vec();
        file.extend_from_slice(&0u32.to_be_bytes());
        file.extend_from_slice(&i32::MAX.to_be_bytes());
        assert_eq!(
            read_snapshot(&file),
            Err("Snapshot failed schema validation: null".to_string())
        );
    }
}
