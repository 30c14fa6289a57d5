use super::{
    attr, compute_crc, field, BatchError, Compression, TimestampType, BATCH_LENGTH_MIN,
    LOG_OVERHEAD, MAGIC_V2, NO_SEQUENCE, RECORD_BATCH_OVERHEAD,
};

/// A borrowed, header-only view of exactly one v2 record batch.
///
/// Invariants established by [`RecordBatchView::parse`]: the slice is exactly `size_bytes()`
/// long, at least [`RECORD_BATCH_OVERHEAD`] bytes, has magic 2 and a known compression codec.
/// The CRC is *not* checked by `parse`; call [`RecordBatchView::verify_crc`]. Accessors read the
/// header in place and never allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordBatchView<'a> {
    bytes: &'a [u8],
}

fn read_i16(buf: &[u8], at: usize) -> i16 {
    i16::from_be_bytes([buf[at], buf[at + 1]])
}

fn read_i32(buf: &[u8], at: usize) -> i32 {
    i32::from_be_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]])
}

fn read_i64(buf: &[u8], at: usize) -> i64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&buf[at..at + 8]);
    i64::from_be_bytes(b)
}

impl<'a> RecordBatchView<'a> {
    /// Parses the batch at the start of `buf`; trailing bytes after it are ignored.
    ///
    /// Errors: [`BatchError::Truncated`] (position 0) if `buf` holds less than the header or the
    /// declared length, [`BatchError::InvalidMagic`], [`BatchError::InvalidLength`],
    /// [`BatchError::UnknownCompression`].
    pub fn parse(buf: &'a [u8]) -> Result<Self, BatchError> {
        Self::parse_at(buf, 0)
    }

    /// Like [`Self::parse`], reporting errors at `position` (the batch's offset in a larger buffer).
    pub(crate) fn parse_at(buf: &'a [u8], position: usize) -> Result<Self, BatchError> {
        if buf.len() < RECORD_BATCH_OVERHEAD {
            return Err(BatchError::Truncated { position });
        }
        let magic = buf[field::MAGIC] as i8;
        if magic != MAGIC_V2 {
            return Err(BatchError::InvalidMagic { magic });
        }
        let length = read_i32(buf, field::LENGTH);
        if length < BATCH_LENGTH_MIN {
            return Err(BatchError::InvalidLength {
                position,
                length,
                min: BATCH_LENGTH_MIN,
            });
        }
        // `length` is positive here, and LOG_OVERHEAD + i32::MAX fits in usize on 32 and 64 bits.
        let size = LOG_OVERHEAD + length as usize;
        if buf.len() < size {
            return Err(BatchError::Truncated { position });
        }
        let codec_id = (read_i16(buf, field::ATTRIBUTES) & attr::COMPRESSION_MASK) as u8;
        if Compression::from_id(codec_id).is_none() {
            return Err(BatchError::UnknownCompression { codec_id });
        }
        Ok(Self {
            bytes: &buf[..size],
        })
    }

    /// The whole batch, `size_bytes()` long.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The records section (compressed when `compression()` is not none).
    pub fn records_bytes(&self) -> &'a [u8] {
        &self.bytes[RECORD_BATCH_OVERHEAD..]
    }

    /// Offset of the first record (assigned by the leader on append).
    pub fn base_offset(&self) -> i64 {
        read_i64(self.bytes, field::BASE_OFFSET)
    }

    /// Offset of the last record: `base_offset + last_offset_delta`.
    pub fn last_offset(&self) -> i64 {
        self.base_offset()
            .wrapping_add(i64::from(self.last_offset_delta()))
    }

    /// Offset the batch after this one starts at, `last_offset + 1`.
    pub fn next_offset(&self) -> i64 {
        self.last_offset().wrapping_add(1)
    }

    /// Bytes of the batch including BaseOffset and Length: `12 + Length`.
    pub fn size_bytes(&self) -> usize {
        self.bytes.len()
    }

    /// The Length field.
    pub fn length(&self) -> i32 {
        read_i32(self.bytes, field::LENGTH)
    }

    /// Leader epoch stamped by the leader that appended the batch.
    pub fn partition_leader_epoch(&self) -> i32 {
        read_i32(self.bytes, field::PARTITION_LEADER_EPOCH)
    }

    /// Always 2 for a parsed view.
    pub fn magic(&self) -> i8 {
        self.bytes[field::MAGIC] as i8
    }

    /// The stored CRC-32C.
    pub fn crc(&self) -> u32 {
        read_i32(self.bytes, field::CRC) as u32
    }

    /// CRC-32C computed over attributes..end.
    pub fn computed_crc(&self) -> u32 {
        compute_crc(self.bytes)
    }

    /// Checks the stored CRC against the bytes: [`BatchError::CorruptCrc`] on mismatch.
    pub fn verify_crc(&self) -> Result<(), BatchError> {
        let expected = self.crc();
        let actual = self.computed_crc();
        if expected == actual {
            Ok(())
        } else {
            Err(BatchError::CorruptCrc { expected, actual })
        }
    }

    /// The raw attributes field.
    pub fn attributes(&self) -> i16 {
        read_i16(self.bytes, field::ATTRIBUTES)
    }

    /// The compression codec (validated by `parse`).
    pub fn compression(&self) -> Compression {
        let id = (self.attributes() & attr::COMPRESSION_MASK) as u8;
        Compression::from_id(id).unwrap_or_default()
    }

    /// CreateTime or LogAppendTime (attribute bit 3).
    pub fn timestamp_type(&self) -> TimestampType {
        if self.attributes() & attr::TIMESTAMP_TYPE != 0 {
            TimestampType::LogAppendTime
        } else {
            TimestampType::CreateTime
        }
    }

    /// Attribute bit 4: the batch belongs to a transaction.
    pub fn is_transactional(&self) -> bool {
        self.attributes() & attr::TRANSACTIONAL != 0
    }

    /// Attribute bit 5: the batch holds control records (transaction markers, KRaft control).
    pub fn is_control(&self) -> bool {
        self.attributes() & attr::CONTROL != 0
    }

    /// Attribute bit 6: BaseTimestamp holds the compaction delete horizon.
    pub fn has_delete_horizon(&self) -> bool {
        self.attributes() & attr::DELETE_HORIZON != 0
    }

    /// Offset delta of the last record.
    pub fn last_offset_delta(&self) -> i32 {
        read_i32(self.bytes, field::LAST_OFFSET_DELTA)
    }

    /// Timestamp of the first record (or the delete horizon, see `has_delete_horizon`).
    pub fn base_timestamp(&self) -> i64 {
        read_i64(self.bytes, field::BASE_TIMESTAMP)
    }

    /// Largest record timestamp, or the LogAppendTime.
    pub fn max_timestamp(&self) -> i64 {
        read_i64(self.bytes, field::MAX_TIMESTAMP)
    }

    /// Producer id, -1 for non-idempotent producers.
    pub fn producer_id(&self) -> i64 {
        read_i64(self.bytes, field::PRODUCER_ID)
    }

    /// Producer epoch, -1 for non-idempotent producers.
    pub fn producer_epoch(&self) -> i16 {
        read_i16(self.bytes, field::PRODUCER_EPOCH)
    }

    /// Sequence number of the first record, -1 for non-idempotent producers.
    pub fn base_sequence(&self) -> i32 {
        read_i32(self.bytes, field::BASE_SEQUENCE)
    }

    /// Sequence of the last record; sequences wrap from `i32::MAX` to 0 as in Kafka.
    pub fn last_sequence(&self) -> i32 {
        let base = self.base_sequence();
        if base == NO_SEQUENCE {
            return NO_SEQUENCE;
        }
        let delta = self.last_offset_delta();
        if delta < 0 {
            return base;
        }
        if base > i32::MAX - delta {
            delta - (i32::MAX - base) - 1
        } else {
            base + delta
        }
    }

    /// Number of records the header declares.
    pub fn records_count(&self) -> i32 {
        read_i32(self.bytes, field::RECORDS_COUNT)
    }
}
