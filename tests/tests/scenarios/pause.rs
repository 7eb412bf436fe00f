//! A pause on day 2 and a resume the next week (R17, R21): the survey close and the end move.

use e2e::clock::london;
use e2e::journey::instant;
use proto::pb::{Contract, DeadlineKind as K, DeadlineStatus as S, InspectionState, SurveyStatus};

use crate::support::*;

#[tokio::test]
async fn r21_pause_on_day_2_and_resume_next_week_moves_the_survey_close_and_the_end() {
    let stack = stack().await;
    let mut j = plan_full(&stack, &[Contract::Ecf]).await;
    j.at(london(2027, 1, 4, 9, 45));
    j.call().await.unwrap();
    j.submit_required("R15").await.unwrap();
    j.submit_required("R16").await.unwrap();
    j.at(london(2027, 1, 11, 9, 0));
    j.start().await.unwrap();

    // Paused on day 2, before the close (Wed 09:00): the window is held open.
    j.at(london(2027, 1, 12, 11, 0));
    j.pause("the lead inspector is taken ill").await.unwrap();
    let s = j.summary().await;
    assert_eq!(s.state(), InspectionState::Paused);
    assert_eq!(s.pauses.len(), 1);
    assert_eq!(s.pauses[0].days_begun, 2);
    // Past the original close, still paused: not closed.
    j.at(london(2027, 1, 13, 10, 0));
    assert_eq!(j.survey().await.status(), SurveyStatus::Open);

    // Resumed the next week: days 3 and 4 on Tue 19 and Wed 20 Jan.
    j.at(london(2027, 1, 18, 10, 0));
    j.resume(&["2027-01-19", "2027-01-20"]).await.unwrap();
    let s = j.summary().await;
    assert_eq!(s.state(), InspectionState::OnSite);
    assert_eq!(
        s.planned_days,
        ["2027-01-11", "2027-01-12", "2027-01-19", "2027-01-20"]
    );
    assert!(s.pauses[0].resumed_at.is_some());
    let w = j.survey().await;
    assert_eq!(w.status(), SurveyStatus::Open);
    assert_eq!(
        instant(&w.closes_at),
        Some(utc(2027, 1, 19, 9, 0)),
        "09:00 on the new day 3"
    );
    let ds = j.deadlines().await;
    assert_deadline(
        &ds,
        K::SurveyClose,
        None,
        utc(2027, 1, 19, 9, 0),
        S::Pending,
    );
    j.at(london(2027, 1, 19, 9, 1));
    assert_eq!(j.survey().await.status(), SurveyStatus::Closed);

    // The end on the new last day; the follow-up call and reports count from it.
    j.at(london(2027, 1, 20, 16, 0));
    j.end().await.unwrap();
    let s = j.summary().await;
    assert_eq!(s.ended_on, "2027-01-20");
    let cal = domain::calendar::Calendar::bundled();
    let end = d(2027, 1, 20);
    let ds = j.deadlines().await;
    assert_deadline(&ds, K::FollowUpCall, None, eod(2027, 1, 21), S::Pending);
    let draft = cal.add_working_days(end, 18);
    assert_deadline(
        &ds,
        K::DraftReport,
        None,
        domain::london::end_of_day(draft),
        S::Pending,
    );
    let fin = cal.add_working_days(end, 30);
    assert_deadline(
        &ds,
        K::FinalReport,
        None,
        domain::london::end_of_day(fin),
        S::Pending,
    );
    stack.stop().await;
}
