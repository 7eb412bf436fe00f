//! The read side: `get`, `list`, `deadlines`, `survey-window`, `reports`, `checklist` and
//! `watch`, one per query RPC, printed as tables (London times) or `--json`.

use chrono::{DateTime, Utc};
use clap::Subcommand;
use futures::StreamExt;
use proto::pb;

use super::args::{self, DeadlineStatusArg, KindArg, ProgressArg, ReportArg, StateArg};
use super::ctx::{Ctx, call};
use super::output::{Table, enum_name, london, or_dash, timestamp};

#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// Show one inspection's summary.
    ///
    /// Example: inspectionctl get -i 0190…
    #[command(verbatim_doc_comment)]
    Get {
        #[arg(long, short = 'i', value_parser = args::uuid)]
        inspection: String,
    },
    /// List inspections, filtered (every page is fetched).
    ///
    /// Example: inspectionctl list --lead-provider $LP --state on-site
    #[command(verbatim_doc_comment)]
    List {
        #[arg(long, value_parser = args::uuid)]
        lead_provider: Option<String>,
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        #[arg(long, value_enum)]
        state: Option<StateArg>,
    },
    /// Deadlines (R29): of one inspection, or across inspections with filters.
    ///
    /// Examples:
    ///   inspectionctl deadlines -i $ID
    ///   inspectionctl deadlines --status missed
    ///   inspectionctl deadlines --due-before 2027-02-01T00:00:00Z --as-of 2027-01-20T12:00:00Z
    #[command(verbatim_doc_comment)]
    Deadlines {
        /// One inspection (else every inspection, filtered).
        #[arg(long, short = 'i', value_parser = args::uuid, conflicts_with_all = ["lead_provider", "statuses", "due_before"])]
        inspection: Option<String>,
        #[arg(long, value_parser = args::uuid)]
        lead_provider: Option<String>,
        /// Only these statuses (repeatable).
        #[arg(long = "status", value_enum)]
        statuses: Vec<DeadlineStatusArg>,
        /// Only deadlines due strictly before this instant.
        #[arg(long, value_parser = args::instant)]
        due_before: Option<DateTime<Utc>>,
        /// Compute statuses at this instant instead of now.
        #[arg(long, value_parser = args::instant)]
        as_of: Option<DateTime<Utc>>,
    },
    /// The stakeholder survey window (R20–R22).
    SurveyWindow {
        #[arg(long, short = 'i', value_parser = args::uuid)]
        inspection: String,
        #[arg(long, value_parser = args::instant)]
        as_of: Option<DateTime<Utc>>,
    },
    /// Report status (R24–R28): of one inspection, or across inspections with filters.
    ///
    /// Example: inspectionctl reports --shared-with-dfe true
    #[command(verbatim_doc_comment)]
    Reports {
        #[arg(long, short = 'i', value_parser = args::uuid, conflicts_with_all = ["lead_provider", "report", "progress", "shared_with_dfe"])]
        inspection: Option<String>,
        #[arg(long, value_parser = args::uuid)]
        lead_provider: Option<String>,
        #[arg(long, value_enum)]
        report: Option<ReportArg>,
        #[arg(long, value_enum)]
        progress: Option<ProgressArg>,
        #[arg(long)]
        shared_with_dfe: Option<bool>,
        #[arg(long, value_parser = args::instant)]
        as_of: Option<DateTime<Utc>>,
    },
    /// The evidence checklist and team-sizing inputs (R15, R16).
    Checklist {
        #[arg(long, short = 'i', value_parser = args::uuid)]
        inspection: String,
        #[arg(long, value_parser = args::instant)]
        as_of: Option<DateTime<Utc>>,
    },
    /// Follow changes to the read models live (one line per change; Ctrl-C to stop).
    ///
    /// Resume with --after-seq = the last seq printed.
    Watch {
        #[arg(long, short = 'i', value_parser = args::uuid, conflicts_with = "lead_provider")]
        inspection: Option<String>,
        #[arg(long, value_parser = args::uuid)]
        lead_provider: Option<String>,
        #[arg(long, default_value_t = 0)]
        after_seq: u64,
        /// Stop after this many changes.
        #[arg(long)]
        count: Option<u64>,
    },
}

const PKG: &str = "ofsted.inspections.v1.";

pub async fn run(ctx: &Ctx, cmd: QueryCommand) -> anyhow::Result<()> {
    let mut q = ctx.queries().await?;
    let out = ctx.out;
    match cmd {
        QueryCommand::Get { inspection } => {
            let s = call!(
                ctx,
                q,
                get_inspection,
                pb::GetInspectionRequest {
                    inspection_id: inspection
                }
            );
            if out.json {
                return out.json_line(&s, &format!("{PKG}InspectionSummary"));
            }
            print_summary(ctx, &s);
        }
        QueryCommand::List {
            lead_provider,
            kind,
            state,
        } => {
            let mut all = Vec::new();
            let mut page_token = String::new();
            loop {
                let r = call!(
                    ctx,
                    q,
                    list_inspections,
                    pb::ListInspectionsRequest {
                        lead_provider_id: lead_provider.clone().unwrap_or_default(),
                        kind: kind.map_or(0, i32::from),
                        state: state.map_or(0, i32::from),
                        page_size: 500,
                        page_token: page_token.clone(),
                    }
                );
                all.extend(r.inspections);
                if r.next_page_token.is_empty() {
                    break;
                }
                page_token = r.next_page_token;
            }
            if out.json {
                let r = pb::ListInspectionsResponse {
                    inspections: all,
                    next_page_token: String::new(),
                };
                return out.json_line(&r, &format!("{PKG}ListInspectionsResponse"));
            }
            let mut t = Table::new(&[
                "INSPECTION",
                "LEAD PROVIDER",
                "KIND",
                "STATE",
                "DAYS",
                "VERSION",
            ]);
            for s in &all {
                let state = enum_name(s.state().as_str_name(), "INSPECTION_STATE_");
                t.styled_row(vec![
                    cell(&s.inspection_id),
                    cell(&s.lead_provider_id),
                    cell(&enum_name(s.kind().as_str_name(), "INSPECTION_KIND_")),
                    (out.state(&state), state.chars().count()),
                    cell(&days(&s.planned_days)),
                    cell(&s.version.to_string()),
                ]);
            }
            t.write(&mut std::io::stdout().lock())?;
        }
        QueryCommand::Deadlines {
            inspection: Some(id),
            as_of,
            ..
        } => {
            let r = call!(
                ctx,
                q,
                get_deadlines,
                pb::GetDeadlinesRequest {
                    inspection_id: id,
                    as_of: as_of.map(timestamp),
                }
            );
            if out.json {
                return out.json_line(&r, &format!("{PKG}GetDeadlinesResponse"));
            }
            let mut t = deadline_table(false);
            for d in &r.deadlines {
                deadline_row(ctx, &mut t, None, d);
            }
            t.write(&mut std::io::stdout().lock())?;
            println!("as of {}", london(r.as_of.as_ref()));
        }
        QueryCommand::Deadlines {
            inspection: None,
            lead_provider,
            statuses,
            due_before,
            as_of,
        } => {
            let mut all = Vec::new();
            let mut page_token = String::new();
            let mut at = None;
            loop {
                let r = call!(
                    ctx,
                    q,
                    list_deadlines,
                    pb::ListDeadlinesRequest {
                        lead_provider_id: lead_provider.clone().unwrap_or_default(),
                        statuses: statuses.iter().copied().map(i32::from).collect(),
                        due_before: due_before.map(timestamp),
                        as_of: as_of.map(timestamp),
                        page_size: 1000,
                        page_token: page_token.clone(),
                    }
                );
                all.extend(r.deadlines);
                at = r.as_of.or(at);
                if r.next_page_token.is_empty() {
                    break;
                }
                page_token = r.next_page_token;
            }
            if out.json {
                let r = pb::ListDeadlinesResponse {
                    deadlines: all,
                    next_page_token: String::new(),
                    as_of: at,
                };
                return out.json_line(&r, &format!("{PKG}ListDeadlinesResponse"));
            }
            let mut t = deadline_table(true);
            for d in &all {
                if let Some(deadline) = &d.deadline {
                    deadline_row(ctx, &mut t, Some(&d.inspection_id), deadline);
                }
            }
            t.write(&mut std::io::stdout().lock())?;
            println!("as of {}", london(at.as_ref()));
        }
        QueryCommand::SurveyWindow { inspection, as_of } => {
            let w = call!(
                ctx,
                q,
                get_survey_window,
                pb::GetSurveyWindowRequest {
                    inspection_id: inspection,
                    as_of: as_of.map(timestamp),
                }
            );
            if out.json {
                return out.json_line(&w, &format!("{PKG}SurveyWindow"));
            }
            println!(
                "status  {}",
                out.state(&enum_name(w.status().as_str_name(), "SURVEY_STATUS_"))
            );
            println!("opens   {}", london(w.opens_at.as_ref()));
            println!("closes  {}", london(w.closes_at.as_ref()));
            let mut t = Table::new(&["GROUP", "LINKS SENT", "RESPONSES", "COUNTED AT"]);
            for g in [
                pb::StakeholderGroup::DeliveryPartners,
                pb::StakeholderGroup::SchoolLeaders,
                pb::StakeholderGroup::Participants,
                pb::StakeholderGroup::Mentors,
            ] {
                let sent = w.links_sent.iter().find(|l| l.group() == g);
                let resp = w.responses.iter().find(|r| r.group() == g);
                t.row(vec![
                    enum_name(g.as_str_name(), "STAKEHOLDER_GROUP_"),
                    sent.map_or("-".into(), |s| london(s.sent_at.as_ref())),
                    resp.map_or("-".into(), |r| r.cumulative_count.to_string()),
                    resp.map_or("-".into(), |r| london(r.counted_at.as_ref())),
                ]);
            }
            t.write(&mut std::io::stdout().lock())?;
            println!("as of {}", london(w.as_of.as_ref()));
        }
        QueryCommand::Reports {
            inspection: Some(id),
            as_of,
            ..
        } => {
            let r = call!(
                ctx,
                q,
                get_report_status,
                pb::GetReportStatusRequest {
                    inspection_id: id,
                    as_of: as_of.map(timestamp),
                }
            );
            if out.json {
                return out.json_line(&r, &format!("{PKG}GetReportStatusResponse"));
            }
            let mut t = report_table(false);
            for s in &r.reports {
                report_row(ctx, &mut t, None, s);
            }
            t.write(&mut std::io::stdout().lock())?;
        }
        QueryCommand::Reports {
            inspection: None,
            lead_provider,
            report,
            progress,
            shared_with_dfe,
            ..
        } => {
            let mut all = Vec::new();
            let mut page_token = String::new();
            loop {
                let r = call!(
                    ctx,
                    q,
                    list_reports,
                    pb::ListReportsRequest {
                        lead_provider_id: lead_provider.clone().unwrap_or_default(),
                        report: report.map_or(0, i32::from),
                        progress: progress.map_or(0, i32::from),
                        shared_with_dfe,
                        page_size: 1000,
                        page_token: page_token.clone(),
                    }
                );
                all.extend(r.reports);
                if r.next_page_token.is_empty() {
                    break;
                }
                page_token = r.next_page_token;
            }
            if out.json {
                let r = pb::ListReportsResponse {
                    reports: all,
                    next_page_token: String::new(),
                };
                return out.json_line(&r, &format!("{PKG}ListReportsResponse"));
            }
            let mut t = report_table(true);
            for r in &all {
                if let Some(s) = &r.status {
                    report_row(ctx, &mut t, Some(&r.inspection_id), s);
                }
            }
            t.write(&mut std::io::stdout().lock())?;
        }
        QueryCommand::Checklist { inspection, as_of } => {
            let c = call!(
                ctx,
                q,
                get_evidence_checklist,
                pb::GetEvidenceChecklistRequest {
                    inspection_id: inspection,
                    as_of: as_of.map(timestamp),
                }
            );
            if out.json {
                return out.json_line(&c, &format!("{PKG}EvidenceChecklist"));
            }
            let mut t = Table::new(&[
                "RULE",
                "ITEM",
                "DUE",
                "STATUS",
                "VERSIONS",
                "LAST SUBMITTED",
            ]);
            for i in &c.items {
                let status = enum_name(i.status().as_str_name(), "CHECKLIST_STATUS_");
                t.styled_row(vec![
                    cell(&i.rule),
                    cell(&enum_name(i.item().as_str_name(), "EVIDENCE_ITEM_")),
                    cell(&london(i.due_at.as_ref())),
                    (out.state(&status), status.chars().count()),
                    cell(&i.versions.to_string()),
                    cell(&london(i.last_submitted_at.as_ref())),
                ]);
            }
            t.write(&mut std::io::stdout().lock())?;
            if !c.not_required.is_empty() {
                let names: Vec<String> = c
                    .not_required()
                    .map(|i| enum_name(i.as_str_name(), "EVIDENCE_ITEM_"))
                    .collect();
                println!("not required: {}", names.join(", "));
            }
            println!("as of {}", london(c.as_of.as_ref()));
        }
        QueryCommand::Watch {
            inspection,
            lead_provider,
            after_seq,
            count,
        } => {
            let mut stream = call!(
                ctx,
                q,
                watch,
                pb::WatchRequest {
                    inspection_id: inspection.unwrap_or_default(),
                    lead_provider_id: lead_provider.unwrap_or_default(),
                    after_seq,
                }
            );
            let mut seen = 0u64;
            while count.is_none_or(|n| seen < n) {
                let Some(change) = stream.next().await else {
                    break;
                };
                let change = change.map_err(super::ctx::status)?;
                seen += 1;
                if out.json {
                    out.json_line(&change, &format!("{PKG}Change"))?;
                    continue;
                }
                let state = enum_name(change.state().as_str_name(), "INSPECTION_STATE_");
                println!(
                    "{:>6}  {}  {}  v{}  {}  {}",
                    change.seq,
                    london(change.recorded_at.as_ref()),
                    change.stream_id,
                    change.version,
                    change.event_type,
                    if state == "unspecified" {
                        String::new()
                    } else {
                        out.state(&state)
                    }
                );
            }
        }
    }
    Ok(())
}

fn cell(s: &str) -> (String, usize) {
    (s.to_owned(), s.chars().count())
}

fn days(days: &[String]) -> String {
    match (days.first(), days.last()) {
        (Some(first), Some(last)) if days.len() > 1 => format!("{first}..{last}"),
        (Some(first), _) => first.clone(),
        _ => "-".into(),
    }
}

fn print_summary(ctx: &Ctx, s: &pb::InspectionSummary) {
    let out = ctx.out;
    let state = enum_name(s.state().as_str_name(), "INSPECTION_STATE_");
    println!(
        "{} {} ({})",
        out.bold("inspection"),
        s.inspection_id,
        out.state(&state)
    );
    let contracts: Vec<String> = s
        .contracts()
        .map(|c| enum_name(c.as_str_name(), "CONTRACT_").to_uppercase())
        .collect();
    let rows = [
        ("lead provider", s.lead_provider_id.clone()),
        (
            "kind",
            enum_name(s.kind().as_str_name(), "INSPECTION_KIND_"),
        ),
        ("contracts", contracts.join(", ")),
        (
            "planned days",
            or_dash(&s.planned_days.join(", ")).to_owned(),
        ),
        ("notification call", london(s.notification_call_at.as_ref())),
        ("started on", or_dash(&s.started_on).to_owned()),
        ("ended on", or_dash(&s.ended_on).to_owned()),
        ("open concerns", s.open_concerns.to_string()),
        ("deferrals", s.deferrals.len().to_string()),
        ("pauses", s.pauses.len().to_string()),
        ("cycle", s.cycle.to_string()),
        ("version", s.version.to_string()),
    ];
    for (k, v) in rows {
        println!("  {k:<18} {v}");
    }
    for e in &s.exceptions {
        println!(
            "  exception {} (expected {}): {}",
            e.rule, e.expected, e.reason
        );
    }
    if s.provisional {
        println!("  note: dates rely on provisional bank holidays (R2)");
    }
}

fn deadline_table(with_inspection: bool) -> Table {
    if with_inspection {
        Table::new(&[
            "INSPECTION",
            "RULE",
            "DEADLINE",
            "REPORT",
            "DUE",
            "STATUS",
            "MET/DONE",
        ])
    } else {
        Table::new(&["RULE", "DEADLINE", "REPORT", "DUE", "STATUS", "MET/DONE"])
    }
}

fn deadline_row(ctx: &Ctx, t: &mut Table, inspection: Option<&str>, d: &pb::Deadline) {
    let status = enum_name(d.status().as_str_name(), "DEADLINE_STATUS_");
    let report = match d.report() {
        pb::ReportKey::Unspecified => "-".to_owned(),
        r => enum_name(r.as_str_name(), "REPORT_KEY_"),
    };
    let done = d.met_at.as_ref().or(d.completed_at.as_ref());
    let mut row = Vec::new();
    if let Some(id) = inspection {
        row.push(cell(id));
    }
    row.extend([
        cell(&d.rule),
        cell(&enum_name(d.kind().as_str_name(), "DEADLINE_KIND_")),
        cell(&report),
        cell(&format!(
            "{}{}",
            london(d.due_at.as_ref()),
            if d.provisional { " (provisional)" } else { "" }
        )),
        (ctx.out.state(&status), status.chars().count()),
        cell(&london(done)),
    ]);
    t.styled_row(row);
}

fn report_table(with_inspection: bool) -> Table {
    if with_inspection {
        Table::new(&[
            "INSPECTION",
            "REPORT",
            "PROGRESS",
            "DRAFT DUE",
            "FINAL DUE",
            "SHARED WITH DFE",
        ])
    } else {
        Table::new(&[
            "REPORT",
            "PROGRESS",
            "DRAFT DUE",
            "FINAL DUE",
            "SHARED WITH DFE",
        ])
    }
}

fn report_row(ctx: &Ctx, t: &mut Table, inspection: Option<&str>, s: &pb::ReportStatus) {
    let progress = enum_name(s.progress().as_str_name(), "REPORT_PROGRESS_");
    let shares: Vec<String> = s
        .shared_with_dfe
        .iter()
        .map(|v| {
            format!(
                "{} {} {}",
                enum_name(v.stage().as_str_name(), "REPORT_STAGE_"),
                if v.whole { "whole" } else { "part" },
                london(v.at.as_ref())
            )
        })
        .collect();
    let mut row = Vec::new();
    if let Some(id) = inspection {
        row.push(cell(id));
    }
    row.extend([
        cell(&enum_name(s.report().as_str_name(), "REPORT_KEY_")),
        (ctx.out.state(&progress), progress.chars().count()),
        cell(or_dash(&s.draft_due)),
        cell(or_dash(&s.final_due)),
        cell(or_dash(&shares.join("; "))),
    ]);
    t.styled_row(row);
}
