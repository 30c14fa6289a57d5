//! Byte 0 picks a schema, bytes 1-2 the version, the rest is a body for the generic schema codec;
//! decoded JSON must re-encode to the same JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    strata_protocol::fuzzing::decode_schema_json(data);
});
