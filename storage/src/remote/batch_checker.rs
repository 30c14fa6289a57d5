//! CRC checks of record batches over a ranged GET's pieces as they arrive (the remote
//! reader's fetch path): a chunk reaches the cache with the range of batches already known
//! good, so a read-ahead chunk is checked off the consumer's path and a cached one is not
//! checked again.

use std::ops::Range;

use bytes::{Bytes, BytesMut};
use strata_protocol::record_batch::{RecordBatchView, LOG_OVERHEAD, RECORD_BATCH_OVERHEAD};

/// Checks batch CRCs over the consecutive pieces of one ranged GET as they arrive, starting at
/// a known batch start. A batch that crosses from one piece into the next is checked when the
/// next arrives (its head is carried over: at most one batch is copied per piece). Checking
/// stops for good at a batch that is malformed or fails its CRC; the reader checks that one
/// itself and reports it when it is served.
#[derive(Debug)]
pub(crate) struct BatchChecker {
    /// Where checking started (a batch start), or `None` when nothing is checked.
    from: Option<u64>,
    /// The end of the last good batch.
    good_end: u64,
    /// The next batch to check; `None` once checking stopped.
    next: Option<u64>,
    /// Bytes from `next` to the end of the last piece, when that batch crosses into the next.
    carry: Option<Bytes>,
}

impl BatchChecker {
    pub(crate) fn new(first_batch: Option<u64>) -> Self {
        Self {
            from: first_batch,
            good_end: first_batch.unwrap_or(0),
            next: first_batch,
            carry: None,
        }
    }

    /// Checks what `piece` (at segment position `piece_start`, right after the previous piece)
    /// completes; returns the segment range of batches known good so far.
    pub(crate) fn check(&mut self, piece: &Bytes, piece_start: u64) -> Range<u64> {
        self.advance(piece, piece_start);
        match self.from {
            Some(from) => from..self.good_end,
            None => 0..0,
        }
    }

    fn advance(&mut self, piece: &Bytes, piece_start: u64) {
        let Some(next) = self.next else { return };
        let piece_end = piece_start + piece.len() as u64;
        let mut position = next;
        if let Some(carry) = self.carry.take() {
            let mut joined = BytesMut::with_capacity(carry.len() + piece.len());
            joined.extend_from_slice(&carry);
            let size = match batch_size(&joined, piece) {
                BatchSize::Known(size) => size,
                BatchSize::NeedMore => {
                    joined.extend_from_slice(piece);
                    self.carry = Some(joined.freeze());
                    return;
                }
                BatchSize::Malformed => return self.stop(),
            };
            let from_piece = size - carry.len();
            if from_piece > piece.len() {
                joined.extend_from_slice(piece);
                self.carry = Some(joined.freeze());
                return;
            }
            joined.extend_from_slice(&piece[..from_piece]);
            if !batch_is_good(&joined) {
                return self.stop();
            }
            position += size as u64;
            self.good_end = position;
        }
        if position < piece_start || position >= piece_end {
            self.next = Some(position);
            return;
        }
        let mut at = (position - piece_start) as usize;
        while at < piece.len() {
            let rest = &piece[at..];
            let size = match batch_size(rest, &[]) {
                BatchSize::Known(size) if size <= rest.len() => size,
                BatchSize::Known(_) | BatchSize::NeedMore => {
                    self.carry = Some(piece.slice(at..));
                    break;
                }
                BatchSize::Malformed => return self.stop(),
            };
            if !batch_is_good(&rest[..size]) {
                return self.stop();
            }
            at += size;
            self.good_end = piece_start + at as u64;
        }
        self.next = Some(piece_start + at as u64);
    }

    fn stop(&mut self) {
        self.next = None;
        self.carry = None;
    }
}

enum BatchSize {
    Known(usize),
    NeedMore,
    Malformed,
}

/// The size of the batch starting at `head` (continued by `more` when `head` is too short to
/// hold its length field).
fn batch_size(head: &[u8], more: &[u8]) -> BatchSize {
    let mut field = [0u8; LOG_OVERHEAD];
    let from_head = head.len().min(LOG_OVERHEAD);
    field[..from_head].copy_from_slice(&head[..from_head]);
    let from_more = (LOG_OVERHEAD - from_head).min(more.len());
    field[from_head..from_head + from_more].copy_from_slice(&more[..from_more]);
    if from_head + from_more < LOG_OVERHEAD {
        return BatchSize::NeedMore;
    }
    let length = i32::from_be_bytes([field[8], field[9], field[10], field[11]]);
    match usize::try_from(length) {
        Ok(length) if LOG_OVERHEAD + length >= RECORD_BATCH_OVERHEAD => {
            BatchSize::Known(LOG_OVERHEAD + length)
        }
        _ => BatchSize::Malformed,
    }
}

fn batch_is_good(batch: &[u8]) -> bool {
    RecordBatchView::parse(batch)
        .is_ok_and(|view| view.size_bytes() == batch.len() && view.verify_crc().is_ok())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use strata_protocol::record_batch::{Compression, RecordBatchBuilder};

    use super::*;

    /// Batches of varied sizes, back to back, as a segment holds them.
    fn segment_bytes(sizes: &[usize]) -> (Vec<u8>, Vec<u64>) {
        let mut out = Vec::new();
        let mut starts = Vec::new();
        for (n, &size) in sizes.iter().enumerate() {
            let mut builder = RecordBatchBuilder::new(n as i64, Compression::None);
            builder.append(1000, None, Some(&vec![n as u8; size]), &[]);
            starts.push(out.len() as u64);
            out.extend_from_slice(&builder.build().expect("build"));
        }
        (out, starts)
    }

    /// Feeds `bytes` to a checker in pieces cut at `cuts`; returns each piece's verified range.
    fn check_in_pieces(bytes: &[u8], cuts: &[usize], first: Option<u64>) -> Vec<Range<u64>> {
        let mut checker = BatchChecker::new(first);
        let mut bounds: Vec<usize> = cuts.iter().copied().filter(|&c| c < bytes.len()).collect();
        bounds.sort_unstable();
        bounds.dedup();
        bounds.push(bytes.len());
        let mut start = 0;
        let mut out = Vec::new();
        for end in bounds {
            if end <= start {
                continue;
            }
            let piece = Bytes::copy_from_slice(&bytes[start..end]);
            out.push(checker.check(&piece, start as u64));
            start = end;
        }
        out
    }

    proptest! {
        #[test]
        fn every_batch_is_checked_wherever_the_pieces_are_cut(
            sizes in prop::collection::vec(0usize..300, 1..20),
            cuts in prop::collection::vec(0usize..6000, 0..12),
        ) {
            let (bytes, _) = segment_bytes(&sizes);
            let ranges = check_in_pieces(&bytes, &cuts, Some(0));
            prop_assert_eq!(ranges.last().cloned(), Some(0..bytes.len() as u64));
            for pair in ranges.windows(2) {
                prop_assert!(pair[0].end <= pair[1].end, "grows monotonically: {:?}", ranges);
            }
        }

        #[test]
        fn checking_stops_at_the_first_bad_batch(
            sizes in prop::collection::vec(0usize..300, 2..20),
            cuts in prop::collection::vec(0usize..6000, 0..12),
            victim_seed in any::<prop::sample::Index>(),
        ) {
            let (mut bytes, starts) = segment_bytes(&sizes);
            let victim = victim_seed.index(sizes.len());
            let victim_end = starts.get(victim + 1).copied().unwrap_or(bytes.len() as u64);
            bytes[victim_end as usize - 1] ^= 0x5a; // inside the batch: its CRC fails
            let ranges = check_in_pieces(&bytes, &cuts, Some(0));
            let good = 0..starts[victim];
            prop_assert!(ranges.iter().all(|r| r.end <= good.end), "{:?} past {:?}", ranges, good);
            prop_assert_eq!(ranges.last().cloned(), Some(good));
        }
    }

    #[test]
    fn without_a_known_batch_start_nothing_is_checked() {
        let (bytes, _) = segment_bytes(&[10, 20, 30]);
        assert_eq!(check_in_pieces(&bytes, &[50], None), vec![0..0, 0..0]);
    }

    #[test]
    fn checking_from_a_later_batch_start_covers_only_what_follows_it() {
        let (bytes, starts) = segment_bytes(&[10, 20, 30, 40]);
        let ranges = check_in_pieces(&bytes[..], &[starts[1] as usize + 3], Some(starts[2]));
        assert_eq!(ranges.last().cloned(), Some(starts[2]..bytes.len() as u64));
    }
}
