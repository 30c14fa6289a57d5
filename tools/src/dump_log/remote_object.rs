//! Tiered segments read straight from the object store (Strata's extension): an `s3://bucket/key`
//! or `file:///path` URL in `--files` is fetched with a GET (credentials and endpoint from the
//! usual `AWS_*` environment, as the broker's remote tier reads them) and dumped from memory by
//! the same decoders. Nothing is ever written to the store.
//!
//! Tiered objects are named `<base offset:020>-<segment id>.<suffix>` (storage's remote layout),
//! so the base offset is the leading digits of the name, and an index's `.log` is the object
//! with the same stem.

use std::path::Path;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};

use super::error::DumpError;

/// True if `path` is a URL of an object rather than a local path.
pub(crate) fn is_url(path: &Path) -> bool {
    path.to_str().is_some_and(|p| p.contains("://"))
}

fn fetch_error(url: &str, reason: impl std::fmt::Display) -> DumpError {
    DumpError::Corrupt {
        path: url.to_string(),
        reason: format!("cannot fetch the object: {reason}"),
    }
}

fn store_and_key(url: &str) -> Result<(Arc<dyn ObjectStore>, ObjectPath), DumpError> {
    if let Some(rest) = url.strip_prefix("s3://") {
        let key = rest.split_once('/').map_or("", |(_, key)| key);
        let store = AmazonS3Builder::from_env()
            .with_url(url)
            .build()
            .map_err(|e| fetch_error(url, e))?;
        let key = ObjectPath::parse(key).map_err(|e| fetch_error(url, e))?;
        return Ok((Arc::new(store), key));
    }
    if let Some(path) = url.strip_prefix("file://") {
        let key = ObjectPath::from_absolute_path(path).map_err(|e| fetch_error(url, e))?;
        return Ok((Arc::new(LocalFileSystem::new()), key));
    }
    Err(fetch_error(
        url,
        "only s3:// and file:// URLs are supported",
    ))
}

/// The whole object at `url`; `Ok(None)` if it does not exist.
pub(crate) fn fetch(url: &Path) -> Result<Option<Vec<u8>>, DumpError> {
    let url = url.display().to_string();
    let (store, key) = store_and_key(&url)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fetch_error(&url, e))?;
    runtime.block_on(async {
        match store.get(&key).await {
            Ok(result) => result
                .bytes()
                .await
                .map(|bytes| Some(bytes.to_vec()))
                .map_err(|e| fetch_error(&url, e)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(fetch_error(&url, e)),
        }
    })
}

/// The whole object at `url`, failing if it does not exist.
pub(crate) fn fetch_existing(url: &Path) -> Result<Vec<u8>, DumpError> {
    fetch(url)?.ok_or_else(|| fetch_error(&url.display().to_string(), "no such object"))
}
