//! [`run`]: the gRPC server (commands, health, reflection), start-up and graceful shutdown.
//!
//! The command API is wrapped in the bearer-token authenticator (`auth`); health and
//! reflection are not. TLS (and mTLS) when `OFSTED_TLS_*` are set.
//!
//! Shutdown order: stop accepting and finish in-flight RPCs, then stop the relay after its
//! current batch (acks awaited, cursor stored), then return.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use domain::calendar::Calendar;
use proto::pb;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;

use crate::config::{Config, ConfigError, Environment, check_clock_policy};
use crate::service::CommandService;
use crate::startup::{StartUp, start};

/// Why the service stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The configuration cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `OFSTED_CALENDAR` could not be read or parsed.
    #[error("cannot load calendar {path}: {reason}")]
    Calendar {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The event store's migrations failed (not a connection problem).
    #[error("event store migration failed")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// The relay's table could not be created.
    #[error("relay set-up failed")]
    Relay(#[source] bus::RelayError),
    /// The NATS URL is unusable.
    #[error("nats client: {0}")]
    Nats(String),
    /// The token keys cannot be used (or are the development keys in production).
    #[error("authentication")]
    Auth(#[source] auth::SettingsError),
    /// The TLS files cannot be used.
    #[error("tls")]
    Tls(#[source] auth::tls::TlsError),
    /// The reflection service could not be built.
    #[error("reflection service")]
    Reflection(#[source] tonic_reflection::server::Error),
    /// The gRPC server failed.
    #[error("grpc server")]
    Transport(#[source] tonic::transport::Error),
    /// The start-up task panicked.
    #[error("start-up task failed: {0}")]
    Join(String),
}

fn load_calendar(config: &Config) -> Result<Arc<Calendar>, RunError> {
    let Some(path) = &config.calendar_path else {
        return Ok(Arc::new(Calendar::bundled().clone()));
    };
    let err = |reason: String| RunError::Calendar {
        path: path.display().to_string(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    let calendar = Calendar::from_govuk_json(&bytes).map_err(|e| err(e.to_string()))?;
    tracing::info!(path = %path.display(), version = ?calendar.version(), "calendar loaded");
    Ok(Arc::new(calendar))
}

/// Serve on `listener` until `shutdown` completes (or start-up fails).
///
/// Health reports `NOT_SERVING` until the store is migrated, then `SERVING` for `""` and
/// `ofsted.inspections.v1.InspectionCommandService`, and `NOT_SERVING` again once shutdown
/// begins.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    check_clock_policy(&config)?;
    let calendar = load_calendar(&config)?;
    let clock = config.clock.build();
    if config.clock.replaces_system_clock() {
        tracing::warn!(now = %clock.now(), "server clock replaced (test/demo setting)");
    }
    let verifier = config
        .auth
        .verifier(config.environment == Environment::Production)
        .map_err(RunError::Auth)?;
    let authenticator = auth::grpc::Authenticator::new(Arc::new(verifier));
    let tls = config.tls.server_config().map_err(RunError::Tls)?;

    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_service_status("", ServingStatus::NotServing)
        .await;
    health
        .set_service_status(pb::COMMAND_SERVICE_NAME, ServingStatus::NotServing)
        .await;
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()
        .map_err(RunError::Reflection)?;

    let (stop_tx, stop_rx) = watch::channel(false);
    let (relay_stop_tx, relay_stop_rx) = watch::channel(false);
    let stop_tx = Arc::new(stop_tx);
    {
        let stop_tx = Arc::clone(&stop_tx);
        tokio::spawn(async move {
            shutdown.await;
            tracing::info!("shutdown requested");
            let _ = stop_tx.send(true);
        });
    }

    let handler = Arc::new(OnceLock::new());
    let starter = {
        let stop_tx = Arc::clone(&stop_tx);
        let startup = StartUp {
            config,
            clock,
            calendar,
            handler: Arc::clone(&handler),
            health: health.clone(),
            stop: stop_rx.clone(),
            relay_stop: relay_stop_rx,
        };
        tokio::spawn(async move {
            let result = start(startup).await;
            if let Err(e) = &result {
                tracing::error!(error = %e, "start-up failed");
                let _ = stop_tx.send(true);
            }
            result
        })
    };

    let mut server_stop = stop_rx;
    let drain_health = health.clone();
    let server_shutdown = async move {
        let _ = server_stop.wait_for(|stop| *stop).await;
        drain_health
            .set_service_status(pb::COMMAND_SERVICE_NAME, ServingStatus::NotServing)
            .await;
        drain_health
            .set_service_status("", ServingStatus::NotServing)
            .await;
        tracing::info!("draining in-flight requests");
    };
    let mut builder = Server::builder();
    if let Some(tls) = tls {
        builder = builder.tls_config(tls).map_err(RunError::Transport)?;
    }
    // Only the command API is behind the authenticator: health and reflection stay open.
    let served = builder
        .add_service(health_service)
        .add_service(reflection)
        .add_service(
            pb::inspection_command_service_server::InspectionCommandServiceServer::with_interceptor(
                CommandService::new(handler),
                authenticator,
            ),
        )
        .serve_with_incoming_shutdown(
            // No Nagle: an answer written in several parts would wait for the client's
            // delayed ACK (20–40 ms).
            TcpIncoming::from(listener).with_nodelay(Some(true)),
            server_shutdown,
        )
        .await;
    tracing::info!("grpc server stopped");

    let _ = stop_tx.send(true);
    let _ = relay_stop_tx.send(true);
    let started = starter.await.map_err(|e| RunError::Join(e.to_string()))?;
    if let Some(relay) = started? {
        relay.await.map_err(|e| RunError::Join(e.to_string()))?;
    }
    served.map_err(RunError::Transport)?;
    tracing::info!("command service stopped");
    Ok(())
}
