//! The bound: what this Postgres does with one-row-insert-per-transaction `pgbench` of an
//! event of the same size (a real event of the run, the median size) into a scratch table
//! shaped like `events` (same columns, keys and indexes), in a fresh database.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Serialize;
use sqlx::{Connection, PgConnection, Row};

/// A real event of the run, as text.
#[derive(Debug, Clone, Serialize)]
pub struct SampleEvent {
    pub event_type: String,
    pub lead_provider_id: String,
    pub payload: String,
    pub metadata: String,
    /// `payload` + `metadata` bytes.
    pub bytes: usize,
    /// Mean `payload` + `metadata` bytes over the store.
    pub mean_bytes: f64,
}

/// The median-size event of the store at `store_url`.
pub async fn sample_event(store_url: &str) -> anyhow::Result<SampleEvent> {
    let mut conn = PgConnection::connect(store_url).await?;
    let mean: f64 = sqlx::query_scalar(
        "SELECT coalesce(avg(octet_length(payload::text) + octet_length(metadata::text)), 0)::float8 FROM events",
    )
    .fetch_one(&mut conn)
    .await?;
    let row = sqlx::query(
        "SELECT event_type, lead_provider_id::text AS lp, payload::text AS p, metadata::text AS m \
         FROM events ORDER BY octet_length(payload::text) + octet_length(metadata::text) \
         OFFSET (SELECT count(*) / 2 FROM events) LIMIT 1",
    )
    .fetch_optional(&mut conn)
    .await?
    .context("the store has no events to take a sample from")?;
    let payload: String = row.try_get("p")?;
    let metadata: String = row.try_get("m")?;
    conn.close().await?;
    Ok(SampleEvent {
        event_type: row.try_get("event_type")?,
        lead_provider_id: row.try_get("lp")?,
        bytes: payload.len() + metadata.len(),
        payload,
        metadata,
        mean_bytes: mean,
    })
}

/// The scratch table: the event store's `events`, column for column.
const SCRATCH: &str = "CREATE TABLE scratch_events (
    position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_id uuid NOT NULL,
    stream_kind text NOT NULL CHECK (stream_kind IN ('inspection', 'lead_provider')),
    lead_provider_id uuid NOT NULL,
    version bigint NOT NULL CHECK (version >= 1),
    event_id uuid NOT NULL UNIQUE,
    event_type text NOT NULL,
    schema_version integer NOT NULL,
    payload jsonb NOT NULL,
    metadata jsonb NOT NULL,
    recorded_at timestamptz NOT NULL,
    UNIQUE (stream_id, version))";

/// One pgbench run.
#[derive(Debug, Clone, Serialize)]
pub struct BoundRun {
    pub clients: usize,
    pub tps: f64,
    pub latency_avg_ms: f64,
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Prepare the scratch table in the (fresh) database at `url` and write the script.
pub async fn prepare(
    url: &str,
    sample: &SampleEvent,
    dir: &Path,
) -> anyhow::Result<std::path::PathBuf> {
    let mut conn = PgConnection::connect(url).await?;
    sqlx::query(SCRATCH).execute(&mut conn).await?;
    sqlx::query("CREATE INDEX ON scratch_events (xid, position)")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let script = format!(
        "INSERT INTO scratch_events (stream_id, stream_kind, lead_provider_id, version, event_id, \
         event_type, schema_version, payload, metadata, recorded_at) VALUES (gen_random_uuid(), \
         'inspection', {}, 1, gen_random_uuid(), {}, 1, {}::jsonb, {}::jsonb, now());\n",
        quote(&sample.lead_provider_id),
        quote(&sample.event_type),
        quote(&sample.payload),
        quote(&sample.metadata),
    );
    let path = dir.join("bound.sql");
    std::fs::write(&path, script)?;
    Ok(path)
}

/// `pgbench` with `clients` clients for `duration` (prepared statements, no vacuum).
pub async fn run(
    url: &str,
    script: &Path,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<BoundRun> {
    let pgbench = std::env::var("PGBENCH").unwrap_or_else(|_| "/usr/bin/pgbench".into());
    let output = tokio::process::Command::new(&pgbench)
        .args([
            "-n",
            "-M",
            "prepared",
            "-c",
            &clients.to_string(),
            "-j",
            &clients.min(2).to_string(),
            "-T",
            &duration.as_secs().max(1).to_string(),
            "-f",
        ])
        .arg(script)
        .arg(url)
        .output()
        .await
        .with_context(|| format!("running {pgbench}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "pgbench failed: {}{}",
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let number_after = |label: &str| {
        stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<f64>().ok())
    };
    Ok(BoundRun {
        clients,
        tps: number_after("tps = ").context("no tps in pgbench's output")?,
        latency_avg_ms: number_after("latency average = ").unwrap_or(0.0),
    })
}
