//! `decide`: from the current state, a command and the clock, the events to append — or the
//! rule that refuses it. Pure: the same inputs always give the same answer.
//!
//! Planning, the call, deferral, information and on-site work live here; outcomes and reports
//! are in `decide_reports`.

use chrono::{DateTime, NaiveDate, Utc};

use crate::calendar::Calendar;
use crate::error::DomainError;
use crate::evidence::DuePoint;
use crate::inspection::commands::{
    CallCapacity, Command, DeferralDecision, InformationSubmission, InspectionCommand,
    MeetingAttestation, PlanInspection, PlannedDays,
};
use crate::inspection::decide_reports;
use crate::inspection::events::{InspectionEvent, InspectionEventBody as E, RuleException};
use crate::inspection::state::{Inspection, Phase};
use crate::kind::InspectionKind;
use crate::lead_provider::LeadProvider;
use crate::london;
use crate::permissions::authorize;
use crate::personal::PersonalDetails;
use crate::schedule::{self, ScheduleError};
use crate::time_policy::{self, CommandTimes};
use crate::values::{StakeholderGroup, Text};

/// What `decide` needs besides the state and the command: the server's clock, the working-day
/// calendar and, where the command concerns it, the lead provider's current state (R6, R10).
#[derive(Debug, Clone, Copy)]
pub struct DecideContext<'a> {
    /// The server's clock: becomes `recorded_at` (R5).
    pub now: DateTime<Utc>,
    /// The working-day calendar (R1–R3).
    pub calendar: &'a Calendar,
    /// The inspected provider's state, when loaded.
    pub lead_provider: Option<&'a LeadProvider>,
}

/// Decide a command against the inspection's state.
pub fn decide(
    state: &Inspection,
    command: &Command<InspectionCommand>,
    ctx: &DecideContext<'_>,
) -> Result<Vec<InspectionEvent>, DomainError> {
    let target = match &command.body {
        InspectionCommand::Plan(p) => Some(p.lead_provider_id),
        _ => state.lead_provider_id,
    };
    authorize(&command.actor, command.body.kind(), target)?;
    if !matches!(command.body, InspectionCommand::Plan(_)) && !state.exists() {
        return Err(DomainError::not_found(
            "INSPECTION_NOT_FOUND",
            "no such inspection",
        ));
    }
    if state.phase == Phase::Cancelled {
        return Err(DomainError::rule(
            "R9_INSPECTION_CANCELLED",
            "the inspection was cancelled",
        ));
    }
    let times = time_policy::settle(
        command.actor.role,
        command.occurred_at,
        command.backdate_reason.clone(),
        ctx.now,
        ctx.calendar,
    )?;
    let bodies = decide_body(state, command, &times, ctx)?;
    Ok(bodies
        .into_iter()
        .map(|body| InspectionEvent {
            occurred_at: times.occurred_at,
            recorded_at: times.recorded_at,
            backdate_reason: times.backdate_reason.clone(),
            body,
        })
        .collect())
}

fn decide_body(
    s: &Inspection,
    command: &Command<InspectionCommand>,
    t: &CommandTimes,
    ctx: &DecideContext<'_>,
) -> Result<Vec<E>, DomainError> {
    use InspectionCommand as C;
    let cal = ctx.calendar;
    let at = t.occurred_at;
    match &command.body {
        C::Plan(p) => plan(s, p, at, ctx),
        C::Reschedule {
            days,
            start,
            reason,
        } => {
            before_call(s, "reschedule")?;
            let kind = s.kind.unwrap_or(InspectionKind::Full);
            let fixed = fix_days(cal, kind, *start, days.as_ref(), at, "start")?;
            Ok(vec![E::InspectionRescheduled {
                days: fixed.days,
                days_exception: fixed.exception,
                reason: reason.clone(),
                calendar_version: cal.version().clone(),
                provisional: fixed.provisional,
            }])
        }
        C::Cancel { reason } => {
            before_call(s, "cancel")?;
            Ok(vec![E::InspectionCancelled {
                reason: reason.clone(),
            }])
        }
        C::RecordNotificationCall {
            spoke_to,
            capacity,
            override_reason,
        } => {
            if s.phase != Phase::Planned {
                return Err(DomainError::rule(
                    "R10_CALL_ALREADY_MADE",
                    format!(
                        "the notification call has already been made (inspection is {})",
                        s.phase.as_str()
                    ),
                ));
            }
            let start = s.start().ok_or_else(|| {
                DomainError::rule(
                    "R10_NO_PLANNED_DATES",
                    "the inspection has no dates: reschedule it before calling",
                )
            })?;
            if let (CallCapacity::NamedRepresentative, Some(lp)) = (capacity, ctx.lead_provider)
                && !lp
                    .representatives
                    .iter()
                    .any(|r| r.person_id() == spoke_to.person_id)
            {
                return Err(DomainError::invalid(
                    "spoke_to.person_id",
                    "R10_NOT_A_NAMED_REPRESENTATIVE",
                    format!(
                        "person {} is not a named representative of the lead provider; record their capacity as senior staff",
                        spoke_to.person_id
                    ),
                ));
            }
            let exception = check_call_time(cal, start, at, override_reason.as_ref())?;
            let kind = s.kind.unwrap_or(InspectionKind::Full);
            let survey_closes_at = schedule::survey_close(kind, &s.days).ok_or_else(|| {
                DomainError::rule(
                    "R20_TOO_FEW_DAYS",
                    "the planned days do not include the survey close day",
                )
            })?;
            Ok(vec![E::NotificationCallMade {
                spoke_to: spoke_to.record(),
                capacity: capacity.clone(),
                exception,
                survey_closes_at,
            }])
        }
        C::RecordConfirmationEmail { recipients } => {
            if s.call.is_none() {
                return Err(DomainError::rule(
                    "R11_BEFORE_CALL",
                    "the confirmation email follows the notification call",
                ));
            }
            if recipients.is_empty() {
                return Err(DomainError::invalid(
                    "recipients",
                    "R11_NO_RECIPIENTS",
                    "at least one recipient is required",
                ));
            }
            if let Some(i) = recipients.iter().position(|r| r.email.is_none()) {
                return Err(DomainError::invalid(
                    format!("recipients[{i}].email"),
                    "R11_RECIPIENT_WITHOUT_EMAIL",
                    "every recipient of the confirmation email needs an email address",
                ));
            }
            Ok(vec![E::ConfirmationEmailSent {
                recipients: recipients.iter().map(PersonalDetails::record).collect(),
            }])
        }
        C::RequestDeferral { category, details } => {
            if s.phase != Phase::Notified {
                let code = if s.phase == Phase::Planned {
                    "R13_BEFORE_CALL"
                } else {
                    "R13_AFTER_START"
                };
                return Err(DomainError::rule(
                    code,
                    format!(
                        "a deferral may be requested from the notification call until the start; inspection is {}",
                        s.phase.as_str()
                    ),
                ));
            }
            if let Some(start) = s.start_instant()
                && at >= start
            {
                return Err(DomainError::rule(
                    "R13_AFTER_START",
                    format!(
                        "a deferral must be requested before the start at {}",
                        start.to_rfc3339()
                    ),
                ));
            }
            if s.open_deferral().is_some() {
                return Err(DomainError::rule(
                    "R13_REQUEST_ALREADY_OPEN",
                    "a deferral request is already awaiting a decision",
                ));
            }
            Ok(vec![E::DeferralRequested {
                category: *category,
                details: details.clone(),
            }])
        }
        C::DecideDeferral(decision) => {
            if s.open_deferral().is_none() {
                return Err(DomainError::rule(
                    "R14_NO_OPEN_REQUEST",
                    "there is no deferral request awaiting a decision",
                ));
            }
            let new_days = match decision {
                DeferralDecision::Granted {
                    new_start: Some(start),
                    days,
                    ..
                } => {
                    let kind = s.kind.unwrap_or(InspectionKind::Full);
                    fix_days(cal, kind, *start, days.as_ref(), at, "new_start")?.days
                }
                DeferralDecision::Granted {
                    new_start: None,
                    days: Some(_),
                    ..
                } => {
                    return Err(DomainError::invalid(
                        "days",
                        "R14_DAYS_WITHOUT_START",
                        "days were given without a new start date",
                    ));
                }
                DeferralDecision::Granted {
                    new_start: None, ..
                }
                | DeferralDecision::Refused { .. } => vec![],
            };
            Ok(vec![E::DeferralDecided {
                decision: decision.clone(),
                new_days,
            }])
        }
        C::SubmitInformation(sub) => submit_information(s, sub, at, cal),
        C::RecordSurveyLinksSent { groups } => {
            if s.phase != Phase::Notified {
                let code = if s.phase == Phase::Planned {
                    "R21_SURVEYS_NOT_OPEN"
                } else {
                    "R21_LINKS_AFTER_START"
                };
                return Err(DomainError::rule(
                    code,
                    format!(
                        "survey links are sent between the call and the start; inspection is {}",
                        s.phase.as_str()
                    ),
                ));
            }
            check_groups(groups)?;
            Ok(vec![E::SurveyLinksSent {
                groups: groups.clone(),
            }])
        }
        C::Start => {
            if s.phase != Phase::Notified {
                return Err(DomainError::rule(
                    "R17_NOT_NOTIFIED",
                    format!(
                        "an inspection starts after its notification call; inspection is {}",
                        s.phase.as_str()
                    ),
                ));
            }
            if s.open_deferral().is_some() {
                return Err(DomainError::rule(
                    "R14_DEFERRAL_UNDECIDED",
                    "a deferral request must be decided before the start",
                ));
            }
            let day_one = s.start().unwrap_or_default();
            let today = london::date_of(at);
            if today != day_one {
                return Err(DomainError::rule(
                    "R17_START_NOT_ON_DAY_1",
                    format!("the inspection must start on its day 1 {day_one}; got {today}"),
                ));
            }
            Ok(vec![E::InspectionStarted { day_one }])
        }
        C::Pause { reason } => {
            if s.phase != Phase::OnSite {
                return Err(not_on_site(s, "pause"));
            }
            let today = london::date_of(at);
            let days_begun = s.days.iter().filter(|d| **d <= today).count() as u32;
            Ok(vec![E::InspectionPaused {
                reason: reason.clone(),
                on: today,
                days_begun: days_begun.max(1),
            }])
        }
        C::Resume { remaining_days } => resume(s, remaining_days, at, cal),
        C::MarkIncomplete { reason } => {
            if s.phase != Phase::Paused {
                return Err(DomainError::rule(
                    "R17_NOT_PAUSED",
                    format!(
                        "only a paused inspection can be marked incomplete; inspection is {}",
                        s.phase.as_str()
                    ),
                ));
            }
            Ok(vec![E::InspectionMarkedIncomplete {
                reason: reason.clone(),
            }])
        }
        C::RecordStakeholderMeeting { group, attestation } => {
            if !matches!(s.phase, Phase::OnSite | Phase::Incomplete) {
                return Err(not_on_site(s, "record a stakeholder meeting"));
            }
            if group.requires_no_leaders_present()
                && *attestation == MeetingAttestation::NotRequired
            {
                return Err(DomainError::invalid(
                    "attestation",
                    "R18_ATTESTATION_REQUIRED",
                    "meetings with ECTs and NPQ participants must state that no leaders or ECF mentors were present, or the exceptional circumstances",
                ));
            }
            Ok(vec![E::StakeholderMeetingRecorded {
                group: *group,
                attestation: attestation.clone(),
            }])
        }
        C::RaiseConcern {
            concern_id,
            summary,
        } => {
            if !matches!(s.phase, Phase::OnSite | Phase::Paused | Phase::Incomplete) {
                return Err(DomainError::rule(
                    "R19_NOT_DURING_INSPECTION",
                    format!(
                        "concerns are raised during the inspection; inspection is {}",
                        s.phase.as_str()
                    ),
                ));
            }
            if s.concerns.contains_key(concern_id) {
                return Err(DomainError::exists(
                    "R19_CONCERN_EXISTS",
                    format!("concern {concern_id} exists already"),
                ));
            }
            Ok(vec![E::ConcernRaised {
                concern_id: *concern_id,
                summary: summary.clone(),
                raised_by: command.actor.role,
            }])
        }
        C::RecordConcernAction {
            concern_id,
            action,
            resolved,
        } => {
            let c = s
                .concerns
                .get(concern_id)
                .ok_or_else(|| concern_not_found(*concern_id))?;
            if c.resolved {
                return Err(DomainError::rule(
                    "R19_CONCERN_RESOLVED",
                    format!("concern {concern_id} is already resolved"),
                ));
            }
            Ok(vec![E::ConcernActionRecorded {
                concern_id: *concern_id,
                action: action.clone(),
                resolved: *resolved,
            }])
        }
        C::EscalateConcern { concern_id, note } => {
            let c = s
                .concerns
                .get(concern_id)
                .ok_or_else(|| concern_not_found(*concern_id))?;
            if c.resolved {
                return Err(DomainError::rule(
                    "R19_ESCALATE_RESOLVED",
                    format!(
                        "concern {concern_id} is resolved; only unresolved concerns are escalated"
                    ),
                ));
            }
            Ok(vec![E::ConcernEscalated {
                concern_id: *concern_id,
                note: note.clone(),
            }])
        }
        C::End => {
            if !matches!(s.phase, Phase::OnSite | Phase::Incomplete) {
                return Err(not_on_site(s, "end"));
            }
            let today = london::date_of(at);
            let last = s.last_day().unwrap_or(today);
            if s.phase == Phase::OnSite && today < last {
                return Err(DomainError::rule(
                    "R19_END_BEFORE_LAST_DAY",
                    format!(
                        "the inspection's last planned day is {last}; got {today} (pause it instead)"
                    ),
                ));
            }
            Ok(vec![
                E::InspectionEnded { end_date: today },
                E::PostInspectionSurveyInvited {},
            ])
        }
        C::RecordFollowUpCall {
            notes,
            override_reason,
        } => {
            let Some((end, _)) = s.ended else {
                return Err(DomainError::rule(
                    "R19_NOT_ENDED",
                    "the follow-up call is on the working day after the end",
                ));
            };
            if s.follow_up_call_at.is_some() {
                return Err(DomainError::rule(
                    "R19_FOLLOW_UP_RECORDED",
                    "the follow-up call has already been recorded",
                ));
            }
            let expected = schedule::follow_up_call_day(cal, end);
            let got = london::date_of(at);
            let exception = if got != expected {
                let Some(reason) = override_reason else {
                    return Err(DomainError::rule(
                        "R19_FOLLOW_UP_WRONG_DAY",
                        format!(
                            "the follow-up call must be on {expected} (the working day after the end {end}); got {got}"
                        ),
                    ));
                };
                Some(RuleException {
                    rule: "R19_FOLLOW_UP_WRONG_DAY".into(),
                    expected: format!("on {expected}"),
                    reason: reason.clone(),
                })
            } else {
                None
            };
            Ok(vec![E::FollowUpCallRecorded {
                notes: notes.clone(),
                exception,
            }])
        }
        C::RecordSurveyResponses {
            group,
            cumulative_count,
        } => {
            let w = s
                .survey
                .as_ref()
                .filter(|w| w.cancelled_at.is_none())
                .ok_or_else(|| {
                    DomainError::rule("R22_NO_OPEN_WINDOW", "no stakeholder survey window is open")
                })?;
            if at < w.opens_at {
                return Err(DomainError::rule(
                    "R22_BEFORE_OPEN",
                    format!(
                        "the surveys opened at {}; counts as of {} are too early",
                        w.opens_at.to_rfc3339(),
                        at.to_rfc3339()
                    ),
                ));
            }
            if let Some(close) = w.closes_at
                && at > close
            {
                return Err(DomainError::rule(
                    "R22_AFTER_CLOSE",
                    format!(
                        "the surveys closed at {}; a count as of {} is refused",
                        close.to_rfc3339(),
                        at.to_rfc3339()
                    ),
                ));
            }
            if let Some((prev, prev_at)) = s.responses.get(group)
                && (*cumulative_count < *prev || at < *prev_at)
            {
                return Err(DomainError::rule(
                    "R22_COUNT_DECREASED",
                    format!(
                        "cumulative counts never go back: {prev} as of {} already recorded; got {cumulative_count} as of {}",
                        prev_at.to_rfc3339(),
                        at.to_rfc3339()
                    ),
                ));
            }
            Ok(vec![E::SurveyResponsesRecorded {
                group: *group,
                cumulative_count: *cumulative_count,
            }])
        }
        C::RecordJudgements { .. }
        | C::RecordLpmvOutcome { .. }
        | C::RecordModeration { .. }
        | C::RecordQualityAssurance { .. }
        | C::IssueDraftReport { .. }
        | C::ShareReportWithDfe { .. }
        | C::SubmitComments { .. }
        | C::LodgeComplaint { .. }
        | C::AllowLateResponse { .. }
        | C::RespondToComplaint { .. }
        | C::IssueFinalReport { .. }
        | C::PublishReport { .. } => decide_reports::decide(s, &command.body, at, cal),
    }
}

/// R6–R8: plan (idempotent for an identical retry).
fn plan(
    s: &Inspection,
    p: &PlanInspection,
    at: DateTime<Utc>,
    ctx: &DecideContext<'_>,
) -> Result<Vec<E>, DomainError> {
    let cal = ctx.calendar;
    let lp = ctx
        .lead_provider
        .filter(|lp| lp.registered)
        .ok_or_else(|| {
            DomainError::not_found(
                "R6_LEAD_PROVIDER_NOT_REGISTERED",
                format!("lead provider {} is not registered", p.lead_provider_id),
            )
        })?;
    if lp.id != Some(p.lead_provider_id) {
        return Err(DomainError::not_found(
            "R6_LEAD_PROVIDER_NOT_REGISTERED",
            format!("lead provider {} is not registered", p.lead_provider_id),
        ));
    }
    if let Some(c) = p
        .contracts
        .iter()
        .find(|c| !lp.contracts.as_ref().is_some_and(|held| held.contains(*c)))
    {
        return Err(DomainError::rule(
            "R6_CONTRACT_NOT_HELD",
            format!(
                "lead provider {} does not hold the {c} contract",
                p.lead_provider_id
            ),
        ));
    }
    if let Some(c) = p
        .contracts
        .iter()
        .find(|c| !p.framework.contracts().contains(c))
    {
        return Err(DomainError::invalid(
            "contracts",
            "R6_CONTRACT_NOT_IN_FRAMEWORK",
            format!(
                "contract {c} does not exist under framework {}",
                p.framework.as_str()
            ),
        ));
    }
    let fixed = fix_days(cal, p.kind, p.start, p.days.as_ref(), at, "start")?;
    let planned = E::InspectionPlanned {
        inspection_id: p.inspection_id,
        lead_provider_id: p.lead_provider_id,
        kind: p.kind,
        contracts: p.contracts.clone(),
        framework: p.framework,
        days: fixed.days,
        days_exception: fixed.exception,
        calendar_version: cal.version().clone(),
        provisional: fixed.provisional,
    };
    if s.exists() {
        // R8: a retried plan with the caller's id is idempotent; a different plan under the
        // same id is refused.
        let same = s.id == Some(p.inspection_id)
            && s.lead_provider_id == Some(p.lead_provider_id)
            && s.kind == Some(p.kind)
            && s.contracts.as_ref() == Some(&p.contracts)
            && s.version == 1;
        if same
            && let E::InspectionPlanned { days, .. } = &planned
            && *days == s.days
        {
            return Ok(vec![]);
        }
        return Err(DomainError::exists(
            "INSPECTION_EXISTS",
            format!(
                "inspection {} exists already with other details",
                p.inspection_id
            ),
        ));
    }
    Ok(vec![planned])
}

/// The days fixed for a start: default (R8) or given with a reason, all working days.
pub(crate) struct FixedDays {
    pub days: Vec<NaiveDate>,
    pub exception: Option<Text>,
    pub provisional: bool,
}

pub(crate) fn fix_days(
    cal: &Calendar,
    kind: InspectionKind,
    start: NaiveDate,
    given: Option<&PlannedDays>,
    at: DateTime<Utc>,
    field: &str,
) -> Result<FixedDays, DomainError> {
    let days = match given {
        None => schedule::default_days(cal, kind, start).map_err(|e| match e {
            ScheduleError::StartNotWorkingDay { .. } => {
                DomainError::invalid(field, "R8_START_NOT_WORKING_DAY", e.to_string())
            }
            ScheduleError::DaysDoNotFitOneWeek { .. } => {
                DomainError::invalid(field, "R8_DAYS_DO_NOT_FIT_ONE_WEEK", e.to_string())
            }
        })?,
        Some(pd) => {
            check_given_days(cal, kind, start, &pd.days)?;
            pd.days.clone()
        }
    };
    let call_day = schedule::notification_day(cal, start);
    let today = london::date_of(at);
    if call_day < today {
        return Err(DomainError::invalid(
            field,
            "R8_START_TOO_SOON",
            format!(
                "a start on {start} needs the notification call on {call_day} (5 working days before), which is before today {today}"
            ),
        ));
    }
    let end = *days.last().unwrap_or(&start);
    let provisional = cal.is_provisional(call_day)
        || cal
            .add_working_days_dated(end, schedule::FINAL_REPORT_WORKING_DAYS)
            .provisional;
    Ok(FixedDays {
        days,
        exception: given.map(|g| g.reason.clone()),
        provisional,
    })
}

fn check_given_days(
    cal: &Calendar,
    kind: InspectionKind,
    start: NaiveDate,
    days: &[NaiveDate],
) -> Result<(), DomainError> {
    if days.first() != Some(&start) {
        return Err(DomainError::invalid(
            "days.days",
            "R8_DAYS_MUST_BEGIN_WITH_START",
            format!("the days must begin with the start {start}"),
        ));
    }
    if days.len() < kind.survey_close_day() || days.len() > 5 {
        return Err(DomainError::invalid(
            "days.days",
            "R8_DAYS_COUNT",
            format!(
                "a {} needs {} to 5 days; got {}",
                kind.as_str(),
                kind.survey_close_day(),
                days.len()
            ),
        ));
    }
    for (i, d) in days.iter().enumerate() {
        if !cal.is_working_day(*d) {
            return Err(DomainError::invalid(
                format!("days.days[{i}]"),
                "R8_DAY_NOT_WORKING_DAY",
                format!("{d} is not a working day"),
            ));
        }
        if i > 0 && *d <= days[i - 1] {
            return Err(DomainError::invalid(
                format!("days.days[{i}]"),
                "R8_DAYS_NOT_ASCENDING",
                format!("{d} does not come after {}", days[i - 1]),
            ));
        }
    }
    Ok(())
}

/// R9: before the call, rescheduling and cancelling are free; after it, only deferral or pause.
fn before_call(s: &Inspection, what: &str) -> Result<(), DomainError> {
    if s.phase != Phase::Planned {
        return Err(DomainError::rule(
            "R9_AFTER_CALL",
            format!(
                "cannot {what} an inspection that is {}: after the notification call only a deferral (R13) or a pause (R17) changes it",
                s.phase.as_str()
            ),
        ));
    }
    Ok(())
}

/// R10: after 09:30 London, 5 working days before the start — or an override, recorded.
fn check_call_time(
    cal: &Calendar,
    start: NaiveDate,
    at: DateTime<Utc>,
    override_reason: Option<&Text>,
) -> Result<Option<RuleException>, DomainError> {
    let expected = schedule::notification_day(cal, start);
    let earliest = schedule::notification_earliest(cal, start);
    let got_day = london::date_of(at);
    let violation = if got_day != expected {
        Some((
            "R10_CALL_WRONG_DAY",
            format!(
                "notification call must be on {expected} (5 working days before the start {start}); got {got_day}"
            ),
        ))
    } else if at < earliest {
        let local = london::to_local(at);
        Some((
            "R10_CALL_BEFORE_0930",
            format!(
                "notification call must be after 09:30 London on {expected}; got {}",
                local.format("%H:%M %Z")
            ),
        ))
    } else {
        None
    };
    match (violation, override_reason) {
        (None, _) => Ok(None),
        (Some((code, msg)), None) => Err(DomainError::rule(code, msg)),
        (Some((code, _)), Some(reason)) => Ok(Some(RuleException {
            rule: code.to_owned(),
            expected: format!("on {expected} from 09:30 London"),
            reason: reason.clone(),
        })),
    }
}

/// R15/R16.
fn submit_information(
    s: &Inspection,
    sub: &InformationSubmission,
    at: DateTime<Utc>,
    cal: &Calendar,
) -> Result<Vec<E>, DomainError> {
    let item = sub.item;
    let rule15 = item.due_point() == DuePoint::ConversationDay;
    if !s.ever_notified {
        return Err(DomainError::rule(
            if rule15 {
                "R15_BEFORE_CALL"
            } else {
                "R16_BEFORE_CALL"
            },
            "information is submitted through the portal after the notification call",
        ));
    }
    if s.phase == Phase::Ended {
        return Err(DomainError::rule(
            "R16_INSPECTION_ENDED",
            "the inspection has ended; no more information is taken",
        ));
    }
    let contracts = s
        .contracts
        .as_ref()
        .ok_or_else(|| DomainError::not_found("INSPECTION_NOT_FOUND", "no such inspection"))?;
    if !item.required_for(contracts) {
        return Err(DomainError::invalid(
            "item",
            if rule15 {
                "R15_ITEM_NOT_IN_SCOPE"
            } else {
                "R16_ITEM_NOT_IN_SCOPE"
            },
            format!(
                "{} is not asked for: the inspection covers {contracts}",
                item.as_str()
            ),
        ));
    }
    match (item.structured_shape(), &sub.structured) {
        (Some(shape), None) => {
            return Err(DomainError::invalid(
                "structured",
                "R15_STRUCTURED_DATA_REQUIRED",
                format!("{} needs structured data of shape {shape}", item.as_str()),
            ));
        }
        (Some(shape), Some(info)) if info.shape() != shape => {
            return Err(DomainError::invalid(
                "structured",
                "R15_STRUCTURED_SHAPE_MISMATCH",
                format!(
                    "{} needs structured data of shape {shape}; got {}",
                    item.as_str(),
                    info.shape()
                ),
            ));
        }
        (None, Some(info)) => {
            return Err(DomainError::invalid(
                "structured",
                "R15_STRUCTURED_DATA_NOT_EXPECTED",
                format!(
                    "{} takes documents or a note, not structured data ({})",
                    item.as_str(),
                    info.shape()
                ),
            ));
        }
        (Some(_), Some(info)) => info.check()?,
        (None, None) => {}
    }
    if sub.none_exists {
        if !item.may_declare_none_exists() {
            return Err(DomainError::invalid(
                "none_exists",
                "R16_NONE_EXISTS_NOT_ALLOWED",
                format!(
                    "only pre-existing evidence due by the start (R16) may be declared none exists; {} is R15",
                    item.as_str()
                ),
            ));
        }
        if !sub.documents.is_empty() {
            return Err(DomainError::invalid(
                "documents",
                "R16_NONE_EXISTS_WITH_DOCUMENTS",
                "a submission declaring none exists cannot also reference documents",
            ));
        }
    } else if sub.structured.is_none() && sub.documents.is_empty() && sub.note.is_none() {
        return Err(DomainError::invalid(
            "documents",
            if rule15 {
                "R15_SUBMISSION_EMPTY"
            } else {
                "R16_SUBMISSION_EMPTY"
            },
            "give structured data, documents or a note, or declare none exists (R16 items)",
        ));
    }
    let due_at = match item.due_point() {
        DuePoint::ConversationDay => s
            .call
            .as_ref()
            .map(|c| london::end_of_day(london::date_of(c.at)))
            .or_else(|| {
                s.start()
                    .map(|d| london::end_of_day(schedule::notification_day(cal, d)))
            }),
        DuePoint::Start => s.start_instant(),
    };
    let version = s.submissions.get(&item).map_or(0, Vec::len) as u32 + 1;
    Ok(vec![E::InformationSubmitted {
        item,
        item_version: version,
        structured: sub.structured.clone(),
        documents: sub.documents.clone(),
        note: sub.note.clone(),
        none_exists: sub.none_exists,
        due_at,
        late: due_at.is_some_and(|d| at > d),
    }])
}

/// R17, R21: resume with new dates for the remaining days.
fn resume(
    s: &Inspection,
    remaining: &[NaiveDate],
    at: DateTime<Utc>,
    cal: &Calendar,
) -> Result<Vec<E>, DomainError> {
    if s.phase != Phase::Paused {
        return Err(DomainError::rule(
            "R17_NOT_PAUSED",
            format!(
                "only a paused inspection can be resumed; inspection is {}",
                s.phase.as_str()
            ),
        ));
    }
    let pause = s
        .pauses
        .last()
        .ok_or_else(|| DomainError::rule("R17_NOT_PAUSED", "no pause recorded"))?;
    let begun = pause.days_begun as usize;
    let expected = s.days.len().saturating_sub(begun);
    if remaining.len() != expected {
        return Err(DomainError::invalid(
            "remaining_days",
            "R17_RESUME_DAYS_COUNT",
            format!(
                "{begun} of {} days had begun at the pause, so {expected} remaining days are needed; got {}",
                s.days.len(),
                remaining.len()
            ),
        ));
    }
    let paused_on = london::date_of(pause.at);
    let today = london::date_of(at);
    for (i, d) in remaining.iter().enumerate() {
        let field = format!("remaining_days[{i}]");
        if !cal.is_working_day(*d) {
            return Err(DomainError::invalid(
                field,
                "R17_RESUME_DAY_NOT_WORKING_DAY",
                format!("{d} is not a working day"),
            ));
        }
        if *d <= paused_on || *d < today {
            return Err(DomainError::invalid(
                field,
                "R17_RESUME_DAY_TOO_EARLY",
                format!("{d} must be after the pause on {paused_on} and not before today {today}"),
            ));
        }
        if i > 0 && *d <= remaining[i - 1] {
            return Err(DomainError::invalid(
                field,
                "R17_RESUME_DAYS_NOT_ASCENDING",
                format!("{d} does not come after {}", remaining[i - 1]),
            ));
        }
    }
    let mut days: Vec<NaiveDate> = s.days[..begun.min(s.days.len())].to_vec();
    days.extend_from_slice(remaining);
    let kind = s.kind.unwrap_or(InspectionKind::Full);
    let survey_closes_at = match &s.survey {
        Some(w) if w.cancelled_at.is_none() && w.closes_at.is_none() => {
            schedule::survey_close(kind, &days).map(|c| c.max(at))
        }
        _ => None,
    };
    Ok(vec![E::InspectionResumed {
        days,
        survey_closes_at,
    }])
}

fn check_groups(groups: &[StakeholderGroup]) -> Result<(), DomainError> {
    if groups.is_empty() {
        return Err(DomainError::invalid(
            "groups",
            "R21_NO_GROUPS",
            "name at least one stakeholder group",
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, g) in groups.iter().enumerate() {
        if !seen.insert(*g) {
            return Err(DomainError::invalid(
                format!("groups[{i}]"),
                "R21_DUPLICATE_GROUP",
                format!("group {g:?} is listed twice"),
            ));
        }
    }
    Ok(())
}

fn not_on_site(s: &Inspection, what: &str) -> DomainError {
    DomainError::rule(
        "R17_NOT_ON_SITE",
        format!("cannot {what}: the inspection is {}", s.phase.as_str()),
    )
}

fn concern_not_found(id: crate::ids::ConcernId) -> DomainError {
    DomainError::not_found(
        "R19_CONCERN_NOT_FOUND",
        format!("no concern {id} on this inspection"),
    )
}
