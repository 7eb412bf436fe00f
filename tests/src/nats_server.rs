//! A nats-server (JetStream) of the test's own, on a free port with its store in a temporary
//! directory, which the test may stop and start again. Never the shared server on 4222: an
//! outage there would break everybody else's tests.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::poll;

/// The private server.
#[derive(Debug)]
pub struct PrivateNats {
    port: u16,
    store_dir: PathBuf,
    child: Option<Child>,
}

impl PrivateNats {
    /// Start `nats-server -a 127.0.0.1 -p <free port> -js -sd <tempdir>` and wait until it
    /// accepts connections.
    pub async fn start() -> PrivateNats {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let store_dir = std::env::temp_dir().join(format!("e2e-nats-{}", testkit::unique_suffix()));
        std::fs::create_dir_all(&store_dir).expect("create the nats store dir");
        let mut nats = PrivateNats {
            port,
            store_dir,
            child: None,
        };
        nats.spawn().await;
        nats
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn binary() -> PathBuf {
        let sbin = PathBuf::from("/usr/sbin/nats-server");
        if sbin.exists() {
            sbin
        } else {
            PathBuf::from("nats-server")
        }
    }

    async fn spawn(&mut self) {
        let child = Command::new(Self::binary())
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(&self.store_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start nats-server (is it installed? `make services`)");
        self.child = Some(child);
        let addr = format!("127.0.0.1:{}", self.port);
        poll::until(
            "private nats-server accepts connections",
            Duration::from_secs(20),
            || {
                let addr = addr.clone();
                async move { tokio::net::TcpStream::connect(addr).await.ok().map(|_| ()) }
            },
        )
        .await;
    }

    /// Stop the server (SIGTERM, as an operator would) and wait until it has exited.
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if let Some(pid) = child.id() {
                let _ = Command::new("kill")
                    .args(["-TERM", &pid.to_string()])
                    .status()
                    .await;
            }
            if tokio::time::timeout(Duration::from_secs(20), child.wait())
                .await
                .is_err()
            {
                let _ = child.start_kill();
                let _ = child.wait().await;
            }
        }
    }

    /// Start it again on the same port with the same store.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "private nats-server still running");
        self.spawn().await;
    }
}

impl Drop for PrivateNats {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.start_kill();
        }
        let _ = std::fs::remove_dir_all(&self.store_dir);
    }
}
