//! The inspection aggregate's state and `evolve`: folding events, never refusing them.
//!
//! `evolve` trusts its events (they were decided already); it must be total so that any
//! stored history can be replayed.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::calendar::CalendarVersion;
use crate::evidence::{EvidenceItem, TeamSizing};
use crate::ids::{ComplaintId, ConcernId, InspectionId, LeadProviderId};
use crate::inspection::commands::{CallCapacity, DeferralDecision, ReportStage};
use crate::inspection::events::{
    AppliedAmendment, InspectionEvent, InspectionEventBody, RuleException,
};
use crate::kind::InspectionKind;
use crate::london;
use crate::values::{
    Contract, ContractSet, DeferralCategory, FrameworkVersion, Grades, LpmvOutcome, ReportKey,
    ShareScope, StakeholderGroup, Text,
};

/// Where an inspection is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// No such inspection yet.
    #[default]
    NotPlanned,
    /// Planned (or back to planned after a granted deferral); no call in this cycle yet.
    Planned,
    /// The notification call has been made.
    Notified,
    /// Started and on site.
    OnSite,
    /// Paused (R17).
    Paused,
    /// Paused and not resumed: marked incomplete (R17).
    Incomplete,
    /// Ended: outcomes and reports follow.
    Ended,
    /// Cancelled before the call (R9).
    Cancelled,
}

impl Phase {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::NotPlanned => "not_planned",
            Phase::Planned => "planned",
            Phase::Notified => "notified",
            Phase::OnSite => "on_site",
            Phase::Paused => "paused",
            Phase::Incomplete => "incomplete",
            Phase::Ended => "ended",
            Phase::Cancelled => "cancelled",
        }
    }
}

/// The notification call of the current cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    /// When it was made.
    pub at: DateTime<Utc>,
    /// Capacity of who took it.
    pub capacity: CallCapacity,
    /// R10 override, if any.
    pub exception: Option<RuleException>,
}

/// R20–R21: the stakeholder survey window of the current cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyWindow {
    /// Opened by the call.
    pub opens_at: DateTime<Utc>,
    /// When it closes; `None` while a pause that began before the close awaits new dates.
    pub closes_at: Option<DateTime<Utc>>,
    /// Set when a granted deferral cancelled it (R21).
    pub cancelled_at: Option<DateTime<Utc>>,
}

impl SurveyWindow {
    /// Whether it is open at `t`.
    pub fn is_open_at(&self, t: DateTime<Utc>) -> bool {
        self.cancelled_at.is_none_or(|c| t < c)
            && t >= self.opens_at
            && self.closes_at.is_none_or(|c| t < c)
    }
}

/// One deferral request (R13) and its decision (R14).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeferralRecord {
    /// When it was asked for.
    pub requested_at: DateTime<Utc>,
    /// Category.
    pub category: DeferralCategory,
    /// Decision, once made.
    pub decision: Option<(DateTime<Utc>, DeferralDecision)>,
}

/// One version of one item of information (R15/R16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionRecord {
    /// 1, 2, …
    pub version: u32,
    /// When.
    pub at: DateTime<Utc>,
    /// When it was due.
    pub due_at: Option<DateTime<Utc>>,
    /// After its due time.
    pub late: bool,
    /// "None exists" (R16).
    pub none_exists: bool,
    /// Number of documents referenced.
    pub documents: usize,
}

/// A pause (R17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PauseRecord {
    /// When.
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: Text,
    /// Days begun at the pause.
    pub days_begun: u32,
    /// When it was resumed.
    pub resumed_at: Option<DateTime<Utc>>,
}

/// A concern (R19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcernRecord {
    /// When raised.
    pub raised_at: DateTime<Utc>,
    /// What.
    pub summary: Text,
    /// Actions taken.
    pub actions: Vec<Text>,
    /// Resolved.
    pub resolved: bool,
    /// Escalated to a senior Ofsted leader.
    pub escalated: bool,
}

/// A formal complaint (R27).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintRecord {
    /// Which report's draft.
    pub report: ReportKey,
    /// When lodged.
    pub lodged_at: DateTime<Utc>,
    /// When Ofsted responded.
    pub responded_at: Option<DateTime<Utc>>,
}

/// The draft of a report (R25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftRecord {
    /// When issued.
    pub issued_at: DateTime<Utc>,
    /// When due.
    pub due: NaiveDate,
    /// Issued late.
    pub late: bool,
    /// R27: comments close at the end of this day.
    pub comments_close: NaiveDate,
}

/// The final report (R28).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalRecord {
    /// When issued.
    pub issued_at: DateTime<Utc>,
    /// When due.
    pub due: NaiveDate,
    /// Issued late.
    pub late: bool,
}

/// A share with DfE (R26).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareRecord {
    /// When.
    pub at: DateTime<Utc>,
    /// Draft or final.
    pub stage: ReportStage,
    /// Whole or part.
    pub scope: ShareScope,
}

/// One report's progress (R24–R28).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRecord {
    /// Last moderation.
    pub moderated_at: Option<DateTime<Utc>>,
    /// Quality assurance.
    pub quality_assured_at: Option<DateTime<Utc>>,
    /// Amendments made at moderation.
    pub amendments: Vec<AppliedAmendment>,
    /// Draft.
    pub draft: Option<DraftRecord>,
    /// Shares with DfE.
    pub shared: Vec<ShareRecord>,
    /// When comments arrived.
    pub comments_at: Vec<DateTime<Utc>>,
    /// R27 override.
    pub late_response_allowed: Option<Text>,
    /// Final.
    pub final_report: Option<FinalRecord>,
    /// Published.
    pub published_at: Option<DateTime<Utc>>,
}

/// The inspection aggregate's state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inspection {
    /// Number of events applied.
    pub version: u64,
    /// Lifecycle phase.
    pub phase: Phase,
    /// Id (set by the plan).
    pub id: Option<InspectionId>,
    /// Provider.
    pub lead_provider_id: Option<LeadProviderId>,
    /// Kind.
    pub kind: Option<InspectionKind>,
    /// Contracts in scope.
    pub contracts: Option<ContractSet>,
    /// Framework.
    pub framework: Option<FrameworkVersion>,
    /// Planned days (empty when awaiting new dates after a deferral).
    pub days: Vec<NaiveDate>,
    /// R8 exception for the days.
    pub days_exception: Option<Text>,
    /// R2: calendar used for the dates.
    pub calendar_version: Option<CalendarVersion>,
    /// R2: provisional dates.
    pub provisional: bool,
    /// Notification cycle: 0 at planning, +1 per granted deferral (older deadlines are superseded).
    pub cycle: u32,
    /// The call of this cycle.
    pub call: Option<CallRecord>,
    /// Whether any call was ever made (information stays after a deferral, R14).
    pub ever_notified: bool,
    /// R11.
    pub confirmation_sent_at: Option<DateTime<Utc>>,
    /// R20–R21.
    pub survey: Option<SurveyWindow>,
    /// R13–R14.
    pub deferrals: Vec<DeferralRecord>,
    /// R15–R16, every version.
    pub submissions: BTreeMap<EvidenceItem, Vec<SubmissionRecord>>,
    /// R15 team-sizing inputs.
    pub team_sizing: TeamSizing,
    /// R21.
    pub links_sent: BTreeMap<StakeholderGroup, DateTime<Utc>>,
    /// R17.
    pub started_at: Option<DateTime<Utc>>,
    /// R17.
    pub pauses: Vec<PauseRecord>,
    /// R19.
    pub ended: Option<(NaiveDate, DateTime<Utc>)>,
    /// R19.
    pub post_inspection_survey_invited: bool,
    /// R19.
    pub follow_up_call_at: Option<DateTime<Utc>>,
    /// R18: meetings recorded.
    pub meetings: u32,
    /// R19.
    pub concerns: BTreeMap<ConcernId, ConcernRecord>,
    /// R22: latest cumulative count per group and as of when.
    pub responses: BTreeMap<StakeholderGroup, (u32, DateTime<Utc>)>,
    /// R23 full.
    pub judgements: BTreeMap<Contract, Grades>,
    /// R23 LPMV.
    pub lpmv_outcome: Option<LpmvOutcome>,
    /// R24–R28.
    pub reports: BTreeMap<ReportKey, ReportRecord>,
    /// R27.
    pub complaints: BTreeMap<ComplaintId, ComplaintRecord>,
    /// Overrides recorded (R8, R10, R19): shown with the inspection.
    pub exceptions: Vec<RuleException>,
    /// When the last event happened.
    pub last_occurred_at: Option<DateTime<Utc>>,
}

/// Fold one event into the state.
pub fn evolve(mut state: Inspection, event: &InspectionEvent) -> Inspection {
    state.apply(event);
    state
}

impl Inspection {
    /// Rebuild from a history.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a InspectionEvent>) -> Inspection {
        events.into_iter().fold(Inspection::default(), evolve)
    }

    /// Whether the plan has happened.
    pub fn exists(&self) -> bool {
        self.phase != Phase::NotPlanned
    }

    /// The reports this inspection will produce (R24).
    pub fn report_keys(&self) -> Vec<ReportKey> {
        match (self.kind, &self.contracts) {
            (Some(InspectionKind::Lpmv), _) => vec![ReportKey::LpmvLetter],
            (Some(InspectionKind::Full), Some(c)) => {
                c.iter().map(ReportKey::for_contract).collect()
            }
            _ => vec![],
        }
    }

    /// The open (undecided) deferral request, if any.
    pub fn open_deferral(&self) -> Option<&DeferralRecord> {
        self.deferrals.iter().rev().find(|d| d.decision.is_none())
    }

    /// Whether a complaint is awaiting Ofsted's response (R27: holds publication).
    pub fn open_complaint(&self) -> Option<(&ComplaintId, &ComplaintRecord)> {
        self.complaints
            .iter()
            .find(|(_, c)| c.responded_at.is_none())
    }

    /// Day 1, if dates are set.
    pub fn start(&self) -> Option<NaiveDate> {
        self.days.first().copied()
    }

    /// R29 [D]: "the start" as an instant: 09:00 London on day 1.
    pub fn start_instant(&self) -> Option<DateTime<Utc>> {
        self.start().map(|d| london::at(d, 9, 0))
    }

    /// The last planned day.
    pub fn last_day(&self) -> Option<NaiveDate> {
        self.days.last().copied()
    }

    fn report_mut(&mut self, key: ReportKey) -> &mut ReportRecord {
        self.reports.entry(key).or_default()
    }

    fn apply(&mut self, event: &InspectionEvent) {
        use InspectionEventBody as E;
        let at = event.occurred_at;
        self.version += 1;
        self.last_occurred_at = Some(at);
        match &event.body {
            E::InspectionPlanned {
                inspection_id,
                lead_provider_id,
                kind,
                contracts,
                framework,
                days,
                days_exception,
                calendar_version,
                provisional,
            } => {
                self.phase = Phase::Planned;
                self.id = Some(*inspection_id);
                self.lead_provider_id = Some(*lead_provider_id);
                self.kind = Some(*kind);
                self.contracts = Some(contracts.clone());
                self.framework = Some(*framework);
                self.set_days(days, days_exception, calendar_version, *provisional);
                self.reports = self
                    .report_keys()
                    .into_iter()
                    .map(|k| (k, ReportRecord::default()))
                    .collect();
            }
            E::InspectionRescheduled {
                days,
                days_exception,
                calendar_version,
                provisional,
                ..
            } => {
                self.set_days(days, days_exception, calendar_version, *provisional);
            }
            E::InspectionCancelled { .. } => self.phase = Phase::Cancelled,
            E::NotificationCallMade {
                capacity,
                exception,
                survey_closes_at,
                ..
            } => {
                self.phase = Phase::Notified;
                self.ever_notified = true;
                self.call = Some(CallRecord {
                    at,
                    capacity: capacity.clone(),
                    exception: exception.clone(),
                });
                self.survey = Some(SurveyWindow {
                    opens_at: at,
                    closes_at: Some(*survey_closes_at),
                    cancelled_at: None,
                });
                self.links_sent.clear();
                self.responses.clear();
                if let Some(e) = exception {
                    self.exceptions.push(e.clone());
                }
            }
            E::ConfirmationEmailSent { .. } => self.confirmation_sent_at = Some(at),
            E::DeferralRequested { category, .. } => self.deferrals.push(DeferralRecord {
                requested_at: at,
                category: *category,
                decision: None,
            }),
            E::DeferralDecided { decision, new_days } => {
                if let Some(open) = self
                    .deferrals
                    .iter_mut()
                    .rev()
                    .find(|d| d.decision.is_none())
                {
                    open.decision = Some((at, decision.clone()));
                }
                if let DeferralDecision::Granted { days, .. } = decision {
                    self.phase = Phase::Planned;
                    self.cycle += 1;
                    self.call = None;
                    self.confirmation_sent_at = None;
                    if let Some(w) = &mut self.survey {
                        w.cancelled_at.get_or_insert(at);
                    }
                    self.days = new_days.clone();
                    self.days_exception = days.as_ref().map(|d| d.reason.clone());
                }
            }
            E::InformationSubmitted {
                item,
                item_version,
                structured,
                documents,
                none_exists,
                due_at,
                late,
                ..
            } => {
                if let Some(s) = structured {
                    self.team_sizing.apply(s);
                }
                self.submissions
                    .entry(*item)
                    .or_default()
                    .push(SubmissionRecord {
                        version: *item_version,
                        at,
                        due_at: *due_at,
                        late: *late,
                        none_exists: *none_exists,
                        documents: documents.len(),
                    });
            }
            E::SurveyLinksSent { groups } => {
                for g in groups {
                    self.links_sent.insert(*g, at);
                }
            }
            E::InspectionStarted { .. } => {
                self.phase = Phase::OnSite;
                self.started_at = Some(at);
            }
            E::InspectionPaused {
                reason, days_begun, ..
            } => {
                self.phase = Phase::Paused;
                self.pauses.push(PauseRecord {
                    at,
                    reason: reason.clone(),
                    days_begun: *days_begun,
                    resumed_at: None,
                });
                if let Some(w) = &mut self.survey
                    && w.cancelled_at.is_none()
                    && w.closes_at.is_some_and(|c| at < c)
                {
                    w.closes_at = None;
                }
            }
            E::InspectionResumed {
                days,
                survey_closes_at,
            } => {
                self.phase = Phase::OnSite;
                self.days = days.clone();
                if let Some(p) = self.pauses.last_mut() {
                    p.resumed_at = Some(at);
                }
                if let (Some(w), Some(c)) = (&mut self.survey, survey_closes_at) {
                    w.closes_at = Some(*c);
                }
            }
            E::InspectionMarkedIncomplete { .. } => self.phase = Phase::Incomplete,
            E::StakeholderMeetingRecorded { .. } => self.meetings += 1,
            E::ConcernRaised {
                concern_id,
                summary,
                ..
            } => {
                self.concerns.insert(
                    *concern_id,
                    ConcernRecord {
                        raised_at: at,
                        summary: summary.clone(),
                        actions: vec![],
                        resolved: false,
                        escalated: false,
                    },
                );
            }
            E::ConcernActionRecorded {
                concern_id,
                action,
                resolved,
            } => {
                if let Some(c) = self.concerns.get_mut(concern_id) {
                    c.actions.push(action.clone());
                    c.resolved |= *resolved;
                }
            }
            E::ConcernEscalated { concern_id, .. } => {
                if let Some(c) = self.concerns.get_mut(concern_id) {
                    c.escalated = true;
                }
            }
            E::InspectionEnded { end_date } => {
                self.phase = Phase::Ended;
                self.ended = Some((*end_date, at));
                if let Some(w) = &mut self.survey
                    && w.cancelled_at.is_none()
                    && w.closes_at.is_none()
                {
                    // Ended while a pause held the window open: it closes now.
                    w.closes_at = Some(at);
                }
            }
            E::PostInspectionSurveyInvited {} => self.post_inspection_survey_invited = true,
            E::FollowUpCallRecorded { exception, .. } => {
                self.follow_up_call_at = Some(at);
                if let Some(e) = exception {
                    self.exceptions.push(e.clone());
                }
            }
            E::SurveyResponsesRecorded {
                group,
                cumulative_count,
            } => {
                self.responses.insert(*group, (*cumulative_count, at));
            }
            E::JudgementsRecorded { contract, grades } => {
                self.judgements.insert(*contract, *grades);
            }
            E::LpmvOutcomeRecorded { outcome } => self.lpmv_outcome = Some(*outcome),
            E::ModerationRecorded { report, amendments } => {
                for a in amendments {
                    match (&a.change, report.contract()) {
                        (
                            crate::inspection::commands::JudgementChange::Grade { area, to },
                            Some(c),
                        ) => {
                            if let Some(g) = self.judgements.get_mut(&c) {
                                g.set(*area, *to);
                            }
                        }
                        (crate::inspection::commands::JudgementChange::Outcome { to }, None) => {
                            self.lpmv_outcome = Some(*to)
                        }
                        _ => {}
                    }
                }
                let r = self.report_mut(*report);
                r.moderated_at = Some(at);
                r.amendments.extend(amendments.iter().cloned());
            }
            E::QualityAssuranceRecorded { report } => {
                self.report_mut(*report).quality_assured_at = Some(at)
            }
            E::DraftReportIssued {
                report,
                due,
                late,
                comments_close,
                ..
            } => {
                self.report_mut(*report).draft = Some(DraftRecord {
                    issued_at: at,
                    due: *due,
                    late: *late,
                    comments_close: *comments_close,
                });
            }
            E::ReportSharedWithDfe {
                report,
                stage,
                scope,
                ..
            } => self.report_mut(*report).shared.push(ShareRecord {
                at,
                stage: *stage,
                scope: scope.clone(),
            }),
            E::CommentsSubmitted { report, .. } => self.report_mut(*report).comments_at.push(at),
            E::ComplaintLodged {
                complaint_id,
                report,
                ..
            } => {
                self.complaints.insert(
                    *complaint_id,
                    ComplaintRecord {
                        report: *report,
                        lodged_at: at,
                        responded_at: None,
                    },
                );
            }
            E::LateResponseAllowed { report, reason } => {
                self.report_mut(*report).late_response_allowed = Some(reason.clone())
            }
            E::ComplaintResponded { complaint_id, .. } => {
                if let Some(c) = self.complaints.get_mut(complaint_id) {
                    c.responded_at = Some(at);
                }
            }
            E::FinalReportIssued {
                report, due, late, ..
            } => {
                self.report_mut(*report).final_report = Some(FinalRecord {
                    issued_at: at,
                    due: *due,
                    late: *late,
                })
            }
            E::ReportPublished { report } => self.report_mut(*report).published_at = Some(at),
        }
    }

    fn set_days(
        &mut self,
        days: &[NaiveDate],
        days_exception: &Option<Text>,
        calendar_version: &CalendarVersion,
        provisional: bool,
    ) {
        self.days = days.to_vec();
        self.days_exception = days_exception.clone();
        self.calendar_version = Some(calendar_version.clone());
        self.provisional = provisional;
    }
}
