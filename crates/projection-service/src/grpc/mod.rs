//! `InspectionQueryService`: parse the request, read the live tables, recompute anything that
//! depends on time with the domain's functions, convert.
//!
//! Every query first authorises its caller (the identity the server's token authenticator
//! verified) with [`access::scope`], then reads only what that scope admits.
//!
//! # Layout
//! - this module: the service and request parsing;
//! - `access.rs`: the read rules per role, and what a provider user or DfE may see;
//! - `convert.rs`: domain read models → wire messages;
//! - `errors.rs`: [`QueryFailure`] and its one mapping to `tonic::Status`.

mod access;
mod convert;
pub mod errors;

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::calendar::Calendar;
use domain::deadlines::{self, Deadline, DeadlineStatus};
use domain::lead_provider::LeadProvider;
use domain::views;
use futures::{Stream, StreamExt};
use proto::pb;
use proto::pb::inspection_query_service_server::InspectionQueryService;
use sqlx::PgPool;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::clock::Clock;
use crate::feed::ChangeFeed;
use crate::store::apply::decode;
use crate::store::query::{self, ChangeFilter, ChangeRow, History};
use access::{Query, Scope};
pub use errors::QueryFailure;

/// Largest page of inspections.
const MAX_INSPECTIONS_PAGE: u32 = 500;
/// Largest page of deadlines or reports.
const MAX_PAGE: u32 = 1000;
/// Inspections whose histories are read per round trip in a deadline search.
const HISTORY_CHUNK: usize = 200;

/// What every query needs.
#[derive(Debug)]
pub struct QueryState {
    pub pool: PgPool,
    pub calendar: Arc<Calendar>,
    pub clock: Arc<dyn Clock>,
    pub feed: ChangeFeed,
}

/// The gRPC service.
#[derive(Debug, Clone)]
pub struct QueryService {
    state: Arc<QueryState>,
}

impl QueryService {
    pub fn new(state: Arc<QueryState>) -> Self {
        QueryService { state }
    }

    fn as_of(&self, t: Option<&prost_types::Timestamp>) -> Result<DateTime<Utc>, QueryFailure> {
        match t {
            None => Ok(self.state.clock.now()),
            Some(t) => {
                let nanos = u32::try_from(t.nanos).ok();
                nanos
                    .and_then(|n| DateTime::from_timestamp(t.seconds, n))
                    .ok_or_else(|| {
                        QueryFailure::invalid("as_of", "TIMESTAMP_INVALID", "out of range")
                    })
            }
        }
    }

    /// What the caller of `request` may see of `query`'s answer.
    fn scope<T>(&self, request: &Request<T>, query: Query) -> Result<Scope, Status> {
        let caller = auth::grpc::identity(request)?;
        let scope = access::scope(caller, query)?;
        tracing::Span::current().record("role", caller.role().as_str());
        Ok(scope)
    }

    /// The history of an inspection the scope admits; another provider's is "not found", as
    /// if it did not exist.
    async fn history(&self, id: Uuid, scope: Scope) -> Result<History, QueryFailure> {
        query::histories(&self.state.pool, &[id])
            .await?
            .into_iter()
            .next()
            .filter(|h| scope.admits(h.lead_provider_id))
            .ok_or_else(|| not_found_inspection(id))
    }

    async fn state_at(
        &self,
        id: Uuid,
        as_of: DateTime<Utc>,
        scope: Scope,
    ) -> Result<domain::inspection::Inspection, QueryFailure> {
        self.history(id, scope)
            .await?
            .state_at(as_of)
            .ok_or_else(|| {
                QueryFailure::NotFound(
                    "INSPECTION_NOT_FOUND",
                    format!("inspection {id} was not yet planned at {as_of}"),
                )
            })
    }
}

fn not_found_inspection(id: Uuid) -> QueryFailure {
    QueryFailure::NotFound(
        "INSPECTION_NOT_FOUND",
        format!("no inspection {id} in the read models"),
    )
}

fn id(field: &'static str, raw: &str) -> Result<Uuid, QueryFailure> {
    let id = Uuid::parse_str(raw.trim()).map_err(|e| {
        if raw.trim().is_empty() {
            QueryFailure::invalid(field, "FIELD_MISSING", "required")
        } else {
            QueryFailure::invalid(field, "ID_MALFORMED", format!("not a UUID: {e}"))
        }
    })?;
    Ok(id)
}

fn optional_id(field: &'static str, raw: &str) -> Result<Option<Uuid>, QueryFailure> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    id(field, raw).map(Some)
}

fn enum_value<E: TryFrom<i32>>(field: &'static str, raw: i32) -> Result<E, QueryFailure> {
    E::try_from(raw).map_err(|_| {
        QueryFailure::invalid(
            field,
            "ENUM_UNKNOWN",
            format!("{raw} is not a defined value"),
        )
    })
}

fn page_size(raw: u32, default: u32, max: u32) -> i64 {
    i64::from(if raw == 0 { default } else { raw.min(max) })
}

type Reply<T> = Result<Response<T>, Status>;
type ChangeStream = Pin<Box<dyn Stream<Item = Result<pb::Change, Status>> + Send>>;

#[tonic::async_trait]
impl InspectionQueryService for QueryService {
    #[tracing::instrument(skip_all, fields(role))]
    async fn get_inspection(
        &self,
        r: Request<pb::GetInspectionRequest>,
    ) -> Reply<pb::InspectionSummary> {
        let scope = self.scope(&r, Query::GetInspection)?;
        let id = id("inspection_id", &r.get_ref().inspection_id)?;
        let summary = query::summary(&self.state.pool, id)
            .await
            .map_err(QueryFailure::from)?
            .filter(|s| scope.admits(s.lead_provider_id.as_uuid()))
            .ok_or_else(|| not_found_inspection(id))?;
        Ok(Response::new(convert::summary(&summary)))
    }

    #[tracing::instrument(skip_all, fields(role))]
    async fn list_inspections(
        &self,
        r: Request<pb::ListInspectionsRequest>,
    ) -> Reply<pb::ListInspectionsResponse> {
        let scope = self.scope(&r, Query::ListInspections)?;
        let r = r.get_ref();
        let kind: pb::InspectionKind = enum_value("kind", r.kind)?;
        let state: pb::InspectionState = enum_value("state", r.state)?;
        let Ok(lead_provider_id) =
            scope.provider_filter(optional_id("lead_provider_id", &r.lead_provider_id)?)
        else {
            return Ok(Response::new(pb::ListInspectionsResponse::default()));
        };
        let filter = query::InspectionFilter {
            lead_provider_id,
            kind: match kind {
                pb::InspectionKind::Unspecified => None,
                pb::InspectionKind::Full => Some("full"),
                pb::InspectionKind::Lpmv => Some("lpmv"),
            },
            state: convert::state_word(state),
        };
        let after = optional_id("page_token", &r.page_token)?;
        let size = page_size(r.page_size, 50, MAX_INSPECTIONS_PAGE);
        let mut rows = query::list_summaries(&self.state.pool, &filter, after, size + 1)
            .await
            .map_err(QueryFailure::from)?;
        let more = rows.len() as i64 > size;
        rows.truncate(size as usize);
        let next_page_token = match rows.last() {
            Some(last) if more => last.inspection_id.to_string(),
            _ => String::new(),
        };
        Ok(Response::new(pb::ListInspectionsResponse {
            inspections: rows.iter().map(convert::summary).collect(),
            next_page_token,
        }))
    }

    #[tracing::instrument(skip_all, fields(role))]
    async fn get_deadlines(
        &self,
        r: Request<pb::GetDeadlinesRequest>,
    ) -> Reply<pb::GetDeadlinesResponse> {
        let scope = self.scope(&r, Query::GetDeadlines)?;
        let r = r.get_ref();
        let id = id("inspection_id", &r.inspection_id)?;
        let as_of = self.as_of(r.as_of.as_ref())?;
        let history = self.history(id, scope).await?;
        let ds = deadlines::deadlines(&history.events, &self.state.calendar, as_of);
        Ok(Response::new(pb::GetDeadlinesResponse {
            deadlines: ds.iter().map(convert::deadline).collect(),
            as_of: Some(convert::ts(as_of)),
        }))
    }

    #[tracing::instrument(skip_all, fields(role))]
    async fn list_deadlines(
        &self,
        r: Request<pb::ListDeadlinesRequest>,
    ) -> Reply<pb::ListDeadlinesResponse> {
        let scope = self.scope(&r, Query::ListDeadlines)?;
        let r = r.get_ref();
        let as_of = self.as_of(r.as_of.as_ref())?;
        let due_before = match &r.due_before {
            None => None,
            Some(t) => Some(self.as_of(Some(t)).map_err(|_| {
                QueryFailure::invalid("due_before", "TIMESTAMP_INVALID", "out of range")
            })?),
        };
        let mut wanted = Vec::new();
        for raw in &r.statuses {
            let s: pb::DeadlineStatus = enum_value("statuses", *raw)?;
            if s == pb::DeadlineStatus::Unspecified {
                return Err(QueryFailure::invalid(
                    "statuses",
                    "ENUM_UNSPECIFIED",
                    "DEADLINE_STATUS_UNSPECIFIED is not a status",
                )
                .into());
            }
            wanted.push(s);
        }
        let Ok(lead_provider_id) =
            scope.provider_filter(optional_id("lead_provider_id", &r.lead_provider_id)?)
        else {
            return Ok(Response::new(pb::ListDeadlinesResponse {
                as_of: Some(convert::ts(as_of)),
                ..Default::default()
            }));
        };
        let search = query::DeadlineSearch {
            lead_provider_id,
            due_before,
            as_of,
            stored_statuses: stored_statuses(&wanted),
        };
        let after = DeadlineKey::parse(&r.page_token)?;
        let size = page_size(r.page_size, 100, MAX_PAGE) as usize;
        let matches = |d: &Deadline, key: &DeadlineKey| {
            (wanted.is_empty() || wanted.contains(&convert::deadline_status(&d.status)))
                && due_before.is_none_or(|b| d.due_at < b)
                && after.as_ref().is_none_or(|a| key > a)
        };
        // Inspections with events after `as_of`: every deadline recomputed.
        let unsettled = query::unsettled_inspections(&self.state.pool, &search)
            .await
            .map_err(QueryFailure::from)?;
        let mut found: Vec<(DeadlineKey, Uuid, Deadline)> = Vec::new();
        for chunk in unsettled.chunks(HISTORY_CHUNK) {
            let histories = query::histories(&self.state.pool, chunk)
                .await
                .map_err(QueryFailure::from)?;
            for h in histories {
                let ds = deadlines::deadlines(&h.events, &self.state.calendar, as_of);
                for (ordinal, d) in ds.into_iter().enumerate() {
                    let key = DeadlineKey {
                        due_at: d.due_at,
                        inspection_id: h.inspection_id,
                        ordinal,
                    };
                    if matches(&d, &key) {
                        found.push((key, h.lead_provider_id, d));
                    }
                }
            }
        }
        // The rest: the stored rows in search order, only the inspections paged through
        // recomputed, until one more than a page has matched.
        let mut settled = 0;
        let mut cursor = after.as_ref().map(|a| query::StoredDeadline {
            due_at: a.due_at,
            inspection_id: a.inspection_id,
            ordinal: i32::try_from(a.ordinal).unwrap_or(i32::MAX),
        });
        let chunk = i64::try_from(size + 1).unwrap_or(i64::MAX).max(64);
        while settled <= size {
            let rows = query::settled_deadline_rows(&self.state.pool, &search, cursor, chunk)
                .await
                .map_err(QueryFailure::from)?;
            let Some(last) = rows.last() else { break };
            cursor = Some(*last);
            let mut ids: Vec<Uuid> = rows.iter().map(|r| r.inspection_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut now: HashMap<Uuid, (Uuid, Vec<Deadline>)> = HashMap::new();
            for h in query::histories(&self.state.pool, &ids)
                .await
                .map_err(QueryFailure::from)?
            {
                let ds = deadlines::deadlines(&h.events, &self.state.calendar, as_of);
                now.insert(h.inspection_id, (h.lead_provider_id, ds));
            }
            for row in &rows {
                let ordinal = usize::try_from(row.ordinal).unwrap_or(usize::MAX);
                let Some((lp, d)) = now
                    .get(&row.inspection_id)
                    .and_then(|(lp, ds)| ds.get(ordinal).map(|d| (*lp, d)))
                else {
                    continue;
                };
                let key = DeadlineKey {
                    due_at: d.due_at,
                    inspection_id: row.inspection_id,
                    ordinal,
                };
                if matches(d, &key) && settled <= size {
                    settled += 1;
                    found.push((key, lp, d.clone()));
                }
            }
            if rows.len() < usize::try_from(chunk).unwrap_or(usize::MAX) {
                break;
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        let more = found.len() > size;
        found.truncate(size);
        let next_page_token = match found.last() {
            Some((key, _, _)) if more => key.to_string(),
            _ => String::new(),
        };
        Ok(Response::new(pb::ListDeadlinesResponse {
            deadlines: found
                .iter()
                .map(|(key, lp, d)| pb::InspectionDeadline {
                    inspection_id: key.inspection_id.to_string(),
                    lead_provider_id: lp.to_string(),
                    deadline: Some(convert::deadline(d)),
                })
                .collect(),
            next_page_token,
            as_of: Some(convert::ts(as_of)),
        }))
    }

    #[tracing::instrument(skip_all, fields(role))]
    async fn get_survey_window(
        &self,
        r: Request<pb::GetSurveyWindowRequest>,
    ) -> Reply<pb::SurveyWindow> {
        let scope = self.scope(&r, Query::GetSurveyWindow)?;
        let r = r.get_ref();
        let id = id("inspection_id", &r.inspection_id)?;
        let as_of = self.as_of(r.as_of.as_ref())?;
        let state = self.state_at(id, as_of, scope).await?;
        let view = views::survey_window(&state, as_of);
        Ok(Response::new(convert::survey(&view, as_of)))
    }

    #[tracing::instrument(skip_all, fields(role))]
    async fn get_report_status(
        &self,
        r: Request<pb::GetReportStatusRequest>,
    ) -> Reply<pb::GetReportStatusResponse> {
        let scope = self.scope(&r, Query::GetReportStatus)?;
        let r = r.get_ref();
        let id = id("inspection_id", &r.inspection_id)?;
        let as_of = self.as_of(r.as_of.as_ref())?;
        let state = self.state_at(id, as_of, scope).await?;
        let reports = views::report_status(&state, &self.state.calendar);
        Ok(Response::new(pb::GetReportStatusResponse {
            reports: reports.iter().map(convert::report).collect(),
        }))
    }

    #[tracing::instrument(skip_all, fields(role))]
    async fn list_reports(
        &self,
        r: Request<pb::ListReportsRequest>,
    ) -> Reply<pb::ListReportsResponse> {
        let scope = self.scope(&r, Query::ListReports)?;
        let r = r.get_ref();
        let report: pb::ReportKey = enum_value("report", r.report)?;
        let progress: pb::ReportProgress = enum_value("progress", r.progress)?;
        let Ok(lead_provider_id) =
            scope.provider_filter(optional_id("lead_provider_id", &r.lead_provider_id)?)
        else {
            return Ok(Response::new(pb::ListReportsResponse::default()));
        };
        // DfE sees only reports shared with it; asking for the unshared ones gives nothing.
        let shared_with_dfe = match (scope, r.shared_with_dfe) {
            (Scope::SharedReports, Some(false)) => {
                return Ok(Response::new(pb::ListReportsResponse::default()));
            }
            (Scope::SharedReports, _) => Some(true),
            (Scope::All | Scope::Provider(_), asked) => asked,
        };
        let filter = query::ReportFilter {
            lead_provider_id,
            report: match report {
                pb::ReportKey::Unspecified => None,
                pb::ReportKey::EcfReport => Some(domain::values::ReportKey::EcfReport.as_str()),
                pb::ReportKey::NpqReport => Some(domain::values::ReportKey::NpqReport.as_str()),
                pb::ReportKey::LpmvLetter => Some(domain::values::ReportKey::LpmvLetter.as_str()),
            },
            stage: convert::progress_word(progress),
            shared_with_dfe,
        };
        let after = match r.page_token.split_once('/') {
            None if r.page_token.is_empty() => None,
            Some((id_text, report)) if !report.is_empty() => {
                Some((id("page_token", id_text)?, report.to_owned()))
            }
            _ => {
                return Err(QueryFailure::invalid(
                    "page_token",
                    "PAGE_TOKEN_INVALID",
                    "not a token of this query",
                )
                .into());
            }
        };
        let size = page_size(r.page_size, 100, MAX_PAGE);
        let mut rows = query::list_reports(&self.state.pool, &filter, after, size + 1)
            .await
            .map_err(QueryFailure::from)?;
        let more = rows.len() as i64 > size;
        rows.truncate(size as usize);
        let next_page_token = match rows.last() {
            Some(last) if more => format!("{}/{}", last.inspection_id, last.report),
            _ => String::new(),
        };
        Ok(Response::new(pb::ListReportsResponse {
            reports: rows
                .iter()
                .map(|row| {
                    let status = convert::report(&row.view);
                    pb::InspectionReport {
                        inspection_id: row.inspection_id.to_string(),
                        lead_provider_id: row.lead_provider_id.to_string(),
                        status: Some(match scope {
                            Scope::SharedReports => access::shared_report(status),
                            Scope::All | Scope::Provider(_) => status,
                        }),
                    }
                })
                .collect(),
            next_page_token,
        }))
    }

    #[tracing::instrument(skip_all, fields(role))]
    async fn get_evidence_checklist(
        &self,
        r: Request<pb::GetEvidenceChecklistRequest>,
    ) -> Reply<pb::EvidenceChecklist> {
        let scope = self.scope(&r, Query::GetEvidenceChecklist)?;
        let r = r.get_ref();
        let id = id("inspection_id", &r.inspection_id)?;
        let as_of = self.as_of(r.as_of.as_ref())?;
        let state = self.state_at(id, as_of, scope).await?;
        let checklist = views::evidence_checklist(&state, &self.state.calendar, as_of);
        Ok(Response::new(convert::checklist(&checklist, as_of)))
    }

    #[tracing::instrument(skip_all, fields(role))]
    async fn get_lead_provider(
        &self,
        r: Request<pb::GetLeadProviderRequest>,
    ) -> Reply<pb::LeadProviderView> {
        let scope = self.scope(&r, Query::GetLeadProvider)?;
        let r = r.get_ref();
        let id = id("lead_provider_id", &r.lead_provider_id)?;
        let as_of = self.as_of(r.as_of.as_ref())?;
        let row = query::lead_provider(&self.state.pool, id)
            .await
            .map_err(QueryFailure::from)?
            .filter(|_| scope.admits(id))
            .ok_or_else(|| {
                QueryFailure::NotFound(
                    "LEAD_PROVIDER_NOT_FOUND",
                    format!("no lead provider {id} in the read models"),
                )
            })?;
        let lp: LeadProvider = decode(id, 0, &row.aggregate, "lead provider")
            .map_err(|e| QueryFailure::Query(e.into()))?;
        let histories = query::provider_histories(&self.state.pool, id)
            .await
            .map_err(QueryFailure::from)?;
        let states: Vec<_> = histories.iter().filter_map(|h| h.state_at(as_of)).collect();
        let next = deadlines::provider_next_inspection(&states, as_of);
        Ok(Response::new(pb::LeadProviderView {
            lead_provider_id: id.to_string(),
            name: lp
                .name
                .as_ref()
                .map(|n| n.as_str().to_owned())
                .unwrap_or_default(),
            framework: lp
                .framework
                .map_or(pb::FrameworkVersion::Unspecified, convert::framework)
                .into(),
            contracts: lp
                .contracts
                .iter()
                .flat_map(|c| c.iter())
                .map(|c| convert::contract(c).into())
                .collect(),
            representatives: u32::try_from(row.representatives).unwrap_or(0),
            version: lp.version,
            inspections: states.len() as u32,
            next_inspection: next.as_ref().map(convert::deadline),
            as_of: Some(convert::ts(as_of)),
            representative_people: lp
                .representatives
                .iter()
                .map(|r| pb::RepresentativeView {
                    person_id: r.person_id().to_string(),
                    erased: r.is_erased(),
                })
                .collect(),
        }))
    }

    type WatchStream = ChangeStream;

    #[tracing::instrument(skip_all, fields(role))]
    async fn watch(&self, r: Request<pb::WatchRequest>) -> Reply<Self::WatchStream> {
        let scope = self.scope(&r, Query::Watch)?;
        let r = r.get_ref();
        let mut filter = ChangeFilter {
            stream_id: optional_id("inspection_id", &r.inspection_id)?,
            lead_provider_id: optional_id("lead_provider_id", &r.lead_provider_id)?,
        };
        if filter.stream_id.is_some() && filter.lead_provider_id.is_some() {
            return Err(QueryFailure::invalid(
                "lead_provider_id",
                "WATCH_SCOPE_AMBIGUOUS",
                "give an inspection id or a lead provider id, not both",
            )
            .into());
        }
        // A provider user's watch is always filtered to its own provider. Asking for another
        // provider gives an open stream that shows nothing, as a provider with no changes does:
        // the nil id is never a stream's.
        if let Scope::Provider(own) = scope {
            if scope.provider_filter(filter.lead_provider_id).is_err() {
                filter.stream_id = Some(Uuid::nil());
            }
            filter.lead_provider_id = Some(own);
        }
        let after = i64::try_from(r.after_seq)
            .map_err(|_| QueryFailure::invalid("after_seq", "SEQ_OUT_OF_RANGE", "too large"))?;
        let (tx, rx) = mpsc::channel(64);
        let state = Arc::clone(&self.state);
        tokio::spawn(async move {
            state
                .feed
                .follow(state.pool.clone(), filter, after, tx)
                .await;
        });
        let stream = ReceiverStream::new(rx).map(|item: Result<ChangeRow, sqlx::Error>| {
            item.map(|c| change(&c))
                .map_err(|e| Status::from(QueryFailure::Query(e.into())))
        });
        Ok(Response::new(Box::pin(stream)))
    }
}

fn change(c: &ChangeRow) -> pb::Change {
    pb::Change {
        seq: u64::try_from(c.seq).unwrap_or(0),
        stream_kind: match c.stream_kind.as_str() {
            "inspection" => pb::StreamKind::Inspection,
            "lead_provider" => pb::StreamKind::LeadProvider,
            _ => pb::StreamKind::Unspecified,
        }
        .into(),
        stream_id: c.stream_id.to_string(),
        lead_provider_id: c.lead_provider_id.to_string(),
        event_type: c.event_type.clone(),
        version: u64::try_from(c.version).unwrap_or(0),
        recorded_at: Some(convert::ts(c.recorded_at)),
        state: c
            .state
            .as_deref()
            .map_or(pb::InspectionState::Unspecified, convert::state)
            .into(),
    }
}

/// Stored statuses (as of each inspection's last event) that can be one of `wanted` later,
/// with no new event: time only turns pending into missed or closed.
fn stored_statuses(wanted: &[pb::DeadlineStatus]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for w in wanted {
        let add: &[&'static str] = match w {
            pb::DeadlineStatus::Unspecified => &[],
            pb::DeadlineStatus::Pending => &[DeadlineStatus::Pending.as_str()],
            pb::DeadlineStatus::Met => &["met"],
            pb::DeadlineStatus::Missed => &["pending", "missed"],
            pb::DeadlineStatus::Closed => &["pending", "closed"],
            pb::DeadlineStatus::Superseded => &["superseded"],
        };
        for s in add {
            if !out.contains(s) {
                out.push(*s);
            }
        }
    }
    out
}

/// The order of a deadline search, and its page token: `<due micros>/<inspection>/<ordinal>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct DeadlineKey {
    due_at: DateTime<Utc>,
    inspection_id: Uuid,
    ordinal: usize,
}

impl DeadlineKey {
    fn parse(token: &str) -> Result<Option<DeadlineKey>, QueryFailure> {
        if token.is_empty() {
            return Ok(None);
        }
        let bad = || {
            QueryFailure::invalid(
                "page_token",
                "PAGE_TOKEN_INVALID",
                "not a token of this query",
            )
        };
        let mut parts = token.split('/');
        let (Some(micros), Some(id), Some(ordinal), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        Ok(Some(DeadlineKey {
            due_at: micros
                .parse::<i64>()
                .ok()
                .and_then(DateTime::from_timestamp_micros)
                .ok_or_else(bad)?,
            inspection_id: Uuid::parse_str(id).map_err(|_| bad())?,
            ordinal: ordinal.parse().map_err(|_| bad())?,
        }))
    }
}

impl std::fmt::Display for DeadlineKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            self.due_at.timestamp_micros(),
            self.inspection_id,
            self.ordinal
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_page_tokens_round_trip() {
        let key = DeadlineKey {
            due_at: DateTime::from_timestamp_micros(1_800_000_000_123_456).unwrap(),
            inspection_id: Uuid::from_u128(7),
            ordinal: 3,
        };
        assert_eq!(DeadlineKey::parse(&key.to_string()).unwrap(), Some(key));
        assert!(DeadlineKey::parse("x/y").is_err());
        assert_eq!(DeadlineKey::parse("").unwrap(), None);
    }

    #[test]
    fn missed_is_searched_among_stored_pending_and_missed() {
        assert_eq!(
            stored_statuses(&[pb::DeadlineStatus::Missed]),
            vec!["pending", "missed"]
        );
        assert!(stored_statuses(&[]).is_empty());
    }
}
