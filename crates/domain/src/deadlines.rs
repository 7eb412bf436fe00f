//! Deadlines (R29, R30) as a pure function of an inspection's events, the calendar and an
//! `as_of` instant.
//!
//! Status follows the clock: a deadline becomes missed with no new event. `as_of` in the past
//! shows the status as the system knew it then: only events *recorded* by `as_of` count, and
//! "met at T" uses their `occurred_at` (R5).

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::evidence::{DuePoint, EvidenceItem};
use crate::inspection::commands::DeferralDecision;
use crate::inspection::events::{InspectionEvent, InspectionEventBody};
use crate::inspection::state::{Inspection, Phase, evolve};
use crate::kind::InspectionKind;
use crate::london;
use crate::schedule;
use crate::values::{LpmvOutcome, ReportKey};

/// Which deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// R10: the notification call, on its day from 09:30.
    NotificationCall,
    /// R15: preparation information by the end of the call day.
    PreparationInformation,
    /// R16: start information by 09:00 London on day 1 [D].
    StartInformation,
    /// R13: the window for a deferral request, call → start.
    DeferralRequestWindow,
    /// R20: the stakeholder surveys close.
    SurveyClose,
    /// R19: follow-up call on the working day after the end.
    FollowUpCall,
    /// R25: draft report, end + 18 WD.
    DraftReport,
    /// R27: comments / complaint window, draft + 5 WD.
    CommentWindow,
    /// R28: final report, end + 30 WD.
    FinalReport,
    /// R30: the provider's next inspection.
    NextInspection,
}

impl DeadlineKind {
    /// The rule that sets it.
    pub fn rule(self) -> &'static str {
        match self {
            DeadlineKind::NotificationCall => "R10",
            DeadlineKind::PreparationInformation => "R15",
            DeadlineKind::StartInformation => "R16",
            DeadlineKind::DeferralRequestWindow => "R13",
            DeadlineKind::SurveyClose => "R20",
            DeadlineKind::FollowUpCall => "R19",
            DeadlineKind::DraftReport => "R25",
            DeadlineKind::CommentWindow => "R27",
            DeadlineKind::FinalReport => "R28",
            DeadlineKind::NextInspection => "R30",
        }
    }

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::NotificationCall => "notification_call",
            DeadlineKind::PreparationInformation => "preparation_information",
            DeadlineKind::StartInformation => "start_information",
            DeadlineKind::DeferralRequestWindow => "deferral_request_window",
            DeadlineKind::SurveyClose => "survey_close",
            DeadlineKind::FollowUpCall => "follow_up_call",
            DeadlineKind::DraftReport => "draft_report",
            DeadlineKind::CommentWindow => "comment_window",
            DeadlineKind::FinalReport => "final_report",
            DeadlineKind::NextInspection => "next_inspection",
        }
    }
}

/// Where a deadline stands at `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum DeadlineStatus {
    /// Not yet due, not yet done.
    Pending,
    /// Done in time, at `at`.
    Met {
        /// When it was done.
        at: DateTime<Utc>,
    },
    /// Past due and not done in time; `completed_at` when it was done late.
    Missed {
        /// When it was done late, if it was.
        completed_at: Option<DateTime<Utc>>,
    },
    /// A window (deferral requests, comments, surveys) that has passed unused or closed.
    Closed,
    /// R14: replaced by a granted deferral's new dates (or a cancellation).
    Superseded,
}

impl DeadlineStatus {
    /// Wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            DeadlineStatus::Pending => "pending",
            DeadlineStatus::Met { .. } => "met",
            DeadlineStatus::Missed { .. } => "missed",
            DeadlineStatus::Closed => "closed",
            DeadlineStatus::Superseded => "superseded",
        }
    }
}

/// One deadline of an inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// Which.
    pub kind: DeadlineKind,
    /// The rule (e.g. `R10`).
    pub rule: String,
    /// The report it concerns (R25, R27, R28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportKey>,
    /// The notification cycle it belongs to (0, then +1 per granted deferral).
    pub cycle: u32,
    /// When the window opens, for windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<DateTime<Utc>>,
    /// When it is due (R4: end of the London day for date-only deadlines).
    pub due_at: DateTime<Utc>,
    /// Where it stands.
    #[serde(flatten)]
    pub status: DeadlineStatus,
    /// R2: computed with provisional bank holidays.
    pub provisional: bool,
}

/// Every deadline of one inspection as of `as_of`.
pub fn deadlines(
    events: &[InspectionEvent],
    cal: &Calendar,
    as_of: DateTime<Utc>,
) -> Vec<Deadline> {
    let mut state = Inspection::default();
    let mut out = Vec::new();
    for e in events.iter().filter(|e| e.recorded_at <= as_of) {
        let granted = matches!(
            &e.body,
            InspectionEventBody::DeferralDecided {
                decision: DeferralDecision::Granted { .. },
                ..
            }
        );
        if granted {
            out.extend(supersede(cycle_deadlines(&state, cal, as_of)));
        }
        state = evolve(state, e);
    }
    let current = cycle_deadlines(&state, cal, as_of);
    if state.phase == Phase::Cancelled {
        out.extend(supersede(current));
    } else {
        out.extend(current);
    }
    out
}

/// The deadlines of a state's current cycle, as of `as_of`.
pub fn cycle_deadlines(s: &Inspection, cal: &Calendar, as_of: DateTime<Utc>) -> Vec<Deadline> {
    let mut out = Vec::new();
    let (Some(start), Some(kind)) = (s.start(), s.kind) else {
        return out;
    };
    let provisional = s.provisional;
    let mk = |kind: DeadlineKind, report, opens_at, due_at, status| Deadline {
        kind,
        rule: kind.rule().to_owned(),
        report,
        cycle: s.cycle,
        opens_at,
        due_at,
        status,
        provisional,
    };
    let call_day = schedule::notification_day(cal, start);
    let call_due = london::end_of_day(call_day);
    out.push(mk(
        DeadlineKind::NotificationCall,
        None,
        Some(schedule::notification_earliest(cal, start)),
        call_due,
        obligation(s.call.as_ref().map(|c| c.at), call_due, as_of),
    ));
    let prep_due = london::end_of_day(s.call.as_ref().map_or(call_day, |c| london::date_of(c.at)));
    out.push(mk(
        DeadlineKind::PreparationInformation,
        None,
        None,
        prep_due,
        obligation(
            items_complete_at(s, DuePoint::ConversationDay),
            prep_due,
            as_of,
        ),
    ));
    let start_at = london::at(start, 9, 0);
    out.push(mk(
        DeadlineKind::StartInformation,
        None,
        None,
        start_at,
        obligation(items_complete_at(s, DuePoint::Start), start_at, as_of),
    ));
    let requested = s.call.as_ref().and_then(|c| {
        s.deferrals
            .iter()
            .find(|d| d.requested_at >= c.at)
            .map(|d| d.requested_at)
    });
    let started = s.started_at.is_some();
    out.push(mk(
        DeadlineKind::DeferralRequestWindow,
        None,
        s.call.as_ref().map(|c| c.at),
        start_at,
        window(requested, start_at, as_of, started),
    ));
    // R21: a window cancelled by a granted deferral belongs to the superseded cycle (listed
    // there); until the new call opens a new one, this cycle's close follows the new dates.
    let survey = s.survey.as_ref().filter(|w| w.cancelled_at.is_none());
    let survey_due = survey
        .and_then(|w| w.closes_at)
        .or_else(|| schedule::survey_close(kind, &s.days));
    if let Some(due) = survey_due {
        let status = match survey {
            Some(w) if w.closes_at.is_none() => DeadlineStatus::Pending,
            _ if as_of >= due => DeadlineStatus::Closed,
            _ => DeadlineStatus::Pending,
        };
        out.push(mk(
            DeadlineKind::SurveyClose,
            None,
            survey.map(|w| w.opens_at),
            due,
            status,
        ));
    }
    let end = s.ended.map(|(d, _)| d).or(s.last_day()).unwrap_or(start);
    let follow_due = london::end_of_day(schedule::follow_up_call_day(cal, end));
    out.push(mk(
        DeadlineKind::FollowUpCall,
        None,
        None,
        follow_due,
        obligation(s.follow_up_call_at, follow_due, as_of),
    ));
    for key in s.report_keys() {
        let r = s.reports.get(&key).cloned().unwrap_or_default();
        let draft_due = london::end_of_day(schedule::draft_report_due(cal, end));
        out.push(mk(
            DeadlineKind::DraftReport,
            Some(key),
            None,
            draft_due,
            obligation(r.draft.as_ref().map(|d| d.issued_at), draft_due, as_of),
        ));
        if let Some(d) = &r.draft {
            let close = london::end_of_day(d.comments_close);
            let first_response = r
                .comments_at
                .iter()
                .copied()
                .chain(
                    s.complaints
                        .values()
                        .filter(|c| c.report == key)
                        .map(|c| c.lodged_at),
                )
                .min();
            out.push(mk(
                DeadlineKind::CommentWindow,
                Some(key),
                Some(d.issued_at),
                close,
                window(first_response, close, as_of, r.final_report.is_some()),
            ));
        }
        let final_due = london::end_of_day(schedule::final_report_due(cal, end));
        out.push(mk(
            DeadlineKind::FinalReport,
            Some(key),
            None,
            final_due,
            obligation(
                r.final_report.as_ref().map(|f| f.issued_at),
                final_due,
                as_of,
            ),
        ));
    }
    if let Some(due) = next_inspection_due(s) {
        out.push(mk(
            DeadlineKind::NextInspection,
            None,
            None,
            due,
            DeadlineStatus::Pending,
        ));
    }
    out
}

/// R30: when the provider's next inspection is due after this one, once its outcome is known:
/// within 12 months of the end after an LPMV "not effective" or a full inspection with any
/// grade 3 or 4; otherwise, after a full inspection, by 31 August of the second academic year
/// after the one in which it ended. An effective LPMV sets no deadline.
pub fn next_inspection_due(s: &Inspection) -> Option<DateTime<Utc>> {
    let (end, _) = s.ended?;
    let within_12_months = match s.kind? {
        InspectionKind::Lpmv => match s.lpmv_outcome? {
            LpmvOutcome::NotEffective => true,
            LpmvOutcome::Effective => return None,
        },
        InspectionKind::Full => {
            let contracts = s.contracts.as_ref()?;
            if contracts.iter().any(|c| !s.judgements.contains_key(&c)) {
                return None;
            }
            s.judgements.values().any(|g| g.any_below_good())
        }
    };
    let date = if within_12_months {
        end.checked_add_months(Months::new(12))?
    } else {
        // Academic years run 1 September – 31 August.
        let academic_year_end = if end.month() >= 9 {
            end.year() + 1
        } else {
            end.year()
        };
        NaiveDate::from_ymd_opt(academic_year_end + 2, 8, 31)?
    };
    Some(london::end_of_day(date))
}

/// R30 per provider: the next-inspection deadline from the latest ended inspection with an
/// outcome, met when a later inspection of the provider starts.
pub fn provider_next_inspection(
    inspections: &[Inspection],
    as_of: DateTime<Utc>,
) -> Option<Deadline> {
    let latest = inspections
        .iter()
        .filter(|i| next_inspection_due(i).is_some())
        .max_by_key(|i| i.ended.map(|(_, at)| at))?;
    let due = next_inspection_due(latest)?;
    let ended_at = latest.ended.map(|(_, at)| at)?;
    let next_start = inspections
        .iter()
        .filter_map(|i| i.started_at)
        .filter(|t| *t > ended_at)
        .min();
    Some(Deadline {
        kind: DeadlineKind::NextInspection,
        rule: DeadlineKind::NextInspection.rule().to_owned(),
        report: None,
        cycle: latest.cycle,
        opens_at: None,
        due_at: due,
        status: obligation(next_start, due, as_of),
        provisional: false,
    })
}

fn obligation(
    done_at: Option<DateTime<Utc>>,
    due: DateTime<Utc>,
    as_of: DateTime<Utc>,
) -> DeadlineStatus {
    match done_at {
        Some(at) if at <= due => DeadlineStatus::Met { at },
        Some(at) => DeadlineStatus::Missed {
            completed_at: Some(at),
        },
        None if as_of > due => DeadlineStatus::Missed { completed_at: None },
        None => DeadlineStatus::Pending,
    }
}

fn window(
    used_at: Option<DateTime<Utc>>,
    due: DateTime<Utc>,
    as_of: DateTime<Utc>,
    over: bool,
) -> DeadlineStatus {
    match used_at {
        Some(at) => DeadlineStatus::Met { at },
        None if over || as_of > due => DeadlineStatus::Closed,
        None => DeadlineStatus::Pending,
    }
}

/// When every required item of a due point had its first submission, if all have.
fn items_complete_at(s: &Inspection, point: DuePoint) -> Option<DateTime<Utc>> {
    let contracts = s.contracts.as_ref()?;
    EvidenceItem::ALL
        .iter()
        .filter(|i| i.due_point() == point && i.required_for(contracts))
        .map(|i| s.submissions.get(i).and_then(|v| v.first()).map(|r| r.at))
        .try_fold(None::<DateTime<Utc>>, |acc, at| {
            at.map(|at| Some(acc.map_or(at, |a| a.max(at))))
        })
        .flatten()
}

fn supersede(ds: Vec<Deadline>) -> impl Iterator<Item = Deadline> {
    ds.into_iter().map(|mut d| {
        if !matches!(d.status, DeadlineStatus::Met { .. }) {
            d.status = DeadlineStatus::Superseded;
        }
        d
    })
}
