//! TLS settings turned into a real server: with `OFSTED_TLS_CLIENT_CA`, only clients holding a
//! certificate of that CA are served (mTLS); plaintext and certificate-less clients are not.
//! The certificates in `testdata/tls/` are test-only (CA key discarded, 100-year validity).

use std::time::Duration;

use auth::tls::TlsSettings;
use tokio::net::TcpListener;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint, Identity, Server};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

fn file(name: &str) -> String {
    format!("{}/testdata/tls/{name}", env!("CARGO_MANIFEST_DIR"))
}

async fn check(endpoint: Endpoint) -> Result<(), String> {
    let channel = endpoint
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .map_err(|e| format!("connect: {e}"))?;
    HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .map(drop)
        .map_err(|e| format!("call: {e}"))
}

#[tokio::test]
async fn an_mtls_server_serves_only_clients_with_a_certificate_of_its_ca() {
    let settings = TlsSettings {
        cert: Some(file("server.pem").into()),
        key: Some(file("server.key").into()),
        client_ca: Some(file("ca.pem").into()),
    };
    let tls = settings.server_config().unwrap().expect("tls on");
    let (_reporter, health) = tonic_health::server::health_reporter();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(
        Server::builder()
            .tls_config(tls)
            .unwrap()
            .add_service(health)
            .serve_with_incoming(TcpIncoming::from(listener)),
    );
    let ca = Certificate::from_pem(std::fs::read(file("ca.pem")).unwrap());
    let client_tls = ClientTlsConfig::new()
        .ca_certificate(ca)
        .domain_name("localhost");
    let https = || Endpoint::from_shared(format!("https://127.0.0.1:{port}")).unwrap();

    let with_cert = client_tls.clone().identity(Identity::from_pem(
        std::fs::read(file("client.pem")).unwrap(),
        std::fs::read(file("client.key")).unwrap(),
    ));
    check(https().tls_config(with_cert).unwrap())
        .await
        .expect("a client with a certificate of the CA is served");

    let without_cert = check(https().tls_config(client_tls).unwrap()).await;
    assert!(
        without_cert.is_err(),
        "no client certificate: {without_cert:?}"
    );

    let plaintext = check(Endpoint::from_shared(format!("http://127.0.0.1:{port}")).unwrap()).await;
    assert!(plaintext.is_err(), "plaintext: {plaintext:?}");
}
