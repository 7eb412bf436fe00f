//! Unit tests for the standard timeline: the worked examples of DOMAIN.md and the R8 limits.

use chrono::{DateTime, NaiveDate, Utc};

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date literal")
}

fn z(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test instant literal")
        .with_timezone(&Utc)
}

fn cal() -> &'static Calendar {
    Calendar::bundled()
}

#[test]
fn r08_worked_example_full_from_2027_01_11() {
    let t = standard_timeline(cal(), InspectionKind::Full, d("2027-01-11")).expect("fits one week");
    assert_eq!(t.notification_day, d("2027-01-04"));
    assert_eq!(t.notification_earliest, z("2027-01-04T09:30:00Z"));
    assert_eq!(
        t.inspection_days,
        vec![
            d("2027-01-11"),
            d("2027-01-12"),
            d("2027-01-13"),
            d("2027-01-14")
        ]
    );
    assert_eq!(t.survey_close, z("2027-01-13T09:00:00Z"));
    assert_eq!(t.follow_up_call_day, d("2027-01-15"));
    assert_eq!(t.draft_report_due, d("2027-02-09"));
    assert_eq!(t.final_report_due, d("2027-02-25"));
    assert!(!t.provisional);
    assert_eq!(&t.calendar_version, cal().version());
}

#[test]
fn r10_worked_example_lpmv_from_2027_03_30_across_easter_and_bst() {
    let t = standard_timeline(cal(), InspectionKind::Lpmv, d("2027-03-30")).expect("fits one week");
    assert_eq!(t.notification_day, d("2027-03-19"));
    assert_eq!(t.notification_earliest, z("2027-03-19T09:30:00Z"));
    assert_eq!(
        t.inspection_days,
        vec![d("2027-03-30"), d("2027-03-31"), d("2027-04-01")]
    );
    assert_eq!(t.survey_close, z("2027-03-31T08:00:00Z"));
    assert_eq!(t.follow_up_call_day, d("2027-04-02"));
    assert_eq!(t.draft_report_due, d("2027-04-27"));
    assert_eq!(t.final_report_due, d("2027-05-14"));
    assert!(!t.provisional);
}

#[test]
fn r19_worked_example_full_from_2026_12_21_over_christmas() {
    let t = standard_timeline(cal(), InspectionKind::Full, d("2026-12-21")).expect("fits one week");
    assert_eq!(
        t.inspection_days,
        vec![
            d("2026-12-21"),
            d("2026-12-22"),
            d("2026-12-23"),
            d("2026-12-24")
        ]
    );
    assert_eq!(t.follow_up_call_day, d("2026-12-29"));
    assert_eq!(t.draft_report_due, d("2027-01-22"));
}

#[test]
fn r03_notification_day_is_five_working_days_before() {
    for start in [
        "2027-01-11",
        "2027-03-30",
        "2026-12-29",
        "2027-12-29",
        "2022-06-06",
    ] {
        let n = notification_day(cal(), d(start));
        assert_eq!(cal().add_working_days(n, 5), d(start), "start {start}");
    }
    // Over the 2022 Platinum Jubilee: Thu 2/Fri 3 June are skipped, Mon 30 May is not a
    // holiday that year (spring moved), so the count is 1 Jun, 31, 30, 27, 26 May.
    assert_eq!(notification_day(cal(), d("2022-06-06")), d("2022-05-26"));
}

#[test]
fn r08_bank_holiday_in_the_week_pushes_a_day_into_the_next_week() {
    // Full from Tue 2027-12-21: 21, 22, 23, 24 fit; from Wed 2027-12-22 the 4th day is 29 Dec.
    let err = default_days(cal(), InspectionKind::Full, d("2027-12-22")).expect_err("spills");
    assert_eq!(
        err,
        ScheduleError::DaysDoNotFitOneWeek {
            kind: "full",
            start: d("2027-12-22"),
            needed: 4,
            day_number: 4,
            spilled_to: d("2027-12-29"),
            week_end: d("2027-12-24"),
            holidays_in_week: vec![],
        }
    );
    // LPMV from Thu 2026-12-24 over Christmas names the holiday in the week.
    let msg = default_days(cal(), InspectionKind::Lpmv, d("2026-12-24"))
        .expect_err("spills")
        .to_string();
    assert!(msg.contains("Thu 2026-12-24"), "{msg}");
    assert!(msg.contains("day 2 would be Tue 2026-12-29"), "{msg}");
    assert!(msg.contains("2026-12-25 Christmas Day"), "{msg}");
}

#[test]
fn r08_full_inspection_on_a_holiday_monday_week_starting_tuesday_fits() {
    let days = default_days(cal(), InspectionKind::Full, d("2027-03-30")).expect("Tue–Fri");
    assert_eq!(days.last(), Some(&d("2027-04-02")));
}

#[test]
fn r08_start_must_be_a_working_day() {
    let err =
        default_days(cal(), InspectionKind::Full, d("2027-03-29")).expect_err("Easter Monday");
    assert_eq!(
        err.to_string(),
        "start Mon 2027-03-29 is not a working day (bank holiday: Easter Monday)"
    );
    let err =
        standard_timeline(cal(), InspectionKind::Lpmv, d("2027-01-09")).expect_err("Saturday");
    assert_eq!(
        err.to_string(),
        "start Sat 2027-01-09 is not a working day (a Saturday)"
    );
}

#[test]
fn r20_survey_close_is_0900_on_day_2_or_3() {
    let days = [
        d("2027-07-05"),
        d("2027-07-06"),
        d("2027-07-07"),
        d("2027-07-08"),
    ];
    assert_eq!(
        survey_close(InspectionKind::Full, &days),
        Some(z("2027-07-07T08:00:00Z"))
    );
    assert_eq!(
        survey_close(InspectionKind::Lpmv, &days),
        Some(z("2027-07-06T08:00:00Z"))
    );
    assert_eq!(survey_close(InspectionKind::Full, &days[..2]), None);
    for kind in [InspectionKind::Full, InspectionKind::Lpmv] {
        assert!(kind.survey_close_day() <= kind.standard_days());
    }
}

#[test]
fn r25_r28_report_deadlines_count_from_the_end() {
    assert_eq!(draft_report_due(cal(), d("2027-01-14")), d("2027-02-09"));
    assert_eq!(final_report_due(cal(), d("2027-01-14")), d("2027-02-25"));
}

#[test]
fn r27_comment_window_is_five_working_days_after_the_draft() {
    assert_eq!(comment_window_end(cal(), d("2027-02-09")), d("2027-02-16"));
    // Over Easter 2027: Thu 25 Mar + 5 WD skips Good Friday and Easter Monday
    // (30, 31 Mar, 1, 2, 5 Apr).
    assert_eq!(comment_window_end(cal(), d("2027-03-25")), d("2027-04-05"));
}

#[test]
fn r02_timeline_reaching_2029_is_provisional() {
    let t = standard_timeline(cal(), InspectionKind::Full, d("2028-11-20")).expect("fits");
    assert!(t.final_report_due > d("2028-12-31"));
    assert!(t.provisional);
    let t = standard_timeline(cal(), InspectionKind::Full, d("2028-09-04")).expect("fits");
    assert!(!t.provisional);
}

#[test]
fn r29_timeline_serialises_instants_as_rfc3339_utc() {
    let t = standard_timeline(cal(), InspectionKind::Full, d("2027-01-11")).expect("fits");
    let json = serde_json::to_value(&t).expect("serialisable");
    assert_eq!(json["kind"], "full");
    assert_eq!(json["notification_earliest"], "2027-01-04T09:30:00Z");
    assert_eq!(json["survey_close"], "2027-01-13T09:00:00Z");
    assert_eq!(json["inspection_days"][0], "2027-01-11");
    assert_eq!(json["calendar_version"]["last_data_date"], "2028-12-26");
}
