//! `projection-service`: serve queries and consume events (the default), or `rebuild` the
//! read models from the event store while a running service keeps serving. Configuration
//! from the environment (see `projection::config`).

use anyhow::Context;
use clap::{Parser, Subcommand};
use projection::rebuild::{RebuildOptions, rebuild};
use projection::{Config, init_telemetry, run};

#[derive(Debug, Parser)]
#[command(
    name = "projection-service",
    about = "Read models of the inspections system"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Consume events and serve queries (the default).
    Serve,
    /// Replay the event store (read directly) into fresh tables and swap them in; queries
    /// keep being answered from the current tables meanwhile. Progress goes to stderr.
    Rebuild {
        /// Events per transaction.
        #[arg(long, default_value_t = 5000)]
        batch_size: i64,
        /// Compare every table with its copy row for row before swapping; refuse on a
        /// difference.
        #[arg(long)]
        verify: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_telemetry();
    let cli = Cli::parse();
    let config = Config::from_env().context("reading configuration")?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Rebuild { batch_size, verify } => {
            let calendar = projection::load_calendar(&config)?;
            let (_never, mut stop) = tokio::sync::watch::channel(false);
            let pool = projection::prepare_database(&config.database_url, &mut stop)
                .await?
                .context("stopped before the database was ready")?;
            let store = projection::event_store(&config.eventstore_url)?;
            let options = RebuildOptions {
                batch_size,
                verify,
                ..RebuildOptions::default()
            };
            let report = rebuild(&pool, &store, &calendar, &options, |p| eprintln!("{p}"))
                .await
                .context("rebuild failed")?;
            eprintln!(
                "rebuild: swapped in after {:.1}s: {} events replayed ({:.0} events/s), {} caught up, {} streams held back, differences {:?}",
                report.elapsed.as_secs_f64(),
                report.replayed,
                report.rate,
                report.caught_up,
                report.held_streams,
                report.differences
            );
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.grpc_addr)
        .await
        .with_context(|| format!("binding {}", config.grpc_addr))?;
    tracing::info!(addr = %config.grpc_addr, "projection service listening");
    run(config, listener, shutdown_signal())
        .await
        .context("projection service failed")
}

/// Completes on the first SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for sigint");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for sigterm");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("sigint received"),
        () = terminate => tracing::info!("sigterm received"),
    }
}
