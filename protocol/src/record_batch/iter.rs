use super::{BatchError, RecordBatchView};

/// Iterates over concatenated v2 batches (a segment file slice, a produce or fetch payload).
///
/// Yields each batch as a [`RecordBatchView`] (CRC not checked). The first error ends the
/// iteration: a short tail yields [`BatchError::Truncated`] with the byte position where the
/// incomplete batch starts. Fetch responses legitimately end in a partial batch, so callers
/// decide whether a truncated tail is an error.
#[derive(Debug, Clone)]
pub struct BatchIter<'a> {
    buf: &'a [u8],
    position: usize,
    done: bool,
}

/// Iterates over the batches in `buf`.
pub fn batches(buf: &[u8]) -> BatchIter<'_> {
    BatchIter {
        buf,
        position: 0,
        done: false,
    }
}

impl<'a> BatchIter<'a> {
    /// Byte position of the next batch to be read (the end of the valid prefix once exhausted
    /// without error).
    pub fn position(&self) -> usize {
        self.position
    }
}

impl<'a> Iterator for BatchIter<'a> {
    type Item = Result<RecordBatchView<'a>, BatchError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.position >= self.buf.len() {
            return None;
        }
        match RecordBatchView::parse_at(&self.buf[self.position..], self.position) {
            Ok(view) => {
                self.position += view.size_bytes();
                Some(Ok(view))
            }
            Err(err) => {
                self.done = true;
                Some(Err(err))
            }
        }
    }
}

impl std::iter::FusedIterator for BatchIter<'_> {}
