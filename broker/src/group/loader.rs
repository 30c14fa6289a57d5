//! Loading a `__consumer_offsets` partition: every record from the log start to the log end,
//! decoded and handed to the shard's replay, in offset order.
//!
//! This is the only way persisted group state comes back; the shard's `replay` functions are the
//! same ones whose inverse every live operation writes. Control batches (transaction markers)
//! carry no group records and are skipped; keyless records are skipped as Kafka's loader does.
//! Record types this build does not know (share and streams groups) are skipped with a warning,
//! as Kafka skips unknown types; any other undecodable record fails the load, because replaying
//! around it could rebuild wrong state.

use strata_protocol::group_records::{GroupRecord, GroupRecordError};
use strata_protocol::record_batch::{batches, decode_records, BatchError};
use strata_storage::{Log, LogError};

/// Why a partition could not be loaded.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LoadError {
    /// Reading the log failed.
    #[error("reading __consumer_offsets at offset {offset}: {source}")]
    Read {
        /// Where the read started.
        offset: i64,
        /// What storage said (boxed: `LogError` is large).
        #[source]
        source: Box<LogError>,
    },
    /// A batch did not parse or decompress.
    #[error("batch at offset {offset} of __consumer_offsets is malformed: {source}")]
    Batch {
        /// Where the read started.
        offset: i64,
        /// What the batch parser said.
        #[source]
        source: BatchError,
    },
    /// A record is not a group record of a type this build reads.
    #[error("record at offset {offset} of __consumer_offsets: {source}")]
    Record {
        /// The record's offset.
        offset: i64,
        /// What the decoder said.
        #[source]
        source: GroupRecordError,
    },
    /// The log returned no batch before reaching the end offset it reported.
    #[error("__consumer_offsets read at {offset} returned nothing before the end offset {end}")]
    Stalled {
        /// Where the read started.
        offset: i64,
        /// The end offset at the start of the load.
        end: i64,
    },
}

/// What a load saw.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LoadSummary {
    /// Records replayed.
    pub(crate) records: u64,
    /// Records skipped (unknown types, keyless).
    pub(crate) skipped: u64,
    /// The log end offset the load stopped at.
    pub(crate) end_offset: i64,
}

/// Reads `log` from its start to the log end offset seen at the start (in steps of
/// `read_bytes_max`) and calls `replay` with every group record, in order.
pub(crate) fn load_log(
    log: &Log,
    read_bytes_max: usize,
    mut replay: impl FnMut(&GroupRecord),
) -> Result<LoadSummary, LoadError> {
    let end = log.log_end_offset();
    let mut offset = log.log_start_offset();
    let mut summary = LoadSummary {
        end_offset: end,
        ..LoadSummary::default()
    };
    while offset < end {
        let read = log
            .read(offset, read_bytes_max, end, true)
            .map_err(|source| LoadError::Read {
                offset,
                source: Box::new(source),
            })?;
        let start = offset;
        for batch in batches(&read.records) {
            let batch = batch.map_err(|source| LoadError::Batch {
                offset: start,
                source,
            })?;
            let next = batch.next_offset();
            if !batch.is_control() {
                let records = decode_records(&batch).map_err(|source| LoadError::Batch {
                    offset: batch.base_offset(),
                    source,
                })?;
                for record in records {
                    let Some(key) = record.key.as_deref() else {
                        summary.skipped += 1;
                        continue;
                    };
                    match GroupRecord::decode(key, record.value.as_deref()) {
                        Ok(decoded) => {
                            replay(&decoded);
                            summary.records += 1;
                        }
                        Err(GroupRecordError::UnknownRecordType { record_type }) => {
                            tracing::warn!(offset = record.offset, record_type, "skipping a __consumer_offsets record of a type this build does not know");
                            summary.skipped += 1;
                        }
                        Err(source) => {
                            return Err(LoadError::Record {
                                offset: record.offset,
                                source,
                            })
                        }
                    }
                }
            }
            offset = offset.max(next);
        }
        if offset == start {
            return Err(LoadError::Stalled { offset, end });
        }
    }
    Ok(summary)
}
