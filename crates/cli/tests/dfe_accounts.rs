//! The deploy configuration's accounts, on a throwaway `nats-server -c deploy/nats/accounts.conf`
//! (free port, JetStream store in a temporary directory): DfE's connection is refused on the
//! internal subjects and on the internal stream's JetStream API, and served on its own public
//! subject, through `inspectionctl dfe follow` on a durable consumer in DfE's account.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::stack::{DEADLINE, poll};

/// A nats-server of the test's own, killed on drop.
struct Server {
    child: Child,
    port: u16,
    store: std::path::PathBuf,
}

impl Server {
    fn start() -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let store = std::env::temp_dir().join(format!("dfe-accounts-{}", testkit::unique_suffix()));
        std::fs::create_dir_all(&store).expect("store dir");
        let config = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../deploy/nats/accounts.conf"
        );
        let child = Command::new("nats-server")
            .args(["-c", config, "-a", "127.0.0.1", "-p", &port.to_string()])
            .env("OFSTED_NATS_STORE_DIR", &store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server on PATH (deploy/local/ensure-services.sh installs it)");
        Server { child, port, store }
    }

    fn url(&self, user: &str, password: &str) -> String {
        format!("nats://{user}:{password}@127.0.0.1:{}", self.port)
    }

    async fn connect(&self, user: &str, password: &str) -> Result<async_nats::Client, String> {
        async_nats::ConnectOptions::with_user_and_password(user.into(), password.into())
            .connect(format!("127.0.0.1:{}", self.port))
            .await
            .map_err(|e| e.to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.store);
    }
}

/// Starts a server and connects as the command service, on another free port if the one
/// picked was taken meanwhile (the server then exits at once).
async fn start_ready() -> (Server, async_nats::Client) {
    for _ in 0..5 {
        let mut server = Server::start();
        let started = tokio::time::Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if server.child.try_wait().ok().flatten().is_some() {
                break;
            }
            if let Ok(client) = server
                .connect("command-service", "dev-command-service")
                .await
            {
                return (server, client);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    panic!("the throwaway nats-server did not start");
}

/// A client that records the server's asynchronous errors (permission violations).
async fn connect_recording(
    port: u16,
    user: &str,
    password: &str,
) -> (async_nats::Client, Arc<Mutex<Vec<String>>>) {
    let errors = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&errors);
    let client = async_nats::ConnectOptions::with_user_and_password(user.into(), password.into())
        .event_callback(move |event| {
            let sink = Arc::clone(&sink);
            async move {
                if let async_nats::Event::ServerError(e) = event {
                    sink.lock()
                        .expect("lock")
                        .push(e.to_string().to_lowercase());
                }
            }
        })
        .connect(format!("127.0.0.1:{port}"))
        .await
        .expect("connects");
    (client, errors)
}

async fn violation(errors: &Arc<Mutex<Vec<String>>>, subject: &str) -> String {
    let subject = subject.to_lowercase();
    poll(
        &format!("a permissions violation for {subject}"),
        || async {
            errors
                .lock()
                .expect("lock")
                .iter()
                .find(|e| e.contains("permissions violation") && e.contains(&subject))
                .cloned()
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dfe_account_is_refused_internal_subjects_and_api_and_served_its_public_subject() {
    let (server, service) = start_ready().await;
    // Ofsted's side: both streams, with the services' default names, in the OFSTED account.
    let js = async_nats::jetstream::new(service.clone());
    let internal = bus::BusConfig::default();
    bus::ensure_stream(&js, &internal)
        .await
        .expect("internal stream");
    let public = bus::PublicConfig::default();
    bus::public::ensure_public_stream(&js, &public)
        .await
        .expect("public stream");

    // DfE follows with a durable consumer in its own account.
    let dfe_url = server.url("dfe", "dev-dfe");
    let mut follow = Command::new(env!("CARGO_BIN_EXE_inspectionctl"))
        .args([
            "dfe",
            "follow",
            "--durable",
            "dfe-test",
            "--count",
            "1",
            "--json",
        ])
        .env("DFE_NATS_URL", &dfe_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dfe follow starts");
    let stderr = follow.stderr.take().expect("stderr");
    let ready = tokio::task::spawn_blocking(move || {
        BufReader::new(stderr).lines().next().and_then(Result::ok)
    });
    let ready = tokio::time::timeout(DEADLINE, ready)
        .await
        .expect("in time")
        .expect("join");
    assert!(
        ready
            .as_deref()
            .is_some_and(|l| l.starts_with("following ")),
        "{ready:?}"
    );

    // One internal event, one public message.
    let lp = uuid::Uuid::now_v7();
    let inspection = uuid::Uuid::now_v7();
    let internal_subject = bus::event_subject(
        &internal.subject_prefix,
        lp,
        inspection,
        "inspection_planned",
    );
    js.publish(internal_subject.clone(), r#"{"secret":"internal"}"#.into())
        .await
        .expect("publish")
        .await
        .expect("internal ack");
    let body =
        format!(r#"{{"schema":"ofsted.inspections.v1.report_shared","lead_provider_id":"{lp}"}}"#);
    js.publish(public.subject("report_shared", lp), body.clone().into())
        .await
        .expect("publish")
        .await
        .expect("public ack");

    // Served: the follower prints the public message once, acks it and exits.
    let output = tokio::time::timeout(
        DEADLINE,
        tokio::task::spawn_blocking(move || follow.wait_with_output()),
    )
    .await
    .expect("dfe follow finishes in time")
    .expect("join")
    .expect("output");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), body);

    // Refused: the internal subjects and the internal stream's JetStream API.
    let (dfe, errors) = connect_recording(server.port, "dfe", "dev-dfe").await;
    let _sub = dfe
        .subscribe(format!("{}.>", internal.subject_prefix))
        .await
        .expect("sent");
    violation(
        &errors,
        &format!("subscription to \"{}.>\"", internal.subject_prefix),
    )
    .await;
    let info = format!("$JS.API.STREAM.INFO.{}", internal.stream_name);
    let answer =
        tokio::time::timeout(Duration::from_secs(1), dfe.request(info.clone(), "".into())).await;
    assert!(
        !matches!(answer, Ok(Ok(_))),
        "the internal stream's API answered DfE: {answer:?}"
    );
    violation(&errors, &format!("publish to \"{info}\"")).await;
    let _sub = dfe
        .subscribe("ofsted.inspections.v1.public.>".to_owned())
        .await
        .expect("sent");
    violation(
        &errors,
        "subscription to \"ofsted.inspections.v1.public.>\"",
    )
    .await;

    // Served live on its own subject, too.
    let mut own = dfe
        .subscribe(public.topic_subjects("report_shared"))
        .await
        .expect("subscribe");
    dfe.flush().await.expect("flush");
    js.publish(public.subject("report_shared", lp), "again".into())
        .await
        .expect("publish")
        .await
        .expect("ack");
    let got = tokio::time::timeout(DEADLINE, futures::StreamExt::next(&mut own))
        .await
        .expect("in time")
        .expect("a message");
    assert_eq!(got.payload.as_ref(), b"again");
    // And DfE's durable consumer stays behind for the next run.
    let dfe_js = async_nats::jetstream::new(dfe.clone());
    let stream = dfe_js
        .get_stream("DFE_REPORT_SHARED")
        .await
        .expect("DfE's stream");
    assert!(stream.consumer_info("dfe-test").await.is_ok());
    drop(server);
}
