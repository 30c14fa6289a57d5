//! The coordinator runtime: one task per `__consumer_offsets` partition this broker leads.
//!
//! The task owns the partition's shard (the group state machines) and its [`Timers`]. It
//! 1. loads the partition (replays every record through [`CoordinatorShard::replay`]); while it
//!    loads, operations are refused with COORDINATOR_LOAD_IN_PROGRESS;
//! 2. then runs operations one at a time from a bounded queue: an operation mutates the shard and
//!    returns a [`CoordinatorResult`]; its records are appended as one batch and its response and
//!    deferred responses are released only once the high watermark passes that batch (Kafka's
//!    "responses after commit"). Releases happen in offset order: a result without records that
//!    follows an uncommitted write waits behind it, so no client sees uncommitted state;
//! 3. fires timers (sleeping until [`Timers::next_deadline`]) and tells the shard about metadata
//!    images whose topics changed.
//!
//! A failed append completes the operation's responses with the mapped error and reloads the shard
//! from the log, so memory never holds state the log does not. Stopping the task (leadership
//! lost) drops the shard: parked requests see their channel closed and answer NOT_COORDINATOR.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;
use strata_protocol::compression::Compression;
use strata_protocol::group_records::GroupRecord;
use strata_storage::Clock;
use tokio::sync::{mpsc, oneshot, watch, Notify};

use super::config::GroupCoordinatorConfig;
use super::loader::load_log;
use super::op_context::OpContext;
use super::result::{CoordinatorResult, DeferredResponse};
use super::timer::{TimerKey, Timers};
use super::writer::{append_records, compression_from_codec, WriteError};
use crate::partition::Partition;

#[cfg(test)]
mod tests;

/// Operations queued for one shard before senders wait (backpressure on the connections).
pub(crate) const SHARD_QUEUE_OPS_MAX: usize = 1024;

/// First wait before retrying a failed load; doubles up to [`LOAD_RETRY_BACKOFF_MAX`].
const LOAD_RETRY_BACKOFF_MIN: Duration = Duration::from_millis(100);

/// Longest wait between load attempts.
const LOAD_RETRY_BACKOFF_MAX: Duration = Duration::from_secs(10);

/// What the runtime needs from a shard besides the operations handlers run on it.
pub(crate) trait CoordinatorShard: Send + 'static {
    /// Applies one record read from the log (load only; live operations mutate directly).
    fn replay(&mut self, record: &GroupRecord);
    /// Runs once after a load: schedule the timers the loaded state needs (sessions, expiry).
    fn on_loaded(&mut self, ctx: &mut OpContext<'_>) -> CoordinatorResult<()>;
    /// A timer the shard scheduled has expired.
    fn on_timer(&mut self, ctx: &mut OpContext<'_>, key: &TimerKey) -> CoordinatorResult<()>;
    /// Topics were created, deleted or grew partitions.
    fn on_metadata_image(&mut self, ctx: &mut OpContext<'_>) -> CoordinatorResult<()>;
}

/// Who asked for an operation (fills [`OpContext`]'s client fields).
#[derive(Debug, Clone, Default)]
pub(crate) struct OpMeta {
    /// `client.id` of the connection.
    pub(crate) client_id: String,
    /// Client host as Kafka prints it (`/127.0.0.1`).
    pub(crate) client_host: String,
    /// Version of the request.
    pub(crate) api_version: i16,
}

type BoxedOp<S> = Box<dyn FnOnce(&mut S, &mut OpContext<'_>) -> CoordinatorResult<()> + Send>;

struct QueuedOp<S> {
    meta: OpMeta,
    op: BoxedOp<S>,
}

/// Lifecycle of a shard as handlers see it.
const STATE_LOADING: u8 = 0;
const STATE_ACTIVE: u8 = 1;
const STATE_FAILED: u8 = 2;

/// A handle on one running shard, cloned into every handler that routes to it.
pub(crate) struct ShardHandle<S> {
    ops: mpsc::Sender<QueuedOp<S>>,
    state: Arc<AtomicU8>,
}

impl<S> Clone for ShardHandle<S> {
    fn clone(&self) -> Self {
        Self {
            ops: self.ops.clone(),
            state: Arc::clone(&self.state),
        }
    }
}

impl<S: CoordinatorShard> ShardHandle<S> {
    /// Whether the shard finished loading and serves operations.
    pub(crate) fn is_active(&self) -> bool {
        self.state.load(Ordering::Acquire) == STATE_ACTIVE
    }

    /// Whether the shard is still loading its partition.
    pub(crate) fn is_loading(&self) -> bool {
        self.state.load(Ordering::Acquire) == STATE_LOADING
    }

    /// The error a request gets when the shard is not active.
    pub(crate) fn state_error(&self) -> i16 {
        match self.state.load(Ordering::Acquire) {
            STATE_LOADING => ResponseError::CoordinatorLoadInProgress.code(),
            _ => ResponseError::NotCoordinator.code(),
        }
    }

    /// Runs `op` on the shard task and returns its response once its records are committed.
    /// `Err` is a Kafka error code: COORDINATOR_LOAD_IN_PROGRESS while loading, NOT_COORDINATOR
    /// when the shard stopped, or the mapped append failure.
    pub(crate) async fn run<R: Send + 'static>(
        &self,
        meta: OpMeta,
        op: impl FnOnce(&mut S, &mut OpContext<'_>) -> CoordinatorResult<R> + Send + 'static,
    ) -> Result<R, i16> {
        if !self.is_active() {
            return Err(self.state_error());
        }
        let (tx, rx) = oneshot::channel::<Result<R, i16>>();
        let boxed: BoxedOp<S> = Box::new(move |shard, ctx| {
            let CoordinatorResult {
                records,
                response,
                mut deferred,
            } = op(shard, ctx);
            deferred.push(DeferredResponse::new(tx, Ok(response), Err));
            CoordinatorResult {
                records,
                response: (),
                deferred,
            }
        });
        self.ops
            .send(QueuedOp { meta, op: boxed })
            .await
            .map_err(|_| ResponseError::NotCoordinator.code())?;
        rx.await
            .unwrap_or(Err(ResponseError::NotCoordinator.code()))
    }
}

/// What a shard task reads besides its queue.
pub(crate) struct ShardEnv<S> {
    /// The partition whose log holds the shard.
    pub(crate) partition: Arc<Partition>,
    /// Coordinator settings.
    pub(crate) config: Arc<GroupCoordinatorConfig>,
    /// Metadata images (topics for the consumer protocol).
    pub(crate) images: watch::Receiver<Arc<MetadataImage>>,
    /// Wall clock.
    pub(crate) clock: Arc<dyn Clock>,
    /// Builds an empty shard (at start and for a reload after a failed write).
    pub(crate) new_shard: Arc<dyn Fn() -> S + Send + Sync>,
}

/// A started shard task.
pub(crate) struct RunningShard<S> {
    /// Where handlers send operations.
    pub(crate) handle: ShardHandle<S>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl<S> RunningShard<S> {
    /// Asks the task to stop (leadership lost, shutdown); pending responses get NOT_COORDINATOR.
    pub(crate) fn stop(mut self) -> tokio::task::JoinHandle<()> {
        if let Some(stop) = self.stop.take() {
            // The task may already have ended; then there is nothing to stop.
            let _ = stop.send(());
        }
        self.task
    }
}

/// Starts the task of one shard: load, then serve.
pub(crate) fn start_shard<S: CoordinatorShard>(env: ShardEnv<S>) -> RunningShard<S> {
    let (ops_tx, ops_rx) = mpsc::channel(SHARD_QUEUE_OPS_MAX);
    let (stop_tx, stop_rx) = oneshot::channel();
    let state = Arc::new(AtomicU8::new(STATE_LOADING));
    let task = tokio::spawn(run_shard(env, ops_rx, stop_rx, Arc::clone(&state)));
    RunningShard {
        handle: ShardHandle { ops: ops_tx, state },
        stop: Some(stop_tx),
        task,
    }
}

/// Responses waiting for the high watermark to reach `required_offset`.
struct PendingRelease {
    required_offset: i64,
    deferred: Vec<DeferredResponse>,
    deadline: tokio::time::Instant,
}

struct ShardTask<S> {
    env: ShardEnv<S>,
    shard: S,
    timers: Timers,
    image: Arc<MetadataImage>,
    topics_fingerprint: u64,
    pending: VecDeque<PendingRelease>,
    compression: Compression,
    commit_timeout: Duration,
    /// A write failed: rebuild the shard from the log before the next operation.
    reload_requested: bool,
}

async fn run_shard<S: CoordinatorShard>(
    env: ShardEnv<S>,
    mut ops: mpsc::Receiver<QueuedOp<S>>,
    mut stop: oneshot::Receiver<()>,
    state: Arc<AtomicU8>,
) {
    let tp = env.partition.topic_partition().clone();
    let image = Arc::clone(&env.images.borrow());
    let mut task = ShardTask {
        shard: (env.new_shard)(),
        timers: Timers::default(),
        topics_fingerprint: topics_fingerprint(&image),
        image,
        pending: VecDeque::new(),
        compression: compression_from_codec(env.config.offsets_topic_compression_codec),
        commit_timeout: Duration::from_millis(env.config.offsets_commit_timeout_ms.max(1) as u64),
        reload_requested: false,
        env,
    };
    // A log that cannot be read (I/O error, a record this build cannot decode) is retried with
    // a capped backoff while the shard stays LOADING; only leadership loss ends the attempts.
    let mut backoff = LOAD_RETRY_BACKOFF_MIN;
    while !task.load().await {
        tokio::select! {
            _ = &mut stop => {
                state.store(STATE_FAILED, Ordering::Release);
                return;
            }
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(LOAD_RETRY_BACKOFF_MAX);
    }
    state.store(STATE_ACTIVE, Ordering::Release);
    tracing::info!(%tp, "group coordinator shard loaded");

    let waiter = Arc::new(Notify::new());
    task.env.partition.register_waiter(&waiter);
    let mut images = task.env.images.clone();
    // A closed image channel (the broker is stopping) only ends the watching, not the shard.
    let mut images_open = true;
    loop {
        let timer_sleep = task.timer_sleep();
        let commit_deadline = task.pending.front().map(|p| p.deadline);
        tokio::select! {
            biased;
            _ = &mut stop => break,
            _ = waiter.notified(), if !task.pending.is_empty() => task.release_committed(),
            _ = tokio::time::sleep_until(commit_deadline.unwrap_or_else(tokio::time::Instant::now)), if commit_deadline.is_some() => {
                task.release_committed();
                task.fail_timed_out();
            }
            // Due timers go before queued operations, so a busy queue cannot starve them.
            _ = tokio::time::sleep(timer_sleep.unwrap_or(Duration::ZERO)), if timer_sleep.is_some() => task.fire_timers(),
            op = ops.recv() => match op {
                Some(QueuedOp { meta, op }) => task.run_op(&meta, op),
                None => break,
            },
            changed = images.changed(), if images_open => {
                if changed.is_err() {
                    images_open = false;
                    continue;
                }
                let image = Arc::clone(&images.borrow_and_update());
                task.on_image(image);
            }
        }
        if task.reload_requested {
            task.reload_requested = false;
            task.reload().await;
        }
    }
    state.store(STATE_FAILED, Ordering::Release);
    for pending in task.pending.drain(..) {
        for deferred in pending.deferred {
            deferred.complete(Err(ResponseError::NotCoordinator.code()));
        }
    }
    tracing::info!(%tp, "group coordinator shard unloaded");
}

impl<S: CoordinatorShard> ShardTask<S> {
    /// Replays the whole partition into a fresh shard; `false` when the log cannot be read.
    async fn load(&mut self) -> bool {
        let log = Arc::clone(self.env.partition.log());
        let read_bytes_max = self.env.config.offsets_load_buffer_bytes;
        let mut shard = (self.env.new_shard)();
        let tp = self.env.partition.topic_partition().clone();
        let loaded = tokio::task::spawn_blocking(move || {
            let summary = load_log(&log, read_bytes_max, |record| shard.replay(record));
            (shard, summary)
        })
        .await;
        let (shard, summary) = match loaded {
            Ok(done) => done,
            Err(error) => {
                tracing::error!(%tp, %error, "group coordinator load task panicked");
                return false;
            }
        };
        match summary {
            Ok(summary) => {
                tracing::debug!(%tp, records = summary.records, skipped = summary.skipped, end = summary.end_offset, "replayed __consumer_offsets");
            }
            Err(error) => {
                tracing::error!(%tp, %error, "loading the group coordinator failed");
                return false;
            }
        }
        self.shard = shard;
        self.timers = Timers::default();
        let expiry_every = self.env.config.offsets_retention_check_interval_ms;
        let now = self.env.clock.now_ms();
        self.timers
            .schedule(TimerKey::OffsetsExpiry, now.saturating_add(expiry_every));
        let result = self.call(&OpMeta::default(), |shard, ctx| shard.on_loaded(ctx));
        self.apply(result);
        true
    }

    /// Runs `f` on the shard with a context for `meta` at the current time.
    fn call<R>(&mut self, meta: &OpMeta, f: impl FnOnce(&mut S, &mut OpContext<'_>) -> R) -> R {
        let mut ctx = OpContext {
            now_ms: self.env.clock.now_ms(),
            config: &self.env.config,
            image: &self.image,
            timers: &mut self.timers,
            client_id: &meta.client_id,
            client_host: &meta.client_host,
            api_version: meta.api_version,
        };
        f(&mut self.shard, &mut ctx)
    }

    fn run_op(&mut self, meta: &OpMeta, op: BoxedOp<S>) {
        let result = self.call(meta, op);
        self.apply(result);
    }

    /// Appends the records of `result` and queues its responses for release after commit.
    fn apply(&mut self, result: CoordinatorResult<()>) {
        let CoordinatorResult {
            records, deferred, ..
        } = result;
        let required_offset = if records.is_empty() {
            // Nothing to write: release at once unless earlier writes are still uncommitted.
            match self.pending.back() {
                Some(last) => last.required_offset,
                None => {
                    for d in deferred {
                        d.complete(Ok(()));
                    }
                    return;
                }
            }
        } else {
            let now = self.env.clock.now_ms();
            match append_records(&self.env.partition, &records, now, self.compression) {
                Ok(offset) => offset,
                Err(error) => {
                    self.fail_write(&error, deferred);
                    return;
                }
            }
        };
        self.pending.push_back(PendingRelease {
            required_offset,
            deferred,
            deadline: tokio::time::Instant::now() + self.commit_timeout,
        });
        self.release_committed();
    }

    /// Releases, in order, every pending response whose batch the high watermark passed.
    /// Leadership loss fails them with NOT_COORDINATOR.
    fn release_committed(&mut self) {
        while let Some(front) = self.pending.front() {
            match self.env.partition.check_acks_all(front.required_offset) {
                Ok(false) => break,
                outcome => {
                    let outcome = outcome
                        .map(|_| ())
                        .map_err(super::writer::append_error_code);
                    if let Some(done) = self.pending.pop_front() {
                        for d in done.deferred {
                            d.complete(outcome);
                        }
                    }
                }
            }
        }
    }

    /// The oldest write did not commit within `offsets.commit.timeout.ms`: fail everything
    /// pending and rebuild the shard from the log (which may or may not hold those writes).
    fn fail_timed_out(&mut self) {
        let Some(front) = self.pending.front() else {
            return;
        };
        if front.deadline > tokio::time::Instant::now() {
            return;
        }
        let code = ResponseError::CoordinatorNotAvailable.code();
        for pending in self.pending.drain(..) {
            for d in pending.deferred {
                d.complete(Err(code));
            }
        }
        self.reload_requested = true;
    }

    fn fail_write(&mut self, error: &WriteError, deferred: Vec<DeferredResponse>) {
        tracing::warn!(tp = %self.env.partition.topic_partition(), %error, "group coordinator write failed; reloading from the log");
        let code = error.code();
        for d in deferred {
            d.complete(Err(code));
        }
        // Earlier writes stay pending: they are in the log and commit (or time out) on their own.
        self.reload_requested = true;
    }

    /// Rebuilds the shard from the log after a failed write. If even that fails the shard
    /// keeps serving its in-memory state; the next leadership change reloads it.
    async fn reload(&mut self) {
        if !self.load().await {
            tracing::error!(tp = %self.env.partition.topic_partition(), "reloading the group coordinator failed");
        }
    }

    fn timer_sleep(&self) -> Option<Duration> {
        let deadline = self.timers.next_deadline()?;
        let now = self.env.clock.now_ms();
        Some(Duration::from_millis(
            deadline.saturating_sub(now).max(0) as u64
        ))
    }

    fn fire_timers(&mut self) {
        let now = self.env.clock.now_ms();
        for key in self.timers.pop_expired(now) {
            if key == TimerKey::OffsetsExpiry {
                let every = self.env.config.offsets_retention_check_interval_ms;
                self.timers
                    .schedule(TimerKey::OffsetsExpiry, now.saturating_add(every));
            }
            let result = self.call(&OpMeta::default(), |shard, ctx| shard.on_timer(ctx, &key));
            self.apply(result);
        }
    }

    fn on_image(&mut self, image: Arc<MetadataImage>) {
        let fingerprint = topics_fingerprint(&image);
        self.image = image;
        if fingerprint == self.topics_fingerprint {
            return;
        }
        self.topics_fingerprint = fingerprint;
        let result = self.call(&OpMeta::default(), |shard, ctx| {
            shard.on_metadata_image(ctx)
        });
        self.apply(result);
    }
}

/// A digest of topic names, ids and partition counts: consumer groups care only when these change.
fn topics_fingerprint(image: &MetadataImage) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for (name, topic) in &image.topics.by_name {
        name.hash(&mut hasher);
        topic.id.hash(&mut hasher);
        topic.partitions.len().hash(&mut hasher);
    }
    hasher.finish()
}
