//! Assertions and shortcuts shared by the scenarios.

use chrono::{DateTime, NaiveDate, Utc};
use e2e::clock::london;
use e2e::journey::{Journey, current, instant};
use e2e::stack::{Stack, StackOptions};
use proto::pb;
use proto::pb::{DeadlineKind as K, DeadlineStatus as S};

/// A stack with the clock at 2026-12-01 10:00 London.
pub async fn stack() -> Stack {
    Stack::start(StackOptions::at(london(2026, 12, 1, 10, 0))).await
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// End of a London day (R4).
pub fn eod(y: i32, m: u32, day: u32) -> DateTime<Utc> {
    domain::london::end_of_day(d(y, m, day))
}

pub fn utc(y: i32, m: u32, day: u32, h: u32, mi: u32) -> DateTime<Utc> {
    chrono::TimeZone::with_ymd_and_hms(&Utc, y, m, day, h, mi, 0).unwrap()
}

/// Assert the current-cycle deadline of `kind` (for `report`): due at `due`, with `status`.
pub fn assert_deadline(
    ds: &[pb::Deadline],
    kind: K,
    report: Option<pb::ReportKey>,
    due: DateTime<Utc>,
    status: S,
) -> pb::Deadline {
    let dl = current(ds, kind, report);
    assert_eq!(
        instant(&dl.due_at),
        Some(due),
        "{} due: {dl:?}",
        kind.as_str_name()
    );
    assert_eq!(dl.status(), status, "{} status: {dl:?}", kind.as_str_name());
    dl
}

/// The inspection's state.
pub async fn state(j: &Journey) -> pb::InspectionState {
    j.summary().await.state()
}

/// Every report's progress.
pub async fn progress(j: &Journey) -> Vec<pb::ReportProgress> {
    j.reports().await.iter().map(|r| r.progress()).collect()
}

/// Plan a full inspection of `contracts` starting Mon 2027-01-11 for a new provider.
pub async fn plan_full(stack: &Stack, contracts: &[pb::Contract]) -> Journey {
    stack.clocks.set(london(2026, 12, 1, 10, 0));
    let provider = e2e::journey::register_provider(&stack.api, "Test Provider", contracts)
        .await
        .unwrap();
    Journey::plan(
        &stack.api,
        &stack.clocks,
        provider,
        pb::InspectionKind::Full,
        contracts,
        "2027-01-11",
    )
    .await
    .unwrap()
}

/// From planned to judged, every step in time: the call Mon 2027-01-04, information, days
/// 11–14 Jan, the end, judgements on 18 Jan (grade 2 everywhere).
pub async fn through_judgements(j: &mut Journey) {
    j.at(london(2027, 1, 4, 9, 45));
    j.call().await.unwrap();
    j.submit_required("R15").await.unwrap();
    j.submit_required("R16").await.unwrap();
    j.at(london(2027, 1, 11, 9, 0));
    j.start().await.unwrap();
    j.at(london(2027, 1, 14, 16, 0));
    j.end().await.unwrap();
    j.at(london(2027, 1, 18, 10, 0));
    for c in j.contracts.clone() {
        j.judgements(c, e2e::requests::grades(2, 2, 2))
            .await
            .unwrap();
    }
}
