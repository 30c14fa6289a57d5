//! Arbitrary bytes through the frame size check, request header decoding and record batch
//! iteration, view, CRC and record decoding (every decoder this crate owns).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    strata_protocol::fuzzing::decode_frame(data);
});
