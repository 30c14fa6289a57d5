//! The command line of `strata dump-log`: Kafka's DumpLogSegments options (same names, same
//! defaults, same implications between them) plus `--hex` and `--json`.

use std::path::PathBuf;

use clap::Args;

use super::message_parser::MessageParser;

/// Kafka's default `--max-message-size`: 5 MiB.
const MAX_MESSAGE_SIZE_DEFAULT: i32 = 5 * 1024 * 1024;

/// The value Kafka's `--max-bytes` defaults to; only then is the trailing-bytes line printed.
pub(crate) const MAX_BYTES_UNLIMITED: i32 = i32::MAX;

/// The only decoder classes accepted by `--key-decoder-class` / `--value-decoder-class`: Kafka's
/// UTF-8 string decoders, which are also the default. Java classes cannot be loaded here.
const STRING_DECODER_CLASSES: [&str; 2] = [
    "org.apache.kafka.tools.api.StringDecoder",
    "kafka.serializer.StringDecoder",
];

/// Arguments of `strata dump-log`.
#[derive(Debug, Args)]
#[command(
    about = "This tool helps to parse a log file and dump its contents to the console, useful for \
             debugging a seemingly corrupt log segment."
)]
pub(crate) struct DumpLogArgs {
    /// REQUIRED: The comma separated list of data and index log files to be dumped (Strata also
    /// reads tiered objects by s3:// or file:// URL).
    #[arg(long, value_name = "file1, file2, ...", required = true)]
    files: String,
    /// If set, printing the messages content when dumping data logs. Automatically set if any
    /// decoder option is specified.
    #[arg(long)]
    print_data_log: bool,
    /// If set, uses deep instead of shallow iteration. Automatically set if print-data-log is
    /// enabled.
    #[arg(long)]
    deep_iteration: bool,
    /// If set, just verify the index log without printing its content.
    #[arg(long)]
    verify_index_only: bool,
    /// If set, just checks the index sanity without printing its content. This is the same check
    /// that is executed on broker startup to determine if an index needs rebuilding or not.
    #[arg(long)]
    index_sanity_check: bool,
    /// Size of largest message.
    #[arg(long, value_name = "size", default_value_t = MAX_MESSAGE_SIZE_DEFAULT,
          value_parser = clap::value_parser!(i32).range(0..))]
    max_message_size: i32,
    /// Limit the amount of total batches read in bytes avoiding reading the whole .log file(s).
    #[arg(long, value_name = "size", default_value_t = MAX_BYTES_UNLIMITED,
          value_parser = clap::value_parser!(i32).range(0..))]
    max_bytes: i32,
    /// Accepted for compatibility: only Kafka's StringDecoder (the default) is available.
    #[arg(long, value_name = "class", num_args = 0..=1, default_missing_value = STRING_DECODER_CLASSES[0])]
    value_decoder_class: Option<String>,
    /// Accepted for compatibility: only Kafka's StringDecoder (the default) is available.
    #[arg(long, value_name = "class", num_args = 0..=1, default_missing_value = STRING_DECODER_CLASSES[0])]
    key_decoder_class: Option<String>,
    /// If set, log data will be parsed as offset data from the __consumer_offsets topic.
    #[arg(long)]
    offsets_decoder: bool,
    /// If set, log data will be parsed as transaction metadata from the __transaction_state topic.
    #[arg(long)]
    transaction_log_decoder: bool,
    /// If set, log data will be parsed as cluster metadata records.
    #[arg(long)]
    cluster_metadata_decoder: bool,
    /// If set, log data will be parsed as TopicBasedRemoteLogMetadataManager (RLMM) metadata
    /// records.
    #[arg(long)]
    remote_log_metadata_decoder: bool,
    /// Whether to skip printing metadata for each record.
    #[arg(long)]
    skip_record_metadata: bool,
    /// Print keys and payloads as lowercase hex instead of UTF-8 text (Strata extension).
    #[arg(long)]
    hex: bool,
    /// Print one JSON object per line (file, batch, record, index entry...) for scripts (Strata
    /// extension).
    #[arg(long)]
    json: bool,
    /// Exit with status 1 when anything was found wrong in a file that could be dumped (invalid
    /// CRC, trailing bytes, index mismatches, non-consecutive offsets, an unknown file). Without
    /// it the status is Kafka's: such findings are reported and the exit status is 0 (Strata
    /// extension).
    #[arg(long)]
    fail_on_findings: bool,
}

/// What the dump does, resolved from the arguments with Kafka's implications.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The files, in the order given.
    pub(crate) files: Vec<PathBuf>,
    /// Print keys and payloads (implied by any decoder option).
    pub(crate) print_data_log: bool,
    /// Iterate records, not only batches (implied by `print_data_log`).
    pub(crate) deep_iteration: bool,
    /// Verify indexes without printing their entries.
    pub(crate) verify_index_only: bool,
    /// Only run the index sanity check.
    pub(crate) index_sanity_check: bool,
    /// Bytes read from an index entry's position when looking for its batch.
    pub(crate) max_message_bytes: u64,
    /// Bytes of a `.log` read at most (`MAX_BYTES_UNLIMITED` = the whole file).
    pub(crate) max_bytes: i32,
    /// How keys and values are rendered.
    pub(crate) parser: MessageParser,
    /// Omit the per-record metadata.
    pub(crate) skip_record_metadata: bool,
    /// One JSON object per line instead of Kafka's text.
    pub(crate) json: bool,
    /// Findings (not only failures) make the exit status 1.
    pub(crate) fail_on_findings: bool,
}

impl DumpLogArgs {
    /// Resolves the options; an unusable decoder class is a usage error.
    pub(crate) fn settings(self) -> Result<Settings, String> {
        for class in [&self.key_decoder_class, &self.value_decoder_class]
            .into_iter()
            .flatten()
        {
            if !STRING_DECODER_CLASSES.contains(&class.as_str()) {
                return Err(format!(
                    "decoder class {class} cannot be loaded: only {} is available (use --hex for raw bytes)",
                    STRING_DECODER_CLASSES[0]
                ));
            }
        }
        // Kafka's precedence when several decoders are given.
        let parser = if self.offsets_decoder {
            MessageParser::Offsets
        } else if self.transaction_log_decoder {
            MessageParser::TransactionLog
        } else if self.cluster_metadata_decoder {
            MessageParser::ClusterMetadata
        } else if self.remote_log_metadata_decoder {
            MessageParser::RemoteLogMetadata
        } else {
            MessageParser::Bytes { hex: self.hex }
        };
        let print_data_log = self.print_data_log
            || self.offsets_decoder
            || self.transaction_log_decoder
            || self.cluster_metadata_decoder
            || self.remote_log_metadata_decoder
            || self.key_decoder_class.is_some()
            || self.value_decoder_class.is_some();
        // Java's String.split drops trailing empty strings; empty names in the middle would only
        // fail, so all are skipped.
        let files = self
            .files
            .split(',')
            .filter(|f| !f.is_empty())
            .map(PathBuf::from)
            .collect::<Vec<_>>();
        if files.is_empty() {
            return Err("--files names no file".to_string());
        }
        Ok(Settings {
            files,
            print_data_log,
            deep_iteration: self.deep_iteration || print_data_log,
            verify_index_only: self.verify_index_only,
            index_sanity_check: self.index_sanity_check,
            max_message_bytes: u64::try_from(self.max_message_size).unwrap_or(0),
            max_bytes: self.max_bytes,
            parser,
            skip_record_metadata: self.skip_record_metadata,
            json: self.json,
            fail_on_findings: self.fail_on_findings,
        })
    }
}
