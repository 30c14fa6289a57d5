//! Presentation shared by the admin commands: the connection options every command takes, the
//! output format, and aligned text tables.

use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::client::{Client, ClientError, BOOTSTRAP_DEFAULT};

/// Options every admin command takes.
#[derive(Debug, Clone, Args)]
pub(crate) struct ConnectArgs {
    /// Broker(s) to bootstrap from, `HOST:PORT[,HOST:PORT...]`.
    #[arg(long, value_name = "HOST:PORT", default_value = BOOTSTRAP_DEFAULT)]
    pub(crate) bootstrap_server: String,
    /// How long one request may take before the command fails.
    #[arg(long, value_name = "MS", default_value_t = 30_000)]
    pub(crate) request_timeout_ms: u64,
    /// Output format: aligned tables for people, or one JSON document for scripts.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) output: OutputFormat,
}

impl ConnectArgs {
    /// Connects to the bootstrap servers.
    pub(crate) async fn connect(&self) -> Result<Client, ClientError> {
        Client::connect(
            &self.bootstrap_server,
            Duration::from_millis(self.request_timeout_ms),
        )
        .await
    }

    /// Whether JSON was asked for.
    pub(crate) fn json(&self) -> bool {
        self.output == OutputFormat::Json
    }
}

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Aligned columns.
    Table,
    /// JSON on stdout (one document, or one object per line for `consume`).
    Json,
}

/// A text table whose columns are padded to their widest cell. The last column is not padded,
/// so lines carry no trailing spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Spaces between columns.
const COLUMN_GAP: usize = 2;

impl Table {
    /// A table with these column headers.
    pub(crate) fn new(headers: &[&str]) -> Self {
        Table {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; missing cells are empty, extra cells are a programmer error.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        assert!(
            cells.len() <= self.headers.len(),
            "row has {} cells for {} columns",
            cells.len(),
            self.headers.len()
        );
        self.rows.push(cells);
    }

    /// Whether no rows were added.
    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as text, one line per row after the header, each ending in `\n`.
    pub(crate) fn render(&self) -> String {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let empty = String::new();
        for line in std::iter::once(&self.headers).chain(self.rows.iter()) {
            let mut text = String::new();
            for (i, width) in widths.iter().enumerate() {
                let cell = line.get(i).unwrap_or(&empty);
                text.push_str(cell);
                if i + 1 < columns {
                    let pad = width - cell.chars().count() + COLUMN_GAP;
                    text.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
        out
    }

    /// Prints the table to stdout.
    pub(crate) fn print(&self) {
        print!("{}", self.render());
    }
}

/// Prints a JSON value on stdout, pretty when it is a document.
pub(crate) fn print_json(value: &serde_json::Value) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(error) => eprintln!("strata: cannot render JSON: {error}"),
    }
}

/// Parses `k=v`; the value may contain `=`.
pub(crate) fn parse_key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got '{text}'")),
    }
}

/// A list of node ids as Kafka prints them: `1,2,3`.
pub(crate) fn join_ids(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_to_the_widest_cell_without_trailing_spaces() {
        let mut table = Table::new(&["TOPIC", "PARTITION", "OFFSET"]);
        table.row(vec!["orders".into(), "0".into(), "12".into()]);
        table.row(vec!["a".into(), "10".into(), "3".into()]);
        assert_eq!(
            table.render(),
            "TOPIC   PARTITION  OFFSET\norders  0          12\na       10         3\n"
        );
    }

    #[test]
    fn short_rows_leave_cells_empty() {
        let mut table = Table::new(&["A", "B", "C"]);
        table.row(vec!["x".into()]);
        assert_eq!(table.render(), "A  B  C\nx\n");
    }

    #[test]
    fn width_counts_characters_not_bytes() {
        let mut table = Table::new(&["NAME", "X"]);
        table.row(vec!["héllo".into(), "1".into()]);
        assert_eq!(table.render(), "NAME   X\nhéllo  1\n");
    }

    #[test]
    #[should_panic(expected = "row has 2 cells for 1 columns")]
    fn extra_cells_are_a_programmer_error() {
        Table::new(&["A"]).row(vec!["1".into(), "2".into()]);
    }

    #[test]
    fn key_value_splits_at_the_first_equals() {
        assert_eq!(
            parse_key_value("a=b=c"),
            Ok(("a".to_owned(), "b=c".to_owned()))
        );
        assert!(parse_key_value("novalue").is_err());
        assert!(parse_key_value("=x").is_err());
    }
}
