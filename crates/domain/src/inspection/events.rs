//! The events of the inspection aggregate, serialised as JSON with stable snake_case type
//! names (`"type"`) and one schema version for the whole set.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::CalendarVersion;
use crate::evidence::{EvidenceItem, StructuredInfo};
use crate::ids::{ComplaintId, ConcernId, InspectionId, LeadProviderId};
use crate::inspection::commands::{
    CallCapacity, DeferralDecision, JudgementChange, MeetingAttestation, ReportStage,
};
use crate::kind::InspectionKind;
use crate::permissions::Role;
use crate::personal::PersonalRecord;
use crate::values::{
    Contract, ContractSet, DeferralCategory, DocumentRef, FrameworkVersion, Grades, LpmvOutcome,
    MeetingGroup, OverrideReason, ReportKey, ShareScope, StakeholderGroup, Text,
};

/// The schema version of every inspection event written by this code. Bump it when an event's
/// JSON changes shape; readers keep understanding older versions.
///
/// 2: personal data as [`PersonalRecord`] (details, sealed or erased, R31). Version 1 events
/// were test data and are not migrated.
pub const SCHEMA_VERSION: u32 = 2;

/// One event: the two times of R5 and what happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionEvent {
    /// When it happened in the world (R5): what rules and "met at T" use.
    pub occurred_at: DateTime<Utc>,
    /// When the server recorded it (R5).
    pub recorded_at: DateTime<Utc>,
    /// R5: why it was recorded more than 5 working days after it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backdate_reason: Option<OverrideReason>,
    /// What happened.
    #[serde(flatten)]
    pub body: InspectionEventBody,
}

impl InspectionEvent {
    /// The stable type name, e.g. `notification_call_made`.
    pub fn event_type(&self) -> &'static str {
        self.body.event_type()
    }
}

/// A rule that was overridden, and why (R10, R8, R19): recorded and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleException {
    /// The rule code that would have refused it, e.g. `R10_CALL_BEFORE_0930`.
    pub rule: String,
    /// What the rule expected.
    pub expected: String,
    /// Why it was overridden.
    pub reason: OverrideReason,
}

/// R24: an amendment as recorded: from what to what and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedAmendment {
    /// The change.
    pub change: JudgementChange,
    /// The judgement before, as text ("grade 2", "effective").
    pub from: String,
    /// Why.
    pub reason: Text,
}

/// Judgements carried by a final report shared with DfE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SharedJudgements {
    /// A full inspection report's grades.
    Grades(Grades),
    /// An LPMV letter's outcome.
    Outcome(LpmvOutcome),
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum InspectionEventBody {
    /// R8.
    InspectionPlanned {
        /// The inspection.
        inspection_id: InspectionId,
        /// The provider.
        lead_provider_id: LeadProviderId,
        /// Kind (R7).
        kind: InspectionKind,
        /// Contracts in scope.
        contracts: ContractSet,
        /// Framework (R8).
        framework: FrameworkVersion,
        /// Planned days, day 1 first.
        days: Vec<NaiveDate>,
        /// R8: set when the days are not the default.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        days_exception: Option<Text>,
        /// R2: the calendar the dates were fixed with.
        calendar_version: CalendarVersion,
        /// R2: whether any date relied on provisional (rule-based) bank holidays.
        provisional: bool,
    },
    /// R9.
    InspectionRescheduled {
        /// New planned days.
        days: Vec<NaiveDate>,
        /// R8 exception.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        days_exception: Option<Text>,
        /// Why.
        reason: Text,
        /// R2.
        calendar_version: CalendarVersion,
        /// R2.
        provisional: bool,
    },
    /// R9.
    InspectionCancelled {
        /// Why.
        reason: Text,
    },
    /// R10, R12: the call; it opens the surveys and is the conversation day.
    NotificationCallMade {
        /// Who took the call.
        spoke_to: PersonalRecord,
        /// In what capacity.
        capacity: CallCapacity,
        /// Set when the call was on another day or before 09:30 (R10 override).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exception: Option<RuleException>,
        /// R20: when the surveys close, given the planned days.
        survey_closes_at: DateTime<Utc>,
    },
    /// R11.
    ConfirmationEmailSent {
        /// To whom.
        recipients: Vec<PersonalRecord>,
    },
    /// R13.
    DeferralRequested {
        /// Category.
        category: DeferralCategory,
        /// Details.
        details: Text,
    },
    /// R14: granted returns the inspection to planned; refused changes nothing else.
    DeferralDecided {
        /// The decision; on a grant, the new days (empty = to be rescheduled) are in `new_days`.
        decision: DeferralDecision,
        /// On a grant: the new planned days (empty when "to be rescheduled").
        #[serde(default)]
        new_days: Vec<NaiveDate>,
    },
    /// R15/R16.
    InformationSubmitted {
        /// Which item.
        item: EvidenceItem,
        /// 1 for the first submission of this item, then 2, 3…
        item_version: u32,
        /// Structured data.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        structured: Option<StructuredInfo>,
        /// Documents.
        #[serde(default)]
        documents: Vec<DocumentRef>,
        /// Note.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<Text>,
        /// R16: none exists.
        none_exists: bool,
        /// When it was due (none while the inspection awaits new dates after a deferral).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due_at: Option<DateTime<Utc>>,
        /// Submitted after `due_at` (accepted and marked late).
        late: bool,
    },
    /// R21.
    SurveyLinksSent {
        /// Groups.
        groups: Vec<StakeholderGroup>,
    },
    /// R17.
    InspectionStarted {
        /// Day 1.
        day_one: NaiveDate,
    },
    /// R17.
    InspectionPaused {
        /// Why.
        reason: Text,
        /// The London date it was paused on.
        on: NaiveDate,
        /// How many of the planned days had begun (1 = paused on day 1).
        days_begun: u32,
    },
    /// R17, R21.
    InspectionResumed {
        /// The whole new list of days, done ones first.
        days: Vec<NaiveDate>,
        /// R21: the survey close moved to this, if the window had not yet closed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        survey_closes_at: Option<DateTime<Utc>>,
    },
    /// R17.
    InspectionMarkedIncomplete {
        /// Why.
        reason: Text,
    },
    /// R18.
    StakeholderMeetingRecorded {
        /// Group.
        group: MeetingGroup,
        /// Attestation or exceptional circumstances.
        attestation: MeetingAttestation,
    },
    /// R19.
    ConcernRaised {
        /// Id.
        concern_id: ConcernId,
        /// What.
        summary: Text,
        /// Who recorded it.
        raised_by: Role,
    },
    /// R19.
    ConcernActionRecorded {
        /// Id.
        concern_id: ConcernId,
        /// Action.
        action: Text,
        /// Resolved by it.
        resolved: bool,
    },
    /// R19.
    ConcernEscalated {
        /// Id.
        concern_id: ConcernId,
        /// Note.
        note: Text,
    },
    /// R19.
    InspectionEnded {
        /// The last day.
        end_date: NaiveDate,
    },
    /// R19.
    PostInspectionSurveyInvited {},
    /// R19.
    FollowUpCallRecorded {
        /// Notes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notes: Option<Text>,
        /// Set when not on the working day after the end.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exception: Option<RuleException>,
    },
    /// R22.
    SurveyResponsesRecorded {
        /// Group.
        group: StakeholderGroup,
        /// Cumulative count as of `occurred_at`.
        cumulative_count: u32,
    },
    /// R23.
    JudgementsRecorded {
        /// Contract.
        contract: Contract,
        /// Grades.
        grades: Grades,
    },
    /// R23.
    LpmvOutcomeRecorded {
        /// Outcome.
        outcome: LpmvOutcome,
    },
    /// R24.
    ModerationRecorded {
        /// Report.
        report: ReportKey,
        /// Amendments.
        #[serde(default)]
        amendments: Vec<AppliedAmendment>,
    },
    /// R25.
    QualityAssuranceRecorded {
        /// Report.
        report: ReportKey,
    },
    /// R25.
    DraftReportIssued {
        /// Report.
        report: ReportKey,
        /// Draft.
        document: DocumentRef,
        /// End + 18 WD.
        due: NaiveDate,
        /// Issued after `due`.
        late: bool,
        /// R27: comments and complaints accepted until the end of this day.
        comments_close: NaiveDate,
    },
    /// R26: the report-shared message DfE subscribes to is made from this.
    ReportSharedWithDfe {
        /// Report.
        report: ReportKey,
        /// Draft or final.
        stage: ReportStage,
        /// Whole or part.
        scope: ShareScope,
        /// The inspection's kind, so the public message needs no other state.
        kind: InspectionKind,
        /// The contracts the report covers (one for a full report; all in scope for a letter).
        contracts: ContractSet,
        /// The judgements, on a final report only (R26: nothing public before publication,
        /// and DfE sees judgements only once final).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        judgements: Option<SharedJudgements>,
    },
    /// R27.
    CommentsSubmitted {
        /// Report.
        report: ReportKey,
        /// Comments.
        comments: Text,
        /// Documents.
        #[serde(default)]
        documents: Vec<DocumentRef>,
        /// Accepted after the window under an Ofsted override.
        late: bool,
    },
    /// R27.
    ComplaintLodged {
        /// Id.
        complaint_id: ComplaintId,
        /// Report.
        report: ReportKey,
        /// Summary.
        summary: Text,
        /// Accepted after the window under an Ofsted override.
        late: bool,
    },
    /// R27.
    LateResponseAllowed {
        /// Report.
        report: ReportKey,
        /// Why.
        reason: OverrideReason,
    },
    /// R27.
    ComplaintResponded {
        /// Id.
        complaint_id: ComplaintId,
        /// Response.
        response: Text,
    },
    /// R28.
    FinalReportIssued {
        /// Report.
        report: ReportKey,
        /// Final report.
        document: DocumentRef,
        /// End + 30 WD.
        due: NaiveDate,
        /// Issued after `due`.
        late: bool,
    },
    /// R28.
    ReportPublished {
        /// Report.
        report: ReportKey,
    },
}

impl InspectionEventBody {
    /// The stable snake_case type name (the JSON `type`).
    pub fn event_type(&self) -> &'static str {
        use InspectionEventBody as E;
        match self {
            E::InspectionPlanned { .. } => "inspection_planned",
            E::InspectionRescheduled { .. } => "inspection_rescheduled",
            E::InspectionCancelled { .. } => "inspection_cancelled",
            E::NotificationCallMade { .. } => "notification_call_made",
            E::ConfirmationEmailSent { .. } => "confirmation_email_sent",
            E::DeferralRequested { .. } => "deferral_requested",
            E::DeferralDecided { .. } => "deferral_decided",
            E::InformationSubmitted { .. } => "information_submitted",
            E::SurveyLinksSent { .. } => "survey_links_sent",
            E::InspectionStarted { .. } => "inspection_started",
            E::InspectionPaused { .. } => "inspection_paused",
            E::InspectionResumed { .. } => "inspection_resumed",
            E::InspectionMarkedIncomplete { .. } => "inspection_marked_incomplete",
            E::StakeholderMeetingRecorded { .. } => "stakeholder_meeting_recorded",
            E::ConcernRaised { .. } => "concern_raised",
            E::ConcernActionRecorded { .. } => "concern_action_recorded",
            E::ConcernEscalated { .. } => "concern_escalated",
            E::InspectionEnded { .. } => "inspection_ended",
            E::PostInspectionSurveyInvited { .. } => "post_inspection_survey_invited",
            E::FollowUpCallRecorded { .. } => "follow_up_call_recorded",
            E::SurveyResponsesRecorded { .. } => "survey_responses_recorded",
            E::JudgementsRecorded { .. } => "judgements_recorded",
            E::LpmvOutcomeRecorded { .. } => "lpmv_outcome_recorded",
            E::ModerationRecorded { .. } => "moderation_recorded",
            E::QualityAssuranceRecorded { .. } => "quality_assurance_recorded",
            E::DraftReportIssued { .. } => "draft_report_issued",
            E::ReportSharedWithDfe { .. } => "report_shared_with_dfe",
            E::CommentsSubmitted { .. } => "comments_submitted",
            E::ComplaintLodged { .. } => "complaint_lodged",
            E::LateResponseAllowed { .. } => "late_response_allowed",
            E::ComplaintResponded { .. } => "complaint_responded",
            E::FinalReportIssued { .. } => "final_report_issued",
            E::ReportPublished { .. } => "report_published",
        }
    }
}
