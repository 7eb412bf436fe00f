//! `inspectionctl calendar …`: working-day questions (R1–R3), answered by the domain calendar.
//!
//! Scripts read the answer from the LAST line of output; any explanation (why a day is not
//! a working day, that a result is provisional) comes on lines before it.

use std::io::Write;

use chrono::NaiveDate;
use clap::Subcommand;
use domain::calendar::Calendar;

use super::args;

/// Bounds N so a typo cannot start a walk of millions of days.
const MAX_WORKING_DAYS: i64 = 100_000;

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Print the date N working days after DATE (R3).
    ///
    /// Counting starts the day after DATE: +1 is the next working day after DATE, so
    /// "5 working days before the start" is `add-working-days START -5`. N may be negative
    /// (count back) or 0 (DATE itself). The date is on the last line; a note line before
    /// it says when the result is provisional (it relied on rule-based holidays past the
    /// bank-holiday data).
    #[command(name = "add-working-days")]
    AddWorkingDays {
        /// Day to count from, YYYY-MM-DD.
        #[arg(value_parser = args::date)]
        date: NaiveDate,
        /// Working days to add; negative counts back.
        #[arg(
            allow_negative_numbers = true,
            value_parser = clap::value_parser!(i32).range(-MAX_WORKING_DAYS..=MAX_WORKING_DAYS)
        )]
        n: i32,
    },
    /// Print `true` if DATE is a working day, else `false` (R1).
    ///
    /// A working day is Monday to Friday and not an England-and-Wales bank holiday. When
    /// DATE is not one, a line before the answer says why.
    #[command(name = "is-working-day")]
    IsWorkingDay {
        /// Day to check, YYYY-MM-DD.
        #[arg(value_parser = args::date)]
        date: NaiveDate,
    },
    /// List the bank holidays from FROM to TO inclusive, one per line.
    ///
    /// Rule-based dates past the data's last year are marked "(provisional)".
    #[command(name = "bank-holidays")]
    BankHolidays {
        /// First day, YYYY-MM-DD.
        #[arg(value_parser = args::date)]
        from: NaiveDate,
        /// Last day (inclusive), YYYY-MM-DD.
        #[arg(value_parser = args::date)]
        to: NaiveDate,
    },
    /// Print which calendar data is in use: its last date and the file's sha256.
    ///
    /// This is the version recorded with fixed dates (R2), so it tells whether a timeline
    /// was computed from the same file.
    Version,
}

pub fn run(cal: &Calendar, cmd: CalendarCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match cmd {
        CalendarCommand::AddWorkingDays { date, n } => {
            let r = cal.add_working_days_dated(date, n);
            if r.provisional {
                writeln!(out, "{}", super::provisional_note(cal))?;
            }
            writeln!(out, "{}", r.value)?;
        }
        CalendarCommand::IsWorkingDay { date } => {
            let working = cal.is_working_day(date);
            if !working {
                match cal.bank_holiday(date) {
                    Some(h) if h.provisional => {
                        writeln!(out, "{date} is a bank holiday: {} (provisional)", h.title)?
                    }
                    Some(h) => writeln!(out, "{date} is a bank holiday: {}", h.title)?,
                    None => writeln!(out, "{date} is a {}", date.format("%A"))?,
                }
            }
            writeln!(out, "{working}")?;
        }
        CalendarCommand::BankHolidays { from, to } => {
            anyhow::ensure!(from <= to, "FROM {from} is after TO {to}");
            for h in cal.bank_holidays_between(from, to) {
                let mark = if h.provisional { " (provisional)" } else { "" };
                writeln!(out, "{} {}{mark}", h.date.format("%a %Y-%m-%d"), h.title)?;
            }
        }
        CalendarCommand::Version => {
            let v = cal.version();
            writeln!(out, "last_data_date {}", v.last_data_date)?;
            writeln!(out, "sha256 {}", v.sha256)?;
        }
    }
    Ok(())
}
