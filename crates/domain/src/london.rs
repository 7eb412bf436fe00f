//! Europe/London wall-clock rules (R4): rules speak London time, storage speaks UTC.
//!
//! Guidance says "after 09:30" and "09:00 on day 2" in the provider's local time, which is
//! GMT in winter and BST in summer; storing instants in UTC keeps ordering and comparison
//! trivial. This module is the one place that converts between the two, so DST handling
//! (the gap in March, the repeated hour in October) is decided once.

use chrono::{
    DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Europe::London;
use chrono_tz::Tz;

/// London wall-clock `hour:minute` on `date`, as a UTC instant.
///
/// A time that does not exist (the skipped hour when clocks go forward) is read with the
/// offset in force before the change, giving the later candidate instant (01:30 on the
/// March change day is 01:30Z, shown as 02:30 BST); a time that happens twice (October)
/// is the earlier instant, so a deadline is never silently extended by an hour.
///
/// # Panics
/// If `hour > 23` or `minute > 59`: callers pass rule constants, not user input; use
/// [`try_at`] for untrusted values.
pub fn at(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    try_at(date, hour, minute).expect("hour 0..=23 and minute 0..=59")
}

/// [`at`], or `None` when `hour`/`minute` are out of range.
pub fn try_at(date: NaiveDate, hour: u32, minute: u32) -> Option<DateTime<Utc>> {
    let time = NaiveTime::from_hms_opt(hour, minute, 0)?;
    Some(resolve(date.and_time(time)))
}

/// The London calendar date of an instant (e.g. 23:30Z in summer is the next London day).
pub fn date_of(t: DateTime<Utc>) -> NaiveDate {
    to_local(t).date_naive()
}

/// An instant as London wall-clock time, for display with its zone (GMT/BST).
pub fn to_local(t: DateTime<Utc>) -> DateTime<Tz> {
    t.with_timezone(&London)
}

/// R4: a date-only deadline is due at the end of that London day, 23:59:59.999999 London.
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    let last = NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).expect("valid constant time");
    resolve(date.and_time(last))
}

/// London wall clock → UTC, with the gap/overlap policy documented on [`at`].
fn resolve(local: NaiveDateTime) -> DateTime<Utc> {
    match London.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // In a gap: use the offset in force a few hours earlier (before the change).
            // London's gaps are one hour at 01:00, so three hours back is always before it.
            let before = local - TimeDelta::hours(3);
            let offset = match London.from_local_datetime(&before) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.offset().fix(),
                LocalResult::None => chrono::FixedOffset::east_opt(0).expect("zero offset"),
            };
            (local - offset).and_utc()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date literal")
    }

    fn z(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("test instant literal")
            .with_timezone(&Utc)
    }

    #[test]
    fn r04_around_the_march_2027_change() {
        // BST begins Sun 2027-03-28.
        assert_eq!(at(d("2027-03-26"), 9, 30), z("2027-03-26T09:30:00Z"));
        assert_eq!(at(d("2027-03-26"), 9, 0), z("2027-03-26T09:00:00Z"));
        assert_eq!(at(d("2027-03-29"), 9, 30), z("2027-03-29T08:30:00Z"));
        assert_eq!(at(d("2027-03-29"), 9, 0), z("2027-03-29T08:00:00Z"));
    }

    #[test]
    fn r04_around_the_october_2026_change() {
        // GMT resumes Sun 2026-10-25.
        assert_eq!(at(d("2026-10-23"), 9, 30), z("2026-10-23T08:30:00Z"));
        assert_eq!(at(d("2026-10-23"), 9, 0), z("2026-10-23T08:00:00Z"));
        assert_eq!(at(d("2026-10-26"), 9, 30), z("2026-10-26T09:30:00Z"));
        assert_eq!(at(d("2026-10-26"), 9, 0), z("2026-10-26T09:00:00Z"));
    }

    #[test]
    fn r04_gap_takes_the_later_instant_and_overlap_the_earlier() {
        // 01:30 on 2027-03-28 does not exist in London.
        assert_eq!(at(d("2027-03-28"), 1, 30), z("2027-03-28T01:30:00Z"));
        assert_eq!(
            to_local(at(d("2027-03-28"), 1, 30))
                .format("%H:%M %Z")
                .to_string(),
            "02:30 BST"
        );
        // 01:30 on 2026-10-25 happens twice: first in BST (00:30Z), then GMT (01:30Z).
        assert_eq!(at(d("2026-10-25"), 1, 30), z("2026-10-25T00:30:00Z"));
    }

    #[test]
    fn r04_date_only_deadline_is_the_end_of_the_london_day() {
        assert_eq!(
            end_of_day(d("2027-01-15")),
            z("2027-01-15T23:59:59.999999Z")
        );
        assert_eq!(
            end_of_day(d("2027-07-15")),
            z("2027-07-15T22:59:59.999999Z")
        );
        assert_eq!(date_of(end_of_day(d("2027-07-15"))), d("2027-07-15"));
    }

    #[test]
    fn r04_date_of_uses_the_london_day() {
        assert_eq!(date_of(z("2027-07-15T23:30:00Z")), d("2027-07-16"));
        assert_eq!(date_of(z("2027-01-15T23:30:00Z")), d("2027-01-15"));
    }

    #[test]
    fn r04_try_at_rejects_out_of_range_times() {
        assert!(try_at(d("2027-01-15"), 24, 0).is_none());
        assert!(try_at(d("2027-01-15"), 9, 60).is_none());
        assert_eq!(
            to_local(at(d("2027-01-04"), 9, 30))
                .format("%Z")
                .to_string(),
            "GMT"
        );
    }
}
