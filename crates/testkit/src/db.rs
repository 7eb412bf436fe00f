//! A fresh Postgres database per test, created from the admin URL and dropped afterwards.
//!
//! Cleanup: call [`TestDb::cleanup`] at the end of a test. If a test forgets, or fails,
//! `Drop` drops the database best-effort from a helper thread with its own runtime (so it
//! works inside and outside a tokio runtime), waiting for it so the process does not exit
//! first. Set `TESTKIT_KEEP_DB=1` to keep the databases of a run for inspection; they are
//! all named `t_<32 hex digits>`.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool};

/// The admin URL used when `DATABASE_URL` is not set.
pub const ADMIN_URL_DEFAULT: &str = "postgres://postgres:postgres@127.0.0.1:5432/postgres";

/// Connections per test pool: enough for concurrency tests, small enough that parallel
/// tests (and other people's) stay well under the server's `max_connections`.
const POOL_SIZE: u32 = 12;

/// How long [`TestDb::cleanup`] waits for pooled connections to be returned before it
/// drops the database regardless.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// The admin URL: `DATABASE_URL`, else [`ADMIN_URL_DEFAULT`].
pub fn admin_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| ADMIN_URL_DEFAULT.to_owned())
}

/// A database of its own for one test. Panics on failure: it is test support.
#[derive(Debug)]
pub struct TestDb {
    name: String,
    url: String,
    admin_url: String,
    pool: PgPool,
    dropped: bool,
}

impl TestDb {
    /// Create `t_<uuid>` on the server of [`admin_url`] and connect a pool to it.
    pub async fn new() -> TestDb {
        let admin_url = admin_url();
        let name = format!("t_{}", crate::unique_suffix());
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("testkit: cannot connect to {admin_url}: {e}"));
        // The name is ours (hex digits), so formatting it into SQL is safe.
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("testkit: cannot create database {name}: {e}"));
        let _ = admin.close().await;

        let url = with_database(&admin_url, &name);
        let options = PgConnectOptions::from_str(&admin_url)
            .unwrap_or_else(|e| panic!("testkit: bad admin url: {e}"))
            .database(&name);
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .unwrap_or_else(|e| panic!("testkit: cannot connect to {name}: {e}"));
        TestDb {
            name,
            url,
            admin_url,
            pool,
            dropped: false,
        }
    }

    /// The database's name (`t_<32 hex digits>`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A URL for the database, for code under test that connects by itself.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A pool connected to the database (clone it freely).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Close the pool and drop the database, terminating any session still open (a
    /// `PgListener` made from the pool, for one, keeps its connection until dropped, which
    /// would make waiting for the pool to close hang).
    pub async fn cleanup(mut self) {
        self.dropped = true;
        let _ = tokio::time::timeout(CLOSE_GRACE, self.pool.close()).await;
        if keep_databases() {
            return;
        }
        if let Err(e) = drop_database(&self.admin_url, &self.name).await {
            eprintln!("testkit: could not drop database {}: {e}", self.name);
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.dropped || keep_databases() {
            return;
        }
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // A thread with its own runtime: Drop cannot await, and may run inside a runtime
        // (where blocking on another future of the same runtime would deadlock).
        let handle = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            match runtime {
                Ok(rt) => rt.block_on(drop_database(&admin_url, &name)),
                Err(e) => Err(sqlx::Error::Io(e)),
            }
        });
        match handle.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("testkit: could not drop database {}: {e}", self.name),
            Err(_) => eprintln!("testkit: dropping database {} panicked", self.name),
        }
    }
}

fn keep_databases() -> bool {
    std::env::var_os("TESTKIT_KEEP_DB").is_some_and(|v| v != "0" && !v.is_empty())
}

/// `DROP DATABASE ... WITH (FORCE)` terminates the pool's remaining sessions server-side.
async fn drop_database(admin_url: &str, name: &str) -> Result<(), sqlx::Error> {
    let mut admin = PgConnection::connect(admin_url).await?;
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await?;
    admin.close().await
}

/// `url` with its database path replaced by `database` (query string kept).
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn with_database_replaces_the_path_only() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres", "t_1"),
            "postgres://u:p@h:5432/t_1"
        );
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "t_1"),
            "postgres://u:p@h:5432/t_1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "t_1"), "postgres://h/t_1");
    }
}
