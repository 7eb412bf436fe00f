//! The read side of the inspections system: a JetStream consumer that keeps read models in
//! Postgres, and the gRPC `InspectionQueryService` (queries and a live `Watch`) over them.
//!
//! # Layout
//! - [`config`], [`clock`]: settings from the environment; the query clock (`OFSTED_CLOCK`).
//! - [`store`]: the read-model database — migrations, applying an event (`store::apply`, the
//!   domain's pure functions), queries, table dumps.
//! - [`consumer`]: the durable pull consumer; duplicates are no-ops, gaps are filled from the
//!   event store, nothing is skipped.
//! - [`feed`]: the change feed behind `Watch` (LISTEN/NOTIFY plus a poll).
//! - [`grpc`]: the query service behind the bearer-token authenticator (`auth`), the read
//!   rules per role, conversions and error mapping.
//! - [`rebuild`]: replaying the event store into fresh tables and swapping them in.
//! - [`run`]: wiring it all, with graceful shutdown; the binary (`main.rs`) is thin.

pub mod clock;
pub mod config;
pub mod consumer;
pub mod feed;
pub mod grpc;
pub mod rebuild;
pub mod store;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use domain::calendar::Calendar;
use eventstore::EventStore;
use proto::pb;
use proto::pb::inspection_query_service_server::{InspectionQueryServiceServer, SERVICE_NAME};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;

pub use config::{Config, ConfigError};

/// Connections of the read-model pool (queries, the consumer, Watch streams).
const POOL_SIZE: u32 = 10;

/// Why the service stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot load calendar {path}: {reason}")]
    Calendar { path: String, reason: String },
    #[error("read-model migrations failed")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("read-model database")]
    Db(#[source] sqlx::Error),
    #[error("event store url")]
    EventStore(#[source] sqlx::Error),
    #[error("nats client: {0}")]
    Nats(String),
    #[error("authentication")]
    Auth(#[source] auth::SettingsError),
    #[error("tls")]
    Tls(#[source] auth::tls::TlsError),
    #[error("reflection service")]
    Reflection(#[source] tonic_reflection::server::Error),
    #[error("grpc server")]
    Transport(#[source] tonic::transport::Error),
}

/// The calendar of `OFSTED_CALENDAR`, or the bundled one.
pub fn load_calendar(config: &Config) -> Result<Arc<Calendar>, RunError> {
    let Some(path) = &config.calendar_path else {
        return Ok(Arc::new(Calendar::bundled().clone()));
    };
    let err = |reason: String| RunError::Calendar {
        path: path.display().to_string(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    Calendar::from_govuk_json(&bytes)
        .map(Arc::new)
        .map_err(|e| err(e.to_string()))
}

/// Connect to the read-model database (creating it, retrying while Postgres is unreachable
/// until `stop`) and migrate it. `None` when stopped first.
pub async fn prepare_database(
    url: &str,
    stop: &mut watch::Receiver<bool>,
) -> Result<Option<PgPool>, RunError> {
    let mut delay = Duration::from_millis(100);
    loop {
        match store::connect(url, POOL_SIZE).await {
            Ok(pool) => {
                store::migrate(&pool).await.map_err(RunError::Migrate)?;
                return Ok(Some(pool));
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "read-model database not ready");
            }
        }
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return Ok(None),
            () = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// The event store, connected lazily: it is read only to fill gaps (and by `rebuild`).
pub fn event_store(url: &str) -> Result<EventStore, RunError> {
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(10))
        .connect_lazy(url)
        .map_err(RunError::EventStore)?;
    Ok(EventStore::from_pool(pool))
}

/// Serve queries on `listener` and consume events until `shutdown` completes.
///
/// Shutdown order: health `NOT_SERVING`, stop accepting, end Watch streams and finish
/// in-flight queries, then let the consumer finish (apply and ack) the event in hand.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    config::check_clock_policy(&config)?;
    let calendar = load_calendar(&config)?;
    let clock = config.clock.build();
    if config.clock.replaces_system_clock() {
        tracing::warn!(now = %clock.now(), "query clock replaced (test/demo setting)");
    }
    let verifier = config
        .auth
        .verifier(config.environment == config::Environment::Production)
        .map_err(RunError::Auth)?;
    let authenticator = auth::grpc::Authenticator::new(Arc::new(verifier));
    let tls = config.tls.server_config().map_err(RunError::Tls)?;
    let (stop_tx, mut stop_rx) = watch::channel(false);
    let stop_tx = Arc::new(stop_tx);
    {
        let stop_tx = Arc::clone(&stop_tx);
        tokio::spawn(async move {
            shutdown.await;
            tracing::info!("shutdown requested");
            let _ = stop_tx.send(true);
        });
    }

    let Some(pool) = prepare_database(&config.database_url, &mut stop_rx).await? else {
        return Ok(());
    };
    let store = event_store(&config.eventstore_url)?;
    let client = bus::connect_options(config.nats_credentials.as_ref())
        .name("ofsted-projection-service")
        .retry_on_initial_connect()
        .connect(config.bus.nats_url.as_str())
        .await
        .map_err(|e| RunError::Nats(e.to_string()))?;
    let projector = consumer::Projector::new(pool.clone(), store, Arc::clone(&calendar));
    let consuming = tokio::spawn(consumer::run(
        projector,
        client.clone(),
        consumer::ConsumerSettings::from(&config),
        stop_rx.clone(),
    ));

    let feed = feed::ChangeFeed::spawn(pool.clone(), config.watch_poll, stop_rx.clone());
    let service = grpc::QueryService::new(Arc::new(grpc::QueryState {
        pool: pool.clone(),
        calendar,
        clock,
        feed,
    }));
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_service_status("", ServingStatus::Serving).await;
    health
        .set_service_status(SERVICE_NAME, ServingStatus::Serving)
        .await;
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()
        .map_err(RunError::Reflection)?;
    tracing::info!("serving queries");

    let mut server_stop = stop_rx.clone();
    let mut builder = Server::builder();
    if let Some(tls) = tls {
        builder = builder.tls_config(tls).map_err(RunError::Transport)?;
    }
    // Only the query API is behind the authenticator: health and reflection stay open.
    let served = builder
        .add_service(health_service)
        .add_service(reflection)
        .add_service(InspectionQueryServiceServer::with_interceptor(
            service,
            authenticator,
        ))
        .serve_with_incoming_shutdown(
            // Small answers go out at once: with Nagle's algorithm on, an answer written in
            // several parts waits for the client's delayed ACK (20–40 ms per query).
            TcpIncoming::from(listener).with_nodelay(Some(true)),
            async move {
                let _ = server_stop.wait_for(|s| *s).await;
                health
                    .set_service_status("", ServingStatus::NotServing)
                    .await;
                health
                    .set_service_status(SERVICE_NAME, ServingStatus::NotServing)
                    .await;
            },
        )
        .await;
    tracing::info!("grpc server stopped");
    // Also when the server failed: the consumer finishes its event and stops.
    let _ = stop_tx.send(true);
    if let Err(e) = consuming.await {
        tracing::error!(error = %e, "consumer task failed");
    }
    let _ = client.flush().await;
    pool.close().await;
    served.map_err(RunError::Transport)?;
    tracing::info!("projection service stopped");
    Ok(())
}

/// Install the global `tracing` subscriber (stderr, `RUST_LOG`, JSON when `LOG_FORMAT=json`).
pub fn init_telemetry() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    if let Err(e) = result {
        eprintln!("telemetry already initialised: {e}");
    }
}
