//! The server around the commands: reflection, health and readiness, and independence from
//! NATS.

mod common;

use std::net::SocketAddr;

use common::*;
use proto::pb;
use testkit::nats::TcpProxy;
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

#[tokio::test]
async fn reflection_lists_the_command_service() {
    let app = spawn_app().await;
    let mut client = ServerReflectionClient::new(app.channel.clone());
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = client
        .server_reflection_info(one_request(request))
        .await
        .unwrap()
        .into_inner();
    let response = responses.message().await.unwrap().expect("one response");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection response {response:?}");
    };
    let names: Vec<_> = list.service.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&pb::COMMAND_SERVICE_NAME), "{names:?}");
    assert!(names.contains(&"grpc.health.v1.Health"), "{names:?}");
    app.stop().await;
}

fn one_request<T: Send + 'static>(item: T) -> impl futures::Stream<Item = T> + Send + 'static {
    futures::stream::iter([item])
}

/// `url` with its `host:port` replaced by `addr`.
fn with_addr(url: &str, addr: SocketAddr) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let authority_end = url[scheme_end..]
        .find('/')
        .map_or(url.len(), |i| scheme_end + i);
    let authority = &url[scheme_end..authority_end];
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    format!(
        "{}{}{}",
        &url[..scheme_end + host_start],
        addr,
        &url[authority_end..]
    )
}

async fn postgres_addr() -> SocketAddr {
    let admin = testkit::admin_url();
    let scheme_end = admin.find("://").map_or(0, |i| i + 3);
    let rest = &admin[scheme_end..];
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    let host_port = &authority[authority.rfind('@').map_or(0, |i| i + 1)..];
    tokio::net::lookup_host(host_port)
        .await
        .unwrap()
        .next()
        .unwrap()
}

#[tokio::test]
async fn health_is_serving_only_after_migrations() {
    // Postgres is reachable only through a proxy that starts cut: the service starts, answers
    // health, and cannot migrate until the proxy is restored.
    let proxy = TcpProxy::start(postgres_addr().await).await;
    proxy.cut();
    let placeholder = testkit::TestDb::new().await;
    let url = with_addr(placeholder.url(), proxy.addr());
    let app = spawn_app_with(Options {
        database_url: Some(url),
        nats_url: None,
    })
    .await;
    assert_eq!(
        app.health(pb::COMMAND_SERVICE_NAME).await,
        ServingStatus::NotServing
    );
    assert_eq!(app.health("").await, ServingStatus::NotServing);
    let status = app
        .client
        .clone()
        .plan_inspection(as_scheduler(plan_request(uuid::Uuid::now_v7(), None)))
        .await
        .unwrap_err();
    assert_eq!(reason(&status, Code::Unavailable), "SERVICE_STARTING");
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'events'",
    )
    .fetch_one(placeholder.pool())
    .await
    .unwrap();
    assert_eq!(
        tables, 0,
        "nothing migrated while the database is unreachable"
    );

    proxy.restore();
    app.wait_serving().await;
    assert_eq!(app.health("").await, ServingStatus::Serving);
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'events'",
    )
    .fetch_one(placeholder.pool())
    .await
    .unwrap();
    assert_eq!(tables, 1, "serving means migrated");
    app.stop().await;
    placeholder.cleanup().await;
}

#[tokio::test]
async fn commands_succeed_while_nats_is_unreachable_and_are_relayed_after() {
    let nats = testkit::nats::TestNats::new().await;
    let proxy = TcpProxy::start(nats.socket_addr().await).await;
    proxy.cut();
    let app = spawn_app_with(Options {
        database_url: None,
        nats_url: Some(proxy.nats_url()),
    })
    .await;
    app.wait_serving().await;

    let (lp, _) = app.register_provider().await;
    let planned = app.plan(lp).await;
    assert_eq!(planned.new_version, 1);
    let stored = app.count_events().await;
    assert_eq!(stored, 2);

    // Once NATS is back, the relay catches up: every event in the app's stream once.
    proxy.restore();
    let js = app.nats.jetstream().clone();
    let name = app.nats.stream_name().to_owned();
    poll(|| {
        let js = js.clone();
        let name = name.clone();
        async move {
            let mut stream = js.get_stream(&name).await.ok()?;
            let info = stream.info().await.ok()?;
            (info.state.messages == stored as u64).then_some(())
        }
    })
    .await;
    app.stop().await;
    nats.cleanup().await;
}

#[tokio::test]
async fn the_service_creates_its_database_when_missing() {
    let name = format!("t_{}_created", testkit::unique_suffix());
    let admin = testkit::admin_url();
    let url = {
        let scheme_end = admin.find("://").map_or(0, |i| i + 3);
        let path = admin[scheme_end..]
            .find('/')
            .map_or(admin.len(), |i| scheme_end + i);
        let query = admin[path..].find('?').map_or("", |i| &admin[path + i..]);
        format!("{}/{name}{query}", &admin[..path])
    };
    let app = spawn_app_with(Options {
        database_url: Some(url),
        nats_url: None,
    })
    .await;
    app.wait_serving().await;
    let mut admin_conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap();
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut admin_conn)
            .await
            .unwrap();
    assert!(exists);
    app.stop().await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&mut admin_conn)
    .await
    .unwrap();
}
