//! Broker settings of the remote tier, under Kafka's names (`RemoteLogManagerConfig`) plus a few
//! Strata keys for what Kafka leaves to its plugins (the store URL, chunk cache, multipart).

use std::collections::BTreeMap;

use crate::remote::error::RemoteError;

/// `remote.log.storage.system.enable`: tiering is available on this broker.
pub const SYSTEM_ENABLE: &str = "remote.log.storage.system.enable";
/// `remote.log.storage.url` (Strata): `file:///dir`, `memory://`, `s3://bucket/prefix`.
pub const STORAGE_URL: &str = "remote.log.storage.url";
/// `remote.log.manager.task.interval.ms`.
pub const TASK_INTERVAL_MS: &str = "remote.log.manager.task.interval.ms";
/// `remote.log.manager.thread.pool.size` (deprecated fallback of the two pool sizes).
pub const THREAD_POOL_SIZE: &str = "remote.log.manager.thread.pool.size";
/// `remote.log.manager.copier.thread.pool.size`.
pub const COPIER_THREAD_POOL_SIZE: &str = "remote.log.manager.copier.thread.pool.size";
/// `remote.log.manager.expiration.thread.pool.size`.
pub const EXPIRATION_THREAD_POOL_SIZE: &str = "remote.log.manager.expiration.thread.pool.size";
/// `remote.log.reader.threads`.
pub const READER_THREADS: &str = "remote.log.reader.threads";
/// `remote.log.reader.max.pending.tasks`.
pub const READER_MAX_PENDING_TASKS: &str = "remote.log.reader.max.pending.tasks";
/// `remote.fetch.max.wait.ms`.
pub const FETCH_MAX_WAIT_MS: &str = "remote.fetch.max.wait.ms";
/// `remote.log.index.file.cache.total.size.bytes`.
pub const INDEX_CACHE_BYTES: &str = "remote.log.index.file.cache.total.size.bytes";
/// `remote.log.chunk.cache.total.size.bytes` (Strata).
pub const CHUNK_CACHE_BYTES: &str = "remote.log.chunk.cache.total.size.bytes";
/// `remote.log.chunk.size.bytes` (Strata).
pub const CHUNK_BYTES: &str = "remote.log.chunk.size.bytes";
/// `remote.log.read.ahead.chunks` (Strata).
pub const READ_AHEAD_CHUNKS: &str = "remote.log.read.ahead.chunks";
/// `remote.log.read.ahead.request.bytes` (Strata).
pub const READ_AHEAD_REQUEST_BYTES: &str = "remote.log.read.ahead.request.bytes";
/// `remote.log.manager.copy.max.bytes.per.second`.
pub const COPY_MAX_BYTES_PER_SECOND: &str = "remote.log.manager.copy.max.bytes.per.second";
/// `remote.log.manager.fetch.max.bytes.per.second`.
pub const FETCH_MAX_BYTES_PER_SECOND: &str = "remote.log.manager.fetch.max.bytes.per.second";
/// `remote.log.manager.task.retry.backoff.ms`.
pub const RETRY_BACKOFF_MS: &str = "remote.log.manager.task.retry.backoff.ms";
/// `remote.log.manager.task.retry.backoff.max.ms`.
pub const RETRY_BACKOFF_MAX_MS: &str = "remote.log.manager.task.retry.backoff.max.ms";
/// `remote.log.manager.task.retry.jitter`.
pub const RETRY_JITTER: &str = "remote.log.manager.task.retry.jitter";
/// `remote.log.storage.request.attempts.max` (Strata).
pub const REQUEST_ATTEMPTS_MAX: &str = "remote.log.storage.request.attempts.max";
/// `remote.log.storage.multipart.part.bytes` (Strata).
pub const MULTIPART_PART_BYTES: &str = "remote.log.storage.multipart.part.bytes";

/// Smallest multipart part S3 accepts (except the last part).
pub const MULTIPART_PART_BYTES_MIN: u64 = 5 << 20;

/// The remote tier's broker settings. Defaults are Kafka's (Strata keys: documented values).
/// Invariants after [`RemoteLogConfig::from_properties`]: every count and size is ≥ 1, the
/// jitter is in `[0, 0.5]`, the multipart part is ≥ 5 MiB.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteLogConfig {
    /// `remote.log.storage.system.enable` (false).
    pub system_enable: bool,
    /// `remote.log.storage.url` ("" = the broker supplies `file://<first log.dir>/remote-storage`).
    pub storage_url: String,
    /// `remote.log.manager.task.interval.ms` (30000): how often copy and expiry run.
    pub task_interval_ms: u64,
    /// `remote.log.manager.copier.thread.pool.size` (-1 → the deprecated pool size, 10).
    pub copier_threads: usize,
    /// `remote.log.manager.expiration.thread.pool.size` (-1 → the deprecated pool size, 10).
    pub expiration_threads: usize,
    /// `remote.log.reader.threads` (10): remote reads running at once.
    pub reader_threads: usize,
    /// `remote.log.reader.max.pending.tasks` (100): reads waiting beyond this are refused.
    pub reader_max_pending_tasks: usize,
    /// `remote.fetch.max.wait.ms` (500): how long the broker lets a remote fetch run.
    pub fetch_max_wait_ms: u64,
    /// `remote.log.index.file.cache.total.size.bytes` (1 GiB): cached remote indexes.
    pub index_cache_bytes: u64,
    /// `remote.log.chunk.cache.total.size.bytes` (256 MiB): cached remote segment chunks.
    pub chunk_cache_bytes: u64,
    /// `remote.log.chunk.size.bytes` (4 MiB): the unit of ranged GETs and of the cache.
    pub chunk_bytes: u64,
    /// `remote.log.read.ahead.chunks` (8): chunks fetched ahead of a sequential reader.
    pub read_ahead_chunks: usize,
    /// `remote.log.read.ahead.request.bytes` (16 MiB): read-ahead fetches a segment in aligned
    /// blocks of this size (rounded down to whole chunks, at least one), one ranged GET each.
    pub read_ahead_request_bytes: u64,
    /// `remote.log.manager.copy.max.bytes.per.second` (unlimited).
    pub copy_max_bytes_per_second: u64,
    /// `remote.log.manager.fetch.max.bytes.per.second` (unlimited).
    pub fetch_max_bytes_per_second: u64,
    /// `remote.log.manager.task.retry.backoff.ms` (500): first retry delay.
    pub retry_backoff_ms: u64,
    /// `remote.log.manager.task.retry.backoff.max.ms` (30000): delay cap.
    pub retry_backoff_max_ms: u64,
    /// `remote.log.manager.task.retry.jitter` (0.2): ± fraction of each delay.
    pub retry_jitter: f64,
    /// `remote.log.storage.request.attempts.max` (4): tries per object request.
    pub request_attempts_max: u32,
    /// `remote.log.storage.multipart.part.bytes` (8 MiB): objects larger than this go multipart.
    pub multipart_part_bytes: u64,
}

impl Default for RemoteLogConfig {
    fn default() -> Self {
        Self {
            system_enable: false,
            storage_url: String::new(),
            task_interval_ms: 30_000,
            copier_threads: 10,
            expiration_threads: 10,
            reader_threads: 10,
            reader_max_pending_tasks: 100,
            fetch_max_wait_ms: 500,
            index_cache_bytes: 1 << 30,
            chunk_cache_bytes: 256 << 20,
            chunk_bytes: 4 << 20,
            read_ahead_chunks: 8,
            read_ahead_request_bytes: 16 << 20,
            copy_max_bytes_per_second: i64::MAX as u64,
            fetch_max_bytes_per_second: i64::MAX as u64,
            retry_backoff_ms: 500,
            retry_backoff_max_ms: 30_000,
            retry_jitter: 0.2,
            request_attempts_max: 4,
            multipart_part_bytes: 8 << 20,
        }
    }
}

impl RemoteLogConfig {
    /// Every key this config reads.
    pub const KEYS: &'static [&'static str] = &[
        SYSTEM_ENABLE,
        STORAGE_URL,
        TASK_INTERVAL_MS,
        THREAD_POOL_SIZE,
        COPIER_THREAD_POOL_SIZE,
        EXPIRATION_THREAD_POOL_SIZE,
        READER_THREADS,
        READER_MAX_PENDING_TASKS,
        FETCH_MAX_WAIT_MS,
        INDEX_CACHE_BYTES,
        CHUNK_CACHE_BYTES,
        CHUNK_BYTES,
        READ_AHEAD_CHUNKS,
        READ_AHEAD_REQUEST_BYTES,
        COPY_MAX_BYTES_PER_SECOND,
        FETCH_MAX_BYTES_PER_SECOND,
        RETRY_BACKOFF_MS,
        RETRY_BACKOFF_MAX_MS,
        RETRY_JITTER,
        REQUEST_ATTEMPTS_MAX,
        MULTIPART_PART_BYTES,
    ];

    /// Reads the keys in [`RemoteLogConfig::KEYS`] from server properties (others are ignored);
    /// absent keys keep their defaults. A bad value is [`RemoteError::InvalidConfig`] naming the key.
    pub fn from_properties(props: &BTreeMap<String, String>) -> Result<Self, RemoteError> {
        let mut config = Self::default();
        let get = |key: &str| props.get(key).map(|v| v.trim());
        if let Some(v) = get(SYSTEM_ENABLE) {
            config.system_enable = parse_bool(SYSTEM_ENABLE, v)?;
        }
        if let Some(v) = get(STORAGE_URL) {
            config.storage_url = v.to_string();
        }
        let long = |key: &str, min: i64| -> Result<Option<i64>, RemoteError> {
            get(key).map(|v| parse_long(key, v, min)).transpose()
        };
        if let Some(v) = long(TASK_INTERVAL_MS, 1)? {
            config.task_interval_ms = v as u64;
        }
        let pool = long(THREAD_POOL_SIZE, 1)?.unwrap_or(10) as usize;
        config.copier_threads = pool_size(
            long(COPIER_THREAD_POOL_SIZE, -1)?,
            pool,
            COPIER_THREAD_POOL_SIZE,
        )?;
        config.expiration_threads = pool_size(
            long(EXPIRATION_THREAD_POOL_SIZE, -1)?,
            pool,
            EXPIRATION_THREAD_POOL_SIZE,
        )?;
        let set_usize = |key: &str, slot: &mut usize| -> Result<(), RemoteError> {
            if let Some(v) = long(key, 1)? {
                *slot = v as usize;
            }
            Ok(())
        };
        set_usize(READER_THREADS, &mut config.reader_threads)?;
        set_usize(
            READER_MAX_PENDING_TASKS,
            &mut config.reader_max_pending_tasks,
        )?;
        set_usize(READ_AHEAD_CHUNKS, &mut config.read_ahead_chunks)?;
        let set_u64 = |key: &str, min: i64, slot: &mut u64| -> Result<(), RemoteError> {
            if let Some(v) = long(key, min)? {
                *slot = v as u64;
            }
            Ok(())
        };
        set_u64(FETCH_MAX_WAIT_MS, 1, &mut config.fetch_max_wait_ms)?;
        set_u64(INDEX_CACHE_BYTES, 1, &mut config.index_cache_bytes)?;
        set_u64(CHUNK_CACHE_BYTES, 1, &mut config.chunk_cache_bytes)?;
        set_u64(CHUNK_BYTES, 4096, &mut config.chunk_bytes)?;
        set_u64(
            READ_AHEAD_REQUEST_BYTES,
            4096,
            &mut config.read_ahead_request_bytes,
        )?;
        set_u64(
            COPY_MAX_BYTES_PER_SECOND,
            1,
            &mut config.copy_max_bytes_per_second,
        )?;
        set_u64(
            FETCH_MAX_BYTES_PER_SECOND,
            1,
            &mut config.fetch_max_bytes_per_second,
        )?;
        set_u64(RETRY_BACKOFF_MS, 1, &mut config.retry_backoff_ms)?;
        set_u64(RETRY_BACKOFF_MAX_MS, 1, &mut config.retry_backoff_max_ms)?;
        set_u64(
            MULTIPART_PART_BYTES,
            MULTIPART_PART_BYTES_MIN as i64,
            &mut config.multipart_part_bytes,
        )?;
        if let Some(v) = long(REQUEST_ATTEMPTS_MAX, 1)? {
            config.request_attempts_max = v.min(i64::from(u32::MAX)) as u32;
        }
        if let Some(v) = get(RETRY_JITTER) {
            let jitter: f64 = v
                .parse()
                .map_err(|_| RemoteError::invalid_config(RETRY_JITTER, v, "not a number"))?;
            if !(0.0..=0.5).contains(&jitter) {
                return Err(RemoteError::invalid_config(
                    RETRY_JITTER,
                    v,
                    "must be in [0, 0.5]",
                ));
            }
            config.retry_jitter = jitter;
        }
        Ok(config)
    }
}

fn pool_size(value: Option<i64>, fallback: usize, key: &str) -> Result<usize, RemoteError> {
    match value {
        None | Some(-1) => Ok(fallback),
        Some(0) => Err(RemoteError::invalid_config(
            key,
            "0",
            "must be -1 or at least 1",
        )),
        Some(n) => Ok(n as usize),
    }
}

fn parse_bool(key: &str, value: &str) -> Result<bool, RemoteError> {
    match value.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(RemoteError::invalid_config(
            key,
            value,
            "expected true or false",
        )),
    }
}

fn parse_long(key: &str, value: &str, min: i64) -> Result<i64, RemoteError> {
    let parsed: i64 = value
        .parse()
        .map_err(|_| RemoteError::invalid_config(key, value, "not a whole number"))?;
    if parsed < min {
        return Err(RemoteError::invalid_config(
            key,
            value,
            format!("must be at least {min}"),
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_kafkas() {
        let config = RemoteLogConfig::from_properties(&BTreeMap::new()).expect("defaults");
        assert!(!config.system_enable);
        assert_eq!(config.task_interval_ms, 30_000);
        assert_eq!(config.reader_threads, 10);
        assert_eq!(config.fetch_max_wait_ms, 500);
        assert_eq!(config.index_cache_bytes, 1 << 30);
    }

    #[test]
    fn pool_sizes_fall_back_to_the_deprecated_size() {
        let config = RemoteLogConfig::from_properties(&props(&[
            (THREAD_POOL_SIZE, "3"),
            (EXPIRATION_THREAD_POOL_SIZE, "2"),
        ]))
        .expect("valid");
        assert_eq!((config.copier_threads, config.expiration_threads), (3, 2));
    }

    #[test]
    fn bad_values_name_the_key() {
        let err = RemoteLogConfig::from_properties(&props(&[(READER_THREADS, "0")]))
            .expect_err("zero readers");
        assert!(err.to_string().contains(READER_THREADS), "{err}");
        let err = RemoteLogConfig::from_properties(&props(&[(SYSTEM_ENABLE, "yes")]))
            .expect_err("not a boolean");
        assert!(err.to_string().contains(SYSTEM_ENABLE), "{err}");
    }
}
