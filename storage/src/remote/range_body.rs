//! The body of one ranged GET, handed out in consecutive pieces as its bytes arrive, so a
//! reader waiting for the first chunk of a large read-ahead request does not wait for the whole
//! request (one request per block is what an S3 server charges least for; per-chunk arrival is
//! what a sequential reader needs).
//!
//! Limit: a piece that does not arrive within the store's request timeout ends the body with an
//! error. Errors mid-body are not retried here; the caller fetches what is missing again.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::stream::BoxStream;
use futures::StreamExt;

use crate::remote::error::RemoteError;
use crate::remote::file_read::{read_file_range, BufferPool};

/// See the module docs.
pub(crate) enum RangeBody {
    /// A range of a `file://` object: each piece is one positional read.
    File {
        file: PathBuf,
        range: Range<u64>,
        path: String,
        pool: Arc<BufferPool>,
    },
    /// A response body still arriving.
    Streaming {
        body: BoxStream<'static, object_store::Result<Bytes>>,
        buffer: BytesMut,
        path: String,
        piece_timeout: Duration,
        ended: bool,
    },
}

impl std::fmt::Debug for RangeBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File { path, range, .. } => f
                .debug_struct("File")
                .field("path", path)
                .field("range", range)
                .finish(),
            Self::Streaming { path, ended, .. } => f
                .debug_struct("Streaming")
                .field("path", path)
                .field("ended", ended)
                .finish(),
        }
    }
}

impl RangeBody {
    pub(crate) fn file(
        file: PathBuf,
        range: Range<u64>,
        path: String,
        pool: Arc<BufferPool>,
    ) -> Self {
        Self::File {
            file,
            range,
            path,
            pool,
        }
    }

    pub(crate) fn streaming(
        body: BoxStream<'static, object_store::Result<Bytes>>,
        path: String,
        piece_timeout: Duration,
    ) -> Self {
        Self::Streaming {
            body,
            buffer: BytesMut::new(),
            path,
            piece_timeout,
            ended: false,
        }
    }

    /// The next `len` bytes of the body (fewer only at its end), once they have all arrived;
    /// `None` after the last byte.
    pub(crate) async fn next_piece(&mut self, len: usize) -> Result<Option<Bytes>, RemoteError> {
        match self {
            Self::File {
                file,
                range,
                path,
                pool,
            } => {
                if range.start >= range.end {
                    return Ok(None);
                }
                let piece = range.start..(range.start + len as u64).min(range.end);
                let (file, pool) = (file.clone(), Arc::clone(pool));
                let read = piece.clone();
                let bytes = tokio::task::spawn_blocking(move || read_file_range(&file, read, pool))
                    .await
                    .map_err(|e| object_store::Error::Generic {
                        store: "LocalFileSystem",
                        source: Box::new(e),
                    })
                    .and_then(|read| read)
                    .map_err(|source| RemoteError::Store {
                        operation: "get_range",
                        path: path.clone(),
                        source,
                    })?;
                // A short read is the file's end: nothing follows it.
                range.start = if (bytes.len() as u64) < piece.end - piece.start {
                    range.end
                } else {
                    piece.end
                };
                if bytes.is_empty() {
                    return Ok(None);
                }
                Ok(Some(bytes))
            }
            Self::Streaming {
                body,
                buffer,
                path,
                piece_timeout,
                ended,
            } => {
                buffer.reserve(len.saturating_sub(buffer.len()));
                while buffer.len() < len && !*ended {
                    match tokio::time::timeout(*piece_timeout, body.next()).await {
                        Ok(Some(Ok(bytes))) => buffer.extend_from_slice(&bytes),
                        Ok(None) => *ended = true,
                        Ok(Some(Err(source))) => {
                            return Err(RemoteError::Store {
                                operation: "get_range body",
                                path: path.clone(),
                                source,
                            })
                        }
                        Err(_) => {
                            return Err(RemoteError::Store {
                                operation: "get_range body",
                                path: path.clone(),
                                source: object_store::Error::Generic {
                                    store: "strata",
                                    source: format!(
                                        "no bytes for {piece_timeout:?} in the middle of a response"
                                    )
                                    .into(),
                                },
                            })
                        }
                    }
                }
                if buffer.is_empty() {
                    return Ok(None);
                }
                let take = len.min(buffer.len());
                Ok(Some(buffer.split_to(take).freeze()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_streamed_body_is_cut_into_pieces_of_the_asked_size_whatever_its_frames() {
        let frames: Vec<object_store::Result<Bytes>> = [3usize, 5, 1, 7, 4]
            .iter()
            .scan(0u8, |next, &n| {
                let frame: Vec<u8> = (0..n)
                    .map(|_| {
                        *next += 1;
                        *next
                    })
                    .collect();
                Some(Ok(Bytes::from(frame)))
            })
            .collect();
        let mut body = RangeBody::streaming(
            futures::stream::iter(frames).boxed(),
            "k".into(),
            Duration::from_secs(1),
        );
        let mut pieces = Vec::new();
        while let Some(piece) = body.next_piece(6).await.expect("no error") {
            pieces.push(piece.to_vec());
        }
        let lens: Vec<usize> = pieces.iter().map(Vec::len).collect();
        assert_eq!(lens, vec![6, 6, 6, 2]);
        assert_eq!(pieces.concat(), (1..=20).collect::<Vec<u8>>());
    }

    #[tokio::test]
    async fn an_error_mid_body_is_reported_after_the_pieces_before_it() {
        let frames: Vec<object_store::Result<Bytes>> = vec![
            Ok(Bytes::from_static(b"abcd")),
            Err(object_store::Error::Generic {
                store: "test",
                source: "connection reset".into(),
            }),
        ];
        let mut body = RangeBody::streaming(
            futures::stream::iter(frames).boxed(),
            "k".into(),
            Duration::from_secs(1),
        );
        assert_eq!(
            body.next_piece(4).await.expect("first piece").as_deref(),
            Some(&b"abcd"[..])
        );
        let err = body.next_piece(4).await.expect_err("reset");
        assert!(err.to_string().contains("connection reset"), "{err}");
    }

    #[tokio::test]
    async fn a_file_body_reads_piece_by_piece_and_ends_at_a_short_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("object");
        std::fs::write(&file, b"0123456789").expect("write");
        let pool = Arc::new(BufferPool::new(1 << 20));
        let mut body = RangeBody::file(file, 2..40, "object".into(), pool);
        let mut pieces = Vec::new();
        while let Some(piece) = body.next_piece(3).await.expect("read") {
            pieces.push(piece.to_vec());
        }
        assert_eq!(
            pieces,
            vec![b"234".to_vec(), b"567".to_vec(), b"89".to_vec()]
        );
    }

    #[tokio::test]
    async fn a_missing_file_is_a_store_error_naming_its_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pool = Arc::new(BufferPool::new(1 << 20));
        let mut body = RangeBody::file(dir.path().join("gone"), 0..10, "bucket/gone".into(), pool);
        let err = body.next_piece(4).await.expect_err("missing");
        assert!(err.to_string().contains("bucket/gone"), "{err}");
    }
}
