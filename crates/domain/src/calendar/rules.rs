//! R2: the standing England-and-Wales bank-holiday rules, used only beyond the data's years.
//!
//! The gov.uk file is authoritative wherever it has data: it carries one-off days (jubilees,
//! a coronation, a state funeral) and moved days (VE day 2020) that no rule can predict.
//! Past its last year we still need *some* answer so that a deadline 30 working days after a
//! late-December inspection can be computed; these rules give it, and callers mark the result
//! provisional. A test checks the rules reproduce every bundled year except the known one-offs.

use chrono::{Datelike, NaiveDate, Weekday};

/// Titles as gov.uk spells them (note the typographic apostrophe), so rule-based and
/// data-based holidays read the same.
pub(crate) const NEW_YEAR: &str = "New Year’s Day";
pub(crate) const GOOD_FRIDAY: &str = "Good Friday";
pub(crate) const EASTER_MONDAY: &str = "Easter Monday";
pub(crate) const EARLY_MAY: &str = "Early May bank holiday";
pub(crate) const SPRING: &str = "Spring bank holiday";
pub(crate) const SUMMER: &str = "Summer bank holiday";
pub(crate) const CHRISTMAS: &str = "Christmas Day";
pub(crate) const BOXING: &str = "Boxing Day";

/// The eight standard holidays of `year`, in date order, with weekend substitutes applied.
///
/// Every substitute stays inside the same year (New Year moves to 2 or 3 Jan, Christmas and
/// Boxing Day to 27/28 Dec), so a year's holidays can be computed on their own.
pub(crate) fn standard_holidays(year: i32) -> [(NaiveDate, &'static str); 8] {
    let easter = easter_sunday(year);
    let [christmas, boxing] = christmas_and_boxing(year);
    [
        (new_years_day(year), NEW_YEAR),
        (easter - chrono::Days::new(2), GOOD_FRIDAY),
        (easter + chrono::Days::new(1), EASTER_MONDAY),
        (first_monday(year, 5), EARLY_MAY),
        (last_monday(year, 5), SPRING),
        (last_monday(year, 8), SUMMER),
        christmas,
        boxing,
    ]
}

/// Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm
/// (Meeus/Jones/Butcher): pure integer arithmetic, valid for every Gregorian year.
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

/// 1 January, or the following Monday when it falls at a weekend.
fn new_years_day(year: i32) -> NaiveDate {
    let jan1 = ymd(year, 1, 1);
    match jan1.weekday() {
        Weekday::Sat => ymd(year, 1, 3),
        Weekday::Sun => ymd(year, 1, 2),
        _ => jan1,
    }
}

/// Christmas Day and Boxing Day as gov.uk lists them when they meet a weekend:
/// Fri 25 → Boxing Day Mon 28; Sat 25 → Christmas Mon 27 and Boxing Tue 28;
/// Sun 25 → Boxing Day Mon 26 and Christmas Tue 27.
fn christmas_and_boxing(year: i32) -> [(NaiveDate, &'static str); 2] {
    let d = |day| ymd(year, 12, day);
    match d(25).weekday() {
        Weekday::Fri => [(d(25), CHRISTMAS), (d(28), BOXING)],
        Weekday::Sat => [(d(27), CHRISTMAS), (d(28), BOXING)],
        Weekday::Sun => [(d(26), BOXING), (d(27), CHRISTMAS)],
        _ => [(d(25), CHRISTMAS), (d(26), BOXING)],
    }
}

fn first_monday(year: i32, month: u32) -> NaiveDate {
    let first = ymd(year, month, 1);
    let ahead = (7 - first.weekday().num_days_from_monday()) % 7;
    first + chrono::Days::new(u64::from(ahead))
}

fn last_monday(year: i32, month: u32) -> NaiveDate {
    let last = ymd(year, month, 31);
    last - chrono::Days::new(u64::from(last.weekday().num_days_from_monday()))
}

/// Only called with dates that exist (fixed days of fixed months, or Easter's output).
fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("fixed calendar date exists in every year")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r02_easter_matches_known_years() {
        assert_eq!(easter_sunday(2027), ymd(2027, 3, 28));
        assert_eq!(easter_sunday(2029), ymd(2029, 4, 1));
        assert_eq!(easter_sunday(2038), ymd(2038, 4, 25)); // latest possible
        assert_eq!(easter_sunday(2285), ymd(2285, 3, 22)); // earliest possible
    }

    #[test]
    fn r02_christmas_substitutes_follow_govuk() {
        // 2026: Fri 25 → Boxing Mon 28.
        assert_eq!(
            christmas_and_boxing(2026),
            [(ymd(2026, 12, 25), CHRISTMAS), (ymd(2026, 12, 28), BOXING)]
        );
        // 2027: Sat 25 → 27 and 28.
        assert_eq!(
            christmas_and_boxing(2027),
            [(ymd(2027, 12, 27), CHRISTMAS), (ymd(2027, 12, 28), BOXING)]
        );
        // 2022: Sun 25 → Boxing Mon 26, Christmas Tue 27.
        assert_eq!(
            christmas_and_boxing(2022),
            [(ymd(2022, 12, 26), BOXING), (ymd(2022, 12, 27), CHRISTMAS)]
        );
    }

    #[test]
    fn r02_new_year_substitutes() {
        assert_eq!(new_years_day(2028), ymd(2028, 1, 3)); // Saturday
        assert_eq!(new_years_day(2034), ymd(2034, 1, 2)); // Sunday
        assert_eq!(new_years_day(2029), ymd(2029, 1, 1)); // Monday
    }
}
