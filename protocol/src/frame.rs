//! Kafka's framing: every request and response is `[size: i32][size bytes]`.

/// Size prefix of every Kafka frame: 4-byte big-endian signed length of what follows.
pub const FRAME_PREFIX_BYTES: usize = 4;

/// Why a size prefix was refused. The connection must be closed: the stream cannot be resynced.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// The prefix is negative.
    #[error("frame size {size} is negative")]
    Negative {
        /// The prefix read.
        size: i32,
    },
    /// The prefix exceeds the configured maximum (`socket.request.max.bytes`).
    #[error("frame size {size} exceeds the maximum of {max} bytes")]
    TooLarge {
        /// The prefix read.
        size: usize,
        /// The configured maximum.
        max: usize,
    },
}

/// Validates a size prefix against `max_bytes` and returns the body length that follows it.
pub fn frame_body_len(prefix: [u8; 4], max_bytes: usize) -> Result<usize, FrameError> {
    let size = i32::from_be_bytes(prefix);
    let body = usize::try_from(size).map_err(|_| FrameError::Negative { size })?;
    if body > max_bytes {
        return Err(FrameError::TooLarge {
            size: body,
            max: max_bytes,
        });
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_at_the_maximum_is_accepted() {
        assert_eq!(frame_body_len(100i32.to_be_bytes(), 100), Ok(100));
    }

    #[test]
    fn size_over_the_maximum_is_refused() {
        assert_eq!(
            frame_body_len(101i32.to_be_bytes(), 100),
            Err(FrameError::TooLarge {
                size: 101,
                max: 100
            })
        );
    }

    #[test]
    fn negative_size_is_refused() {
        assert_eq!(
            frame_body_len((-1i32).to_be_bytes(), 100),
            Err(FrameError::Negative { size: -1 })
        );
    }
}
