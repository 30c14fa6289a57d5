//! Like `decode_frame`, and also decodes the request body with kafka-protocol. Known to abort on
//! huge array counts until kafka-protocol bounds its preallocation (see `fuzzing.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    strata_protocol::fuzzing::decode_frame_with_body(data);
});
