//! `strata metadata-shell`: Kafka's `kafka-metadata-shell.sh` over Strata's and Kafka's
//! metadata files, plus a live mode over the Kafka protocol.
//!
//! Flow: a source (`--snapshot FILE`, `--directory DIR`, `--bootstrap-server HOST:PORT`) is
//! loaded into a [`image::ShellImage`] → the tree of [`node`] is built from it → commands run
//! against the tree, interactively ([`interactive`]) or once from the command line.

mod commands;
mod extra_records;
mod glob;
mod image;
mod interactive;
mod kafka_names;
mod live;
mod loader;
mod node;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use commands::{parse_command, Outcome, ShellState};

/// Options of `strata metadata-shell`.
#[derive(Debug, Args)]
#[command(
    about = "The Apache Kafka metadata shell, for Strata and Kafka metadata logs",
    long_about = "Browse the KRaft metadata image as a file system. Exactly one source: \
                  --snapshot (a metadata .log segment or .checkpoint file), --directory (a \
                  __cluster_metadata-0 directory: newest snapshot, then the log after it) or \
                  --bootstrap-server (a running node, over the Kafka protocol). With a command \
                  after the options it runs that command and exits; without one it starts the \
                  interactive shell."
)]
pub(crate) struct MetadataShellArgs {
    /// The snapshot file to read: a metadata `.log` segment or a `.checkpoint` file.
    #[arg(short = 's', long = "snapshot", value_name = "FILE")]
    snapshot: Option<PathBuf>,
    /// A `__cluster_metadata-0` directory (or the log directory that holds it): loads the newest
    /// `.checkpoint`, then every log batch after it.
    #[arg(short = 'd', long = "directory", value_name = "DIR")]
    directory: Option<PathBuf>,
    /// Read a private in-memory copy of the directory's files instead of taking the log
    /// directory's lock, so the metadata of a running node can be inspected (a batch the node
    /// is still writing is ignored).
    #[arg(long = "copy", requires = "directory")]
    copy: bool,
    /// A running node's client listener: the image is rebuilt from its ApiVersions,
    /// DescribeCluster, Metadata, DescribeConfigs and DescribeQuorum answers. Only
    /// /image/{provenance,features,cluster/brokers,topics,configs} exist in this mode.
    #[arg(long = "bootstrap-server", value_name = "HOST:PORT")]
    bootstrap_server: Option<String>,
    /// Non-interactive mode: exit with status 1 when the command names a path that does not
    /// exist, is of the wrong kind, or is not a valid command. Without it the status is
    /// Kafka's: the message is printed and the exit status is 0 (Strata extension).
    #[arg(long = "strict")]
    strict: bool,
    /// The command to run (non-interactive mode), e.g. `ls /image/topics/byName`.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    command: Vec<String>,
}

/// Runs the shell. The exit code is 1 when loading fails; a non-interactive command that names
/// something that does not exist prints Kafka's message and exits 0 as Kafka does, or 1 under
/// `--strict`.
pub(crate) fn run(args: MetadataShellArgs) -> ExitCode {
    let sources = usize::from(args.snapshot.is_some())
        + usize::from(args.directory.is_some())
        + usize::from(args.bootstrap_server.is_some());
    if sources != 1 {
        eprintln!(
            "Error: give exactly one of --snapshot FILE, --directory DIR or --bootstrap-server HOST:PORT"
        );
        return ExitCode::from(1);
    }
    let interactive = args.command.is_empty();
    if interactive {
        println!("Loading...");
    }
    let loaded = if let Some(file) = &args.snapshot {
        loader::load_file(file, true).map_err(|e| e.to_string())
    } else if let Some(dir) = &args.directory {
        loader::load_directory(dir, args.copy).map_err(|e| e.to_string())
    } else {
        let server = args.bootstrap_server.as_deref().unwrap_or_default();
        live::load_live(server).map_err(|e| e.to_string())
    };
    let image = match loaded {
        Ok(image) => image,
        Err(message) => {
            eprintln!("Error: {message}");
            return ExitCode::from(1);
        }
    };
    let mut state = ShellState::new(node::root(&image));
    if interactive {
        println!("Starting...");
        return match interactive::run_main_loop(state) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("Error: {e}");
                ExitCode::from(1)
            }
        };
    }
    let command = parse_command(&args.command, false);
    let mut out = String::new();
    let outcome = state.run(&command, &mut out);
    print!("{out}");
    match outcome {
        Outcome::Failed if args.strict => ExitCode::from(1),
        Outcome::Failed | Outcome::Ok | Outcome::Exit => ExitCode::SUCCESS,
    }
}
