//! Harness of the projection tests: an event store and a stream/prefix of the test's own,
//! the real relay, projection services run in-process on port 0 with their own databases,
//! a reference projection applied straight from the store, and row-for-row dumps.

#![allow(dead_code)]

pub mod author;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use bus::{BusConfig, Envelope, Relay, RelayConfig};
use chrono::{DateTime, Utc};
use domain::calendar::Calendar;
use eventstore::{Cursor, EventStore};
use projection::clock::ManualClock;
use projection::config::{ClockSetting, Config, Environment};
use projection::consumer::Projector;
use projection::store::apply::Incoming;
use projection::store::{dump, sql};
use proto::pb::inspection_query_service_client::InspectionQueryServiceClient;
use sqlx::{PgPool, Row};
use testkit::TestDb;
use testkit::nats::TestNats;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

/// Upper bound for anything a test waits for.
pub const DEADLINE: Duration = Duration::from_secs(90);

/// A query client that sends a development token on every request.
pub type Client = InspectionQueryServiceClient<InterceptedService<Channel, auth::grpc::Bearer>>;

/// The identity of the tests' ordinary queries: an operator reads everything.
pub fn operator() -> auth::Identity {
    auth::Identity::new(
        "projection-tests",
        domain::permissions::Role::Operator,
        None,
    )
    .expect("identity")
}

/// Poll `f` until it returns `Some`, failing after [`DEADLINE`].
pub async fn poll_until<T, F, Fut>(what: &str, mut f: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Option<T>>>,
{
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(v) = f().await? {
            return Ok(v);
        }
        if Instant::now() > deadline {
            bail!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The write side of one test: a store, a stream and a relay publishing to it.
pub struct Env {
    pub es_db: TestDb,
    pub store: EventStore,
    pub nats: TestNats,
    pub bus: BusConfig,
}

/// Logs of the code under test, shown by the test runner for a failing test (`RUST_LOG`,
/// default warnings).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}

impl Env {
    pub async fn new() -> Env {
        init_tracing();
        let es_db = TestDb::new().await;
        let store = EventStore::from_pool(es_db.pool().clone());
        store.migrate().await.expect("migrate store");
        let nats = TestNats::new().await;
        let bus = BusConfig {
            nats_url: nats.url().to_owned(),
            stream_name: nats.stream_name().to_owned(),
            subject_prefix: nats.subject_prefix().to_owned(),
            duplicate_window: Duration::from_secs(120),
            replicas: 1,
        };
        bus::ensure_stream(nats.jetstream(), &bus)
            .await
            .expect("stream");
        Env {
            es_db,
            store,
            nats,
            bus,
        }
    }

    /// A projection configuration for a database of its own.
    pub fn config(&self, db: &TestDb, clock: &ManualClock) -> Config {
        Config {
            database_url: db.url().to_owned(),
            eventstore_url: self.es_db.url().to_owned(),
            bus: self.bus.clone(),
            consumer_name: format!("projection_{}", testkit::unique_suffix()),
            ack_wait: Duration::from_secs(2),
            watch_poll: Duration::from_millis(200),
            environment: Environment::Test,
            clock: ClockSetting::Manual(clock.clone()),
            ..Config::local()
        }
    }

    /// Starts the outbox relay; stop it with [`RunningRelay::stop`].
    pub async fn spawn_relay(&self) -> RunningRelay {
        let client = testkit::nats::connect(self.nats.url()).await;
        let config = RelayConfig {
            application_name: format!("relay_{}", testkit::unique_suffix()),
            batch_size: 100,
            poll_interval: Duration::from_millis(100),
            min_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(300),
            ack_timeout: Duration::from_secs(2),
            ..RelayConfig::default()
        };
        let relay = Relay::new(self.store.clone(), client, self.bus.clone(), config);
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            relay
                .run(async move {
                    let _ = stopped.await;
                })
                .await
                .expect("relay");
        });
        RunningRelay { stop, handle }
    }

    /// Publishes an envelope of a stored event, with no de-duplication id: JetStream keeps
    /// it even if the same event was published before.
    pub async fn publish(&self, envelope: &Envelope) -> anyhow::Result<()> {
        let subject = envelope.subject(&self.bus.subject_prefix);
        self.nats
            .jetstream()
            .publish(subject, envelope.to_json()?.into())
            .await?
            .await?;
        Ok(())
    }

    /// Publishes raw bytes under the prefix (a poison message).
    pub async fn publish_raw(&self, bytes: &'static [u8]) -> anyhow::Result<()> {
        let subject = format!("{}.poison.poison.poison", self.bus.subject_prefix);
        self.nats
            .jetstream()
            .publish(subject, bytes.into())
            .await?
            .await?;
        Ok(())
    }

    /// Every event of the store in its read-all order. `read_all` only returns events below
    /// the cluster's oldest running transaction (any test's), so this waits until it has
    /// returned as many as the store holds.
    pub async fn all_events(&self) -> anyhow::Result<Vec<eventstore::RecordedEvent>> {
        let total = self.store.count_events().await?;
        poll_until("read_all to reach every event", || async {
            let mut out = Vec::new();
            let mut cursor: Option<Cursor> = None;
            loop {
                let batch = self.store.read_all(cursor.as_ref(), 500).await?;
                let Some(last) = batch.last() else { break };
                cursor = Some(last.cursor);
                out.extend(batch);
            }
            Ok((out.len() as i64 == total).then_some(out))
        })
        .await
    }

    /// Wait until `pool`'s projection has applied every stream of the store to its version.
    pub async fn wait_caught_up(&self, pool: &PgPool) -> anyhow::Result<()> {
        poll_until("the projection to catch up", || async {
            let store: Vec<(uuid::Uuid, i64)> =
                sqlx::query("SELECT stream_id, version FROM streams ORDER BY stream_id")
                    .fetch_all(self.es_db.pool())
                    .await?
                    .iter()
                    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                    .collect::<Result<_, sqlx::Error>>()?;
            // Not yet migrated (the service is starting): not caught up.
            let Ok(rows) = sqlx::query("SELECT stream_id, version FROM applied ORDER BY stream_id")
                .fetch_all(pool)
                .await
            else {
                return Ok(None);
            };
            let applied: Vec<(uuid::Uuid, i64)> = rows
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_, sqlx::Error>>()?;
            Ok((store == applied).then_some(()))
        })
        .await
    }

    /// A projection built straight from the store, each event applied once in the store's
    /// order: what a single delivery of every event gives.
    pub async fn reference(&self) -> anyhow::Result<TestDb> {
        let db = TestDb::new().await;
        projection::store::migrate(db.pool()).await?;
        let projector = Projector::new(
            db.pool().clone(),
            self.store.clone(),
            Arc::new(Calendar::bundled().clone()),
        );
        for e in self.all_events().await? {
            projector.project(&Incoming::from(&e)).await?;
        }
        Ok(db)
    }

    pub async fn cleanup(self) {
        self.es_db.cleanup().await;
        self.nats.cleanup().await;
    }
}

pub struct RunningRelay {
    stop: oneshot::Sender<()>,
    handle: JoinHandle<()>,
}

impl RunningRelay {
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.handle.await.expect("relay task");
    }
}

/// A projection service running in-process.
pub struct Running {
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    handle: JoinHandle<Result<(), projection::RunError>>,
}

impl Running {
    pub async fn start(config: Config) -> Running {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(projection::run(config, listener, async move {
            let _ = stopped.await;
        }));
        Running { addr, stop, handle }
    }

    /// A client acting as an operator.
    pub async fn client(&self) -> Client {
        self.client_as(&operator()).await
    }

    /// A client acting as `who` (with a development token).
    pub async fn client_as(&self, who: &auth::Identity) -> Client {
        let bearer = auth::grpc::Bearer::new(&auth::dev::token_for(who)).expect("ascii token");
        self.client_with(bearer).await
    }

    /// A client sending `bearer`.
    pub async fn client_with(&self, bearer: auth::grpc::Bearer) -> Client {
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", self.addr))
            .expect("uri")
            .connect()
            .await
            .expect("connect");
        InspectionQueryServiceClient::with_interceptor(channel, bearer)
    }

    /// Graceful shutdown.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.handle.await.context("join")?.context("run")?;
        Ok(())
    }

    /// Killed: the task is dropped wherever it is.
    pub async fn kill(self) {
        self.handle.abort();
        let _ = self.handle.await;
    }
}

/// Every table of a projection, row for row (the rebuilt tables and the Watch log).
pub async fn dump_all(pool: &PgPool) -> anyhow::Result<Vec<(&'static str, Vec<String>)>> {
    let mut conn = pool.acquire().await?;
    let mut out = Vec::new();
    for table in sql::REBUILT_TABLES.into_iter().chain(["changes"]) {
        out.push((table, dump::dump_table(&mut conn, table).await?));
    }
    Ok(out)
}

/// Asserts two projections' read models are equal row for row, naming the first table that
/// differs. With `with_changes`, the Watch logs too (equal when both applied the streams in
/// the same order).
pub async fn assert_same(a: &PgPool, b: &PgPool, with_changes: bool) -> anyhow::Result<()> {
    let (a, b) = (dump_all(a).await?, dump_all(b).await?);
    for ((table, rows_a), (_, rows_b)) in a.iter().zip(&b) {
        if *table == "changes" && !with_changes {
            continue;
        }
        assert!(
            !rows_a.is_empty() || table == &"changes",
            "{table} is empty"
        );
        if rows_a != rows_b {
            let only_a: Vec<_> = rows_a
                .iter()
                .filter(|r| !rows_b.contains(r))
                .take(3)
                .collect();
            let only_b: Vec<_> = rows_b
                .iter()
                .filter(|r| !rows_a.contains(r))
                .take(3)
                .collect();
            bail!(
                "{table} differs ({} vs {} rows)\nonly in first: {only_a:#?}\nonly in second: {only_b:#?}",
                rows_a.len(),
                rows_b.len()
            );
        }
    }
    Ok(())
}

/// Each (stream, version) appears exactly once in the Watch log, and the sequence is dense.
pub async fn assert_each_applied_once(pool: &PgPool, events: usize) -> anyhow::Result<()> {
    let (count, distinct, max): (i64, i64, Option<i64>) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT (stream_id, version)), max(seq) FROM changes",
    )
    .fetch_one(pool)
    .await?;
    assert_eq!(count as usize, events, "one change per event");
    assert_eq!(distinct, count, "no event applied twice");
    assert_eq!(max, Some(count), "dense sequence");
    // Within each stream, the log follows the versions: 1, 2, 3, ...
    let out_of_order: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT version, row_number() OVER (PARTITION BY stream_id \
         ORDER BY seq) AS n FROM changes) c WHERE version <> n",
    )
    .fetch_one(pool)
    .await?;
    assert_eq!(out_of_order, 0, "each stream's changes in version order");
    Ok(())
}

pub fn ts(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: t.timestamp_subsec_nanos() as i32,
    }
}
