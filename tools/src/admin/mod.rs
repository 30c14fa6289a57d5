//! The admin commands: `topic`, `config`, `produce`, `consume`, `cluster`, `delete-records`,
//! `get-offsets` and `group`, all over the Kafka protocol against `--bootstrap-server`, so they
//! work against Apache Kafka as well as Strata.
//!
//! Each command prints aligned tables (or JSON with `--output json`) on stdout, progress on
//! stderr, and on failure a message naming the broker's error code and what to do, with exit
//! status 1. Usage errors exit with 2 (clap's convention).

mod cluster;
mod config;
mod consume;
mod datetime;
mod delete_records;
mod get_offsets;
mod group;
mod output;
mod produce;
mod tiering;
mod topic;

use std::process::ExitCode;

use clap::Subcommand;

/// The admin subcommands of `strata`.
#[derive(Debug, Subcommand)]
pub(crate) enum AdminCommand {
    /// Create, list, describe, alter and delete topics.
    #[command(subcommand)]
    Topic(topic::TopicCommand),
    /// Describe and alter topic and broker configs.
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Console producer: one record per input line (keys, headers, compression).
    Produce(produce::ProduceArgs),
    /// Console consumer: print records (from the beginning, an offset, a group's position).
    Consume(consume::ConsumeArgs),
    /// Describe the cluster: id, controller, brokers.
    #[command(subcommand)]
    Cluster(cluster::ClusterCommand),
    /// Delete records before an offset (move the log start offset).
    DeleteRecords(delete_records::DeleteRecordsArgs),
    /// Print partition offsets by time: earliest, latest, max-timestamp or a timestamp.
    GetOffsets(get_offsets::GetOffsetsArgs),
    /// Consumer groups: list, describe (lag), reset offsets, delete.
    #[command(subcommand)]
    Group(group::GroupCommand),
}

/// Runs one admin command to completion; the exit status is 0 on success, 1 on failure.
pub(crate) fn run(command: AdminCommand) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("strata: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match command {
            AdminCommand::Topic(c) => topic::run(c).await,
            AdminCommand::Config(c) => config::run(c).await,
            AdminCommand::Produce(a) => produce::run(a).await,
            AdminCommand::Consume(a) => consume::run(a).await,
            AdminCommand::Cluster(c) => cluster::run(c).await,
            AdminCommand::DeleteRecords(a) => delete_records::run(a).await,
            AdminCommand::GetOffsets(a) => get_offsets::run(a).await,
            AdminCommand::Group(c) => group::run(c).await,
        }
    });
    // The reading thread of `produce` may still block on stdin; do not wait for it.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("strata: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
