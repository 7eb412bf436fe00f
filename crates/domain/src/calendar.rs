//! England-and-Wales working days (R1–R3) from the gov.uk `bank-holidays.json`.
//!
//! Every deadline in the system is "N working days after X", so this module is the single
//! place that decides what a working day is. The data file is authoritative for the years it
//! covers (it lists substitute and one-off days as plain dates); beyond them the standing
//! rules in [`rules`] stand in and every answer that relied on them says it is provisional
//! (R2). The calendar version (last data date + sha256 of the file) travels with fixed dates
//! so that a later, newer file can be compared against what was used.

mod govuk;
mod rules;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use rules::easter_sunday;

/// The gov.uk file shipped with the project (Open Government Licence).
const BUNDLED: &[u8] = include_bytes!("../data/bank-holidays.json");

/// Identifies which calendar data produced a date (R2): recorded wherever dates are fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarVersion {
    /// The last bank holiday in the data; years after this one's are rule-based.
    pub last_data_date: NaiveDate,
    /// Lowercase hex sha256 of the exact file bytes.
    pub sha256: String,
}

/// One England-and-Wales bank holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankHoliday {
    pub date: NaiveDate,
    pub title: String,
    /// True when the date comes from the R2 rules rather than the data file.
    pub provisional: bool,
}

/// A value computed over the calendar, with whether the computation relied on R2 rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dated<T> {
    pub value: T,
    /// The computation walked past the data's years, so a newer file could change it (R2).
    pub provisional: bool,
}

/// Why a bank-holiday file was refused; each message names what is wrong in the file.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("the bank-holidays file is not valid JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    #[error(
        "the bank-holidays file has no \"england-and-wales\" division (expected the gov.uk bank-holidays.json format)"
    )]
    MissingDivision,
    #[error(
        "the \"england-and-wales\" division is not in the gov.uk format (an \"events\" array of {{\"title\", \"date\"}}): {0}"
    )]
    BadDivision(#[source] serde_json::Error),
    #[error("england-and-wales event #{index} has date {value:?}, expected YYYY-MM-DD")]
    BadDate { index: usize, value: String },
    #[error("england-and-wales event #{index} on {date} has an empty title")]
    EmptyTitle { index: usize, date: NaiveDate },
    #[error("england-and-wales lists {date} twice ({first_title:?} and {second_title:?})")]
    DuplicateDate {
        date: NaiveDate,
        first_title: String,
        second_title: String,
    },
    #[error("the england-and-wales division has no events")]
    NoEvents,
    #[error(
        "the england-and-wales division has no bank holidays in {year}, inside the years it covers: the file looks truncated"
    )]
    MissingYear { year: i32 },
}

/// The working-day calendar: bank holidays from data, rules beyond it.
#[derive(Debug, Clone)]
pub struct Calendar {
    holidays: BTreeMap<NaiveDate, String>,
    first_year: i32,
    last_year: i32,
    version: CalendarVersion,
}

impl Calendar {
    /// The calendar from the shipped file, parsed once per process.
    pub fn bundled() -> &'static Calendar {
        static BUNDLED_CALENDAR: OnceLock<Calendar> = OnceLock::new();
        BUNDLED_CALENDAR.get_or_init(|| {
            Calendar::from_govuk_json(BUNDLED)
                .expect("the bundled bank-holidays.json is valid (checked by tests)")
        })
    }

    /// Loads a (newer) gov.uk `bank-holidays.json`, using its "england-and-wales" division.
    pub fn from_govuk_json(bytes: &[u8]) -> Result<Calendar, CalendarError> {
        let parsed = govuk::parse(bytes)?;
        Ok(Calendar {
            holidays: parsed.holidays,
            first_year: parsed.first.year(),
            last_year: parsed.last.year(),
            version: CalendarVersion {
                last_data_date: parsed.last,
                sha256: hex::encode(Sha256::digest(bytes)),
            },
        })
    }

    pub fn version(&self) -> &CalendarVersion {
        &self.version
    }

    /// R1: Monday to Friday and not a bank holiday (from data, or R2 rules outside it).
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_bank_holiday(d)
    }

    pub fn bank_holiday(&self, d: NaiveDate) -> Option<BankHoliday> {
        if self.is_provisional(d) {
            rules::standard_holidays(d.year())
                .into_iter()
                .find(|(date, _)| *date == d)
                .map(|(date, title)| BankHoliday {
                    date,
                    title: title.to_owned(),
                    provisional: true,
                })
        } else {
            self.holidays.get(&d).map(|title| BankHoliday {
                date: d,
                title: title.clone(),
                provisional: false,
            })
        }
    }

    /// Every bank holiday from `from` to `to_inclusive`, in date order (empty if reversed).
    pub fn bank_holidays_between(
        &self,
        from: NaiveDate,
        to_inclusive: NaiveDate,
    ) -> Vec<BankHoliday> {
        let mut out = Vec::new();
        if from > to_inclusive {
            return out;
        }
        for year in from.year()..=to_inclusive.year() {
            let in_range = |d: &NaiveDate| (from..=to_inclusive).contains(d);
            if self.is_provisional_year(year) {
                out.extend(
                    rules::standard_holidays(year)
                        .into_iter()
                        .filter(|(d, _)| in_range(d))
                        .map(|(date, title)| BankHoliday {
                            date,
                            title: title.to_owned(),
                            provisional: true,
                        }),
                );
            } else {
                out.extend(
                    self.holidays
                        .iter()
                        .filter(|(d, _)| d.year() == year && in_range(d))
                        .map(|(date, title)| BankHoliday {
                            date: *date,
                            title: title.clone(),
                            provisional: false,
                        }),
                );
            }
        }
        out
    }

    /// R2: `d` lies outside the years the data covers, so its holidays come from rules.
    ///
    /// Spec says "after the data's last year"; years *before* the first year are also
    /// rule-based and so are reported provisional too, rather than silently guessed.
    pub fn is_provisional(&self, d: NaiveDate) -> bool {
        self.is_provisional_year(d.year())
    }

    /// R3: `n` working days after `d` (+1 = the next working day after `d`); negative `n`
    /// counts back the same way; 0 is `d` itself, even if `d` is not a working day.
    ///
    /// # Panics
    /// Only if the walk leaves chrono's date range (about ±262,000 years).
    pub fn add_working_days(&self, d: NaiveDate, n: i32) -> NaiveDate {
        let mut day = d;
        let mut left = n.unsigned_abs();
        while left > 0 {
            let next = if n > 0 {
                day.succ_opt()
            } else {
                day.pred_opt()
            };
            day = next.expect("working-day walk stays within chrono's date range");
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// [`Calendar::add_working_days`], saying whether any day walked over was rule-based.
    pub fn add_working_days_dated(&self, d: NaiveDate, n: i32) -> Dated<NaiveDate> {
        let value = self.add_working_days(d, n);
        // The walk covers every day between the two ends, and the provisional years are the
        // ones outside a contiguous range, so checking both ends is enough.
        Dated {
            value,
            provisional: self.is_provisional(d) || self.is_provisional(value),
        }
    }

    /// The first working day strictly after `d`.
    pub fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        self.add_working_days(d, 1)
    }

    fn is_provisional_year(&self, year: i32) -> bool {
        year > self.last_year || year < self.first_year
    }

    fn is_bank_holiday(&self, d: NaiveDate) -> bool {
        if self.is_provisional(d) {
            rules::standard_holidays(d.year())
                .iter()
                .any(|(date, _)| *date == d)
        } else {
            self.holidays.contains_key(&d)
        }
    }
}

#[cfg(test)]
mod tests;
