//! Hands out producer ids for idempotent producers, from blocks the controller allocates.
//!
//! Kafka's `RPCProducerIdManager`: the broker asks the controller (AllocateProducerIds, here a
//! direct call) for a block of ids and serves InitProducerId from it. While a block is being
//! fetched, other callers get COORDINATOR_LOAD_IN_PROGRESS (retriable), as in Kafka, so at most
//! one request to the controller is in flight and no lock is held across the await.
//!
//! Invariant: ids are never handed out twice — a block is used once, front to back, and blocks
//! come from the controller's committed, monotonically increasing `next_producer_id`.

use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;
use strata_controller::{Controller, ControllerError, ProducerIdBlock};

/// Why no producer id could be handed out.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProducerIdError {
    /// Another caller is fetching the next block; retry shortly.
    #[error("a new producer id block is being allocated")]
    BlockInFlight,
    /// This broker has no registration (epoch) in the metadata yet.
    #[error("broker {node_id} is not registered yet")]
    NotRegistered {
        /// This node.
        node_id: i32,
    },
    /// The controller refused or failed the allocation.
    #[error("producer id block allocation failed: {0}")]
    Controller(#[from] ControllerError),
}

/// The unused rest of the current block: `next..end`.
#[derive(Debug, Clone, Copy)]
struct Remaining {
    next: i64,
    end: i64,
}

impl Remaining {
    fn from_block(block: &ProducerIdBlock) -> Self {
        Self {
            next: block.first_producer_id,
            end: block.first_producer_id + i64::from(block.size.max(0)),
        }
    }

    fn take(&mut self) -> Option<i64> {
        (self.next < self.end).then(|| {
            let id = self.next;
            self.next += 1;
            id
        })
    }
}

/// Producer id source of this broker.
pub(crate) struct ProducerIdManager {
    controller: Controller,
    node_id: i32,
    current: Mutex<Option<Remaining>>,
    fetching: AtomicBool,
}

impl std::fmt::Debug for ProducerIdManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProducerIdManager")
            .field("node_id", &self.node_id)
            .field("current", &*self.current.lock())
            .finish()
    }
}

impl ProducerIdManager {
    /// A manager with no block yet; the first request fetches one.
    pub(crate) fn new(controller: Controller, node_id: i32) -> Self {
        Self {
            controller,
            node_id,
            current: Mutex::new(None),
            fetching: AtomicBool::new(false),
        }
    }

    /// The next unused producer id. `broker_epoch` is this broker's registration epoch (the
    /// controller checks it), `None` if the broker is not registered.
    pub(crate) async fn generate(&self, broker_epoch: Option<i64>) -> Result<i64, ProducerIdError> {
        if let Some(id) = self.current.lock().as_mut().and_then(Remaining::take) {
            return Ok(id);
        }
        let broker_epoch = broker_epoch.ok_or(ProducerIdError::NotRegistered {
            node_id: self.node_id,
        })?;
        if self
            .fetching
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return Err(ProducerIdError::BlockInFlight);
        }
        let allocated = self
            .controller
            .allocate_producer_ids(self.node_id, broker_epoch)
            .await;
        let result = allocated.map_err(ProducerIdError::from).map(|block| {
            let mut remaining = Remaining::from_block(&block);
            let id = remaining.take();
            *self.current.lock() = Some(remaining);
            id
        });
        self.fetching.store(false, Ordering::Release);
        match result {
            Ok(Some(id)) => Ok(id),
            Ok(None) => Err(ProducerIdError::BlockInFlight),
            Err(error) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_hands_out_each_id_of_a_block_once() {
        let block = ProducerIdBlock {
            assigned_broker_id: 1,
            first_producer_id: 1000,
            size: 3,
        };
        let mut remaining = Remaining::from_block(&block);
        assert_eq!(remaining.take(), Some(1000));
        assert_eq!(remaining.take(), Some(1001));
        assert_eq!(remaining.take(), Some(1002));
        assert_eq!(remaining.take(), None);
    }
}
