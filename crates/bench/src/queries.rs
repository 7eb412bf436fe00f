//! Query latency: `GetDeadlines` (one inspection) and `ListDeadlines` (one provider's, a page
//! of 100) at fixed rates, open loop, over the inspections the throughput phase planned.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use proto::pb;
use proto::pb::inspection_query_service_client::InspectionQueryServiceClient;
use serde::Serialize;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::hist::{Percentiles, Samples};
use crate::identity::Who;
use crate::stack::channel;

/// One query's figures.
#[derive(Debug, Clone, Serialize)]
pub struct QueryLatency {
    pub query: &'static str,
    pub rate: f64,
    pub sent: u64,
    pub failed: u64,
    pub latency: Percentiles,
}

type Queries = InspectionQueryServiceClient<tonic::transport::Channel>;

/// Which query to send.
#[derive(Debug, Clone, Copy)]
pub enum Query {
    GetDeadlines,
    ListDeadlines,
}

impl Query {
    fn name(self) -> &'static str {
        match self {
            Query::GetDeadlines => "GetDeadlines",
            Query::ListDeadlines => "ListDeadlines",
        }
    }
}

async fn send(
    client: &mut Queries,
    query: Query,
    inspection: Uuid,
    provider: Uuid,
) -> Result<(), tonic::Status> {
    match query {
        Query::GetDeadlines => client
            .get_deadlines(Who::Operator.request(pb::GetDeadlinesRequest {
                inspection_id: inspection.to_string(),
                as_of: None,
            }))
            .await
            .map(|_| ()),
        Query::ListDeadlines => client
            .list_deadlines(Who::Operator.request(pb::ListDeadlinesRequest {
                lead_provider_id: provider.to_string(),
                page_size: 100,
                ..Default::default()
            }))
            .await
            .map(|_| ()),
    }
}

/// `query` at `rate` per second for `duration`, cycling over `inspections` and `providers`.
pub async fn measure(
    addr: SocketAddr,
    query: Query,
    rate: f64,
    duration: Duration,
    inspections: Arc<Vec<Uuid>>,
    providers: Arc<Vec<Uuid>>,
) -> QueryLatency {
    const CONNECTIONS: usize = 4;
    let clients: Vec<Queries> = (0..CONNECTIONS)
        .map(|_| Queries::new(channel(addr)))
        .collect();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let total = (rate * duration.as_secs_f64()) as u64;
    let started = tokio::time::Instant::now();
    for i in 0..total {
        tokio::time::sleep_until(started + Duration::from_secs_f64(i as f64 / rate)).await;
        let n = i as usize;
        let inspection = inspections.get(n % inspections.len().max(1)).copied();
        let provider = providers.get(n % providers.len().max(1)).copied();
        let mut client = clients[n % CONNECTIONS].clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            let sent = Instant::now();
            let result = send(
                &mut client,
                query,
                inspection.unwrap_or_default(),
                provider.unwrap_or_default(),
            )
            .await;
            let _ = tx.send(result.map(|()| sent.elapsed()));
        });
    }
    drop(tx);
    let mut samples = Samples::default();
    let mut failed = 0;
    while let Some(result) = rx.recv().await {
        match result {
            Ok(took) => samples.record(took),
            Err(_) => failed += 1,
        }
    }
    QueryLatency {
        query: query.name(),
        rate,
        sent: total,
        failed,
        latency: samples.percentiles(),
    }
}
