//! Helpers for the remote-tier tests: tiered logs, a fault-injecting object store.
#![allow(dead_code, unreachable_pub)]

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::stream::BoxStream;
use futures::StreamExt;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult,
};
use strata_storage::remote::{RemoteLogConfig, RemoteLogManager, RemoteStore};
use strata_storage::{Clock, Log};

use crate::common;

/// An object store that fails or stalls on demand, over an in-memory store.
#[derive(Debug, Default)]
pub struct FaultyStore {
    pub inner: InMemory,
    pub failing: AtomicBool,
    pub stalling: AtomicBool,
    pub requests: AtomicU64,
    pub multipart_uploads: AtomicU64,
    /// GETs of a byte range (segment chunks; index objects are fetched whole).
    pub ranged_gets: AtomicU64,
}

impl fmt::Display for FaultyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FaultyStore")
    }
}

impl FaultyStore {
    async fn gate(&self) -> object_store::Result<()> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if self.stalling.load(Ordering::Acquire) {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        if self.failing.load(Ordering::Acquire) {
            return Err(object_store::Error::Generic {
                store: "FaultyStore",
                source: "injected failure: endpoint down".into(),
            });
        }
        Ok(())
    }

    pub fn fail(&self, on: bool) {
        self.failing.store(on, Ordering::Release);
    }

    pub fn stall(&self, on: bool) {
        self.stalling.store(on, Ordering::Release);
    }
}

#[async_trait]
impl ObjectStore for FaultyStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        self.gate().await?;
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        self.gate().await?;
        self.multipart_uploads.fetch_add(1, Ordering::Relaxed);
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(
        &self,
        location: &Path,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        self.gate().await?;
        if options.range.is_some() {
            self.ranged_gets.fetch_add(1, Ordering::Relaxed);
        }
        self.inner.get_opts(location, options).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<Path>>,
    ) -> BoxStream<'static, object_store::Result<Path>> {
        if self.failing.load(Ordering::Acquire) {
            return locations
                .map(|_| {
                    Err(object_store::Error::Generic {
                        store: "FaultyStore",
                        source: "injected failure: endpoint down".into(),
                    })
                })
                .boxed();
        }
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        if self.failing.load(Ordering::Acquire) {
            return futures::stream::once(async {
                Err(object_store::Error::Generic {
                    store: "FaultyStore",
                    source: "injected failure: endpoint down".into(),
                })
            })
            .boxed();
        }
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        self.gate().await?;
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(
        &self,
        from: &Path,
        to: &Path,
        options: CopyOptions,
    ) -> object_store::Result<()> {
        self.gate().await?;
        self.inner.copy_opts(from, to, options).await
    }
}

/// A remote config for tests: tiny backoff, small chunks, quick attempts.
pub fn remote_config() -> RemoteLogConfig {
    RemoteLogConfig {
        system_enable: true,
        retry_backoff_ms: 1,
        retry_backoff_max_ms: 5,
        request_attempts_max: 3,
        chunk_bytes: 4096,
        chunk_cache_bytes: 64 * 4096,
        multipart_part_bytes: 5 << 20,
        ..RemoteLogConfig::default()
    }
}

pub fn manager_over(store: Arc<dyn ObjectStore>, clock: Arc<dyn Clock>) -> Arc<RemoteLogManager> {
    let config = remote_config();
    let store = RemoteStore::new(store, "memory://test", "cluster", &config)
        .with_request_timeout(Duration::from_millis(300));
    RemoteLogManager::with_store(store, config, clock)
}

/// Topic overrides of a tiered topic: small segments, everything local may go once uploaded.
pub fn tiered_overrides() -> Vec<(&'static str, &'static str)> {
    vec![
        ("remote.storage.enable", "true"),
        ("segment.bytes", "2048"),
        ("index.interval.bytes", "256"),
        ("retention.ms", "-1"),
        ("local.retention.ms", "0"),
    ]
}

/// Appends `batches` batches of 5 records (100-byte values) at timestamps `T0 - 10_000 + i`,
/// then moves the high watermark to the log end.
pub fn fill(log: &Log, batches: usize) {
    for i in 0..batches {
        let batch = common::batch(5, 100, common::T0 - 10_000 + (i as i64) * 5);
        log.append_as_leader(&batch, 0).expect("append");
    }
    log.update_high_watermark(log.log_end_offset());
}
