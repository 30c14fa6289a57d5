//! Request routing: the table of handlers, one per Kafka API, and the ApiVersions ranges derived from it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use kafka_protocol::messages::{ApiKey, ResponseKind};

use crate::context::BrokerContext;
use crate::errors::HandlerError;

/// What a handler knows about the request besides its body.
#[derive(Debug, Clone)]
pub(crate) struct RequestContext {
    /// API of the request.
    pub(crate) api_key: ApiKey,
    /// Version of the request body.
    pub(crate) api_version: i16,
    /// Correlation id the response echoes.
    pub(crate) correlation_id: i32,
    /// Client id from the request header, when present.
    pub(crate) client_id: Option<String>,
    /// Remote address of the connection.
    pub(crate) peer: std::net::SocketAddr,
    /// Name of the listener the request arrived on (e.g. `PLAINTEXT`).
    pub(crate) listener: String,
}

/// The future a handler returns: `Ok(None)` means "send no response" (Produce acks=0).
pub(crate) type HandlerFuture =
    Pin<Box<dyn Future<Output = Result<Option<ResponseKind>, HandlerError>> + Send>>;

/// One Kafka API: key, the versions we advertise (min..=max, within what kafka-protocol decodes), and the entry point.
/// `Ok(None)` = send no response (Produce acks=0).
#[derive(Clone, Copy)]
pub(crate) struct HandlerSpec {
    /// API this handler serves.
    pub(crate) api_key: ApiKey,
    /// Lowest version advertised in ApiVersions.
    pub(crate) min_version: i16,
    /// Highest version advertised in ApiVersions.
    pub(crate) max_version: i16,
    /// Entry point: decodes the body (after the header) and answers.
    pub(crate) handle: fn(Arc<BrokerContext>, RequestContext, bytes::Bytes) -> HandlerFuture,
}

impl std::fmt::Debug for HandlerSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandlerSpec")
            .field("api_key", &self.api_key)
            .field("min_version", &self.min_version)
            .field("max_version", &self.max_version)
            .finish()
    }
}

/// Where a request goes, decided from its header alone.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Route {
    /// A handler serves this key and version.
    Handler(HandlerSpec),
    /// A handler exists but not for this version (ApiVersions: KIP-511 fallback; others: close).
    UnsupportedVersion,
    /// No handler serves this key (Kafka closes the connection).
    UnknownApi,
}

/// Number of slots in the dispatch table: one per possible API key of kafka-protocol 0.18 (0..=92)
/// with room for growth; keys beyond it are unknown.
const API_KEY_SLOTS: usize = 128;

/// The dispatch table, indexed by API key. Built once from `handlers::all()`.
pub(crate) struct Router {
    table: Vec<Option<HandlerSpec>>,
}

impl Router {
    /// Builds the table. Two handlers for one key is a programmer error.
    pub(crate) fn new(specs: Vec<HandlerSpec>) -> Self {
        let mut table = vec![None; API_KEY_SLOTS];
        for spec in specs {
            let slot = &mut table[spec.api_key as i16 as usize];
            assert!(
                slot.is_none(),
                "two handlers registered for {:?}",
                spec.api_key
            );
            *slot = Some(spec);
        }
        Router { table }
    }

    /// Looks up the handler for a key and version.
    pub(crate) fn route(&self, api_key: ApiKey, api_version: i16) -> Route {
        match self.table.get(api_key as i16 as usize).copied().flatten() {
            None => Route::UnknownApi,
            Some(spec) if accepted_range(&spec).contains(&api_version) => Route::Handler(spec),
            Some(_) => Route::UnsupportedVersion,
        }
    }

    /// The ApiVersions entries: one per handler, sorted by key, with the advertised range.
    pub(crate) fn advertised(
        &self,
    ) -> Vec<kafka_protocol::messages::api_versions_response::ApiVersion> {
        self.table
            .iter()
            .flatten()
            .map(|spec| {
                let (min, max) = advertised_range(spec);
                kafka_protocol::messages::api_versions_response::ApiVersion::default()
                    .with_api_key(spec.api_key as i16)
                    .with_min_version(min)
                    .with_max_version(max)
            })
            .collect()
    }
}

/// The lowest Produce version advertised although v0–v2 are refused: Kafka 4 lists Produce from
/// v0 because librdkafka otherwise refuses to send compressed batches (KAFKA-18659,
/// `ApiKeys.PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION`). A v0–v2 request still closes the
/// connection, exactly as Kafka 4 does ("unsupported version").
pub(crate) const PRODUCE_ADVERTISED_VERSION_MIN: i16 = 0;

/// The advertised range of a handler: its own, never beyond what kafka-protocol decodes, with
/// the Produce floor quirk.
pub(crate) fn advertised_range(spec: &HandlerSpec) -> (i16, i16) {
    let decodable = strata_protocol::versions::decodable(spec.api_key);
    let max = spec.max_version.min(decodable.max);
    let min = if spec.api_key == ApiKey::Produce {
        PRODUCE_ADVERTISED_VERSION_MIN
    } else {
        spec.min_version.max(decodable.min)
    };
    (min, max)
}

/// The versions a handler actually serves: its range within what kafka-protocol decodes.
pub(crate) fn accepted_range(spec: &HandlerSpec) -> std::ops::RangeInclusive<i16> {
    let decodable = strata_protocol::versions::decodable(spec.api_key);
    spec.min_version.max(decodable.min)..=spec.max_version.min(decodable.max)
}

/// The process-wide router over `handlers::all()`, built on first use.
pub(crate) fn global() -> &'static Router {
    static ROUTER: std::sync::OnceLock<Router> = std::sync::OnceLock::new();
    ROUTER.get_or_init(|| Router::new(crate::handlers::all()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kafka 4's lowest advertised version per API (the broker side of
    /// `kafka-clients-4.3.0-apiversions.txt`, with the Produce v0 advertisement of KAFKA-18659).
    const KAFKA_4_MIN_VERSIONS: &[(ApiKey, i16)] = &[
        (ApiKey::Produce, 0),
        (ApiKey::Fetch, 4),
        (ApiKey::ListOffsets, 1),
        (ApiKey::Metadata, 0),
        (ApiKey::ApiVersions, 0),
        (ApiKey::CreateTopics, 2),
        (ApiKey::DeleteTopics, 1),
        (ApiKey::DeleteRecords, 0),
        (ApiKey::InitProducerId, 0),
        (ApiKey::OffsetForLeaderEpoch, 2),
        (ApiKey::DescribeConfigs, 1),
        (ApiKey::AlterConfigs, 0),
        (ApiKey::DescribeLogDirs, 1),
        (ApiKey::CreatePartitions, 0),
        (ApiKey::IncrementalAlterConfigs, 0),
        (ApiKey::DescribeCluster, 0),
        (ApiKey::DescribeProducers, 0),
        (ApiKey::GetTelemetrySubscriptions, 0),
        (ApiKey::DescribeTopicPartitions, 0),
    ];

    #[test]
    fn api_versions_table_lists_exactly_the_registered_handlers() {
        let router = Router::new(crate::handlers::all());
        let advertised: Vec<i16> = router.advertised().iter().map(|v| v.api_key).collect();
        let mut registered: Vec<i16> = crate::handlers::all()
            .iter()
            .map(|s| s.api_key as i16)
            .collect();
        registered.sort_unstable();
        assert_eq!(advertised, registered);
    }

    #[test]
    fn advertised_ranges_stay_within_what_kafka_protocol_decodes_and_kafkas_floor() {
        for spec in crate::handlers::all() {
            let (min, max) = advertised_range(&spec);
            let decodable = strata_protocol::versions::decodable(spec.api_key);
            assert!(
                max <= decodable.max && max >= min,
                "{:?}: {min}..={max}",
                spec.api_key
            );
            if spec.api_key != ApiKey::Produce {
                assert!(
                    min >= decodable.min,
                    "{:?} advertises undecodable v{min}",
                    spec.api_key
                );
            }
            if let Some((_, floor)) = KAFKA_4_MIN_VERSIONS
                .iter()
                .find(|(key, _)| *key == spec.api_key)
            {
                assert_eq!(
                    min, *floor,
                    "{:?} must advertise Kafka 4's minimum",
                    spec.api_key
                );
            }
        }
    }

    #[test]
    fn produce_is_advertised_from_v0_but_served_from_v3() {
        fn never(_: Arc<BrokerContext>, _: RequestContext, _: bytes::Bytes) -> HandlerFuture {
            Box::pin(async { Ok(None) })
        }
        let spec = HandlerSpec {
            api_key: ApiKey::Produce,
            min_version: 3,
            max_version: 13,
            handle: never,
        };
        let router = Router::new(vec![spec]);
        assert_eq!(advertised_range(&spec).0, 0);
        assert!(matches!(
            router.route(ApiKey::Produce, 2),
            Route::UnsupportedVersion
        ));
        assert!(matches!(
            router.route(ApiKey::Produce, 3),
            Route::Handler(_)
        ));
        assert!(matches!(router.route(ApiKey::Fetch, 12), Route::UnknownApi));
    }
}
