//! The remote reader: serves offsets below the local log start from the bucket (Kafka's
//! `RemoteLogManager.read`). The segment holding the offset is found in the manifest, the batch
//! position through its remote offset index (cached whole, checked against its CRC32C), and the
//! bytes through ranged GETs of fixed-size chunks kept in a bounded LRU cache. A sequential
//! reader gets the next chunks fetched ahead in the background. Every batch served has its
//! CRC checked; a bad one is reported as [`RemoteError::CorruptObject`] and never returned.

use std::ops::Range;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use strata_protocol::record_batch::{RecordBatchView, LOG_OVERHEAD, RECORD_BATCH_OVERHEAD};

use crate::batch_header::BatchHeader;
use crate::log::MAX_TIMESTAMP;
use crate::remote::batch_checker::BatchChecker;
use crate::remote::cache::{Cached, Claim, Lookup};
use crate::remote::error::RemoteError;
use crate::remote::manager::TierContext;
use crate::remote::manifest::RemoteSegmentMetadata;
use crate::remote::partition::RemotePartition;
use crate::remote::stats::PartitionCounters;
use crate::segment::{first_record_at_or_after, TimestampOffset};

/// A fetched chunk of a segment's `.log`. `verified` (byte positions in the segment) covers the
/// whole batches whose CRCs were checked when the chunk was fetched (on the blocking pool, so a
/// read-ahead chunk is checked off the consumer's path and a cached one is not checked again);
/// chunks fetched by one ranged GET share the range checked over all of them, so a batch that
/// crosses from one into the next counts as checked. The reader checks every other batch it
/// serves.
#[derive(Debug, Clone)]
pub(crate) struct Chunk {
    bytes: Bytes,
    verified: Range<u64>,
}

impl Cached for Chunk {
    fn size_bytes(&self) -> u64 {
        self.bytes.len() as u64
    }
}

/// Absolute byte ranges of a segment whose batches are known to have good CRCs.
type Verified = Vec<Range<u64>>;

/// Decrements the pending-read count when a read ends, however it ends.
struct PendingRead<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for PendingRead<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl RemotePartition {
    /// Whole batches from the one containing `fetch_offset`, within one remote segment, up to
    /// `max_bytes` (a larger first batch only with `min_one_message`; otherwise empty). At most
    /// `remote.log.reader.threads` reads run at once; more than
    /// `remote.log.reader.max.pending.tasks` waiting is [`RemoteError::ReaderBusy`].
    /// An offset outside the committed tiered range or below the log start is
    /// [`RemoteError::OffsetOutOfRange`].
    pub async fn read(
        &self,
        fetch_offset: i64,
        max_bytes: usize,
        min_one_message: bool,
    ) -> Result<Bytes, RemoteError> {
        let ctx = &self.ctx;
        let pending = ctx.pending_reads.fetch_add(1, Ordering::AcqRel) + 1;
        let _pending = PendingRead(&ctx.pending_reads);
        let max_pending = ctx.config.reader_threads + ctx.config.reader_max_pending_tasks;
        if pending > max_pending {
            return Err(RemoteError::ReaderBusy {
                pending,
                max: max_pending,
            });
        }
        let _permit = ctx
            .readers
            .acquire()
            .await
            .expect("the reader semaphore is never closed");
        let manifest = self.manifest();
        let log_start = self.log.log_start_offset();
        let segment = match manifest.segment_for(fetch_offset) {
            Some(segment) if fetch_offset >= log_start => segment.clone(),
            _ => {
                return Err(RemoteError::OffsetOutOfRange {
                    requested: fetch_offset,
                    remote_log_start: manifest.remote_log_start().max(log_start),
                    highest_tiered: manifest.highest_offset(),
                })
            }
        };
        let sequential = self.next_sequential_offset.load(Ordering::Acquire) == fetch_offset;
        let result = self
            .read_segment(&segment, fetch_offset, max_bytes, min_one_message)
            .await;
        let (bytes, end_position) = match result {
            Ok(found) => found,
            Err(err) => {
                self.count_failure(&err);
                return Err(err);
            }
        };
        if let Some(last) = last_batch_next_offset(&bytes) {
            self.set_next_sequential(last);
        }
        if sequential {
            let index = self.index_object(&segment, "index").await.ok();
            self.read_ahead(&segment, index, end_position);
        }
        Ok(bytes)
    }

    fn count_failure(&self, err: &RemoteError) {
        match err {
            RemoteError::CorruptObject { path, reason } => {
                PartitionCounters::add(&self.counters.corrupt_objects, 1);
                tracing::error!(partition = %self.log.topic_partition(), path, reason, "corrupt object in remote storage; not served");
            }
            RemoteError::Store { .. } => {
                PartitionCounters::add(&self.counters.download_errors, 1);
            }
            _ => {}
        }
    }

    /// Reads from one segment; returns the batches and the byte position after them.
    async fn read_segment(
        &self,
        segment: &RemoteSegmentMetadata,
        fetch_offset: i64,
        max_bytes: usize,
        min_one_message: bool,
    ) -> Result<(Bytes, u64), RemoteError> {
        let size = segment.size_bytes;
        let mut position = self.index_position(segment, fetch_offset).await?;
        // Find the batch containing fetch_offset.
        loop {
            if position >= size {
                return Err(self.corrupt(
                    segment,
                    format!("offset {fetch_offset} not found before the segment end"),
                ));
            }
            let header = self.batch_header(segment, position).await?;
            if header.last_offset() >= fetch_offset {
                break;
            }
            position += header.size_bytes();
        }
        // Take whole batches up to max_bytes.
        let start = position;
        let mut end = position;
        while end < size {
            let header = self.batch_header(segment, end).await?;
            let next_end = end + header.size_bytes();
            if next_end > size {
                return Err(
                    self.corrupt(segment, format!("batch at {end} runs past the segment end"))
                );
            }
            let first = end == start;
            if next_end - start > max_bytes as u64 && !(first && min_one_message) {
                break;
            }
            end = next_end;
        }
        if end == start {
            return Ok((Bytes::new(), start));
        }
        let (bytes, verified) = self.read_range(segment, start, end).await?;
        let mut position = 0usize;
        while position < bytes.len() {
            let view = RecordBatchView::parse(&bytes[position..]).map_err(|e| {
                self.corrupt(
                    segment,
                    format!("batch at {}: {e}", start as usize + position),
                )
            })?;
            let batch_start = start + position as u64;
            let batch_end = batch_start + view.size_bytes() as u64;
            let checked = verified
                .iter()
                .any(|r| r.start <= batch_start && batch_end <= r.end);
            if !checked {
                view.verify_crc().map_err(|e| {
                    self.corrupt(
                        segment,
                        format!("batch at offset {}: {e}", view.base_offset()),
                    )
                })?;
            }
            position += view.size_bytes();
        }
        Ok((bytes, end))
    }

    fn corrupt(&self, segment: &RemoteSegmentMetadata, reason: String) -> RemoteError {
        RemoteError::CorruptObject {
            path: self
                .ctx
                .store
                .path(&segment.object_key(&self.dir, "log"))
                .to_string(),
            reason,
        }
    }

    /// The header of the batch at `position` (through the chunk cache).
    async fn batch_header(
        &self,
        segment: &RemoteSegmentMetadata,
        position: u64,
    ) -> Result<BatchHeader, RemoteError> {
        let end = (position + RECORD_BATCH_OVERHEAD as u64).min(segment.size_bytes);
        if end - position < LOG_OVERHEAD as u64 {
            return Err(self.corrupt(segment, format!("truncated batch header at {position}")));
        }
        let (bytes, _) = self.read_range(segment, position, end).await?;
        BatchHeader::decode(&bytes).map_err(|reason| {
            self.corrupt(segment, format!("batch header at {position}: {reason}"))
        })
    }

    /// The byte position to scan from for `offset`: the greatest offset-index entry ≤ it.
    async fn index_position(
        &self,
        segment: &RemoteSegmentMetadata,
        offset: i64,
    ) -> Result<u64, RemoteError> {
        let index = self.index_object(segment, "index").await?;
        let entries = index.len() / 8;
        let entry = |n: usize| {
            let e = &index[n * 8..n * 8 + 8];
            let relative = i32::from_be_bytes([e[0], e[1], e[2], e[3]]);
            let position = u32::from_be_bytes([e[4], e[5], e[6], e[7]]);
            (
                segment.base_offset + i64::from(relative),
                u64::from(position),
            )
        };
        // Entry offsets are batch LAST offsets at the batch's start position (Kafka's): the batch
        // at the greatest entry ≤ offset ends at or before it, so scanning from there finds it.
        let (mut lo, mut hi) = (0usize, entries);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if entry(mid).0 <= offset {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(if lo == 0 { 0 } else { entry(lo - 1).1 })
    }

    /// A whole index object (`index`, `timeindex`), cached, checked against its CRC32C.
    pub(crate) async fn index_object(
        &self,
        segment: &RemoteSegmentMetadata,
        kind: &str,
    ) -> Result<Bytes, RemoteError> {
        let key = segment.object_key(&self.dir, kind);
        let info = segment.objects.get(kind).copied();
        let store = &self.ctx.store;
        let counters = &self.counters;
        let (bytes, lookup) = self
            .ctx
            .index_cache
            .get_or_fetch((key.clone(), 0), || async {
                let bytes = store.get(&key).await?;
                PartitionCounters::add(&counters.download_bytes, bytes.len() as u64);
                if let Some(info) = info {
                    let actual = crc32c::crc32c(&bytes);
                    if actual != info.crc32c || bytes.len() as u64 != info.bytes {
                        return Err(RemoteError::CorruptObject {
                            path: store.path(&key).to_string(),
                            reason: format!(
                                "{} bytes with CRC32C {actual:#010x}, manifest says {} bytes with {:#010x}",
                                bytes.len(),
                                info.bytes,
                                info.crc32c
                            ),
                        });
                    }
                }
                Ok(bytes)
            })
            .await?;
        self.count_lookup(lookup);
        Ok(bytes)
    }

    /// A hit is served from the cache without waiting for the store; joining a GET under way
    /// (read-ahead not done yet) waits, so it counts as a miss.
    fn count_lookup(&self, lookup: Lookup) {
        match lookup {
            Lookup::Hit => PartitionCounters::add(&self.counters.cache_hits, 1),
            Lookup::Joined | Lookup::Miss => PartitionCounters::add(&self.counters.cache_misses, 1),
        }
    }

    /// Bytes `[start, end)` of the segment's `.log`, assembled from cached chunks (a slice of
    /// one chunk when the range lies in one), with the absolute ranges whose batch CRCs were
    /// checked when their chunks were fetched.
    async fn read_range(
        &self,
        segment: &RemoteSegmentMetadata,
        start: u64,
        end: u64,
    ) -> Result<(Bytes, Verified), RemoteError> {
        let chunk_bytes = self.ctx.config.chunk_bytes;
        let key = segment.object_key(&self.dir, "log");
        let (first, last) = (start / chunk_bytes, (end - 1) / chunk_bytes);
        if first == last {
            let chunk = self.chunk(segment, &key, first).await?;
            let base = first * chunk_bytes;
            let bytes = slice(&chunk.bytes, start - base, end - base, || {
                self.corrupt(segment, "short chunk".into())
            })?;
            return Ok((bytes, vec![chunk.verified]));
        }
        let mut out = BytesMut::with_capacity((end - start) as usize);
        let mut verified = Vec::with_capacity((last - first + 1) as usize);
        for n in first..=last {
            let chunk = self.chunk(segment, &key, n).await?;
            let base = n * chunk_bytes;
            let from = start.max(base) - base;
            let to = end.min(base + chunk_bytes) - base;
            out.extend_from_slice(&slice(&chunk.bytes, from, to, || {
                self.corrupt(segment, "short chunk".into())
            })?);
            if verified.last() != Some(&chunk.verified) {
                verified.push(chunk.verified);
            }
        }
        Ok((out.freeze(), verified))
    }

    /// Chunk `n` of the segment's `.log` (through the cache; a miss is one ranged GET).
    async fn chunk(
        &self,
        segment: &RemoteSegmentMetadata,
        key: &str,
        n: u64,
    ) -> Result<Chunk, RemoteError> {
        let cache_key = (key.to_string(), n);
        if let Some(chunk) = self.ctx.chunk_cache.get(&cache_key) {
            self.count_lookup(Lookup::Hit);
            return Ok(chunk);
        }
        let index = if n == 0 {
            None
        } else {
            self.index_object(segment, "index").await.ok()
        };
        let ctx = &self.ctx;
        let (chunk, lookup) = ctx
            .chunk_cache
            .get_or_fetch(cache_key, || async {
                let mut fetched = None;
                fetch_chunks(
                    ctx,
                    &self.counters,
                    key,
                    segment.size_bytes,
                    n..n + 1,
                    index.as_ref(),
                    |chunk| fetched = Some(chunk),
                )
                .await?;
                Ok(fetched.unwrap_or_else(|| Chunk {
                    bytes: Bytes::new(),
                    verified: 0..0,
                }))
            })
            .await?;
        self.count_lookup(lookup);
        Ok(chunk)
    }

    /// Fetches, in the background, the chunk holding `position` and the
    /// `remote.log.read.ahead.chunks` chunks after it, continuing into the next remote segments
    /// (a catch-up consumer crosses segments without waiting for a cold GET). Chunks are fetched
    /// in aligned blocks of `remote.log.read.ahead.request.bytes`: a block the window reaches is
    /// fetched whole, its missing chunks by one ranged GET each run, so a sequential reader
    /// costs one GET per block rather than one per chunk (an S3 server's cost is mostly per
    /// request; AWS advises 8–16 MiB ranges). A `file://` store reads chunk by chunk, in
    /// parallel (see [`crate::remote::RemoteStore`]'s `coalesces_reads`).
    fn read_ahead(&self, segment: &RemoteSegmentMetadata, index: Option<Bytes>, position: u64) {
        let config = &self.ctx.config;
        let chunk_bytes = config.chunk_bytes;
        let per_request = if self.ctx.store.coalesces_reads() {
            (config.read_ahead_request_bytes / chunk_bytes).max(1)
        } else {
            1
        };
        let mut budget = config.read_ahead_chunks as u64 + 1;
        let manifest = self.manifest();
        let mut current = Some(segment.clone());
        let mut first = position / chunk_bytes;
        let mut index = index;
        while let Some(segment) = current.take() {
            let key = segment.object_key(&self.dir, "log");
            let last_chunk = segment.size_bytes.saturating_sub(1) / chunk_bytes;
            let mut n = first;
            while n <= last_chunk && budget > 0 {
                let block_end = ((n / per_request + 1) * per_request).min(last_chunk + 1);
                budget = budget.saturating_sub(block_end - n);
                let mut run: Vec<Claim<Chunk>> = Vec::new();
                for m in n..block_end {
                    match self.ctx.chunk_cache.claim(&(key.clone(), m)) {
                        Some(claim) => run.push(claim),
                        None if run.is_empty() => {}
                        None => {
                            if !self.spawn_run(&key, &segment, &index, std::mem::take(&mut run)) {
                                return;
                            }
                        }
                    }
                }
                if !run.is_empty() && !self.spawn_run(&key, &segment, &index, run) {
                    return;
                }
                n = block_end;
            }
            if budget > 0 {
                current = manifest.segment_for(segment.end_offset + 1).cloned();
                first = 0;
                // Chunk 0 starts at a batch; later chunks of the next segment are not reached.
                index = None;
            }
        }
    }

    /// Fetches the claimed contiguous chunks `run` of `segment` in the background with one
    /// ranged GET, filling each claim as soon as its chunk has arrived (a failure drops the
    /// claims not filled yet: their readers then fetch for themselves). False, with the claims
    /// dropped, when the node's read-ahead limit (`manager::read_ahead_chunks_max`) has no room.
    fn spawn_run(
        &self,
        key: &str,
        segment: &RemoteSegmentMetadata,
        index: &Option<Bytes>,
        run: Vec<Claim<Chunk>>,
    ) -> bool {
        let (Some(first), Some(last)) = (run.first(), run.last()) else {
            return true;
        };
        let chunks = first.key().1..last.key().1 + 1;
        let Ok(room) = Arc::clone(&self.ctx.read_ahead_in_flight)
            .try_acquire_many_owned(u32::try_from(run.len()).unwrap_or(u32::MAX))
        else {
            return false;
        };
        let ctx = Arc::clone(&self.ctx);
        let counters = Arc::clone(&self.counters);
        let key = key.to_string();
        let size = segment.size_bytes;
        let index = index.clone();
        tokio::spawn(async move {
            let mut claims = run.into_iter();
            let fetched = fetch_chunks(
                &ctx,
                &counters,
                &key,
                size,
                chunks.clone(),
                index.as_ref(),
                |chunk| {
                    if let Some(claim) = claims.next() {
                        claim.fill(&ctx.chunk_cache, chunk);
                    }
                },
            )
            .await;
            if let Err(err) = fetched {
                tracing::debug!(key, ?chunks, error = %err, "read-ahead failed");
            }
            drop(room);
        });
        true
    }

    /// ListOffsets over both tiers: a timestamp ≥ 0 gives the first record with a timestamp at
    /// or after it (remote time indexes first, then the local log); -3 (max timestamp) compares
    /// the remote and local maxima; every other special value is the log's answer.
    pub async fn fetch_offset_by_timestamp(
        &self,
        timestamp: i64,
    ) -> Result<Option<TimestampOffset>, RemoteError> {
        if timestamp >= 0 {
            if let Some(found) = self.remote_offset_for_timestamp(timestamp).await? {
                return Ok(Some(found));
            }
            return Ok(self.log.fetch_offset_by_timestamp(timestamp)?);
        }
        if timestamp == MAX_TIMESTAMP {
            let local = self.log.fetch_offset_by_timestamp(MAX_TIMESTAMP)?;
            let manifest = self.manifest();
            let log_start = self.log.log_start_offset();
            let best = manifest
                .committed()
                .filter(|s| s.end_offset >= log_start && s.max_timestamp_ms >= 0)
                .fold(None::<&RemoteSegmentMetadata>, |best, s| match best {
                    Some(b) if b.max_timestamp_ms >= s.max_timestamp_ms => Some(b),
                    _ => Some(s),
                })
                .cloned();
            let Some(best) = best else { return Ok(local) };
            if local.is_some_and(|l| l.timestamp > best.max_timestamp_ms) {
                return Ok(local);
            }
            return match self
                .offset_in_segment(&best, best.max_timestamp_ms, log_start)
                .await?
            {
                Some(found) => Ok(Some(found)),
                None => Ok(local),
            };
        }
        Ok(self.log.fetch_offset_by_timestamp(timestamp)?)
    }

    /// The first tiered record with timestamp ≥ `timestamp`, via the remote time indexes.
    async fn remote_offset_for_timestamp(
        &self,
        timestamp: i64,
    ) -> Result<Option<TimestampOffset>, RemoteError> {
        let manifest = self.manifest();
        let log_start = self.log.log_start_offset();
        for segment in manifest.committed() {
            if segment.end_offset < log_start || segment.max_timestamp_ms < timestamp {
                continue;
            }
            if let Some(found) = self
                .offset_in_segment(segment, timestamp, log_start)
                .await?
            {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// Kafka's `LogSegment.findOffsetByTimestamp` over a remote segment.
    async fn offset_in_segment(
        &self,
        segment: &RemoteSegmentMetadata,
        timestamp: i64,
        starting_offset: i64,
    ) -> Result<Option<TimestampOffset>, RemoteError> {
        let time_index = self.index_object(segment, "timeindex").await?;
        // Greatest entry with timestamp < target: the record we want comes after its offset's batch start.
        let mut from_offset = segment.base_offset;
        for entry in time_index.chunks_exact(12) {
            let ts = i64::from_be_bytes(entry[..8].try_into().expect("8 bytes"));
            let relative = i32::from_be_bytes(entry[8..].try_into().expect("4 bytes"));
            if ts < timestamp {
                from_offset = segment.base_offset + i64::from(relative);
            } else {
                break;
            }
        }
        let from_offset = from_offset.max(starting_offset).min(segment.end_offset);
        let mut position = self.index_position(segment, from_offset).await?;
        while position < segment.size_bytes {
            let header = self.batch_header(segment, position).await?;
            let end = position + header.size_bytes();
            if header.max_timestamp >= timestamp && header.last_offset() >= starting_offset {
                let (bytes, _) = self.read_range(segment, position, end).await?;
                let view = RecordBatchView::parse(&bytes)
                    .map_err(|e| self.corrupt(segment, format!("batch at {position}: {e}")))?;
                view.verify_crc()
                    .map_err(|e| self.corrupt(segment, format!("batch at {position}: {e}")))?;
                if let Some(found) =
                    first_record_at_or_after(&bytes, &header, timestamp, starting_offset)
                        .map_err(|reason| self.corrupt(segment, reason))?
                {
                    return Ok(Some(found));
                }
            }
            position = end;
        }
        Ok(None)
    }
}

/// Chunks `chunks` of `key` (an object of `object_bytes`) by one ranged GET, charging the fetch
/// quota; each chunk goes to `deliver`, in order, as soon as its bytes have arrived and
/// been checked. The CRCs of the batches are checked on the blocking pool as the chunks arrive
/// (see [`BatchChecker`]), from the first batch start in the range: 0 for chunk 0, else the
/// first offset-index entry (`index`, the segment's `.index` object) at or after the range
/// start; without one nothing is checked here.
async fn fetch_chunks(
    ctx: &TierContext,
    counters: &PartitionCounters,
    key: &str,
    object_bytes: u64,
    chunks: Range<u64>,
    index: Option<&Bytes>,
    mut deliver: impl FnMut(Chunk),
) -> Result<(), RemoteError> {
    let chunk_bytes = ctx.config.chunk_bytes;
    let start = chunks.start * chunk_bytes;
    let end = (chunks.end * chunk_bytes).min(object_bytes);
    let first_batch = if chunks.start == 0 {
        Some(0)
    } else {
        index.and_then(|index| first_index_position_at_or_after(index, start))
    };
    ctx.fetch_quota.acquire(end - start).await;
    let mut body = ctx.store.open_range(key, start..end).await?;
    let mut checker = BatchChecker::new(first_batch.filter(|&first| first < end));
    let mut n = chunks.start;
    let mut position = start;
    while n < chunks.end {
        let Some(bytes) = body.next_piece(chunk_bytes as usize).await? else {
            break;
        };
        PartitionCounters::add(&counters.download_bytes, bytes.len() as u64);
        let piece = bytes.clone();
        let (returned, verified) = tokio::task::spawn_blocking(move || {
            let verified = checker.check(&piece, position);
            (checker, verified)
        })
        .await
        .map_err(|e| {
            RemoteError::Log(crate::error::LogError::io(
                "remote batch check task",
                std::io::Error::other(e),
            ))
        })?;
        checker = returned;
        position += bytes.len() as u64;
        deliver(Chunk { bytes, verified });
        n += 1;
    }
    Ok(())
}

/// The byte position of the first offset-index entry at or after `position` (entries are
/// batch starts, in position order).
fn first_index_position_at_or_after(index: &[u8], position: u64) -> Option<u64> {
    let entry_position = |n: usize| {
        let e = &index[n * 8 + 4..n * 8 + 8];
        u64::from(u32::from_be_bytes([e[0], e[1], e[2], e[3]]))
    };
    let entries = index.len() / 8;
    let (mut lo, mut hi) = (0usize, entries);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if entry_position(mid) < position {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    (lo < entries).then(|| entry_position(lo))
}

fn slice(
    chunk: &Bytes,
    from: u64,
    to: u64,
    short: impl FnOnce() -> RemoteError,
) -> Result<Bytes, RemoteError> {
    if to as usize > chunk.len() || from > to {
        return Err(short());
    }
    Ok(chunk.slice(from as usize..to as usize))
}

/// The offset after the last batch in `bytes`.
fn last_batch_next_offset(bytes: &[u8]) -> Option<i64> {
    let mut position = 0usize;
    let mut next = None;
    while position < bytes.len() {
        let view = RecordBatchView::parse(&bytes[position..]).ok()?;
        next = Some(view.next_offset());
        position += view.size_bytes();
    }
    next
}
