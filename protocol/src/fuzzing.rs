//! One entry point that pushes arbitrary bytes through every decoder of this crate.
//!
//! Used by the cargo-fuzz target `decode_frame` (`protocol/fuzz/`) and by a plain test over
//! random inputs, so CI exercises it without nightly. Its contract: it returns, whatever the
//! bytes; a panic anywhere below is a bug.

use bytes::Bytes;
use kafka_protocol::messages::RequestKind;

use crate::control::ControlRecord;
use crate::frame::{frame_body_len, FRAME_PREFIX_BYTES};
use crate::header::decode_request_header;
use crate::metadata::MetadataRecord;
use crate::record_batch::{batches, decode_records};
use crate::versions::is_decodable;

/// Frame limit the entry point enforces: Kafka's default `socket.request.max.bytes` (100 MiB).
pub const FUZZ_FRAME_BYTES_MAX: usize = 104_857_600;

/// Decodes `data` as a request frame (size prefix, header) and, independently, as concatenated
/// record batches (view, CRC, records, and each record as a control and a metadata record).
///
/// Covers this crate's own decoders only; see [`decode_frame_with_body`] for the request body.
/// Returns how many items decoded successfully, so callers can see the input did something.
pub fn decode_frame(data: &[u8]) -> usize {
    decode(data, false)
}

/// [`decode_frame`] plus decoding the request body with `kafka-protocol` when the header names a
/// decodable version.
///
/// Known upstream defect: `kafka-protocol` 0.18 preallocates arrays from the wire count
/// (`Vec::with_capacity(n)`), so a body declaring ~2^31 elements aborts the process with an
/// allocation failure (kafka-protocol-rs PRs #152/#161/#200, still open). The fuzz target uses
/// this function so the defect stays visible; the CI test uses [`decode_frame`].
pub fn decode_frame_with_body(data: &[u8]) -> usize {
    decode(data, true)
}

fn decode(data: &[u8], with_body: bool) -> usize {
    let mut decoded = 0;
    if let Some((prefix, rest)) = data.split_first_chunk::<FRAME_PREFIX_BYTES>() {
        if let Ok(len) = frame_body_len(*prefix, FUZZ_FRAME_BYTES_MAX) {
            let mut body = Bytes::copy_from_slice(&rest[..len.min(rest.len())]);
            if let Ok(header) = decode_request_header(&mut body) {
                decoded += 1;
                let version = header.header.request_api_version;
                if with_body
                    && is_decodable(header.api_key, version)
                    && RequestKind::decode(header.api_key, &mut body, version).is_ok()
                {
                    decoded += 1;
                }
            }
        }
    }
    decoded + decode_batches(data)
}

fn decode_batches(data: &[u8]) -> usize {
    let mut decoded = 0;
    for view in batches(data).flatten() {
        decoded += 1;
        if view.verify_crc().is_ok() {
            decoded += 1;
        }
        let _ = (
            view.last_sequence(),
            view.timestamp_type(),
            view.next_offset(),
        );
        let Ok(records) = decode_records(&view) else {
            continue;
        };
        for record in records {
            decoded += 1;
            let value = record.value.as_deref().unwrap_or_default();
            if let Some(key) = record.key.as_deref() {
                if ControlRecord::decode(key, value).is_ok() {
                    decoded += 1;
                }
            }
            if MetadataRecord::decode(value).is_ok() {
                decoded += 1;
            }
        }
    }
    decoded
}
