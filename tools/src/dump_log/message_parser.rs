//! How record keys and values are rendered with `--print-data-log`: Kafka's StringDecoder
//! (UTF-8, lossy) or hex by default, or one of the internal-topic decoders
//! (`--offsets-decoder`, `--transaction-log-decoder`, `--cluster-metadata-decoder`,
//! `--remote-log-metadata-decoder`) with Kafka's output and Kafka's per-record error texts.

use strata_protocol::record_batch::Record;

/// A rendered key or payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rendered {
    /// Plain text (a string decoder, hex, or an error line).
    Text(String),
    /// Text that is itself JSON (the decoders' output), embedded as JSON by `--json`.
    Json(String),
}

impl Rendered {
    /// The text printed after `key: ` / `payload: `.
    pub(crate) fn text(&self) -> &str {
        match self {
            Self::Text(text) | Self::Json(text) => text,
        }
    }
}

/// The key and payload of one record as printed (either may be absent).
pub(crate) type KeyAndPayload = (Option<Rendered>, Option<Rendered>);

/// Which decoder renders keys and values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MessageParser {
    /// Raw bytes: UTF-8 text (Kafka's StringDecoder) or hex.
    Bytes {
        /// Lowercase hex instead of text.
        hex: bool,
    },
    /// `__consumer_offsets` records.
    Offsets,
    /// `__transaction_state` records.
    TransactionLog,
    /// KRaft metadata records.
    ClusterMetadata,
    /// `__remote_log_metadata` records.
    RemoteLogMetadata,
}

impl MessageParser {
    /// Renders one record of a non-control batch. An `Err` is a failure Kafka's tool does not
    /// survive either (the offsets decoder on a record without key).
    pub(crate) fn parse(&self, record: &Record) -> Result<KeyAndPayload, String> {
        match self {
            Self::Bytes { hex } => {
                let render = |bytes: &[u8]| {
                    Rendered::Text(if *hex {
                        to_hex(bytes)
                    } else {
                        String::from_utf8_lossy(bytes).into_owned()
                    })
                };
                Ok((
                    record.key.as_deref().map(render),
                    record.value.as_deref().map(render),
                ))
            }
            Self::Offsets => super::internal_topics::offsets(record),
            Self::TransactionLog => super::internal_topics::transaction_log(record),
            Self::ClusterMetadata => Ok(super::internal_topics::cluster_metadata(record)),
            Self::RemoteLogMetadata => Ok(super::internal_topics::remote_log_metadata(record)),
        }
    }
}

/// Lowercase hex of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}
