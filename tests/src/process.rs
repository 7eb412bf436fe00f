//! A service binary as a child process, for the tests that kill it: start on port 0, kill -9,
//! restart on the same address, stop with SIGTERM. Also the two helpers the test binaries
//! (`src/bin/e2e-*.rs`) use to tell the test where they listen and to stop on a signal.

use std::ffi::OsString;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The line a test binary prints once bound: `listening <addr>`.
const ANNOUNCE: &str = "listening ";

/// Print the listener's address on stdout (the test reads it), flushed.
pub fn announce(listener: &tokio::net::TcpListener) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{ANNOUNCE}{addr}")?;
    out.flush()
}

/// Completes on the first SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// A running (or killed) service process.
#[derive(Debug)]
pub struct ServiceProcess {
    name: String,
    bin: PathBuf,
    env: Vec<(OsString, OsString)>,
    child: Option<Child>,
    addr: SocketAddr,
    starts: u32,
}

impl ServiceProcess {
    /// Start `bin` with `env` (plus `GRPC_ADDR=127.0.0.1:0`, `OFSTED_ENV=test` and, unless
    /// given, `RUST_LOG=warn`) and wait for its address.
    pub async fn start(name: &str, bin: &Path, env: &[(&str, String)]) -> ServiceProcess {
        let mut process = ServiceProcess {
            name: name.to_owned(),
            bin: bin.to_owned(),
            env: env
                .iter()
                .map(|(k, v)| (OsString::from(k), OsString::from(v)))
                .collect(),
            child: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            starts: 0,
        };
        process.spawn().await;
        process
    }

    /// Where it listens (the same across restarts).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`, for a tonic channel.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Its pid, while running.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    async fn spawn(&mut self) {
        let mut command = Command::new(&self.bin);
        command
            .env("GRPC_ADDR", self.addr.to_string())
            .env("OFSTED_ENV", "test")
            .env(
                "RUST_LOG",
                std::env::var("E2E_SERVICE_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("{}: cannot start {}: {e}", self.name, self.bin.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("{}: no address within 30 s", self.name))
            .unwrap_or_else(|e| panic!("{}: reading stdout: {e}", self.name))
            .unwrap_or_else(|| panic!("{}: exited before listening", self.name));
        let addr = line
            .strip_prefix(ANNOUNCE)
            .and_then(|a| a.trim().parse().ok())
            .unwrap_or_else(|| panic!("{}: unexpected first line {line:?}", self.name));
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        self.addr = addr;
        self.child = Some(child);
        self.starts += 1;
    }

    /// SIGKILL, and wait until it is gone.
    pub async fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.start_kill().expect("send SIGKILL");
            let status = child.wait().await.expect("wait for the killed process");
            eprintln!("{}: killed with SIGKILL ({status})", self.name);
        }
    }

    /// Start it again on the same address, with the same environment.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "{}: still running", self.name);
        self.spawn().await;
    }

    /// SIGTERM (graceful shutdown), waiting up to 30 s, then SIGKILL.
    pub async fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Some(pid) = child.id() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
        }
        if tokio::time::timeout(Duration::from_secs(30), child.wait())
            .await
            .is_err()
        {
            eprintln!("{}: no exit 30 s after SIGTERM; killing it", self.name);
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }
}
