//! A bounded, least-recently-used cache of remote bytes (whole index objects, or fixed-size
//! chunks of segment objects), with single-flight fetches: concurrent readers and read-ahead
//! asking for the same missing entry issue one GET.
//!
//! Limit: the sum of cached entry sizes stays ≤ the configured bytes (an entry larger than the
//! whole cache is returned but not kept). Thread-safety: `Send + Sync`; the lock is never held
//! across an await.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::OnceCell;

use crate::remote::error::RemoteError;

/// A cache key: object key and chunk number (0 for whole objects).
pub(crate) type CacheKey = (String, u64);

/// What a cache holds: cheap to clone (shared bytes), with a size charged to the limit.
pub(crate) trait Cached: Clone {
    /// Bytes charged to the cache's limit.
    fn size_bytes(&self) -> u64;
}

impl Cached for Bytes {
    fn size_bytes(&self) -> u64 {
        self.len() as u64
    }
}

/// How a lookup was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// Found in the cache.
    Hit,
    /// Joined a fetch already under way (e.g. read-ahead not finished yet).
    Joined,
    /// This call fetched it.
    Miss,
}

#[derive(Debug)]
struct Entries<V> {
    map: HashMap<CacheKey, (V, u64)>,
    by_use: BTreeMap<u64, CacheKey>,
    bytes: u64,
    tick: u64,
}

type Flight<V> = Arc<OnceCell<Option<V>>>;

/// See the module docs.
#[derive(Debug)]
pub(crate) struct ByteCache<V = Bytes> {
    capacity_bytes: u64,
    entries: Mutex<Entries<V>>,
    in_flight: Mutex<HashMap<CacheKey, Flight<V>>>,
}

impl<V: Cached> ByteCache<V> {
    pub(crate) fn new(capacity_bytes: u64) -> Self {
        Self {
            capacity_bytes,
            entries: Mutex::new(Entries {
                map: HashMap::new(),
                by_use: BTreeMap::new(),
                bytes: 0,
                tick: 0,
            }),
            in_flight: Mutex::new(HashMap::new()),
        }
    }

    /// The cached bytes for `key`, marking them recently used.
    pub(crate) fn get(&self, key: &CacheKey) -> Option<V> {
        let mut entries = self.entries.lock();
        entries.tick += 1;
        let tick = entries.tick;
        let (bytes, old_tick) = {
            let slot = entries.map.get_mut(key)?;
            let old = slot.1;
            slot.1 = tick;
            (slot.0.clone(), old)
        };
        entries.by_use.remove(&old_tick);
        entries.by_use.insert(tick, key.clone());
        Some(bytes)
    }

    pub(crate) fn contains(&self, key: &CacheKey) -> bool {
        self.entries.lock().map.contains_key(key)
    }

    /// Whether `key` is cached or a fetch of it is under way.
    pub(crate) fn contains_or_pending(&self, key: &CacheKey) -> bool {
        self.contains(key) || self.in_flight.lock().contains_key(key)
    }

    /// Stores `bytes`, evicting least recently used entries to stay within the limit.
    pub(crate) fn insert(&self, key: CacheKey, bytes: V) {
        let size = bytes.size_bytes();
        if size > self.capacity_bytes {
            return;
        }
        let mut entries = self.entries.lock();
        entries.tick += 1;
        let tick = entries.tick;
        if let Some((old, old_tick)) = entries.map.remove(&key) {
            entries.bytes -= old.size_bytes();
            entries.by_use.remove(&old_tick);
        }
        while entries.bytes + size > self.capacity_bytes {
            let Some((_, victim)) = entries.by_use.pop_first() else {
                break;
            };
            if let Some((evicted, _)) = entries.map.remove(&victim) {
                entries.bytes -= evicted.size_bytes();
            }
        }
        entries.bytes += size;
        entries.by_use.insert(tick, key.clone());
        entries.map.insert(key, (bytes, tick));
    }

    /// Drops every entry whose object key is `object`.
    pub(crate) fn invalidate_object(&self, object: &str) {
        let mut entries = self.entries.lock();
        let doomed: Vec<(CacheKey, u64, u64)> = entries
            .map
            .iter()
            .filter(|(k, _)| k.0 == object)
            .map(|(k, (b, t))| (k.clone(), *t, b.size_bytes()))
            .collect();
        for (key, tick, size) in doomed {
            entries.map.remove(&key);
            entries.by_use.remove(&tick);
            entries.bytes -= size;
        }
    }

    /// Bytes currently cached.
    pub(crate) fn size_bytes(&self) -> u64 {
        self.entries.lock().bytes
    }

    /// The bytes for `key`: cached, joined from a fetch under way, or fetched with `fetch` (and
    /// cached when `fetch` succeeds; failures are not cached).
    pub(crate) async fn get_or_fetch<F, Fut>(
        &self,
        key: CacheKey,
        fetch: F,
    ) -> Result<(V, Lookup), RemoteError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, RemoteError>>,
    {
        if let Some(bytes) = self.get(&key) {
            return Ok((bytes, Lookup::Hit));
        }
        let (flight, leader) = {
            let mut in_flight = self.in_flight.lock();
            match in_flight.get(&key) {
                Some(flight) => (Arc::clone(flight), false),
                None => {
                    let flight: Flight<V> = Arc::new(OnceCell::new());
                    in_flight.insert(key.clone(), Arc::clone(&flight));
                    (flight, true)
                }
            }
        };
        if !leader {
            // Someone else is fetching it: wait for that result (a cell that is still empty
            // resolves to None at once); fetch ourselves when there is none.
            let joined = flight.get_or_init(|| async { None }).await.clone();
            if let Some(bytes) = joined {
                return Ok((bytes, Lookup::Joined));
            }
            let bytes = fetch().await?;
            self.insert(key, bytes.clone());
            return Ok((bytes, Lookup::Miss));
        }
        let mut failure: Option<RemoteError> = None;
        let mut fetch = Some(fetch);
        let fetched = flight
            .get_or_init(|| async {
                let fetch = fetch.take().expect("the init closure runs once");
                match fetch().await {
                    Ok(bytes) => Some(bytes),
                    Err(err) => {
                        failure = Some(err);
                        None
                    }
                }
            })
            .await
            .clone();
        self.in_flight.lock().remove(&key);
        let bytes = match (fetched, failure, fetch) {
            (Some(bytes), _, _) => bytes,
            (None, Some(err), _) => return Err(err),
            // A waiter settled the cell before this fetch started: fetch now.
            (None, None, Some(fetch)) => fetch().await?,
            (None, None, None) => unreachable!("a failed fetch records its error"),
        };
        self.insert(key, bytes.clone());
        Ok((bytes, Lookup::Miss))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u64) -> CacheKey {
        ("object".to_string(), n)
    }

    #[test]
    fn least_recently_used_entries_are_evicted_at_the_limit() {
        let cache = ByteCache::new(10);
        cache.insert(key(0), Bytes::from_static(b"aaaa"));
        cache.insert(key(1), Bytes::from_static(b"bbbb"));
        assert!(cache.get(&key(0)).is_some(), "touch 0 so 1 is the oldest");
        cache.insert(key(2), Bytes::from_static(b"cccc"));
        assert!(cache.contains(&key(0)));
        assert!(!cache.contains(&key(1)));
        assert!(cache.contains(&key(2)));
        assert!(cache.size_bytes() <= 10);
    }

    #[tokio::test]
    async fn a_failed_fetch_is_not_cached() {
        let cache = ByteCache::new(100);
        let failed = cache
            .get_or_fetch(key(0), || async {
                Err(RemoteError::CorruptObject {
                    path: "x".into(),
                    reason: "test".into(),
                })
            })
            .await;
        assert!(failed.is_err());
        let (bytes, lookup) = cache
            .get_or_fetch(key(0), || async { Ok(Bytes::from_static(b"ok")) })
            .await
            .expect("second fetch");
        assert_eq!((bytes.as_ref(), lookup), (&b"ok"[..], Lookup::Miss));
        let (_, lookup) = cache
            .get_or_fetch(key(0), || async { Ok(Bytes::new()) })
            .await
            .expect("cached");
        assert_eq!(lookup, Lookup::Hit);
    }
}
