//! `strata serve [--config server.properties] [--override key=value]...`: loads the Kafka-style
//! configuration, starts the node, and shuts it down cleanly on SIGTERM or SIGINT. A config error
//! exits with status 2 and names the key; a start or shutdown failure exits with status 1.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use strata_broker::{Broker, KafkaConfig};
use tracing_subscriber::EnvFilter;

/// Arguments of `strata serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// A `server.properties` file (Kafka's property names).
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
    /// Sets one property, overriding the file; repeatable (`--override num.partitions=3`).
    #[arg(long = "override", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
}

/// Log filter when `RUST_LOG` is not set: our crates at info, openraft's chatty internals at warn.
const DEFAULT_LOG_FILTER: &str = "info,openraft=warn";

/// Exit status for an invalid configuration (usage error).
const EXIT_CONFIG_ERROR: u8 = 2;

pub(crate) fn run(args: ServeArgs) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_FILTER)),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = match KafkaConfig::load(args.config.as_deref(), &args.overrides) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("strata: invalid configuration: {error}");
            return ExitCode::from(EXIT_CONFIG_ERROR);
        }
    };
    super::malloc_tuning::tune_for_broker_buffers();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("strata")
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("strata: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("strata: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: KafkaConfig) -> anyhow::Result<()> {
    // Listen for signals before announcing anything, so a SIGTERM right after start is not fatal.
    let signals = ShutdownSignals::install()?;
    let broker = Broker::start(config).await?;
    let trigger = broker.shutdown_trigger();
    tokio::spawn(async move {
        let signal = signals.recv().await;
        tracing::info!(signal, "shutdown requested");
        trigger.trigger();
    });
    for (name, address) in broker.client_addresses() {
        tracing::info!(listener = %name, %address, cluster_id = broker.cluster_id(), "strata is serving");
    }
    broker.wait().await?;
    Ok(())
}

/// SIGTERM and SIGINT handlers, installed up front.
struct ShutdownSignals {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
}

impl ShutdownSignals {
    fn install() -> std::io::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(ShutdownSignals {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    /// Resolves on the first SIGTERM or SIGINT, naming it.
    async fn recv(mut self) -> &'static str {
        tokio::select! {
            _ = self.terminate.recv() => "SIGTERM",
            _ = self.interrupt.recv() => "SIGINT",
        }
    }
}
