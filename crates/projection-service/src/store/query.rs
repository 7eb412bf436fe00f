//! What the queries read from the live tables. Statuses that depend on time are not read
//! here: callers recompute them with the domain's functions from the histories returned.

use chrono::{DateTime, Utc};
use domain::inspection::{self, Inspection, InspectionEvent};
use domain::views::{InspectionSummary, ReportStatusView};
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::apply::{ApplyError, decode, to_u64};

/// Why a query failed.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// Postgres failed.
    #[error("read-model database")]
    Db(#[from] sqlx::Error),
    /// A stored row does not decode (a bug or a schema drift).
    #[error("corrupt read model: {0}")]
    Corrupt(String),
}

impl From<ApplyError> for QueryError {
    fn from(e: ApplyError) -> Self {
        QueryError::Corrupt(e.to_string())
    }
}

/// Which changes a Watch wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeFilter {
    /// One stream (an inspection, or a lead provider's own stream).
    pub stream_id: Option<Uuid>,
    /// Everything filed under one lead provider.
    pub lead_provider_id: Option<Uuid>,
}

/// One row of the Watch log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    pub seq: i64,
    pub stream_id: Uuid,
    pub stream_kind: String,
    pub lead_provider_id: Uuid,
    pub event_type: String,
    pub version: i64,
    pub recorded_at: DateTime<Utc>,
    pub state: Option<String>,
}

/// Changes after `after` matching `filter`, in sequence order.
pub async fn changes_after(
    pool: &PgPool,
    filter: &ChangeFilter,
    after: i64,
    limit: i64,
) -> Result<Vec<ChangeRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT seq, stream_id, stream_kind, lead_provider_id, event_type, version, recorded_at, \
         state FROM changes WHERE seq > $1 \
         AND ($2::uuid IS NULL OR stream_id = $2) \
         AND ($3::uuid IS NULL OR lead_provider_id = $3) \
         ORDER BY seq LIMIT $4",
    )
    .bind(after)
    .bind(filter.stream_id)
    .bind(filter.lead_provider_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ChangeRow {
                seq: r.try_get("seq")?,
                stream_id: r.try_get("stream_id")?,
                stream_kind: r.try_get("stream_kind")?,
                lead_provider_id: r.try_get("lead_provider_id")?,
                event_type: r.try_get("event_type")?,
                version: r.try_get("version")?,
                recorded_at: r.try_get("recorded_at")?,
                state: r.try_get("state")?,
            })
        })
        .collect()
}

/// The newest change's sequence number (0: none yet).
pub async fn latest_seq(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT seq FROM change_counter")
        .fetch_one(pool)
        .await
}

/// One inspection's summary as of its last event.
pub async fn summary(pool: &PgPool, id: Uuid) -> Result<Option<InspectionSummary>, QueryError> {
    let v: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT summary FROM inspections WHERE inspection_id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    v.map(|v| decode(id, 0, &v, "summary").map_err(QueryError::from))
        .transpose()
}

/// Filters of [`list_summaries`].
#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    pub lead_provider_id: Option<Uuid>,
    pub kind: Option<&'static str>,
    pub state: Option<&'static str>,
}

/// Summaries in inspection id order after `after`.
pub async fn list_summaries(
    pool: &PgPool,
    filter: &InspectionFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<InspectionSummary>, QueryError> {
    let rows = sqlx::query(
        "SELECT inspection_id, summary FROM inspections \
         WHERE ($1::uuid IS NULL OR lead_provider_id = $1) \
         AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR state = $3) \
         AND ($4::uuid IS NULL OR inspection_id > $4) \
         ORDER BY inspection_id LIMIT $5",
    )
    .bind(filter.lead_provider_id)
    .bind(filter.kind)
    .bind(filter.state)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let id: Uuid = r.try_get("inspection_id")?;
            let v: serde_json::Value = r.try_get("summary")?;
            Ok(decode(id, 0, &v, "summary")?)
        })
        .collect()
}

/// An inspection's events as the projection holds them.
#[derive(Debug, Clone)]
pub struct History {
    pub inspection_id: Uuid,
    pub lead_provider_id: Uuid,
    pub events: Vec<InspectionEvent>,
}

impl History {
    /// The aggregate as the system knew it at `as_of` (only events recorded by then); `None`
    /// when nothing of it was recorded yet.
    pub fn state_at(&self, as_of: DateTime<Utc>) -> Option<Inspection> {
        let mut known = self.events.iter().filter(|e| e.recorded_at <= as_of);
        let first = known.next()?;
        let start = inspection::evolve(Inspection::default(), first);
        Some(known.fold(start, inspection::evolve))
    }
}

/// The histories of `ids` (those the projection knows), in id order.
pub async fn histories(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<History>, QueryError> {
    let rows = sqlx::query(
        "SELECT e.inspection_id, i.lead_provider_id, e.version, e.payload \
         FROM inspection_events e JOIN inspections i USING (inspection_id) \
         WHERE e.inspection_id = ANY($1) ORDER BY e.inspection_id, e.version",
    )
    .bind(ids)
    .fetch_all(pool)
    .await?;
    group(&rows)
}

/// The histories of every inspection of a lead provider.
pub async fn provider_histories(pool: &PgPool, lp: Uuid) -> Result<Vec<History>, QueryError> {
    let rows = sqlx::query(
        "SELECT e.inspection_id, i.lead_provider_id, e.version, e.payload \
         FROM inspection_events e JOIN inspections i USING (inspection_id) \
         WHERE i.lead_provider_id = $1 ORDER BY e.inspection_id, e.version",
    )
    .bind(lp)
    .fetch_all(pool)
    .await?;
    group(&rows)
}

fn group(rows: &[sqlx::postgres::PgRow]) -> Result<Vec<History>, QueryError> {
    let mut out: Vec<History> = Vec::new();
    for r in rows {
        let id: Uuid = r.try_get("inspection_id")?;
        let lp: Uuid = r.try_get("lead_provider_id")?;
        let version: i64 = r.try_get("version")?;
        let payload: serde_json::Value = r.try_get("payload")?;
        let event = decode(id, to_u64(version), &payload, "inspection")?;
        match out.last_mut() {
            Some(h) if h.inspection_id == id => h.events.push(event),
            _ => out.push(History {
                inspection_id: id,
                lead_provider_id: lp,
                events: vec![event],
            }),
        }
    }
    Ok(out)
}

/// Which inspections may have deadlines matching a cross-inspection query.
#[derive(Debug, Clone)]
pub struct DeadlineSearch {
    pub lead_provider_id: Option<Uuid>,
    /// Only deadlines due strictly before this.
    pub due_before: Option<DateTime<Utc>>,
    pub as_of: DateTime<Utc>,
    /// Stored statuses that can turn into a wanted status by `as_of` (e.g. a stored
    /// `pending` can be `missed` now); empty: any.
    pub stored_statuses: Vec<&'static str>,
}

/// The inspections of a deadline search whose stored rows may not describe `as_of`: those
/// that existed by then but have events after it. Their deadlines are recomputed whole.
pub async fn unsettled_inspections(
    pool: &PgPool,
    s: &DeadlineSearch,
) -> Result<Vec<Uuid>, QueryError> {
    let ids = sqlx::query_scalar(
        "SELECT i.inspection_id FROM inspections i \
         WHERE ($1::uuid IS NULL OR i.lead_provider_id = $1) \
         AND i.first_recorded_at <= $2 AND i.last_recorded_at > $2 \
         ORDER BY i.inspection_id",
    )
    .bind(s.lead_provider_id)
    .bind(s.as_of)
    .fetch_all(pool)
    .await?;
    Ok(ids)
}

/// A stored deadline row's place in the search order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredDeadline {
    pub due_at: DateTime<Utc>,
    pub inspection_id: Uuid,
    pub ordinal: i32,
}

/// Up to `limit` stored deadline rows of settled inspections (no event after `as_of`) that
/// may match the search, in (due, inspection, ordinal) order after `after`.
///
/// The stored rows were computed as of each inspection's last event, and with no new event
/// a deadline keeps its place (due time and ordinal) and its status only moves from pending
/// to missed or closed; so for an `as_of` at or after the last event, the stored due time and
/// status narrow the search exactly, and the caller recomputes only the rows it pages through.
pub async fn settled_deadline_rows(
    pool: &PgPool,
    s: &DeadlineSearch,
    after: Option<StoredDeadline>,
    limit: i64,
) -> Result<Vec<StoredDeadline>, QueryError> {
    // Two statements rather than `($1 IS NULL OR ...)`, so that each plan can use its index.
    let query = match s.lead_provider_id {
        Some(_) => sqlx::query(
            "SELECT d.due_at, d.inspection_id, d.ordinal FROM deadlines d \
             JOIN inspections i USING (inspection_id) \
             WHERE d.lead_provider_id = $1 \
             AND i.last_recorded_at <= $2 \
             AND ($3::timestamptz IS NULL OR d.due_at < $3) \
             AND (cardinality($4::text[]) = 0 OR d.status = ANY($4)) \
             AND ($5::timestamptz IS NULL OR (d.due_at, d.inspection_id, d.ordinal) > ($5, $6, $7)) \
             ORDER BY d.lead_provider_id, d.due_at, d.inspection_id, d.ordinal LIMIT $8",
        ),
        None => sqlx::query(
            "SELECT d.due_at, d.inspection_id, d.ordinal FROM deadlines d \
             JOIN inspections i USING (inspection_id) \
             WHERE $1::uuid IS NULL \
             AND i.last_recorded_at <= $2 \
             AND ($3::timestamptz IS NULL OR d.due_at < $3) \
             AND (cardinality($4::text[]) = 0 OR d.status = ANY($4)) \
             AND ($5::timestamptz IS NULL OR (d.due_at, d.inspection_id, d.ordinal) > ($5, $6, $7)) \
             ORDER BY d.due_at, d.inspection_id, d.ordinal LIMIT $8",
        ),
    };
    let rows = query
        .bind(s.lead_provider_id)
        .bind(s.as_of)
        .bind(s.due_before)
        .bind(&s.stored_statuses)
        .bind(after.map(|a| a.due_at))
        .bind(after.map(|a| a.inspection_id))
        .bind(after.map(|a| a.ordinal))
        .bind(limit)
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredDeadline {
                due_at: r.try_get("due_at")?,
                inspection_id: r.try_get("inspection_id")?,
                ordinal: r.try_get("ordinal")?,
            })
        })
        .collect()
}

/// Filters of [`list_reports`].
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub lead_provider_id: Option<Uuid>,
    pub report: Option<&'static str>,
    pub stage: Option<&'static str>,
    pub shared_with_dfe: Option<bool>,
}

/// One row of [`list_reports`].
#[derive(Debug, Clone)]
pub struct ReportRow {
    pub inspection_id: Uuid,
    pub lead_provider_id: Uuid,
    pub report: String,
    pub view: ReportStatusView,
}

/// Reports in (inspection id, report) order after `after`.
pub async fn list_reports(
    pool: &PgPool,
    filter: &ReportFilter,
    after: Option<(Uuid, String)>,
    limit: i64,
) -> Result<Vec<ReportRow>, QueryError> {
    let (after_id, after_report) = after.unzip();
    let rows = sqlx::query(
        "SELECT inspection_id, lead_provider_id, report, view FROM reports \
         WHERE ($1::uuid IS NULL OR lead_provider_id = $1) \
         AND ($2::text IS NULL OR report = $2) AND ($3::text IS NULL OR stage = $3) \
         AND ($4::bool IS NULL OR shared_with_dfe = $4) \
         AND ($5::uuid IS NULL OR (inspection_id, report) > ($5, $6)) \
         ORDER BY inspection_id, report LIMIT $7",
    )
    .bind(filter.lead_provider_id)
    .bind(filter.report)
    .bind(filter.stage)
    .bind(filter.shared_with_dfe)
    .bind(after_id)
    .bind(after_report)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let id: Uuid = r.try_get("inspection_id")?;
            let v: serde_json::Value = r.try_get("view")?;
            Ok(ReportRow {
                inspection_id: id,
                lead_provider_id: r.try_get("lead_provider_id")?,
                report: r.try_get("report")?,
                view: decode(id, 0, &v, "report status")?,
            })
        })
        .collect()
}

/// A lead provider's row.
#[derive(Debug, Clone)]
pub struct LeadProviderRow {
    pub lead_provider_id: Uuid,
    pub name: Option<String>,
    pub framework: Option<String>,
    pub contracts: Vec<String>,
    pub representatives: i32,
    pub version: i64,
    /// The folded `LeadProvider`, representatives without their data.
    pub aggregate: serde_json::Value,
}

/// One lead provider.
pub async fn lead_provider(pool: &PgPool, id: Uuid) -> Result<Option<LeadProviderRow>, QueryError> {
    let row = sqlx::query(
        "SELECT name, framework, contracts, representatives, version, aggregate \
         FROM lead_providers \
         WHERE lead_provider_id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(LeadProviderRow {
            lead_provider_id: id,
            name: r.try_get("name")?,
            framework: r.try_get("framework")?,
            contracts: r.try_get("contracts")?,
            representatives: r.try_get("representatives")?,
            version: r.try_get("version")?,
            aggregate: r.try_get("aggregate")?,
        })
    })
    .transpose()
}
