//! A `__remote_log_metadata` record value through the typed and JSON decoders.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    strata_protocol::fuzzing::decode_remote_log_metadata(data);
});
