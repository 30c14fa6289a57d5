//! KIP-227 incremental fetch sessions: the broker-side cache of what each fetcher last asked for.
//!
//! A fetcher opens a session with a *full* fetch (epoch 0); the broker answers with a session id.
//! Later *incremental* fetches (same id, epoch 1, 2, ...) name only the partitions whose request
//! parameters changed, plus the partitions to forget; the broker fills in the rest from the cache
//! and answers only partitions with news (records, a moved high watermark or log start, an
//! error). Kafka's semantics (`FetchSession.scala`):
//! - `session_id = 0, epoch = -1`: sessionless, nothing cached.
//! - `epoch = 0`: full fetch; any session named by `session_id` is closed and a new one is created
//!   if the cache has room (or can evict), else the response carries session id 0.
//! - `epoch = -1` with a session id: close that session and fetch sessionless.
//! - `epoch > 0`: incremental; unknown id → `FETCH_SESSION_ID_NOT_FOUND`, epoch mismatch →
//!   `INVALID_FETCH_SESSION_EPOCH`, topic-id use that differs from the session's →
//!   `FETCH_SESSION_TOPIC_ID_ERROR`. A session left with no partitions is closed.
//!
//! Eviction when the cache is full follows Kafka: a session unused for longer than
//! [`FETCH_SESSION_EVICTION_MS`] goes first; otherwise a new session may displace the least
//! valuable session that is older than that, ordered by (privileged, partition count, id) —
//! follower sessions are privileged and may also displace young consumer sessions.
//!
//! Thread-safety: one mutex over the whole cache, held only for map updates (never across an
//! await); the fetch itself runs between [`FetchSessionCache::new_context`] and
//! [`FetchSessionCache::complete`] without it.

use std::collections::HashMap;

use indexmap::IndexMap;
use kafka_protocol::messages::TopicName;
use kafka_protocol::ResponseError;
use parking_lot::Mutex;
use rand::Rng;
use uuid::Uuid;

/// Session id meaning "no session".
pub(crate) const INVALID_SESSION_ID: i32 = 0;
/// Epoch of a full fetch that opens a session.
pub(crate) const INITIAL_EPOCH: i32 = 0;
/// Epoch of a full fetch that wants no session (and closes the one named).
pub(crate) const FINAL_EPOCH: i32 = -1;
/// A session unused this long may be evicted by any new session; younger sessions are only
/// displaced by more valuable ones. Kafka's `MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS`.
pub(crate) const FETCH_SESSION_EVICTION_MS: i64 = 120_000;
/// First Fetch version that names topics by id: sessions created with it key partitions by id.
pub(crate) const FETCH_TOPIC_ID_VERSION: i16 = 13;

/// The session epoch that follows `epoch` (Kafka's `FetchMetadata.nextEpoch`).
pub(crate) fn next_epoch(epoch: i32) -> i32 {
    if epoch < 0 {
        FINAL_EPOCH
    } else if epoch == i32::MAX {
        1
    } else {
        epoch + 1
    }
}

/// How a session names a topic: by id (Fetch v13+) or by name (older versions).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum SessionTopic {
    /// Topic id from a v13+ request.
    Id(Uuid),
    /// Topic name from a v4–v12 request.
    Name(TopicName),
}

/// One partition of a fetch session.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PartitionKey {
    /// The topic, by id or name.
    pub(crate) topic: SessionTopic,
    /// Partition index.
    pub(crate) partition: i32,
}

/// What the fetcher asks of one partition; cached by sessions between requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FetchPartitionParams {
    /// Next offset the fetcher wants.
    pub(crate) fetch_offset: i64,
    /// Byte limit for this partition.
    pub(crate) partition_max_bytes: i32,
    /// Leader epoch the fetcher believes current, or -1.
    pub(crate) current_leader_epoch: i32,
    /// The fetcher's own log start (followers), or -1.
    pub(crate) log_start_offset: i64,
    /// Epoch of the last fetched batch (followers, v12+), or -1.
    pub(crate) last_fetched_epoch: i32,
}

/// What the broker answered for one partition, as far as a session cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PartitionOutcome {
    /// Bytes of records returned.
    pub(crate) records_bytes: usize,
    /// High watermark returned.
    pub(crate) high_watermark: i64,
    /// Log start offset returned.
    pub(crate) log_start_offset: i64,
    /// Error code returned (0 = none).
    pub(crate) error_code: i16,
}

/// A fetch request's session-level failure; the response carries only this top-level error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FetchSessionError {
    /// An incremental fetch named a session this broker does not have (evicted, or never made).
    #[error("fetch session {session_id} not found")]
    SessionIdNotFound {
        /// The requested session.
        session_id: i32,
    },
    /// An incremental fetch carried an epoch other than the one the session expects (a
    /// duplicate or lost request).
    #[error("fetch session {session_id} expected epoch {expected}, got {received}")]
    InvalidEpoch {
        /// The session.
        session_id: i32,
        /// Epoch the session expects next.
        expected: i32,
        /// Epoch in the request.
        received: i32,
    },
    /// The request version names topics differently from the session (ids vs names).
    #[error(
        "fetch session {session_id} uses topic ids: {session_uses_ids}, request version {version}"
    )]
    TopicIdMismatch {
        /// The session.
        session_id: i32,
        /// Whether the session was created by a topic-id request.
        session_uses_ids: bool,
        /// Version of the request.
        version: i16,
    },
}

impl FetchSessionError {
    /// The Kafka error code for the top-level `error_code` of the Fetch response.
    pub(crate) fn code(&self) -> i16 {
        match self {
            Self::SessionIdNotFound { .. } => ResponseError::FetchSessionIdNotFound.code(),
            Self::InvalidEpoch { .. } => ResponseError::InvalidFetchSessionEpoch.code(),
            Self::TopicIdMismatch { .. } => ResponseError::FetchSessionTopicIdError.code(),
        }
    }
}

/// The session-related fields of one Fetch request.
#[derive(Debug, Clone)]
pub(crate) struct FetchSessionRequest {
    /// Request version (decides id vs name keys).
    pub(crate) version: i16,
    /// `session_id` field (0 = none).
    pub(crate) session_id: i32,
    /// `session_epoch` field.
    pub(crate) session_epoch: i32,
    /// Whether a follower replica sent it (its sessions are privileged).
    pub(crate) is_follower: bool,
    /// Partitions named in the request, in request order.
    pub(crate) partitions: Vec<(PartitionKey, FetchPartitionParams)>,
    /// Partitions to drop from the session (incremental fetches).
    pub(crate) forgotten: Vec<PartitionKey>,
}

/// How to answer one fetch request, decided before any log is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FetchContext {
    /// Answer only the top-level error, with no partitions and session id 0.
    Error(FetchSessionError),
    /// No session: answer every requested partition.
    Sessionless {
        /// Partitions to read, in request order.
        partitions: Vec<(PartitionKey, FetchPartitionParams)>,
    },
    /// Full fetch that opens a session on completion (if the cache has room).
    Full {
        /// Partitions to read, in request order.
        partitions: Vec<(PartitionKey, FetchPartitionParams)>,
        /// Whether the new session keys topics by id.
        uses_topic_ids: bool,
        /// Whether a follower opens it.
        privileged: bool,
    },
    /// Incremental fetch within an existing session.
    Incremental {
        /// The session.
        session_id: i32,
        /// The session's epoch after this request; a different epoch at completion means a
        /// concurrent request raced this one.
        epoch_after: i32,
        /// Every partition of the session (cached parameters updated by the request), in the
        /// session's round-robin order.
        partitions: Vec<(PartitionKey, FetchPartitionParams)>,
    },
}

impl FetchContext {
    /// The partitions this fetch reads, in the order the response lists them.
    pub(crate) fn partitions(&self) -> &[(PartitionKey, FetchPartitionParams)] {
        match self {
            Self::Error(_) => &[],
            Self::Sessionless { partitions }
            | Self::Full { partitions, .. }
            | Self::Incremental { partitions, .. } => partitions,
        }
    }
}

/// The session part of a Fetch response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionResponse {
    /// Top-level error (then no partitions are sent).
    pub(crate) error: Option<FetchSessionError>,
    /// Session id to return (0 = none).
    pub(crate) session_id: i32,
    /// For each partition of the context, in order: whether the response includes it.
    pub(crate) include: Vec<bool>,
}

#[derive(Debug, Clone)]
struct CachedPartition {
    params: FetchPartitionParams,
    /// High watermark last sent to the fetcher; -1 forces the next response to include it.
    high_watermark: i64,
    /// Log start offset last sent to the fetcher.
    log_start_offset: i64,
}

impl CachedPartition {
    /// Kafka's `maybeUpdateResponseData`: whether the fetcher must hear about this partition,
    /// and remember what it is told.
    fn must_respond(&mut self, outcome: &PartitionOutcome) -> bool {
        let mut must = outcome.records_bytes > 0;
        if self.high_watermark != outcome.high_watermark {
            must = true;
            self.high_watermark = outcome.high_watermark;
        }
        if self.log_start_offset != outcome.log_start_offset {
            must = true;
            self.log_start_offset = outcome.log_start_offset;
        }
        if outcome.error_code != 0 {
            // Resend the partition once the error clears.
            self.high_watermark = -1;
            must = true;
        }
        must
    }
}

#[derive(Debug)]
struct Session {
    privileged: bool,
    uses_topic_ids: bool,
    creation_ms: i64,
    last_used_ms: i64,
    /// The epoch the next incremental request must carry.
    epoch: i32,
    partitions: IndexMap<PartitionKey, CachedPartition>,
}

/// Kafka's `EvictableKey` ordering: less valuable sessions sort first.
fn evictable_key(privileged: bool, size: usize, id: i32) -> (bool, usize, i32) {
    (privileged, size, id)
}

/// Every open fetch session of this broker, bounded by `max_sessions`
/// (`max.incremental.fetch.session.cache.slots`).
#[derive(Debug)]
pub(crate) struct FetchSessionCache {
    max_sessions: usize,
    sessions: Mutex<HashMap<i32, Session>>,
}

impl FetchSessionCache {
    /// An empty cache holding at most `max_sessions` sessions (0 disables sessions).
    pub(crate) fn new(max_sessions: usize) -> Self {
        Self {
            max_sessions,
            sessions: Mutex::new(HashMap::new()),
        }
    }

    /// Number of open sessions.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.sessions.lock().len()
    }

    /// Decides how to serve a request and, for incremental fetches, applies its changes to the
    /// session (added/updated/forgotten partitions, epoch advanced).
    pub(crate) fn new_context(&self, request: FetchSessionRequest, now_ms: i64) -> FetchContext {
        let is_full =
            request.session_epoch == INITIAL_EPOCH || request.session_epoch == FINAL_EPOCH;
        if is_full {
            if request.session_id != INVALID_SESSION_ID {
                // A full fetch closes any session it names.
                self.sessions.lock().remove(&request.session_id);
            }
            return if request.session_epoch == FINAL_EPOCH {
                FetchContext::Sessionless {
                    partitions: request.partitions,
                }
            } else {
                FetchContext::Full {
                    partitions: request.partitions,
                    uses_topic_ids: request.version >= FETCH_TOPIC_ID_VERSION,
                    privileged: request.is_follower,
                }
            };
        }

        let mut sessions = self.sessions.lock();
        let Some(session) = sessions.get_mut(&request.session_id) else {
            return FetchContext::Error(FetchSessionError::SessionIdNotFound {
                session_id: request.session_id,
            });
        };
        if session.epoch != request.session_epoch {
            return FetchContext::Error(FetchSessionError::InvalidEpoch {
                session_id: request.session_id,
                expected: session.epoch,
                received: request.session_epoch,
            });
        }
        let request_uses_ids = request.version >= FETCH_TOPIC_ID_VERSION;
        if session.uses_topic_ids != request_uses_ids {
            return FetchContext::Error(FetchSessionError::TopicIdMismatch {
                session_id: request.session_id,
                session_uses_ids: session.uses_topic_ids,
                version: request.version,
            });
        }
        for (key, params) in &request.partitions {
            match session.partitions.get_mut(key) {
                Some(cached) => cached.params = *params,
                None => {
                    session.partitions.insert(
                        key.clone(),
                        CachedPartition {
                            params: *params,
                            high_watermark: -1,
                            log_start_offset: -1,
                        },
                    );
                }
            }
        }
        for key in &request.forgotten {
            session.partitions.shift_remove(key);
        }
        if session.partitions.is_empty() {
            sessions.remove(&request.session_id);
            return FetchContext::Sessionless {
                partitions: request.partitions,
            };
        }
        session.last_used_ms = now_ms;
        session.epoch = next_epoch(session.epoch);
        let partitions = session
            .partitions
            .iter()
            .map(|(key, cached)| (key.clone(), cached.params))
            .collect();
        FetchContext::Incremental {
            session_id: request.session_id,
            epoch_after: session.epoch,
            partitions,
        }
    }

    /// Finishes a fetch: records what was sent, creates the session of a full fetch, and says
    /// which partitions the response includes. `outcomes` follows `context.partitions()`.
    pub(crate) fn complete(
        &self,
        context: &FetchContext,
        outcomes: &[PartitionOutcome],
        now_ms: i64,
    ) -> SessionResponse {
        match context {
            FetchContext::Error(error) => SessionResponse {
                error: Some(error.clone()),
                session_id: INVALID_SESSION_ID,
                include: Vec::new(),
            },
            FetchContext::Sessionless { partitions } => SessionResponse {
                error: None,
                session_id: INVALID_SESSION_ID,
                include: vec![true; partitions.len()],
            },
            FetchContext::Full {
                partitions,
                uses_topic_ids,
                privileged,
            } => {
                let session_id =
                    self.create_session(partitions, outcomes, *uses_topic_ids, *privileged, now_ms);
                SessionResponse {
                    error: None,
                    session_id,
                    include: vec![true; partitions.len()],
                }
            }
            FetchContext::Incremental {
                session_id,
                epoch_after,
                partitions,
            } => self.complete_incremental(*session_id, *epoch_after, partitions, outcomes),
        }
    }

    fn complete_incremental(
        &self,
        session_id: i32,
        epoch_after: i32,
        partitions: &[(PartitionKey, FetchPartitionParams)],
        outcomes: &[PartitionOutcome],
    ) -> SessionResponse {
        let mut sessions = self.sessions.lock();
        let Some(session) = sessions.get_mut(&session_id) else {
            // Evicted while this fetch was in flight: the fetcher must start over.
            return SessionResponse {
                error: Some(FetchSessionError::SessionIdNotFound { session_id }),
                session_id: INVALID_SESSION_ID,
                include: Vec::new(),
            };
        };
        if session.epoch != epoch_after {
            return SessionResponse {
                error: Some(FetchSessionError::InvalidEpoch {
                    session_id,
                    expected: session.epoch,
                    received: epoch_after,
                }),
                session_id,
                include: Vec::new(),
            };
        }
        let mut include = Vec::with_capacity(partitions.len());
        for ((key, _), outcome) in partitions.iter().zip(outcomes) {
            let Some(index) = session.partitions.get_index_of(key) else {
                include.push(false);
                continue;
            };
            let must = session.partitions[index].must_respond(outcome);
            if must && outcome.records_bytes > 0 {
                // Partitions that returned data go to the back, so others get a turn at the
                // response byte budget next time.
                let last = session.partitions.len() - 1;
                session.partitions.move_index(index, last);
            }
            include.push(must);
        }
        SessionResponse {
            error: None,
            session_id,
            include,
        }
    }

    fn create_session(
        &self,
        partitions: &[(PartitionKey, FetchPartitionParams)],
        outcomes: &[PartitionOutcome],
        uses_topic_ids: bool,
        privileged: bool,
        now_ms: i64,
    ) -> i32 {
        let mut sessions = self.sessions.lock();
        let has_room = sessions.len() < self.max_sessions
            || (self.max_sessions > 0
                && Self::try_evict(&mut sessions, privileged, partitions.len(), now_ms));
        if !has_room {
            return INVALID_SESSION_ID;
        }
        let mut cached = IndexMap::with_capacity(partitions.len());
        for ((key, params), outcome) in partitions.iter().zip(outcomes) {
            let high_watermark = if outcome.error_code != 0 {
                -1
            } else {
                outcome.high_watermark
            };
            cached.insert(
                key.clone(),
                CachedPartition {
                    params: *params,
                    high_watermark,
                    log_start_offset: outcome.log_start_offset,
                },
            );
        }
        let mut rng = rand::thread_rng();
        let id = loop {
            let candidate = rng.gen_range(1..=i32::MAX);
            if !sessions.contains_key(&candidate) {
                break candidate;
            }
        };
        sessions.insert(
            id,
            Session {
                privileged,
                uses_topic_ids,
                creation_ms: now_ms,
                last_used_ms: now_ms,
                epoch: next_epoch(INITIAL_EPOCH),
                partitions: cached,
            },
        );
        id
    }

    /// Kafka's `tryEvict`: frees one slot for a new session, or says it cannot.
    fn try_evict(
        sessions: &mut HashMap<i32, Session>,
        privileged: bool,
        size: usize,
        now_ms: i64,
    ) -> bool {
        let least_recent = sessions
            .iter()
            .min_by_key(|(id, session)| (session.last_used_ms, **id))
            .map(|(id, session)| (*id, session.last_used_ms));
        let Some((stale_id, last_used_ms)) = least_recent else {
            return false;
        };
        if now_ms - last_used_ms > FETCH_SESSION_EVICTION_MS {
            sessions.remove(&stale_id);
            return true;
        }
        let candidate = sessions
            .iter()
            .filter(|(_, session)| {
                let old = now_ms - session.creation_ms > FETCH_SESSION_EVICTION_MS;
                old || (privileged && !session.privileged)
            })
            .map(|(id, session)| evictable_key(session.privileged, session.partitions.len(), *id))
            .min();
        match candidate {
            Some(key) if evictable_key(privileged, size, 0) > key => {
                sessions.remove(&key.2);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::protocol::StrBytes;

    fn key(topic: &'static str, partition: i32) -> PartitionKey {
        PartitionKey {
            topic: SessionTopic::Name(TopicName(StrBytes::from_static_str(topic))),
            partition,
        }
    }

    fn params(fetch_offset: i64) -> FetchPartitionParams {
        FetchPartitionParams {
            fetch_offset,
            partition_max_bytes: 1 << 20,
            current_leader_epoch: -1,
            log_start_offset: -1,
            last_fetched_epoch: -1,
        }
    }

    fn outcome(records_bytes: usize, high_watermark: i64) -> PartitionOutcome {
        PartitionOutcome {
            records_bytes,
            high_watermark,
            log_start_offset: 0,
            error_code: 0,
        }
    }

    fn request(
        session_id: i32,
        session_epoch: i32,
        partitions: Vec<(PartitionKey, FetchPartitionParams)>,
        forgotten: Vec<PartitionKey>,
    ) -> FetchSessionRequest {
        FetchSessionRequest {
            version: 12,
            session_id,
            session_epoch,
            is_follower: false,
            partitions,
            forgotten,
        }
    }

    /// Opens a session over `keys` with every partition at high watermark 10.
    fn open(cache: &FetchSessionCache, keys: &[PartitionKey], now_ms: i64) -> i32 {
        let partitions = keys.iter().map(|k| (k.clone(), params(0))).collect();
        let context = cache.new_context(request(0, INITIAL_EPOCH, partitions, vec![]), now_ms);
        let outcomes = vec![outcome(100, 10); keys.len()];
        cache.complete(&context, &outcomes, now_ms).session_id
    }

    #[test]
    fn sessionless_fetch_creates_no_session_and_includes_everything() {
        let cache = FetchSessionCache::new(10);
        let context = cache.new_context(
            request(0, FINAL_EPOCH, vec![(key("a", 0), params(0))], vec![]),
            0,
        );
        let response = cache.complete(&context, &[outcome(0, 5)], 0);
        assert_eq!(response.session_id, INVALID_SESSION_ID);
        assert_eq!(response.include, vec![true]);
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn full_fetch_opens_a_session_that_incremental_fetches_use() {
        let cache = FetchSessionCache::new(10);
        let id = open(&cache, &[key("a", 0), key("a", 1)], 0);
        assert_ne!(id, INVALID_SESSION_ID);
        assert_eq!(cache.len(), 1);

        // Epoch 1 names nothing: both cached partitions are fetched.
        let context = cache.new_context(request(id, 1, vec![], vec![]), 1);
        assert_eq!(context.partitions().len(), 2);
        // Nothing changed for a-0; a-1 got records.
        let response = cache.complete(&context, &[outcome(0, 10), outcome(50, 11)], 1);
        assert_eq!(response.error, None);
        assert_eq!(response.session_id, id);
        assert_eq!(response.include, vec![false, true]);
    }

    #[test]
    fn incremental_fetch_updates_cached_offsets_and_adds_partitions() {
        let cache = FetchSessionCache::new(10);
        let id = open(&cache, &[key("a", 0)], 0);
        let context = cache.new_context(
            request(
                id,
                1,
                vec![(key("a", 0), params(7)), (key("b", 0), params(3))],
                vec![],
            ),
            1,
        );
        let partitions = context.partitions();
        assert_eq!(partitions.len(), 2);
        assert_eq!(partitions[0], (key("a", 0), params(7)));
        assert_eq!(partitions[1], (key("b", 0), params(3)));
        // The new partition is always sent (its cached high watermark is unknown).
        let response = cache.complete(&context, &[outcome(0, 10), outcome(0, 3)], 1);
        assert_eq!(response.include, vec![false, true]);
    }

    #[test]
    fn forgotten_partitions_leave_the_session() {
        let cache = FetchSessionCache::new(10);
        let id = open(&cache, &[key("a", 0), key("a", 1)], 0);
        let context = cache.new_context(request(id, 1, vec![], vec![key("a", 0)]), 1);
        assert_eq!(context.partitions(), &[(key("a", 1), params(0))]);
    }

    #[test]
    fn forgetting_every_partition_closes_the_session() {
        let cache = FetchSessionCache::new(10);
        let id = open(&cache, &[key("a", 0)], 0);
        let context = cache.new_context(request(id, 1, vec![], vec![key("a", 0)]), 1);
        assert!(matches!(context, FetchContext::Sessionless { .. }));
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn unknown_session_id_is_fetch_session_id_not_found() {
        let cache = FetchSessionCache::new(10);
        let context = cache.new_context(request(42, 1, vec![], vec![]), 0);
        let response = cache.complete(&context, &[], 0);
        let error = response.error.expect("an error");
        assert_eq!(error.code(), ResponseError::FetchSessionIdNotFound.code());
        assert_eq!(response.session_id, INVALID_SESSION_ID);
    }

    #[test]
    fn wrong_epoch_is_invalid_fetch_session_epoch_and_a_retry_with_the_right_one_works() {
        let cache = FetchSessionCache::new(10);
        let id = open(&cache, &[key("a", 0)], 0);
        let context = cache.new_context(request(id, 5, vec![], vec![]), 1);
        match context {
            FetchContext::Error(error) => {
                assert_eq!(error.code(), ResponseError::InvalidFetchSessionEpoch.code())
            }
            other => panic!("expected an epoch error, got {other:?}"),
        }
        let context = cache.new_context(request(id, 1, vec![], vec![]), 1);
        assert!(matches!(context, FetchContext::Incremental { .. }));
        // The same epoch again is a duplicate.
        let context = cache.new_context(request(id, 1, vec![], vec![]), 2);
        assert!(matches!(
            context,
            FetchContext::Error(FetchSessionError::InvalidEpoch { expected: 2, .. })
        ));
    }

    #[test]
    fn concurrent_request_on_the_same_session_fails_the_earlier_completion() {
        let cache = FetchSessionCache::new(10);
        let id = open(&cache, &[key("a", 0)], 0);
        let first = cache.new_context(request(id, 1, vec![], vec![]), 1);
        let _second = cache.new_context(request(id, 2, vec![], vec![]), 1);
        let response = cache.complete(&first, &[outcome(0, 10)], 1);
        assert!(matches!(
            response.error,
            Some(FetchSessionError::InvalidEpoch { .. })
        ));
    }

    #[test]
    fn topic_id_version_mismatch_is_a_session_error() {
        let cache = FetchSessionCache::new(10);
        let id = open(&cache, &[key("a", 0)], 0);
        let mut req = request(id, 1, vec![], vec![]);
        req.version = 13;
        match cache.new_context(req, 1) {
            FetchContext::Error(error) => {
                assert_eq!(error.code(), ResponseError::FetchSessionTopicIdError.code())
            }
            other => panic!("expected a topic id error, got {other:?}"),
        }
    }

    #[test]
    fn full_fetch_naming_a_session_closes_it() {
        let cache = FetchSessionCache::new(10);
        let id = open(&cache, &[key("a", 0)], 0);
        let context = cache.new_context(
            request(id, FINAL_EPOCH, vec![(key("a", 0), params(0))], vec![]),
            1,
        );
        assert!(matches!(context, FetchContext::Sessionless { .. }));
        assert_eq!(cache.len(), 0);
        let context = cache.new_context(request(id, 1, vec![], vec![]), 1);
        assert!(matches!(
            context,
            FetchContext::Error(FetchSessionError::SessionIdNotFound { .. })
        ));
    }

    #[test]
    fn error_partitions_are_always_resent() {
        let cache = FetchSessionCache::new(10);
        let id = open(&cache, &[key("a", 0)], 0);
        let context = cache.new_context(request(id, 1, vec![], vec![]), 1);
        let mut failed = outcome(0, 10);
        failed.error_code = ResponseError::NotLeaderOrFollower.code();
        assert_eq!(cache.complete(&context, &[failed], 1).include, vec![true]);
        // After the error clears, the unchanged high watermark is still sent once.
        let context = cache.new_context(request(id, 2, vec![], vec![]), 2);
        assert_eq!(
            cache.complete(&context, &[outcome(0, 10)], 2).include,
            vec![true]
        );
        let context = cache.new_context(request(id, 3, vec![], vec![]), 3);
        assert_eq!(
            cache.complete(&context, &[outcome(0, 10)], 3).include,
            vec![false]
        );
    }

    #[test]
    fn partitions_that_returned_data_rotate_to_the_back() {
        let cache = FetchSessionCache::new(10);
        let id = open(&cache, &[key("a", 0), key("a", 1)], 0);
        let context = cache.new_context(request(id, 1, vec![], vec![]), 1);
        cache.complete(&context, &[outcome(10, 11), outcome(0, 10)], 1);
        let context = cache.new_context(request(id, 2, vec![], vec![]), 2);
        let order: Vec<_> = context
            .partitions()
            .iter()
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(order, vec![key("a", 1), key("a", 0)]);
    }

    #[test]
    fn full_cache_refuses_a_new_session_while_existing_ones_are_young() {
        let cache = FetchSessionCache::new(1);
        let first = open(&cache, &[key("a", 0)], 0);
        assert_ne!(first, INVALID_SESSION_ID);
        // Same size, young: not evictable.
        assert_eq!(open(&cache, &[key("b", 0)], 1), INVALID_SESSION_ID);
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn stale_session_is_evicted_for_a_new_one() {
        let cache = FetchSessionCache::new(1);
        let first = open(&cache, &[key("a", 0)], 0);
        let second = open(&cache, &[key("b", 0)], FETCH_SESSION_EVICTION_MS + 1);
        assert_ne!(second, INVALID_SESSION_ID);
        let context = cache.new_context(
            request(first, 1, vec![], vec![]),
            FETCH_SESSION_EVICTION_MS + 2,
        );
        assert!(matches!(
            context,
            FetchContext::Error(FetchSessionError::SessionIdNotFound { .. })
        ));
    }

    #[test]
    fn larger_session_evicts_an_old_smaller_one_that_is_still_in_use() {
        let cache = FetchSessionCache::new(1);
        let small = open(&cache, &[key("a", 0)], 0);
        // Keep it in use, so it is not stale, but it is older than the eviction age.
        let later = FETCH_SESSION_EVICTION_MS + 10;
        let context = cache.new_context(request(small, 1, vec![], vec![]), later);
        cache.complete(&context, &[outcome(0, 10)], later);
        // Same size cannot displace it; a larger one can.
        assert_eq!(open(&cache, &[key("b", 0)], later), INVALID_SESSION_ID);
        let big = open(&cache, &[key("b", 0), key("b", 1)], later);
        assert_ne!(big, INVALID_SESSION_ID);
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn follower_session_evicts_a_young_consumer_session() {
        let cache = FetchSessionCache::new(1);
        open(&cache, &[key("a", 0)], 0);
        let mut req = request(0, INITIAL_EPOCH, vec![(key("b", 0), params(0))], vec![]);
        req.is_follower = true;
        let context = cache.new_context(req, 1);
        let response = cache.complete(&context, &[outcome(0, 1)], 1);
        assert_ne!(response.session_id, INVALID_SESSION_ID);
    }

    #[test]
    fn zero_max_sessions_disables_sessions() {
        let cache = FetchSessionCache::new(0);
        assert_eq!(open(&cache, &[key("a", 0)], 0), INVALID_SESSION_ID);
    }

    #[test]
    fn next_epoch_wraps_to_one_and_final_stays_final() {
        assert_eq!(next_epoch(0), 1);
        assert_eq!(next_epoch(i32::MAX), 1);
        assert_eq!(next_epoch(FINAL_EPOCH), FINAL_EPOCH);
    }
}
