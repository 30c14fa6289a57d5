//! A framed KRaft metadata record value through the typed decoder and the schema-driven JSON
//! decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    strata_protocol::fuzzing::decode_metadata_json(data);
});
