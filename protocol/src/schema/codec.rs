//! Primitive codecs that switch between Kafka's two encodings by the message's flexibility.
//!
//! A message version is either *flexible* (compact strings/bytes/arrays whose length is an
//! unsigned varint of `len + 1`, with a tagged-field section after every struct) or not (strings
//! with an `int16` length, bytes and arrays with an `int32` length, `-1` for null, no tagged
//! fields). Internal-topic records mix both: `OffsetCommitValue` is flexible only from v4.
//! These helpers let one hand-written codec serve every version.

use bytes::Bytes;

use crate::wire::{WireError, WireReader, WireWriter};

/// Writes Kafka primitives in the flexible or the classic encoding.
#[derive(Debug, Default)]
pub(crate) struct FlexWriter {
    /// The bytes written so far.
    pub(crate) w: WireWriter,
    /// True for a flexible version.
    pub(crate) flexible: bool,
}

impl FlexWriter {
    /// An empty writer for a version of the given flexibility.
    pub(crate) fn new(flexible: bool) -> Self {
        Self {
            w: WireWriter::new(),
            flexible,
        }
    }

    /// The bytes written.
    pub(crate) fn into_inner(self) -> Vec<u8> {
        self.w.into_inner()
    }

    fn len(&mut self, len: Option<usize>, classic_i16: bool) {
        if self.flexible {
            self.w.put_compact_len(len);
        } else {
            let n = len.map_or(-1, |n| n as i64);
            if classic_i16 {
                self.w.put_i16(n as i16);
            } else {
                self.w.put_i32(n as i32);
            }
        }
    }

    /// A string.
    pub(crate) fn string(&mut self, s: &str) {
        self.nullable_string(Some(s));
    }

    /// A nullable string.
    pub(crate) fn nullable_string(&mut self, s: Option<&str>) {
        self.len(s.map(str::len), true);
        if let Some(s) = s {
            self.w.put_bytes(s.as_bytes());
        }
    }

    /// A bytes field.
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.nullable_bytes(Some(b));
    }

    /// A nullable bytes field.
    pub(crate) fn nullable_bytes(&mut self, b: Option<&[u8]>) {
        self.len(b.map(<[u8]>::len), false);
        if let Some(b) = b {
            self.w.put_bytes(b);
        }
    }

    /// An array's element count (`None` = null).
    pub(crate) fn array_len(&mut self, n: Option<usize>) {
        self.len(n, false);
    }

    /// An array of `int32`.
    pub(crate) fn i32_array(&mut self, v: &[i32]) {
        self.array_len(Some(v.len()));
        for x in v {
            self.w.put_i32(*x);
        }
    }

    /// An array of strings.
    pub(crate) fn string_array(&mut self, v: &[String]) {
        self.array_len(Some(v.len()));
        for s in v {
            self.string(s);
        }
    }

    /// The tagged-field section of a struct: written only in flexible versions.
    pub(crate) fn tagged(&mut self, fields: &[(u32, Vec<u8>)]) {
        if self.flexible {
            self.w.put_tagged_fields(fields);
        }
    }

    /// Encodes one tagged-field value with a writer of the same flexibility.
    pub(crate) fn sub(&self, f: impl FnOnce(&mut FlexWriter)) -> Vec<u8> {
        let mut sub = FlexWriter::new(self.flexible);
        f(&mut sub);
        sub.into_inner()
    }
}

/// Reads Kafka primitives in the flexible or the classic encoding. Never panics.
#[derive(Debug)]
pub(crate) struct FlexReader<'a> {
    /// The cursor.
    pub(crate) r: WireReader<'a>,
    /// True for a flexible version.
    pub(crate) flexible: bool,
}

impl<'a> FlexReader<'a> {
    /// A reader at the start of `buf`.
    pub(crate) fn new(buf: &'a [u8], flexible: bool) -> Self {
        Self {
            r: WireReader::new(buf),
            flexible,
        }
    }

    fn len(&mut self, field: &'static str, classic_i16: bool) -> Result<Option<usize>, WireError> {
        if self.flexible {
            return self.r.compact_len();
        }
        let start = self.r.position();
        let n = if classic_i16 {
            i64::from(self.r.i16()?)
        } else {
            i64::from(self.r.i32()?)
        };
        if n == -1 {
            return Ok(None);
        }
        if n < 0 {
            return Err(WireError::InvalidLength {
                field,
                position: start,
                length: n,
            });
        }
        let n = n as usize;
        if n > self.r.remaining() {
            return Err(WireError::Truncated {
                position: start,
                needed: n,
                remaining: self.r.remaining(),
            });
        }
        Ok(Some(n))
    }

    /// A nullable string.
    pub(crate) fn nullable_string(
        &mut self,
        field: &'static str,
    ) -> Result<Option<String>, WireError> {
        let Some(n) = self.len(field, true)? else {
            return Ok(None);
        };
        let start = self.r.position();
        let raw = self.r.bytes(n)?;
        std::str::from_utf8(raw)
            .map(|s| Some(s.to_owned()))
            .map_err(|_| WireError::InvalidUtf8 { position: start })
    }

    /// A non-null string.
    pub(crate) fn string(&mut self, field: &'static str) -> Result<String, WireError> {
        let start = self.r.position();
        self.nullable_string(field)?
            .ok_or(WireError::UnexpectedNull {
                field,
                position: start,
            })
    }

    /// A nullable bytes field.
    pub(crate) fn nullable_bytes(
        &mut self,
        field: &'static str,
    ) -> Result<Option<Bytes>, WireError> {
        let Some(n) = self.len(field, false)? else {
            return Ok(None);
        };
        Ok(Some(Bytes::copy_from_slice(self.r.bytes(n)?)))
    }

    /// A non-null bytes field.
    pub(crate) fn bytes(&mut self, field: &'static str) -> Result<Bytes, WireError> {
        let start = self.r.position();
        self.nullable_bytes(field)?
            .ok_or(WireError::UnexpectedNull {
                field,
                position: start,
            })
    }

    /// An array's element count (`None` = null). Bounded by the remaining bytes, since every
    /// element takes at least one byte, so callers may preallocate it.
    pub(crate) fn nullable_array_len(
        &mut self,
        field: &'static str,
    ) -> Result<Option<usize>, WireError> {
        self.len(field, false)
    }

    /// A non-null array's element count.
    pub(crate) fn array_len(&mut self, field: &'static str) -> Result<usize, WireError> {
        let start = self.r.position();
        self.nullable_array_len(field)?
            .ok_or(WireError::UnexpectedNull {
                field,
                position: start,
            })
    }

    /// A non-null array of elements read by `item`.
    pub(crate) fn array<T>(
        &mut self,
        field: &'static str,
        mut item: impl FnMut(&mut Self) -> Result<T, WireError>,
    ) -> Result<Vec<T>, WireError> {
        let n = self.array_len(field)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(item(self)?);
        }
        Ok(out)
    }

    /// A non-null array of `int32`.
    pub(crate) fn i32_array(&mut self, field: &'static str) -> Result<Vec<i32>, WireError> {
        self.array(field, |r| r.r.i32())
    }

    /// A non-null array of strings.
    pub(crate) fn string_array(&mut self, field: &'static str) -> Result<Vec<String>, WireError> {
        self.array(field, |r| r.string(field))
    }

    /// The tagged-field section of a struct (nothing in classic versions). `on_field` gets a
    /// reader over one field's bytes; unknown tags must be skipped by the callback.
    pub(crate) fn tagged(
        &mut self,
        mut on_field: impl FnMut(u32, &mut FlexReader<'a>) -> Result<(), WireError>,
    ) -> Result<(), WireError> {
        if !self.flexible {
            return Ok(());
        }
        self.r.tagged_fields(|tag, field| {
            let mut sub = FlexReader {
                r: field.clone(),
                flexible: true,
            };
            on_field(tag, &mut sub)?;
            // Move the outer field reader to where the callback stopped.
            let consumed = sub.r.position() - field.position();
            field.bytes(consumed)?;
            Ok(())
        })
    }

    /// A tagged-field section whose tags are all skipped.
    pub(crate) fn skip_tagged(&mut self) -> Result<(), WireError> {
        self.tagged(|_, f| {
            f.r.skip_rest();
            Ok(())
        })
    }
}
