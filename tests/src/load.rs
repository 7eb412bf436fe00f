//! A load of commands for the fault tests: workers each plan an inspection (a new stream) and
//! reschedule it three times, over and over, recording the event ids of every acknowledged
//! command and the code of every failure, until told to stop or a target is reached.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use proto::pb;
use tokio::task::JoinSet;
use tonic::Code;
use uuid::Uuid;

use crate::api::{Api, Who};

/// Starts Mon 2027-01-11 and Mon 2027-01-18, alternately: both valid from 2026-12-01.
const STARTS: [&str; 2] = ["2027-01-11", "2027-01-18"];

/// What the load has seen so far (shared with the test while it runs).
#[derive(Debug, Default)]
pub struct Tally {
    /// Commands sent.
    pub sent: AtomicU64,
    /// Commands acknowledged (OK).
    pub acked: AtomicU64,
    /// Commands that failed.
    pub failed: AtomicU64,
    events: Mutex<HashSet<Uuid>>,
    failures: Mutex<BTreeMap<String, u64>>,
    stop: AtomicBool,
}

impl Tally {
    /// Event ids of every acknowledged command.
    pub fn acked_event_ids(&self) -> HashSet<Uuid> {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Failures by gRPC code.
    pub fn failures(&self) -> BTreeMap<String, u64> {
        self.failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Commands acknowledged so far.
    pub fn acked(&self) -> u64 {
        self.acked.load(Ordering::SeqCst)
    }

    /// Commands failed so far.
    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::SeqCst)
    }

    /// Ask the workers to stop after their current command.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    fn record(&self, result: Result<pb::CommandResponse, tonic::Status>) -> bool {
        self.sent.fetch_add(1, Ordering::SeqCst);
        match result {
            Ok(response) => {
                let mut events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
                for id in &response.event_ids {
                    events.insert(id.parse().expect("event ids are UUIDs"));
                }
                self.acked.fetch_add(1, Ordering::SeqCst);
                true
            }
            Err(status) => {
                let code = match status.code() {
                    // The transport's view of a killed server or a cut connection.
                    Code::Unknown | Code::Cancelled | Code::Internal => {
                        format!("{:?}: {}", status.code(), status.message())
                    }
                    other => format!("{other:?}"),
                };
                *self
                    .failures
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .entry(code)
                    .or_default() += 1;
                self.failed.fetch_add(1, Ordering::SeqCst);
                false
            }
        }
    }
}

/// A running load.
#[derive(Debug)]
pub struct Load {
    /// Its tally.
    pub tally: Arc<Tally>,
    workers: JoinSet<()>,
}

impl Load {
    /// `workers` concurrent workers sending commands for `lead_provider` until `target`
    /// commands are acknowledged or [`Tally::stop`].
    pub fn start(api: &Api, lead_provider: Uuid, workers: usize, target: u64) -> Load {
        let tally = Arc::new(Tally::default());
        let mut set = JoinSet::new();
        for _ in 0..workers {
            let (api, tally) = (api.clone(), Arc::clone(&tally));
            set.spawn(async move { work(api, lead_provider, tally, target).await });
        }
        Load {
            tally,
            workers: set,
        }
    }

    /// Wait for the workers to finish.
    pub async fn finish(mut self) -> Arc<Tally> {
        while let Some(joined) = self.workers.join_next().await {
            joined.expect("load worker panicked");
        }
        self.tally
    }
}

async fn work(api: Api, lead_provider: Uuid, tally: Arc<Tally>, target: u64) {
    let mut commands = api.commands();
    let done = |t: &Tally| t.stop.load(Ordering::SeqCst) || t.acked() >= target;
    while !done(&tally) {
        let id = Uuid::now_v7().to_string();
        let meta = || {
            Some(pb::CommandMeta {
                inspection_id: id.clone(),
                ..Default::default()
            })
        };
        let planned = commands
            .plan_inspection(Who::Scheduler.request(pb::PlanInspectionRequest {
                meta: meta(),
                lead_provider_id: lead_provider.to_string(),
                kind: pb::InspectionKind::Full as i32,
                contracts: vec![pb::Contract::Ecf as i32],
                framework: pb::FrameworkVersion::FrameworkVersion2024 as i32,
                start: STARTS[0].into(),
                days: None,
            }))
            .await
            .map(tonic::Response::into_inner);
        if !tally.record(planned) {
            // Not known to exist: start over with a new inspection.
            continue;
        }
        for n in 1..=3 {
            if done(&tally) {
                break;
            }
            let rescheduled = commands
                .reschedule_inspection(Who::Scheduler.request(pb::RescheduleInspectionRequest {
                    meta: meta(),
                    start: STARTS[n % 2].into(),
                    days: None,
                    reason: format!("load {n}"),
                }))
                .await
                .map(tonic::Response::into_inner);
            tally.record(rescheduled);
        }
    }
}
