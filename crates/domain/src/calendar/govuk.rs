//! Reading the gov.uk `bank-holidays.json` format (R1), checked before it is trusted.
//!
//! A calendar file decides every deadline in the system, so a malformed one is refused with
//! a message naming the exact event at fault rather than silently dropping a holiday.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::CalendarError;

/// The one division that applies to England-and-Wales lead providers.
pub(crate) const DIVISION: &str = "england-and-wales";

#[derive(Deserialize)]
struct Division {
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    title: String,
    date: String,
}

/// The holidays of the England-and-Wales division, keyed by date, and the range of years
/// they cover (every year in the range has at least one holiday).
pub(crate) struct Parsed {
    pub(crate) holidays: BTreeMap<NaiveDate, String>,
    pub(crate) first: NaiveDate,
    pub(crate) last: NaiveDate,
}

pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed, CalendarError> {
    let mut root: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(bytes).map_err(CalendarError::NotJson)?;
    let division = root
        .remove(DIVISION)
        .ok_or(CalendarError::MissingDivision)?;
    let division: Division =
        serde_json::from_value(division).map_err(CalendarError::BadDivision)?;

    let mut holidays = BTreeMap::new();
    for (index, event) in division.events.into_iter().enumerate() {
        let date = NaiveDate::parse_from_str(&event.date, "%Y-%m-%d").map_err(|_| {
            CalendarError::BadDate {
                index,
                value: event.date.clone(),
            }
        })?;
        if event.title.trim().is_empty() {
            return Err(CalendarError::EmptyTitle { index, date });
        }
        if let Some(first_title) = holidays.insert(date, event.title.clone()) {
            return Err(CalendarError::DuplicateDate {
                date,
                first_title,
                second_title: event.title,
            });
        }
    }

    let (Some(first), Some(last)) = (
        holidays.keys().next().copied(),
        holidays.keys().next_back().copied(),
    ) else {
        return Err(CalendarError::NoEvents);
    };
    // A year with no holidays at all inside the covered range would make every day of it a
    // working day; that is a truncated file, not a real calendar.
    for year in first.year()..=last.year() {
        let start = NaiveDate::from_yo_opt(year, 1);
        let end = NaiveDate::from_ymd_opt(year, 12, 31);
        if let (Some(start), Some(end)) = (start, end)
            && holidays.range(start..=end).next().is_none()
        {
            return Err(CalendarError::MissingYear { year });
        }
    }
    Ok(Parsed {
        holidays,
        first,
        last,
    })
}
