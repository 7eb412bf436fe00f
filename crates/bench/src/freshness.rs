//! Freshness: the time from a command's answer to its change arriving on the query
//! service's `Watch` stream, at a steady open-loop rate.
//!
//! The phase uses a lead provider of its own, so the Watch (filtered by provider) carries
//! exactly the changes of its commands. A change is matched to its command by (inspection,
//! version): the answer carries the stream's new version, the change the version it applied.
//! A change seen before its answer arrives counts as 0 ms.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use proto::pb;
use proto::pb::inspection_query_service_client::InspectionQueryServiceClient;
use serde::Serialize;
use uuid::Uuid;

use crate::hist::{Percentiles, Samples};
use crate::identity::Who;
use crate::journey::{Commands, register};
use crate::load::{Ack, Fleet, open_loop};
use crate::stack::channel;

/// The freshness phase's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Freshness {
    pub target_rate: f64,
    pub seconds: f64,
    pub sent: u64,
    pub accepted: u64,
    pub achieved_rate: f64,
    /// Answered commands whose change never arrived within the grace period.
    pub unseen: u64,
    pub freshness: Percentiles,
    pub command_latency: Percentiles,
    /// How late the open loop sent its worst command (the generator keeping up).
    pub max_schedule_lag_ms: f64,
    pub refusals: BTreeMap<String, u64>,
}

enum Mark {
    Answered(Instant),
    Seen,
}

#[derive(Default)]
struct Matcher {
    pending: HashMap<(Uuid, u64), Mark>,
    samples: Samples,
}

impl Matcher {
    fn answered(&mut self, key: (Uuid, u64), at: Instant) {
        match self.pending.remove(&key) {
            Some(Mark::Seen) => self.samples.record(Duration::ZERO),
            Some(Mark::Answered(_)) | None => {
                self.pending.insert(key, Mark::Answered(at));
            }
        }
    }

    fn seen(&mut self, key: (Uuid, u64), at: Instant) {
        match self.pending.remove(&key) {
            Some(Mark::Answered(answered)) => {
                self.samples.record(at.saturating_duration_since(answered))
            }
            Some(Mark::Seen) | None => {
                self.pending.insert(key, Mark::Seen);
            }
        }
    }

    fn unanswered_or_unseen(&self) -> u64 {
        self.pending
            .values()
            .filter(|m| matches!(m, Mark::Answered(_)))
            .count() as u64
    }
}

/// Run `rate` commands/s for `duration` against the services at `commands` and `queries`.
pub async fn measure(
    commands: SocketAddr,
    queries: SocketAddr,
    rate: f64,
    duration: Duration,
) -> anyhow::Result<Freshness> {
    let provider = register(&mut Commands::new(channel(commands)), 999_999).await?;
    let provider_id = provider.id;
    let fleet = Arc::new(Fleet::new(vec![provider]));
    let matcher = Arc::new(std::sync::Mutex::new(Matcher::default()));

    let mut watch = InspectionQueryServiceClient::new(channel(queries))
        .watch(Who::Operator.request(pb::WatchRequest {
            inspection_id: String::new(),
            lead_provider_id: provider_id.to_string(),
            after_seq: 0,
        }))
        .await?
        .into_inner();
    let watching = {
        let matcher = Arc::clone(&matcher);
        tokio::spawn(async move {
            while let Ok(Some(change)) = watch.message().await {
                let at = Instant::now();
                if let Ok(id) = change.stream_id.parse::<Uuid>()
                    && let Ok(mut m) = matcher.lock()
                {
                    m.seen((id, change.version), at);
                }
            }
        })
    };

    let on_ack = {
        let matcher = Arc::clone(&matcher);
        Arc::new(move |ack: Ack, at: Instant| {
            if let Ok(mut m) = matcher.lock() {
                m.answered((ack.stream_id, ack.version), at);
            }
        })
    };
    let started = Instant::now();
    let mut run = open_loop(fleet, commands, rate, duration, on_ack).await;
    let seconds = started.elapsed().as_secs_f64();
    let grace = Instant::now() + Duration::from_secs(10);
    while Instant::now() < grace
        && matcher
            .lock()
            .map(|m| m.unanswered_or_unseen())
            .unwrap_or(0)
            > 0
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    watching.abort();
    let (unseen, freshness) = match matcher.lock() {
        Ok(mut m) => (m.unanswered_or_unseen(), m.samples.percentiles()),
        Err(_) => (0, Percentiles::default()),
    };
    Ok(Freshness {
        target_rate: rate,
        seconds,
        sent: run.sent,
        accepted: run.accepted,
        achieved_rate: run.accepted as f64 / seconds,
        unseen,
        freshness,
        command_latency: run.latency.percentiles(),
        max_schedule_lag_ms: run.max_lag.as_secs_f64() * 1000.0,
        refusals: run.refusals,
    })
}
