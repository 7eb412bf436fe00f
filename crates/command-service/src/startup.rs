//! Start-up work done while the gRPC server already answers (health `NOT_SERVING`): create
//! the database if missing, connect, migrate, then mark the service ready and start the
//! outbox relay. Connection failures are retried with backoff, so the service may start
//! before Postgres; a migration that fails for any other reason stops it.
//!
//! Creating and migrating use `OFSTED_MIGRATION_DATABASE_URL` when set (an owner role), and
//! the service's own `DATABASE_URL` role then needs only the privileges of
//! `deploy/postgres/roles.sql`; the owner's connection is closed before serving.

use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use domain::calendar::Calendar;
use eventstore::{EventStore, StoreError};
use proto::pb;
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

use crate::clock::Clock;
use crate::config::{self, Config};
use crate::handler::Handler;
use crate::server::RunError;

/// Connections of the command handlers' pool.
const POOL_SIZE: u32 = 10;
/// First and longest delay between start-up attempts.
const MIN_RETRY: Duration = Duration::from_millis(100);
const MAX_RETRY: Duration = Duration::from_secs(5);

/// What start-up hands back: the relay task, if it was started.
pub(crate) type Started = Option<JoinHandle<()>>;

/// Everything [`start`] needs.
pub(crate) struct StartUp {
    pub config: Config,
    pub clock: Arc<dyn Clock>,
    pub calendar: Arc<Calendar>,
    pub handler: Arc<OnceLock<Handler>>,
    pub health: HealthReporter,
    /// Becomes `true` when the service is asked to stop.
    pub stop: watch::Receiver<bool>,
    /// Stops the relay (after the server has drained).
    pub relay_stop: watch::Receiver<bool>,
}

/// Prepare the store (retrying while Postgres is unreachable), then serve and relay.
pub(crate) async fn start(s: StartUp) -> Result<Started, RunError> {
    let master_key = config::master_key(&s.config)?;
    tracing::info!(
        master_key = master_key.fingerprint(),
        development = s.config.master_key.is_none(),
        "personal data sealed per person (R31)"
    );
    let mut delay = MIN_RETRY;
    let migration_url = s
        .config
        .migration_database_url
        .as_deref()
        .unwrap_or(&s.config.database_url);
    let (owner, store) = loop {
        match prepare_store(migration_url, &s.config.database_url).await {
            Ok(stores) => break stores,
            Err(StoreError::Migrate(e)) => return Err(RunError::Migrate(e)),
            Err(e) => {
                tracing::warn!(error = %e, source = ?std::error::Error::source(&e), retry_in_ms = delay.as_millis() as u64, "event store not ready");
            }
        }
        if wait_or_stop(&mut s.stop.clone(), delay).await {
            tracing::info!("stopped before the event store was ready");
            return Ok(None);
        }
        delay = (delay * 2).min(MAX_RETRY);
    };
    bus::Relay::migrate(owner.pool())
        .await
        .map_err(RunError::Relay)?;
    owner.pool().close().await;
    let vault = privacy::Vault::new(store.pool().clone(), master_key);
    let handler = Handler::new(store.clone(), vault, s.clock, s.calendar);
    // Set once: `start` runs once per `run`.
    let _ = s.handler.set(handler);
    s.health
        .set_service_status(pb::COMMAND_SERVICE_NAME, ServingStatus::Serving)
        .await;
    s.health
        .set_service_status("", ServingStatus::Serving)
        .await;
    tracing::info!("migrations ran; serving");

    let client = bus::connect_options(s.config.nats_credentials.as_ref())
        .name("ofsted-command-service")
        .retry_on_initial_connect()
        .connect(s.config.bus.nats_url.as_str())
        .await
        .map_err(|e| RunError::Nats(e.to_string()))?;
    let public = s
        .config
        .public
        .clone()
        .unwrap_or_else(|| bus::PublicConfig::derived_from(&s.config.bus));
    let relay = bus::Relay::new(
        store,
        client,
        s.config.bus.clone(),
        bus::RelayConfig::default(),
    )
    .with_public(bus::PublicPublisher {
        config: public,
        mapper: Arc::new(crate::public::ReportSharedMapper),
    });
    let mut relay_stop = s.relay_stop;
    let task = tokio::spawn(async move {
        let stopped = async move {
            let _ = relay_stop.wait_for(|stop| *stop).await;
        };
        match relay.run(stopped).await {
            Ok(()) => tracing::info!("relay finished"),
            Err(e) => tracing::error!(error = %e, "relay failed"),
        }
    });
    Ok(Some(task))
}

/// Sleep `delay`; `true` if asked to stop meanwhile.
async fn wait_or_stop(stop: &mut watch::Receiver<bool>, delay: Duration) -> bool {
    tokio::select! {
        _ = stop.wait_for(|stop| *stop) => true,
        () = tokio::time::sleep(delay) => false,
    }
}

/// Create the database if missing and migrate it (the event store and the person keys)
/// through `migration_url`; connect the service's pool to `url`. Returns the owner's store
/// (for the relay's table) and the service's.
#[tracing::instrument(skip_all)]
async fn prepare_store(
    migration_url: &str,
    url: &str,
) -> Result<(EventStore, EventStore), StoreError> {
    ensure_database(migration_url).await?;
    let owner = EventStore::connect(migration_url, 1).await?;
    owner.migrate().await?;
    privacy::keys::migrate(owner.pool()).await?;
    // Its own pool even when the URLs are the same: the owner's has one connection, and
    // serving from it would queue every command (and the relay) behind one session.
    let store = EventStore::connect(url, POOL_SIZE).await?;
    Ok((owner, store))
}

/// Create the URL's database when the server says it does not exist (SQLSTATE 3D000), through
/// the same server's `postgres` database.
async fn ensure_database(url: &str) -> Result<(), StoreError> {
    let options = PgConnectOptions::from_str(url).map_err(StoreError::Database)?;
    match PgConnection::connect_with(&options).await {
        Ok(conn) => {
            let _ = conn.close().await;
            Ok(())
        }
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("3D000") => {
            let name = options.get_database().unwrap_or("postgres").to_owned();
            tracing::info!(database = %name, "creating database");
            let mut admin = PgConnection::connect_with(&options.clone().database("postgres"))
                .await
                .map_err(StoreError::from)?;
            let quoted = format!("\"{}\"", name.replace('"', "\"\""));
            let created = sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {quoted}")))
                .execute(&mut admin)
                .await;
            let _ = admin.close().await;
            match created {
                Ok(_) => Ok(()),
                // 42P04: created meanwhile by another instance.
                Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => Ok(()),
                Err(e) => Err(e.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}
