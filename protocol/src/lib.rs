//! Every byte format Kafka defines that Strata reads or writes, and nothing else: request and
//! response framing and headers, the decodable API-version table, record batch v2 (views,
//! CRC32C, in-place patches, building, compression), KRaft metadata records and control
//! records, and the records of Kafka's internal topics (`__consumer_offsets`,
//! `__transaction_state`, `__remote_log_metadata`) with JSON renderings driven by Kafka's
//! schemas (`schema`).
//!
//! Sans-I/O: bytes in, typed values out. No tokio, no files. Decoders never panic on malformed
//! input (fuzzed by `fuzz/` and by the `decode_frame_never_panics` test).

#![warn(missing_docs)]

pub mod compression;
pub mod control;
pub mod frame;
pub mod fuzzing;
pub mod group_records;
pub mod header;
pub mod metadata;
pub mod record_batch;
pub mod remote_log_metadata;
pub mod schema;
pub mod transaction_log;
pub mod versions;
pub mod wire;

pub use kafka_protocol;
