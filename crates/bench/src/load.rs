//! Driving the command API: closed loop (C clients, each sending its next command as soon as
//! the last one is answered) for throughput, and open loop (a fixed schedule, whatever the
//! answers) for freshness.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::Mutex;
use tonic::Status;

use crate::hist::{Percentiles, Samples};
use crate::journey::{Commands, Journey, Provider, Script};
use crate::stack::channel;

/// Lead providers and the inspections planned so far (for the query phase).
#[derive(Debug, Default)]
pub struct Fleet {
    pub providers: Vec<Arc<Provider>>,
    /// Inspection ids that were planned.
    pub inspections: Mutex<Vec<uuid::Uuid>>,
    next: AtomicUsize,
}

impl Fleet {
    /// A fleet over these providers.
    pub fn new(providers: Vec<Provider>) -> Fleet {
        Fleet {
            providers: providers.into_iter().map(Arc::new).collect(),
            inspections: Mutex::new(Vec::new()),
            next: AtomicUsize::new(0),
        }
    }

    /// A new journey, round robin over providers, alternating the two scripts.
    pub fn journey(&self) -> Journey {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let provider = Arc::clone(&self.providers[n % self.providers.len()]);
        let script = if n.is_multiple_of(2) {
            Script::Upcoming
        } else {
            Script::Past
        };
        Journey::new(provider, script)
    }
}

/// A closed-loop run.
#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    pub clients: usize,
    pub accepted: u64,
    pub refused: u64,
    pub seconds: f64,
    pub commands_per_sec: f64,
    pub latency: Percentiles,
    /// Refusals by code and message (should be empty).
    pub refusals: BTreeMap<String, u64>,
}

fn refusal_key(status: &Status) -> String {
    let message: String = status.message().chars().take(100).collect();
    format!("{:?}: {message}", status.code())
}

/// Send one command of `journey`, timing it.
async fn step(
    fleet: &Fleet,
    journey: &mut Journey,
    client: &mut Commands,
) -> (Duration, Result<Ack, Status>) {
    let started = Instant::now();
    let result = journey.send_next(client).await;
    let took = started.elapsed();
    if result.is_ok() && journey.step == 1 {
        fleet.inspections.lock().await.push(journey.id);
    }
    (
        took,
        result.map(|r| Ack {
            stream_id: journey.id,
            version: r.new_version,
        }),
    )
}

/// What an accepted command tells the freshness check.
#[derive(Debug, Clone, Copy)]
pub struct Ack {
    pub stream_id: uuid::Uuid,
    pub version: u64,
}

/// `clients` clients, each on its own connection, for `duration`.
pub async fn closed_loop(
    fleet: Arc<Fleet>,
    addr: std::net::SocketAddr,
    clients: usize,
    duration: Duration,
) -> Throughput {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let fleet = Arc::clone(&fleet);
        tasks.push(tokio::spawn(async move {
            let mut client = Commands::new(channel(addr));
            let mut samples = Samples::default();
            let mut refusals: BTreeMap<String, u64> = BTreeMap::new();
            let mut journey = fleet.journey();
            while Instant::now() < deadline {
                if journey.done() {
                    journey = fleet.journey();
                }
                let (took, result) = step(&fleet, &mut journey, &mut client).await;
                match result {
                    Ok(_) => samples.record(took),
                    Err(status) => {
                        *refusals.entry(refusal_key(&status)).or_default() += 1;
                        journey = fleet.journey();
                    }
                }
            }
            (samples, refusals)
        }));
    }
    let mut samples = Samples::default();
    let mut refusals: BTreeMap<String, u64> = BTreeMap::new();
    for task in tasks {
        if let Ok((s, r)) = task.await {
            samples.merge(s);
            for (k, v) in r {
                *refusals.entry(k).or_default() += v;
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let accepted = samples.len() as u64;
    Throughput {
        clients,
        accepted,
        refused: refusals.values().sum(),
        seconds,
        commands_per_sec: accepted as f64 / seconds,
        latency: samples.percentiles(),
        refusals,
    }
}

/// Commands sent on a fixed schedule of `rate` per second for `duration`; `on_ack` is called
/// with every accepted command's stream and version at the instant of its answer.
#[derive(Debug)]
pub struct OpenLoop {
    pub sent: u64,
    pub accepted: u64,
    pub refusals: BTreeMap<String, u64>,
    pub latency: Samples,
    /// How far behind its schedule the last command was sent.
    pub max_lag: Duration,
}

/// See [`OpenLoop`].
pub async fn open_loop(
    fleet: Arc<Fleet>,
    addr: std::net::SocketAddr,
    rate: f64,
    duration: Duration,
    on_ack: Arc<dyn Fn(Ack, Instant) + Send + Sync>,
) -> OpenLoop {
    const CONNECTIONS: usize = 8;
    let clients: Vec<Commands> = (0..CONNECTIONS)
        .map(|_| Commands::new(channel(addr)))
        .collect();
    let idle: Arc<std::sync::Mutex<VecDeque<Journey>>> = Arc::default();
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    let started = tokio::time::Instant::now();
    let total = (rate * duration.as_secs_f64()) as u64;
    let mut max_lag = Duration::ZERO;
    for i in 0..total {
        let due = started + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due).await;
        max_lag = max_lag.max(due.elapsed());
        let mut journey = idle
            .lock()
            .ok()
            .and_then(|mut q| q.pop_front())
            .unwrap_or_else(|| fleet.journey());
        let mut client = clients[i as usize % CONNECTIONS].clone();
        let fleet = Arc::clone(&fleet);
        let idle = Arc::clone(&idle);
        let done_tx = done_tx.clone();
        let on_ack = Arc::clone(&on_ack);
        tokio::spawn(async move {
            let (took, result) = step(&fleet, &mut journey, &mut client).await;
            let answered = Instant::now();
            let outcome = match result {
                Ok(ack) => {
                    on_ack(ack, answered);
                    Ok(took)
                }
                Err(status) => Err(refusal_key(&status)),
            };
            if outcome.is_ok()
                && !journey.done()
                && let Ok(mut q) = idle.lock()
            {
                q.push_back(journey);
            }
            let _ = done_tx.send(outcome);
        });
    }
    drop(done_tx);
    let mut result = OpenLoop {
        sent: total,
        accepted: 0,
        refusals: BTreeMap::new(),
        latency: Samples::default(),
        max_lag,
    };
    while let Some(outcome) = done_rx.recv().await {
        match outcome {
            Ok(took) => {
                result.accepted += 1;
                result.latency.record(took);
            }
            Err(key) => *result.refusals.entry(key).or_default() += 1,
        }
    }
    result
}
