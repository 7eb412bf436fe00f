//! The [`EventStore`] handle: connecting, migrating, and counting.
//!
//! Appends live in `append.rs` and reads in `read.rs`; both are `impl EventStore` blocks.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgPool};

use crate::StoreError;
use crate::append::Notifier;

/// How long a caller waits for a pooled connection before the store reports
/// [`StoreError::Unavailable`] (a saturated or unreachable database).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// A pooled connection idle for this long is pinged before use (see [`EventStore::connect`]).
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(1);

/// Table that records which of this crate's migrations ran. Not sqlx's default
/// `_sqlx_migrations`, so that other crates (read models, relay state) can keep their own
/// `sqlx::migrate!` sets in the same database without each refusing the other's versions.
const MIGRATIONS_TABLE: &str = "_eventstore_migrations";

/// A Postgres-backed event store. Cheap to clone (it holds a pool).
///
/// No transaction is ever handed to callers: every operation is one short transaction that
/// the store shapes itself, which is what keeps the read-all order trustworthy (see the
/// crate docs for the "read the stream before the first write" rule).
#[derive(Clone, Debug)]
pub struct EventStore {
    pub(crate) pool: PgPool,
    /// Wakes `LISTEN`ing readers after appends (shared by clones).
    pub(crate) notifier: Arc<Notifier>,
}

impl EventStore {
    /// Connect a pool of at most `max_connections` to `url`.
    #[tracing::instrument(skip(url))]
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // sqlx pings every connection it hands out: a round trip more for each statement
            // (an append is one). Ping only connections that sat idle, which is where a
            // dropped session (a restart, a failover) hides; a busy one fails its statement
            // at worst, reported as `Unavailable`.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_WHEN_IDLE_FOR {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .connect(url)
            .await?;
        Ok(Self::from_pool(pool))
    }

    /// Use an existing pool (e.g. one shared with the relay's cursor table).
    pub fn from_pool(pool: PgPool) -> Self {
        EventStore {
            pool,
            notifier: Arc::default(),
        }
    }

    /// The underlying pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Apply the embedded migrations (idempotent; concurrent callers serialise on sqlx's
    /// advisory lock). Run at start-up before serving.
    #[tracing::instrument(skip(self))]
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let mut migrator = sqlx::migrate!("./migrations");
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        migrator.run(&self.pool).await.map_err(|err| match err {
            sqlx::migrate::MigrateError::Execute(inner)
                if crate::error::is_connection_level(&inner) =>
            {
                StoreError::Unavailable(inner)
            }
            other => StoreError::Migrate(other),
        })
    }

    /// Number of events in the store (all streams).
    #[tracing::instrument(skip(self))]
    pub async fn count_events(&self) -> Result<i64, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&self.pool)
            .await?;
        Ok(count)
    }
}
