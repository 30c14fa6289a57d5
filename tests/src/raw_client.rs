//! A blocking Kafka wire client over a plain socket, for tests.
//!
//! It encodes requests with `kafka-protocol` (an implementation independent of the broker's
//! handlers) and decodes responses the same way. It can also write arbitrary bytes, which is
//! how the bad-input tests send frames no real client would send.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, Request, StrBytes};

/// How long a read waits for a response before the test fails.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);

/// Largest response frame the client accepts; a larger size prefix means a broken stream.
const RESPONSE_FRAME_BYTES_MAX: usize = 512 * 1024 * 1024;

/// Client id sent in every request header.
pub const CLIENT_ID: &str = "strata-tests";

/// What the peer did to the connection, as seen by [`RawClient::wait_for_close`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerState {
    /// The broker closed (EOF) or reset the connection.
    Closed,
    /// The connection is still open after the wait; `bytes` arrived meanwhile (discarded).
    Open {
        /// Bytes received while waiting.
        bytes: usize,
    },
}

/// One connection to a broker. Correlation ids count up from 1.
pub struct RawClient {
    stream: TcpStream,
    next_correlation_id: i32,
}

impl RawClient {
    /// Connects to `addr` (e.g. `127.0.0.1:9092`).
    pub fn connect(addr: impl ToSocketAddrs) -> Result<Self> {
        let addr: SocketAddr = addr
            .to_socket_addrs()
            .context("resolving broker address")?
            .next()
            .ok_or_else(|| anyhow!("address resolved to nothing"))?;
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true).context("setting TCP_NODELAY")?;
        stream
            .set_read_timeout(Some(RESPONSE_TIMEOUT))
            .context("setting read timeout")?;
        Ok(Self {
            stream,
            next_correlation_id: 1,
        })
    }

    /// Sends `request` at `version` and decodes the matching response.
    pub fn send<R: Request>(&mut self, request: &R, version: i16) -> Result<R::Response> {
        let correlation_id = self.next_correlation_id;
        self.next_correlation_id += 1;
        let frame = encode_request(request, version, correlation_id)?;
        self.write_raw(&frame)?;
        let mut body = self
            .read_frame()?
            .ok_or_else(|| anyhow!("broker closed the connection instead of answering"))?;
        decode_response::<R>(&mut body, version, correlation_id)
    }

    /// Writes `bytes` exactly as given (no size prefix is added).
    pub fn write_raw(&mut self, bytes: &[u8]) -> Result<()> {
        self.stream.write_all(bytes).context("writing to broker")?;
        self.stream.flush().context("flushing to broker")
    }

    /// Reads one size-prefixed frame; `None` when the broker closed the connection cleanly
    /// before a new frame began.
    pub fn read_frame(&mut self) -> Result<Option<Bytes>> {
        let mut prefix = [0u8; 4];
        match self.stream.read_exact(&mut prefix) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return Ok(None),
            Err(e) => return Err(e).context("reading response size"),
        }
        let size = i32::from_be_bytes(prefix);
        let size = usize::try_from(size).map_err(|_| anyhow!("negative response size {size}"))?;
        if size > RESPONSE_FRAME_BYTES_MAX {
            bail!("response size {size} exceeds {RESPONSE_FRAME_BYTES_MAX}");
        }
        let mut body = vec![0u8; size];
        self.stream
            .read_exact(&mut body)
            .context("reading response body")?;
        Ok(Some(Bytes::from(body)))
    }

    /// Waits up to `wait` for the broker to close the connection. Any bytes that arrive are
    /// counted and discarded.
    pub fn wait_for_close(&mut self, wait: Duration) -> Result<PeerState> {
        let deadline = Instant::now() + wait;
        let mut received = 0usize;
        let mut buf = [0u8; 8192];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                self.stream.set_read_timeout(Some(RESPONSE_TIMEOUT))?;
                return Ok(PeerState::Open { bytes: received });
            }
            self.stream.set_read_timeout(Some(left))?;
            match self.stream.read(&mut buf) {
                Ok(0) => return Ok(PeerState::Closed),
                Ok(n) => received += n,
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::ConnectionReset
                            | ErrorKind::ConnectionAborted
                            | ErrorKind::BrokenPipe
                    ) =>
                {
                    return Ok(PeerState::Closed)
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    self.stream.set_read_timeout(Some(RESPONSE_TIMEOUT))?;
                    return Ok(PeerState::Open { bytes: received });
                }
                Err(e) => return Err(e).context("waiting for the broker to close"),
            }
        }
    }

    /// Half-closes the write side, as a client that gives up mid-frame would.
    pub fn shutdown_write(&mut self) -> Result<()> {
        self.stream
            .shutdown(std::net::Shutdown::Write)
            .context("shutting down write side")
    }
}

/// The request header for `R` at `version`, with our client id.
pub fn request_header<R: Request>(version: i16, correlation_id: i32) -> RequestHeader {
    RequestHeader::default()
        .with_request_api_key(R::KEY)
        .with_request_api_version(version)
        .with_correlation_id(correlation_id)
        .with_client_id(Some(StrBytes::from_static_str(CLIENT_ID)))
}

/// Encodes `[size][header][body]` for `request` at `version`.
pub fn encode_request<R: Request>(
    request: &R,
    version: i16,
    correlation_id: i32,
) -> Result<BytesMut> {
    let header = request_header::<R>(version, correlation_id);
    encode_with_header(&header, R::header_version(version), |buf| {
        request.encode(buf, version)
    })
}

/// Encodes a frame from an explicit header and a body writer; lets tests pair a header with a
/// body of another version or with garbage.
pub fn encode_with_header(
    header: &RequestHeader,
    header_version: i16,
    body: impl FnOnce(&mut BytesMut) -> Result<()>,
) -> Result<BytesMut> {
    let mut buf = BytesMut::new();
    buf.put_i32(0);
    header
        .encode(&mut buf, header_version)
        .context("encoding request header")?;
    body(&mut buf).context("encoding request body")?;
    let size = i32::try_from(buf.len() - 4).context("request too large for a frame")?;
    buf[..4].copy_from_slice(&size.to_be_bytes());
    Ok(buf)
}

/// Decodes a response frame body (without size prefix) for request type `R`.
pub fn decode_response<R: Request>(
    body: &mut Bytes,
    version: i16,
    expected_correlation_id: i32,
) -> Result<R::Response> {
    let api_key = ApiKey::try_from(R::KEY).map_err(|()| anyhow!("unknown api key {}", R::KEY))?;
    let header_version = api_key.response_header_version(version);
    let header =
        ResponseHeader::decode(body, header_version).context("decoding response header")?;
    if header.correlation_id != expected_correlation_id {
        bail!(
            "response correlation id {} != request's {expected_correlation_id}",
            header.correlation_id
        );
    }
    let response = R::Response::decode(body, version)
        .with_context(|| format!("decoding {api_key:?} v{version} response body"))?;
    if body.has_remaining() {
        bail!(
            "{} trailing bytes after {api_key:?} v{version} response",
            body.remaining()
        );
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::ApiVersionsRequest;

    #[test]
    fn encoded_frame_carries_its_own_length_and_header() {
        let frame = encode_request(&ApiVersionsRequest::default(), 0, 7).expect("encode");
        let size = i32::from_be_bytes(frame[..4].try_into().expect("4 bytes"));
        assert_eq!(size as usize, frame.len() - 4);
        let mut rest = Bytes::copy_from_slice(&frame[4..]);
        let header = RequestHeader::decode(&mut rest, 1).expect("header");
        assert_eq!(header.request_api_key, 18);
        assert_eq!(header.correlation_id, 7);
    }

    #[test]
    fn response_with_wrong_correlation_id_is_rejected() {
        let mut buf = BytesMut::new();
        ResponseHeader::default()
            .with_correlation_id(3)
            .encode(&mut buf, 0)
            .expect("header");
        kafka_protocol::messages::ApiVersionsResponse::default()
            .encode(&mut buf, 0)
            .expect("body");
        let mut body = buf.freeze();
        let err = decode_response::<ApiVersionsRequest>(&mut body, 0, 4).expect_err("mismatch");
        assert!(err.to_string().contains("correlation"), "{err}");
    }
}
