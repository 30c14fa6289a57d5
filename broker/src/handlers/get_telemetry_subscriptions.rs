//! GetTelemetrySubscriptions (71, KIP-714): an empty subscription.
//!
//! Strata has no client-metrics receiver, so every client gets what Kafka's
//! `ClientMetricsManager` returns when no subscription matches: no requested metrics, the default
//! push interval (5 minutes), delta temporality, the accepted compression types, and a client
//! instance id (a fresh random one when the client sent the zero uuid). With no requested metrics
//! the client never pushes, and asks again after the push interval: JVM clients stay quiet.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::{
    ApiKey, GetTelemetrySubscriptionsRequest, GetTelemetrySubscriptionsResponse, ResponseKind,
};
use uuid::Uuid;

use crate::context::BrokerContext;
use crate::handlers::decode_request;
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::GetTelemetrySubscriptions,
    min_version: 0,
    max_version: 0,
    handle,
};

/// Kafka's `ClientMetricsConfigs.DEFAULT_INTERVAL_MS`.
const PUSH_INTERVAL_MS_DEFAULT: i32 = 5 * 60 * 1000;

/// Kafka's `telemetry.max.bytes` default.
const TELEMETRY_BYTES_MAX: i32 = 1024 * 1024;

/// Compression types Kafka accepts for pushed metrics: zstd, lz4, gzip, snappy.
const ACCEPTED_COMPRESSION_TYPES: [i8; 4] = [4, 3, 1, 2];

fn handle(_context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: GetTelemetrySubscriptionsRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::GetTelemetrySubscriptions(
            empty_subscription(decoded.client_instance_id),
        )))
    })
}

fn empty_subscription(client_instance_id: Uuid) -> GetTelemetrySubscriptionsResponse {
    let client_instance_id = if client_instance_id.is_nil() {
        Uuid::new_v4()
    } else {
        client_instance_id
    };
    GetTelemetrySubscriptionsResponse::default()
        .with_error_code(0)
        .with_client_instance_id(client_instance_id)
        .with_subscription_id(subscription_id(client_instance_id))
        .with_accepted_compression_types(ACCEPTED_COMPRESSION_TYPES.to_vec())
        .with_push_interval_ms(PUSH_INTERVAL_MS_DEFAULT)
        .with_telemetry_max_bytes(TELEMETRY_BYTES_MAX)
        .with_delta_temporality(true)
        .with_requested_metrics(Vec::new())
}

/// A stable id of "no metrics at the default interval" for this client instance (opaque to the
/// client; it only echoes it in PushTelemetry). Like Kafka, it mixes a hash of the subscription
/// with the instance id, so two clients do not share an id.
fn subscription_id(client_instance_id: Uuid) -> i32 {
    let (high, low) = client_instance_id.as_u64_pair();
    let mixed = high ^ low;
    // FNV-1a over the subscription text "[]300000".
    let mut hash: u32 = 0x811c_9dc5;
    for byte in format!("[]{PUSH_INTERVAL_MS_DEFAULT}").bytes() {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    (hash ^ (mixed >> 32) as u32 ^ mixed as u32) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_instance_id_gets_a_fresh_one_and_no_metrics() {
        let response = empty_subscription(Uuid::nil());
        assert!(!response.client_instance_id.is_nil());
        assert!(response.requested_metrics.is_empty());
        assert_eq!(response.push_interval_ms, 300_000);
        assert!(response.delta_temporality);
    }

    #[test]
    fn known_instance_id_is_kept_with_a_stable_subscription_id() {
        let id = Uuid::new_v4();
        let first = empty_subscription(id);
        let second = empty_subscription(id);
        assert_eq!(first.client_instance_id, id);
        assert_eq!(first.subscription_id, second.subscription_id);
    }
}
