//! The request versions this build can decode, per API key.
//!
//! The broker advertises in ApiVersions only what it can decode, so this table is taken from the
//! generated message types of `kafka-protocol` (each request's `Message::VERSIONS`), never written
//! by hand. The broker intersects it with the versions its handlers implement.

use kafka_protocol::messages::ApiKey;
use kafka_protocol::protocol::VersionRange;

/// The inclusive version range `kafka-protocol` 0.18 decodes for requests of `api_key`: the
/// library's own table, generated from the same message specs as each request's `VERSIONS`.
pub fn decodable(api_key: ApiKey) -> VersionRange {
    api_key.valid_versions()
}

/// True when `version` of `api_key` is inside [`decodable`]`(api_key)`.
pub fn is_decodable(api_key: ApiKey, version: i16) -> bool {
    let range = decodable(api_key);
    range.min <= version && version <= range.max
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::{
        ApiVersionsRequest, FetchRequest, ListOffsetsRequest, MetadataRequest, ProduceRequest,
    };
    use kafka_protocol::protocol::Message;

    #[test]
    fn decodable_range_is_what_the_request_types_decode() {
        let pairs = [
            (ApiKey::Produce, ProduceRequest::VERSIONS),
            (ApiKey::Fetch, FetchRequest::VERSIONS),
            (ApiKey::ListOffsets, ListOffsetsRequest::VERSIONS),
            (ApiKey::Metadata, MetadataRequest::VERSIONS),
            (ApiKey::ApiVersions, ApiVersionsRequest::VERSIONS),
        ];
        for (key, versions) in pairs {
            assert_eq!(decodable(key), versions, "{key:?}");
        }
    }

    #[test]
    fn produce_decodable_range_matches_kafka_protocol() {
        assert_eq!(decodable(ApiKey::Produce), VersionRange { min: 3, max: 13 });
    }

    #[test]
    fn api_versions_v0_is_decodable_and_v5_is_not() {
        assert!(is_decodable(ApiKey::ApiVersions, 0));
        assert!(!is_decodable(ApiKey::ApiVersions, 5));
    }
}
