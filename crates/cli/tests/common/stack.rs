//! Both services in-process on port 0 (each with databases of its own, one stream and prefix
//! of the test's own, manual clocks moved together), and the CLI run against them.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use testkit::TestDb;
use testkit::nats::TestNats;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::Run;

/// Upper bound of anything a test waits for.
pub const DEADLINE: Duration = Duration::from_secs(30);

type Handle = JoinHandle<Result<(), String>>;

/// The running services.
#[derive(Debug)]
pub struct Stack {
    pub events: TestDb,
    pub views: TestDb,
    pub nats: TestNats,
    pub bus: bus::BusConfig,
    pub command_addr: SocketAddr,
    pub query_addr: SocketAddr,
    command_clock: command_service::ManualClock,
    query_clock: projection::clock::ManualClock,
    stops: Vec<(oneshot::Sender<()>, Handle)>,
}

impl Stack {
    /// Starts both services with clocks at `now`, and waits until the CLI can reach both.
    pub async fn start(now: DateTime<Utc>) -> Stack {
        let events = TestDb::new().await;
        let views = TestDb::new().await;
        let nats = TestNats::new().await;
        let bus = bus::BusConfig {
            nats_url: nats.url().to_owned(),
            stream_name: nats.stream_name().to_owned(),
            subject_prefix: nats.subject_prefix().to_owned(),
            ..bus::BusConfig::default()
        };
        let command_clock = command_service::ManualClock::new(now);
        let query_clock = projection::clock::ManualClock::new(now);

        let mut command = command_service::Config::local();
        command.database_url = events.url().to_owned();
        command.bus = bus.clone();
        command.environment = command_service::Environment::Test;
        command.clock = command_service::ClockSetting::Manual(command_clock.clone());

        let mut query = projection::Config::local();
        query.database_url = views.url().to_owned();
        query.eventstore_url = events.url().to_owned();
        query.bus = bus.clone();
        query.environment = projection::config::Environment::Test;
        query.clock = projection::config::ClockSetting::Manual(query_clock.clone());
        query.watch_poll = Duration::from_millis(200);

        let (command_addr, c) = spawn(|l, stop| async move {
            command_service::run(command, l, stop)
                .await
                .map_err(|e| format!("{e:#}"))
        })
        .await;
        let (query_addr, q) = spawn(|l, stop| async move {
            projection::run(query, l, stop)
                .await
                .map_err(|e| format!("{e:#}"))
        })
        .await;
        let stack = Stack {
            events,
            views,
            nats,
            bus,
            command_addr,
            query_addr,
            command_clock,
            query_clock,
            stops: vec![c, q],
        };
        stack.wait_ready().await;
        stack
    }

    /// Moves both clocks.
    pub fn set_now(&self, at: DateTime<Utc>) {
        self.command_clock.set(at);
        self.query_clock.set(at);
    }

    /// The environment the CLI is run with: addresses, NATS names and databases.
    pub fn env(&self) -> Vec<(String, String)> {
        let public = bus::PublicConfig::derived_from(&self.bus);
        vec![
            (
                "INSPECTIONCTL_COMMAND_ADDR".into(),
                format!("http://{}", self.command_addr),
            ),
            (
                "INSPECTIONCTL_QUERY_ADDR".into(),
                format!("http://{}", self.query_addr),
            ),
            ("NATS_URL".into(), self.bus.nats_url.clone()),
            ("OFSTED_STREAM".into(), self.bus.stream_name.clone()),
            (
                "OFSTED_SUBJECT_PREFIX".into(),
                self.bus.subject_prefix.clone(),
            ),
            ("OFSTED_PUBLIC_STREAM".into(), public.stream_name),
            ("DATABASE_URL".into(), self.events.url().to_owned()),
            (
                "EVENTSTORE_DATABASE_URL".into(),
                self.events.url().to_owned(),
            ),
            (
                "PROJECTION_DATABASE_URL".into(),
                self.views.url().to_owned(),
            ),
            ("NO_COLOR".into(), "1".into()),
        ]
    }

    /// Runs `inspectionctl args…` against the stack (off the async runtime's threads).
    pub async fn cli(&self, args: &[&str]) -> Run {
        let env = self.env();
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let env: Vec<(&str, &str)> =
                env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            super::run_with_env(&args, &env)
        })
        .await
        .expect("the cli task did not panic")
    }

    /// Runs the CLI and parses its one JSON line; panics with its output when it failed.
    pub async fn cli_json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let r = self.cli(&all).await;
        assert!(r.success(), "inspectionctl {args:?} failed: {r:?}");
        serde_json::from_str(r.stdout.trim())
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {r:?}"))
    }

    async fn wait_ready(&self) {
        let start = tokio::time::Instant::now();
        loop {
            let r = self.cli(&["list"]).await;
            // The query side answers `list` once migrated. The command side answers UNAVAILABLE
            // until its store is ready, so an update of the nil id (refused as invalid once
            // ready) tells when it is.
            let c = self
                .cli(&[
                    "--as-role",
                    "scheduler",
                    "lead-provider",
                    "update",
                    "--id",
                    "00000000-0000-0000-0000-000000000001",
                ])
                .await;
            let command_up = !c.success() && !c.stderr.starts_with("UNAVAILABLE");
            if r.success() && command_up {
                return;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "services not ready: {r:?} {c:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops both services and drops the databases and streams.
    pub async fn stop(mut self) {
        for (tx, handle) in self.stops.drain(..) {
            let _ = tx.send(());
            let result = tokio::time::timeout(DEADLINE, handle)
                .await
                .expect("service stops in time")
                .expect("service did not panic");
            result.expect("service stopped cleanly");
        }
        self.events.cleanup().await;
        self.views.cleanup().await;
        self.nats.cleanup().await;
    }
}

async fn spawn<F, Fut>(run: F) -> (SocketAddr, (oneshot::Sender<()>, Handle))
where
    F: FnOnce(TcpListener, futures::future::BoxFuture<'static, ()>) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let addr = listener.local_addr().expect("bound address");
    let (tx, rx) = oneshot::channel::<()>();
    let stop: futures::future::BoxFuture<'static, ()> = Box::pin(async move {
        let _ = rx.await;
    });
    (addr, (tx, tokio::spawn(run(listener, stop))))
}

/// Polls `f` every 50 ms until it yields a value, panicking after [`DEADLINE`].
pub async fn poll<T, Fut>(what: &str, mut f: impl FnMut() -> Fut) -> T
where
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = tokio::time::Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
