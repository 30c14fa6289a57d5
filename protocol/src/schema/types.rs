//! The shape of a transcribed Kafka message schema: what `transcribe.py` emits and
//! [`super::generic`] interprets.

/// The highest version an open range (`"N+"`) reaches.
pub const MAX: i16 = i16::MAX;

/// An inclusive version range; empty when `min > max` (Kafka's `"none"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versions {
    /// Lowest version in the range.
    pub min: i16,
    /// Highest version in the range.
    pub max: i16,
}

impl Versions {
    /// True when `version` is in the range.
    pub fn contains(&self, version: i16) -> bool {
        self.min <= version && version <= self.max
    }
}

/// The type of one array element or one single value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    /// `bool`.
    Bool,
    /// `int8`.
    Int8,
    /// `int16`.
    Int16,
    /// `uint16`.
    Uint16,
    /// `int32`.
    Int32,
    /// `uint32`.
    Uint32,
    /// `int64`.
    Int64,
    /// `float64`.
    Float64,
    /// `uuid`.
    Uuid,
    /// `string`.
    String,
    /// `bytes`.
    Bytes,
    /// `records` (a nullable byte blob here).
    Records,
    /// A nested struct with these fields.
    Struct(&'static [Field]),
}

/// A field's type: one value or an array of values (Kafka has no nested arrays).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// A single value.
    One(Element),
    /// `[]element`.
    Array(Element),
}

/// One field of a schema, with Kafka's name in camelCase (as the JSON converters print it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The JSON name: the schema's name with its first letter lower-cased.
    pub name: &'static str,
    /// The type.
    pub ty: FieldType,
    /// Versions in which the field exists.
    pub versions: Versions,
    /// Versions in which it may be null.
    pub nullable: Versions,
    /// Versions in which it is a tagged field.
    pub tagged: Versions,
    /// Its tag, when tagged.
    pub tag: u32,
    /// The schema's default as written there ("" = the type's default).
    pub default: &'static str,
}

/// One message schema (a record type of an internal topic or of the metadata log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageSchema {
    /// Kafka's name (`TopicRecord`).
    pub name: &'static str,
    /// The api key, for metadata-style records.
    pub api_key: Option<i16>,
    /// Valid versions.
    pub valid: Versions,
    /// Flexible versions.
    pub flexible: Versions,
    /// The top-level fields.
    pub fields: &'static [Field],
}
