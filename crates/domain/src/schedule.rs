//! The standard timeline of an inspection (R8, R10, R20, R19, R25, R27, R28).
//!
//! Pure arithmetic over a [`Calendar`]: given a kind and a start date, where the call, the
//! days on site, the survey close and the report deadlines normally fall. The aggregate
//! uses these to plan and to list deadlines; the CLI prints them. Each rule's offset lives
//! in exactly one function here, so changing a rule is a one-line edit.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarVersion};
use crate::kind::InspectionKind;
use crate::london;

/// R10: the notification call is this many working days before the start.
pub const NOTIFICATION_WORKING_DAYS: i32 = 5;
/// R10: the call may be made from this London time.
pub const NOTIFICATION_FROM: (u32, u32) = (9, 30);
/// R20: surveys close at this London time on day 2 (LPMV) or day 3 (full).
pub const SURVEY_CLOSE_AT: (u32, u32) = (9, 0);
/// R25: the draft report normally goes out within this many working days of the end.
pub const DRAFT_REPORT_WORKING_DAYS: i32 = 18;
/// R27: the provider may comment or complain for this many working days after the draft.
pub const COMMENT_WINDOW_WORKING_DAYS: i32 = 5;
/// R28: the final report normally goes out within this many working days of the end.
pub const FINAL_REPORT_WORKING_DAYS: i32 = 30;

/// Why a standard timeline cannot be produced; messages name the dates involved.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ScheduleError {
    /// The start itself is a weekend day or a bank holiday.
    #[error("start {} is not a working day ({reason})", fmt_day(*start))]
    StartNotWorkingDay { start: NaiveDate, reason: String },
    /// R8: the standard days would spill past the Friday of the start's week.
    #[error(
        "a {kind} inspection needs {needed} consecutive working days from {} within one Mon–Fri week, \
         but day {day_number} would be {}, after Fri {week_end}{}",
        fmt_day(*start),
        fmt_day(*spilled_to),
        fmt_holidays(holidays_in_week)
    )]
    DaysDoNotFitOneWeek {
        kind: &'static str,
        start: NaiveDate,
        needed: usize,
        /// 1-based number of the first day that falls outside the week.
        day_number: usize,
        spilled_to: NaiveDate,
        week_end: NaiveDate,
        /// Bank holidays in the start's Mon–Fri week, each as "YYYY-MM-DD title".
        holidays_in_week: Vec<String>,
    },
}

/// R8: `kind.standard_days()` consecutive working days from `start`, all in start's
/// Mon–Fri week. A plan with other days is an exception the caller records with a reason.
pub fn default_days(
    cal: &Calendar,
    kind: InspectionKind,
    start: NaiveDate,
) -> Result<Vec<NaiveDate>, ScheduleError> {
    if !cal.is_working_day(start) {
        let reason = match cal.bank_holiday(start) {
            Some(h) => format!("bank holiday: {}", h.title),
            None => format!("a {}", start.format("%A")),
        };
        return Err(ScheduleError::StartNotWorkingDay { start, reason });
    }
    let monday = start - chrono::Days::new(u64::from(start.weekday().num_days_from_monday()));
    let friday = monday + chrono::Days::new(4);
    let needed = kind.standard_days();
    let mut days = Vec::with_capacity(needed);
    let mut day = start;
    for number in 1..=needed {
        if day > friday {
            return Err(ScheduleError::DaysDoNotFitOneWeek {
                kind: kind.as_str(),
                start,
                needed,
                day_number: number,
                spilled_to: day,
                week_end: friday,
                holidays_in_week: cal
                    .bank_holidays_between(monday, friday)
                    .into_iter()
                    .map(|h| format!("{} {}", h.date, h.title))
                    .collect(),
            });
        }
        days.push(day);
        day = cal.next_working_day(day);
    }
    Ok(days)
}

/// R3/R10: the day N with `add_working_days(N, 5) == start`. For a start that is not a
/// working day no such N exists; the result is then the notification day of the next
/// working day after it (counting back passes over non-working days without counting them).
pub fn notification_day(cal: &Calendar, start: NaiveDate) -> NaiveDate {
    cal.add_working_days(start, -NOTIFICATION_WORKING_DAYS)
}

/// R10: the call may be made from 09:30 London on the notification day.
pub fn notification_earliest(cal: &Calendar, start: NaiveDate) -> DateTime<Utc> {
    let (h, m) = NOTIFICATION_FROM;
    london::at(notification_day(cal, start), h, m)
}

/// R20: 09:00 London on day `kind.survey_close_day()` of `days`; `None` if there are fewer.
pub fn survey_close(kind: InspectionKind, days: &[NaiveDate]) -> Option<DateTime<Utc>> {
    let (h, m) = SURVEY_CLOSE_AT;
    let day = days.get(kind.survey_close_day().checked_sub(1)?)?;
    Some(london::at(*day, h, m))
}

/// R19: the follow-up call is on the working day after the end.
pub fn follow_up_call_day(cal: &Calendar, end: NaiveDate) -> NaiveDate {
    cal.next_working_day(end)
}

/// R25: the draft report is normally due 18 working days after the end.
pub fn draft_report_due(cal: &Calendar, end: NaiveDate) -> NaiveDate {
    cal.add_working_days(end, DRAFT_REPORT_WORKING_DAYS)
}

/// R28: the final report is normally due 30 working days after the end.
pub fn final_report_due(cal: &Calendar, end: NaiveDate) -> NaiveDate {
    cal.add_working_days(end, FINAL_REPORT_WORKING_DAYS)
}

/// R27: comments and complaints are accepted until 5 working days after the draft.
pub fn comment_window_end(cal: &Calendar, draft_issued: NaiveDate) -> NaiveDate {
    cal.add_working_days(draft_issued, COMMENT_WINDOW_WORKING_DAYS)
}

/// The standard timeline for an inspection of `kind` starting on `start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    pub kind: InspectionKind,
    pub start: NaiveDate,
    pub notification_day: NaiveDate,
    pub notification_earliest: DateTime<Utc>,
    pub inspection_days: Vec<NaiveDate>,
    pub survey_close: DateTime<Utc>,
    pub follow_up_call_day: NaiveDate,
    pub draft_report_due: NaiveDate,
    pub final_report_due: NaiveDate,
    /// Some date here came from R2 rules beyond the calendar data.
    pub provisional: bool,
    pub calendar_version: CalendarVersion,
}

/// R8, R10, R19, R20, R25, R28 together, for the default days of `kind` from `start`.
pub fn standard_timeline(
    cal: &Calendar,
    kind: InspectionKind,
    start: NaiveDate,
) -> Result<Timeline, ScheduleError> {
    let inspection_days = default_days(cal, kind, start)?;
    let end = *inspection_days.last().unwrap_or(&start);
    // kind.rs keeps survey_close_day() within standard_days(); a test pins that for each kind.
    let survey_close = survey_close(kind, &inspection_days)
        .expect("the survey close day is one of the standard days");
    let notification_day = notification_day(cal, start);
    let final_report_due = final_report_due(cal, end);
    // Every walk lies between the notification day and the final report, and provisional
    // years lie outside one contiguous range, so the two extremes decide.
    let provisional = cal.is_provisional(notification_day) || cal.is_provisional(final_report_due);
    Ok(Timeline {
        kind,
        start,
        notification_day,
        notification_earliest: notification_earliest(cal, start),
        survey_close,
        follow_up_call_day: follow_up_call_day(cal, end),
        draft_report_due: draft_report_due(cal, end),
        final_report_due,
        inspection_days,
        provisional,
        calendar_version: cal.version().clone(),
    })
}

fn fmt_day(d: NaiveDate) -> String {
    d.format("%a %Y-%m-%d").to_string()
}

fn fmt_holidays(holidays: &[String]) -> String {
    if holidays.is_empty() {
        String::new()
    } else {
        format!(" (bank holidays that week: {})", holidays.join(", "))
    }
}

#[cfg(test)]
mod tests;
