//! Which `__consumer_offsets` partition holds a group: Kafka's
//! `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions`.
//!
//! Every Kafka broker and client tool computes this the same way, so a group written by Kafka
//! lands on the partition Strata reads it from (and `dump-log` output lines up). Java's
//! `String.hashCode` runs over UTF-16 code units with wrapping 32-bit arithmetic, and Kafka's
//! `Utils.abs` maps `Integer.MIN_VALUE` to 0 (not to itself, as `Math.abs` would).

/// Java's `String.hashCode`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units, wrapping.
pub(crate) fn java_string_hash(text: &str) -> i32 {
    text.encode_utf16().fold(0_i32, |hash, unit| {
        hash.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// Kafka's `Utils.abs`: `n & 0x7fffffff`, so `i32::MIN` becomes 0.
fn kafka_abs(n: i32) -> i32 {
    n & i32::MAX
}

/// The `__consumer_offsets` partition of `group_id` among `partitions` (≥ 1).
pub(crate) fn partition_for_group(group_id: &str, partitions: i32) -> i32 {
    debug_assert!(
        partitions >= 1,
        "offsets.topic.num.partitions is validated to be at least 1"
    );
    kafka_abs(java_string_hash(group_id)) % partitions.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_matches_java_string_hash_code() {
        // Worked by hand from s[0]*31^(n-1) + ... + s[n-1]:
        // "a" = 97; "ab" = 97*31 + 98 = 3105; "abc" = 3105*31 + 99 = 96354.
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("ab"), 3105);
        assert_eq!(java_string_hash("abc"), 96354);
        // "hello": 104, 3325 (104*31+101), 103183, 3198781, 99162322 — no overflow yet.
        assert_eq!(java_string_hash("hello"), 99_162_322);
        // "hello world" overflows: 99162322*31 + 32 = 3074032014 → wraps to -1220935282,
        // continued over "world" it is Java's well-known value 1794106052.
        assert_eq!(java_string_hash("hello world"), 1_794_106_052);
    }

    #[test]
    fn hash_runs_over_utf16_code_units() {
        // 'é' is one UTF-16 unit (0xE9 = 233) but two UTF-8 bytes.
        assert_eq!(java_string_hash("é"), 233);
        // U+1F600 is the surrogate pair D83D DE00: 0xD83D*31 + 0xDE00 = 55357*31 + 56832 = 1772899.
        assert_eq!(java_string_hash("\u{1F600}"), 1_772_899);
    }

    #[test]
    fn partition_is_abs_hash_modulo_partitions() {
        // "abc" = 96354; 96354 % 50 = 4.
        assert_eq!(partition_for_group("abc", 50), 4);
        // "hello world" = 1794106052; % 50 = 2.
        assert_eq!(partition_for_group("hello world", 50), 2);
        assert_eq!(partition_for_group("anything", 1), 0);
    }

    #[test]
    fn negative_hash_uses_kafka_abs_not_negation() {
        // "polygenelubricants" has Java hashCode Integer.MIN_VALUE (a known example): Utils.abs
        // maps it to 0, so it lands on partition 0.
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
        assert_eq!(partition_for_group("polygenelubricants", 50), 0);
        // A plain negative hash: "hello world!" is -217287203; masking the sign bit gives
        // 1930196445, and 1930196445 % 7 = 2 (negation would give 217287203 % 7 = 0).
        assert_eq!(java_string_hash("hello world!"), -217_287_203);
        assert_eq!(partition_for_group("hello world!", 7), 2);
    }
}
