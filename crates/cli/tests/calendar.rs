//! `inspectionctl calendar …` run as a real process.

mod common;

use common::{run, run_with_env, temp_file};

#[test]
fn r03_add_working_days_prints_the_date_on_the_last_line() {
    let r = run(&["calendar", "add-working-days", "2027-01-14", "18"]);
    assert!(r.success(), "{r:?}");
    assert_eq!(r.last_line(), "2027-02-09");
    assert_eq!(r.stdout.lines().count(), 1);
}

#[test]
fn r03_add_working_days_accepts_negative_n() {
    let r = run(&["calendar", "add-working-days", "2027-03-30", "-5"]);
    assert!(r.success(), "{r:?}");
    assert_eq!(r.last_line(), "2027-03-19");
}

#[test]
fn r02_add_working_days_into_2029_adds_a_provisional_note() {
    let r = run(&["calendar", "add-working-days", "2028-12-22", "5"]);
    assert!(r.success(), "{r:?}");
    assert_eq!(r.last_line(), "2029-01-03");
    assert!(
        r.stdout
            .lines()
            .next()
            .unwrap_or("")
            .contains("provisional"),
        "{r:?}"
    );
}

#[test]
fn r01_is_working_day_prints_true_or_false() {
    assert_eq!(
        run(&["calendar", "is-working-day", "2027-01-11"]).last_line(),
        "true"
    );
    let r = run(&["calendar", "is-working-day", "2026-12-28"]);
    assert!(r.success(), "{r:?}");
    assert_eq!(r.last_line(), "false");
    assert!(r.stdout.contains("Boxing Day"), "{r:?}");
    assert_eq!(
        run(&["calendar", "is-working-day", "2022-09-19"]).last_line(),
        "false"
    );
    assert_eq!(
        run(&["calendar", "is-working-day", "2027-01-09"]).last_line(),
        "false"
    );
}

#[test]
fn r02_good_friday_2029_is_a_provisional_holiday() {
    let r = run(&["calendar", "is-working-day", "2029-03-30"]);
    assert_eq!(r.last_line(), "false");
    assert!(r.stdout.contains("Good Friday (provisional)"), "{r:?}");
}

#[test]
fn r01_bank_holidays_lists_the_range() {
    let r = run(&["calendar", "bank-holidays", "2027-12-01", "2028-01-31"]);
    assert!(r.success(), "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "Mon 2027-12-27 Christmas Day",
            "Tue 2027-12-28 Boxing Day",
            "Mon 2028-01-03 New Year’s Day"
        ]
    );
}

#[test]
fn r02_version_prints_the_last_data_date_and_hash() {
    let r = run(&["calendar", "version"]);
    assert!(r.success(), "{r:?}");
    assert!(r.stdout.contains("last_data_date 2028-12-26"), "{r:?}");
    assert_eq!(r.last_line().len(), "sha256 ".len() + 64);
}

#[test]
fn r01_bad_date_exits_non_zero_naming_the_argument() {
    let r = run(&["calendar", "add-working-days", "2027-02-30", "1"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains("<DATE>") && r.stderr.contains("YYYY-MM-DD"),
        "{r:?}"
    );
    let r = run(&["calendar", "is-working-day", "tomorrow"]);
    assert!(!r.success());
    assert!(r.stderr.contains("<DATE>"), "{r:?}");
    let r = run(&["calendar", "add-working-days", "2027-01-11", "lots"]);
    assert!(!r.success());
    assert!(r.stderr.contains("<N>"), "{r:?}");
}

const NEWER: &str = r#"{"england-and-wales":{"division":"england-and-wales","events":[
  {"title":"Extra day","date":"2029-01-02","notes":"","bunting":true},
  {"title":"Good Friday","date":"2029-03-30","notes":"","bunting":false}]}}"#;

#[test]
fn r01_calendar_option_loads_a_newer_file() {
    let path = temp_file("newer-option", NEWER);
    let p = path.to_str().expect("utf-8 temp path");
    let r = run(&["--calendar", p, "calendar", "is-working-day", "2029-01-02"]);
    assert_eq!(r.last_line(), "false", "{r:?}");
    assert!(r.stdout.contains("Extra day"), "{r:?}");
    // The option is global: it may also follow the subcommand.
    let r = run(&["calendar", "version", "--calendar", p]);
    assert!(r.stdout.contains("last_data_date 2029-03-30"), "{r:?}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn r01_calendar_env_var_loads_a_newer_file() {
    let path = temp_file("newer-env", NEWER);
    let p = path.to_str().expect("utf-8 temp path");
    let r = run_with_env(
        &["calendar", "is-working-day", "2029-01-02"],
        &[("INSPECTIONCTL_CALENDAR", p)],
    );
    assert_eq!(r.last_line(), "false", "{r:?}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn r01_broken_calendar_file_is_refused_with_the_reason() {
    let path = temp_file("broken", r#"{"scotland":{"events":[]}}"#);
    let p = path.to_str().expect("utf-8 temp path");
    let r = run(&["--calendar", p, "calendar", "version"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("england-and-wales"), "{r:?}");
    let _ = std::fs::remove_file(path);
    let r = run(&[
        "--calendar",
        "/nonexistent/bank-holidays.json",
        "calendar",
        "version",
    ]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("reading --calendar file"), "{r:?}");
}

#[test]
fn help_explains_working_days() {
    let r = run(&["calendar", "add-working-days", "--help"]);
    assert!(r.success(), "{r:?}");
    assert!(
        r.stdout.contains("Counting starts the day after DATE"),
        "{r:?}"
    );
}
