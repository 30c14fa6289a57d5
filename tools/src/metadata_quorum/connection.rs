//! A minimal blocking Kafka-protocol connection for the metadata tools: one request at a time,
//! framed with `strata_protocol::header`'s client helpers, with a timeout on every read.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::{ApiKey, RequestKind, ResponseKind};
use strata_protocol::header::{decode_response, encode_request, request_header};

/// How long one request may take before the tool gives up.
const REQUEST_TIMEOUT_MS: u64 = 15_000;
/// Largest response frame the tools accept.
const RESPONSE_BYTES_MAX: usize = 100 << 20;
/// Client id the tools send.
const CLIENT_ID: &str = "strata-metadata-tools";

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConnectionError {
    /// The address does not resolve or the connection failed.
    #[error("cannot connect to {server}: {source}")]
    Connect {
        server: String,
        source: std::io::Error,
    },
    /// Reading or writing the socket failed (including the timeout).
    #[error("{api:?} request to {server} failed: {source}")]
    Io {
        server: String,
        api: ApiKey,
        source: std::io::Error,
    },
    /// The request or response does not encode or decode.
    #[error("{api:?} request to {server}: {reason}")]
    Protocol {
        server: String,
        api: ApiKey,
        reason: String,
    },
}

/// One connection to one node.
#[derive(Debug)]
pub(crate) struct Connection {
    server: String,
    stream: TcpStream,
    correlation_id: i32,
}

impl Connection {
    /// Connects to `server` (`host:port`).
    pub(crate) fn connect(server: &str) -> Result<Self, ConnectionError> {
        let connect = |source| ConnectionError::Connect {
            server: server.to_string(),
            source,
        };
        let addrs: Vec<_> = server.to_socket_addrs().map_err(connect)?.collect();
        let timeout = Duration::from_millis(REQUEST_TIMEOUT_MS);
        let mut last_error = std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the address resolves to nothing",
        );
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(stream) => {
                    stream.set_read_timeout(Some(timeout)).map_err(connect)?;
                    stream.set_write_timeout(Some(timeout)).map_err(connect)?;
                    return Ok(Connection {
                        server: server.to_string(),
                        stream,
                        correlation_id: 0,
                    });
                }
                Err(e) => last_error = e,
            }
        }
        Err(connect(last_error))
    }

    /// Sends one request at `version` and waits for its response.
    pub(crate) fn send(
        &mut self,
        api: ApiKey,
        version: i16,
        request: RequestKind,
    ) -> Result<ResponseKind, ConnectionError> {
        self.correlation_id += 1;
        let header = request_header(api, version, self.correlation_id, CLIENT_ID);
        let protocol = |reason: String| ConnectionError::Protocol {
            server: self.server.clone(),
            api,
            reason,
        };
        let frame = encode_request(&header, &request).map_err(|e| protocol(e.reason))?;
        let io = |source| ConnectionError::Io {
            server: self.server.clone(),
            api,
            source,
        };
        self.stream.write_all(&frame).map_err(io)?;
        let mut size = [0u8; 4];
        self.stream.read_exact(&mut size).map_err(io)?;
        let size = i32::from_be_bytes(size);
        let size = usize::try_from(size)
            .ok()
            .filter(|s| *s <= RESPONSE_BYTES_MAX)
            .ok_or_else(|| protocol(format!("response size {size} is out of range")))?;
        let mut body = vec![0u8; size];
        self.stream.read_exact(&mut body).map_err(io)?;
        let mut body = Bytes::from(body);
        let (correlation_id, response) =
            decode_response(&mut body, api, version).map_err(|e| protocol(e.reason))?;
        if correlation_id != self.correlation_id {
            return Err(protocol(format!(
                "response correlation id {correlation_id} does not match request {}",
                self.correlation_id
            )));
        }
        Ok(response)
    }
}
