//! `strata`: run a node (`serve`) and, later, the operator tools. Thin: argument parsing and
//! presentation over the library crates.

mod commands;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Command line of the `strata` program.
#[derive(Debug, Parser)]
#[command(name = "strata", version, about = "A Kafka-compatible log broker")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a Strata node (combined broker and controller) until SIGTERM or SIGINT.
    Serve(commands::serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => commands::serve::run(args),
    }
}
