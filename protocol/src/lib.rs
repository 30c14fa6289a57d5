//! Every byte format Kafka defines that Strata reads or writes, and nothing else: request and
//! response framing and headers, the decodable API-version table, record batch v2 (views,
//! CRC32C, in-place patches, building, compression), KRaft metadata records and control records.
//!
//! Sans-I/O: bytes in, typed values out. No tokio, no files. Decoders never panic on malformed
//! input (fuzzed by `fuzz/` and by the `decode_frame_never_panics` test).

#![warn(missing_docs)]

pub mod compression;
pub mod control;
pub mod frame;
pub mod fuzzing;
pub mod header;
pub mod metadata;
pub mod record_batch;
pub mod versions;
pub mod wire;

pub use kafka_protocol;
