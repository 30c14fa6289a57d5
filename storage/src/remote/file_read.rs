//! Ranged reads of `file://` objects straight from the file: one positional read into a
//! recycled, uninitialized buffer (`LocalFileSystem::get_range` zero-fills its buffer before
//! reading: a second pass over every byte, and the first touch of fresh pages, which made a cold
//! catch-up read of a `file://` tier run at a fraction of a local read).

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;

use crate::remote::config::RemoteLogConfig;

/// Recycles the buffers of `file://` ranged reads: a chunk's buffer returns here when the cache
/// evicts it and the last response slice of it is dropped, and the next read fills it again.
/// A fresh buffer costs a page fault and a kernel zero-fill per 4 KiB page on first touch,
/// which profiled at ~15% of a cold catch-up read. Bounded: the free buffers' capacity stays
/// ≤ `bytes_max` (`remote.log.read.ahead.chunks` + 4 chunks: what one sequential reader frees
/// while the next chunks are being read); more are freed.
#[derive(Debug)]
pub(crate) struct BufferPool {
    free: parking_lot::Mutex<Vec<Vec<u8>>>,
    bytes_max: usize,
}

impl BufferPool {
    pub(crate) fn new(bytes_max: usize) -> Self {
        Self {
            free: parking_lot::Mutex::new(Vec::new()),
            bytes_max,
        }
    }

    pub(crate) fn for_config(config: &RemoteLogConfig) -> Self {
        let chunks = (config.read_ahead_chunks as u64 + 4).saturating_mul(config.chunk_bytes);
        Self::new(usize::try_from(chunks).unwrap_or(usize::MAX))
    }

    /// An empty buffer with room for at least `len` bytes.
    fn take(&self, len: usize) -> Vec<u8> {
        let recycled = self.free.lock().pop();
        match recycled {
            Some(mut buf) => {
                buf.clear();
                buf.reserve(len);
                buf
            }
            None => Vec::with_capacity(len),
        }
    }

    fn give_back(&self, buf: Vec<u8>) {
        let mut free = self.free.lock();
        let kept: usize = free.iter().map(Vec::capacity).sum();
        if kept.saturating_add(buf.capacity()) <= self.bytes_max {
            free.push(buf);
        }
    }
}

/// A read buffer that returns to its pool when the last `Bytes` over it is dropped.
struct PooledBuffer {
    buf: Vec<u8>,
    pool: Arc<BufferPool>,
}

impl AsRef<[u8]> for PooledBuffer {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl Drop for PooledBuffer {
    fn drop(&mut self) {
        self.pool.give_back(std::mem::take(&mut self.buf));
    }
}

/// Bytes `range` of the file at `path`, read into a pooled buffer's spare capacity
/// (`read_to_end` on a `File` does not zero it first). Short when the file is.
pub(crate) fn read_file_range(
    path: &std::path::Path,
    range: Range<u64>,
    pool: Arc<BufferPool>,
) -> object_store::Result<Bytes> {
    use std::io::{Read, Seek, SeekFrom};
    let io_error = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::NotFound {
            object_store::Error::NotFound {
                path: path.display().to_string(),
                source: Box::new(source),
            }
        } else {
            object_store::Error::Generic {
                store: "LocalFileSystem",
                source: Box::new(source),
            }
        }
    };
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    file.seek(SeekFrom::Start(range.start)).map_err(io_error)?;
    let len = range.end.saturating_sub(range.start);
    let mut buf = pool.take(len as usize);
    let read = file.take(len).read_to_end(&mut buf);
    if let Err(err) = read {
        pool.give_back(buf);
        return Err(io_error(err));
    }
    Ok(Bytes::from_owner(PooledBuffer { buf, pool }))
}
