//! Primitive encodings of Kafka's message format, for the formats `kafka-protocol` does not cover
//! (metadata records, control records, records inside a batch).
//!
//! - big-endian fixed-width integers;
//! - unsigned varints (LEB128, at most 5 bytes for 32 bits) and zigzag varints/varlongs;
//! - "compact" (flexible-version) strings, bytes and arrays: length + 1 as an unsigned varint,
//!   0 meaning null;
//! - UUIDs as 16 raw bytes;
//! - tagged fields: unsigned-varint count, then `tag | size | bytes` in ascending tag order.
//!
//! The reader never panics: every read checks the remaining length and reports the byte position.

use bytes::BufMut;
use uuid::Uuid;

/// Longest unsigned varint holding 32 bits.
const VARINT_BYTES_MAX: usize = 5;
/// Longest varint holding 64 bits.
const VARLONG_BYTES_MAX: usize = 10;

/// Why bytes could not be read as the expected primitive.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum WireError {
    /// The buffer ended early.
    #[error("needed {needed} bytes at byte {position} but only {remaining} remain")]
    Truncated {
        /// Where the read started.
        position: usize,
        /// Bytes the read needed.
        needed: usize,
        /// Bytes that were left.
        remaining: usize,
    },
    /// A varint ran past its maximum length or value.
    #[error("varint at byte {position} is longer than {max_bytes} bytes or overflows")]
    VarintOverflow {
        /// Where the varint started.
        position: usize,
        /// Its maximum encoded length.
        max_bytes: usize,
    },
    /// A string was not UTF-8.
    #[error("string at byte {position} is not valid UTF-8")]
    InvalidUtf8 {
        /// Where the string bytes started.
        position: usize,
    },
    /// A null appeared where the schema forbids one.
    #[error("{field} at byte {position} is null but not nullable")]
    UnexpectedNull {
        /// The field being read.
        field: &'static str,
        /// Where its length started.
        position: usize,
    },
    /// A length or count is negative or out of range.
    #[error("{field} at byte {position} has invalid length {length}")]
    InvalidLength {
        /// The field being read.
        field: &'static str,
        /// Where its length started.
        position: usize,
        /// The decoded length.
        length: i64,
    },
}

/// A cursor over a byte slice that decodes Kafka primitives.
#[derive(Debug, Clone)]
pub struct WireReader<'a> {
    buf: &'a [u8],
    position: usize,
}

impl<'a> WireReader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, position: 0 }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.position
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.position
    }

    /// True when every byte has been consumed.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Takes the next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        if self.remaining() < n {
            return Err(WireError::Truncated {
                position: self.position,
                needed: n,
                remaining: self.remaining(),
            });
        }
        let out = &self.buf[self.position..self.position + n];
        self.position += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    /// Consumes every remaining byte (an unknown tagged field's value).
    pub fn skip_rest(&mut self) {
        self.position = self.buf.len();
    }

    /// An `int8`.
    pub fn i8(&mut self) -> Result<i8, WireError> {
        Ok(i8::from_be_bytes(self.array()?))
    }
    /// A `bool` (any non-zero byte is true, as in Kafka).
    pub fn bool(&mut self) -> Result<bool, WireError> {
        Ok(self.i8()? != 0)
    }
    /// An `int16`.
    pub fn i16(&mut self) -> Result<i16, WireError> {
        Ok(i16::from_be_bytes(self.array()?))
    }
    /// A `uint16`.
    pub fn u16(&mut self) -> Result<u16, WireError> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    /// An `int32`.
    pub fn i32(&mut self) -> Result<i32, WireError> {
        Ok(i32::from_be_bytes(self.array()?))
    }
    /// An `int64`.
    pub fn i64(&mut self) -> Result<i64, WireError> {
        Ok(i64::from_be_bytes(self.array()?))
    }
    /// A `uuid` (16 bytes).
    pub fn uuid(&mut self) -> Result<Uuid, WireError> {
        Ok(Uuid::from_bytes(self.array()?))
    }

    /// An unsigned varint of at most 32 bits.
    pub fn unsigned_varint(&mut self) -> Result<u32, WireError> {
        let start = self.position;
        let value = self.raw_varint(VARINT_BYTES_MAX)?;
        u32::try_from(value).map_err(|_| WireError::VarintOverflow {
            position: start,
            max_bytes: VARINT_BYTES_MAX,
        })
    }

    /// A zigzag-encoded signed varint (32 bits), as in record fields.
    pub fn varint(&mut self) -> Result<i32, WireError> {
        let raw = self.unsigned_varint()?;
        Ok(((raw >> 1) as i32) ^ -((raw & 1) as i32))
    }

    /// A zigzag-encoded signed varlong (64 bits), as in record timestamps.
    pub fn varlong(&mut self) -> Result<i64, WireError> {
        let raw = self.raw_varint(VARLONG_BYTES_MAX)?;
        Ok(((raw >> 1) as i64) ^ -((raw & 1) as i64))
    }

    fn raw_varint(&mut self, max_bytes: usize) -> Result<u64, WireError> {
        let start = self.position;
        let mut value: u64 = 0;
        for i in 0..max_bytes {
            let byte = self.array::<1>()?[0];
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(WireError::VarintOverflow {
            position: start,
            max_bytes,
        })
    }

    /// A compact length (`n + 1` as an unsigned varint): `None` for null.
    pub fn compact_len(&mut self) -> Result<Option<usize>, WireError> {
        let start = self.position;
        let raw = self.unsigned_varint()?;
        if raw == 0 {
            return Ok(None);
        }
        let len = (raw - 1) as usize;
        if len > self.remaining() {
            return Err(WireError::Truncated {
                position: start,
                needed: len,
                remaining: self.remaining(),
            });
        }
        Ok(Some(len))
    }

    /// A compact array's element count: `None` for null. The count is bounded by the remaining
    /// bytes (every element is at least one byte), so callers may preallocate it.
    pub fn compact_array_len(&mut self) -> Result<Option<usize>, WireError> {
        self.compact_len()
    }

    /// A non-null compact array count.
    pub fn compact_array_len_non_null(&mut self, field: &'static str) -> Result<usize, WireError> {
        let start = self.position;
        self.compact_array_len()?.ok_or(WireError::UnexpectedNull {
            field,
            position: start,
        })
    }

    /// A nullable compact string.
    pub fn compact_nullable_string(&mut self) -> Result<Option<String>, WireError> {
        let Some(len) = self.compact_len()? else {
            return Ok(None);
        };
        let start = self.position;
        let raw = self.bytes(len)?;
        std::str::from_utf8(raw)
            .map(|s| Some(s.to_owned()))
            .map_err(|_| WireError::InvalidUtf8 { position: start })
    }

    /// A non-null compact string.
    pub fn compact_string(&mut self, field: &'static str) -> Result<String, WireError> {
        let start = self.position;
        self.compact_nullable_string()?
            .ok_or(WireError::UnexpectedNull {
                field,
                position: start,
            })
    }

    /// A nullable compact array of `int32`.
    pub fn compact_nullable_i32_array(&mut self) -> Result<Option<Vec<i32>>, WireError> {
        let Some(n) = self.compact_array_len()? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(n.min(self.remaining() / 4));
        for _ in 0..n {
            out.push(self.i32()?);
        }
        Ok(Some(out))
    }

    /// A non-null compact array of `int32`.
    pub fn compact_i32_array(&mut self, field: &'static str) -> Result<Vec<i32>, WireError> {
        let start = self.position;
        self.compact_nullable_i32_array()?
            .ok_or(WireError::UnexpectedNull {
                field,
                position: start,
            })
    }

    /// A nullable compact array of `uuid`.
    pub fn compact_nullable_uuid_array(&mut self) -> Result<Option<Vec<Uuid>>, WireError> {
        let Some(n) = self.compact_array_len()? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(n.min(self.remaining() / 16));
        for _ in 0..n {
            out.push(self.uuid()?);
        }
        Ok(Some(out))
    }

    /// A non-null compact array of `uuid`.
    pub fn compact_uuid_array(&mut self, field: &'static str) -> Result<Vec<Uuid>, WireError> {
        let start = self.position;
        self.compact_nullable_uuid_array()?
            .ok_or(WireError::UnexpectedNull {
                field,
                position: start,
            })
    }

    /// Reads a tagged-field section, calling `on_field(tag, reader over the field's bytes)` for
    /// each field. Unknown tags are the callback's choice to skip (return `Ok`).
    pub fn tagged_fields(
        &mut self,
        mut on_field: impl FnMut(u32, &mut WireReader<'a>) -> Result<(), WireError>,
    ) -> Result<(), WireError> {
        let count = self.unsigned_varint()?;
        for _ in 0..count {
            let tag = self.unsigned_varint()?;
            let size_at = self.position;
            let size = self.unsigned_varint()? as usize;
            if size > self.remaining() {
                return Err(WireError::Truncated {
                    position: size_at,
                    needed: size,
                    remaining: self.remaining(),
                });
            }
            let field_start = self.position;
            let mut field = WireReader {
                buf: &self.buf[..field_start + size],
                position: field_start,
            };
            on_field(tag, &mut field)?;
            if !field.is_empty() {
                return Err(WireError::InvalidLength {
                    field: "tagged field",
                    position: size_at,
                    length: size as i64,
                });
            }
            self.position = field_start + size;
        }
        Ok(())
    }
}

/// Appends Kafka primitives to a byte vector.
#[derive(Debug, Clone, Default)]
pub struct WireWriter {
    buf: Vec<u8>,
}

impl WireWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bytes written.
    pub fn into_inner(self) -> Vec<u8> {
        self.buf
    }

    /// The bytes written so far.
    pub fn as_slice(&self) -> &[u8] {
        &self.buf
    }

    /// Raw bytes.
    pub fn put_bytes(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }
    /// An `int8`.
    pub fn put_i8(&mut self, v: i8) {
        self.buf.put_i8(v);
    }
    /// A `bool`.
    pub fn put_bool(&mut self, v: bool) {
        self.buf.put_u8(u8::from(v));
    }
    /// An `int16`.
    pub fn put_i16(&mut self, v: i16) {
        self.buf.put_i16(v);
    }
    /// A `uint16`.
    pub fn put_u16(&mut self, v: u16) {
        self.buf.put_u16(v);
    }
    /// An `int32`.
    pub fn put_i32(&mut self, v: i32) {
        self.buf.put_i32(v);
    }
    /// An `int64`.
    pub fn put_i64(&mut self, v: i64) {
        self.buf.put_i64(v);
    }
    /// A `uuid`.
    pub fn put_uuid(&mut self, v: &Uuid) {
        self.buf.extend_from_slice(v.as_bytes());
    }

    /// An unsigned varint.
    pub fn put_unsigned_varint(&mut self, v: u32) {
        put_raw_varint(&mut self.buf, u64::from(v));
    }
    /// A zigzag varint.
    pub fn put_varint(&mut self, v: i32) {
        put_raw_varint(&mut self.buf, u64::from(((v << 1) ^ (v >> 31)) as u32));
    }
    /// A zigzag varlong.
    pub fn put_varlong(&mut self, v: i64) {
        put_raw_varint(&mut self.buf, ((v << 1) ^ (v >> 63)) as u64);
    }

    /// A compact length (`None` = null).
    pub fn put_compact_len(&mut self, len: Option<usize>) {
        match len {
            None => self.put_unsigned_varint(0),
            Some(n) => put_raw_varint(&mut self.buf, n as u64 + 1),
        }
    }
    /// A non-null compact string.
    pub fn put_compact_string(&mut self, s: &str) {
        self.put_compact_len(Some(s.len()));
        self.buf.extend_from_slice(s.as_bytes());
    }
    /// A nullable compact string.
    pub fn put_compact_nullable_string(&mut self, s: Option<&str>) {
        match s {
            None => self.put_compact_len(None),
            Some(s) => self.put_compact_string(s),
        }
    }
    /// A compact array of `int32` (`None` = null).
    pub fn put_compact_i32_array(&mut self, v: Option<&[i32]>) {
        self.put_compact_len(v.map(<[i32]>::len));
        for x in v.unwrap_or_default() {
            self.put_i32(*x);
        }
    }
    /// A compact array of `uuid` (`None` = null).
    pub fn put_compact_uuid_array(&mut self, v: Option<&[Uuid]>) {
        self.put_compact_len(v.map(<[Uuid]>::len));
        for x in v.unwrap_or_default() {
            self.put_uuid(x);
        }
    }

    /// A tagged-field section from `(tag, encoded value)` pairs, which must be in ascending tag
    /// order (Kafka's requirement).
    pub fn put_tagged_fields(&mut self, fields: &[(u32, Vec<u8>)]) {
        debug_assert!(
            fields.windows(2).all(|w| w[0].0 < w[1].0),
            "tags must ascend"
        );
        self.put_unsigned_varint(fields.len() as u32);
        for (tag, value) in fields {
            self.put_unsigned_varint(*tag);
            self.put_unsigned_varint(value.len() as u32);
            self.buf.extend_from_slice(value);
        }
    }
}

fn put_raw_varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

/// Encodes one value with a fresh writer, for building tagged-field payloads.
pub fn encode_with(f: impl FnOnce(&mut WireWriter)) -> Vec<u8> {
    let mut w = WireWriter::new();
    f(&mut w);
    w.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_varints_match_kafka_examples() {
        // From the protobuf/Kafka zigzag table: 0→0, -1→1, 1→2, -2→3, 300→[0xd8,0x04].
        for (v, bytes) in [
            (0i32, vec![0u8]),
            (-1, vec![1]),
            (1, vec![2]),
            (-2, vec![3]),
            (300, vec![0xd8, 0x04]),
        ] {
            let encoded = encode_with(|w| w.put_varint(v));
            assert_eq!(encoded, bytes, "{v}");
            assert_eq!(WireReader::new(&bytes).varint().expect("decode"), v);
        }
    }

    #[test]
    fn extreme_varlongs_round_trip() {
        for v in [i64::MIN, i64::MAX, -1, 0] {
            let encoded = encode_with(|w| w.put_varlong(v));
            assert_eq!(WireReader::new(&encoded).varlong().expect("decode"), v);
        }
    }

    #[test]
    fn overlong_unsigned_varint_is_rejected() {
        let bytes = [0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(
            WireReader::new(&bytes).unsigned_varint(),
            Err(WireError::VarintOverflow {
                position: 0,
                max_bytes: 5
            })
        );
    }

    #[test]
    fn compact_string_longer_than_buffer_is_truncated() {
        let bytes = [0x0a, b'a'];
        assert!(matches!(
            WireReader::new(&bytes).compact_string("name"),
            Err(WireError::Truncated { .. })
        ));
    }
}
