//! A tiny ordered JSON object writer: field order matters (Kafka's JSON converters write fields
//! in schema order, and `--json` lines read best in the text order), and the workspace's
//! `serde_json` map is sorted.

use std::fmt::Write as _;

/// Builds one compact JSON object, fields in insertion order.
#[derive(Debug)]
pub(crate) struct JsonObject {
    text: String,
    empty: bool,
}

impl JsonObject {
    /// An empty object.
    pub(crate) fn new() -> Self {
        Self {
            text: String::from("{"),
            empty: true,
        }
    }

    fn key(&mut self, key: &str) {
        if !self.empty {
            self.text.push(',');
        }
        self.empty = false;
        self.text.push_str(&json_string(key));
        self.text.push(':');
    }

    /// Adds a string field (escaped as Jackson does).
    pub(crate) fn string(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        self.text.push_str(&json_string(value));
        self
    }

    /// Adds a number or boolean field.
    pub(crate) fn number(mut self, key: &str, value: impl std::fmt::Display) -> Self {
        self.key(key);
        // Writing to a String cannot fail.
        let _ = write!(self.text, "{value}");
        self
    }

    /// Adds a field whose value is already JSON text.
    pub(crate) fn raw(mut self, key: &str, json: &str) -> Self {
        self.key(key);
        self.text.push_str(json);
        self
    }

    /// Adds `null`.
    pub(crate) fn null(mut self, key: &str) -> Self {
        self.key(key);
        self.text.push_str("null");
        self
    }

    /// The finished object.
    pub(crate) fn finish(mut self) -> String {
        self.text.push('}');
        self.text
    }
}

/// A JSON string literal for `value`.
pub(crate) fn json_string(value: &str) -> String {
    serde_json::Value::from(value).to_string()
}

/// A JSON array of already-rendered JSON values.
pub(crate) fn json_array(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    format!("[{}]", items.join(","))
}
