//! One TCP connection to one broker: frames requests, matches responses by correlation id, and
//! knows which API versions the broker offers (from ApiVersions at connect, KIP-511 style).
//!
//! Requests are strictly one at a time (no pipelining): an admin tool sends few requests, and
//! one in flight keeps the correlation logic trivially right.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, RequestHeader, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Request, StrBytes};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::error::{BrokerError, ClientError};
use super::error_code::UNSUPPORTED_VERSION;

/// Largest response frame accepted, so a confused peer cannot make us allocate without bound.
pub(crate) const RESPONSE_BYTES_MAX: usize = 512 << 20;

/// The client id sent in every request header.
pub(crate) const CLIENT_ID: &str = "strata-cli";

/// The highest version of `api_key` this tool sends: newer versions change the request's shape
/// (topic ids instead of names in Produce v13 and Fetch v13) in ways the commands do not use.
fn client_version_cap(api_key: i16) -> i16 {
    match ApiKey::try_from(api_key) {
        Ok(ApiKey::Produce) => 12,
        Ok(ApiKey::Fetch) => 12,
        _ => i16::MAX,
    }
}

/// A connection to one broker.
pub(crate) struct Connection {
    address: String,
    stream: TcpStream,
    next_correlation_id: i32,
    /// The broker's supported range per API key.
    versions: BTreeMap<i16, (i16, i16)>,
    request_timeout: Duration,
}

impl Connection {
    /// Connects to `address` and negotiates API versions.
    pub(crate) async fn connect(
        address: &str,
        request_timeout: Duration,
    ) -> Result<Self, ClientError> {
        let connect = TcpStream::connect(address);
        let stream = match tokio::time::timeout(request_timeout, connect).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(source)) => {
                return Err(ClientError::Connect {
                    address: address.to_owned(),
                    source,
                })
            }
            Err(_) => {
                return Err(ClientError::Timeout {
                    address: address.to_owned(),
                    api: "connect".to_owned(),
                    timeout_ms: millis(request_timeout),
                })
            }
        };
        // Small requests and responses: do not let Nagle delay them.
        let _ = stream.set_nodelay(true);
        let mut connection = Connection {
            address: address.to_owned(),
            stream,
            next_correlation_id: 0,
            versions: BTreeMap::new(),
            request_timeout,
        };
        connection.negotiate_versions().await?;
        Ok(connection)
    }

    /// The address this connection was made to.
    pub(crate) fn address(&self) -> &str {
        &self.address
    }

    /// The broker's advertised range for an API, if it offers it at all.
    pub(crate) fn broker_versions(&self, api_key: i16) -> Option<(i16, i16)> {
        self.versions.get(&api_key).copied()
    }

    /// The version to use for `R`: the highest both sides speak.
    pub(crate) fn version_for<R: Request>(&self) -> Result<i16, ClientError> {
        let ours_max = R::VERSIONS.max.min(client_version_cap(R::KEY));
        let ours_min = R::VERSIONS.min;
        let unsupported = |broker: String| ClientError::UnsupportedApi {
            address: self.address.clone(),
            api: api_name(R::KEY),
            broker,
            ours: format!("{ours_min}..{ours_max}"),
        };
        let (broker_min, broker_max) = self
            .broker_versions(R::KEY)
            .ok_or_else(|| unsupported("none".to_owned()))?;
        let version = ours_max.min(broker_max);
        if version < ours_min.max(broker_min) {
            return Err(unsupported(format!("{broker_min}..{broker_max}")));
        }
        Ok(version)
    }

    /// Sends the request `build` makes for the negotiated version and returns the response.
    pub(crate) async fn call<R: Request>(
        &mut self,
        build: impl FnOnce(i16) -> R,
    ) -> Result<R::Response, ClientError> {
        let version = self.version_for::<R>()?;
        let request = build(version);
        self.send(&request, version).await
    }

    /// Sends `request` at `version` and waits for its response.
    pub(crate) async fn send<R: Request>(
        &mut self,
        request: &R,
        version: i16,
    ) -> Result<R::Response, ClientError> {
        let api = api_name(R::KEY);
        let correlation_id = self.next_correlation_id;
        self.next_correlation_id = self.next_correlation_id.wrapping_add(1);
        let frame = self.encode(request, version, correlation_id)?;
        let timeout = self.request_timeout;
        let exchange = self.exchange(frame, &api);
        let mut body = match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result?,
            Err(_) => {
                return Err(ClientError::Timeout {
                    address: self.address.clone(),
                    api,
                    timeout_ms: millis(timeout),
                })
            }
        };
        let codec = |reason: String| ClientError::Codec {
            address: self.address.clone(),
            api: api_name(R::KEY),
            version,
            reason,
        };
        let header = ResponseHeader::decode(&mut body, R::Response::header_version(version))
            .map_err(|e| codec(format!("response header: {e}")))?;
        if header.correlation_id != correlation_id {
            return Err(codec(format!(
                "correlation id {} answered request {correlation_id}",
                header.correlation_id
            )));
        }
        R::Response::decode(&mut body, version).map_err(|e| codec(format!("response body: {e}")))
    }

    fn encode<R: Request>(
        &self,
        request: &R,
        version: i16,
        correlation_id: i32,
    ) -> Result<Bytes, ClientError> {
        let header = RequestHeader::default()
            .with_request_api_key(R::KEY)
            .with_request_api_version(version)
            .with_correlation_id(correlation_id)
            .with_client_id(Some(StrBytes::from_static_str(CLIENT_ID)));
        let mut buf = BytesMut::new();
        buf.put_i32(0);
        let codec = |reason: String| ClientError::Codec {
            address: self.address.clone(),
            api: api_name(R::KEY),
            version,
            reason,
        };
        header
            .encode(&mut buf, R::header_version(version))
            .map_err(|e| codec(format!("request header: {e}")))?;
        request
            .encode(&mut buf, version)
            .map_err(|e| codec(format!("request body: {e}")))?;
        let size = i32::try_from(buf.len() - 4).map_err(|_| codec("request too large".into()))?;
        buf[..4].copy_from_slice(&size.to_be_bytes());
        Ok(buf.freeze())
    }

    async fn exchange(&mut self, frame: Bytes, api: &str) -> Result<Bytes, ClientError> {
        let io = |source: std::io::Error| ClientError::Io {
            address: self.address.clone(),
            api: api.to_owned(),
            source,
        };
        self.stream.write_all(&frame).await.map_err(io)?;
        let mut prefix = [0u8; 4];
        self.stream.read_exact(&mut prefix).await.map_err(io)?;
        let size = i32::from_be_bytes(prefix);
        let size = usize::try_from(size)
            .ok()
            .filter(|s| *s <= RESPONSE_BYTES_MAX)
            .ok_or_else(|| {
                io(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("response size {size} outside 0..={RESPONSE_BYTES_MAX}"),
                ))
            })?;
        let mut body = vec![0u8; size];
        self.stream.read_exact(&mut body).await.map_err(io)?;
        Ok(Bytes::from(body))
    }

    /// ApiVersions v3 (flexible), falling back to v0 when the broker answers UNSUPPORTED_VERSION.
    async fn negotiate_versions(&mut self) -> Result<(), ClientError> {
        let request = ApiVersionsRequest::default()
            .with_client_software_name(StrBytes::from_static_str("strata-cli"))
            .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
        let response = match self.send(&request, 3).await {
            Ok(response) if response.error_code != UNSUPPORTED_VERSION => response,
            // KIP-511: the fallback answer is a v0 body; ask again at v0.
            Ok(_) | Err(ClientError::Codec { .. }) => {
                self.send(&ApiVersionsRequest::default(), 0).await?
            }
            Err(other) => return Err(other),
        };
        self.record_versions(&response)
    }

    fn record_versions(&mut self, response: &ApiVersionsResponse) -> Result<(), ClientError> {
        if response.error_code != 0 {
            return Err(BrokerError::new(
                response.error_code,
                format!("ApiVersions from {}", self.address),
                None,
            )
            .into());
        }
        self.versions = response
            .api_keys
            .iter()
            .map(|k| (k.api_key, (k.min_version, k.max_version)))
            .collect();
        Ok(())
    }
}

/// A readable API name (`Metadata`), or the key number for keys newer than kafka-protocol.
pub(crate) fn api_name(api_key: i16) -> String {
    match ApiKey::try_from(api_key) {
        Ok(key) => format!("{key:?}"),
        Err(()) => format!("api key {api_key}"),
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Reads a big-endian i16 from a buffer that has at least 2 bytes (used for versioned blobs).
pub(crate) fn take_version(buf: &mut Bytes) -> Option<i16> {
    (buf.remaining() >= 2).then(|| buf.get_i16())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::{FetchRequest, MetadataRequest, ProduceRequest};

    #[test]
    fn produce_and_fetch_stop_before_topic_id_versions() {
        assert_eq!(client_version_cap(ProduceRequest::KEY), 12);
        assert_eq!(client_version_cap(FetchRequest::KEY), 12);
        assert_eq!(client_version_cap(MetadataRequest::KEY), i16::MAX);
    }

    #[test]
    fn api_names_are_kafkas() {
        assert_eq!(api_name(3), "Metadata");
        assert_eq!(api_name(32000), "api key 32000");
    }
}
