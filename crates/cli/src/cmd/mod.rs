//! The command tree of `inspectionctl`, with options shared by every command.
//!
//! # Layout
//! - [`args`]: parsers for dates and inspection kinds, so every command reports bad input
//!   the same way (naming the argument).
//! - [`calendar`]: working-day questions (R1–R3).
//! - [`timeline`]: the standard timeline of an inspection (R8, R10, R19, R20, R25, R28).
//!
//! New command groups (commands and queries over gRPC) go in their own file and get one
//! variant in [`Command`].

pub mod args;
pub mod calendar;
pub mod timeline;

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use domain::calendar::Calendar;

/// Operate the inspection system for ECF/NPQ lead providers.
///
/// Dates are YYYY-MM-DD. Working days are Monday to Friday except England-and-Wales bank
/// holidays, taken from the gov.uk bank-holidays.json shipped with this tool (or the file
/// given by --calendar). Past the data's last year, standard rules stand in and results
/// are marked provisional. Wall-clock times are Europe/London (GMT/BST).
#[derive(Debug, Parser)]
#[command(name = "inspectionctl", version, propagate_version = true)]
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

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Working-day arithmetic over England-and-Wales bank holidays.
    #[command(subcommand)]
    Calendar(calendar::CalendarCommand),
    /// Show the standard timeline for an inspection starting on a given date.
    Timeline(timeline::TimelineArgs),
}

/// Runs one parsed command, writing its normal output to `out`.
pub fn run(cli: Cli, out: &mut impl Write) -> anyhow::Result<()> {
    let loaded;
    let cal: &Calendar = match &cli.calendar {
        Some(path) => {
            loaded = load_calendar(path)?;
            &loaded
        }
        None => Calendar::bundled(),
    };
    match cli.command {
        Command::Calendar(c) => calendar::run(cal, c, out),
        Command::Timeline(args) => timeline::run(cal, args, out),
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
