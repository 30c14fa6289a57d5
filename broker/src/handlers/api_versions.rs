//! ApiVersions (18): the versions this broker serves, derived from the handler table, plus the
//! supported and finalized features (v3+).
//!
//! A request version above what we serve never reaches this handler: the connection answers it
//! with the KIP-511 fallback (UNSUPPORTED_VERSION and a v0 body listing our ranges).

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::api_versions_response::{FinalizedFeatureKey, SupportedFeatureKey};
use kafka_protocol::messages::{ApiKey, ApiVersionsRequest, ApiVersionsResponse, ResponseKind};
use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;

use crate::context::BrokerContext;
use crate::handlers::{decode_request, wire_str};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::ApiVersions,
    min_version: 0,
    max_version: 4,
    handle,
};

/// Lowest `metadata.version` level this broker can run (Kafka 4's minimum, 3.3-IV3).
const METADATA_VERSION_LEVEL_MIN: i16 = 7;

/// Feature ranges this broker supports, as (name, min level, max level). Also sent in the broker
/// registration, so the controller refuses a cluster level we cannot serve.
pub(crate) fn supported_features() -> &'static [(&'static str, i16, i16)] {
    &[
        (
            "metadata.version",
            METADATA_VERSION_LEVEL_MIN,
            strata_controller::METADATA_VERSION_LEVEL,
        ),
        ("kraft.version", 0, strata_controller::KRAFT_VERSION_LEVEL),
    ]
}

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: ApiVersionsRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::ApiVersions(api_versions_response(
            &context.image(),
            &decoded,
            request.api_version,
        ))))
    })
}

/// Builds the response for a request of a served version.
pub(crate) fn api_versions_response(
    image: &MetadataImage,
    request: &ApiVersionsRequest,
    version: i16,
) -> ApiVersionsResponse {
    if version >= 3
        && (!is_valid_client_software(request.client_software_name.as_str())
            || !is_valid_client_software(request.client_software_version.as_str()))
    {
        // Kafka answers INVALID_REQUEST with no API list (ApiVersionsRequest.isValid).
        return ApiVersionsResponse::default()
            .with_error_code(ResponseError::InvalidRequest.code());
    }
    let supported = supported_features()
        .iter()
        .map(|(name, min, max)| {
            SupportedFeatureKey::default()
                .with_name(wire_str(name))
                .with_min_version(*min)
                .with_max_version(*max)
        })
        .collect();
    let finalized = image
        .features
        .iter()
        .filter(|(_, level)| **level > 0)
        .map(|(name, level)| {
            FinalizedFeatureKey::default()
                .with_name(wire_str(name))
                .with_min_version_level(*level)
                .with_max_version_level(*level)
        })
        .collect();
    ApiVersionsResponse::default()
        .with_error_code(0)
        .with_api_keys(crate::router::global().advertised())
        .with_supported_features(supported)
        .with_finalized_features_epoch(if image.features.is_empty() {
            -1
        } else {
            image.offset
        })
        .with_finalized_features(finalized)
        .with_zk_migration_ready(false)
}

/// Kafka's rule for client software name and version (v3+):
/// `[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?`.
fn is_valid_client_software(text: &str) -> bool {
    let bytes = text.as_bytes();
    let edge_ok = |b: u8| b.is_ascii_alphanumeric();
    match (bytes.first(), bytes.last()) {
        (Some(&first), Some(&last)) => {
            edge_ok(first)
                && edge_ok(last)
                && bytes
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_software_names_follow_kafkas_pattern() {
        assert!(is_valid_client_software("apache-kafka-java"));
        assert!(is_valid_client_software("4.1.0"));
        assert!(is_valid_client_software("a"));
        assert!(!is_valid_client_software(""));
        assert!(!is_valid_client_software("-lead"));
        assert!(!is_valid_client_software("trail."));
        assert!(!is_valid_client_software("has space"));
    }

    #[test]
    fn response_lists_every_handler_and_finalized_features() {
        let mut image = MetadataImage::empty("c");
        image.offset = 9;
        image.features.insert("metadata.version".into(), 25);
        let request = ApiVersionsRequest::default()
            .with_client_software_name(wire_str("apache-kafka-java"))
            .with_client_software_version(wire_str("4.1.0"));
        let response = api_versions_response(&image, &request, 4);
        assert_eq!(response.error_code, 0);
        assert_eq!(response.api_keys.len(), crate::handlers::all().len());
        assert_eq!(response.finalized_features_epoch, 9);
        assert_eq!(response.finalized_features[0].max_version_level, 25);
    }

    #[test]
    fn invalid_client_software_name_is_invalid_request() {
        let request = ApiVersionsRequest::default().with_client_software_name(wire_str("bad name"));
        let response = api_versions_response(&MetadataImage::empty("c"), &request, 3);
        assert_eq!(response.error_code, ResponseError::InvalidRequest.code());
        assert!(response.api_keys.is_empty());
    }
}
