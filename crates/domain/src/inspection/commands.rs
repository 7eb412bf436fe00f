//! The commands of the inspection aggregate (DOMAIN.md R7–R28).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::evidence::{EvidenceItem, StructuredInfo};
use crate::ids::{ComplaintId, ConcernId, InspectionId, LeadProviderId};
use crate::kind::InspectionKind;
use crate::permissions::{Actor, CommandKind};
use crate::personal::PersonalDetails;
use crate::values::{
    Contract, ContractSet, DeferralCategory, DocumentRef, FrameworkVersion, Grade, Grades,
    JudgementArea, LpmvOutcome, MeetingGroup, OverrideReason, ReportKey, ShareScope,
    StakeholderGroup, Text,
};

/// A command with who sent it and when the act happened (R5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command<C> {
    /// Who is acting.
    pub actor: Actor,
    /// When the real-world act happened, if the caller says (R5).
    pub occurred_at: Option<DateTime<Utc>>,
    /// Why `occurred_at` is more than 5 working days back (R5).
    pub backdate_reason: Option<OverrideReason>,
    /// What to do.
    pub body: C,
}

/// R8: plan an inspection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanInspection {
    /// Caller-supplied id (a retried plan is idempotent) or one the server made.
    pub inspection_id: InspectionId,
    /// The provider inspected.
    pub lead_provider_id: LeadProviderId,
    /// Full inspection or LPMV (R7).
    pub kind: InspectionKind,
    /// Contracts in scope (R6: held by the provider).
    pub contracts: ContractSet,
    /// Framework the inspection is held under (R8).
    pub framework: FrameworkVersion,
    /// Day 1.
    pub start: NaiveDate,
    /// Other days than the default, with a reason (R8 exception).
    pub days: Option<PlannedDays>,
}

/// Non-default inspection days and why (R8, R14, R17).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedDays {
    /// The days, day 1 first.
    pub days: Vec<NaiveDate>,
    /// Why they differ from the default.
    pub reason: Text,
}

/// Who took the notification call (R10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "capacity")]
pub enum CallCapacity {
    /// One of the provider's named representatives (R6).
    NamedRepresentative,
    /// An appropriate senior member of staff, because the representatives were unavailable.
    SeniorStaff {
        /// Their role at the provider.
        role: Text,
    },
}

/// R14: the decision on a deferral request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum DeferralDecision {
    /// Granted: a new start date, or none yet ("to be rescheduled").
    Granted {
        /// The new start, if known.
        new_start: Option<NaiveDate>,
        /// Non-default days for the new start.
        days: Option<PlannedDays>,
        /// Why.
        rationale: Text,
    },
    /// Refused: the inspection goes ahead as planned.
    Refused {
        /// Why.
        rationale: Text,
    },
}

/// R15/R16: one item of information.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InformationSubmission {
    /// Which item.
    pub item: EvidenceItem,
    /// Structured data (required for R15 items 1–5).
    pub structured: Option<StructuredInfo>,
    /// Documents, by reference.
    pub documents: Vec<DocumentRef>,
    /// A note.
    pub note: Option<Text>,
    /// R16: the provider declares no such pre-existing evidence exists.
    pub none_exists: bool,
}

/// R18: how a meeting with ECTs or NPQ participants was held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "snake_case",
    tag = "attestation",
    content = "circumstances"
)]
pub enum MeetingAttestation {
    /// No leaders or ECF mentors were present.
    NoLeadersOrMentorsPresent,
    /// Exceptional circumstances, described, meant leaders or mentors were present.
    ExceptionalCircumstances(Text),
    /// Not applicable: the group may meet with leaders present.
    NotRequired,
}

/// A change made at moderation (R24).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum JudgementChange {
    /// A graded judgement of a full inspection's report.
    Grade {
        /// Which area.
        area: JudgementArea,
        /// The new grade.
        to: Grade,
    },
    /// The LPMV outcome.
    Outcome {
        /// The new outcome.
        to: LpmvOutcome,
    },
}

/// One amendment with its reason (R24).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    /// What changes.
    pub change: JudgementChange,
    /// Why.
    pub reason: Text,
}

/// A draft or the final report (R26).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStage {
    /// The draft.
    Draft,
    /// The final report.
    Final,
}

/// Every command of the inspection aggregate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "command")]
pub enum InspectionCommand {
    /// R8.
    Plan(PlanInspection),
    /// R9: before the call only.
    Reschedule {
        /// New day 1.
        start: NaiveDate,
        /// Non-default days.
        days: Option<PlannedDays>,
        /// Why.
        reason: Text,
    },
    /// R9: before the call only.
    Cancel {
        /// Why.
        reason: Text,
    },
    /// R10.
    RecordNotificationCall {
        /// Who took the call.
        spoke_to: PersonalDetails,
        /// In what capacity.
        capacity: CallCapacity,
        /// Why the call was on another day or before 09:30, if it was.
        override_reason: Option<OverrideReason>,
    },
    /// R11.
    RecordConfirmationEmail {
        /// To whom it was sent.
        recipients: Vec<PersonalDetails>,
    },
    /// R13.
    RequestDeferral {
        /// Reason category [H].
        category: DeferralCategory,
        /// Free text.
        details: Text,
    },
    /// R14.
    DecideDeferral(DeferralDecision),
    /// R15/R16.
    SubmitInformation(InformationSubmission),
    /// R21: the provider sent the survey links.
    RecordSurveyLinksSent {
        /// To which groups.
        groups: Vec<StakeholderGroup>,
    },
    /// R17.
    Start,
    /// R17.
    Pause {
        /// Why (exceptional).
        reason: Text,
    },
    /// R17.
    Resume {
        /// New dates for the remaining days.
        remaining_days: Vec<NaiveDate>,
    },
    /// R17.
    MarkIncomplete {
        /// Why.
        reason: Text,
    },
    /// R18.
    RecordStakeholderMeeting {
        /// Who was met.
        group: MeetingGroup,
        /// How.
        attestation: MeetingAttestation,
    },
    /// R19.
    RaiseConcern {
        /// Caller-made id.
        concern_id: ConcernId,
        /// What the concern is.
        summary: Text,
    },
    /// R19.
    RecordConcernAction {
        /// Which concern.
        concern_id: ConcernId,
        /// What was done.
        action: Text,
        /// Whether that resolved it.
        resolved: bool,
    },
    /// R19.
    EscalateConcern {
        /// Which concern.
        concern_id: ConcernId,
        /// To whom / why.
        note: Text,
    },
    /// R19: the end of the inspection; the post-inspection survey invitation goes with it.
    End,
    /// R19.
    RecordFollowUpCall {
        /// Notes.
        notes: Option<Text>,
        /// Why it was not on the working day after the end, if it was not.
        override_reason: Option<OverrideReason>,
    },
    /// R22.
    RecordSurveyResponses {
        /// Which group.
        group: StakeholderGroup,
        /// Cumulative count as of `occurred_at`.
        cumulative_count: u32,
    },
    /// R23 (full).
    RecordJudgements {
        /// Which contract's report.
        contract: Contract,
        /// The grades.
        grades: Grades,
    },
    /// R23 (LPMV).
    RecordLpmvOutcome {
        /// The outcome.
        outcome: LpmvOutcome,
    },
    /// R24.
    RecordModeration {
        /// Which report.
        report: ReportKey,
        /// Changes to judgements.
        amendments: Vec<Amendment>,
    },
    /// R25.
    RecordQualityAssurance {
        /// Which report.
        report: ReportKey,
    },
    /// R25.
    IssueDraftReport {
        /// Which report.
        report: ReportKey,
        /// The draft.
        document: DocumentRef,
    },
    /// R26.
    ShareReportWithDfe {
        /// Which report.
        report: ReportKey,
        /// Draft or final.
        stage: ReportStage,
        /// Whole or part.
        scope: ShareScope,
    },
    /// R27.
    SubmitComments {
        /// Which report.
        report: ReportKey,
        /// Points of clarity or factual accuracy.
        comments: Text,
        /// Supporting documents.
        documents: Vec<DocumentRef>,
    },
    /// R27.
    LodgeComplaint {
        /// Caller-made id.
        complaint_id: ComplaintId,
        /// Which report's draft prompted it.
        report: ReportKey,
        /// What the complaint is.
        summary: Text,
    },
    /// R27: Ofsted allows comments or a complaint after the 5 working days.
    AllowLateResponse {
        /// Which report.
        report: ReportKey,
        /// Why.
        reason: OverrideReason,
    },
    /// R27.
    RespondToComplaint {
        /// Which complaint.
        complaint_id: ComplaintId,
        /// The response.
        response: Text,
    },
    /// R28.
    IssueFinalReport {
        /// Which report.
        report: ReportKey,
        /// The final report.
        document: DocumentRef,
    },
    /// R28.
    PublishReport {
        /// Which report.
        report: ReportKey,
    },
}

impl InspectionCommand {
    /// The command's column in the permission table.
    pub fn kind(&self) -> CommandKind {
        use InspectionCommand as C;
        match self {
            C::Plan(_) => CommandKind::PlanInspection,
            C::Reschedule { .. } => CommandKind::RescheduleInspection,
            C::Cancel { .. } => CommandKind::CancelInspection,
            C::RecordNotificationCall { .. } => CommandKind::RecordNotificationCall,
            C::RecordConfirmationEmail { .. } => CommandKind::RecordConfirmationEmail,
            C::RequestDeferral { .. } => CommandKind::RequestDeferral,
            C::DecideDeferral(_) => CommandKind::DecideDeferral,
            C::SubmitInformation(_) => CommandKind::SubmitInformation,
            C::RecordSurveyLinksSent { .. } => CommandKind::RecordSurveyLinksSent,
            C::Start => CommandKind::StartInspection,
            C::Pause { .. } => CommandKind::PauseInspection,
            C::Resume { .. } => CommandKind::ResumeInspection,
            C::MarkIncomplete { .. } => CommandKind::MarkIncomplete,
            C::RecordStakeholderMeeting { .. } => CommandKind::RecordStakeholderMeeting,
            C::RaiseConcern { .. } => CommandKind::RaiseConcern,
            C::RecordConcernAction { .. } => CommandKind::RecordConcernAction,
            C::EscalateConcern { .. } => CommandKind::EscalateConcern,
            C::End => CommandKind::EndInspection,
            C::RecordFollowUpCall { .. } => CommandKind::RecordFollowUpCall,
            C::RecordSurveyResponses { .. } => CommandKind::RecordSurveyResponses,
            C::RecordJudgements { .. } => CommandKind::RecordJudgements,
            C::RecordLpmvOutcome { .. } => CommandKind::RecordLpmvOutcome,
            C::RecordModeration { .. } => CommandKind::RecordModeration,
            C::RecordQualityAssurance { .. } => CommandKind::RecordQualityAssurance,
            C::IssueDraftReport { .. } => CommandKind::IssueDraftReport,
            C::ShareReportWithDfe { .. } => CommandKind::ShareReportWithDfe,
            C::SubmitComments { .. } => CommandKind::SubmitComments,
            C::LodgeComplaint { .. } => CommandKind::LodgeComplaint,
            C::AllowLateResponse { .. } => CommandKind::AllowLateResponse,
            C::RespondToComplaint { .. } => CommandKind::RespondToComplaint,
            C::IssueFinalReport { .. } => CommandKind::IssueFinalReport,
            C::PublishReport { .. } => CommandKind::PublishReport,
        }
    }
}
