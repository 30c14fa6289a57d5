//! Black-box test harness for Strata.
//!
//! Every test in `tests/tests/` talks to a real `strata serve` process over real sockets:
//! [`StrataProcess`] starts the built binary on free ports with a private data directory and
//! tears it down on drop; [`RawClient`] speaks the Kafka wire protocol byte for byte (so tests
//! can send well-formed requests, and also malformed ones no real client would send); the
//! helpers in [`requests`] build the handful of requests the tests use most.
//!
//! Nothing here fakes a broker: if the binary is missing or does not answer, the harness fails
//! the test with a message that says so.
#![warn(missing_docs)]

pub mod binary;
pub mod ports;
pub mod raw_client;
pub mod requests;
pub mod strata_process;

pub use binary::strata_binary;
pub use ports::free_port;
pub use raw_client::RawClient;
pub use strata_process::{StrataProcess, StrataProcessBuilder};
