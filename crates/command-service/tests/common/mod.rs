//! Test harness: the command service in-process on port 0, with a database and a NATS stream
//! of its own, a manual clock, and gRPC clients over real TCP.

#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use command_service::{ClockSetting, Config, Environment, ManualClock, RunError};
use proto::pb;
use proto::pb::inspection_command_service_client::InspectionCommandServiceClient;
use testkit::TestDb;
use testkit::nats::TestNats;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_types::{ErrorDetails, StatusExt};
use uuid::Uuid;

use auth::Identity;
use domain::ids::LeadProviderId;
use domain::permissions::Role;

/// How long any polled condition may take.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Mon 2027-01-04 09:31 London (= UTC in January): the notification-call day of a full
/// inspection starting Mon 2027-01-11 (DOMAIN.md worked example), just after 09:30.
pub fn call_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 4, 9, 31, 0).unwrap()
}

/// A week before [`call_time`]: when tests plan.
pub fn planning_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 28, 10, 0, 0).unwrap()
}

/// Where the service's Postgres and NATS are.
#[derive(Debug, Default)]
pub struct Options {
    /// Database URL instead of the test database's own.
    pub database_url: Option<String>,
    /// NATS URL instead of the shared server's.
    pub nats_url: Option<String>,
}

/// A running service.
#[derive(Debug)]
pub struct App {
    pub addr: SocketAddr,
    pub client: InspectionCommandServiceClient<Channel>,
    pub channel: Channel,
    pub clock: ManualClock,
    pub db: TestDb,
    pub nats: TestNats,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<Result<(), RunError>>>,
}

/// Start the service and wait until health says SERVING.
pub async fn spawn_app() -> App {
    let app = spawn_app_with(Options::default()).await;
    app.wait_serving().await;
    app
}

/// Start the service without waiting for readiness.
pub async fn spawn_app_with(options: Options) -> App {
    let db = TestDb::new().await;
    let nats = TestNats::new().await;
    let clock = ManualClock::new(planning_time());
    let mut config = Config::local();
    config.database_url = options.database_url.unwrap_or_else(|| db.url().to_owned());
    config.bus.nats_url = options.nats_url.unwrap_or_else(|| nats.url().to_owned());
    config.bus.stream_name = nats.stream_name().to_owned();
    config.bus.subject_prefix = nats.subject_prefix().to_owned();
    config.environment = Environment::Test;
    config.clock = ClockSetting::Manual(clock.clone());

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(command_service::run(config, listener, async move {
        let _ = rx.await;
    }));
    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .tcp_nodelay(true)
        .connect_lazy();
    App {
        addr,
        client: InspectionCommandServiceClient::new(channel.clone()),
        channel,
        clock,
        db,
        nats,
        shutdown: Some(tx),
        handle: Some(handle),
    }
}

impl App {
    /// The health status of `service` ("" is the whole server), once the server answers.
    pub async fn health(&self, service: &str) -> ServingStatus {
        let client = HealthClient::new(self.channel.clone());
        poll(|| {
            let mut client = client.clone();
            let service = service.to_owned();
            async move { client.check(HealthCheckRequest { service }).await.ok() }
        })
        .await
        .into_inner()
        .status()
    }

    /// Poll health until SERVING.
    pub async fn wait_serving(&self) {
        poll(|| async {
            (self.health(pb::COMMAND_SERVICE_NAME).await == ServingStatus::Serving).then_some(())
        })
        .await;
    }

    /// Stop the service gracefully and drop its database and stream.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            let result = tokio::time::timeout(DEADLINE, handle)
                .await
                .expect("service stops within the deadline")
                .expect("service task did not panic");
            result.expect("service stopped cleanly");
        }
        self.db.cleanup().await;
        self.nats.cleanup().await;
    }

    /// Events in the store.
    pub async fn count_events(&self) -> i64 {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM events")
            .fetch_one(self.db.pool())
            .await
            .unwrap()
    }

    /// Register a lead provider holding ECF and NPQ with one representative; returns its id
    /// and the representative.
    pub async fn register_provider(&self) -> (Uuid, pb::PersonalDetails) {
        let id = Uuid::now_v7();
        let rep = person("Grace Hopper", Some("grace@provider.example.org"));
        let response = self
            .client
            .clone()
            .register_lead_provider(as_scheduler(pb::RegisterLeadProviderRequest {
                meta: None,
                lead_provider_id: id.to_string(),
                name: "Example Teaching Trust".into(),
                framework: pb::FrameworkVersion::FrameworkVersion2024 as i32,
                contracts: vec![pb::Contract::Ecf as i32, pb::Contract::Npq as i32],
                representatives: vec![rep.clone()],
            }))
            .await
            .expect("register lead provider")
            .into_inner();
        assert_eq!(response.new_version, 1);
        (id, rep)
    }

    /// Plan a full ECF inspection starting Mon 2027-01-11; returns the response.
    pub async fn plan(&self, lead_provider_id: Uuid) -> pb::CommandResponse {
        self.client
            .clone()
            .plan_inspection(as_scheduler(plan_request(lead_provider_id, None)))
            .await
            .expect("plan inspection")
            .into_inner()
    }
}

/// A plan of a full ECF inspection starting Mon 2027-01-11.
pub fn plan_request(
    lead_provider_id: Uuid,
    inspection_id: Option<Uuid>,
) -> pb::PlanInspectionRequest {
    pb::PlanInspectionRequest {
        meta: Some(pb::CommandMeta {
            inspection_id: inspection_id.map(|i| i.to_string()).unwrap_or_default(),
            ..Default::default()
        }),
        lead_provider_id: lead_provider_id.to_string(),
        kind: pb::InspectionKind::Full as i32,
        contracts: vec![pb::Contract::Ecf as i32],
        framework: pb::FrameworkVersion::FrameworkVersion2024 as i32,
        start: "2027-01-11".into(),
        days: None,
    }
}

/// Meta for a command on `inspection_id`.
pub fn meta(inspection_id: &str) -> Option<pb::CommandMeta> {
    Some(pb::CommandMeta {
        inspection_id: inspection_id.to_owned(),
        ..Default::default()
    })
}

/// Someone's personal details.
pub fn person(name: &str, email: Option<&str>) -> pb::PersonalDetails {
    pb::PersonalDetails {
        person_id: Uuid::now_v7().to_string(),
        name: name.into(),
        email: email.map(Into::into),
        phone: None,
    }
}

/// A request from `subject` in `role`, with a development token.
pub fn with_actor<T>(body: T, subject: &str, role: &str) -> Request<T> {
    let role: Role = role.parse().expect("a role of DOMAIN.md");
    with_identity(body, &Identity::new(subject, role, None).expect("identity"))
}

/// A request from a user of lead provider `lead_provider`.
pub fn as_provider<T>(body: T, lead_provider: Uuid) -> Request<T> {
    let lp = LeadProviderId::new(lead_provider).expect("lead provider id");
    let who = Identity::new("provider-user-1", Role::LeadProvider, Some(lp)).expect("identity");
    with_identity(body, &who)
}

/// A request carrying `token` as its bearer token.
pub fn with_token<T>(body: T, token: &str) -> Request<T> {
    let mut request = Request::new(body);
    auth::grpc::Bearer::new(token)
        .expect("ascii token")
        .apply(&mut request);
    request
}

/// A request from `who`, with a development token.
pub fn with_identity<T>(body: T, who: &Identity) -> Request<T> {
    with_token(body, &auth::dev::token_for(who))
}

/// A request from the test scheduler.
pub fn as_scheduler<T>(body: T) -> Request<T> {
    with_actor(body, "scheduler-1", "scheduler")
}

/// A request from the test inspector.
pub fn as_inspector<T>(body: T) -> Request<T> {
    with_actor(body, "inspector-1", "inspector")
}

/// The error details of a status, asserting its code.
pub fn details(status: &Status, code: Code) -> ErrorDetails {
    assert_eq!(status.code(), code, "unexpected status: {status:?}");
    status
        .check_error_details()
        .expect("status carries google.rpc error details")
}

/// The ErrorInfo reason of a status.
pub fn reason(status: &Status, code: Code) -> String {
    let d = details(status, code);
    let info = d.error_info().expect("status carries ErrorInfo");
    assert_eq!(info.domain, command_service::errors::ERROR_DOMAIN);
    info.reason.clone()
}

/// The field named by a status's BadRequest violation, asserting INVALID_ARGUMENT and a
/// matching ErrorInfo reason.
pub fn bad_field(status: &Status) -> (String, String) {
    let d = details(status, Code::InvalidArgument);
    let info = d.error_info().expect("ErrorInfo").clone();
    let violations = &d.bad_request().expect("BadRequest").field_violations;
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].reason, info.reason);
    (violations[0].field.clone(), info.reason)
}

/// Poll `check` until it returns `Some`, panicking after [`DEADLINE`].
pub async fn poll<T, F, Fut>(mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let mut delay = Duration::from_millis(10);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met within {DEADLINE:?}"
        );
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_millis(250));
    }
}
