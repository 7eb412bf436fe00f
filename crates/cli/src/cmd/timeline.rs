//! `inspectionctl timeline`: the standard timeline of an inspection, for planning.
//!
//! The same `domain::schedule::standard_timeline` the server uses, printed for people (London
//! times with their zone) or as JSON for scripts (instants in RFC 3339 UTC).

use std::io::Write;

use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use domain::calendar::Calendar;
use domain::kind::InspectionKind;
use domain::london;
use domain::schedule::{self, Timeline};

use super::args;

/// Show when the notification call, days on site, survey close and report deadlines fall.
///
/// The days on site are the usual number of consecutive working days from START (4 for a
/// full inspection, 3 for an LPMV), all in START's Monday–Friday week (R8). The call is
/// made from 09:30 London, 5 working days before START (R10). Surveys close at 09:00
/// London on day 3 (full) or day 2 (LPMV) (R20). The follow-up call is the working day
/// after the end (R19); the draft report is due 18 and the final report 30 working days
/// after the end (R25, R28).
///
/// Fails (non-zero exit, reason on stderr) if START is not a working day or the days do
/// not fit in one week, for example when a bank holiday pushes a day into the next week.
#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Kind of inspection.
    #[arg(long, value_enum)]
    pub kind: args::KindArg,
    /// First day on site, YYYY-MM-DD.
    #[arg(long, value_parser = args::date)]
    pub start: NaiveDate,
    /// Set from the global `--json`: one JSON object (instants as RFC 3339 UTC).
    #[arg(skip)]
    pub json: bool,
}

pub fn run(cal: &Calendar, a: TimelineArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let kind = InspectionKind::from(a.kind);
    let t = schedule::standard_timeline(cal, kind, a.start)
        .map_err(|e| anyhow::anyhow!("cannot give a standard timeline: {e}"))?;
    if a.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&t)?)?;
    } else {
        write_text(cal, &t, out)?;
    }
    Ok(())
}

fn write_text(cal: &Calendar, t: &Timeline, out: &mut impl Write) -> anyhow::Result<()> {
    let title = match t.kind {
        InspectionKind::Full => "Full inspection",
        InspectionKind::Lpmv => "LPMV (lead provider monitoring visit)",
    };
    let days: Vec<String> = t.inspection_days.iter().map(|d| day(*d)).collect();
    // Rule numbers lead each row so a reader can look the rule up in DOMAIN.md; the
    // explanation of each offset is in `--help`.
    let rows = [
        (
            "R10",
            "notification call",
            format!(
                "{} from {}",
                day(t.notification_day),
                clock(t.notification_earliest)
            ),
        ),
        ("R8", "inspection days", days.join(", ")),
        (
            "R20",
            "surveys close",
            format!(
                "{} {}",
                day(london::date_of(t.survey_close)),
                clock(t.survey_close)
            ),
        ),
        ("R19", "follow-up call", day(t.follow_up_call_day)),
        ("R25", "draft report due", day(t.draft_report_due)),
        ("R28", "final report due", day(t.final_report_due)),
    ];
    writeln!(out, "{title} starting {}", day(t.start))?;
    for (rule, label, value) in rows {
        writeln!(out, "  {rule:<4} {label:<18} {value}")?;
    }
    if t.provisional {
        writeln!(out, "{}", super::provisional_note(cal))?;
    }
    writeln!(out, "{}", super::describe_version(cal))?;
    Ok(())
}

fn day(d: NaiveDate) -> String {
    d.format("%a %Y-%m-%d").to_string()
}

/// London wall-clock time with its zone, e.g. "09:30 GMT" or "09:00 BST".
fn clock(t: DateTime<Utc>) -> String {
    london::to_local(t).format("%H:%M %Z").to_string()
}
