//! The read-model database: connecting (creating it if missing), migrations, applying events
//! and answering queries.
//!
//! # Layout
//! - `sql.rs`: the write statements, for the live tables and the rebuild copies.
//! - `apply.rs`: one event → rows, inside the caller's transaction.
//! - `bulk.rs`: many inspections' rows at once, for the rebuild.
//! - `query.rs`: what the gRPC queries read.
//! - `dump.rs`: whole-table dumps, for the rebuild's check and the tests.

pub mod apply;
pub mod bulk;
pub mod dump;
pub mod query;
pub mod sql;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool};

/// Table recording this crate's migrations: not sqlx's default, so the read models may share a
/// database with the event store (whose migrations live in `_eventstore_migrations`).
const MIGRATIONS_TABLE: &str = "_projection_migrations";

/// Connect a pool to the read-model database at `url`, creating the database when the server
/// says it does not exist.
#[tracing::instrument(skip(url))]
pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    ensure_database(url).await?;
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
}

/// Apply the embedded migrations (idempotent; concurrent callers serialise on sqlx's lock).
#[tracing::instrument(skip(pool))]
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    let mut migrator = sqlx::migrate!("./migrations");
    migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
    migrator.run(pool).await
}

/// Create the URL's database when missing (SQLSTATE 3D000), through the server's `postgres`
/// database; another instance creating it meanwhile (42P04) is fine.
async fn ensure_database(url: &str) -> Result<(), sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?;
    match PgConnection::connect_with(&options).await {
        Ok(conn) => {
            let _ = conn.close().await;
            Ok(())
        }
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("3D000") => {
            let name = options.get_database().unwrap_or("postgres").to_owned();
            tracing::info!(database = %name, "creating database");
            let mut admin =
                PgConnection::connect_with(&options.clone().database("postgres")).await?;
            // The name is quoted as an identifier, so any text is safe here.
            let quoted = format!("\"{}\"", name.replace('"', "\"\""));
            let created = sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {quoted}")))
                .execute(&mut admin)
                .await;
            let _ = admin.close().await;
            match created {
                Ok(_) => Ok(()),
                Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => Ok(()),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}
