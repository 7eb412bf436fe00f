//! LPMV with "not taking effective action" (DOMAIN.md's second worked example, across Easter
//! and the start of BST): the letter's lifecycle and R30's "within 12 months".

use e2e::journey::instant;
use e2e::script::Lpmv;
use proto::pb::{
    DeadlineKind as K, DeadlineStatus as S, InspectionState, LpmvOutcome, ReportKey,
    ReportProgress as P,
};

use crate::support::*;

#[tokio::test]
async fn r30_lpmv_not_effective_letter_lifecycle_and_next_inspection_within_12_months() {
    let stack = stack().await;
    let mut lpmv = Lpmv::plan(&stack).await.unwrap();
    let s = lpmv.journey.summary().await;
    assert_eq!(s.planned_days, ["2027-03-30", "2027-03-31", "2027-04-01"]);
    let ds = lpmv.journey.deadlines().await;
    // The call on Fri 19 Mar (Good Friday and Easter Monday are not working days).
    assert_deadline(&ds, K::NotificationCall, None, eod(2027, 3, 19), S::Pending);
    // 09:00 BST on day 2 = 08:00Z.
    assert_deadline(
        &ds,
        K::SurveyClose,
        None,
        utc(2027, 3, 31, 8, 0),
        S::Pending,
    );
    let letter = lpmv.journey.report(ReportKey::LpmvLetter).await;
    assert_eq!(letter.progress(), P::AwaitingJudgements);
    assert_eq!(lpmv.journey.reports().await.len(), 1, "one letter");

    lpmv.notification_and_information().await.unwrap();
    let ds = lpmv.journey.deadlines().await;
    assert_deadline(&ds, K::NotificationCall, None, eod(2027, 3, 19), S::Met);
    assert_deadline(
        &ds,
        K::StartInformation,
        None,
        utc(2027, 3, 30, 8, 0),
        S::Met,
    );

    lpmv.on_site().await.unwrap();
    let s = lpmv.journey.summary().await;
    assert_eq!(s.state(), InspectionState::Ended);
    assert_eq!(s.ended_on, "2027-04-01");
    let ds = lpmv.journey.deadlines().await;
    assert_deadline(&ds, K::FollowUpCall, None, eod(2027, 4, 2), S::Met);
    assert_deadline(
        &ds,
        K::DraftReport,
        Some(ReportKey::LpmvLetter),
        eod(2027, 4, 27),
        S::Pending,
    );
    assert_deadline(
        &ds,
        K::FinalReport,
        Some(ReportKey::LpmvLetter),
        eod(2027, 5, 14),
        S::Pending,
    );

    lpmv.outcome().await.unwrap();
    let letter = lpmv.journey.report(ReportKey::LpmvLetter).await;
    assert_eq!(letter.outcome(), LpmvOutcome::NotEffective);
    assert_eq!(letter.progress(), P::InReview);
    // R30 is set once the outcome is known: within 12 months of the end.
    let ds = lpmv.journey.deadlines().await;
    let next = assert_deadline(&ds, K::NextInspection, None, eod(2028, 4, 1), S::Pending);
    assert_eq!(next.rule, "R30");

    lpmv.draft().await.unwrap();
    let letter = lpmv.journey.report(ReportKey::LpmvLetter).await;
    assert_eq!(letter.progress(), P::DraftIssued);
    assert_eq!(letter.draft_due, "2027-04-27");
    assert_eq!(letter.comments_close, "2027-04-27");

    lpmv.final_letter().await.unwrap();
    let letter = lpmv.journey.report(ReportKey::LpmvLetter).await;
    assert_eq!(letter.progress(), P::Published);
    assert_eq!(letter.final_due, "2027-05-14");
    assert!(!letter.final_late);
    assert_eq!(state(&lpmv.journey).await, InspectionState::Published);
    let provider = lpmv.journey.provider_view().await;
    let next = provider
        .next_inspection
        .expect("R30 deadline on the provider");
    assert_eq!(instant(&next.due_at), Some(eod(2028, 4, 1)));
    assert_eq!(next.status(), S::Pending);
    stack.stop().await;
}
