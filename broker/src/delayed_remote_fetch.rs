//! Kafka's `DelayedRemoteFetch`: the one partition of a Fetch whose offset lies in the tiered
//! range (below the local log start, at or above the log start) is read from the bucket while
//! the other partitions' answers, read locally at once, wait with it — bounded by
//! `remote.fetch.max.wait.ms`, so a slow bucket delays the response by at most that long and
//! never blocks other requests.
//!
//! The read runs as its own task. When the bound passes first, the partition is answered with
//! no records and no error (the consumer fetches again), and the read is left to finish so the
//! chunks it fetched are in the cache for that next fetch (Kafka cancels it; keeping it is what
//! lets a cold read slower than the bound make progress at all).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use strata_storage::remote::RemotePartition;

/// The remote read a fetch needs: which answer to fill and what to read.
pub(crate) struct RemoteFetch {
    /// Index of the partition in the response being built.
    pub(crate) index: usize,
    /// The partition's remote tier.
    pub(crate) remote: Arc<RemotePartition>,
    /// Where to start (the batch containing it is returned whole).
    pub(crate) fetch_offset: i64,
    /// `min(partition_max_bytes, remaining response bytes)`.
    pub(crate) max_bytes: usize,
    /// Whether the first batch is returned even when larger than `max_bytes`.
    pub(crate) min_one_message: bool,
}

/// How a remote read ended.
#[derive(Debug)]
pub(crate) enum RemoteFetchOutcome {
    /// Whole record batches (possibly empty).
    Records(Bytes),
    /// The read failed: the Kafka error code for the partition.
    Error(i16),
    /// `remote.fetch.max.wait.ms` passed first: answer with no records.
    Expired,
}

/// Runs `fetch` on its own task and waits for it at most `max_wait`.
pub(crate) async fn complete(fetch: RemoteFetch, max_wait: Duration) -> RemoteFetchOutcome {
    let RemoteFetch {
        remote,
        fetch_offset,
        max_bytes,
        min_one_message,
        ..
    } = fetch;
    let task = tokio::spawn(async move {
        remote
            .read(fetch_offset, max_bytes, min_one_message)
            .await
            .map_err(|error| {
                tracing::warn!(partition = %remote.log().topic_partition(), fetch_offset, %error, "remote read failed");
                error.kafka_error_code()
            })
    });
    match tokio::time::timeout(max_wait, task).await {
        Ok(Ok(Ok(records))) => RemoteFetchOutcome::Records(records),
        Ok(Ok(Err(code))) => RemoteFetchOutcome::Error(code),
        Ok(Err(join_error)) => {
            tracing::error!(%join_error, "remote read task failed");
            RemoteFetchOutcome::Error(kafka_protocol::ResponseError::KafkaStorageError.code())
        }
        Err(_) => RemoteFetchOutcome::Expired,
    }
}
