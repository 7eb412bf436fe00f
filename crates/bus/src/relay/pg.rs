//! The relay's Postgres side: its table, the leader lock and the compare-and-set cursor.
//!
//! Everything here runs on the leader's dedicated connection. That is deliberate: the
//! advisory lock is session-level, so if the session is terminated the lock is gone and so is
//! the connection the cursor updates would go through — a relay that lost its lock cannot
//! write the cursor any more, even before it notices.

use std::future::Future;
use std::time::Duration;

use eventstore::Cursor;
use sqlx::{Connection, PgConnection, Row};

use super::RelayError;

/// Idempotent DDL, run by [`crate::Relay::migrate`] and at every leadership start. Not an
/// `sqlx::migrate!` set: one idempotent table needs no version bookkeeping, and it stays clear
/// of the migration tables the event store and read models keep in the same database.
const DDL: &str = "CREATE TABLE IF NOT EXISTS relay_cursors (
    name       text        PRIMARY KEY,
    cursor     text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
)";

/// Serialises concurrent `CREATE TABLE IF NOT EXISTS` (which can otherwise fail with a unique
/// violation on the catalog when two sessions race).
const DDL_LOCK_KEY: i64 = 0x6f66_7374_6564_6464;

/// Creates the relay's table when missing. When it exists nothing else is done, so a
/// least-privilege role (no `CREATE` on the schema, which even `IF NOT EXISTS` needs) can run
/// the relay once an owner has created the table.
#[tracing::instrument(skip_all)]
pub(crate) async fn migrate(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('relay_cursors') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await?;
    if exists {
        return Ok(());
    }
    let mut tx = conn.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(DDL_LOCK_KEY)
        .execute(&mut *tx)
        .await?;
    sqlx::query(DDL).execute(&mut *tx).await?;
    tx.commit().await
}

/// Tries the session-level leader lock once; `true` when this session now holds it.
#[tracing::instrument(skip(conn))]
pub(crate) async fn try_lock(conn: &mut PgConnection, key: i64) -> Result<bool, sqlx::Error> {
    sqlx::query("SELECT pg_try_advisory_lock($1)")
        .bind(key)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)
}

/// Releases the leader lock so a standby takes over without waiting for the session to end.
#[tracing::instrument(skip(conn))]
pub(crate) async fn unlock(conn: &mut PgConnection, key: i64) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(key)
        .execute(&mut *conn)
        .await
        .map(drop)
}

/// Whether the leader session is still alive (and so still holds its lock).
#[tracing::instrument(skip_all)]
pub(crate) async fn ping(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(&mut *conn).await.map(drop)
}

/// The stored cursor of relay `name`, creating the row at [`Cursor::START`] when missing.
#[tracing::instrument(skip(conn))]
pub(crate) async fn load_cursor(conn: &mut PgConnection, name: &str) -> Result<Cursor, RelayError> {
    sqlx::query(
        "INSERT INTO relay_cursors (name, cursor) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(Cursor::START.to_string())
    .execute(&mut *conn)
    .await
    .map_err(RelayError::Postgres)?;
    let text: String = sqlx::query("SELECT cursor FROM relay_cursors WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *conn)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(RelayError::Postgres)?;
    text.parse().map_err(|_| RelayError::CorruptCursor {
        name: name.to_owned(),
        cursor: text,
    })
}

/// Moves the cursor from `old` to `new` only if it is still `old`; `false` when another relay
/// moved it, i.e. this one is no longer the leader.
///
/// Cursors only ever move forward, so the comparison cannot be fooled by a value coming back
/// (no ABA): a stale relay can neither regress nor repeat an update.
#[tracing::instrument(skip(conn), fields(old = %old, new = %new))]
pub(crate) async fn compare_and_set(
    conn: &mut PgConnection,
    name: &str,
    old: Cursor,
    new: Cursor,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE relay_cursors SET cursor = $3, updated_at = now() WHERE name = $1 AND cursor = $2",
    )
    .bind(name)
    .bind(old.to_string())
    .bind(new.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Runs `op` with a time limit, a timeout reported as an I/O error like a dropped connection.
pub(crate) async fn bounded<T>(
    limit: Duration,
    op: impl Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, sqlx::Error> {
    tokio::time::timeout(limit, op).await.unwrap_or_else(|_| {
        Err(sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "postgres round trip timed out",
        )))
    })
}
