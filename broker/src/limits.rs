//! Named limits of the network layer, validated from `KafkaConfig` once at startup.

use std::time::Duration;

use crate::config::KafkaConfig;

/// Requests one connection may have decoded and in progress before the connection stops reading
/// (Kafka processes one request per connection at a time; clients pipeline up to
/// `max.in.flight.requests.per.connection`, default 5). Capped by `queued.max.requests`.
pub(crate) const IN_FLIGHT_REQUESTS_PER_CONNECTION_MAX: usize = 64;

/// Bytes of request bodies one connection may read ahead of the request being handled. Reading
/// pauses above it (one request of up to `socket.request.max.bytes` is always accepted), so a
/// pipelining client cannot make the broker buffer `in_flight × socket.request.max.bytes`.
pub(crate) const READ_AHEAD_BYTES_MAX: usize = 64 * 1024 * 1024;

/// Initial capacity of a connection's read buffer; it grows to the largest frame seen.
pub(crate) const READ_BUFFER_BYTES_INITIAL: usize = 64 * 1024;

/// Largest read buffer kept between requests; a bigger one (after a large produce) is released.
pub(crate) const READ_BUFFER_BYTES_RETAINED_MAX: usize = 4 * 1024 * 1024;

/// The limits one connection enforces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    /// `socket.request.max.bytes`: a larger frame closes the connection.
    pub(crate) request_bytes_max: usize,
    /// `connections.max.idle.ms`: a connection with nothing in flight and nothing read closes.
    pub(crate) idle_timeout: Duration,
    /// Decoded requests in progress per connection.
    pub(crate) in_flight_requests_max: usize,
}

impl ConnectionLimits {
    /// Derives the limits from the validated config.
    pub(crate) fn from_config(config: &KafkaConfig) -> Self {
        ConnectionLimits {
            request_bytes_max: config.socket_request_max_bytes,
            idle_timeout: Duration::from_millis(config.connections_max_idle_ms),
            in_flight_requests_max: config
                .queued_max_requests
                .clamp(1, IN_FLIGHT_REQUESTS_PER_CONNECTION_MAX),
        }
    }
}
