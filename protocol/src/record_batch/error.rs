use crate::compression::CompressionError;

/// Why bytes are not a valid v2 record batch.
///
/// Positions are byte offsets into the buffer the caller handed in (for [`super::batches`], the
/// concatenated buffer), so a storage layer can report where a log is corrupt.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum BatchError {
    /// Fewer bytes remain than the batch header or its declared length needs.
    #[error("record batch at byte {position} is truncated")]
    Truncated {
        /// Where the incomplete batch starts.
        position: usize,
    },
    /// The magic byte is not 2 (older message formats are not supported).
    #[error("record batch has magic {magic}, only magic 2 is supported")]
    InvalidMagic {
        /// The magic found.
        magic: i8,
    },
    /// The stored CRC does not match the CRC-32C computed over attributes..end.
    #[error("record batch is corrupt (stored crc = {expected}, computed crc = {actual})")]
    CorruptCrc {
        /// The CRC stored in the header.
        expected: u32,
        /// The CRC computed over the bytes.
        actual: u32,
    },
    /// The Length field is smaller than a header can be.
    #[error("record batch at byte {position} declares length {length}, below the minimum {min}")]
    InvalidLength {
        /// Where the batch starts.
        position: usize,
        /// The declared Length field.
        length: i32,
        /// The smallest legal Length.
        min: i32,
    },
    /// Attribute bits 0–2 name no codec.
    #[error("record batch uses unknown compression codec id {codec_id}")]
    UnknownCompression {
        /// The codec id found.
        codec_id: u8,
    },
    /// The records block could not be decompressed.
    #[error("record batch records could not be decompressed: {0}")]
    Decompress(#[from] CompressionError),
    /// A record inside the (decompressed) records block is malformed.
    #[error("record {index} of the batch is invalid: {reason}")]
    InvalidRecord {
        /// Zero-based index of the record inside the batch.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
}
