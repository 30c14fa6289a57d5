//! Errors a handler can return to the connection loop.
//!
//! A handler answers every per-topic or per-partition problem inside its response with a Kafka
//! error code; these variants are only for failures that leave no response to send.

use kafka_protocol::messages::ApiKey;

/// Why a handler produced no response.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HandlerError {
    /// The request body could not be decoded; the connection is closed, as Kafka does.
    #[error("malformed {api_key:?} v{api_version} request body: {reason}")]
    Malformed {
        /// API of the request.
        api_key: ApiKey,
        /// Version the header announced.
        api_version: i16,
        /// What the decoder reported.
        reason: String,
    },
    /// A broker-side failure that left no meaningful response; the connection is closed.
    #[error("internal error: {0}")]
    Internal(String),
}
