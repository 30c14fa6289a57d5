//! Record-batch compression codecs (attributes bits 0–2 of a v2 batch).
//!
//! The records section of a batch is compressed as one block. Kafka's formats:
//! - gzip: an RFC 1952 stream (we accept concatenated members);
//! - snappy: the Java client writes xerial's framed stream (`\x82SNAPPY\0` header, then
//!   `[i32 length][raw block]` chunks); librdkafka and others write one raw snappy block.
//!   Both are decoded; we write the xerial framing, as Kafka's own broker does;
//! - lz4: an LZ4 frame (independent blocks);
//! - zstd: a zstd frame.
//!
//! Decompression is bounded by a caller-given output limit so a tiny crafted input cannot
//! allocate gigabytes.

use std::io::{Read, Write};

/// Bytes a decompressed records block may reach before decoding is refused (256 MiB).
pub const DECOMPRESSED_BYTES_MAX: usize = 256 << 20;

/// Chunk size xerial's SnappyOutputStream uses by default (32 KiB).
const XERIAL_CHUNK_BYTES: usize = 32 * 1024;
/// Magic that opens a xerial-framed snappy stream.
const XERIAL_MAGIC: [u8; 8] = [0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0];
/// Header length of a xerial stream: magic + version i32 + compatible version i32.
const XERIAL_HEADER_BYTES: usize = 16;

/// The compression codec of a record batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Compression {
    /// No compression (codec id 0).
    #[default]
    None,
    /// gzip (codec id 1).
    Gzip,
    /// snappy (codec id 2).
    Snappy,
    /// LZ4 frame (codec id 3).
    Lz4,
    /// zstd (codec id 4).
    Zstd,
}

/// Every codec, in id order; handy for tests and tools.
pub const ALL_COMPRESSIONS: [Compression; 5] = [
    Compression::None,
    Compression::Gzip,
    Compression::Snappy,
    Compression::Lz4,
    Compression::Zstd,
];

impl Compression {
    /// The codec for the id in attribute bits 0–2, or `None` for ids 5–7 (undefined by Kafka).
    pub fn from_id(id: u8) -> Option<Self> {
        match id {
            0 => Some(Self::None),
            1 => Some(Self::Gzip),
            2 => Some(Self::Snappy),
            3 => Some(Self::Lz4),
            4 => Some(Self::Zstd),
            _ => None,
        }
    }

    /// The codec id stored in attribute bits 0–2.
    pub fn id(self) -> u8 {
        match self {
            Self::None => 0,
            Self::Gzip => 1,
            Self::Snappy => 2,
            Self::Lz4 => 3,
            Self::Zstd => 4,
        }
    }

    /// Kafka's name for the codec (`compression.type` values).
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Gzip => "gzip",
            Self::Snappy => "snappy",
            Self::Lz4 => "lz4",
            Self::Zstd => "zstd",
        }
    }
}

impl std::fmt::Display for Compression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a block could not be compressed or decompressed.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum CompressionError {
    /// The codec rejected the input.
    #[error("{codec} block is malformed: {reason}")]
    Malformed {
        /// The codec that failed.
        codec: Compression,
        /// The codec's message.
        reason: String,
    },
    /// The output would exceed the caller's limit.
    #[error("{codec} block decompresses to more than {limit_bytes} bytes")]
    TooLarge {
        /// The codec in use.
        codec: Compression,
        /// The limit that was hit.
        limit_bytes: usize,
    },
}

fn malformed(codec: Compression, reason: impl std::fmt::Display) -> CompressionError {
    CompressionError::Malformed {
        codec,
        reason: reason.to_string(),
    }
}

/// Compresses `input` with `codec`, appending to `out`.
pub fn compress(
    codec: Compression,
    input: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), CompressionError> {
    match codec {
        Compression::None => out.extend_from_slice(input),
        Compression::Gzip => {
            let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::default());
            encoder.write_all(input).map_err(|e| malformed(codec, e))?;
            encoder.finish().map_err(|e| malformed(codec, e))?;
        }
        Compression::Snappy => compress_xerial_snappy(input, out)?,
        Compression::Lz4 => {
            let info = lz4_flex::frame::FrameInfo::new()
                .block_mode(lz4_flex::frame::BlockMode::Independent)
                .block_size(lz4_flex::frame::BlockSize::Max64KB);
            let mut encoder = lz4_flex::frame::FrameEncoder::with_frame_info(info, out);
            encoder.write_all(input).map_err(|e| malformed(codec, e))?;
            encoder.finish().map_err(|e| malformed(codec, e))?;
        }
        Compression::Zstd => {
            // Level 3 is Kafka's default `compression.zstd.level`.
            let compressed = zstd::bulk::compress(input, 3).map_err(|e| malformed(codec, e))?;
            out.extend_from_slice(&compressed);
        }
    }
    Ok(())
}

fn compress_xerial_snappy(input: &[u8], out: &mut Vec<u8>) -> Result<(), CompressionError> {
    out.extend_from_slice(&XERIAL_MAGIC);
    out.extend_from_slice(&1i32.to_be_bytes());
    out.extend_from_slice(&1i32.to_be_bytes());
    let mut encoder = snap::raw::Encoder::new();
    for chunk in input.chunks(XERIAL_CHUNK_BYTES) {
        let block = encoder
            .compress_vec(chunk)
            .map_err(|e| malformed(Compression::Snappy, e))?;
        let len = i32::try_from(block.len()).map_err(|e| malformed(Compression::Snappy, e))?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&block);
    }
    Ok(())
}

/// Decompresses `input` with `codec`, refusing output beyond `limit_bytes`.
pub fn decompress(
    codec: Compression,
    input: &[u8],
    limit_bytes: usize,
) -> Result<Vec<u8>, CompressionError> {
    match codec {
        Compression::None => {
            if input.len() > limit_bytes {
                return Err(CompressionError::TooLarge { codec, limit_bytes });
            }
            Ok(input.to_vec())
        }
        Compression::Gzip => {
            read_bounded(codec, flate2::read::MultiGzDecoder::new(input), limit_bytes)
        }
        Compression::Snappy => {
            if input.starts_with(&XERIAL_MAGIC) {
                decompress_xerial_snappy(input, limit_bytes)
            } else {
                let mut out = Vec::new();
                decompress_raw_snappy(input, limit_bytes, &mut out)?;
                Ok(out)
            }
        }
        Compression::Lz4 => read_bounded(
            codec,
            lz4_flex::frame::FrameDecoder::new(input),
            limit_bytes,
        ),
        Compression::Zstd => {
            let decoder =
                zstd::stream::read::Decoder::with_buffer(input).map_err(|e| malformed(codec, e))?;
            read_bounded(codec, decoder, limit_bytes)
        }
    }
}

/// Reads a decoder to its end, failing once more than `limit_bytes` come out.
fn read_bounded(
    codec: Compression,
    reader: impl Read,
    limit_bytes: usize,
) -> Result<Vec<u8>, CompressionError> {
    let mut out = Vec::new();
    let cap = u64::try_from(limit_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    reader
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|e| malformed(codec, e))?;
    if out.len() > limit_bytes {
        return Err(CompressionError::TooLarge { codec, limit_bytes });
    }
    Ok(out)
}

/// Appends one raw snappy block's output to `out`, keeping the total within `limit_bytes`.
fn decompress_raw_snappy(
    block: &[u8],
    limit_bytes: usize,
    out: &mut Vec<u8>,
) -> Result<(), CompressionError> {
    let codec = Compression::Snappy;
    let len = snap::raw::decompress_len(block).map_err(|e| malformed(codec, e))?;
    if out.len().saturating_add(len) > limit_bytes {
        return Err(CompressionError::TooLarge { codec, limit_bytes });
    }
    let start = out.len();
    out.resize(start + len, 0);
    let written = snap::raw::Decoder::new()
        .decompress(block, &mut out[start..])
        .map_err(|e| malformed(codec, e))?;
    out.truncate(start + written);
    Ok(())
}

fn decompress_xerial_snappy(input: &[u8], limit_bytes: usize) -> Result<Vec<u8>, CompressionError> {
    let codec = Compression::Snappy;
    if input.len() < XERIAL_HEADER_BYTES {
        return Err(malformed(codec, "xerial header is shorter than 16 bytes"));
    }
    let mut rest = &input[XERIAL_HEADER_BYTES..];
    let mut out = Vec::new();
    while !rest.is_empty() {
        let Some((len_bytes, tail)) = rest.split_first_chunk::<4>() else {
            return Err(malformed(codec, "xerial chunk length is truncated"));
        };
        let len = i32::from_be_bytes(*len_bytes);
        let len = usize::try_from(len)
            .map_err(|_| malformed(codec, format!("xerial chunk length {len} is negative")))?;
        if tail.len() < len {
            return Err(malformed(
                codec,
                format!(
                    "xerial chunk of {len} bytes has only {} bytes left",
                    tail.len()
                ),
            ));
        }
        decompress_raw_snappy(&tail[..len], limit_bytes, &mut out)?;
        rest = &tail[len..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_codec_round_trips() {
        let input: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        for codec in ALL_COMPRESSIONS {
            let mut out = Vec::new();
            compress(codec, &input, &mut out).expect("compress");
            let back = decompress(codec, &out, DECOMPRESSED_BYTES_MAX).expect("decompress");
            assert_eq!(back, input, "{codec}");
        }
    }

    #[test]
    fn raw_snappy_block_is_decoded() {
        let input = b"hello hello hello hello snappy".repeat(10);
        let raw = snap::raw::Encoder::new()
            .compress_vec(&input)
            .expect("compress");
        assert_eq!(
            decompress(Compression::Snappy, &raw, 1 << 20).expect("decode"),
            input
        );
    }

    #[test]
    fn output_beyond_limit_is_refused() {
        let input = vec![0u8; 10_000];
        for codec in ALL_COMPRESSIONS {
            let mut out = Vec::new();
            compress(codec, &input, &mut out).expect("compress");
            let err = decompress(codec, &out, 100).expect_err("limit must hold");
            assert_eq!(
                err,
                CompressionError::TooLarge {
                    codec,
                    limit_bytes: 100
                }
            );
        }
    }
}
