//! How Kafka's Java code names ids and prints values: enum names by wire id, `MetadataVersion`
//! strings by feature level, `Double.toString`, and `ISO_ZONED_DATE_TIME` in UTC.

/// `MetadataVersion.toString()` by feature level; absent = Kafka's empty image
/// (`MINIMUM_KRAFT_VERSION`, 3.0-IV1).
pub(crate) fn metadata_version(level: Option<i16>) -> String {
    const BY_LEVEL: [&str; 25] = [
        "3.0-IV1", "3.1-IV0", "3.2-IV0", "3.3-IV0", "3.3-IV1", "3.3-IV2", "3.3-IV3", "3.4-IV0",
        "3.5-IV0", "3.5-IV1", "3.5-IV2", "3.6-IV0", "3.6-IV1", "3.6-IV2", "3.7-IV0", "3.7-IV1",
        "3.7-IV2", "3.7-IV3", "3.7-IV4", "3.8-IV0", "3.9-IV0", "4.0-IV0", "4.0-IV1", "4.0-IV2",
        "4.0-IV3",
    ];
    let level = level.unwrap_or(1);
    usize::try_from(level)
        .ok()
        .and_then(|l| l.checked_sub(1))
        .and_then(|i| BY_LEVEL.get(i))
        .map(|s| s.to_string())
        .unwrap_or_else(|| format!("unknown (feature level {level})"))
}

/// `ZkMigrationState` enum names by id.
pub(crate) fn zk_migration_state(id: i8) -> String {
    match id {
        0 => "NONE".to_string(),
        1 => "MIGRATION".to_string(),
        2 => "PRE_MIGRATION".to_string(),
        3 => "POST_MIGRATION".to_string(),
        4 => "ZK".to_string(),
        other => format!("UNKNOWN({other})"),
    }
}

/// `SecurityProtocol` names by id (`forId` gives null for unknown ids).
pub(crate) fn security_protocol(id: i16) -> &'static str {
    match id {
        0 => "PLAINTEXT",
        1 => "SSL",
        2 => "SASL_PLAINTEXT",
        3 => "SASL_SSL",
        _ => "null",
    }
}

/// `ConfigResource.Type` names by id.
pub(crate) fn config_resource_type(id: i8) -> &'static str {
    match id {
        2 => "TOPIC",
        4 => "BROKER",
        8 => "BROKER_LOGGER",
        16 => "CLIENT_METRICS",
        32 => "GROUP",
        _ => "UNKNOWN",
    }
}

/// `ResourceType` names by id.
pub(crate) fn resource_type(id: i8) -> &'static str {
    match id {
        1 => "ANY",
        2 => "TOPIC",
        3 => "GROUP",
        4 => "CLUSTER",
        5 => "TRANSACTIONAL_ID",
        6 => "DELEGATION_TOKEN",
        7 => "USER",
        _ => "UNKNOWN",
    }
}

/// `PatternType` names by id.
pub(crate) fn pattern_type(id: i8) -> &'static str {
    match id {
        1 => "ANY",
        2 => "MATCH",
        3 => "LITERAL",
        4 => "PREFIXED",
        _ => "UNKNOWN",
    }
}

/// `AclOperation` names by id.
pub(crate) fn acl_operation(id: i8) -> &'static str {
    match id {
        1 => "ANY",
        2 => "ALL",
        3 => "READ",
        4 => "WRITE",
        5 => "CREATE",
        6 => "DELETE",
        7 => "ALTER",
        8 => "DESCRIBE",
        9 => "CLUSTER_ACTION",
        10 => "DESCRIBE_CONFIGS",
        11 => "ALTER_CONFIGS",
        12 => "IDEMPOTENT_WRITE",
        13 => "CREATE_TOKENS",
        14 => "DESCRIBE_TOKENS",
        _ => "UNKNOWN",
    }
}

/// `AclPermissionType` names by id.
pub(crate) fn acl_permission_type(id: i8) -> &'static str {
    match id {
        1 => "ANY",
        2 => "DENY",
        3 => "ALLOW",
        _ => "UNKNOWN",
    }
}

/// `ScramMechanism` ids and names, without UNKNOWN (the shell's `/image/scram` children).
pub(crate) fn scram_mechanisms() -> [(i8, &'static str); 2] {
    [(1, "SCRAM-SHA-256"), (2, "SCRAM-SHA-512")]
}

/// Java's `Double.toString(d)`: plain decimals with at least one fractional digit for
/// 10^-3 ≤ |d| < 10^7, otherwise computerized scientific notation (`1.0E7`).
pub(crate) fn java_double(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if value == 0.0 {
        return if value.is_sign_negative() {
            "-0.0"
        } else {
            "0.0"
        }
        .to_string();
    }
    let sign = if value < 0.0 { "-" } else { "" };
    let magnitude = value.abs();
    // Shortest round-trip digits and the decimal exponent, e.g. "1.5e3".
    let scientific = format!("{magnitude:e}");
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("{:e} always prints an exponent");
    let exponent: i32 = exponent.parse().expect("{:e} prints an integer exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (1e-3..1e7).contains(&magnitude) {
        if exponent >= 0 {
            let point = usize::try_from(exponent).expect("non-negative") + 1;
            let mut int_part = digits.clone();
            while int_part.len() < point {
                int_part.push('0');
            }
            let frac = &int_part[point..];
            let frac = if frac.is_empty() { "0" } else { frac };
            format!("{sign}{}.{frac}", &int_part[..point])
        } else {
            let zeros = usize::try_from(-exponent - 1).expect("non-negative");
            format!("{sign}0.{}{digits}", "0".repeat(zeros))
        }
    } else {
        let frac = if digits.len() > 1 { &digits[1..] } else { "0" };
        format!("{sign}{}.{frac}E{exponent}", &digits[..1])
    }
}

/// `DateTimeFormatter.ISO_ZONED_DATE_TIME` of an epoch-millisecond instant in zone `UTC`,
/// e.g. `2024-05-01T12:00:00.5Z[UTC]` (the fraction only when non-zero, without trailing zeros).
pub(crate) fn utc_iso_zoned(epoch_ms: i64) -> String {
    let days = epoch_ms.div_euclid(86_400_000);
    let ms_of_day = epoch_ms.rem_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let hour = ms_of_day / 3_600_000;
    let minute = ms_of_day / 60_000 % 60;
    let second = ms_of_day / 1000 % 60;
    let millis = ms_of_day % 1000;
    let fraction = if millis == 0 {
        String::new()
    } else {
        format!(".{millis:03}").trim_end_matches('0').to_string()
    };
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}Z[UTC]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_like_java() {
        assert_eq!(java_double(1024.0), "1024.0");
        assert_eq!(java_double(0.5), "0.5");
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(12345678.9), "1.23456789E7");
        assert_eq!(java_double(0.0001), "1.0E-4");
        assert_eq!(java_double(0.001), "0.001");
        assert_eq!(java_double(-2.25), "-2.25");
        assert_eq!(java_double(100.0), "100.0");
    }

    #[test]
    fn instants_print_as_iso_zoned_utc() {
        assert_eq!(utc_iso_zoned(0), "1970-01-01T00:00:00Z[UTC]");
        assert_eq!(utc_iso_zoned(-1), "1969-12-31T23:59:59.999Z[UTC]");
        assert_eq!(
            utc_iso_zoned(1_714_564_800_500),
            "2024-05-01T12:00:00.5Z[UTC]"
        );
        assert_eq!(
            utc_iso_zoned(951_782_400_123),
            "2000-02-29T00:00:00.123Z[UTC]"
        );
    }

    #[test]
    fn metadata_versions_follow_kafka_feature_levels() {
        assert_eq!(metadata_version(None), "3.0-IV1");
        assert_eq!(metadata_version(Some(7)), "3.3-IV3");
        assert_eq!(metadata_version(Some(19)), "3.7-IV4");
        assert_eq!(metadata_version(Some(25)), "4.0-IV3");
    }
}
