//! A `__transaction_state` record (u16 key-length prefix, top bit = tombstone; key; value) through
//! the typed and JSON decoders.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    strata_protocol::fuzzing::decode_transaction_log(data);
});
