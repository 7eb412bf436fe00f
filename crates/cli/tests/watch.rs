//! `inspectionctl events watch` against the real services: an event shows within a second of
//! the command that caused it.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::journey::london;
use common::stack::Stack;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_watch_shows_an_event_within_a_second_of_its_command() {
    let stack = Stack::start(london(2027, 3, 1, 10, 0)).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_inspectionctl"))
        .args(["events", "watch", "--count", "1", "--json"])
        .envs(stack.env())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("watch starts");
    let (tx, rx) = mpsc::channel::<(&'static str, String, Instant)>();
    for (name, pipe) in [
        (
            "stdout",
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
        ),
        ("stderr", Box::new(child.stderr.take().expect("stderr"))),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = tx.send((name, line, Instant::now()));
            }
        });
    }
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    let next = |timeout: Duration| {
        let rx = std::sync::Arc::clone(&rx);
        tokio::task::spawn_blocking(move || rx.lock().expect("lock").recv_timeout(timeout))
    };
    // The watch says so on stderr once its consumer exists.
    let (pipe, line, _) = next(Duration::from_secs(30))
        .await
        .unwrap()
        .expect("watch ready");
    assert_eq!(pipe, "stderr");
    assert!(line.starts_with("watching "), "{line}");

    let registered = stack
        .cli_json(&[
            "--as-role",
            "scheduler",
            "lead-provider",
            "register",
            "--name",
            "Watch Test",
            "--contract",
            "NPQ",
            "--representative",
            "name=Ada Lovelace",
        ])
        .await;
    // From the moment the command service answered: the event is committed then.
    let sent = Instant::now();
    let (pipe, line, seen) = next(Duration::from_secs(5))
        .await
        .unwrap()
        .expect("an event line");
    assert_eq!(pipe, "stdout", "{line}");
    let latency = seen.duration_since(sent);
    assert!(
        latency < Duration::from_secs(1),
        "event shown {latency:?} after the command"
    );
    let envelope: serde_json::Value = serde_json::from_str(&line).expect("a raw envelope");
    assert_eq!(envelope["stream_id"], registered["lead_provider_id"]);
    assert_eq!(envelope["event_type"], "lead_provider_registered");

    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .expect("exit");
    assert!(status.success(), "watch exits after --count events");
    stack.stop().await;
}
