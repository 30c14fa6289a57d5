//! Java `.properties` text: the syntax of Kafka's `server.properties`.
//!
//! Lines starting with `#` or `!` (after leading whitespace) are comments. A key ends at the first
//! unescaped `=`, `:` or whitespace; the separator may be surrounded by whitespace. A line ending in
//! an odd number of backslashes continues on the next line (leading whitespace of the next line is
//! dropped). Escapes `\t \n \r \f \uXXXX` are decoded, any other escaped character stands for itself.

use std::collections::BTreeMap;

use super::ConfigError;

/// Parses properties text into key → value; later duplicates replace earlier ones (as Java does).
pub(crate) fn parse_properties(text: &str) -> Result<BTreeMap<String, String>, ConfigError> {
    let mut properties = BTreeMap::new();
    let mut lines = text.lines().enumerate();
    while let Some((index, first)) = lines.next() {
        let trimmed = first.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('!') {
            continue;
        }
        let mut logical = String::from(trimmed);
        while ends_with_continuation(&logical) {
            logical.pop();
            match lines.next() {
                Some((_, next)) => logical.push_str(next.trim_start()),
                None => break,
            }
        }
        let (key, value) = split_key_value(&logical);
        let key = unescape(key, index + 1)?;
        let value = unescape(value, index + 1)?;
        properties.insert(key, value.trim_end().to_string());
    }
    Ok(properties)
}

fn ends_with_continuation(line: &str) -> bool {
    let backslashes = line.chars().rev().take_while(|c| *c == '\\').count();
    backslashes % 2 == 1
}

/// Splits at the first unescaped separator; returns raw (still escaped) key and value.
fn split_key_value(line: &str) -> (&str, &str) {
    let bytes = line.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 2,
            b'=' | b':' | b' ' | b'\t' | b'\x0c' => break,
            _ => index += 1,
        }
    }
    let key_end = index.min(bytes.len());
    let mut rest = &line[key_end..];
    rest = rest.trim_start_matches([' ', '\t', '\x0c']);
    if let Some(stripped) = rest.strip_prefix(['=', ':']) {
        rest = stripped.trim_start_matches([' ', '\t', '\x0c']);
    }
    (&line[..key_end], rest)
}

fn unescape(raw: &str, line: usize) -> Result<String, ConfigError> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\x0c'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| ConfigError::Syntax {
                        line,
                        reason: format!("malformed \\u escape `\\u{hex}`"),
                    })?;
                out.push(code);
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> BTreeMap<String, String> {
        parse_properties(text).expect("valid properties")
    }

    #[test]
    fn comments_blank_lines_and_both_separators_are_understood() {
        let props = parse(
            "# comment\n! also comment\n\n  node.id = 3\nlog.dirs: /tmp/a\nnum.partitions 4\n",
        );
        assert_eq!(props.get("node.id").map(String::as_str), Some("3"));
        assert_eq!(props.get("log.dirs").map(String::as_str), Some("/tmp/a"));
        assert_eq!(props.get("num.partitions").map(String::as_str), Some("4"));
        assert_eq!(props.len(), 3);
    }

    #[test]
    fn continuation_lines_join_and_escapes_decode() {
        let props = parse("listeners=PLAINTEXT://a:1,\\\n    CONTROLLER://b:2\nkey\\=x=v\\u0041\n");
        assert_eq!(
            props.get("listeners").map(String::as_str),
            Some("PLAINTEXT://a:1,CONTROLLER://b:2")
        );
        assert_eq!(props.get("key=x").map(String::as_str), Some("vA"));
    }

    #[test]
    fn later_duplicate_wins_and_value_may_be_empty() {
        let props = parse("a=1\na=2\nb=\n");
        assert_eq!(props.get("a").map(String::as_str), Some("2"));
        assert_eq!(props.get("b").map(String::as_str), Some(""));
    }
}
