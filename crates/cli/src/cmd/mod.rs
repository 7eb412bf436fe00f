//! The command tree of `inspectionctl`, with options shared by every command.
//!
//! # Layout
//! - [`args`]: parsers for dates, instants, ids, people, documents and the API's enums, so
//!   every command reports bad input the same way (naming the argument).
//! - [`calendar`], [`timeline`]: offline working-day questions (R1–R3) and timelines.
//! - [`lead_provider`], [`inspection`], [`report`]: one subcommand per command RPC.
//! - [`query`]: one subcommand per query RPC.
//! - [`events`]: live tail and replay of the internal stream; [`projections`]: rebuild.
//! - [`dfe`]: the reference subscriber of DfE integrators.
//! - [`credentials`]: the ONE place that knows how the caller identifies itself (a bearer
//!   token); [`token`]: minting development tokens.
//! - [`ctx`], [`meta`], [`errors`], [`output`], [`progress`], [`nats`]: shared plumbing.

pub mod args;
pub mod calendar;
pub mod credentials;
pub mod ctx;
pub mod dfe;
pub mod errors;
pub mod events;
pub mod inspection;
pub mod lead_provider;
pub mod meta;
pub mod nats;
pub mod output;
pub mod progress;
pub mod projections;
pub mod query;
pub mod report;
pub mod timeline;
pub mod token;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use domain::calendar::Calendar;

/// Operate the inspection system for ECF/NPQ lead providers.
///
/// Commands change inspections through the command service; queries read the projection
/// service; `events` and `dfe` read NATS; `calendar` and `timeline` work offline.
///
/// Identity: a bearer token, --token (or INSPECTIONCTL_TOKEN); against a development or test
/// deployment, a development token is minted instead for --as-role / --as-subject /
/// --as-lead-provider (or INSPECTIONCTL_ROLE, INSPECTIONCTL_SUBJECT,
/// INSPECTIONCTL_LEAD_PROVIDER); `inspectionctl token mint` prints one. Addresses: --command-addr /
/// --query-addr (INSPECTIONCTL_COMMAND_ADDR, INSPECTIONCTL_QUERY_ADDR). Output: tables with
/// times in London time (GMT/BST), or --json for scripts. A refusal prints
/// `RULE_CODE: message` on stderr and exits non-zero (2 rule or input, 3 permission,
/// 4 not found, 5 conflict, 1 otherwise).
///
/// A first session:
///   export INSPECTIONCTL_ROLE=scheduler
///   LP=$(inspectionctl lead-provider register --name "North Partnership" --contract ECF --json | jq -r .lead_provider_id)
///   ID=$(inspectionctl inspection plan --lead-provider $LP --kind full --contract ECF --start 2027-01-11 --json | jq -r .inspection_id)
///   inspectionctl get -i $ID
///   inspectionctl deadlines -i $ID
///   inspectionctl events watch --inspection $ID
///
/// Dates are YYYY-MM-DD; instants are RFC 3339 (2027-01-04T09:31:00Z). Working days are
/// Monday to Friday except England-and-Wales bank holidays (the bundled gov.uk data, or
/// --calendar).
#[derive(Debug, Parser)]
#[command(
    name = "inspectionctl",
    version,
    propagate_version = true,
    verbatim_doc_comment
)]
pub struct Cli {
    /// Use this gov.uk bank-holidays.json instead of the bundled copy (for example a newer
    /// download from https://www.gov.uk/bank-holidays.json).
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "INSPECTIONCTL_CALENDAR"
    )]
    pub calendar: Option<PathBuf>,

    /// Print JSON for scripts instead of tables (one document per line).
    #[arg(long, global = true)]
    pub json: bool,

    #[command(flatten)]
    pub addrs: ctx::Addresses,

    #[command(flatten)]
    pub creds: credentials::Credentials,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Register, update and show lead providers (R6, R30).
    #[command(subcommand, name = "lead-provider")]
    LeadProvider(lead_provider::LeadProviderCommand),
    /// Plan, call, defer, inspect on site (R7–R22).
    #[command(subcommand)]
    Inspection(inspection::InspectionCommand),
    /// Judge, moderate, assure, issue, share, publish (R23–R28).
    #[command(subcommand)]
    Report(report::ReportCommand),
    #[command(flatten)]
    Query(query::QueryCommand),
    /// The internal event stream: live tail and replay (operators).
    #[command(subcommand)]
    Events(events::EventsCommand),
    /// Read-model maintenance (operators).
    #[command(subcommand)]
    Projections(projections::ProjectionsCommand),
    /// DfE's side: follow shared reports (reference subscriber for integrators).
    #[command(subcommand)]
    Dfe(dfe::DfeCommand),
    /// Working-day arithmetic over England-and-Wales bank holidays.
    #[command(subcommand)]
    Calendar(calendar::CalendarCommand),
    /// Show the standard timeline for an inspection starting on a given date.
    Timeline(timeline::TimelineArgs),
    /// Development tokens (dev key only).
    #[command(subcommand)]
    Token(token::TokenCommand),
}

/// Runs one parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let out = output::Output::new(cli.json);
    let ctx = ctx::Ctx {
        addrs: cli.addrs,
        creds: cli.creds,
        out,
    };
    let loaded;
    let cal: &Calendar = match &cli.calendar {
        Some(path) => {
            loaded = load_calendar(path)?;
            &loaded
        }
        None => Calendar::bundled(),
    };
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        Command::Calendar(c) => calendar::run(cal, c, &mut stdout),
        Command::Token(c) => token::run(c),
        Command::Timeline(mut args) => {
            args.json |= cli.json;
            timeline::run(cal, args, &mut stdout)
        }
        command => {
            drop(stdout);
            match command {
                Command::LeadProvider(c) => lead_provider::run(&ctx, c).await,
                Command::Inspection(c) => inspection::run(&ctx, c).await,
                Command::Report(c) => report::run(&ctx, c).await,
                Command::Query(c) => query::run(&ctx, c).await,
                Command::Events(c) => events::run(out, c).await,
                Command::Projections(c) => projections::run(out, cal, c).await,
                Command::Dfe(c) => dfe::run(out, c).await,
                Command::Calendar(_) | Command::Timeline(_) | Command::Token(_) => Ok(()),
            }
        }
    }
}

fn load_calendar(path: &std::path::Path) -> anyhow::Result<Calendar> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("reading --calendar file {}", path.display()))?;
    Calendar::from_govuk_json(&bytes)
        .with_context(|| format!("loading --calendar file {}", path.display()))
}

/// The one-line description of the calendar data, shown under results that depend on it.
pub fn describe_version(cal: &Calendar) -> String {
    let v = cal.version();
    let short = v.sha256.get(..12).unwrap_or(&v.sha256);
    format!(
        "calendar: bank holidays to {} (sha256 {short}…)",
        v.last_data_date
    )
}

/// R2: the note printed before a result that relied on rule-based holidays.
pub fn provisional_note(cal: &Calendar) -> String {
    format!(
        "note: provisional: this walked past the bank-holiday data (last date {}); standard rules \
         were used for later years and a newer calendar file may change the result",
        cal.version().last_data_date
    )
}
