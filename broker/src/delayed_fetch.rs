//! Delayed operations: a request that cannot be answered yet waits, woken by its partitions,
//! until its condition holds or its deadline passes (Kafka's purgatory, without the timing wheel).
//!
//! One waiter (`tokio::sync::Notify`) is registered with every partition the operation watches;
//! any append, high-watermark move or leadership change on any of them wakes it, and the
//! operation re-checks its condition. `Notify::notify_one` stores a permit, so a wake-up that
//! lands between a check and the next wait is not lost. Long-poll fetches (`max_wait_ms` /
//! `min_bytes`) and acks=all produces (high watermark ≥ last appended offset + 1) both use it.
//!
//! Nothing is locked while waiting; the waiter unregisters itself by being dropped.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::partition::Partition;
use crate::replica_manager::ReplicaManager;

/// Waits until `ready` returns `Some` (checked at once, then after every wake-up of any of
/// `partitions`), or `max_wait` passes, or the broker shuts down; `None` in the last two cases.
pub(crate) async fn wait_until<T>(
    replica_manager: &ReplicaManager,
    partitions: &[Arc<Partition>],
    max_wait: Duration,
    mut ready: impl FnMut() -> Option<T>,
) -> Option<T> {
    // The common case (acks=all with a one-replica ISR) is ready at once: skip registering.
    if let Some(done) = ready() {
        return Some(done);
    }
    let deadline = Instant::now() + max_wait;
    let waiter = Arc::new(Notify::new());
    for partition in partitions {
        partition.register_waiter(&waiter);
    }
    loop {
        // Checked after registering, so an append racing the registration is seen here.
        if let Some(done) = ready() {
            return Some(done);
        }
        if replica_manager.is_shutting_down() {
            return None;
        }
        tokio::select! {
            _ = waiter.notified() => {}
            _ = tokio::time::sleep_until(deadline) => return None,
        }
    }
}
