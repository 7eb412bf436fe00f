//! `command-service`: the write side's binary. Configuration from the environment (see
//! `command_service::config`), graceful shutdown on SIGINT and SIGTERM.

use anyhow::Context;
use command_service::{Config, init_telemetry, run};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_telemetry();
    let config = Config::from_env().context("reading configuration")?;
    let listener = tokio::net::TcpListener::bind(config.grpc_addr)
        .await
        .with_context(|| format!("binding {}", config.grpc_addr))?;
    tracing::info!(addr = %config.grpc_addr, "command service listening");
    run(config, listener, shutdown_signal())
        .await
        .context("command service failed")?;
    Ok(())
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
