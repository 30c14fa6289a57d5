//! What one classic-group operation accumulates while it runs: records to persist and responses
//! to parked JoinGroup/SyncGroup requests, released together once the records are committed.

use kafka_protocol::messages::{JoinGroupResponse, SyncGroupResponse};
use strata_protocol::group_records::GroupRecord;
use tokio::sync::oneshot;

use crate::group::result::{CoordinatorResult, DeferredResponse};

/// Records and parked responses of one operation, in the order they were produced.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    /// Records to append.
    pub(crate) records: Vec<GroupRecord>,
    /// Responses released after the append.
    pub(crate) deferred: Vec<DeferredResponse>,
}

impl Effects {
    /// Answers a JoinGroup request once this operation's records are committed.
    pub(crate) fn answer_join(
        &mut self,
        tx: oneshot::Sender<JoinGroupResponse>,
        response: JoinGroupResponse,
    ) {
        self.deferred
            .push(DeferredResponse::new(tx, response, join_error));
    }

    /// Answers a SyncGroup request once this operation's records are committed.
    pub(crate) fn answer_sync(
        &mut self,
        tx: oneshot::Sender<SyncGroupResponse>,
        response: SyncGroupResponse,
    ) {
        self.deferred
            .push(DeferredResponse::new(tx, response, sync_error));
    }

    /// The operation's result with `response`.
    pub(crate) fn finish<R>(self, response: R) -> CoordinatorResult<R> {
        CoordinatorResult {
            records: self.records,
            response,
            deferred: self.deferred,
        }
    }
}

/// A JoinGroup response carrying only `code`.
pub(crate) fn join_error(code: i16) -> JoinGroupResponse {
    JoinGroupResponse::default().with_error_code(code)
}

/// A SyncGroup response carrying only `code`.
pub(crate) fn sync_error(code: i16) -> SyncGroupResponse {
    SyncGroupResponse::default().with_error_code(code)
}
