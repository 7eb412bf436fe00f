//! The phases of one run, in order, and where the results go.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::{Connection, PgConnection};

use crate::bound;
use crate::freshness;
use crate::journey::{Commands, register};
use crate::load::{Fleet, closed_loop};
use crate::queries::{self, Query};
use crate::rebuild;
use crate::report::{AtConcurrency, Machine, Memory, Results};
use crate::setup::Run;
use crate::stack::{Stack, channel};

/// Command-line options (the defaults are what `make bench` runs).
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "bench",
    about = "Benchmarks of the inspections system (make bench)"
)]
pub struct Options {
    /// Seconds per concurrency of the throughput phase (and per pgbench run).
    #[arg(long, default_value_t = 12)]
    pub secs: u64,
    /// Client concurrencies.
    #[arg(long, value_delimiter = ',', default_value = "1,8,32")]
    pub clients: Vec<usize>,
    /// Commands per second of the freshness phase.
    #[arg(long, default_value_t = 1000.0)]
    pub rate: f64,
    /// Seconds of the freshness phase.
    #[arg(long, default_value_t = 20)]
    pub freshness_secs: u64,
    /// Events in the store the rebuild replays.
    #[arg(long, default_value_t = 1_000_000)]
    pub rebuild_events: i64,
    /// Longest a rebuild may run before it is stopped and its rate so far reported.
    #[arg(long, default_value_t = 200)]
    pub rebuild_limit_secs: u64,
    /// Lead providers the inspections are spread over.
    #[arg(long, default_value_t = 40)]
    pub providers: usize,
    /// Keep this run's databases and streams (for inspection).
    #[arg(long)]
    pub keep: bool,
    /// Where results and service logs go (default: `target/bench` beside the binary).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn out_dir(options: &Options) -> anyhow::Result<PathBuf> {
    if let Some(dir) = &options.out {
        return Ok(dir.clone());
    }
    // target/release/bench → target/bench
    let exe = std::env::current_exe()?;
    let target = exe
        .parent()
        .and_then(|d| d.parent())
        .context("bench binary is not in target/<profile>/")?;
    Ok(target.join("bench"))
}

async fn machine(admin_url: &str, nats_url: &str) -> Machine {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|r| r.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_default();
    let postgres = match PgConnection::connect(admin_url).await {
        Ok(mut c) => {
            let v: String = sqlx::query_scalar("SELECT version()")
                .fetch_one(&mut c)
                .await
                .unwrap_or_default();
            let _ = c.close().await;
            v.split(" on ").next().unwrap_or_default().to_owned()
        }
        Err(_) => String::new(),
    };
    let nats = match async_nats::connect(nats_url).await {
        Ok(client) => client.server_info().version,
        Err(_) => String::new(),
    };
    Machine {
        nproc: std::thread::available_parallelism().map_or(0, |n| n.get()),
        memory_mib: memory_kib / 1024,
        cpu,
        postgres,
        nats,
    }
}

/// Run every phase, print the table and write `results.json`.
pub async fn run(options: Options) -> anyhow::Result<()> {
    let run = Run::new();
    let out = out_dir(&options)?;
    let logs = out.join("logs");
    std::fs::create_dir_all(&logs)?;
    eprintln!(
        "bench {}: results and service logs in {}",
        run.id,
        out.display()
    );
    let result = phases(&options, &run, &out).await;
    if !options.keep {
        let _ = run.drop_databases().await;
        run.delete_streams().await;
    }
    let results = result?;
    println!("{}", results.table());
    let json = out.join("results.json");
    std::fs::write(&json, serde_json::to_string_pretty(&results)?)?;
    eprintln!("written {}", json.display());
    Ok(())
}

fn phase(name: &str) {
    eprintln!("bench: {name}");
}

async fn phases(options: &Options, run: &Run, out: &std::path::Path) -> anyhow::Result<Results> {
    let logs = out.join("logs");
    let started_at = chrono::Utc::now().to_rfc3339();
    let machine = machine(&run.admin_url, &run.nats_url).await;
    let store_url = run.create_database(&run.database("store")).await?;
    let reads_url = run.create_database(&run.database("reads")).await?;
    phase("starting the services");
    let stack = Stack::start(run, &store_url, &reads_url, &logs).await?;

    let mut commands = Commands::new(channel(stack.commands.addr));
    let mut providers = Vec::new();
    for n in 0..options.providers {
        providers.push(register(&mut commands, n).await?);
    }
    let provider_ids: Vec<uuid::Uuid> = providers.iter().map(|p| p.id).collect();
    let fleet = Arc::new(Fleet::new(providers));
    phase("warming up (C=4, 3 s)");
    closed_loop(
        Arc::clone(&fleet),
        stack.commands.addr,
        4,
        Duration::from_secs(3),
    )
    .await;

    let mut throughput = Vec::new();
    for &clients in &options.clients {
        phase(&format!("command throughput, C={clients}"));
        let t = closed_loop(
            Arc::clone(&fleet),
            stack.commands.addr,
            clients,
            Duration::from_secs(options.secs),
        )
        .await;
        eprintln!(
            "  {:.0} commands/s, p50 {:.2} ms, p99 {:.2} ms, {} refused {:?}",
            t.commands_per_sec, t.latency.p50_ms, t.latency.p99_ms, t.refused, t.refusals
        );
        throughput.push(t);
    }

    phase(&format!("freshness at {} commands/s", options.rate));
    let freshness = freshness::measure(
        stack.commands.addr,
        stack.queries.addr,
        options.rate,
        Duration::from_secs(options.freshness_secs),
    )
    .await?;
    eprintln!(
        "  p50 {:.2} ms, p99 {:.2} ms, achieved {:.0}/s, unseen {}",
        freshness.freshness.p50_ms,
        freshness.freshness.p99_ms,
        freshness.achieved_rate,
        freshness.unseen
    );

    phase("queries");
    let inspections = Arc::new(fleet.inspections.lock().await.clone());
    let provider_ids = Arc::new(provider_ids);
    let mut query_results = Vec::new();
    for (query, rate) in [(Query::GetDeadlines, 200.0), (Query::ListDeadlines, 100.0)] {
        let q = queries::measure(
            stack.queries.addr,
            query,
            rate,
            Duration::from_secs(10),
            Arc::clone(&inspections),
            Arc::clone(&provider_ids),
        )
        .await;
        eprintln!(
            "  {}: p50 {:.2} ms, p99 {:.2} ms",
            q.query, q.latency.p50_ms, q.latency.p99_ms
        );
        query_results.push(q);
    }
    let mut memory = Memory {
        command_service_mib: stack.commands.peak_rss_mib().unwrap_or(0.0),
        projection_service_mib: stack.queries.peak_rss_mib().unwrap_or(0.0),
        rebuild_mib: 0.0,
    };
    stack.stop().await;

    phase("the bound (pgbench)");
    let sample = bound::sample_event(&store_url).await?;
    let bound_url = run.create_database(&run.database("bound")).await?;
    let script = bound::prepare(&bound_url, &sample, &logs).await?;
    let mut at = Vec::new();
    for t in throughput {
        let b = bound::run(
            &bound_url,
            &script,
            t.clients,
            Duration::from_secs(options.secs),
        )
        .await?;
        eprintln!("  C={}: {:.0} tx/s", b.clients, b.tps);
        at.push(AtConcurrency {
            clients: t.clients,
            ratio: Some(t.commands_per_sec / b.tps.max(1e-9)),
            commands: t,
            bound: Some(b),
        });
    }

    phase(&format!(
        "rebuild: filling a store with {} events",
        options.rebuild_events
    ));
    let rstore = run.create_database(&run.database("rstore")).await?;
    let rreads = run.create_database(&run.database("rreads")).await?;
    let filling = Instant::now();
    let (events, inspections_n) =
        rebuild::fill(&store_url, &rstore, options.rebuild_events).await?;
    let fill_seconds = filling.elapsed().as_secs_f64();
    rebuild::mark_applied(&rstore, &rreads).await?;
    phase(&format!("rebuild: replaying {events} events"));
    let started = Instant::now();
    let (replayed, rate, finished, peak) = rebuild::run(
        &rstore,
        &rreads,
        Duration::from_secs(options.rebuild_limit_secs),
        &logs,
    )
    .await?;
    memory.rebuild_mib = peak;
    let rebuild = rebuild::Rebuild {
        events,
        inspections: inspections_n,
        fill_seconds,
        replayed,
        seconds: started.elapsed().as_secs_f64(),
        events_per_sec: rate,
        finished,
        peak_rss_mib: peak,
    };
    eprintln!("  {replayed} replayed, {rate:.0} events/s, finished: {finished}");

    Ok(Results {
        run_id: run.id.clone(),
        started_at,
        machine,
        event_bytes_mean: sample.mean_bytes,
        throughput: at,
        freshness: Some(freshness),
        queries: query_results,
        rebuild: Some(rebuild),
        memory,
    })
}
