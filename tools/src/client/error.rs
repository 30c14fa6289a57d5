//! What can go wrong talking to a broker, stated as facts an operator can act on.

use std::fmt;

use super::error_code::{error_hint, error_name};

/// An error code a broker answered, with what it was about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BrokerError {
    /// Kafka's error code.
    pub(crate) code: i16,
    /// What the request was about (`topic 'orders'`, `group 'g1'`, `orders-3`).
    pub(crate) subject: String,
    /// The broker's own message, when it sent one.
    pub(crate) message: Option<String>,
}

impl BrokerError {
    /// An error for `subject` from a code and optional message (a code of 0 is a caller bug).
    pub(crate) fn new(code: i16, subject: impl Into<String>, message: Option<String>) -> Self {
        Self {
            code,
            subject: subject.into(),
            message: message.filter(|m| !m.is_empty()),
        }
    }

    /// Kafka's name of the code.
    pub(crate) fn name(&self) -> String {
        error_name(self.code)
    }
}

impl fmt::Display for BrokerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.subject, self.name(), self.code)?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(hint) = error_hint(self.code) {
            write!(f, " — {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BrokerError {}

/// Errors of the wire client.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ClientError {
    /// No TCP connection could be made.
    #[error("cannot connect to {address}: {source} — is a broker listening there? (set --bootstrap-server HOST:PORT)")]
    Connect {
        /// The address tried.
        address: String,
        /// The socket error.
        source: std::io::Error,
    },
    /// The connection broke while a request was in flight.
    #[error("connection to {address} failed during {api}: {source}")]
    Io {
        /// The broker's address.
        address: String,
        /// The request in flight.
        api: String,
        /// The socket error.
        source: std::io::Error,
    },
    /// The broker did not answer in time.
    #[error("{address} did not answer {api} within {timeout_ms} ms — is the broker overloaded? raise --timeout-ms")]
    Timeout {
        /// The broker's address.
        address: String,
        /// The request.
        api: String,
        /// The limit that passed.
        timeout_ms: u64,
    },
    /// The broker does not offer a version of an API this tool speaks.
    #[error("the broker at {address} does not support {api} (broker versions {broker}, this tool speaks {ours})")]
    UnsupportedApi {
        /// The broker's address.
        address: String,
        /// The API.
        api: String,
        /// The broker's range, or "none".
        broker: String,
        /// Our range.
        ours: String,
    },
    /// A request could not be encoded, or a response not decoded.
    #[error("{api} v{version} with {address}: {reason}")]
    Codec {
        /// The broker's address.
        address: String,
        /// The API.
        api: String,
        /// The version used.
        version: i16,
        /// What failed.
        reason: String,
    },
    /// The broker answered with an error code.
    #[error("{0}")]
    Broker(BrokerError),
    /// Metadata names a node this client has no address for, or no node at all.
    #[error("no address known for broker {node_id}; the cluster metadata does not list it")]
    UnknownNode {
        /// The node id.
        node_id: i32,
    },
    /// A retriable condition lasted longer than the retry budget.
    #[error("gave up after {attempts} attempts: {last}")]
    RetriesExhausted {
        /// How many attempts were made.
        attempts: u32,
        /// The last error.
        last: Box<ClientError>,
    },
}

impl ClientError {
    /// The Kafka error code, when the broker answered one.
    pub(crate) fn broker_code(&self) -> Option<i16> {
        match self {
            ClientError::Broker(e) => Some(e.code),
            ClientError::RetriesExhausted { last, .. } => last.broker_code(),
            _ => None,
        }
    }
}

impl From<BrokerError> for ClientError {
    fn from(error: BrokerError) -> Self {
        ClientError::Broker(error)
    }
}

/// `Err(BrokerError)` for a non-zero code, else `Ok(())`.
pub(crate) fn check(
    code: i16,
    subject: impl FnOnce() -> String,
    message: Option<&kafka_protocol::protocol::StrBytes>,
) -> Result<(), BrokerError> {
    if code == 0 {
        Ok(())
    } else {
        Err(BrokerError::new(
            code,
            subject(),
            message.map(|m| m.as_str().to_owned()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_error_names_code_number_and_remedy() {
        let e = BrokerError::new(
            3,
            "topic 'nope'",
            Some("This server does not host it".into()),
        );
        let text = e.to_string();
        assert!(text.starts_with("topic 'nope': UNKNOWN_TOPIC_OR_PARTITION (3): This server"));
        assert!(text.contains("strata topic list"), "{text}");
    }

    #[test]
    fn empty_broker_message_is_left_out() {
        let e = BrokerError::new(36, "topic 't'", Some(String::new()));
        assert!(e
            .to_string()
            .starts_with("topic 't': TOPIC_ALREADY_EXISTS (36) — "));
    }
}
