//! Read models as pure functions of the aggregate's state (and the clock where status depends
//! on it). The projection service stores and serves these; it never re-implements a rule.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::calendar::CalendarVersion;
use crate::evidence::{DuePoint, EvidenceItem, TeamSizing};
use crate::ids::{InspectionId, LeadProviderId};
use crate::inspection::commands::DeferralDecision;
use crate::inspection::events::{AppliedAmendment, RuleException};
use crate::inspection::state::{Inspection, PauseRecord, Phase, ShareRecord};
use crate::kind::InspectionKind;
use crate::london;
use crate::schedule;
use crate::values::{
    ContractSet, DeferralCategory, FrameworkVersion, Grades, LpmvOutcome, ReportKey,
    StakeholderGroup,
};

/// One deferral request as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeferralView {
    /// When requested.
    pub requested_at: DateTime<Utc>,
    /// Category.
    pub category: DeferralCategory,
    /// `pending`, `granted` or `refused`.
    pub outcome: String,
    /// When decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// New start on a grant.
    pub new_start: Option<NaiveDate>,
}

/// The inspection summary read model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionSummary {
    /// Id.
    pub inspection_id: InspectionId,
    /// Provider.
    pub lead_provider_id: LeadProviderId,
    /// Kind.
    pub kind: InspectionKind,
    /// Contracts.
    pub contracts: ContractSet,
    /// Framework.
    pub framework: FrameworkVersion,
    /// Lifecycle state (`planned`, `notified`, `on_site`, …, `published`).
    pub state: String,
    /// Planned days (current).
    pub planned_days: Vec<NaiveDate>,
    /// Actual start (London date), once started.
    pub started_on: Option<NaiveDate>,
    /// Actual end, once ended.
    pub ended_on: Option<NaiveDate>,
    /// Notification call, if made in this cycle.
    pub notification_call_at: Option<DateTime<Utc>>,
    /// Deferral requests.
    pub deferrals: Vec<DeferralView>,
    /// Pauses.
    pub pauses: Vec<PauseRecord>,
    /// Concerns not resolved.
    pub open_concerns: u32,
    /// Overrides recorded (R8 days, R10 call, R19 follow-up, R5 backdating elsewhere).
    pub exceptions: Vec<RuleException>,
    /// R8 days exception reason.
    pub days_exception: Option<String>,
    /// Notification cycle.
    pub cycle: u32,
    /// R2.
    pub calendar_version: Option<CalendarVersion>,
    /// R2.
    pub provisional: bool,
    /// R15 team-sizing inputs.
    pub team_sizing: TeamSizing,
    /// Aggregate version.
    pub version: u64,
}

/// The lifecycle state shown in lists: the phase, or `published` once every report is.
pub fn state_name(s: &Inspection) -> &'static str {
    if s.phase == Phase::Ended
        && !s.reports.is_empty()
        && s.reports.values().all(|r| r.published_at.is_some())
    {
        return "published";
    }
    s.phase.as_str()
}

/// The summary of an inspection, `None` before it is planned.
pub fn summary(s: &Inspection) -> Option<InspectionSummary> {
    Some(InspectionSummary {
        inspection_id: s.id?,
        lead_provider_id: s.lead_provider_id?,
        kind: s.kind?,
        contracts: s.contracts.clone()?,
        framework: s.framework?,
        state: state_name(s).to_owned(),
        planned_days: s.days.clone(),
        started_on: s.started_at.map(london::date_of),
        ended_on: s.ended.map(|(d, _)| d),
        notification_call_at: s.call.as_ref().map(|c| c.at),
        deferrals: s
            .deferrals
            .iter()
            .map(|d| DeferralView {
                requested_at: d.requested_at,
                category: d.category,
                outcome: match &d.decision {
                    None => "pending",
                    Some((_, DeferralDecision::Granted { .. })) => "granted",
                    Some((_, DeferralDecision::Refused { .. })) => "refused",
                }
                .to_owned(),
                decided_at: d.decision.as_ref().map(|(at, _)| *at),
                new_start: match &d.decision {
                    Some((_, DeferralDecision::Granted { new_start, .. })) => *new_start,
                    _ => None,
                },
            })
            .collect(),
        pauses: s.pauses.clone(),
        open_concerns: s.concerns.values().filter(|c| !c.resolved).count() as u32,
        exceptions: s.exceptions.clone(),
        days_exception: s.days_exception.as_ref().map(|t| t.as_str().to_owned()),
        cycle: s.cycle,
        calendar_version: s.calendar_version.clone(),
        provisional: s.provisional,
        team_sizing: s.team_sizing.clone(),
        version: s.version,
    })
}

/// R20–R22: the stakeholder survey window as of an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyWindowView {
    /// When it opens (the call), if it has.
    pub opens_at: Option<DateTime<Utc>>,
    /// When it closes (planned, before the call), if known.
    pub closes_at: Option<DateTime<Utc>>,
    /// `not_open`, `open`, `closed` or `cancelled`.
    pub status: String,
    /// When the provider sent links, per group.
    pub links_sent: BTreeMap<StakeholderGroup, DateTime<Utc>>,
    /// Latest cumulative responses per group, with their as-of time.
    pub responses: BTreeMap<StakeholderGroup, (u32, DateTime<Utc>)>,
}

/// The survey window at `as_of`.
pub fn survey_window(s: &Inspection, as_of: DateTime<Utc>) -> SurveyWindowView {
    let planned_close = s.kind.and_then(|k| schedule::survey_close(k, &s.days));
    let (opens_at, closes_at, status) = match &s.survey {
        None => (None, planned_close, "not_open"),
        Some(w) if w.cancelled_at.is_some_and(|c| c <= as_of) => {
            (Some(w.opens_at), w.closes_at, "cancelled")
        }
        Some(w) if as_of < w.opens_at => (Some(w.opens_at), w.closes_at, "not_open"),
        Some(w) if w.closes_at.is_some_and(|c| as_of >= c) => {
            (Some(w.opens_at), w.closes_at, "closed")
        }
        Some(w) => (Some(w.opens_at), w.closes_at, "open"),
    };
    SurveyWindowView {
        opens_at,
        closes_at,
        status: status.to_owned(),
        links_sent: s.links_sent.clone(),
        responses: s.responses.clone(),
    }
}

/// R24–R28: one report's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportStatusView {
    /// Which report.
    pub report: ReportKey,
    /// `awaiting_judgements`, `judged`, `moderated`, `quality_assured`, `in_review` (moderated
    /// and QA'd), `draft_issued`, `final_issued`, `published`.
    pub stage: String,
    /// Grades (full inspection reports).
    pub grades: Option<Grades>,
    /// Outcome (LPMV letter).
    pub outcome: Option<LpmvOutcome>,
    /// Amendments at moderation.
    pub amendments: Vec<AppliedAmendment>,
    /// Moderation.
    pub moderated_at: Option<DateTime<Utc>>,
    /// QA.
    pub quality_assured_at: Option<DateTime<Utc>>,
    /// Draft due (end + 18 WD), once the end is known.
    pub draft_due: Option<NaiveDate>,
    /// Draft issued.
    pub draft_issued_at: Option<DateTime<Utc>>,
    /// Draft issued late.
    pub draft_late: bool,
    /// Shares with DfE.
    pub shared_with_dfe: Vec<ShareRecord>,
    /// R27 window end.
    pub comments_close: Option<NaiveDate>,
    /// Comments received.
    pub comments_received_at: Vec<DateTime<Utc>>,
    /// R27 override.
    pub late_response_allowed: bool,
    /// A complaint awaiting response holds publication.
    pub complaint_holding_publication: bool,
    /// Final due (end + 30 WD).
    pub final_due: Option<NaiveDate>,
    /// Final issued.
    pub final_issued_at: Option<DateTime<Utc>>,
    /// Final issued late.
    pub final_late: bool,
    /// Published.
    pub published_at: Option<DateTime<Utc>>,
}

/// Every report of the inspection.
pub fn report_status(s: &Inspection, cal: &crate::calendar::Calendar) -> Vec<ReportStatusView> {
    let end = s.ended.map(|(d, _)| d);
    let holding = s.open_complaint().is_some();
    s.report_keys()
        .into_iter()
        .map(|key| {
            let r = s.reports.get(&key).cloned().unwrap_or_default();
            let grades = key.contract().and_then(|c| s.judgements.get(&c).copied());
            let outcome = if key == ReportKey::LpmvLetter {
                s.lpmv_outcome
            } else {
                None
            };
            let judged = grades.is_some() || outcome.is_some();
            let stage = if r.published_at.is_some() {
                "published"
            } else if r.final_report.is_some() {
                "final_issued"
            } else if r.draft.is_some() {
                "draft_issued"
            } else if r.moderated_at.is_some() && r.quality_assured_at.is_some() {
                "in_review"
            } else if r.quality_assured_at.is_some() {
                "quality_assured"
            } else if r.moderated_at.is_some() {
                "moderated"
            } else if judged {
                "judged"
            } else {
                "awaiting_judgements"
            };
            ReportStatusView {
                report: key,
                stage: stage.to_owned(),
                grades,
                outcome,
                amendments: r.amendments.clone(),
                moderated_at: r.moderated_at,
                quality_assured_at: r.quality_assured_at,
                draft_due: end.map(|e| schedule::draft_report_due(cal, e)),
                draft_issued_at: r.draft.as_ref().map(|d| d.issued_at),
                draft_late: r.draft.as_ref().is_some_and(|d| d.late),
                shared_with_dfe: r.shared.clone(),
                comments_close: r.draft.as_ref().map(|d| d.comments_close),
                comments_received_at: r.comments_at.clone(),
                late_response_allowed: r.late_response_allowed.is_some(),
                complaint_holding_publication: holding && r.published_at.is_none(),
                final_due: end.map(|e| schedule::final_report_due(cal, e)),
                final_issued_at: r.final_report.as_ref().map(|f| f.issued_at),
                final_late: r.final_report.as_ref().is_some_and(|f| f.late),
                published_at: r.published_at,
            }
        })
        .collect()
}

/// One line of the evidence checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// Item.
    pub item: EvidenceItem,
    /// `R15` or `R16`.
    pub rule: String,
    /// Due point.
    pub due_point: DuePoint,
    /// Due instant, if dates are known.
    pub due_at: Option<DateTime<Utc>>,
    /// `outstanding` (not yet due), `missing` (past due, nothing), `submitted`, `late`,
    /// `none_exists`.
    pub status: String,
    /// Versions submitted.
    pub versions: u32,
    /// First and latest submission.
    pub first_submitted_at: Option<DateTime<Utc>>,
    /// Latest submission.
    pub last_submitted_at: Option<DateTime<Utc>>,
}

/// R15–R16: the evidence checklist with team-sizing inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceChecklist {
    /// Required items for the contracts in scope.
    pub items: Vec<ChecklistItem>,
    /// Items not required (other contracts).
    pub not_required: Vec<EvidenceItem>,
    /// Team-sizing inputs.
    pub team_sizing: TeamSizing,
}

/// The checklist at `as_of`.
pub fn evidence_checklist(
    s: &Inspection,
    cal: &crate::calendar::Calendar,
    as_of: DateTime<Utc>,
) -> EvidenceChecklist {
    let Some(contracts) = s.contracts.as_ref() else {
        return EvidenceChecklist {
            items: vec![],
            not_required: vec![],
            team_sizing: TeamSizing::default(),
        };
    };
    let conv_due = s
        .call
        .as_ref()
        .map(|c| london::end_of_day(london::date_of(c.at)))
        .or_else(|| {
            s.start()
                .map(|d| london::end_of_day(schedule::notification_day(cal, d)))
        });
    let start_due = s.start_instant();
    let mut items = vec![];
    let mut not_required = vec![];
    for item in EvidenceItem::ALL {
        if !item.required_for(contracts) {
            not_required.push(item);
            continue;
        }
        let due_at = match item.due_point() {
            DuePoint::ConversationDay => conv_due,
            DuePoint::Start => start_due,
        };
        let subs = s
            .submissions
            .get(&item)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let first = subs.first();
        let last = subs.last();
        let status = match (first, last) {
            (_, Some(l)) if l.none_exists => "none_exists",
            (Some(f), _) if f.late => "late",
            (Some(_), _) => "submitted",
            (None, _) if due_at.is_some_and(|d| as_of > d) => "missing",
            (None, _) => "outstanding",
        };
        items.push(ChecklistItem {
            item,
            rule: item.rule().to_owned(),
            due_point: item.due_point(),
            due_at,
            status: status.to_owned(),
            versions: subs.len() as u32,
            first_submitted_at: first.map(|f| f.at),
            last_submitted_at: last.map(|l| l.at),
        });
    }
    EvidenceChecklist {
        items,
        not_required,
        team_sizing: s.team_sizing.clone(),
    }
}
