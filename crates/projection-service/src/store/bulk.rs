//! Many inspections' rows written at once, for the live consumer's batches and the
//! rebuild's copies alike.
//!
//! Each inspection is folded in memory (the domain's `evolve` is incremental, [`Folded`]);
//! its rows are computed once, from its last state, by the domain's pure functions, and
//! queued here; [`Batch::write`] writes a whole batch with one multi-row statement per
//! table. Applying event by event instead re-reads and re-folds the stream's history for
//! every event and rewrites its rows each time: quadratic in the stream's length, and a
//! dozen round trips per event.

use chrono::{DateTime, Utc};
use domain::calendar::Calendar;
use domain::deadlines::{self, DeadlineStatus};
use domain::inspection::{self, Inspection, InspectionEvent};
use domain::views;
use eventstore::StreamKind;
use sqlx::PgConnection;
use uuid::Uuid;

use super::apply::{ApplyError, Incoming, decode, recorded_span, to_i64};
use super::sql::Statements;

/// Whether [`Batch::write`] first deletes the inspections' existing deadline and report
/// rows (the live tables), or knows there are none (a rebuild's first write of each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    Yes,
    No,
}

/// The rows of many inspections, column by column.
#[derive(Debug, Default)]
pub struct Batch {
    // inspection_events
    ev_inspection: Vec<Uuid>,
    ev_version: Vec<i64>,
    ev_event_id: Vec<Uuid>,
    ev_type: Vec<String>,
    ev_payload: Vec<serde_json::Value>,
    ev_recorded_at: Vec<DateTime<Utc>>,
    // inspections
    i_id: Vec<Uuid>,
    i_lead_provider: Vec<Uuid>,
    i_kind: Vec<&'static str>,
    i_state: Vec<String>,
    i_version: Vec<i64>,
    i_first: Vec<DateTime<Utc>>,
    i_last: Vec<DateTime<Utc>>,
    i_summary: Vec<String>,
    // deadlines
    d_inspection: Vec<Uuid>,
    d_ordinal: Vec<i32>,
    d_kind: Vec<&'static str>,
    d_rule: Vec<String>,
    d_report: Vec<Option<&'static str>>,
    d_cycle: Vec<i32>,
    d_opens_at: Vec<Option<DateTime<Utc>>>,
    d_due_at: Vec<DateTime<Utc>>,
    d_status: Vec<&'static str>,
    d_done_at: Vec<Option<DateTime<Utc>>>,
    d_provisional: Vec<bool>,
    d_lead_provider: Vec<Uuid>,
    // reports
    r_inspection: Vec<Uuid>,
    r_lead_provider: Vec<Uuid>,
    r_report: Vec<&'static str>,
    r_stage: Vec<String>,
    r_shared: Vec<bool>,
    r_view: Vec<String>,
    // applied
    a_stream: Vec<Uuid>,
    a_kind: Vec<&'static str>,
    a_version: Vec<i64>,
}

/// One inspection folded so far.
#[derive(Debug)]
pub struct Folded {
    pub lead_provider_id: Uuid,
    pub version: u64,
    pub state: Inspection,
    pub history: Vec<InspectionEvent>,
}

impl Folded {
    /// Nothing folded yet, of `first`'s stream.
    pub fn new(first: &Incoming) -> Self {
        Folded {
            lead_provider_id: first.lead_provider_id,
            version: 0,
            state: Inspection::default(),
            history: Vec::new(),
        }
    }

    /// Fold `ev`, which must be the next version.
    pub fn push(&mut self, ev: &Incoming) -> Result<(), ApplyError> {
        if ev.version != self.version + 1 {
            return Err(ApplyError::OutOfOrder {
                stream_id: ev.stream_id,
                applied: self.version,
                got: ev.version,
            });
        }
        let event: InspectionEvent = decode(ev.stream_id, ev.version, &ev.payload, "inspection")?;
        self.state = inspection::evolve(std::mem::take(&mut self.state), &event);
        self.history.push(event);
        self.version = ev.version;
        self.lead_provider_id = ev.lead_provider_id;
        Ok(())
    }
}

impl Batch {
    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.ev_inspection.is_empty() && self.i_id.is_empty() && self.a_stream.is_empty()
    }

    /// Queue an inspection event's copy (`inspection_events`).
    pub fn event(&mut self, ev: Incoming) {
        self.ev_inspection.push(ev.stream_id);
        self.ev_version.push(to_i64(ev.version));
        self.ev_event_id.push(ev.event_id);
        self.ev_type.push(ev.event_type);
        self.ev_payload.push(ev.payload);
        self.ev_recorded_at.push(ev.recorded_at);
    }

    /// Queue the rows of inspection `id` as of its last folded event: what applying its
    /// events one by one would leave (see `apply::apply_inspection`).
    pub fn inspection(
        &mut self,
        id: Uuid,
        folded: &Folded,
        calendar: &Calendar,
    ) -> Result<(), ApplyError> {
        let state = &folded.state;
        let summary = views::summary(state).ok_or(ApplyError::NotPlanned(id))?;
        let (first, last) = recorded_span(&folded.history).ok_or(ApplyError::NotPlanned(id))?;
        self.i_id.push(id);
        self.i_lead_provider.push(folded.lead_provider_id);
        self.i_kind.push(summary.kind.as_str());
        self.i_state.push(summary.state.clone());
        self.i_version.push(to_i64(folded.version));
        self.i_first.push(first);
        self.i_last.push(last);
        self.i_summary.push(json_text(&summary));
        for (i, d) in deadlines::deadlines(&folded.history, calendar, last)
            .iter()
            .enumerate()
        {
            self.d_inspection.push(id);
            self.d_ordinal.push(i as i32);
            self.d_kind.push(d.kind.as_str());
            self.d_rule.push(d.rule.clone());
            self.d_report.push(d.report.map(|r| r.as_str()));
            self.d_cycle.push(d.cycle as i32);
            self.d_opens_at.push(d.opens_at);
            self.d_due_at.push(d.due_at);
            self.d_status.push(d.status.as_str());
            self.d_done_at.push(match d.status {
                DeadlineStatus::Met { at } => Some(at),
                DeadlineStatus::Missed { completed_at } => completed_at,
                DeadlineStatus::Pending | DeadlineStatus::Closed | DeadlineStatus::Superseded => {
                    None
                }
            });
            self.d_provisional.push(d.provisional);
            self.d_lead_provider.push(folded.lead_provider_id);
        }
        for r in views::report_status(state, calendar) {
            self.r_inspection.push(id);
            self.r_lead_provider.push(folded.lead_provider_id);
            self.r_report.push(r.report.as_str());
            self.r_stage.push(r.stage.clone());
            self.r_shared.push(!r.shared_with_dfe.is_empty());
            self.r_view.push(json_text(&r));
        }
        Ok(())
    }

    /// Queue stream `id` as applied up to `version`.
    pub fn applied(&mut self, id: Uuid, kind: StreamKind, version: u64) {
        self.a_stream.push(id);
        self.a_kind.push(kind.as_str());
        self.a_version.push(to_i64(version));
    }

    /// Write everything queued into `stmts`' tables and empty the batch.
    pub async fn write(
        &mut self,
        conn: &mut PgConnection,
        stmts: &Statements,
        replace: Replace,
    ) -> Result<(), sqlx::Error> {
        let b = std::mem::take(self);
        if !b.ev_inspection.is_empty() {
            sqlx::query(stmts.insert_inspection_events)
                .bind(b.ev_inspection)
                .bind(b.ev_version)
                .bind(b.ev_event_id)
                .bind(b.ev_type)
                .bind(b.ev_payload)
                .bind(b.ev_recorded_at)
                .execute(&mut *conn)
                .await?;
        }
        if !b.a_stream.is_empty() {
            sqlx::query(stmts.upsert_applied)
                .bind(b.a_stream)
                .bind(b.a_kind)
                .bind(b.a_version)
                .execute(&mut *conn)
                .await?;
        }
        if b.i_id.is_empty() {
            return Ok(());
        }
        if replace == Replace::Yes {
            sqlx::query(stmts.delete_deadlines)
                .bind(&b.i_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query(stmts.delete_reports)
                .bind(&b.i_id)
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query(stmts.upsert_inspections)
            .bind(b.i_id)
            .bind(b.i_lead_provider)
            .bind(b.i_kind)
            .bind(b.i_state)
            .bind(b.i_version)
            .bind(b.i_first)
            .bind(b.i_last)
            .bind(b.i_summary)
            .execute(&mut *conn)
            .await?;
        sqlx::query(stmts.insert_deadlines)
            .bind(b.d_inspection)
            .bind(b.d_ordinal)
            .bind(b.d_kind)
            .bind(b.d_rule)
            .bind(b.d_report)
            .bind(b.d_cycle)
            .bind(b.d_opens_at)
            .bind(b.d_due_at)
            .bind(b.d_status)
            .bind(b.d_done_at)
            .bind(b.d_provisional)
            .bind(b.d_lead_provider)
            .execute(&mut *conn)
            .await?;
        sqlx::query(stmts.insert_reports)
            .bind(b.r_inspection)
            .bind(b.r_lead_provider)
            .bind(b.r_report)
            .bind(b.r_stage)
            .bind(b.r_shared)
            .bind(b.r_view)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

/// Serialising the domain's own types cannot fail (no non-string map keys, no custom
/// serialisers that error); `Null` would only hide a bug, which the read-back would show.
pub(crate) fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// As [`json`], straight to text (bound as `text[]` and cast to `jsonb[]` by the statement):
/// no intermediate `Value` tree to build, encode and free — a third of a rebuild's
/// instructions went there (callgrind).
pub(crate) fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}
