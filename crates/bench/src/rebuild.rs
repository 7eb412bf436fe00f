//! Rebuild rate: `projection-service rebuild` replaying ≥ 1,000,000 stored events into fresh
//! read models.
//!
//! The store is filled fast, not through gRPC: the events the run's commands produced (real
//! `decide` output) are copied into a fresh store database, then their inspection streams
//! are cloned in SQL under new stream ids (the id rewritten inside the payloads too), one
//! clone per transaction, until the store holds enough. A rebuild only replays what the
//! live projection has applied (it never gets ahead of it), so the fresh read-model database
//! is told that every stream is applied up to its last version, as a caught-up live
//! projection would be.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;
use sqlx::{Connection, PgConnection, Row};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::stack::{peak_rss_mib, sibling_binary};

/// The rebuild phase's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Rebuild {
    pub events: i64,
    pub inspections: i64,
    pub fill_seconds: f64,
    /// Events replayed (from the rebuild's own report or last progress line).
    pub replayed: u64,
    pub seconds: f64,
    pub events_per_sec: f64,
    /// Whether it finished (swapped in) within the time allowed.
    pub finished: bool,
    pub peak_rss_mib: f64,
}

/// Copy `source`'s events into the fresh store at `target`, then clone inspection streams
/// until it holds at least `events`.
pub async fn fill(source: &str, target: &str, events: i64) -> anyhow::Result<(i64, i64)> {
    let store = eventstore::EventStore::connect(target, 2).await?;
    store.migrate().await?;
    store.pool().close().await;

    let mut from = PgConnection::connect(source).await?;
    let mut to = PgConnection::connect(target).await?;
    sqlx::query("SET synchronous_commit = off")
        .execute(&mut to)
        .await?;
    let streams = sqlx::query("SELECT stream_id, kind, lead_provider_id, version FROM streams")
        .fetch_all(&mut from)
        .await?;
    let mut tx = to.begin().await?;
    for row in &streams {
        sqlx::query("INSERT INTO streams (stream_id, kind, lead_provider_id, version) VALUES ($1, $2, $3, $4)")
            .bind(row.try_get::<uuid::Uuid, _>("stream_id")?)
            .bind(row.try_get::<String, _>("kind")?)
            .bind(row.try_get::<uuid::Uuid, _>("lead_provider_id")?)
            .bind(row.try_get::<i64, _>("version")?)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;

    let mut last = -1i64;
    loop {
        let rows = sqlx::query(
            "SELECT position, stream_id, stream_kind, lead_provider_id, version, event_id, event_type, \
             schema_version, payload::text AS payload, metadata::text AS metadata, recorded_at \
             FROM events WHERE position > $1 ORDER BY position LIMIT 5000",
        )
        .bind(last)
        .fetch_all(&mut from)
        .await?;
        let Some(tail) = rows.last() else { break };
        last = tail.try_get("position")?;
        let col = |name: &str| -> anyhow::Result<Vec<String>> {
            rows.iter()
                .map(|r| Ok(r.try_get::<String, _>(name)?))
                .collect()
        };
        let uuids = |name: &str| -> anyhow::Result<Vec<uuid::Uuid>> {
            rows.iter()
                .map(|r| Ok(r.try_get::<uuid::Uuid, _>(name)?))
                .collect()
        };
        let versions: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get("version"))
            .collect::<Result<_, _>>()?;
        let schemas: Vec<i32> = rows
            .iter()
            .map(|r| r.try_get("schema_version"))
            .collect::<Result<_, _>>()?;
        let recorded: Vec<chrono::DateTime<chrono::Utc>> = rows
            .iter()
            .map(|r| r.try_get("recorded_at"))
            .collect::<Result<_, _>>()?;
        sqlx::query(
            "INSERT INTO events (stream_id, stream_kind, lead_provider_id, version, event_id, \
             event_type, schema_version, payload, metadata, recorded_at) \
             SELECT s, k, l, v, e, t, sv, p::jsonb, m::jsonb, r FROM UNNEST($1::uuid[], $2::text[], \
             $3::uuid[], $4::bigint[], $5::uuid[], $6::text[], $7::int[], $8::text[], $9::text[], \
             $10::timestamptz[]) WITH ORDINALITY AS u(s, k, l, v, e, t, sv, p, m, r, n) ORDER BY n",
        )
        .bind(uuids("stream_id")?)
        .bind(col("stream_kind")?)
        .bind(uuids("lead_provider_id")?)
        .bind(versions)
        .bind(uuids("event_id")?)
        .bind(col("event_type")?)
        .bind(schemas)
        .bind(col("payload")?)
        .bind(col("metadata")?)
        .bind(recorded)
        .execute(&mut to)
        .await?;
    }
    from.close().await?;

    let base_events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE stream_kind = 'inspection'")
            .fetch_one(&mut to)
            .await?;
    if base_events == 0 {
        bail!("no inspection events to clone");
    }
    let base_max: i64 = sqlx::query_scalar("SELECT coalesce(max(position), 0) FROM events")
        .fetch_one(&mut to)
        .await?;
    let mut total: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&mut to)
        .await?;
    let mut copy = 0i32;
    while total < events {
        copy += 1;
        let mut tx = to.begin().await?;
        sqlx::query(
            "INSERT INTO streams (stream_id, kind, lead_provider_id, version) \
             SELECT md5(stream_id::text || ':' || $1)::uuid, kind, lead_provider_id, version \
             FROM streams WHERE kind = 'inspection' AND stream_id IN \
             (SELECT stream_id FROM events WHERE position <= $2)",
        )
        .bind(copy)
        .bind(base_max)
        .execute(&mut *tx)
        .await?;
        let added = sqlx::query(
            "INSERT INTO events (stream_id, stream_kind, lead_provider_id, version, event_id, \
             event_type, schema_version, payload, metadata, recorded_at) \
             SELECT md5(stream_id::text || ':' || $1)::uuid, stream_kind, lead_provider_id, \
             version, gen_random_uuid(), event_type, schema_version, \
             replace(payload::text, stream_id::text, md5(stream_id::text || ':' || $1)::uuid::text)::jsonb, \
             metadata, recorded_at FROM events \
             WHERE position <= $2 AND stream_kind = 'inspection' ORDER BY position",
        )
        .bind(copy)
        .bind(base_max)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        total += i64::try_from(added).unwrap_or(0);
    }
    sqlx::query("ANALYZE").execute(&mut to).await?;
    let inspections: i64 =
        sqlx::query_scalar("SELECT count(*) FROM streams WHERE kind = 'inspection'")
            .fetch_one(&mut to)
            .await?;
    to.close().await?;
    Ok((total, inspections))
}

/// Migrate the fresh read-model database at `reads` and record every stream of `store` as
/// applied at its last version (a caught-up live projection).
pub async fn mark_applied(store: &str, reads: &str) -> anyhow::Result<()> {
    let pool = projection::store::connect(reads, 2).await?;
    projection::store::migrate(&pool).await?;
    let mut from = PgConnection::connect(store).await?;
    let rows = sqlx::query("SELECT stream_id, kind, version FROM streams")
        .fetch_all(&mut from)
        .await?;
    from.close().await?;
    let ids: Vec<uuid::Uuid> = rows
        .iter()
        .map(|r| r.try_get("stream_id"))
        .collect::<Result<_, _>>()?;
    let kinds: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("kind"))
        .collect::<Result<_, _>>()?;
    let versions: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get("version"))
        .collect::<Result<_, _>>()?;
    sqlx::query(
        "INSERT INTO applied (stream_id, stream_kind, version) \
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::bigint[])",
    )
    .bind(ids)
    .bind(kinds)
    .bind(versions)
    .execute(&pool)
    .await?;
    pool.close().await;
    Ok(())
}

/// Run `projection-service rebuild` against `store` into `reads`, for at most `limit`.
pub async fn run(
    store: &str,
    reads: &str,
    limit: Duration,
    log_dir: &Path,
) -> anyhow::Result<(u64, f64, bool, f64)> {
    let mut child = tokio::process::Command::new(sibling_binary("projection-service")?)
        .arg("rebuild")
        .env("PROJECTION_DATABASE_URL", reads)
        .env("EVENTSTORE_DATABASE_URL", store)
        .env("OFSTED_ENV", "test")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("starting projection-service rebuild")?;
    let pid = child.id().unwrap_or(0);
    let stderr = child.stderr.take().context("no stderr")?;
    let log_path = log_dir.join("rebuild.log");
    let started = Instant::now();
    let reading = tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        let mut all = String::new();
        let mut last_done = 0u64;
        let mut finished_rate: Option<(u64, f64)> = None;
        while let Ok(Some(line)) = lines.next_line().await {
            all.push_str(&line);
            all.push('\n');
            // "rebuild: <done>/<total> events, ..." or the final "... <n> events replayed (<r> events/s) ..."
            if let Some(rest) = line.strip_prefix("rebuild: ")
                && let Some((done, _)) = rest.split_once('/')
                && let Ok(done) = done.parse::<u64>()
            {
                last_done = done;
            }
            if let Some((_, after)) = line.split_once("s: ")
                && let Some((n, rest)) = after.split_once(" events replayed (")
                && let Ok(n) = n.parse::<u64>()
            {
                let rate = rest
                    .split_whitespace()
                    .next()
                    .and_then(|r| r.parse::<f64>().ok())
                    .unwrap_or(0.0);
                finished_rate = Some((n, rate));
            }
        }
        (all, last_done, finished_rate)
    });
    let mut peak = 0.0f64;
    let status = loop {
        if let Some(rss) = peak_rss_mib(pid) {
            peak = peak.max(rss);
        }
        match tokio::time::timeout(Duration::from_millis(200), child.wait()).await {
            Ok(status) => break Some(status?),
            Err(_) if started.elapsed() > limit => {
                let _ = child.kill().await;
                break None;
            }
            Err(_) => {}
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let (log, last_done, finished) = reading.await?;
    std::fs::write(&log_path, &log)?;
    match (status, finished) {
        (Some(s), Some((n, rate))) if s.success() => Ok((n, rate, true, peak)),
        (Some(s), _) => bail!("rebuild failed ({s}); log: {}", log_path.display()),
        (None, _) => Ok((last_done, last_done as f64 / seconds, false, peak)),
    }
}
