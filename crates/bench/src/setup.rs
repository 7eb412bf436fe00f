//! Fresh, named resources for one run: Postgres databases, free ports, NATS names.

use std::net::SocketAddr;
use std::str::FromStr;

use anyhow::Context;
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// The admin URL when `DATABASE_URL` is not set.
pub const ADMIN_URL_DEFAULT: &str = "postgres://postgres:postgres@127.0.0.1:5432/postgres";

/// Names of one run, all carrying its id so that runs (and tests) never share anything.
#[derive(Debug, Clone)]
pub struct Run {
    /// Short hex id.
    pub id: String,
    /// Admin URL of the Postgres server.
    pub admin_url: String,
    /// NATS server.
    pub nats_url: String,
}

impl Run {
    /// A new run against the servers of `DATABASE_URL` and `NATS_URL` (local defaults).
    pub fn new() -> Run {
        let id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
        Run {
            id,
            admin_url: std::env::var("DATABASE_URL").unwrap_or_else(|_| ADMIN_URL_DEFAULT.into()),
            nats_url: std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into()),
        }
    }

    /// This run's name for a database with role `what`.
    pub fn database(&self, what: &str) -> String {
        format!("bench_{}_{what}", self.id)
    }

    /// The URL of database `name` on the admin URL's server.
    pub fn url_of(&self, name: &str) -> anyhow::Result<String> {
        // Checked to parse, then rewritten as text: pgbench (libpq) must read it too.
        PgConnectOptions::from_str(&self.admin_url)?;
        let (base, query) = match self.admin_url.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (self.admin_url.as_str(), String::new()),
        };
        let (server, _db) = base
            .rsplit_once('/')
            .filter(|(server, _)| server.contains("://") && !server.ends_with('/'))
            .unwrap_or((base, ""));
        Ok(format!("{server}/{name}{query}"))
    }

    /// JetStream stream name.
    pub fn stream(&self) -> String {
        format!("BENCH_{}", self.id.to_uppercase())
    }

    /// Subject prefix of the internal events.
    pub fn subject_prefix(&self) -> String {
        format!("bench.{}.events", self.id)
    }

    async fn admin(&self) -> anyhow::Result<PgConnection> {
        PgConnection::connect(&self.admin_url)
            .await
            .with_context(|| format!("connecting to {}", self.admin_url))
    }

    /// Create database `name` (fresh: dropped first if a previous run left it).
    pub async fn create_database(&self, name: &str) -> anyhow::Result<String> {
        let mut admin = self.admin().await?;
        // Our own names (`bench_<hex>_<word>`): safe to format into SQL.
        sqlx::query(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
        )))
        .execute(&mut admin)
        .await?;
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .with_context(|| format!("creating database {name}"))?;
        admin.close().await?;
        self.url_of(name)
    }

    /// Drop every database of this run.
    pub async fn drop_databases(&self) -> anyhow::Result<()> {
        let mut admin = self.admin().await?;
        let names: Vec<String> =
            sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE $1")
                .bind(format!("bench\\_{}\\_%", self.id))
                .fetch_all(&mut admin)
                .await?;
        for name in names {
            sqlx::query(AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await?;
        }
        admin.close().await?;
        Ok(())
    }

    /// Delete this run's JetStream streams (best effort).
    pub async fn delete_streams(&self) {
        let Ok(client) = async_nats::connect(&self.nats_url).await else {
            return;
        };
        let js = async_nats::jetstream::new(client);
        for name in [self.stream(), format!("{}_PUBLIC", self.stream())] {
            let _ = js.delete_stream(&name).await;
        }
    }
}

impl Default for Run {
    fn default() -> Self {
        Run::new()
    }
}

/// A port nobody listens on now (bound and released; good enough on a quiet machine).
pub fn free_addr() -> anyhow::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}
