//! Read models as text, London time: what the demo prints at each stage.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use proto::pb;

use crate::journey::instant;

/// An instant in London time, e.g. `Wed 2027-01-13 09:00 GMT`.
pub fn london(t: DateTime<Utc>) -> String {
    domain::london::to_local(t)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

fn when(t: &Option<prost_types::Timestamp>) -> String {
    instant(t).map(london).unwrap_or_else(|| "-".into())
}

fn strip<'a>(name: &'a str, prefix: &str) -> &'a str {
    name.strip_prefix(prefix).unwrap_or(name)
}

fn state(n: i32) -> String {
    pb::InspectionState::try_from(n)
        .map(|s| strip(s.as_str_name(), "INSPECTION_STATE_").to_lowercase())
        .unwrap_or_else(|_| n.to_string())
}

/// The summary in one line.
pub fn summary(s: &pb::InspectionSummary) -> String {
    format!(
        "state {}, cycle {}, days [{}]{}{}, version {}",
        state(s.state),
        s.cycle,
        s.planned_days.join(", "),
        if s.started_on.is_empty() {
            String::new()
        } else {
            format!(", started {}", s.started_on)
        },
        if s.ended_on.is_empty() {
            String::new()
        } else {
            format!(", ended {}", s.ended_on)
        },
        s.version
    )
}

/// The deadlines as a table.
pub fn deadlines(ds: &[pb::Deadline]) -> String {
    let mut out = String::new();
    for d in ds {
        let kind = pb::DeadlineKind::try_from(d.kind)
            .map(|k| strip(k.as_str_name(), "DEADLINE_KIND_").to_lowercase())
            .unwrap_or_default();
        let status = pb::DeadlineStatus::try_from(d.status)
            .map(|k| strip(k.as_str_name(), "DEADLINE_STATUS_").to_lowercase())
            .unwrap_or_default();
        let report = pb::ReportKey::try_from(d.report)
            .ok()
            .filter(|r| *r != pb::ReportKey::Unspecified)
            .map(|r| format!(" {}", strip(r.as_str_name(), "REPORT_KEY_").to_lowercase()))
            .unwrap_or_default();
        let done = match (instant(&d.met_at), instant(&d.completed_at)) {
            (Some(t), _) => format!(" at {}", london(t)),
            (None, Some(t)) => format!(" (done {})", london(t)),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "    {:<4} {:<28} c{} due {:<26} {}{}{}",
            d.rule,
            format!("{kind}{report}"),
            d.cycle,
            when(&d.due_at),
            status,
            done,
            if d.provisional { " (provisional)" } else { "" }
        );
    }
    out
}

/// The survey window in one line.
pub fn survey(w: &pb::SurveyWindow) -> String {
    let status = pb::SurveyStatus::try_from(w.status)
        .map(|s| strip(s.as_str_name(), "SURVEY_STATUS_").to_lowercase())
        .unwrap_or_default();
    let responses: Vec<String> = w
        .responses
        .iter()
        .map(|r| {
            let g = pb::StakeholderGroup::try_from(r.group)
                .map(|g| strip(g.as_str_name(), "STAKEHOLDER_GROUP_").to_lowercase())
                .unwrap_or_default();
            format!("{g} {}", r.cumulative_count)
        })
        .collect();
    format!(
        "{status}: opens {}, closes {}; links sent to {} groups; responses [{}]",
        when(&w.opens_at),
        when(&w.closes_at),
        w.links_sent.len(),
        responses.join(", ")
    )
}

/// Each report's status, one line each.
pub fn reports(rs: &[pb::ReportStatus]) -> String {
    let mut out = String::new();
    for r in rs {
        let key = pb::ReportKey::try_from(r.report)
            .map(|k| strip(k.as_str_name(), "REPORT_KEY_").to_lowercase())
            .unwrap_or_default();
        let progress = pb::ReportProgress::try_from(r.progress)
            .map(|p| strip(p.as_str_name(), "REPORT_PROGRESS_").to_lowercase())
            .unwrap_or_default();
        let outcome = match (&r.grades, pb::LpmvOutcome::try_from(r.outcome)) {
            (Some(g), _) => format!(
                " grades {}/{}/{}",
                g.overall_effectiveness, g.quality_of_training, g.leadership_and_management
            ),
            (None, Ok(o)) if o != pb::LpmvOutcome::Unspecified => {
                format!(
                    " {}",
                    strip(o.as_str_name(), "LPMV_OUTCOME_").to_lowercase()
                )
            }
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "    {key:<11} {progress:<18}{outcome}; draft due {} ; comments close {} ; final due {}{}{}{}",
            dash(&r.draft_due),
            dash(&r.comments_close),
            dash(&r.final_due),
            if r.shared_with_dfe.is_empty() {
                String::new()
            } else {
                format!("; shared with DfE x{}", r.shared_with_dfe.len())
            },
            if r.complaint_holding_publication {
                "; complaint holds publication"
            } else {
                ""
            },
            instant(&r.published_at)
                .map(|t| format!("; published {}", london(t)))
                .unwrap_or_default(),
        );
    }
    out
}

fn dash(s: &str) -> &str {
    if s.is_empty() { "-" } else { s }
}
