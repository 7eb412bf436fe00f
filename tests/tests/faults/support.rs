//! The fault tests' environment (databases, stream names, the services' environment
//! variables) and the exactly-once check they all end with.

use std::collections::HashMap;
use std::time::Duration;

use e2e::counts::{self, Convergence};
use e2e::load::Tally;
use e2e::poll;
use sqlx::PgPool;
use testkit::TestDb;
use testkit::nats::TestNats;
use uuid::Uuid;

/// The services' clock: fixed on Tue 2026-12-01 10:00 London (the plans are for January).
pub const CLOCK: &str = "fixed:2026-12-01T10:00:00Z";

/// How long the read models may take to converge after a fault (the projection's unacked
/// messages come back after its 30 s ack wait at worst).
pub const CONVERGE: Duration = Duration::from_secs(120);

/// Databases and bus names of one test.
#[derive(Debug)]
pub struct Env {
    pub events: TestDb,
    pub views: TestDb,
    pub nats: TestNats,
    pub bus: bus::BusConfig,
}

impl Env {
    /// Fresh databases and names; `nats_url` instead of the shared server, if given.
    pub async fn new(nats_url: Option<String>) -> Env {
        let events = TestDb::new().await;
        let views = TestDb::new().await;
        let nats = TestNats::new().await;
        let bus = bus::BusConfig {
            nats_url: nats_url.unwrap_or_else(|| nats.url().to_owned()),
            stream_name: nats.stream_name().to_owned(),
            subject_prefix: nats.subject_prefix().to_owned(),
            ..bus::BusConfig::default()
        };
        Env {
            events,
            views,
            nats,
            bus,
        }
    }

    fn bus_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("NATS_URL", self.bus.nats_url.clone()),
            ("OFSTED_STREAM", self.bus.stream_name.clone()),
            ("OFSTED_SUBJECT_PREFIX", self.bus.subject_prefix.clone()),
            ("OFSTED_CLOCK", CLOCK.to_owned()),
        ]
    }

    /// The command service's environment.
    pub fn command_env(&self) -> Vec<(&'static str, String)> {
        let mut env = self.bus_env();
        env.push(("DATABASE_URL", self.events.url().to_owned()));
        env
    }

    /// The projection service's environment.
    pub fn projection_env(&self) -> Vec<(&'static str, String)> {
        let mut env = self.bus_env();
        env.push(("PROJECTION_DATABASE_URL", self.views.url().to_owned()));
        env.push(("EVENTSTORE_DATABASE_URL", self.events.url().to_owned()));
        env
    }

    /// Drop the databases and the streams (internal and public).
    pub async fn cleanup(self) {
        self.events.cleanup().await;
        self.views.cleanup().await;
        let public = bus::PublicConfig::derived_from(&self.bus);
        let _ = self
            .nats
            .jetstream()
            .delete_stream(&public.stream_name)
            .await;
        self.nats.cleanup().await;
    }
}

/// Wait until the read models hold every stored event exactly once.
pub async fn converge(events: &PgPool, views: &PgPool) -> Convergence {
    let last = std::sync::Mutex::new(None);
    let found = poll::try_until(CONVERGE, || async {
        let c = counts::convergence(events, views).await;
        let done = c.converged();
        *last.lock().unwrap() = Some(c.clone());
        done.then_some(c)
    })
    .await;
    found.unwrap_or_else(|| {
        panic!(
            "read models did not converge within {CONVERGE:?}: {:?}",
            last.lock().unwrap()
        )
    })
}

/// The counts a fault test prints and asserts.
#[derive(Debug)]
pub struct Counts {
    pub acknowledged: usize,
    pub stored: usize,
    pub projected: usize,
}

/// Every acknowledged command's events are in the store and in the read models exactly once,
/// and the read models hold every stored event exactly once. Prints the counts.
pub async fn assert_exactly_once(
    test: &str,
    tally: &Tally,
    events: &PgPool,
    views: &PgPool,
) -> Counts {
    let conv = converge(events, views).await;
    let acked = tally.acked_event_ids();
    let stored = counts::stored_event_ids(events).await;
    let projected = counts::projected_event_ids(views).await;
    let mut times: HashMap<Uuid, u32> = HashMap::new();
    for id in &projected {
        *times.entry(*id).or_default() += 1;
    }
    let acked_stored = acked.iter().filter(|id| stored.contains(id)).count();
    let acked_projected_once = acked.iter().filter(|id| times.get(id) == Some(&1)).count();
    let doubled = times.values().filter(|n| **n > 1).count();
    eprintln!(
        "{test}: commands sent {}, acknowledged {} ({} events), failed {} {:?}",
        tally.sent.load(std::sync::atomic::Ordering::SeqCst),
        tally.acked(),
        acked.len(),
        tally.failed(),
        tally.failures()
    );
    eprintln!(
        "{test}: stored {} events ({} of the {} acknowledged); projected {} inspection events ({} of the acknowledged exactly once, {} doubled); watch log {} entries for {} stored, {} distinct",
        stored.len(),
        acked_stored,
        acked.len(),
        projected.len(),
        acked_projected_once,
        doubled,
        conv.changes,
        conv.stored,
        conv.distinct_changes
    );
    assert_eq!(
        acked_stored,
        acked.len(),
        "every acknowledged event is stored"
    );
    assert_eq!(
        acked_projected_once,
        acked.len(),
        "every acknowledged event is projected exactly once"
    );
    assert_eq!(doubled, 0, "nothing projected twice");
    // The provider's registration is the one stored event that is not an inspection event.
    assert_eq!(
        projected.len() + 1,
        stored.len(),
        "every stored event projected"
    );
    Counts {
        acknowledged: acked.len(),
        stored: stored.len(),
        projected: projected.len(),
    }
}
