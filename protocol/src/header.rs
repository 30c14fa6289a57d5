//! Request header decoding and response framing.
//!
//! Request header versions (`RequestHeader.json`): v0 is `api_key i16 | api_version i16 |
//! correlation_id i32`; v1 adds a nullable (non-compact) `client_id` string; v2 adds tagged
//! fields. The header version follows from the API key and version
//! (`ApiKey::request_header_version`). Response headers are v0 (`correlation_id`) or v1 (plus
//! tagged fields), except that ApiVersions responses always use v0 so a client that sent a
//! version the broker does not know can still read the answer (KIP-511).

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsResponse, RequestHeader, RequestKind, ResponseHeader, ResponseKind,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};

use crate::frame::FRAME_PREFIX_BYTES;

/// Bytes every request header starts with: api key, api version, correlation id.
const HEADER_FIXED_BYTES: usize = 8;

/// A decoded request header.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedHeader {
    /// The header fields (`client_id` is `None` for header v0).
    pub header: RequestHeader,
    /// The API key, known to this build. The version may still be unsupported: check it with
    /// [`crate::versions::decodable`] and answer UNSUPPORTED_VERSION with `header.correlation_id`.
    pub api_key: ApiKey,
    /// The request header version that was decoded (0, 1 or 2).
    pub header_version: i16,
}

/// Why a request header could not be decoded. Every variant that could read the correlation id
/// carries it, so the broker can answer before closing the connection.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum HeaderError {
    /// Fewer than 8 bytes: not even api key, version and correlation id.
    #[error("request header needs {HEADER_FIXED_BYTES} bytes but the frame has {available}")]
    Truncated {
        /// Bytes in the frame.
        available: usize,
    },
    /// The API key is not one this build knows.
    #[error("unknown api key {api_key} (version {api_version}, correlation id {correlation_id})")]
    UnknownApiKey {
        /// The key sent.
        api_key: i16,
        /// The version sent.
        api_version: i16,
        /// The correlation id sent.
        correlation_id: i32,
    },
    /// The rest of the header (client id, tagged fields) is malformed.
    #[error("malformed header v{header_version} for api key {api_key} v{api_version} (correlation id {correlation_id}): {reason}")]
    Malformed {
        /// The key sent.
        api_key: i16,
        /// The version sent.
        api_version: i16,
        /// The correlation id sent.
        correlation_id: i32,
        /// The header version that was attempted.
        header_version: i16,
        /// What the decoder reported.
        reason: String,
    },
}

impl HeaderError {
    /// The correlation id, when the header got far enough to contain one.
    pub fn correlation_id(&self) -> Option<i32> {
        match self {
            Self::Truncated { .. } => None,
            Self::UnknownApiKey { correlation_id, .. } | Self::Malformed { correlation_id, .. } => {
                Some(*correlation_id)
            }
        }
    }
}

/// Decodes the request header at the start of `body` (a frame without its size prefix) and
/// advances `body` to the request body.
///
/// The API version is not checked against what this build can decode: an unsupported version of
/// a known key decodes fine here, so the broker can answer with UNSUPPORTED_VERSION (for
/// ApiVersions: a v0 response listing what it supports).
pub fn decode_request_header(body: &mut Bytes) -> Result<DecodedHeader, HeaderError> {
    if body.len() < HEADER_FIXED_BYTES {
        return Err(HeaderError::Truncated {
            available: body.len(),
        });
    }
    let api_key_raw = i16::from_be_bytes([body[0], body[1]]);
    let api_version = i16::from_be_bytes([body[2], body[3]]);
    let correlation_id = i32::from_be_bytes([body[4], body[5], body[6], body[7]]);
    let api_key = ApiKey::try_from(api_key_raw).map_err(|()| HeaderError::UnknownApiKey {
        api_key: api_key_raw,
        api_version,
        correlation_id,
    })?;
    let header_version = api_key.request_header_version(api_version);
    let header = if header_version == 0 {
        body.advance(HEADER_FIXED_BYTES);
        RequestHeader::default()
            .with_request_api_key(api_key_raw)
            .with_request_api_version(api_version)
            .with_correlation_id(correlation_id)
            .with_client_id(None)
    } else {
        RequestHeader::decode(body, header_version).map_err(|e| HeaderError::Malformed {
            api_key: api_key_raw,
            api_version,
            correlation_id,
            header_version,
            reason: e.to_string(),
        })?
    };
    Ok(DecodedHeader {
        header,
        api_key,
        header_version,
    })
}

/// Why a message could not be encoded (a version the message type does not have, a field
/// that version cannot carry, or a frame too large for the i32 size prefix).
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("cannot encode api key {api_key} v{api_version}: {reason}")]
pub struct EncodeError {
    /// The API key being encoded.
    pub api_key: i16,
    /// The version being encoded.
    pub api_version: i16,
    /// What the encoder reported.
    pub reason: String,
}

fn encode_error(api_key: ApiKey, api_version: i16, reason: impl std::fmt::Display) -> EncodeError {
    EncodeError {
        api_key: api_key as i16,
        api_version,
        reason: reason.to_string(),
    }
}

/// Writes the size prefix once the frame is complete.
fn finish_frame(
    mut buf: BytesMut,
    api_key: ApiKey,
    api_version: i16,
) -> Result<BytesMut, EncodeError> {
    let size = i32::try_from(buf.len() - FRAME_PREFIX_BYTES).map_err(|_| {
        encode_error(
            api_key,
            api_version,
            format!("frame of {} bytes exceeds i32", buf.len()),
        )
    })?;
    buf[..FRAME_PREFIX_BYTES].copy_from_slice(&size.to_be_bytes());
    Ok(buf)
}

fn response_frame(
    correlation_id: i32,
    api_key: ApiKey,
    api_version: i16,
    encode_body: impl FnOnce(&mut BytesMut) -> anyhow::Result<()>,
) -> Result<BytesMut, EncodeError> {
    let mut buf = BytesMut::new();
    buf.put_i32(0);
    let header_version = response_header_version(api_key, api_version);
    ResponseHeader::default()
        .with_correlation_id(correlation_id)
        .encode(&mut buf, header_version)
        .map_err(|e| encode_error(api_key, api_version, e))?;
    encode_body(&mut buf).map_err(|e| encode_error(api_key, api_version, e))?;
    finish_frame(buf, api_key, api_version)
}

/// The response header version for `api_key` at `api_version`: 1 for flexible versions, else 0.
///
/// KIP-511: ApiVersions responses always carry header v0, whatever the version, so a client can
/// parse the answer to a version it sent but the broker does not know.
pub fn response_header_version(api_key: ApiKey, api_version: i16) -> i16 {
    if api_key == ApiKey::ApiVersions {
        0
    } else {
        api_key.response_header_version(api_version)
    }
}

/// Encodes `[size][response header][body]` into one buffer for the wire.
///
/// The response header version comes from `ApiKey::response_header_version` (always v0 for
/// ApiVersions). `body` must be the response type of `api_key`.
pub fn encode_response(
    correlation_id: i32,
    api_key: ApiKey,
    api_version: i16,
    body: &ResponseKind,
) -> Result<BytesMut, EncodeError> {
    response_frame(correlation_id, api_key, api_version, |buf| {
        body.encode(buf, api_version)
    })
}

/// Encodes an ApiVersions response at version 0 with the v0 header: the KIP-511 fallback sent
/// when a client asks for an ApiVersions version the broker does not support (set
/// `error_code` to UNSUPPORTED_VERSION, 35, and list the supported ranges).
pub fn encode_api_versions_v0(
    correlation_id: i32,
    response: &ApiVersionsResponse,
) -> Result<BytesMut, EncodeError> {
    response_frame(correlation_id, ApiKey::ApiVersions, 0, |buf| {
        response.encode(buf, 0)
    })
}

/// Encodes `[size][request header][body]`, the client side of the wire (tests and tools).
///
/// The header version follows from `header.request_api_key` and `header.request_api_version`.
pub fn encode_request(header: &RequestHeader, body: &RequestKind) -> Result<BytesMut, EncodeError> {
    let api_version = header.request_api_version;
    let api_key = ApiKey::try_from(header.request_api_key).map_err(|()| EncodeError {
        api_key: header.request_api_key,
        api_version,
        reason: "unknown api key".to_owned(),
    })?;
    let mut buf = BytesMut::new();
    buf.put_i32(0);
    let header_version = api_key.request_header_version(api_version);
    if header_version == 0 {
        buf.put_i16(header.request_api_key);
        buf.put_i16(api_version);
        buf.put_i32(header.correlation_id);
    } else {
        header
            .encode(&mut buf, header_version)
            .map_err(|e| encode_error(api_key, api_version, e))?;
    }
    body.encode(&mut buf, api_version)
        .map_err(|e| encode_error(api_key, api_version, e))?;
    finish_frame(buf, api_key, api_version)
}

/// Splits a response frame body (without size prefix) into its correlation id and decoded body.
///
/// For clients in tests and tools; the broker never decodes responses.
pub fn decode_response(
    frame: &mut Bytes,
    api_key: ApiKey,
    api_version: i16,
) -> Result<(i32, ResponseKind), EncodeError> {
    let header_version = response_header_version(api_key, api_version);
    let header = ResponseHeader::decode(frame, header_version)
        .map_err(|e| encode_error(api_key, api_version, e))?;
    let body = ResponseKind::decode(api_key, frame, api_version)
        .map_err(|e| encode_error(api_key, api_version, e))?;
    Ok((header.correlation_id, body))
}

/// A header for `api_key` at `api_version`, for clients in tests and tools.
pub fn request_header(
    api_key: ApiKey,
    api_version: i16,
    correlation_id: i32,
    client_id: &str,
) -> RequestHeader {
    RequestHeader::default()
        .with_request_api_key(api_key as i16)
        .with_request_api_version(api_version)
        .with_correlation_id(correlation_id)
        .with_client_id(Some(StrBytes::from_string(client_id.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::{ApiVersionsRequest, MetadataRequest};

    fn frame_body(frame: BytesMut) -> Bytes {
        let mut frame = frame.freeze();
        let size = frame.get_i32();
        assert_eq!(size as usize, frame.len());
        frame
    }

    #[test]
    fn request_header_round_trips_and_leaves_body() {
        let header = request_header(ApiKey::Metadata, 12, 77, "client-1");
        let frame = encode_request(&header, &RequestKind::Metadata(MetadataRequest::default()))
            .expect("encode");
        let mut body = frame_body(frame);
        let decoded = decode_request_header(&mut body).expect("decode");
        assert_eq!(decoded.header, header);
        assert_eq!(decoded.api_key, ApiKey::Metadata);
        assert_eq!(decoded.header_version, 2);
        let req = RequestKind::decode(ApiKey::Metadata, &mut body, 12).expect("body");
        assert_eq!(req, RequestKind::Metadata(MetadataRequest::default()));
    }

    #[test]
    fn header_shorter_than_eight_bytes_is_truncated() {
        let mut body = Bytes::from_static(&[0, 3, 0, 1, 0, 0, 0]);
        let err = decode_request_header(&mut body).expect_err("truncated");
        assert_eq!(err, HeaderError::Truncated { available: 7 });
        assert_eq!(err.correlation_id(), None);
    }

    #[test]
    fn unknown_api_key_reports_correlation_id() {
        let mut body =
            Bytes::from_static(&[0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2a, 0xff, 0xff]);
        assert_eq!(
            decode_request_header(&mut body),
            Err(HeaderError::UnknownApiKey {
                api_key: 0x7f00,
                api_version: 1,
                correlation_id: 42
            })
        );
    }

    #[test]
    fn unsupported_api_versions_version_still_decodes_header() {
        // ApiVersions v99 from a future client: header v2 (client id + tagged fields).
        let header = request_header(ApiKey::ApiVersions, 99, 5, "future");
        let mut buf = BytesMut::new();
        header.encode(&mut buf, 2).expect("encode");
        let mut body = buf.freeze();
        let decoded = decode_request_header(&mut body).expect("decode");
        assert_eq!(decoded.header.correlation_id, 5);
        assert!(!crate::versions::is_decodable(decoded.api_key, 99));
    }

    #[test]
    fn malformed_client_id_reports_correlation_id() {
        // Metadata v1 → header v1; client id length 100 but no bytes follow.
        let mut body = Bytes::from_static(&[0, 3, 0, 1, 0, 0, 0, 9, 0, 100]);
        let err = decode_request_header(&mut body).expect_err("malformed");
        assert_eq!(err.correlation_id(), Some(9));
    }

    #[test]
    fn api_versions_response_uses_header_v0_even_at_v3() {
        let resp = ApiVersionsResponse::default();
        let frame = encode_response(
            7,
            ApiKey::ApiVersions,
            3,
            &ResponseKind::ApiVersions(resp.clone()),
        )
        .expect("encode");
        let mut body = frame_body(frame);
        assert_eq!(body.get_i32(), 7);
        // Header v0 has no tagged-field byte: the body (v3, flexible) follows directly.
        let decoded = ApiVersionsResponse::decode(&mut body, 3).expect("decode");
        assert_eq!(decoded, resp);
    }

    #[test]
    fn api_versions_v0_fallback_is_decodable_at_v0() {
        let resp = ApiVersionsResponse::default().with_error_code(35);
        let frame = encode_api_versions_v0(11, &resp).expect("encode");
        let mut body = frame_body(frame);
        let (correlation_id, decoded) =
            decode_response(&mut body, ApiKey::ApiVersions, 0).expect("decode");
        assert_eq!(correlation_id, 11);
        assert_eq!(decoded, ResponseKind::ApiVersions(resp));
    }

    #[test]
    fn flexible_response_has_header_v1() {
        let resp = kafka_protocol::messages::MetadataResponse::default();
        let frame = encode_response(3, ApiKey::Metadata, 12, &ResponseKind::Metadata(resp))
            .expect("encode");
        let body = frame_body(frame);
        // correlation id then an empty tagged-field section (0x00).
        assert_eq!(&body[..5], &[0, 0, 0, 3, 0]);
    }

    #[test]
    fn api_versions_request_v3_header_is_flexible() {
        let header = request_header(ApiKey::ApiVersions, 3, 1, "c");
        let frame = encode_request(
            &header,
            &RequestKind::ApiVersions(ApiVersionsRequest::default()),
        )
        .expect("encode");
        let mut body = frame_body(frame);
        assert_eq!(
            decode_request_header(&mut body)
                .expect("decode")
                .header_version,
            2
        );
    }
}
