//! Every line `strata dump-log` prints on stdout, rendered as Kafka's DumpLogSegments text or,
//! with `--json`, as one JSON object per line with the same facts.

use std::io::{self, BufWriter, Stdout, Write};
use std::path::Path;

use super::control_line::ControlLine;
use super::error::DumpError;
use super::json_object::{json_array, json_string, JsonObject};
use super::message_parser::{KeyAndPayload, Rendered};

/// The fields only a v2 batch has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BatchV2Fields {
    pub(crate) base_offset: i64,
    pub(crate) count: i32,
    pub(crate) base_sequence: i32,
    pub(crate) last_sequence: i32,
    pub(crate) producer_id: i64,
    pub(crate) producer_epoch: i16,
    pub(crate) partition_leader_epoch: i32,
    pub(crate) is_transactional: bool,
    pub(crate) is_control: bool,
    pub(crate) delete_horizon_ms: Option<i64>,
}

/// One batch line (for magic 0 and 1, one wrapper message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BatchLine {
    /// `None` for the legacy formats, whose line starts with `offset: <last offset>`.
    pub(crate) v2: Option<BatchV2Fields>,
    pub(crate) last_offset: i64,
    pub(crate) position: u64,
    pub(crate) timestamp_type: &'static str,
    pub(crate) max_timestamp: i64,
    pub(crate) size: u64,
    pub(crate) magic: i8,
    pub(crate) codec: &'static str,
    pub(crate) crc: u32,
    pub(crate) is_valid: bool,
}

/// One record line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordLine {
    pub(crate) offset: i64,
    pub(crate) timestamp_type: &'static str,
    pub(crate) timestamp: i64,
    pub(crate) key_size: i32,
    pub(crate) value_size: i32,
    /// Sequence and header keys (v2 only).
    pub(crate) v2: Option<(i32, Vec<String>)>,
    /// `isValid` and `crc` of a legacy record.
    pub(crate) legacy: Option<(bool, u32)>,
    pub(crate) control: Option<ControlLine>,
    /// Key and payload when `--print-data-log` applies.
    pub(crate) data: Option<KeyAndPayload>,
    pub(crate) skip_metadata: bool,
}

/// One `.snapshot` (producer state) line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProducerLine {
    pub(crate) producer_id: i64,
    pub(crate) producer_epoch: i16,
    pub(crate) coordinator_epoch: i32,
    pub(crate) current_txn_first_offset: Option<i64>,
    pub(crate) last_timestamp: i64,
    /// firstSequence, lastSequence, lastOffset, offsetDelta, timestamp of the last batch.
    pub(crate) batch: Option<(i32, i32, i64, i32, i64)>,
}

/// One `.txnindex` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AbortedTxnLine {
    pub(crate) version: i16,
    pub(crate) producer_id: i64,
    pub(crate) first_offset: i64,
    pub(crate) last_offset: i64,
    pub(crate) last_stable_offset: i64,
}

/// Java's `OptionalLong.toString()`.
fn optional_long(value: Option<i64>) -> String {
    value.map_or_else(
        || "OptionalLong.empty".to_string(),
        |v| format!("OptionalLong[{v}]"),
    )
}

fn rendered_json(rendered: &Rendered) -> String {
    match rendered {
        Rendered::Json(text) if serde_json::from_str::<serde_json::Value>(text).is_ok() => {
            text.clone()
        }
        other => json_string(other.text()),
    }
}

/// Writes the dump to stdout, buffered.
#[derive(Debug)]
pub(crate) struct Printer {
    out: BufWriter<Stdout>,
    json: bool,
}

impl Printer {
    /// A printer on stdout; `json` selects `--json` lines.
    pub(crate) fn new(json: bool) -> Self {
        Self {
            out: BufWriter::new(io::stdout()),
            json,
        }
    }

    fn line(&mut self, text: &str) -> Result<(), DumpError> {
        self.out
            .write_all(text.as_bytes())
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(DumpError::Stdout)
    }

    fn either(
        &mut self,
        text: impl FnOnce() -> String,
        json: impl FnOnce() -> String,
    ) -> Result<(), DumpError> {
        let line = if self.json { json() } else { text() };
        self.line(&line)
    }

    /// Flushes stdout (before anything is written to stderr, so the two interleave in order).
    pub(crate) fn flush(&mut self) -> Result<(), DumpError> {
        self.out.flush().map_err(DumpError::Stdout)
    }

    /// `Dumping <file>`.
    pub(crate) fn dumping(&mut self, path: &Path) -> Result<(), DumpError> {
        let shown = path.display().to_string();
        self.either(
            || format!("Dumping {shown}"),
            || {
                JsonObject::new()
                    .string("type", "file")
                    .string("path", &shown)
                    .finish()
            },
        )
    }

    /// `Log starting offset: N`.
    pub(crate) fn log_start(&mut self, offset: i64) -> Result<(), DumpError> {
        self.either(
            || format!("Log starting offset: {offset}"),
            || {
                JsonObject::new()
                    .string("type", "log_start")
                    .number("offset", offset)
                    .finish()
            },
        )
    }

    /// `Snapshot end offset: O, epoch: E`.
    pub(crate) fn snapshot_id(&mut self, end_offset: i64, epoch: i32) -> Result<(), DumpError> {
        self.either(
            || format!("Snapshot end offset: {end_offset}, epoch: {epoch}"),
            || {
                JsonObject::new()
                    .string("type", "snapshot_id")
                    .number("endOffset", end_offset)
                    .number("epoch", epoch)
                    .finish()
            },
        )
    }

    /// `KRaft bootstrap snapshot`.
    pub(crate) fn bootstrap_snapshot(&mut self) -> Result<(), DumpError> {
        self.either(
            || "KRaft bootstrap snapshot".to_string(),
            || {
                JsonObject::new()
                    .string("type", "bootstrap_snapshot")
                    .finish()
            },
        )
    }

    /// The batch line.
    pub(crate) fn batch(&mut self, b: &BatchLine) -> Result<(), DumpError> {
        if self.json {
            let mut o = JsonObject::new().string("type", "batch");
            if let Some(v2) = &b.v2 {
                o = o
                    .number("baseOffset", v2.base_offset)
                    .number("lastOffset", b.last_offset)
                    .number("count", v2.count)
                    .number("baseSequence", v2.base_sequence)
                    .number("lastSequence", v2.last_sequence)
                    .number("producerId", v2.producer_id)
                    .number("producerEpoch", v2.producer_epoch)
                    .number("partitionLeaderEpoch", v2.partition_leader_epoch)
                    .number("isTransactional", v2.is_transactional)
                    .number("isControl", v2.is_control);
                o = match v2.delete_horizon_ms {
                    Some(ms) => o.number("deleteHorizonMs", ms),
                    None => o.null("deleteHorizonMs"),
                };
            } else {
                o = o.number("lastOffset", b.last_offset);
            }
            let line = o
                .number("position", b.position)
                .string("timestampType", b.timestamp_type)
                .number("maxTimestamp", b.max_timestamp)
                .number("size", b.size)
                .number("magic", b.magic)
                .string("compresscodec", b.codec)
                .number("crc", b.crc)
                .number("isValid", b.is_valid)
                .finish();
            return self.line(&line);
        }
        let head = match &b.v2 {
            Some(v2) => format!(
                "baseOffset: {} lastOffset: {} count: {} baseSequence: {} lastSequence: {} producerId: {} \
                 producerEpoch: {} partitionLeaderEpoch: {} isTransactional: {} isControl: {} deleteHorizonMs: {}",
                v2.base_offset,
                b.last_offset,
                v2.count,
                v2.base_sequence,
                v2.last_sequence,
                v2.producer_id,
                v2.producer_epoch,
                v2.partition_leader_epoch,
                v2.is_transactional,
                v2.is_control,
                optional_long(v2.delete_horizon_ms)
            ),
            None => format!("offset: {}", b.last_offset),
        };
        let line = format!(
            "{head} position: {} {}: {} size: {} magic: {} compresscodec: {} crc: {} isvalid: {}",
            b.position,
            b.timestamp_type,
            b.max_timestamp,
            b.size,
            b.magic,
            b.codec,
            b.crc,
            b.is_valid
        );
        self.line(&line)
    }

    /// A record line (`| offset: ...`).
    pub(crate) fn record(&mut self, r: &RecordLine) -> Result<(), DumpError> {
        if self.json {
            let line = record_json(r);
            return self.line(&line);
        }
        let mut line = String::new();
        let mut prefix = "| ";
        if !r.skip_metadata {
            line.push_str(&format!(
                "| offset: {} {}: {} keySize: {} valueSize: {}",
                r.offset, r.timestamp_type, r.timestamp, r.key_size, r.value_size
            ));
            prefix = " ";
            if let Some((sequence, header_keys)) = &r.v2 {
                line.push_str(&format!(
                    " sequence: {sequence} headerKeys: [{}]",
                    header_keys.join(",")
                ));
            }
            if let Some((valid, crc)) = r.legacy {
                // Kafka's line really ends in a stray brace here.
                line.push_str(&format!(" isValid: {valid} crc: {crc}}}"));
            }
            if let Some(control) = &r.control {
                line.push_str(&control.text());
            }
        }
        if let Some((key, payload)) = &r.data {
            if let Some(key) = key {
                line.push_str(prefix);
                line.push_str("key: ");
                line.push_str(key.text());
            }
            if let Some(payload) = payload {
                line.push_str(" payload: ");
                line.push_str(payload.text());
            }
        }
        self.line(&line)
    }

    /// `Found N invalid bytes at the end of <name>`.
    pub(crate) fn trailing_bytes(&mut self, bytes: u64, file_name: &str) -> Result<(), DumpError> {
        self.either(
            || format!("Found {bytes} invalid bytes at the end of {file_name}"),
            || {
                JsonObject::new()
                    .string("type", "trailing_bytes")
                    .number("bytes", bytes)
                    .string("file", file_name)
                    .finish()
            },
        )
    }

    /// An offset index entry.
    pub(crate) fn index_entry(&mut self, offset: i64, position: i32) -> Result<(), DumpError> {
        self.either(
            || format!("offset: {offset} position: {position}"),
            || {
                JsonObject::new()
                    .string("type", "index_entry")
                    .number("offset", offset)
                    .number("position", position)
                    .finish()
            },
        )
    }

    /// A time index entry.
    pub(crate) fn time_index_entry(
        &mut self,
        timestamp: i64,
        offset: i64,
    ) -> Result<(), DumpError> {
        self.either(
            || format!("timestamp: {timestamp} offset: {offset}"),
            || {
                JsonObject::new()
                    .string("type", "time_index_entry")
                    .number("timestamp", timestamp)
                    .number("offset", offset)
                    .finish()
            },
        )
    }

    /// `<file> is empty.`
    pub(crate) fn empty(&mut self, path: &Path) -> Result<(), DumpError> {
        let shown = path.display().to_string();
        self.either(
            || format!("{shown} is empty."),
            || {
                JsonObject::new()
                    .string("type", "empty")
                    .string("path", &shown)
                    .finish()
            },
        )
    }

    /// `<file> passed sanity check.`
    pub(crate) fn sanity_passed(&mut self, path: &Path) -> Result<(), DumpError> {
        let shown = path.display().to_string();
        self.either(
            || format!("{shown} passed sanity check."),
            || {
                JsonObject::new()
                    .string("type", "sanity_check_passed")
                    .string("path", &shown)
                    .finish()
            },
        )
    }

    /// A producer state entry of a `.snapshot` file.
    pub(crate) fn producer(&mut self, p: &ProducerLine) -> Result<(), DumpError> {
        if self.json {
            let mut o = JsonObject::new()
                .string("type", "producer")
                .number("producerId", p.producer_id)
                .number("producerEpoch", p.producer_epoch)
                .number("coordinatorEpoch", p.coordinator_epoch);
            o = match p.current_txn_first_offset {
                Some(offset) => o.number("currentTxnFirstOffset", offset),
                None => o.null("currentTxnFirstOffset"),
            };
            o = o.number("lastTimestamp", p.last_timestamp);
            if let Some((first_seq, last_seq, last_offset, offset_delta, timestamp)) = p.batch {
                o = o
                    .number("firstSequence", first_seq)
                    .number("lastSequence", last_seq)
                    .number("lastOffset", last_offset)
                    .number("offsetDelta", offset_delta)
                    .number("timestamp", timestamp);
            }
            let line = o.finish();
            return self.line(&line);
        }
        let mut line = format!(
            "producerId: {} producerEpoch: {} coordinatorEpoch: {} currentTxnFirstOffset: {} lastTimestamp: {} ",
            p.producer_id,
            p.producer_epoch,
            p.coordinator_epoch,
            optional_long(p.current_txn_first_offset),
            p.last_timestamp
        );
        if let Some((first_seq, last_seq, last_offset, offset_delta, timestamp)) = p.batch {
            line.push_str(&format!(
                "firstSequence: {first_seq} lastSequence: {last_seq} lastOffset: {last_offset} \
                 offsetDelta: {offset_delta} timestamp: {timestamp}"
            ));
        }
        self.line(&line)
    }

    /// A `.txnindex` entry.
    pub(crate) fn aborted_txn(&mut self, t: &AbortedTxnLine) -> Result<(), DumpError> {
        self.either(
            || {
                format!(
                    "version: {} producerId: {} firstOffset: {} lastOffset: {} lastStableOffset: {}",
                    t.version, t.producer_id, t.first_offset, t.last_offset, t.last_stable_offset
                )
            },
            || {
                JsonObject::new()
                    .string("type", "aborted_txn")
                    .number("version", t.version)
                    .number("producerId", t.producer_id)
                    .number("firstOffset", t.first_offset)
                    .number("lastOffset", t.last_offset)
                    .number("lastStableOffset", t.last_stable_offset)
                    .finish()
            },
        )
    }
}

fn record_json(r: &RecordLine) -> String {
    let mut o = JsonObject::new().string("type", "record");
    if !r.skip_metadata {
        o = o
            .number("offset", r.offset)
            .string("timestampType", r.timestamp_type)
            .number("timestamp", r.timestamp)
            .number("keySize", r.key_size)
            .number("valueSize", r.value_size);
        if let Some((sequence, header_keys)) = &r.v2 {
            o = o.number("sequence", sequence).raw(
                "headerKeys",
                &json_array(header_keys.iter().map(|k| json_string(k))),
            );
        }
        if let Some((valid, crc)) = r.legacy {
            o = o.number("isValid", valid).number("crc", crc);
        }
        if let Some(control) = &r.control {
            o = o.raw("control", &control.json());
        }
    }
    if let Some((key, payload)) = &r.data {
        if let Some(key) = key {
            o = o.raw("key", &rendered_json(key));
        }
        if let Some(payload) = payload {
            o = o.raw("payload", &rendered_json(payload));
        }
    }
    o.finish()
}
