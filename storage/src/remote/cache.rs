//! A bounded, least-recently-used cache of remote bytes (whole index objects, or fixed-size
//! chunks of segment objects), with single-flight fetches: concurrent readers and read-ahead
//! asking for the same missing entry issue one GET. A fetch may also [`ByteCache::claim`]
//! several entries at once (read-ahead fetching a run of chunks with one ranged GET); readers
//! asking for any of them wait for that fetch.
//!
//! Limit: the sum of cached entry sizes stays ≤ the configured bytes (an entry larger than the
//! whole cache is returned but not kept). Entries cut from one fetched buffer share it, so the
//! buffer is freed when the last of them is evicted. Thread-safety: `Send + Sync`; the locks
//! are never held across an await.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::watch;

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

/// A fetch under way, as its waiters see it: `None` until it ends, then `Some(result)` (`None`
/// inside when it failed or was abandoned; waiters then fetch for themselves).
type FlightState<V> = Option<Option<V>>;

/// Fetches under way, by key.
type InFlight<V> = Arc<Mutex<HashMap<CacheKey, watch::Receiver<FlightState<V>>>>>;

/// The right and duty to fetch one missing entry: readers asking for the key wait for
/// [`Claim::fill`]. Dropping a claim unfilled (a failed or cancelled fetch) releases the
/// waiters, who then fetch for themselves.
#[derive(Debug)]
pub(crate) struct Claim<V> {
    key: CacheKey,
    sender: watch::Sender<FlightState<V>>,
    in_flight: InFlight<V>,
}

impl<V> Claim<V> {
    pub(crate) fn key(&self) -> &CacheKey {
        &self.key
    }
}

impl<V: Cached> Claim<V> {
    /// Caches `value` for the claimed key and hands it to the waiters.
    pub(crate) fn fill(self, cache: &ByteCache<V>, value: V) {
        cache.insert(self.key.clone(), value.clone());
        self.sender.send_replace(Some(Some(value)));
        // Drop removes the in-flight entry.
    }
}

impl<V> Drop for Claim<V> {
    fn drop(&mut self) {
        self.in_flight.lock().remove(&self.key);
        if self.sender.borrow().is_none() {
            self.sender.send_replace(Some(None));
        }
    }
}

/// See the module docs.
#[derive(Debug)]
pub(crate) struct ByteCache<V = Bytes> {
    capacity_bytes: u64,
    entries: Mutex<Entries<V>>,
    in_flight: InFlight<V>,
}

/// What [`ByteCache::claim`] found.
enum Claimed<V> {
    /// The caller must fetch the entry and fill the claim.
    Fetch(Claim<V>),
    /// Another fetch of the key is under way.
    Wait(watch::Receiver<FlightState<V>>),
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
            in_flight: Arc::new(Mutex::new(HashMap::new())),
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
    #[cfg(test)]
    pub(crate) fn contains_or_pending(&self, key: &CacheKey) -> bool {
        self.contains(key) || self.in_flight.lock().contains_key(key)
    }

    /// The claim to fetch `key`, when it is neither cached nor being fetched.
    pub(crate) fn claim(&self, key: &CacheKey) -> Option<Claim<V>> {
        if self.contains(key) {
            return None;
        }
        match self.claim_or_wait(key) {
            Claimed::Fetch(claim) => Some(claim),
            Claimed::Wait(_) => None,
        }
    }

    fn claim_or_wait(&self, key: &CacheKey) -> Claimed<V> {
        let mut in_flight = self.in_flight.lock();
        if let Some(receiver) = in_flight.get(key) {
            return Claimed::Wait(receiver.clone());
        }
        let (sender, receiver) = watch::channel(None);
        in_flight.insert(key.clone(), receiver);
        Claimed::Fetch(Claim {
            key: key.clone(),
            sender,
            in_flight: Arc::clone(&self.in_flight),
        })
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
        match self.claim_or_wait(&key) {
            Claimed::Fetch(claim) => {
                // An error drops the claim: waiters fetch for themselves.
                let bytes = fetch().await?;
                claim.fill(self, bytes.clone());
                Ok((bytes, Lookup::Miss))
            }
            Claimed::Wait(mut receiver) => {
                let joined = match receiver.wait_for(Option::is_some).await {
                    Ok(state) => state.clone().flatten(),
                    // The claim's sender is gone without a result.
                    Err(_) => None,
                };
                if let Some(bytes) = joined {
                    return Ok((bytes, Lookup::Joined));
                }
                let bytes = fetch().await?;
                self.insert(key, bytes.clone());
                Ok((bytes, Lookup::Miss))
            }
        }
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

    #[tokio::test]
    async fn readers_of_a_claimed_entry_wait_for_the_claims_fill() {
        let cache = Arc::new(ByteCache::new(100));
        let claim = cache.claim(&key(3)).expect("missing entry");
        assert!(cache.claim(&key(3)).is_none(), "claimed once");
        assert!(cache.contains_or_pending(&key(3)));
        let reader = {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move {
                cache
                    .get_or_fetch(key(3), || async { Ok(Bytes::from_static(b"own")) })
                    .await
            })
        };
        tokio::task::yield_now().await;
        claim.fill(&cache, Bytes::from_static(b"filled"));
        let (bytes, lookup) = reader.await.expect("task").expect("joined");
        assert_eq!((bytes.as_ref(), lookup), (&b"filled"[..], Lookup::Joined));
        assert_eq!(cache.get(&key(3)).as_deref(), Some(&b"filled"[..]));
    }

    #[tokio::test]
    async fn an_abandoned_claim_lets_its_readers_fetch_for_themselves() {
        let cache = Arc::new(ByteCache::new(100));
        let claim = cache.claim(&key(4)).expect("missing entry");
        let reader = {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move {
                cache
                    .get_or_fetch(key(4), || async { Ok(Bytes::from_static(b"own")) })
                    .await
            })
        };
        tokio::task::yield_now().await;
        drop(claim);
        let (bytes, lookup) = reader.await.expect("task").expect("fetched");
        assert_eq!((bytes.as_ref(), lookup), (&b"own"[..], Lookup::Miss));
        assert!(cache.claim(&key(5)).is_some(), "no claim left behind");
        assert!(cache.claim(&key(4)).is_none(), "cached now");
    }
}
