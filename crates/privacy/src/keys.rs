//! The `person_keys` table: one data key per person, wrapped with the master key.
//!
//! A row is created the first time a person's details are sealed and deleted when they are
//! erased. Rows are never updated: a person whose data is given again after an erasure gets
//! a new key with a new id, so what was sealed before stays unreadable.

use sqlx::{Connection, PgConnection, PgPool, Row};
use uuid::Uuid;

/// Idempotent DDL, run by [`migrate`] with the owner's credentials. Not an
/// `sqlx::migrate!` set, for the reason the relay's table is not: it stays clear of the event
/// store's migration bookkeeping in the same database.
const DDL: &str = "CREATE TABLE IF NOT EXISTS person_keys (
    person_id   uuid        PRIMARY KEY,
    key_id      uuid        NOT NULL UNIQUE,
    -- nonce || XChaCha20-Poly1305(master key, data key), bound to person_id and key_id
    wrapped_key bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
)";

/// Serialises concurrent `CREATE TABLE IF NOT EXISTS` of several instances.
const DDL_LOCK_KEY: i64 = 0x6f66_7374_6564_6b65;

/// One stored key.
#[derive(Debug, Clone)]
pub struct StoredKey {
    /// Whose.
    pub person_id: Uuid,
    /// Its id, named by every box sealed with it.
    pub key_id: Uuid,
    /// The data key wrapped with the master key.
    pub wrapped: Vec<u8>,
}

/// Create the table when missing.
#[tracing::instrument(skip_all)]
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let conn: &mut PgConnection = &mut conn;
    let mut tx = conn.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(DDL_LOCK_KEY)
        .execute(&mut *tx)
        .await?;
    sqlx::query(DDL).execute(&mut *tx).await?;
    tx.commit().await
}

/// The current keys of `people` (those that have one).
#[tracing::instrument(skip(pool), fields(people = people.len()))]
pub async fn by_person(pool: &PgPool, people: &[Uuid]) -> Result<Vec<StoredKey>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT person_id, key_id, wrapped_key FROM person_keys WHERE person_id = ANY($1)",
    )
    .bind(people)
    .fetch_all(pool)
    .await?;
    rows.iter().map(stored).collect()
}

/// The keys with these ids that still exist (a missing one was erased).
#[tracing::instrument(skip(pool), fields(keys = key_ids.len()))]
pub async fn by_key_id(pool: &PgPool, key_ids: &[Uuid]) -> Result<Vec<StoredKey>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT person_id, key_id, wrapped_key FROM person_keys WHERE key_id = ANY($1)",
    )
    .bind(key_ids)
    .fetch_all(pool)
    .await?;
    rows.iter().map(stored).collect()
}

/// Store `key` unless the person already has one (a concurrent seal won): the caller reads
/// the winner back with [`by_person`].
#[tracing::instrument(skip(pool, key), fields(person_id = %key.person_id))]
pub async fn insert_if_missing(pool: &PgPool, key: &StoredKey) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO person_keys (person_id, key_id, wrapped_key) VALUES ($1, $2, $3) \
         ON CONFLICT (person_id) DO NOTHING",
    )
    .bind(key.person_id)
    .bind(key.key_id)
    .bind(&key.wrapped)
    .execute(pool)
    .await
    .map(drop)
}

/// Delete the person's key; `true` if there was one. Idempotent.
#[tracing::instrument(skip(pool))]
pub async fn delete(pool: &PgPool, person_id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM person_keys WHERE person_id = $1")
        .bind(person_id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

fn stored(row: &sqlx::postgres::PgRow) -> Result<StoredKey, sqlx::Error> {
    Ok(StoredKey {
        person_id: row.try_get("person_id")?,
        key_id: row.try_get("key_id")?,
        wrapped: row.try_get("wrapped_key")?,
    })
}
