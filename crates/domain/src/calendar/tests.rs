//! Unit tests for the calendar: data, R2 rules against the data, pinned awkward dates.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date literal")
}

fn cal() -> &'static Calendar {
    Calendar::bundled()
}

#[test]
fn r01_bundled_file_parses_and_is_versioned() {
    let v = cal().version();
    assert_eq!(v.last_data_date, d("2028-12-26"));
    assert_eq!(v.sha256.len(), 64);
    assert_eq!(v.sha256, hex::encode(Sha256::digest(BUNDLED)));
}

#[test]
fn r01_weekends_and_bank_holidays_are_not_working_days() {
    assert!(cal().is_working_day(d("2027-01-11"))); // Monday
    assert!(!cal().is_working_day(d("2027-01-09"))); // Saturday
    assert!(!cal().is_working_day(d("2027-01-10"))); // Sunday
    assert!(!cal().is_working_day(d("2027-01-01"))); // New Year's Day
}

#[test]
fn r01_one_off_days_of_2022_come_from_the_data() {
    for (date, title) in [
        ("2022-06-02", "Spring bank holiday"),
        ("2022-06-03", "Platinum Jubilee bank holiday"),
        (
            "2022-09-19",
            "Bank Holiday for the State Funeral of Queen Elizabeth II",
        ),
    ] {
        let h = cal().bank_holiday(d(date)).expect("listed in the data");
        assert_eq!(h.title, title);
        assert!(!h.provisional);
        assert!(!cal().is_working_day(d(date)));
    }
    // The usual last-Monday-of-May spring holiday was moved in 2022.
    assert!(cal().is_working_day(d("2022-05-30")));
}

#[test]
fn r01_christmas_2026_has_a_boxing_day_substitute_on_the_28th() {
    assert!(!cal().is_working_day(d("2026-12-25")));
    assert!(!cal().is_working_day(d("2026-12-28")));
    assert!(cal().is_working_day(d("2026-12-29")));
    assert_eq!(cal().next_working_day(d("2026-12-24")), d("2026-12-29"));
}

#[test]
fn r01_christmas_2027_has_both_substitutes() {
    assert!(!cal().is_working_day(d("2027-12-27")));
    assert!(!cal().is_working_day(d("2027-12-28")));
    assert_eq!(cal().next_working_day(d("2027-12-24")), d("2027-12-29"));
    let titles: Vec<_> = cal()
        .bank_holidays_between(d("2027-12-20"), d("2027-12-31"))
        .into_iter()
        .map(|h| (h.date, h.title))
        .collect();
    assert_eq!(
        titles,
        vec![
            (d("2027-12-27"), "Christmas Day".to_owned()),
            (d("2027-12-28"), "Boxing Day".to_owned())
        ]
    );
}

#[test]
fn r01_easter_2027() {
    assert!(!cal().is_working_day(d("2027-03-26")));
    assert!(!cal().is_working_day(d("2027-03-29")));
    assert_eq!(cal().next_working_day(d("2027-03-25")), d("2027-03-30"));
    assert_eq!(easter_sunday(2027), d("2027-03-28"));
}

#[test]
fn r03_counting_starts_the_day_after() {
    assert_eq!(cal().add_working_days(d("2027-01-11"), 0), d("2027-01-11"));
    assert_eq!(cal().add_working_days(d("2027-01-11"), 1), d("2027-01-12"));
    assert_eq!(cal().add_working_days(d("2027-01-15"), 1), d("2027-01-18"));
    assert_eq!(cal().add_working_days(d("2027-01-11"), -5), d("2027-01-04"));
    // From a Saturday, +1 is Monday and -1 is Friday.
    assert_eq!(cal().add_working_days(d("2027-01-09"), 1), d("2027-01-11"));
    assert_eq!(cal().add_working_days(d("2027-01-09"), -1), d("2027-01-08"));
}

/// The data's differences from the R2 rules, year by year: only these one-offs may differ.
fn known_one_offs() -> BTreeMap<i32, (Vec<&'static str>, Vec<&'static str>)> {
    // year → (dates only in the data, dates only in the rules)
    BTreeMap::from([
        // Diamond Jubilee: spring holiday moved to 4 June, extra day 5 June.
        (2012, (vec!["2012-06-04", "2012-06-05"], vec!["2012-05-28"])),
        // Early May holiday moved to Friday 8 May for VE day's 75th anniversary.
        (2020, (vec!["2020-05-08"], vec!["2020-05-04"])),
        // Platinum Jubilee (spring moved to 2 June, extra 3 June); the Queen's state funeral.
        (
            2022,
            (
                vec!["2022-06-02", "2022-06-03", "2022-09-19"],
                vec!["2022-05-30"],
            ),
        ),
        // Coronation of King Charles III.
        (2023, (vec!["2023-05-08"], vec![])),
    ])
}

#[test]
fn r02_rules_reproduce_every_bundled_year_except_known_one_offs() {
    let one_offs = known_one_offs();
    let data = &cal().holidays;
    for year in 2012..=2028 {
        let from_data: BTreeMap<NaiveDate, &str> = data
            .iter()
            .filter(|(date, _)| date.year() == year)
            .map(|(date, title)| (*date, title.as_str()))
            .collect();
        let from_rules: BTreeMap<NaiveDate, &str> =
            rules::standard_holidays(year).into_iter().collect();
        let only_data: Vec<NaiveDate> = from_data
            .keys()
            .filter(|k| !from_rules.contains_key(k))
            .copied()
            .collect();
        let only_rules: Vec<NaiveDate> = from_rules
            .keys()
            .filter(|k| !from_data.contains_key(k))
            .copied()
            .collect();
        let (want_data, want_rules) = one_offs.get(&year).cloned().unwrap_or_default();
        assert_eq!(
            only_data,
            want_data.iter().map(|s| d(s)).collect::<Vec<_>>(),
            "{year}: dates only in data"
        );
        assert_eq!(
            only_rules,
            want_rules.iter().map(|s| d(s)).collect::<Vec<_>>(),
            "{year}: dates only in rules"
        );
        for (date, rule_title) in &from_rules {
            if let Some(data_title) = from_data.get(date) {
                assert_eq!(data_title, rule_title, "{year}: title on {date}");
            }
        }
    }
}

#[test]
fn r02_good_friday_2029_is_a_provisional_non_working_day() {
    let gf = d("2029-03-30");
    assert!(cal().is_provisional(gf));
    assert!(!cal().is_provisional(d("2028-12-29")));
    assert!(!cal().is_working_day(gf));
    let h = cal().bank_holiday(gf).expect("rule-based Good Friday");
    assert_eq!(h.title, "Good Friday");
    assert!(h.provisional);
    // Easter Monday 2029-04-02 as well.
    assert_eq!(cal().next_working_day(d("2029-03-29")), d("2029-04-03"));
}

#[test]
fn r02_results_that_walk_into_2029_say_provisional() {
    // 2028-12-22 (Fri) + 5 WD skips 25/26 Dec and reaches 2029 (New Year's Day is a Monday).
    let r = cal().add_working_days_dated(d("2028-12-22"), 5);
    assert_eq!(r.value, d("2029-01-03"));
    assert!(r.provisional);
    let r = cal().add_working_days_dated(d("2028-12-20"), 3);
    assert_eq!(r.value, d("2028-12-27"));
    assert!(!r.provisional);
    // Walking back out of 2029 still used rule-based days.
    assert!(
        cal()
            .add_working_days_dated(d("2029-01-02"), -3)
            .provisional
    );
}

#[test]
fn r02_bank_holidays_between_spans_data_and_rules() {
    let hs = cal().bank_holidays_between(d("2028-12-01"), d("2029-01-31"));
    let got: Vec<_> = hs.iter().map(|h| (h.date, h.provisional)).collect();
    assert_eq!(
        got,
        vec![
            (d("2028-12-25"), false),
            (d("2028-12-26"), false),
            (d("2029-01-01"), true)
        ]
    );
    assert!(
        cal()
            .bank_holidays_between(d("2029-01-31"), d("2028-12-01"))
            .is_empty()
    );
}

#[test]
fn r01_a_newer_file_can_be_loaded_and_changes_the_version() {
    let json = br#"{"england-and-wales":{"division":"england-and-wales","events":[
        {"title":"New Year's Day","date":"2029-01-01","notes":"","bunting":true},
        {"title":"Extra day","date":"2029-01-02","notes":"","bunting":true}]}}"#;
    let c = Calendar::from_govuk_json(json).expect("valid file");
    assert_eq!(c.version().last_data_date, d("2029-01-02"));
    assert_ne!(c.version().sha256, cal().version().sha256);
    assert!(!c.is_working_day(d("2029-01-02")));
    assert!(!c.is_provisional(d("2029-03-30")));
    assert!(c.is_working_day(d("2029-03-30"))); // the file has no Good Friday
}

fn load_err(json: &str) -> String {
    Calendar::from_govuk_json(json.as_bytes())
        .expect_err("file should be refused")
        .to_string()
}

#[test]
fn r01_malformed_files_are_refused_with_messages_naming_the_fault() {
    assert!(load_err("not json").contains("not valid JSON"));
    assert!(
        load_err(r#"{"scotland":{"events":[]}}"#).contains("no \"england-and-wales\" division")
    );
    assert!(load_err(r#"{"england-and-wales":{"events":3}}"#).contains("\"events\" array"));
    assert!(load_err(r#"{"england-and-wales":{"events":[]}}"#).contains("no events"));
    let bad_date =
        load_err(r#"{"england-and-wales":{"events":[{"title":"X","date":"2029-13-01"}]}}"#);
    assert!(
        bad_date.contains("event #0") && bad_date.contains("2029-13-01"),
        "{bad_date}"
    );
    let dup = load_err(
        r#"{"england-and-wales":{"events":[{"title":"A","date":"2029-01-01"},{"title":"B","date":"2029-01-01"}]}}"#,
    );
    assert!(dup.contains("2029-01-01 twice"), "{dup}");
    let gap = load_err(
        r#"{"england-and-wales":{"events":[{"title":"A","date":"2029-01-01"},{"title":"B","date":"2031-01-01"}]}}"#,
    );
    assert!(gap.contains("in 2030"), "{gap}");
    assert!(
        load_err(r#"{"england-and-wales":{"events":[{"title":" ","date":"2029-01-01"}]}}"#)
            .contains("empty title")
    );
}
