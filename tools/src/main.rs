//! `strata`: run a node (`serve`) and, later, the operator tools. Thin: argument parsing and
//! presentation over the library crates.

mod admin;
mod client;
mod commands;
mod dump_log;
mod metadata_quorum;
mod metadata_shell;

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
    /// Admin commands over the Kafka protocol (topic, config, produce, consume, group, ...).
    #[command(flatten)]
    Admin(admin::AdminCommand),
    /// Dump log segments, indexes and snapshots as Kafka's kafka-dump-log.sh does.
    DumpLog(dump_log::DumpLogArgs),
    /// Browse the KRaft metadata image as kafka-metadata-shell.sh does.
    MetadataShell(metadata_shell::MetadataShellArgs),
    /// Describe the metadata quorum as kafka-metadata-quorum.sh does.
    MetadataQuorum(metadata_quorum::MetadataQuorumArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => commands::serve::run(args),
        Command::Admin(command) => admin::run(command),
        Command::DumpLog(args) => dump_log::run(args),
        Command::MetadataShell(args) => metadata_shell::run(args),
        Command::MetadataQuorum(args) => metadata_quorum::run(args),
    }
}
