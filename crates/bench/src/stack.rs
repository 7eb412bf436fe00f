//! The two services as child processes of the bench, built in release mode beside it, each
//! on a free port with this run's databases, stream and subject prefix.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::process::{Child, Command};
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::journey::NOW;
use crate::setup::{Run, free_addr};

/// One running service.
#[derive(Debug)]
pub struct Service {
    pub name: &'static str,
    pub addr: SocketAddr,
    child: Child,
    pub log: PathBuf,
}

impl Service {
    /// Its process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Peak resident set size so far (`VmHWM`), in MiB.
    pub fn peak_rss_mib(&self) -> Option<f64> {
        peak_rss_mib(self.pid()?)
    }

    /// SIGTERM, then wait (SIGKILL after 10 s).
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
        }
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

/// `VmHWM` of a process, in MiB.
pub fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// A sibling binary of the running one (`target/release/<name>`).
pub fn sibling_binary(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe
        .parent()
        .map(|d| d.join(name))
        .context("bench binary has no directory")?;
    if !path.exists() {
        bail!(
            "{} not found: build it first (`make bench` does)",
            path.display()
        );
    }
    Ok(path)
}

/// Both services of a run.
#[derive(Debug)]
pub struct Stack {
    pub commands: Service,
    pub queries: Service,
}

/// Environment both services share.
fn common_env(run: &Run) -> Vec<(&'static str, String)> {
    vec![
        ("NATS_URL", run.nats_url.clone()),
        ("OFSTED_STREAM", run.stream()),
        ("OFSTED_SUBJECT_PREFIX", run.subject_prefix()),
        ("OFSTED_ENV", "test".into()),
        ("OFSTED_CLOCK", format!("from:{NOW}")),
        (
            "RUST_LOG",
            std::env::var("BENCH_SERVICE_LOG").unwrap_or_else(|_| "info".into()),
        ),
    ]
}

async fn spawn(
    name: &'static str,
    env: Vec<(&'static str, String)>,
    log_dir: &Path,
) -> anyhow::Result<Service> {
    let addr = free_addr()?;
    let log = log_dir.join(format!("{name}.log"));
    let file = std::fs::File::create(&log)?;
    let child = Command::new(sibling_binary(name)?)
        .envs(env)
        .env("GRPC_ADDR", addr.to_string())
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {name}"))?;
    Ok(Service {
        name,
        addr,
        child,
        log,
    })
}

impl Stack {
    /// Start both services on `store_url` (events) and `reads_url` (read models) and wait
    /// until both report SERVING.
    pub async fn start(
        run: &Run,
        store_url: &str,
        reads_url: &str,
        log_dir: &Path,
    ) -> anyhow::Result<Stack> {
        let mut env = common_env(run);
        env.push(("DATABASE_URL", store_url.to_owned()));
        env.push(("OFSTED_PUBLIC_STREAM", format!("{}_PUBLIC", run.stream())));
        env.push((
            "OFSTED_PUBLIC_SUBJECT_PREFIX",
            format!("bench.{}.public", run.id),
        ));
        let commands = spawn("command-service", env, log_dir).await?;
        let mut env = common_env(run);
        env.push(("PROJECTION_DATABASE_URL", reads_url.to_owned()));
        env.push(("EVENTSTORE_DATABASE_URL", store_url.to_owned()));
        env.push(("PROJECTION_CONSUMER", format!("bench-{}", run.id)));
        let queries = spawn("projection-service", env, log_dir).await?;
        for service in [&commands, &queries] {
            wait_serving(service).await?;
        }
        Ok(Stack { commands, queries })
    }

    /// Stop both (queries first, so that it does not log the command service's absence).
    pub async fn stop(self) {
        self.queries.stop().await;
        self.commands.stop().await;
    }
}

/// A lazily connected channel to `addr`.
pub fn channel(addr: SocketAddr) -> Channel {
    Channel::from_shared(format!("http://{addr}"))
        .map(|e| e.tcp_nodelay(true).connect_lazy())
        .unwrap_or_else(|_| unreachable!("a socket address is a valid uri"))
}

async fn wait_serving(service: &Service) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut health = HealthClient::new(channel(service.addr));
    loop {
        let status = health
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await
            .map(|r| r.into_inner().status);
        if matches!(status, Ok(s) if s == ServingStatus::Serving as i32) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "{} not serving after 60 s (log: {})",
                service.name,
                service.log.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
