//! `inspectionctl timeline` run as a real process: the DOMAIN.md worked examples and errors.

mod common;

use common::run;
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let r = run(args);
    assert!(r.success(), "{r:?}");
    serde_json::from_str(&r.stdout).expect("one JSON object on stdout")
}

#[test]
fn r08_worked_example_full_from_2027_01_11_as_json() {
    let t = json(&[
        "timeline",
        "--kind",
        "full",
        "--start",
        "2027-01-11",
        "--json",
    ]);
    assert_eq!(t["kind"], "full");
    assert_eq!(t["start"], "2027-01-11");
    assert_eq!(t["notification_day"], "2027-01-04");
    assert_eq!(t["notification_earliest"], "2027-01-04T09:30:00Z");
    assert_eq!(
        t["inspection_days"],
        serde_json::json!(["2027-01-11", "2027-01-12", "2027-01-13", "2027-01-14"])
    );
    assert_eq!(t["survey_close"], "2027-01-13T09:00:00Z");
    assert_eq!(t["follow_up_call_day"], "2027-01-15");
    assert_eq!(t["draft_report_due"], "2027-02-09");
    assert_eq!(t["final_report_due"], "2027-02-25");
    assert_eq!(t["provisional"], false);
    assert_eq!(t["calendar_version"]["last_data_date"], "2028-12-26");
}

#[test]
fn r10_worked_example_lpmv_from_2027_03_30_as_json() {
    let t = json(&[
        "timeline",
        "--kind",
        "lpmv",
        "--start",
        "2027-03-30",
        "--json",
    ]);
    assert_eq!(t["notification_day"], "2027-03-19");
    assert_eq!(t["notification_earliest"], "2027-03-19T09:30:00Z");
    assert_eq!(
        t["inspection_days"],
        serde_json::json!(["2027-03-30", "2027-03-31", "2027-04-01"])
    );
    assert_eq!(t["survey_close"], "2027-03-31T08:00:00Z");
    assert_eq!(t["follow_up_call_day"], "2027-04-02");
    assert_eq!(t["draft_report_due"], "2027-04-27");
    assert_eq!(t["final_report_due"], "2027-05-14");
}

#[test]
fn r19_worked_example_full_from_2026_12_21_as_json() {
    let t = json(&[
        "timeline",
        "--kind",
        "full",
        "--start",
        "2026-12-21",
        "--json",
    ]);
    assert_eq!(
        t["inspection_days"],
        serde_json::json!(["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24"])
    );
    assert_eq!(t["follow_up_call_day"], "2026-12-29");
    assert_eq!(t["draft_report_due"], "2027-01-22");
}

#[test]
fn r04_text_shows_london_times_with_their_zone() {
    let r = run(&["timeline", "--kind", "full", "--start", "2027-01-11"]);
    assert!(r.success(), "{r:?}");
    assert!(
        r.stdout.contains("Mon 2027-01-04 from 09:30 GMT"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Wed 2027-01-13 09:00 GMT"),
        "{}",
        r.stdout
    );
    let r = run(&["timeline", "--kind", "lpmv", "--start", "2027-03-30"]);
    assert!(
        r.stdout.contains("Fri 2027-03-19 from 09:30 GMT"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Wed 2027-03-31 09:00 BST"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Fri 2027-05-14"), "{}", r.stdout);
}

#[test]
fn r02_timeline_into_2029_is_marked_provisional() {
    let t = json(&[
        "timeline",
        "--kind",
        "full",
        "--start",
        "2028-11-20",
        "--json",
    ]);
    assert_eq!(t["provisional"], true);
    let r = run(&["timeline", "--kind", "full", "--start", "2028-11-20"]);
    assert!(r.stdout.contains("provisional"), "{}", r.stdout);
}

#[test]
fn r08_days_that_do_not_fit_one_week_exit_non_zero_with_the_reason() {
    let r = run(&[
        "timeline",
        "--kind",
        "full",
        "--start",
        "2027-12-22",
        "--json",
    ]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.is_empty(), "{r:?}");
    assert!(
        r.stderr.contains("day 4 would be Wed 2027-12-29"),
        "{}",
        r.stderr
    );
}

#[test]
fn r08_start_on_a_bank_holiday_exits_non_zero() {
    let r = run(&["timeline", "--kind", "lpmv", "--start", "2027-03-29"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .contains("not a working day (bank holiday: Easter Monday)"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_arguments_exit_non_zero_naming_the_argument() {
    let r = run(&["timeline", "--kind", "full", "--start", "11/01/2027"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("--start"), "{}", r.stderr);
    let r = run(&["timeline", "--kind", "weekly", "--start", "2027-01-11"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("--kind"), "{}", r.stderr);
    let r = run(&["timeline", "--start", "2027-01-11"]);
    assert_eq!(r.code, Some(2), "{r:?}");
}
