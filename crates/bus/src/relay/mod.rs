//! The transactional outbox relay: committed events from the Postgres store to JetStream.
//!
//! Appends are only Postgres transactions, so commands never wait for (or fail with) NATS;
//! this relay follows the store's read-all order and publishes each event once, in order.
//!
//! How "once, in order" holds up:
//! - **one active relay**: a session-level advisory lock on a dedicated connection; standbys
//!   retry with backoff and take over when the leader's session ends;
//! - **durable cursor**: `relay_cursors`, advanced only after JetStream acked, by
//!   compare-and-set on the leader's own session, so a relay that lost its lock can neither
//!   regress nor repeat it;
//! - **reconcile**: each time it leads, and after every failure, the relay reads the stream's
//!   last message and moves the cursor up to its `Ofsted-Cursor` header, so a crash between
//!   ack and cursor update, or an outage longer than the duplicate window, re-publishes
//!   nothing;
//! - **expected sequence**: each message asserts the stream sequence it follows (see
//!   `nats.rs`), so JetStream itself refuses gaps and repeats from stale or buffered publishes.
//!
//! # Layout
//! - [`config`] — [`RelayConfig`];
//! - [`status`] — [`RelayStatus`], observed through a watch channel;
//! - `leader` — the loop run while holding the lock;
//! - `pg` — lock, table and cursor compare-and-set;
//! - `nats` — reading the stream's tail and publishing a batch;
//! - `backoff` — capped exponential retry delays.

mod backoff;
pub mod config;
mod leader;
mod nats;
mod pg;
pub mod status;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use async_nats::jetstream;
use eventstore::EventStore;
use futures::FutureExt;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::watch;

use crate::config::BusConfig;
use crate::public::PublicPublisher;
use backoff::Backoff;
use leader::{LeadEnd, Leader};

pub use config::{DEFAULT_LOCK_KEY, RelayConfig};
pub use nats::message_headers;
pub use status::RelayStatus;

/// The Postgres channel the event store notifies after appends (just after they commit, a
/// burst of appends sharing a notification); re-exported for operators.
pub use eventstore::NOTIFY_CHANNEL;

/// Largest accepted [`RelayConfig::batch_size`].
pub const MAX_BATCH_SIZE: i64 = 4096;

/// Why [`Relay::run`] returned an error. Outages (NATS or Postgres down, lock held elsewhere)
/// are not errors: the relay retries them; these are the conditions it cannot fix itself.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// A Postgres operation failed (returned by [`Relay::migrate`]; `run` retries these).
    #[error("relay postgres operation failed")]
    Postgres(#[source] sqlx::Error),
    /// The stored cursor is not one the store produced: continuing would guess a position.
    #[error("relay {name:?} has an invalid stored cursor {cursor:?}")]
    CorruptCursor { name: String, cursor: String },
    /// The configuration cannot work (e.g. a batch size below 1).
    #[error("invalid relay configuration: {0}")]
    Config(&'static str),
    /// The test failpoint fired: stopped after the acks, before the cursor update.
    #[doc(hidden)]
    #[error("failpoint: stopped after the acks, before the cursor update")]
    Failpoint,
}

/// The outbox relay. Build with [`Relay::new`], observe with [`Relay::status`], then
/// [`Relay::run`] it until shutdown.
pub struct Relay {
    store: EventStore,
    client: async_nats::Client,
    bus: BusConfig,
    config: RelayConfig,
    public: Option<PublicPublisher>,
    status: watch::Sender<RelayStatus>,
}

impl fmt::Debug for Relay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Relay")
            .field("bus", &self.bus)
            .field("config", &self.config)
            .field("public", &self.public)
            .field("status", &*self.status.borrow())
            .finish_non_exhaustive()
    }
}

impl Relay {
    /// A relay reading `store` and publishing through `client` to the stream of `bus`.
    ///
    /// The relay opens its own Postgres sessions with the store's connection options (and
    /// `config.application_name`), so its lock, listener and reads are identifiable and do not
    /// compete with command handling for the store's pool.
    pub fn new(
        store: EventStore,
        client: async_nats::Client,
        bus: BusConfig,
        config: RelayConfig,
    ) -> Self {
        let (status, _) = watch::channel(RelayStatus::default());
        Self {
            store,
            client,
            bus,
            config,
            public: None,
            status,
        }
    }

    /// Also publish public messages (see [`crate::public`]): for each event the mapper maps,
    /// its public message goes to the public stream, acked before the internal message is
    /// sent. The public stream is created (or updated) whenever the relay reads its tail.
    pub fn with_public(mut self, public: PublicPublisher) -> Self {
        self.public = Some(public);
        self
    }

    /// A receiver of the relay's status, updated as it works.
    pub fn status(&self) -> watch::Receiver<RelayStatus> {
        self.status.subscribe()
    }

    /// Creates the relay's table when missing (idempotent; `run` also does it).
    #[tracing::instrument(skip_all)]
    pub async fn migrate(pool: &PgPool) -> Result<(), RelayError> {
        let mut conn = pool.acquire().await.map_err(RelayError::Postgres)?;
        pg::migrate(&mut conn).await.map_err(RelayError::Postgres)
    }

    /// Runs until `shutdown` completes: leads when it can, stands by otherwise.
    ///
    /// On shutdown the in-flight batch is finished (acks awaited, cursor updated) and the
    /// leader lock released before returning.
    #[tracing::instrument(skip_all, fields(relay = %self.config.name, stream = %self.bus.stream_name))]
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> Result<(), RelayError> {
        // Sends are pipelined before any ack is awaited, and the JetStream context admits
        // 5000 unacknowledged publishes: a larger batch would wait for itself.
        if !(1..=MAX_BATCH_SIZE).contains(&self.config.batch_size) {
            return Err(RelayError::Config("batch_size must be between 1 and 4096"));
        }
        let options = (*self.store.pool().connect_options())
            .clone()
            .application_name(&self.config.application_name);
        let pool = PgPoolOptions::new()
            .max_connections(3)
            .acquire_timeout(self.config.ack_timeout.max(Duration::from_secs(1)))
            .connect_lazy_with(options.clone());
        let js = jetstream::ContextBuilder::new()
            .timeout(self.config.ack_timeout)
            .build(self.client.clone());
        let ctx = Ctx {
            store: EventStore::from_pool(pool.clone()),
            pool,
            js,
            client: self.client,
            bus: self.bus,
            config: self.config,
            public: self.public,
            status: self.status,
        };
        let mut shutdown = Shutdown::new(shutdown);
        let mut backoff = Backoff::new(ctx.config.min_backoff, ctx.config.max_backoff);
        loop {
            if shutdown.is_triggered() {
                tracing::info!("relay stopped");
                return Ok(());
            }
            let attempt = tokio::select! {
                () = shutdown.wait() => continue,
                attempt = acquire(&options, ctx.config.lock_key, ctx.pg_timeout()) => attempt,
            };
            match attempt {
                Ok(Some(conn)) => {
                    backoff.reset();
                    tracing::info!("relay is leader");
                    let end = Leader::new(&ctx, conn).lead(&mut shutdown).await;
                    ctx.status.send_modify(|s| s.is_leader = false);
                    match end? {
                        LeadEnd::Shutdown => {
                            tracing::info!("relay stopped");
                            return Ok(());
                        }
                        LeadEnd::LostLeadership => tracing::warn!("relay lost leadership"),
                    }
                }
                Ok(None) => tracing::debug!("another relay leads"),
                Err(e) => ctx.failed(&e),
            }
            let delay = backoff.next_delay();
            if shutdown.sleep(delay).await {
                tracing::info!("relay stopped");
                return Ok(());
            }
        }
    }
}

/// Opens the leader session and tries the lock once; `None` when another session holds it.
#[tracing::instrument(skip(options))]
async fn acquire(
    options: &PgConnectOptions,
    lock_key: i64,
    timeout: Duration,
) -> Result<Option<PgConnection>, sqlx::Error> {
    let mut conn = pg::bounded(timeout, PgConnection::connect_with(options)).await?;
    if pg::bounded(timeout, pg::try_lock(&mut conn, lock_key)).await? {
        Ok(Some(conn))
    } else {
        // Best effort: the session ends either way.
        let _ = conn.close().await;
        Ok(None)
    }
}

/// What the running relay shares between standby and leader phases.
struct Ctx {
    store: EventStore,
    pool: PgPool,
    js: jetstream::Context,
    client: async_nats::Client,
    bus: BusConfig,
    config: RelayConfig,
    public: Option<PublicPublisher>,
    status: watch::Sender<RelayStatus>,
}

impl Ctx {
    /// Bound of each Postgres round trip on the leader session: a session that hangs (e.g. a
    /// network partition) is treated as lost rather than blocking the relay.
    fn pg_timeout(&self) -> Duration {
        self.config.ack_timeout.max(Duration::from_secs(5))
    }

    /// Records a failure in the status and the log.
    fn failed(&self, err: &(dyn std::error::Error + 'static)) {
        let text = error_chain(err);
        tracing::warn!(error = %text, "relay step failed");
        self.status.send_modify(|s| {
            s.consecutive_failures += 1;
            s.total_failures += 1;
            s.last_error = Some(text);
        });
    }

    /// Records a success: failures are no longer consecutive.
    fn succeeded(&self) {
        self.status.send_if_modified(|s| {
            let changed = s.consecutive_failures != 0;
            s.consecutive_failures = 0;
            changed
        });
    }
}

/// `err: source: source…`, since the top-level message alone rarely says what broke.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The caller's shutdown signal, pollable more than once.
struct Shutdown<'a> {
    signal: Pin<Box<dyn Future<Output = ()> + Send + 'a>>,
    fired: bool,
}

impl<'a> Shutdown<'a> {
    fn new(signal: impl Future<Output = ()> + Send + 'a) -> Self {
        Self {
            signal: Box::pin(signal),
            fired: false,
        }
    }

    /// Whether shutdown was requested, without waiting.
    fn is_triggered(&mut self) -> bool {
        if !self.fired && self.signal.as_mut().now_or_never().is_some() {
            self.fired = true;
        }
        self.fired
    }

    /// Completes when shutdown is requested; cancel-safe.
    async fn wait(&mut self) {
        if !self.fired {
            self.signal.as_mut().await;
            self.fired = true;
        }
    }

    /// Sleeps `delay` unless shutdown comes first; `true` when it did.
    async fn sleep(&mut self, delay: Duration) -> bool {
        tokio::select! {
            () = self.wait() => true,
            () = tokio::time::sleep(delay) => false,
        }
    }
}
