//! Applying one stored event to a set of read-model tables, inside the caller's transaction.
//!
//! Every read model is computed by the domain's pure functions (`evolve`, `views::summary`,
//! `views::report_status`, `deadlines::deadlines`): nothing here decides a rule. The rows
//! depend on the events only (never on the wall clock), which is what lets a rebuild produce
//! the live tables row for row.

use chrono::{DateTime, Utc};
use domain::calendar::Calendar;
use domain::deadlines::{self, DeadlineStatus};
use domain::inspection::{self, Inspection, InspectionEvent};
use domain::lead_provider::{self, LeadProvider, LeadProviderEvent};
use domain::personal::PersonalRecord;
use domain::views;
use eventstore::{RecordedEvent, StreamKind};
use sqlx::{PgConnection, Row};
use uuid::Uuid;

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

/// The last applied version of a stream (0: none).
pub async fn applied_version(
    conn: &mut PgConnection,
    stmts: &Statements,
    stream_id: Uuid,
) -> Result<u64, sqlx::Error> {
    let v: Option<i64> = sqlx::query_scalar(stmts.applied_version)
        .bind(stream_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(v.map_or(0, to_u64))
}

/// Apply `ev`, which MUST be the next version of its stream (checked), and record it as
/// applied. Returns the Watch sequence number in [`Mode::Live`].
pub async fn apply(
    conn: &mut PgConnection,
    stmts: &Statements,
    calendar: &Calendar,
    ev: &Incoming,
    mode: Mode,
) -> Result<Option<i64>, ApplyError> {
    let applied = applied_version(conn, stmts, ev.stream_id).await?;
    if ev.version != applied + 1 {
        return Err(ApplyError::OutOfOrder {
            stream_id: ev.stream_id,
            applied,
            got: ev.version,
        });
    }
    let state = match ev.stream_kind {
        StreamKind::Inspection => Some(apply_inspection(conn, stmts, calendar, ev).await?),
        StreamKind::LeadProvider => {
            apply_lead_provider(conn, stmts, ev).await?;
            None
        }
    };
    sqlx::query(stmts.upsert_applied)
        .bind(ev.stream_id)
        .bind(ev.stream_kind.as_str())
        .bind(to_i64(ev.version))
        .execute(&mut *conn)
        .await?;
    if mode == Mode::Rebuild {
        return Ok(None);
    }
    let seq: i64 = sqlx::query_scalar(sql::NEXT_SEQ)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(sql::INSERT_CHANGE)
        .bind(seq)
        .bind(ev.stream_id)
        .bind(ev.stream_kind.as_str())
        .bind(ev.lead_provider_id)
        .bind(&ev.event_type)
        .bind(to_i64(ev.version))
        .bind(ev.recorded_at)
        .bind(state)
        .execute(&mut *conn)
        .await?;
    sqlx::query(sql::NOTIFY_CHANGE)
        .bind(seq.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(Some(seq))
}

/// Folds the inspection's history (with `ev`) and rewrites its rows. Returns its state name.
async fn apply_inspection(
    conn: &mut PgConnection,
    stmts: &Statements,
    calendar: &Calendar,
    ev: &Incoming,
) -> Result<String, ApplyError> {
    decode::<InspectionEvent>(ev.stream_id, ev.version, &ev.payload, "inspection")?;
    sqlx::query(stmts.insert_inspection_event)
        .bind(ev.stream_id)
        .bind(to_i64(ev.version))
        .bind(ev.event_id)
        .bind(&ev.event_type)
        .bind(&ev.payload)
        .bind(ev.recorded_at)
        .execute(&mut *conn)
        .await?;
    let rows = sqlx::query(stmts.inspection_history)
        .bind(ev.stream_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut history = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let payload: serde_json::Value = row.try_get("payload")?;
        history.push(decode::<InspectionEvent>(
            ev.stream_id,
            i as u64 + 1,
            &payload,
            "inspection",
        )?);
    }
    let state = history
        .iter()
        .fold(Inspection::default(), inspection::evolve);
    let summary = views::summary(&state).ok_or(ApplyError::NotPlanned(ev.stream_id))?;
    let (first, last) = recorded_span(&history).ok_or(ApplyError::NotPlanned(ev.stream_id))?;

    sqlx::query(stmts.upsert_inspection)
        .bind(ev.stream_id)
        .bind(ev.lead_provider_id)
        .bind(summary.kind.as_str())
        .bind(&summary.state)
        .bind(to_i64(ev.version))
        .bind(first)
        .bind(last)
        .bind(json(&state))
        .bind(json(&summary))
        .execute(&mut *conn)
        .await?;

    // Stored as of the last event: the status can then only move from pending to missed or
    // closed as time passes, which is what the deadline queries rely on to narrow a search.
    let ds = deadlines::deadlines(&history, calendar, last);
    let mut rows = DeadlineRows::default();
    for (i, d) in ds.iter().enumerate() {
        rows.ordinal.push(i as i32);
        rows.kind.push(d.kind.as_str());
        rows.rule.push(d.rule.clone());
        rows.report.push(d.report.map(|r| r.as_str()));
        rows.cycle.push(d.cycle as i32);
        rows.opens_at.push(d.opens_at);
        rows.due_at.push(d.due_at);
        rows.status.push(d.status.as_str());
        rows.done_at.push(match d.status {
            DeadlineStatus::Met { at } => Some(at),
            DeadlineStatus::Missed { completed_at } => completed_at,
            DeadlineStatus::Pending | DeadlineStatus::Closed | DeadlineStatus::Superseded => None,
        });
        rows.provisional.push(d.provisional);
    }
    sqlx::query(stmts.delete_deadlines)
        .bind(ev.stream_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(stmts.insert_deadlines)
        .bind(ev.stream_id)
        .bind(rows.ordinal)
        .bind(rows.kind)
        .bind(rows.rule)
        .bind(rows.report)
        .bind(rows.cycle)
        .bind(rows.opens_at)
        .bind(rows.due_at)
        .bind(rows.status)
        .bind(rows.done_at)
        .bind(rows.provisional)
        .execute(&mut *conn)
        .await?;

    let reports = views::report_status(&state, calendar);
    sqlx::query(stmts.delete_reports)
        .bind(ev.stream_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(stmts.insert_reports)
        .bind(ev.stream_id)
        .bind(ev.lead_provider_id)
        .bind(
            reports
                .iter()
                .map(|r| r.report.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(reports.iter().map(|r| r.stage.clone()).collect::<Vec<_>>())
        .bind(
            reports
                .iter()
                .map(|r| !r.shared_with_dfe.is_empty())
                .collect::<Vec<_>>(),
        )
        .bind(reports.iter().map(json).collect::<Vec<_>>())
        .execute(&mut *conn)
        .await?;
    Ok(summary.state)
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

#[derive(Default)]
struct DeadlineRows {
    ordinal: Vec<i32>,
    kind: Vec<&'static str>,
    rule: Vec<String>,
    report: Vec<Option<&'static str>>,
    cycle: Vec<i32>,
    opens_at: Vec<Option<DateTime<Utc>>>,
    due_at: Vec<DateTime<Utc>>,
    status: Vec<&'static str>,
    done_at: Vec<Option<DateTime<Utc>>>,
    provisional: Vec<bool>,
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

/// Serialising the domain's own types cannot fail (no non-string map keys, no custom
/// serialisers that error); `Null` would only hide a bug, which the read-back would show.
fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

pub(crate) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub(crate) fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}
