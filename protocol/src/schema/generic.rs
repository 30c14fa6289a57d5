//! One codec for every transcribed schema: message bytes ⇄ `serde_json::Value` in the form
//! Kafka's generated `*JsonConverter.write` prints.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{Map, Number, Value};
use uuid::Uuid;

use super::codec::{FlexReader, FlexWriter};
use super::types::{Element, Field, FieldType, MessageSchema};
use crate::wire::WireError;

/// Why bytes or JSON do not fit a schema.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum SchemaError {
    /// The version is outside the schema's valid versions.
    #[error("{schema} version {version} is outside {min}..={max}")]
    UnsupportedVersion {
        /// The schema.
        schema: &'static str,
        /// The version asked for.
        version: i16,
        /// Lowest valid version.
        min: i16,
        /// Highest valid version.
        max: i16,
    },
    /// The bytes are malformed.
    #[error("{schema} v{version} is malformed: {source}")]
    Malformed {
        /// The schema.
        schema: &'static str,
        /// The version read.
        version: i16,
        /// The primitive that failed.
        source: WireError,
    },
    /// Bytes remain after the message.
    #[error("{schema} v{version} ends at byte {position} but {trailing} bytes follow")]
    TrailingBytes {
        /// The schema.
        schema: &'static str,
        /// The version read.
        version: i16,
        /// Where the message ended.
        position: usize,
        /// How many bytes follow.
        trailing: usize,
    },
    /// A JSON value does not have the field's type.
    #[error("field {field} expects {expected} but the JSON holds {found}")]
    JsonType {
        /// The field.
        field: &'static str,
        /// The type the schema wants.
        expected: &'static str,
        /// The JSON found.
        found: String,
    },
}

fn check_version(schema: &MessageSchema, version: i16) -> Result<(), SchemaError> {
    if schema.valid.contains(version) {
        return Ok(());
    }
    Err(SchemaError::UnsupportedVersion {
        schema: schema.name,
        version,
        min: schema.valid.min,
        max: schema.valid.max,
    })
}

/// Decodes one message body (no version prefix or frame) of `version` into Kafka's JSON form.
/// Never panics; the whole of `body` must be the message.
pub fn decode_json(
    schema: &MessageSchema,
    version: i16,
    body: &[u8],
) -> Result<Value, SchemaError> {
    check_version(schema, version)?;
    let mut r = FlexReader::new(body, schema.flexible.contains(version));
    let out =
        read_struct(&mut r, schema.fields, version).map_err(|source| SchemaError::Malformed {
            schema: schema.name,
            version,
            source,
        })?;
    if !r.r.is_empty() {
        return Err(SchemaError::TrailingBytes {
            schema: schema.name,
            version,
            position: r.r.position(),
            trailing: r.r.remaining(),
        });
    }
    Ok(Value::Object(out))
}

/// Decodes a message at the start of `body` and reports how many bytes it took, ignoring what
/// follows (as Kafka does where a newer writer may append fields, e.g. the consumer protocol's
/// subscription and assignment). Never panics.
pub fn decode_json_prefix(
    schema: &MessageSchema,
    version: i16,
    body: &[u8],
) -> Result<(Value, usize), SchemaError> {
    check_version(schema, version)?;
    let mut r = FlexReader::new(body, schema.flexible.contains(version));
    let out =
        read_struct(&mut r, schema.fields, version).map_err(|source| SchemaError::Malformed {
            schema: schema.name,
            version,
            source,
        })?;
    Ok((Value::Object(out), r.r.position()))
}

/// Encodes Kafka's JSON form of a message at `version` (no version prefix or frame). Missing
/// fields take their defaults; fields absent from the version are ignored.
pub fn encode_json(
    schema: &MessageSchema,
    version: i16,
    json: &Value,
) -> Result<Vec<u8>, SchemaError> {
    check_version(schema, version)?;
    let mut w = FlexWriter::new(schema.flexible.contains(version));
    write_struct(&mut w, schema.fields, version, json, schema.name)?;
    Ok(w.into_inner())
}

fn is_tagged(f: &Field, version: i16, flexible: bool) -> bool {
    flexible && f.tagged.contains(version)
}

fn read_struct(
    r: &mut FlexReader<'_>,
    fields: &'static [Field],
    version: i16,
) -> Result<Map<String, Value>, WireError> {
    let flexible = r.flexible;
    let mut values: Vec<Option<Value>> = vec![None; fields.len()];
    for (i, f) in fields.iter().enumerate() {
        if !f.versions.contains(version) || is_tagged(f, version, flexible) {
            continue;
        }
        values[i] = Some(read_field(r, f, version, false)?);
    }
    r.tagged(|tag, sub| {
        let known = fields.iter().position(|f| {
            f.tag == tag && f.versions.contains(version) && is_tagged(f, version, true)
        });
        match known {
            Some(i) => values[i] = Some(read_field(sub, &fields[i], version, true)?),
            None => sub.r.skip_rest(),
        }
        Ok(())
    })?;
    let mut out = Map::new();
    for (f, v) in fields.iter().zip(values) {
        if !f.versions.contains(version) {
            continue;
        }
        if is_tagged(f, version, flexible) {
            // Converters print a tagged field only when it differs from its default.
            if let Some(v) = v {
                if v != default_value(f, version) {
                    out.insert(f.name.to_owned(), v);
                }
            }
        } else if let Some(v) = v {
            out.insert(f.name.to_owned(), v);
        }
    }
    Ok(out)
}

fn read_field(
    r: &mut FlexReader<'_>,
    f: &Field,
    version: i16,
    tagged: bool,
) -> Result<Value, WireError> {
    let nullable = f.nullable.contains(version);
    match f.ty {
        FieldType::One(Element::Struct(fields)) => {
            if nullable {
                let present = if tagged {
                    r.r.unsigned_varint()? > 0
                } else {
                    r.r.i8()? >= 0
                };
                if !present {
                    return Ok(Value::Null);
                }
            }
            Ok(Value::Object(read_struct(r, fields, version)?))
        }
        FieldType::One(e) => read_element(r, e, f.name, nullable, version),
        FieldType::Array(e) => {
            let Some(n) = r.nullable_array_len(f.name)? else {
                if nullable {
                    return Ok(Value::Null);
                }
                return Err(WireError::UnexpectedNull {
                    field: f.name,
                    position: r.r.position(),
                });
            };
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(read_element(r, e, f.name, false, version)?);
            }
            Ok(Value::Array(items))
        }
    }
}

fn read_element(
    r: &mut FlexReader<'_>,
    e: Element,
    name: &'static str,
    nullable: bool,
    version: i16,
) -> Result<Value, WireError> {
    let null_or = |v: Option<Value>, r: &FlexReader<'_>| match v {
        Some(v) => Ok(v),
        None if nullable => Ok(Value::Null),
        None => Err(WireError::UnexpectedNull {
            field: name,
            position: r.r.position(),
        }),
    };
    Ok(match e {
        Element::Bool => Value::Bool(r.r.bool()?),
        Element::Int8 => Value::from(r.r.i8()?),
        Element::Int16 => Value::from(r.r.i16()?),
        Element::Uint16 => Value::from(r.r.u16()?),
        Element::Int32 => Value::from(r.r.i32()?),
        Element::Uint32 => Value::from(r.r.i32()? as u32),
        Element::Int64 => Value::from(r.r.i64()?),
        Element::Float64 => float_json(f64::from_bits(r.r.i64()? as u64)),
        Element::Uuid => Value::String(kafka_uuid_string(&r.r.uuid()?)),
        Element::String => {
            let s = r.nullable_string(name)?.map(Value::String);
            null_or(s, r)?
        }
        Element::Bytes | Element::Records => {
            let b = r
                .nullable_bytes(name)?
                .map(|b| Value::String(STANDARD.encode(&b)));
            null_or(b, r)?
        }
        Element::Struct(fields) => Value::Object(read_struct(r, fields, version)?),
    })
}

/// Kafka's `Uuid.toString()`: the 16 bytes in URL-safe base64 without padding.
pub(crate) fn kafka_uuid_string(u: &Uuid) -> String {
    URL_SAFE_NO_PAD.encode(u.as_bytes())
}

/// The JSON value a field takes when absent, from the schema's `default`.
fn default_value(f: &Field, version: i16) -> Value {
    let d = f.default;
    if d == "null" {
        return Value::Null;
    }
    match f.ty {
        FieldType::Array(_) => Value::Array(Vec::new()),
        FieldType::One(e) => match e {
            Element::Bool => Value::Bool(d == "true"),
            Element::Int8
            | Element::Int16
            | Element::Uint16
            | Element::Int32
            | Element::Uint32
            | Element::Int64 => Value::from(parse_int(d)),
            Element::Float64 => float_json(d.parse::<f64>().unwrap_or(0.0)),
            Element::Uuid => Value::String(kafka_uuid_string(&Uuid::nil())),
            Element::String => Value::String(d.to_owned()),
            Element::Bytes | Element::Records => Value::String(String::new()),
            Element::Struct(fields) => {
                let mut out = Map::new();
                for sf in fields {
                    if sf.versions.contains(version) && !sf.tagged.contains(version) {
                        out.insert(sf.name.to_owned(), default_value(sf, version));
                    }
                }
                Value::Object(out)
            }
        },
    }
}

fn parse_int(d: &str) -> i64 {
    let (neg, digits) = match d.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, d),
    };
    let v = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => i64::from_str_radix(hex, 16).unwrap_or(0),
        None => digits.parse::<i64>().unwrap_or(0),
    };
    if neg {
        -v
    } else {
        v
    }
}

fn write_struct(
    w: &mut FlexWriter,
    fields: &'static [Field],
    version: i16,
    json: &Value,
    context: &'static str,
) -> Result<(), SchemaError> {
    let obj = match json {
        Value::Object(m) => Some(m),
        Value::Null => None,
        other => {
            return Err(SchemaError::JsonType {
                field: context,
                expected: "object",
                found: other.to_string(),
            })
        }
    };
    let flexible = w.flexible;
    let mut tagged = Vec::new();
    for f in fields {
        if !f.versions.contains(version) {
            continue;
        }
        let default = default_value(f, version);
        let v = obj.and_then(|m| m.get(f.name)).unwrap_or(&default);
        if is_tagged(f, version, flexible) {
            if *v != default {
                let mut sub = FlexWriter::new(true);
                write_field(&mut sub, f, version, v, true)?;
                tagged.push((f.tag, sub.into_inner()));
            }
        } else {
            write_field(w, f, version, v, false)?;
        }
    }
    tagged.sort_by_key(|(tag, _)| *tag);
    w.tagged(&tagged);
    Ok(())
}

fn json_type(field: &'static str, expected: &'static str, v: &Value) -> SchemaError {
    SchemaError::JsonType {
        field,
        expected,
        found: v.to_string(),
    }
}

fn write_field(
    w: &mut FlexWriter,
    f: &Field,
    version: i16,
    v: &Value,
    tagged: bool,
) -> Result<(), SchemaError> {
    let nullable = f.nullable.contains(version);
    match f.ty {
        FieldType::One(Element::Struct(fields)) => {
            if nullable {
                if v.is_null() {
                    if tagged {
                        w.w.put_unsigned_varint(0);
                    } else {
                        w.w.put_i8(-1);
                    }
                    return Ok(());
                }
                if tagged {
                    w.w.put_unsigned_varint(1);
                } else {
                    w.w.put_i8(1);
                }
            }
            write_struct(w, fields, version, v, f.name)
        }
        FieldType::One(e) => write_element(w, e, f.name, nullable, version, v),
        FieldType::Array(e) => match v {
            Value::Null if nullable => {
                w.array_len(None);
                Ok(())
            }
            Value::Array(items) => {
                w.array_len(Some(items.len()));
                for item in items {
                    write_element(w, e, f.name, false, version, item)?;
                }
                Ok(())
            }
            other => Err(json_type(f.name, "array", other)),
        },
    }
}

fn int_of(name: &'static str, v: &Value, min: i64, max: i64) -> Result<i64, SchemaError> {
    v.as_i64()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| json_type(name, "integer in range", v))
}

fn write_element(
    w: &mut FlexWriter,
    e: Element,
    name: &'static str,
    nullable: bool,
    version: i16,
    v: &Value,
) -> Result<(), SchemaError> {
    match e {
        Element::Bool => {
            w.w.put_bool(v.as_bool().ok_or_else(|| json_type(name, "bool", v))?)
        }
        Element::Int8 => {
            w.w.put_i8(int_of(name, v, i8::MIN.into(), i8::MAX.into())? as i8)
        }
        Element::Int16 => {
            w.w.put_i16(int_of(name, v, i16::MIN.into(), i16::MAX.into())? as i16)
        }
        Element::Uint16 => w.w.put_u16(int_of(name, v, 0, u16::MAX.into())? as u16),
        Element::Int32 => {
            w.w.put_i32(int_of(name, v, i32::MIN.into(), i32::MAX.into())? as i32)
        }
        Element::Uint32 => {
            w.w.put_i32(int_of(name, v, 0, u32::MAX.into())? as u32 as i32)
        }
        Element::Int64 => w.w.put_i64(int_of(name, v, i64::MIN, i64::MAX)?),
        Element::Float64 => {
            let x = v
                .as_f64()
                .or_else(|| v.as_str().and_then(non_finite_float))
                .ok_or_else(|| json_type(name, "number", v))?;
            w.w.put_i64(x.to_bits() as i64);
        }
        Element::Uuid => {
            let s = v.as_str().ok_or_else(|| json_type(name, "uuid", v))?;
            let raw = URL_SAFE_NO_PAD
                .decode(s)
                .ok()
                .and_then(|b| <[u8; 16]>::try_from(b).ok())
                .ok_or_else(|| json_type(name, "uuid", v))?;
            w.w.put_uuid(&Uuid::from_bytes(raw));
        }
        Element::String => match v {
            Value::Null if nullable => w.nullable_string(None),
            Value::String(s) => w.string(s),
            other => return Err(json_type(name, "string", other)),
        },
        Element::Bytes | Element::Records => match v {
            Value::Null if nullable => w.nullable_bytes(None),
            Value::String(s) => {
                let b = STANDARD
                    .decode(s)
                    .map_err(|_| json_type(name, "base64", v))?;
                w.bytes(&b);
            }
            other => return Err(json_type(name, "base64 string", other)),
        },
        Element::Struct(fields) => write_struct(w, fields, version, v, name)?,
    }
    Ok(())
}

/// A float64 as Kafka's JSON converters print it: a number, or for the values JSON numbers cannot
/// hold the strings Jackson writes by default ("NaN", "Infinity", "-Infinity").
fn float_json(x: f64) -> Value {
    match Number::from_f64(x) {
        Some(n) => Value::Number(n),
        None if x.is_nan() => Value::String("NaN".to_owned()),
        None if x > 0.0 => Value::String("Infinity".to_owned()),
        None => Value::String("-Infinity".to_owned()),
    }
}

/// The inverse of [`float_json`] for its strings.
fn non_finite_float(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}
