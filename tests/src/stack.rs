//! Both services in-process, each on its own port 0 listener, with an event-store database, a
//! read-model database, a JetStream stream and a subject prefix of their own (so tests run in
//! parallel on the shared Postgres and NATS), and one manual clock for both.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use proto::pb;
use testkit::TestDb;
use testkit::nats::TestNats;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::api::{Api, channel};
use crate::clock::Clocks;
use crate::poll;

/// How the stack is started.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// Where both clocks start.
    pub now: DateTime<Utc>,
    /// A NATS server other than the shared one (e.g. a [`crate::nats_server::PrivateNats`]).
    pub nats_url: Option<String>,
    /// `application_name` of the command service's Postgres sessions (the relay names its
    /// own `ofsted-relay`), so a test can find and cut them.
    pub command_application_name: Option<String>,
    /// Run the services as their least-privilege Postgres roles ([`crate::roles`]): the
    /// command service migrating as the administrator, the projection owning its database.
    pub least_privilege: bool,
}

impl StackOptions {
    /// Defaults: the shared NATS, clocks at `now`.
    pub fn at(now: DateTime<Utc>) -> Self {
        StackOptions {
            now,
            nats_url: None,
            command_application_name: None,
            least_privilege: false,
        }
    }
}

/// One in-process service.
#[derive(Debug)]
struct Running {
    name: &'static str,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<Result<(), String>>>,
}

impl Running {
    async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            match tokio::time::timeout(Duration::from_secs(30), handle).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => panic!("{} failed: {e}", self.name),
                Ok(Err(e)) => panic!("{} panicked: {e}", self.name),
                Err(_) => panic!("{} did not stop within 30 s", self.name),
            }
        }
    }
}

/// Both services, their stores and their clock.
#[derive(Debug)]
pub struct Stack {
    /// The event store's database.
    pub events: TestDb,
    /// The read models' database.
    pub views: TestDb,
    /// Stream name and subject prefix (on the shared server, even when the services use
    /// another one: only the names are used then).
    pub nats: TestNats,
    /// The services' bus configuration.
    pub bus: bus::BusConfig,
    /// Both clocks.
    pub clocks: Clocks,
    /// Clients.
    pub api: Api,
    command: Running,
    query: Running,
}

impl Stack {
    /// Start both services and wait until both report SERVING.
    pub async fn start(options: StackOptions) -> Stack {
        let events = TestDb::new().await;
        let views = TestDb::new().await;
        let nats = TestNats::new().await;
        let clocks = Clocks::new(options.now);
        let mut bus = bus::BusConfig {
            nats_url: options.nats_url.unwrap_or_else(|| nats.url().to_owned()),
            stream_name: nats.stream_name().to_owned(),
            subject_prefix: nats.subject_prefix().to_owned(),
            ..bus::BusConfig::default()
        };
        bus.duplicate_window = Duration::from_secs(120);

        let mut command_config = command_service::Config::local();
        command_config.database_url = match &options.command_application_name {
            Some(app) => format!("{}?application_name={app}", events.url()),
            None => events.url().to_owned(),
        };
        command_config.bus = bus.clone();
        command_config.environment = command_service::Environment::Test;
        command_config.clock = clocks.command_setting();
        if options.least_privilege {
            crate::roles::apply(views.name());
            command_config.migration_database_url = Some(events.url().to_owned());
            command_config.database_url =
                crate::roles::as_role(&command_config.database_url, crate::roles::COMMAND_ROLE);
        }

        let mut query_config = projection::Config::local();
        query_config.database_url = views.url().to_owned();
        query_config.eventstore_url = events.url().to_owned();
        query_config.bus = bus.clone();
        query_config.environment = projection::config::Environment::Test;
        query_config.clock = clocks.query_setting();
        query_config.watch_poll = Duration::from_millis(200);
        if options.least_privilege {
            let role = crate::roles::PROJECTION_ROLE;
            query_config.database_url = crate::roles::as_role(views.url(), role);
            query_config.eventstore_url = crate::roles::as_role(events.url(), role);
        }

        let command = spawn("command service", |listener, stop| async move {
            command_service::run(command_config, listener, stop)
                .await
                .map_err(|e| format!("{e:#}"))
        })
        .await;
        let query = spawn("projection service", |listener, stop| async move {
            projection::run(query_config, listener, stop)
                .await
                .map_err(|e| format!("{e:#}"))
        })
        .await;
        let stack = Stack {
            api: Api::new(command.addr, query.addr),
            events,
            views,
            nats,
            bus,
            clocks,
            command,
            query,
        };
        wait_serving(stack.command.addr, pb::COMMAND_SERVICE_NAME).await;
        wait_serving(
            stack.query.addr,
            pb::inspection_query_service_server::SERVICE_NAME,
        )
        .await;
        stack
    }

    /// The command service's address.
    pub fn command_addr(&self) -> SocketAddr {
        self.command.addr
    }

    /// The projection service's address.
    pub fn query_addr(&self) -> SocketAddr {
        self.query.addr
    }

    /// Stop both services gracefully and drop the databases and the stream.
    pub async fn stop(mut self) {
        self.command.stop().await;
        self.query.stop().await;
        self.events.cleanup().await;
        self.views.cleanup().await;
        // The command service also made the public (DfE) stream derived from these names.
        let public = bus::PublicConfig::derived_from(&self.bus);
        let _ = self
            .nats
            .jetstream()
            .delete_stream(&public.stream_name)
            .await;
        self.nats.cleanup().await;
    }
}

async fn spawn<F, Fut>(name: &'static str, run: F) -> Running
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
    let handle = tokio::spawn(run(listener, stop));
    Running {
        name,
        addr,
        shutdown: Some(tx),
        handle: Some(handle),
    }
}

/// Poll a server's health until `service` is SERVING.
pub async fn wait_serving(addr: SocketAddr, service: &str) {
    let client = HealthClient::new(channel(addr));
    poll::until(
        &format!("{service} at {addr} serving"),
        poll::DEADLINE,
        || {
            let mut client = client.clone();
            let service = service.to_owned();
            async move {
                let status = client.check(HealthCheckRequest { service }).await.ok()?;
                (status.into_inner().status() == ServingStatus::Serving).then_some(())
            }
        },
    )
    .await;
}
