//! The remote client: one bucket and prefix over `object_store`, with per-request timeouts and
//! retries with capped, jittered exponential backoff (Redpanda's `remote` layer).
//!
//! URLs (`remote.log.storage.url`): `file:///abs/dir` (the embedded default; the directory is
//! created), `memory://` (tests), `s3://bucket[/prefix]` with credentials, region and endpoint
//! from the standard `AWS_*` environment variables (`AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`,
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`), path-style.
//!
//! Every object larger than `remote.log.storage.multipart.part.bytes` is uploaded as a multipart
//! upload; a failed multipart upload is aborted and the whole object retried, so an object is
//! either complete or absent (S3 never shows a multipart object before it completes).

use std::collections::VecDeque;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3ConfigKey;
use object_store::path::Path;
use object_store::{
    BackoffConfig, ClientConfigKey, GetOptions, GetRange, MultipartUpload, ObjectStore,
    ObjectStoreExt, PutPayload, RetryConfig,
};
use rand::Rng;

use crate::remote::config::{RemoteLogConfig, STORAGE_URL};
use crate::remote::error::RemoteError;
use crate::remote::file_read::BufferPool;
use crate::remote::quota::ByteRateQuota;
use crate::remote::range_body::RangeBody;

/// Parts of one multipart upload in flight at once.
const MULTIPART_PARTS_IN_FLIGHT_MAX: usize = 4;
/// Timeout of each store request (a stalled endpoint must not stall the copier forever).
const REQUEST_TIMEOUT_MS: u64 = 60_000;

/// An object uploaded from a local file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UploadedObject {
    /// Bytes stored.
    pub(crate) bytes: u64,
    /// CRC32C of the whole object.
    pub(crate) crc32c: u32,
}

/// One bucket and prefix, with retries. Cheap to share (`Arc` inside). See the module docs.
#[derive(Debug, Clone)]
pub struct RemoteStore {
    inner: Arc<dyn ObjectStore>,
    url: String,
    prefix: Path,
    attempts_max: u32,
    backoff_ms: u64,
    backoff_max_ms: u64,
    jitter: f64,
    part_bytes: u64,
    request_timeout: Duration,
    /// Set for `file://` stores: ranged reads go straight to the file (see
    /// [`RemoteStore::get_range`]).
    local_fs: Option<Arc<object_store::local::LocalFileSystem>>,
    /// Buffers of `file://` ranged reads, recycled (see [`BufferPool`]).
    read_buffers: Arc<BufferPool>,
}

impl RemoteStore {
    /// Opens the store named by `url` (see the module docs). Nothing is contacted yet; call
    /// [`RemoteStore::check_reachable`] to fail fast on bad credentials or endpoints.
    pub fn from_url(url: &str, config: &RemoteLogConfig) -> Result<Self, RemoteError> {
        let invalid = |reason: String| RemoteError::InvalidUrl {
            setting: STORAGE_URL,
            url: url.to_string(),
            reason,
        };
        let (scheme, rest) = url.split_once("://").ok_or_else(|| {
            invalid("expected file:///dir, memory:// or s3://bucket/prefix".into())
        })?;
        match scheme {
            "memory" => Ok(Self::new(
                Arc::new(object_store::memory::InMemory::new()),
                url,
                rest.trim_matches('/'),
                config,
            )),
            "file" => {
                let dir = PathBuf::from(rest);
                if !dir.is_absolute() {
                    return Err(invalid(
                        "file:// needs an absolute path (file:///dir)".into(),
                    ));
                }
                std::fs::create_dir_all(&dir)
                    .map_err(|e| invalid(format!("cannot create {}: {e}", dir.display())))?;
                let store = Arc::new(
                    object_store::local::LocalFileSystem::new_with_prefix(&dir)
                        .map_err(|e| invalid(e.to_string()))?,
                );
                let mut opened =
                    Self::new(Arc::clone(&store) as Arc<dyn ObjectStore>, url, "", config);
                opened.local_fs = Some(store);
                Ok(opened)
            }
            "s3" => {
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(invalid("s3:// needs a bucket name".into()));
                }
                let retry = RetryConfig {
                    backoff: BackoffConfig::default(),
                    max_retries: 2,
                    retry_timeout: Duration::from_secs(10),
                };
                // Client options come from the AWS_* environment (AWS_ALLOW_HTTP, ...); only
                // the timeouts are set here, key by key, so the environment's stay.
                let client = |key| AmazonS3ConfigKey::Client(key);
                let store = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_retry(retry)
                    .with_config(client(ClientConfigKey::ConnectTimeout), "5s")
                    .with_config(
                        client(ClientConfigKey::Timeout),
                        format!("{}ms", REQUEST_TIMEOUT_MS),
                    )
                    .build()
                    .map_err(|e| invalid(e.to_string()))?;
                Ok(Self::new(
                    Arc::new(store),
                    url,
                    prefix.trim_matches('/'),
                    config,
                ))
            }
            other => Err(invalid(format!("unsupported scheme {other:?}"))),
        }
    }

    /// Wraps an existing store (tests and fault-injection wrappers) under `prefix`.
    pub fn new(
        store: Arc<dyn ObjectStore>,
        url: &str,
        prefix: &str,
        config: &RemoteLogConfig,
    ) -> Self {
        Self {
            inner: store,
            url: url.to_string(),
            prefix: Path::from(prefix),
            attempts_max: config.request_attempts_max.max(1),
            backoff_ms: config.retry_backoff_ms.max(1),
            backoff_max_ms: config.retry_backoff_max_ms.max(1),
            jitter: config.retry_jitter.clamp(0.0, 0.5),
            part_bytes: config.multipart_part_bytes.max(1),
            request_timeout: Duration::from_millis(REQUEST_TIMEOUT_MS),
            local_fs: None,
            read_buffers: Arc::new(BufferPool::for_config(config)),
        }
    }

    /// Shortens the per-request timeout (tests with stalling stores).
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The URL this store was opened from.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Puts, reads back and deletes a probe object. Any failure is
    /// [`RemoteError::Unreachable`] naming `remote.log.storage.url`, so a broker with wrong
    /// credentials or no bucket refuses to start with a clear message.
    pub async fn check_reachable(&self) -> Result<(), RemoteError> {
        let probe = format!("_strata_probe_{}", uuid::Uuid::new_v4());
        let payload = Bytes::from_static(b"strata remote storage probe");
        let unreachable = |err: RemoteError| RemoteError::Unreachable {
            setting: STORAGE_URL,
            url: self.url.clone(),
            reason: match err {
                RemoteError::Store { source, .. } => source.to_string(),
                other => other.to_string(),
            },
        };
        self.put(&probe, payload.clone())
            .await
            .map_err(unreachable)?;
        let read = self.get(&probe).await.map_err(unreachable)?;
        self.delete(&probe).await.map_err(unreachable)?;
        if read != payload {
            return Err(RemoteError::Unreachable {
                setting: STORAGE_URL,
                url: self.url.clone(),
                reason: "the probe object read back differs from what was written".into(),
            });
        }
        Ok(())
    }

    /// The full path of `key` under the prefix.
    pub(crate) fn path(&self, key: &str) -> Path {
        if self.prefix.as_ref().is_empty() {
            Path::from(key)
        } else {
            Path::from(format!("{}/{key}", self.prefix))
        }
    }

    /// The key of a full path (the inverse of [`RemoteStore::path`]).
    fn key_of(&self, path: &Path) -> String {
        let full = path.as_ref();
        let prefix = self.prefix.as_ref();
        if prefix.is_empty() {
            full.to_string()
        } else {
            full.strip_prefix(prefix)
                .map_or(full, |k| k.trim_start_matches('/'))
                .to_string()
        }
    }

    /// Runs `op` up to `attempts_max` times with backoff; each try is bounded by the request
    /// timeout. Errors that retrying cannot fix (not found, permission, bad path) end it at once.
    async fn retry<T, F, Fut>(
        &self,
        operation: &'static str,
        key: &str,
        mut op: F,
    ) -> Result<T, RemoteError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = object_store::Result<T>>,
    {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let result = match tokio::time::timeout(self.request_timeout, op()).await {
                Ok(result) => result,
                Err(_) => Err(object_store::Error::Generic {
                    store: "strata",
                    source: format!("request timed out after {:?}", self.request_timeout).into(),
                }),
            };
            match result {
                Ok(value) => return Ok(value),
                Err(source) if attempt >= self.attempts_max || !is_retryable(&source) => {
                    return Err(RemoteError::Store {
                        operation,
                        path: self.path(key).to_string(),
                        source,
                    })
                }
                Err(source) => {
                    let delay = self.backoff(attempt);
                    tracing::debug!(operation, key, attempt, ?delay, error = %source, "remote storage request failed; retrying");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// Capped exponential backoff with ± jitter for the retry after `attempt` failures.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .backoff_ms
            .saturating_mul(1u64 << attempt.saturating_sub(1).min(20))
            .min(self.backoff_max_ms) as f64;
        let factor = if self.jitter > 0.0 {
            rand::thread_rng().gen_range(1.0 - self.jitter..=1.0 + self.jitter)
        } else {
            1.0
        };
        Duration::from_millis((exp * factor) as u64)
    }

    /// Stores `bytes` at `key` (atomic: all or nothing), retried.
    pub(crate) async fn put(&self, key: &str, bytes: Bytes) -> Result<(), RemoteError> {
        let path = self.path(key);
        self.retry("put", key, || {
            let payload = PutPayload::from_bytes(bytes.clone());
            let path = path.clone();
            async move { self.inner.put(&path, payload).await.map(|_| ()) }
        })
        .await
    }

    /// The whole object at `key`, retried.
    pub(crate) async fn get(&self, key: &str) -> Result<Bytes, RemoteError> {
        let path = self.path(key);
        self.retry("get", key, || {
            let path = path.clone();
            async move { self.inner.get(&path).await?.bytes().await }
        })
        .await
    }

    /// Bytes `range` of the object at `key` by one ranged GET, as a [`RangeBody`] whose pieces
    /// can be taken as they arrive. The request is retried until its response starts; a failure
    /// later in the body ends the body with that error.
    ///
    /// On a `file://` store each piece is one positional read on the blocking pool (see
    /// `file_read.rs`), nothing is read before the first piece is asked for, and file errors
    /// are not retried. Fewer bytes than asked for (a truncated object) come back short; the
    /// reader reports that as corrupt.
    pub(crate) async fn open_range(
        &self,
        key: &str,
        range: Range<u64>,
    ) -> Result<RangeBody, RemoteError> {
        let path = self.path(key);
        if let Some(local) = &self.local_fs {
            let file = local
                .path_to_filesystem(&path)
                .map_err(|source| RemoteError::Store {
                    operation: "get_range",
                    path: path.to_string(),
                    source,
                })?;
            return Ok(RangeBody::file(
                file,
                range,
                path.to_string(),
                Arc::clone(&self.read_buffers),
            ));
        }
        let result = self
            .retry("get_range", key, || {
                let path = path.clone();
                let options = GetOptions {
                    range: Some(GetRange::Bounded(range.clone())),
                    ..GetOptions::default()
                };
                async move { self.inner.get_opts(&path, options).await }
            })
            .await?;
        Ok(RangeBody::streaming(
            result.into_stream(),
            path.to_string(),
            self.request_timeout,
        ))
    }

    /// Whether one request for several chunks is cheaper than one per chunk: true for object
    /// stores, which charge mostly per request; false for a `file://` directory, where a read
    /// costs only its bytes and per-chunk reads run in parallel on the blocking pool.
    pub(crate) fn coalesces_reads(&self) -> bool {
        self.local_fs.is_none()
    }

    /// The size of the object at `key`.
    pub(crate) async fn size(&self, key: &str) -> Result<u64, RemoteError> {
        let path = self.path(key);
        self.retry("head", key, || {
            let path = path.clone();
            async move { self.inner.head(&path).await.map(|m| m.size) }
        })
        .await
    }

    /// Deletes `key`; an absent object counts as deleted (deletes are idempotent).
    pub(crate) async fn delete(&self, key: &str) -> Result<(), RemoteError> {
        let path = self.path(key);
        match self
            .retry("delete", key, || {
                let path = path.clone();
                async move { self.inner.delete(&path).await }
            })
            .await
        {
            Err(err) if err.is_not_found() => Ok(()),
            other => other,
        }
    }

    /// Keys and sizes of every object under `key_prefix` (a path-segment prefix).
    pub(crate) async fn list(&self, key_prefix: &str) -> Result<Vec<(String, u64)>, RemoteError> {
        let path = self.path(key_prefix);
        let metas = self
            .retry("list", key_prefix, || {
                let path = path.clone();
                async move { self.inner.list(Some(&path)).try_collect::<Vec<_>>().await }
            })
            .await?;
        Ok(metas
            .into_iter()
            .map(|m| (self.key_of(&m.location), m.size))
            .collect())
    }

    /// Uploads `size` bytes read from `source` to `key`: one PUT when it is at most a part,
    /// else a multipart upload (aborted on failure; the whole object is then retried). Bytes
    /// are charged to `quota`. Returns the size and CRC32C of what was stored.
    pub(crate) async fn upload(
        &self,
        key: &str,
        size: u64,
        source: PartSource,
        quota: &ByteRateQuota,
    ) -> Result<UploadedObject, RemoteError> {
        if size <= self.part_bytes {
            let bytes = read_part(&source, 0, size).await?;
            quota.acquire(size).await;
            let crc32c = crc32c::crc32c(&bytes);
            self.put(key, bytes).await?;
            return Ok(UploadedObject {
                bytes: size,
                crc32c,
            });
        }
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            match self.multipart_once(key, &source, size, quota).await {
                Ok(crc32c) => {
                    return Ok(UploadedObject {
                        bytes: size,
                        crc32c,
                    })
                }
                Err(source) if attempt >= self.attempts_max || !is_retryable(&source) => {
                    return Err(RemoteError::Store {
                        operation: "multipart upload",
                        path: self.path(key).to_string(),
                        source,
                    })
                }
                Err(source) => {
                    let delay = self.backoff(attempt);
                    tracing::debug!(key, attempt, ?delay, error = %source, "multipart upload failed; retrying the object");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// One multipart upload attempt; aborts the upload on failure. Returns the CRC32C.
    async fn multipart_once(
        &self,
        key: &str,
        source: &PartSource,
        size: u64,
        quota: &ByteRateQuota,
    ) -> object_store::Result<u32> {
        let path = self.path(key);
        let mut upload = self.timed(self.inner.put_multipart(&path)).await?;
        let result = self.send_parts(&mut upload, source, size, quota).await;
        let result = match result {
            Ok(crc) => self.timed(upload.complete()).await.map(|_| crc),
            Err(err) => Err(err),
        };
        if result.is_err() {
            if let Err(abort) = self.timed(upload.abort()).await {
                tracing::debug!(key, error = %abort, "aborting a failed multipart upload failed; the bucket's lifecycle rule must clean it");
            }
        }
        result
    }

    async fn send_parts(
        &self,
        upload: &mut Box<dyn MultipartUpload>,
        source: &PartSource,
        size: u64,
        quota: &ByteRateQuota,
    ) -> object_store::Result<u32> {
        let mut in_flight = VecDeque::new();
        let mut crc = 0u32;
        let mut offset = 0u64;
        while offset < size {
            let len = self.part_bytes.min(size - offset);
            let bytes =
                read_part(source, offset, len)
                    .await
                    .map_err(|e| object_store::Error::Generic {
                        store: "strata",
                        source: Box::new(e),
                    })?;
            crc = crc32c::crc32c_append(crc, &bytes);
            quota.acquire(len).await;
            in_flight.push_back(upload.put_part(PutPayload::from_bytes(bytes)));
            if in_flight.len() >= MULTIPART_PARTS_IN_FLIGHT_MAX {
                let part = in_flight.pop_front().expect("non-empty");
                self.timed(part).await?;
            }
            offset += len;
        }
        for part in in_flight {
            self.timed(part).await?;
        }
        Ok(crc)
    }

    async fn timed<T>(
        &self,
        fut: impl std::future::Future<Output = object_store::Result<T>>,
    ) -> object_store::Result<T> {
        match tokio::time::timeout(self.request_timeout, fut).await {
            Ok(result) => result,
            Err(_) => Err(object_store::Error::Generic {
                store: "strata",
                source: format!("request timed out after {:?}", self.request_timeout).into(),
            }),
        }
    }

    /// Deletes every key in `keys` (absent ones count as deleted), a few at a time.
    pub(crate) async fn delete_all(&self, keys: Vec<String>) -> Result<usize, RemoteError> {
        let count = keys.len();
        let results: Vec<Result<(), RemoteError>> = futures::stream::iter(keys)
            .map(|key| async move { self.delete(&key).await })
            .buffer_unordered(8)
            .collect()
            .await;
        for result in results {
            result?;
        }
        Ok(count)
    }
}

/// Whether retrying can help.
fn is_retryable(err: &object_store::Error) -> bool {
    !matches!(
        err,
        object_store::Error::NotFound { .. }
            | object_store::Error::InvalidPath { .. }
            | object_store::Error::NotSupported { .. }
            | object_store::Error::NotImplemented { .. }
            | object_store::Error::AlreadyExists { .. }
            | object_store::Error::Precondition { .. }
            | object_store::Error::NotModified { .. }
            | object_store::Error::PermissionDenied { .. }
            | object_store::Error::Unauthenticated { .. }
    )
}

/// Where an upload reads its bytes: `(offset, len) -> bytes`, called off the reactor thread.
pub(crate) type PartSource = Arc<dyn Fn(u64, u64) -> Result<Bytes, RemoteError> + Send + Sync>;

/// Reads `len` bytes at `offset` of `source` on the blocking pool.
async fn read_part(source: &PartSource, offset: u64, len: u64) -> Result<Bytes, RemoteError> {
    let source = Arc::clone(source);
    tokio::task::spawn_blocking(move || source(offset, len))
        .await
        .map_err(|e| {
            RemoteError::Log(crate::error::LogError::io(
                "upload read task",
                std::io::Error::other(e),
            ))
        })?
}
