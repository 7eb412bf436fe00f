//! Property tests for working-day arithmetic (R1–R3), over data years and R2 rule years.

use chrono::{Datelike, NaiveDate, Weekday};
use domain::calendar::Calendar;
use proptest::prelude::*;

/// 2012-01-01 .. 2032-12-31: the bundled data (to 2028) and four rule-based years after it.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(2012, 1, 1).expect("valid");
    let last = NaiveDate::from_ymd_opt(2032, 12, 31).expect("valid");
    let span = (last - first).num_days() as u64;
    (0..=span).prop_map(move |offset| first + chrono::Days::new(offset))
}

fn any_working_day() -> impl Strategy<Value = NaiveDate> {
    any_date().prop_map(|d| {
        let cal = Calendar::bundled();
        if cal.is_working_day(d) {
            d
        } else {
            cal.next_working_day(d)
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn r01_result_is_never_a_weekend_or_bank_holiday(d in any_date(), n in -400i32..=400) {
        prop_assume!(n != 0);
        let cal = Calendar::bundled();
        let r = cal.add_working_days(d, n);
        prop_assert!(!matches!(r.weekday(), Weekday::Sat | Weekday::Sun), "{} is a weekend", r);
        prop_assert!(cal.bank_holiday(r).is_none(), "{} is a bank holiday", r);
        prop_assert!(cal.is_working_day(r));
    }

    #[test]
    fn r03_adding_then_subtracting_returns_to_a_working_day(d in any_working_day(), n in -400i32..=400) {
        let cal = Calendar::bundled();
        prop_assert_eq!(cal.add_working_days(cal.add_working_days(d, n), -n), d);
    }

    #[test]
    fn r03_results_are_strictly_monotonic_in_n(d in any_date(), n in -400i32..400) {
        let cal = Calendar::bundled();
        prop_assert!(cal.add_working_days(d, n) < cal.add_working_days(d, n + 1));
    }

    #[test]
    fn r02_dated_results_are_provisional_exactly_when_a_rule_year_is_touched(d in any_date(), n in -400i32..=400) {
        let cal = Calendar::bundled();
        let r = cal.add_working_days_dated(d, n);
        prop_assert_eq!(r.value, cal.add_working_days(d, n));
        let (lo, hi) = if r.value < d { (r.value, d) } else { (d, r.value) };
        let touched = lo.iter_days().take_while(|x| *x <= hi).any(|x| cal.is_provisional(x));
        prop_assert_eq!(r.provisional, touched);
        if hi.year() > cal.version().last_data_date.year() {
            prop_assert!(r.provisional);
        }
    }
}
