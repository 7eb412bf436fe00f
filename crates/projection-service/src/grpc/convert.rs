//! Domain read models → wire messages. Domain enums map by exhaustive `match` (a new variant
//! forces a decision here); the views' state words map onto wire enums, an unknown word to
//! `*_UNSPECIFIED`.

use chrono::{DateTime, NaiveDate, Utc};
use domain::deadlines::{Deadline, DeadlineKind, DeadlineStatus};
use domain::evidence::{DuePoint, EvidenceItem, TeamSizing};
use domain::kind::InspectionKind;
use domain::values::{
    Contract, DeferralCategory, EctPhase, FrameworkVersion, Grade, Grades, JudgementArea,
    LpmvOutcome, ReportKey, ShareScope, StakeholderGroup,
};
use domain::views::{
    ChecklistItem, EvidenceChecklist, InspectionSummary, ReportStatusView, SurveyWindowView,
};
use proto::pb;

pub fn ts(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: i32::try_from(t.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

fn ots(t: Option<DateTime<Utc>>) -> Option<prost_types::Timestamp> {
    t.map(ts)
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

pub fn kind(k: InspectionKind) -> pb::InspectionKind {
    match k {
        InspectionKind::Full => pb::InspectionKind::Full,
        InspectionKind::Lpmv => pb::InspectionKind::Lpmv,
    }
}

pub fn contract(c: Contract) -> pb::Contract {
    match c {
        Contract::Ecf => pb::Contract::Ecf,
        Contract::Npq => pb::Contract::Npq,
    }
}

pub fn framework(f: FrameworkVersion) -> pb::FrameworkVersion {
    match f {
        FrameworkVersion::V2024 => pb::FrameworkVersion::FrameworkVersion2024,
    }
}

fn deferral_category(c: DeferralCategory) -> pb::DeferralCategory {
    use pb::DeferralCategory as W;
    match c {
        DeferralCategory::LeaderUnderPoliceInvestigation => W::LeaderUnderPoliceInvestigation,
        DeferralCategory::MajorIncident => W::MajorIncident,
        DeferralCategory::MergerClosureOrMove => W::MergerClosureOrMove,
        DeferralCategory::LocalSecurityIncident => W::LocalSecurityIncident,
        DeferralCategory::PublicHealthClosure => W::PublicHealthClosure,
        DeferralCategory::ClosedHalfInspectionTime => W::ClosedHalfInspectionTime,
        DeferralCategory::StaffAbsence => W::StaffAbsence,
        DeferralCategory::SeniorLeaderWellbeing => W::SeniorLeaderWellbeing,
        DeferralCategory::Other => W::Other,
    }
}

fn evidence_item(i: EvidenceItem) -> pb::EvidenceItem {
    use pb::EvidenceItem as W;
    match i {
        EvidenceItem::DeliveryPartners => W::DeliveryPartners,
        EvidenceItem::DeliveryPartnerDetails => W::DeliveryPartnerDetails,
        EvidenceItem::EctsPerPartner => W::EctsPerPartner,
        EvidenceItem::NpqParticipantsPerCourse => W::NpqParticipantsPerCourse,
        EvidenceItem::NpqParticipantsPerPartner => W::NpqParticipantsPerPartner,
        EvidenceItem::TrainingDuringInspectionWeek => W::TrainingDuringInspectionWeek,
        EvidenceItem::GeneralInformation => W::GeneralInformation,
        EvidenceItem::EqualitiesDuties => W::EqualitiesDuties,
        EvidenceItem::TrainingCurriculum => W::TrainingCurriculum,
        EvidenceItem::MentorTrainingCurriculum => W::MentorTrainingCurriculum,
        EvidenceItem::ProgrammeHandbooks => W::ProgrammeHandbooks,
        EvidenceItem::TrainerAndMentorExpertise => W::TrainerAndMentorExpertise,
        EvidenceItem::DeliveryPartnerQualityMonitoring => W::DeliveryPartnerQualityMonitoring,
        EvidenceItem::TrainerDevelopment => W::TrainerDevelopment,
        EvidenceItem::StrategicOversight => W::StrategicOversight,
        EvidenceItem::SelfEvaluation => W::SelfEvaluation,
    }
}

fn ect_phase(p: EctPhase) -> pb::EctPhase {
    match p {
        EctPhase::EarlyYears => pb::EctPhase::EarlyYears,
        EctPhase::Primary => pb::EctPhase::Primary,
        EctPhase::Secondary => pb::EctPhase::Secondary,
        EctPhase::AllThrough => pb::EctPhase::AllThrough,
        EctPhase::Special => pb::EctPhase::Special,
        EctPhase::FurtherEducation => pb::EctPhase::FurtherEducation,
    }
}

fn stakeholder_group(g: StakeholderGroup) -> pb::StakeholderGroup {
    match g {
        StakeholderGroup::DeliveryPartners => pb::StakeholderGroup::DeliveryPartners,
        StakeholderGroup::SchoolLeaders => pb::StakeholderGroup::SchoolLeaders,
        StakeholderGroup::Participants => pb::StakeholderGroup::Participants,
        StakeholderGroup::Mentors => pb::StakeholderGroup::Mentors,
    }
}

fn grade(g: Grade) -> pb::Grade {
    match g {
        Grade::Outstanding => pb::Grade::Outstanding,
        Grade::Good => pb::Grade::Good,
        Grade::RequiresImprovement => pb::Grade::RequiresImprovement,
        Grade::Inadequate => pb::Grade::Inadequate,
    }
}

fn grades(g: &Grades) -> pb::Grades {
    pb::Grades {
        overall_effectiveness: grade(g.overall_effectiveness).into(),
        quality_of_training: grade(g.quality_of_training).into(),
        leadership_and_management: grade(g.leadership_and_management).into(),
    }
}

fn area(a: JudgementArea) -> pb::JudgementArea {
    match a {
        JudgementArea::OverallEffectiveness => pb::JudgementArea::OverallEffectiveness,
        JudgementArea::QualityOfTraining => pb::JudgementArea::QualityOfTraining,
        JudgementArea::LeadershipAndManagement => pb::JudgementArea::LeadershipAndManagement,
    }
}

fn outcome(o: LpmvOutcome) -> pb::LpmvOutcome {
    match o {
        LpmvOutcome::Effective => pb::LpmvOutcome::Effective,
        LpmvOutcome::NotEffective => pb::LpmvOutcome::NotEffective,
    }
}

pub fn report_key(k: ReportKey) -> pb::ReportKey {
    match k {
        ReportKey::EcfReport => pb::ReportKey::EcfReport,
        ReportKey::NpqReport => pb::ReportKey::NpqReport,
        ReportKey::LpmvLetter => pb::ReportKey::LpmvLetter,
    }
}

fn report_stage(s: domain::inspection::ReportStage) -> pb::ReportStage {
    match s {
        domain::inspection::ReportStage::Draft => pb::ReportStage::Draft,
        domain::inspection::ReportStage::Final => pb::ReportStage::Final,
    }
}

/// The wire state of a summary's state word.
pub fn state(word: &str) -> pb::InspectionState {
    use pb::InspectionState as W;
    match word {
        "planned" => W::Planned,
        "notified" => W::Notified,
        "on_site" => W::OnSite,
        "paused" => W::Paused,
        "incomplete" => W::Incomplete,
        "ended" => W::Ended,
        "cancelled" => W::Cancelled,
        "published" => W::Published,
        _ => W::Unspecified,
    }
}

/// The state word a wire filter asks for (`None`: any).
pub fn state_word(s: pb::InspectionState) -> Option<&'static str> {
    use pb::InspectionState as W;
    match s {
        W::Unspecified => None,
        W::Planned => Some("planned"),
        W::Notified => Some("notified"),
        W::OnSite => Some("on_site"),
        W::Paused => Some("paused"),
        W::Incomplete => Some("incomplete"),
        W::Ended => Some("ended"),
        W::Cancelled => Some("cancelled"),
        W::Published => Some("published"),
    }
}

/// The wire progress of a report's stage word.
pub fn progress(word: &str) -> pb::ReportProgress {
    use pb::ReportProgress as W;
    match word {
        "awaiting_judgements" => W::AwaitingJudgements,
        "judged" => W::Judged,
        "moderated" => W::Moderated,
        "quality_assured" => W::QualityAssured,
        "in_review" => W::InReview,
        "draft_issued" => W::DraftIssued,
        "final_issued" => W::FinalIssued,
        "published" => W::Published,
        _ => W::Unspecified,
    }
}

/// The stage word a wire filter asks for (`None`: any).
pub fn progress_word(p: pb::ReportProgress) -> Option<&'static str> {
    use pb::ReportProgress as W;
    match p {
        W::Unspecified => None,
        W::AwaitingJudgements => Some("awaiting_judgements"),
        W::Judged => Some("judged"),
        W::Moderated => Some("moderated"),
        W::QualityAssured => Some("quality_assured"),
        W::InReview => Some("in_review"),
        W::DraftIssued => Some("draft_issued"),
        W::FinalIssued => Some("final_issued"),
        W::Published => Some("published"),
    }
}

pub fn team_sizing(t: &TeamSizing) -> pb::TeamSizing {
    pb::TeamSizing {
        delivery_partners: t.delivery_partners,
        ects_by_phase: t
            .ects_by_phase
            .iter()
            .map(|(p, n)| pb::EctPhaseCount {
                phase: ect_phase(*p).into(),
                count: *n,
            })
            .collect(),
        npq_by_course: t
            .npq_by_course
            .iter()
            .map(|(c, n)| pb::NpqCourseCount {
                course: c.as_str().to_owned(),
                count: *n,
            })
            .collect(),
        npq_courses: t.npq_courses,
    }
}

pub fn summary(s: &InspectionSummary) -> pb::InspectionSummary {
    pb::InspectionSummary {
        inspection_id: s.inspection_id.to_string(),
        lead_provider_id: s.lead_provider_id.to_string(),
        kind: kind(s.kind).into(),
        contracts: s.contracts.iter().map(|c| contract(c).into()).collect(),
        framework: framework(s.framework).into(),
        state: state(&s.state).into(),
        planned_days: s.planned_days.iter().map(|d| date(Some(*d))).collect(),
        started_on: date(s.started_on),
        ended_on: date(s.ended_on),
        notification_call_at: ots(s.notification_call_at),
        deferrals: s
            .deferrals
            .iter()
            .map(|d| pb::DeferralView {
                requested_at: Some(ts(d.requested_at)),
                category: deferral_category(d.category).into(),
                outcome: match d.outcome.as_str() {
                    "pending" => pb::DeferralOutcome::Pending,
                    "granted" => pb::DeferralOutcome::Granted,
                    "refused" => pb::DeferralOutcome::Refused,
                    _ => pb::DeferralOutcome::Unspecified,
                }
                .into(),
                decided_at: ots(d.decided_at),
                new_start: date(d.new_start),
            })
            .collect(),
        pauses: s
            .pauses
            .iter()
            .map(|p| pb::PauseView {
                at: Some(ts(p.at)),
                reason: p.reason.as_str().to_owned(),
                days_begun: p.days_begun,
                resumed_at: ots(p.resumed_at),
            })
            .collect(),
        open_concerns: s.open_concerns,
        exceptions: s
            .exceptions
            .iter()
            .map(|e| pb::RuleExceptionView {
                rule: e.rule.clone(),
                expected: e.expected.clone(),
                reason: e.reason.as_str().to_owned(),
            })
            .collect(),
        days_exception: s.days_exception.clone().unwrap_or_default(),
        cycle: s.cycle,
        calendar_sha256: s
            .calendar_version
            .as_ref()
            .map(|c| c.sha256.clone())
            .unwrap_or_default(),
        calendar_last_data_date: date(s.calendar_version.as_ref().map(|c| c.last_data_date)),
        provisional: s.provisional,
        team_sizing: Some(team_sizing(&s.team_sizing)),
        version: s.version,
    }
}

pub fn deadline_kind(k: DeadlineKind) -> pb::DeadlineKind {
    use pb::DeadlineKind as W;
    match k {
        DeadlineKind::NotificationCall => W::NotificationCall,
        DeadlineKind::PreparationInformation => W::PreparationInformation,
        DeadlineKind::StartInformation => W::StartInformation,
        DeadlineKind::DeferralRequestWindow => W::DeferralRequestWindow,
        DeadlineKind::SurveyClose => W::SurveyClose,
        DeadlineKind::FollowUpCall => W::FollowUpCall,
        DeadlineKind::DraftReport => W::DraftReport,
        DeadlineKind::CommentWindow => W::CommentWindow,
        DeadlineKind::FinalReport => W::FinalReport,
        DeadlineKind::NextInspection => W::NextInspection,
    }
}

pub fn deadline_status(s: &DeadlineStatus) -> pb::DeadlineStatus {
    match s {
        DeadlineStatus::Pending => pb::DeadlineStatus::Pending,
        DeadlineStatus::Met { .. } => pb::DeadlineStatus::Met,
        DeadlineStatus::Missed { .. } => pb::DeadlineStatus::Missed,
        DeadlineStatus::Closed => pb::DeadlineStatus::Closed,
        DeadlineStatus::Superseded => pb::DeadlineStatus::Superseded,
    }
}

pub fn deadline(d: &Deadline) -> pb::Deadline {
    let (met_at, completed_at) = match d.status {
        DeadlineStatus::Met { at } => (Some(at), None),
        DeadlineStatus::Missed { completed_at } => (None, completed_at),
        DeadlineStatus::Pending | DeadlineStatus::Closed | DeadlineStatus::Superseded => {
            (None, None)
        }
    };
    pb::Deadline {
        kind: deadline_kind(d.kind).into(),
        rule: d.rule.clone(),
        report: d
            .report
            .map_or(pb::ReportKey::Unspecified, report_key)
            .into(),
        cycle: d.cycle,
        opens_at: ots(d.opens_at),
        due_at: Some(ts(d.due_at)),
        status: deadline_status(&d.status).into(),
        met_at: ots(met_at),
        completed_at: ots(completed_at),
        provisional: d.provisional,
    }
}

pub fn survey(w: &SurveyWindowView, as_of: DateTime<Utc>) -> pb::SurveyWindow {
    pb::SurveyWindow {
        opens_at: ots(w.opens_at),
        closes_at: ots(w.closes_at),
        status: match w.status.as_str() {
            "not_open" => pb::SurveyStatus::NotOpen,
            "open" => pb::SurveyStatus::Open,
            "closed" => pb::SurveyStatus::Closed,
            "cancelled" => pb::SurveyStatus::Cancelled,
            _ => pb::SurveyStatus::Unspecified,
        }
        .into(),
        links_sent: w
            .links_sent
            .iter()
            .map(|(g, at)| pb::SurveyLinksSent {
                group: stakeholder_group(*g).into(),
                sent_at: Some(ts(*at)),
            })
            .collect(),
        responses: w
            .responses
            .iter()
            .map(|(g, (n, at))| pb::SurveyResponses {
                group: stakeholder_group(*g).into(),
                cumulative_count: *n,
                counted_at: Some(ts(*at)),
            })
            .collect(),
        as_of: Some(ts(as_of)),
    }
}

pub fn report(r: &ReportStatusView) -> pb::ReportStatus {
    use domain::inspection::JudgementChange;
    pb::ReportStatus {
        report: report_key(r.report).into(),
        progress: progress(&r.stage).into(),
        grades: r.grades.as_ref().map(grades),
        outcome: r
            .outcome
            .map_or(pb::LpmvOutcome::Unspecified, outcome)
            .into(),
        amendments: r
            .amendments
            .iter()
            .map(|a| pb::AmendmentView {
                amendment: Some(pb::Amendment {
                    change: Some(match &a.change {
                        JudgementChange::Grade { area: ar, to } => {
                            pb::amendment::Change::Grade(pb::amendment::GradeChange {
                                area: area(*ar).into(),
                                to: grade(*to).into(),
                            })
                        }
                        JudgementChange::Outcome { to } => {
                            pb::amendment::Change::Outcome(outcome(*to).into())
                        }
                    }),
                    reason: a.reason.as_str().to_owned(),
                }),
                from: a.from.clone(),
            })
            .collect(),
        moderated_at: ots(r.moderated_at),
        quality_assured_at: ots(r.quality_assured_at),
        draft_due: date(r.draft_due),
        draft_issued_at: ots(r.draft_issued_at),
        draft_late: r.draft_late,
        shared_with_dfe: r
            .shared_with_dfe
            .iter()
            .map(|s| pb::ShareView {
                at: Some(ts(s.at)),
                stage: report_stage(s.stage).into(),
                part: match &s.scope {
                    ShareScope::Whole => String::new(),
                    ShareScope::Part(t) => t.as_str().to_owned(),
                },
                whole: matches!(s.scope, ShareScope::Whole),
            })
            .collect(),
        comments_close: date(r.comments_close),
        comments_received_at: r.comments_received_at.iter().map(|t| ts(*t)).collect(),
        late_response_allowed: r.late_response_allowed,
        complaint_holding_publication: r.complaint_holding_publication,
        final_due: date(r.final_due),
        final_issued_at: ots(r.final_issued_at),
        final_late: r.final_late,
        published_at: ots(r.published_at),
    }
}

fn due_point(p: DuePoint) -> pb::DuePoint {
    match p {
        DuePoint::ConversationDay => pb::DuePoint::ConversationDay,
        DuePoint::Start => pb::DuePoint::Start,
    }
}

fn checklist_item(i: &ChecklistItem) -> pb::ChecklistItem {
    pb::ChecklistItem {
        item: evidence_item(i.item).into(),
        rule: i.rule.clone(),
        due_point: due_point(i.due_point).into(),
        due_at: ots(i.due_at),
        status: match i.status.as_str() {
            "outstanding" => pb::ChecklistStatus::Outstanding,
            "missing" => pb::ChecklistStatus::Missing,
            "submitted" => pb::ChecklistStatus::Submitted,
            "late" => pb::ChecklistStatus::Late,
            "none_exists" => pb::ChecklistStatus::NoneExists,
            _ => pb::ChecklistStatus::Unspecified,
        }
        .into(),
        versions: i.versions,
        first_submitted_at: ots(i.first_submitted_at),
        last_submitted_at: ots(i.last_submitted_at),
    }
}

pub fn checklist(c: &EvidenceChecklist, as_of: DateTime<Utc>) -> pb::EvidenceChecklist {
    pb::EvidenceChecklist {
        items: c.items.iter().map(checklist_item).collect(),
        not_required: c
            .not_required
            .iter()
            .map(|i| evidence_item(*i).into())
            .collect(),
        team_sizing: Some(team_sizing(&c.team_sizing)),
        as_of: Some(ts(as_of)),
    }
}
