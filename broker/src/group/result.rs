//! What a coordinator operation produces: records to persist, the response, and the responses
//! of parked requests that the operation completed.

use strata_protocol::group_records::GroupRecord;
use tokio::sync::oneshot;

/// The outcome of one coordinator operation.
///
/// Invariant: `records` describe every change the operation made to persisted state, so replaying
/// them (after everything written before) rebuilds that state. The runtime appends `records` to the
/// shard's `__consumer_offsets` partition and sends `response` and every `deferred` response only
/// after the append is committed; if the append fails, each deferred response is completed with
/// the error code instead and the shard is reloaded from the log.
#[must_use = "records must be written and deferred responses released"]
pub(crate) struct CoordinatorResult<R> {
    /// Records to append, in order.
    pub(crate) records: Vec<GroupRecord>,
    /// The answer to the request that ran the operation.
    pub(crate) response: R,
    /// Answers to earlier, parked requests (classic JoinGroup/SyncGroup) completed by this operation.
    pub(crate) deferred: Vec<DeferredResponse>,
}

impl<R> CoordinatorResult<R> {
    /// A result that writes nothing and completes nothing else.
    pub(crate) fn response_only(response: R) -> Self {
        Self {
            records: Vec::new(),
            response,
            deferred: Vec::new(),
        }
    }

    /// A result with records and no parked responses.
    pub(crate) fn with_records(records: Vec<GroupRecord>, response: R) -> Self {
        Self {
            records,
            response,
            deferred: Vec::new(),
        }
    }

    /// Replaces the response, keeping records and deferred responses.
    pub(crate) fn map<S>(self, f: impl FnOnce(R) -> S) -> CoordinatorResult<S> {
        CoordinatorResult {
            records: self.records,
            response: f(self.response),
            deferred: self.deferred,
        }
    }

    /// Moves the records and deferred responses of `other` after ours and returns its response.
    pub(crate) fn absorb<S>(&mut self, other: CoordinatorResult<S>) -> S {
        self.records.extend(other.records);
        self.deferred.extend(other.deferred);
        other.response
    }
}

/// A response to a parked request, released once the records of the operation that completed
/// it are committed. Completed with `Ok(())` after a successful write, or `Err(error_code)` when
/// the write failed (the request then gets that Kafka error code).
pub(crate) struct DeferredResponse(Box<dyn FnOnce(Result<(), i16>) + Send>);

impl DeferredResponse {
    /// Sends `response` on `tx` after a successful write, or `on_error(code)` after a failed one.
    /// A receiver that went away (the client disconnected) is not an error.
    pub(crate) fn new<T: Send + 'static>(
        tx: oneshot::Sender<T>,
        response: T,
        on_error: fn(i16) -> T,
    ) -> Self {
        Self(Box::new(move |outcome| {
            let value = match outcome {
                Ok(()) => response,
                Err(code) => on_error(code),
            };
            // The requester may have disconnected; nothing to do then.
            let _ = tx.send(value);
        }))
    }

    /// Releases the response.
    pub(crate) fn complete(self, outcome: Result<(), i16>) {
        (self.0)(outcome);
    }
}

impl std::fmt::Debug for DeferredResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeferredResponse")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deferred_response_sends_the_response_after_a_successful_write() {
        let (tx, mut rx) = oneshot::channel();
        DeferredResponse::new(tx, 7_i16, |code| code).complete(Ok(()));
        assert_eq!(rx.try_recv().expect("sent"), 7);
    }

    #[test]
    fn deferred_response_sends_the_error_after_a_failed_write() {
        let (tx, mut rx) = oneshot::channel();
        DeferredResponse::new(tx, 7_i16, |code| code).complete(Err(15));
        assert_eq!(rx.try_recv().expect("sent"), 15);
    }
}
