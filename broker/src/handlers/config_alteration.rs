//! What AlterConfigs and IncrementalAlterConfigs share: each resource of a request is first
//! checked on its own, the valid ones go to the controller in one call, and every resource gets
//! its own outcome back in request order.

use std::future::Future;

use kafka_protocol::ResponseError;
use strata_controller::ControllerError;

/// A resource's failure as the response carries it: Kafka error code and message.
pub(crate) type ResourceFailure = (i16, String);

/// Runs the resources that passed their own checks through `alter` (one controller call) and
/// returns one outcome per resource of the request, in request order.
///
/// `alter` must answer one outcome per item it is given, in the order given; a missing outcome
/// is reported as UNKNOWN_SERVER_ERROR rather than silently dropped.
pub(crate) async fn alter_valid_resources<T, F, Fut>(
    prepared: Vec<Result<T, ResourceFailure>>,
    alter: F,
) -> Vec<Result<(), ResourceFailure>>
where
    T: Clone,
    F: FnOnce(Vec<T>) -> Fut,
    Fut: Future<Output = Vec<Result<(), ControllerError>>>,
{
    let valid: Vec<T> = prepared
        .iter()
        .filter_map(|p| p.as_ref().ok().cloned())
        .collect();
    let mut outcomes = if valid.is_empty() {
        Vec::new()
    } else {
        alter(valid).await
    }
    .into_iter();
    prepared
        .into_iter()
        .map(|prepared| match prepared {
            Err(failure) => Err(failure),
            Ok(_) => match outcomes.next() {
                Some(Ok(())) => Ok(()),
                Some(Err(error)) => Err((error.kafka_error_code(), error.to_string())),
                None => Err((
                    ResponseError::UnknownServerError.code(),
                    "no outcome from the controller".into(),
                )),
            },
        })
        .collect()
}
