//! InitProducerId (22), v0–v5: a producer id and epoch for idempotent producers.
//!
//! Kafka's semantics (`KafkaApis.handleInitProducerIdRequest`,
//! `TransactionCoordinator.handleInitProducerId`):
//! - `producer_id` and `producer_epoch` must both be -1 or both be set → else INVALID_REQUEST.
//! - Null `transactional_id` (idempotent producer): a fresh producer id with epoch 0, always —
//!   Kafka ignores a supplied id/epoch here (KIP-360 epoch bumps apply to transactional ids).
//! - Empty `transactional_id` → INVALID_REQUEST; a timeout outside
//!   `1..=transaction.max.timeout.ms` → INVALID_TRANSACTION_TIMEOUT.
//! - Any other `transactional_id` needs the transaction coordinator, which Strata does not have
//!   yet: the answer is COORDINATOR_NOT_AVAILABLE, what Kafka answers while no coordinator can
//!   serve the id (retriable; the producer's `initTransactions` times out with that cause).
//! - While a new id block is being fetched from the controller: COORDINATOR_LOAD_IN_PROGRESS
//!   (retriable), as Kafka's `RPCProducerIdManager` does.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::{
    ApiKey, InitProducerIdRequest, InitProducerIdResponse, ResponseKind,
};
use kafka_protocol::ResponseError;

use crate::context::BrokerContext;
use crate::handlers::decode_request;
use crate::producer_id_manager::{ProducerIdError, ProducerIdManager};
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::InitProducerId,
    min_version: 0,
    max_version: 5,
    handle,
};

/// Kafka's default `transaction.max.timeout.ms` (15 minutes).
const TRANSACTION_TIMEOUT_MAX_MS: i32 = 900_000;

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let init: InitProducerIdRequest = decode_request(&request, body)?;
        let broker_epoch = context
            .image()
            .brokers
            .get(&context.node_id)
            .map(|b| b.epoch);
        let response = handle_init_producer_id(&context.producer_ids, broker_epoch, init).await;
        Ok(Some(ResponseKind::InitProducerId(response)))
    })
}

/// Answers one InitProducerId request.
pub(crate) async fn handle_init_producer_id(
    producer_ids: &ProducerIdManager,
    broker_epoch: Option<i64>,
    request: InitProducerIdRequest,
) -> InitProducerIdResponse {
    let mut response = InitProducerIdResponse::default();
    let fail = |mut response: InitProducerIdResponse, code: i16| {
        response.error_code = code;
        response.producer_id = (-1).into();
        response.producer_epoch = -1;
        response
    };
    let id_given = request.producer_id.0 != -1;
    let epoch_given = request.producer_epoch != -1;
    if id_given != epoch_given {
        return fail(response, ResponseError::InvalidRequest.code());
    }
    if let Some(transactional_id) = &request.transactional_id {
        if transactional_id.0.is_empty() {
            return fail(response, ResponseError::InvalidRequest.code());
        }
        if request.transaction_timeout_ms <= 0
            || request.transaction_timeout_ms > TRANSACTION_TIMEOUT_MAX_MS
        {
            return fail(response, ResponseError::InvalidTransactionTimeout.code());
        }
        return fail(response, ResponseError::CoordinatorNotAvailable.code());
    }
    match producer_ids.generate(broker_epoch).await {
        Ok(id) => {
            response.producer_id = id.into();
            response.producer_epoch = 0;
            response
        }
        Err(error) => {
            if let ProducerIdError::Controller(cause) = &error {
                tracing::warn!(%cause, "producer id block allocation failed");
            }
            fail(response, ResponseError::CoordinatorLoadInProgress.code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::protocol::StrBytes;
    use strata_controller::{BrokerRegistrationRequest, Controller, ControllerConfig};
    use strata_storage::SystemClock;

    /// An idempotent producer's request (kafka-protocol defaults to an empty transactional id).
    fn idempotent() -> InitProducerIdRequest {
        InitProducerIdRequest::default().with_transactional_id(None)
    }

    /// A single-node controller in a temp dir with broker 1 registered; returns its epoch.
    async fn controller(dir: &tempfile::TempDir) -> (Controller, i64) {
        let config = ControllerConfig::single_node(1, dir.path().to_path_buf(), "test-cluster");
        let controller = Controller::start(config, Arc::new(SystemClock))
            .await
            .expect("controller starts");
        let epoch = controller
            .register_broker(BrokerRegistrationRequest {
                broker_id: 1,
                incarnation_id: uuid::Uuid::new_v4(),
                listeners: vec![],
                rack: None,
                features: vec![],
                log_dirs: vec![],
            })
            .await
            .expect("broker registers");
        (controller, epoch)
    }

    #[tokio::test]
    async fn idempotent_producers_get_distinct_ids_with_epoch_zero() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (controller, epoch) = controller(&dir).await;
        let manager = ProducerIdManager::new(controller.clone(), 1);
        let first = handle_init_producer_id(&manager, Some(epoch), idempotent()).await;
        let second = handle_init_producer_id(&manager, Some(epoch), idempotent()).await;
        assert_eq!((first.error_code, first.producer_epoch), (0, 0));
        assert_eq!(second.error_code, 0);
        assert!(first.producer_id.0 >= 0);
        assert_ne!(first.producer_id, second.producer_id);
        // A fresh manager (a restarted broker) gets a new block, never reusing ids.
        let restarted = ProducerIdManager::new(controller.clone(), 1);
        let third = handle_init_producer_id(&restarted, Some(epoch), idempotent()).await;
        assert!(third.producer_id.0 > second.producer_id.0);
        controller.shutdown().await.expect("controller stops");
    }

    #[tokio::test]
    async fn request_errors_are_reported_before_any_allocation() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (controller, epoch) = controller(&dir).await;
        let manager = ProducerIdManager::new(controller.clone(), 1);

        let half = idempotent()
            .with_producer_id(5.into())
            .with_producer_epoch(-1);
        let answer = handle_init_producer_id(&manager, Some(epoch), half).await;
        assert_eq!(answer.error_code, ResponseError::InvalidRequest.code());

        let transactional = InitProducerIdRequest::default()
            .with_transactional_id(Some(StrBytes::from_static_str("tx").into()))
            .with_transaction_timeout_ms(60_000);
        let answer = handle_init_producer_id(&manager, Some(epoch), transactional).await;
        assert_eq!(
            answer.error_code,
            ResponseError::CoordinatorNotAvailable.code()
        );
        assert_eq!(answer.producer_id.0, -1);

        let bad_timeout = InitProducerIdRequest::default()
            .with_transactional_id(Some(StrBytes::from_static_str("tx").into()))
            .with_transaction_timeout_ms(0);
        let answer = handle_init_producer_id(&manager, Some(epoch), bad_timeout).await;
        assert_eq!(
            answer.error_code,
            ResponseError::InvalidTransactionTimeout.code()
        );

        let empty_id = InitProducerIdRequest::default().with_transaction_timeout_ms(60_000);
        let answer = handle_init_producer_id(&manager, Some(epoch), empty_id).await;
        assert_eq!(answer.error_code, ResponseError::InvalidRequest.code());

        let unregistered = handle_init_producer_id(&manager, None, idempotent()).await;
        assert_eq!(
            unregistered.error_code,
            ResponseError::CoordinatorLoadInProgress.code()
        );
        controller.shutdown().await.expect("controller stops");
    }
}
