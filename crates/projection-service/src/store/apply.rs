//! Applying stored events to a set of read-model tables, inside the caller's transaction.
//!
//! Every read model is computed by the domain's pure functions (`evolve`, `views::summary`,
//! `views::report_status`, `deadlines::deadlines`): nothing here decides a rule. The rows
//! depend on the events only (never on the wall clock), which is what lets a rebuild produce
//! the live tables row for row.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::calendar::Calendar;
use domain::inspection::{self, Inspection, InspectionEvent};
use domain::lead_provider::{self, LeadProvider, LeadProviderEvent};
use domain::personal::PersonalRecord;
use domain::views;
use eventstore::{RecordedEvent, StreamKind};
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::bulk::{Batch, Folded, Replace, json};
use super::sql::{self, Statements};

/// One event as the projection needs it, whether it came from the bus or from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub event_id: Uuid,
    pub stream_id: Uuid,
    pub stream_kind: StreamKind,
    pub lead_provider_id: Uuid,
    pub version: u64,
    pub event_type: String,
    pub payload: serde_json::Value,
    pub recorded_at: DateTime<Utc>,
}

impl From<&bus::Envelope> for Incoming {
    fn from(e: &bus::Envelope) -> Self {
        Incoming {
            event_id: e.event_id,
            stream_id: e.stream_id,
            stream_kind: e.stream_kind,
            lead_provider_id: e.lead_provider_id,
            version: e.version,
            event_type: e.event_type.clone(),
            payload: e.payload.clone(),
            recorded_at: e.recorded_at,
        }
    }
}

impl From<RecordedEvent> for Incoming {
    fn from(e: RecordedEvent) -> Self {
        Incoming {
            event_id: e.event_id,
            stream_id: e.stream.id,
            stream_kind: e.stream.kind,
            lead_provider_id: e.stream.lead_provider_id,
            version: e.version,
            event_type: e.event_type,
            payload: e.payload,
            recorded_at: e.recorded_at,
        }
    }
}

impl From<&RecordedEvent> for Incoming {
    fn from(e: &RecordedEvent) -> Self {
        Incoming {
            event_id: e.event_id,
            stream_id: e.stream.id,
            stream_kind: e.stream.kind,
            lead_provider_id: e.stream.lead_provider_id,
            version: e.version,
            event_type: e.event_type.clone(),
            payload: e.payload.clone(),
            recorded_at: e.recorded_at,
        }
    }
}

/// Why an event could not be applied. The transaction must be rolled back.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Postgres failed.
    #[error("read-model database")]
    Db(#[from] sqlx::Error),
    /// The payload is not an event of the domain this code knows (schema drift).
    #[error("{stream_id} version {version}: payload is not a {kind} event")]
    Decode {
        stream_id: Uuid,
        version: u64,
        kind: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// An inspection whose history does not start with its plan.
    #[error("inspection {0} has no plan in its history")]
    NotPlanned(Uuid),
    /// A version is not the next one of its stream (the caller checks this first).
    #[error("{stream_id}: version {got} is not the next after {applied}")]
    OutOfOrder {
        stream_id: Uuid,
        applied: u64,
        got: u64,
    },
    /// The event store could not be read for a gap.
    #[error("event store")]
    Store(#[from] eventstore::StoreError),
    /// The store does not hold the versions a gap needs (yet).
    #[error("{stream_id}: the store has no version {missing} yet")]
    GapNotInStore { stream_id: Uuid, missing: u64 },
}

/// Whether an apply also writes the Watch log (live) or not (a rebuild's copies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Live tables: a change row and a notification per event.
    Live,
    /// Rebuild copies: rows only.
    Rebuild,
}

/// The last applied version of each of `stream_ids` that has one (absent: none applied).
pub async fn applied_versions(
    conn: &mut PgConnection,
    stmts: &Statements,
    stream_ids: &[Uuid],
) -> Result<HashMap<Uuid, u64>, sqlx::Error> {
    sqlx::query(stmts.applied_versions_of)
        .bind(stream_ids)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("stream_id")?, to_u64(r.try_get("version")?))))
        .collect()
}

/// Apply `events` in order, inside the caller's transaction, and record them as applied.
/// Per stream they MUST be the consecutive versions following the applied one (checked: an
/// [`ApplyError::OutOfOrder`] otherwise). Returns the Watch sequence numbers given to them,
/// in order, in [`Mode::Live`] (empty in [`Mode::Rebuild`]).
///
/// However many events there are, this is a fixed number of statements: the histories of
/// every inspection touched are read in one query, each is folded in memory (the domain's
/// incremental `evolve`), and its rows are computed once, from its last state, and written
/// with the other inspections' rows in one multi-row statement per table. Lead-provider
/// events (a handful per store) are applied one by one.
pub async fn apply_many(
    conn: &mut PgConnection,
    stmts: &Statements,
    calendar: &Calendar,
    events: Vec<Incoming>,
    mode: Mode,
) -> Result<Vec<i64>, ApplyError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let mut kinds: HashMap<Uuid, StreamKind> = HashMap::new();
    for ev in &events {
        kinds.entry(ev.stream_id).or_insert(ev.stream_kind);
    }
    let mut ids: Vec<Uuid> = kinds.keys().copied().collect();
    ids.sort_unstable();
    let mut versions = applied_versions(conn, stmts, &ids).await?;
    for ev in &events {
        let applied = versions.entry(ev.stream_id).or_insert(0);
        if ev.version != *applied + 1 {
            return Err(ApplyError::OutOfOrder {
                stream_id: ev.stream_id,
                applied: *applied,
                got: ev.version,
            });
        }
        *applied = ev.version;
    }

    let inspection_ids: Vec<Uuid> = ids
        .iter()
        .copied()
        .filter(|id| kinds.get(id) == Some(&StreamKind::Inspection))
        .collect();
    let mut folding = read_histories(conn, stmts, &inspection_ids).await?;
    let mut rows = Batch::default();
    let mut changes = Changes::default();
    for ev in events {
        match ev.stream_kind {
            StreamKind::Inspection => {
                let folded = folding
                    .entry(ev.stream_id)
                    .or_insert_with(|| Folded::new(&ev));
                folded.push(&ev)?;
                let summary =
                    views::summary(&folded.state).ok_or(ApplyError::NotPlanned(ev.stream_id))?;
                changes.push(&ev, Some(summary.state));
                rows.event(ev);
            }
            StreamKind::LeadProvider => {
                apply_lead_provider(conn, stmts, &ev).await?;
                changes.push(&ev, None);
            }
        }
    }
    for id in &inspection_ids {
        if let Some(folded) = folding.get(id) {
            rows.inspection(*id, folded, calendar)?;
        }
    }
    for id in &ids {
        let kind = kinds.get(id).copied().unwrap_or(StreamKind::Inspection);
        rows.applied(*id, kind, versions.get(id).copied().unwrap_or(0));
    }
    rows.write(conn, stmts, Replace::Yes).await?;
    match mode {
        Mode::Live => Ok(changes.write(conn).await?),
        Mode::Rebuild => Ok(Vec::new()),
    }
}

/// The stored histories of `ids`, decoded and folded.
async fn read_histories(
    conn: &mut PgConnection,
    stmts: &Statements,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Folded>, ApplyError> {
    let mut folding: HashMap<Uuid, Folded> = HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(folding);
    }
    let stored = sqlx::query(stmts.inspection_histories)
        .bind(ids)
        .fetch_all(&mut *conn)
        .await?;
    for row in &stored {
        let id: Uuid = row.try_get("inspection_id")?;
        let version = to_u64(row.try_get("version")?);
        let payload: serde_json::Value = row.try_get("payload")?;
        let event = decode::<InspectionEvent>(id, version, &payload, "inspection")?;
        let folded = folding.entry(id).or_insert_with(|| Folded {
            lead_provider_id: Uuid::nil(),
            version: 0,
            state: Inspection::default(),
            history: Vec::new(),
        });
        folded.state = inspection::evolve(std::mem::take(&mut folded.state), &event);
        folded.history.push(event);
        folded.version = version;
    }
    Ok(folding)
}

/// Rows of the Watch log, column by column.
#[derive(Default)]
struct Changes {
    stream_id: Vec<Uuid>,
    stream_kind: Vec<&'static str>,
    lead_provider_id: Vec<Uuid>,
    event_type: Vec<String>,
    version: Vec<i64>,
    recorded_at: Vec<DateTime<Utc>>,
    state: Vec<Option<String>>,
}

impl Changes {
    fn push(&mut self, ev: &Incoming, state: Option<String>) {
        self.stream_id.push(ev.stream_id);
        self.stream_kind.push(ev.stream_kind.as_str());
        self.lead_provider_id.push(ev.lead_provider_id);
        self.event_type.push(ev.event_type.clone());
        self.version.push(to_i64(ev.version));
        self.recorded_at.push(ev.recorded_at);
        self.state.push(state);
    }

    /// Number the changes densely after the counter and insert them. Watch streams are woken
    /// by the caller after the commit (see [`sql::NOTIFY_CHANGE`]).
    async fn write(self, conn: &mut PgConnection) -> Result<Vec<i64>, sqlx::Error> {
        let n = self.stream_id.len() as i64;
        let last: i64 = sqlx::query_scalar(sql::RESERVE_SEQS)
            .bind(n)
            .fetch_one(&mut *conn)
            .await?;
        let seqs: Vec<i64> = (last - n + 1..=last).collect();
        sqlx::query(sql::INSERT_CHANGES)
            .bind(&seqs)
            .bind(self.stream_id)
            .bind(self.stream_kind)
            .bind(self.lead_provider_id)
            .bind(self.event_type)
            .bind(self.version)
            .bind(self.recorded_at)
            .bind(self.state)
            .execute(&mut *conn)
            .await?;
        Ok(seqs)
    }
}

/// Folds one lead-provider event into its row. Personal data (the representatives, R31) is
/// counted, not kept: each representative stays only as whose data it is, held (`sealed`,
/// without the box) or erased. This service holds no keys, so it never sees the data.
async fn apply_lead_provider(
    conn: &mut PgConnection,
    stmts: &Statements,
    ev: &Incoming,
) -> Result<(), ApplyError> {
    let event =
        decode::<LeadProviderEvent>(ev.stream_id, ev.version, &ev.payload, "lead provider")?;
    let stored: Option<serde_json::Value> = sqlx::query_scalar(stmts.lead_provider_aggregate)
        .bind(ev.stream_id)
        .fetch_optional(&mut *conn)
        .await?;
    let before = match stored {
        Some(v) => decode::<LeadProvider>(ev.stream_id, ev.version - 1, &v, "lead provider")?,
        None => LeadProvider::default(),
    };
    let mut state = lead_provider::evolve(before, &event);
    let representatives = state.representatives.len() as i32;
    state.representatives = state
        .representatives
        .iter()
        .map(PersonalRecord::withheld)
        .collect();
    sqlx::query(stmts.upsert_lead_provider)
        .bind(ev.stream_id)
        .bind(state.name.as_ref().map(|n| n.as_str().to_owned()))
        .bind(state.framework.map(|f| f.as_str()))
        .bind(
            state
                .contracts
                .iter()
                .flat_map(|c| c.iter())
                .map(|c| c.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(representatives)
        .bind(to_i64(ev.version))
        .bind(json(&state))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The first and the latest `recorded_at` of a history.
pub(crate) fn recorded_span(history: &[InspectionEvent]) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let first = history.iter().map(|e| e.recorded_at).min()?;
    let last = history.iter().map(|e| e.recorded_at).max()?;
    Some((first, last))
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    stream_id: Uuid,
    version: u64,
    payload: &serde_json::Value,
    kind: &'static str,
) -> Result<T, ApplyError> {
    T::deserialize(payload).map_err(|source| ApplyError::Decode {
        stream_id,
        version,
        kind,
        source,
    })
}

pub(crate) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub(crate) fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}
