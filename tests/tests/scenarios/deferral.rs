//! A deferral requested during the call and granted with a new start (R13, R14, R21).

use e2e::clock::london;
use e2e::journey::{instant, of_kind, refusal};
use proto::pb::{
    ChecklistStatus, Contract, DeadlineKind as K, DeadlineStatus as S, DeferralCategory,
    DeferralOutcome, EvidenceItem, InspectionState, SurveyStatus,
};
use tonic::Code;

use crate::support::*;

#[tokio::test]
async fn r14_deferral_granted_supersedes_deadlines_needs_a_new_call_and_moves_the_survey() {
    let stack = stack().await;
    let mut j = plan_full(&stack, &[Contract::Ecf, Contract::Npq]).await;

    // The call on Mon 2027-01-04; the provider asks for a deferral during it (R13) and sends
    // one item meanwhile (preparation continues, R14).
    j.at(london(2027, 1, 4, 9, 45));
    j.call().await.unwrap();
    j.at(london(2027, 1, 4, 9, 55));
    j.request_deferral(DeferralCategory::MajorIncident, "flood at the main office")
        .await
        .unwrap();
    j.submit(EvidenceItem::DeliveryPartners).await.unwrap();
    let s = j.summary().await;
    assert_eq!(s.deferrals.len(), 1);
    assert_eq!(s.deferrals[0].outcome(), DeferralOutcome::Pending);
    assert_eq!(j.survey().await.status(), SurveyStatus::Open);

    // Granted on Tue with a new start two weeks later.
    j.at(london(2027, 1, 5, 10, 0));
    j.grant_deferral("2027-01-25").await.unwrap();
    let s = j.summary().await;
    assert_eq!(s.state(), InspectionState::Planned, "back to planned");
    assert_eq!(s.cycle, 1);
    assert_eq!(
        s.planned_days,
        ["2027-01-25", "2027-01-26", "2027-01-27", "2027-01-28"]
    );
    assert_eq!(s.deferrals[0].outcome(), DeferralOutcome::Granted);
    assert_eq!(s.deferrals[0].new_start, "2027-01-25");

    // The old cycle's deadlines are superseded, except those met (the call, the request); the new cycle
    // needs a new call on Mon 2027-01-18.
    let ds = j.deadlines().await;
    for dl in ds.iter().filter(|d| d.cycle == 0) {
        match (dl.kind(), dl.status()) {
            (K::NotificationCall | K::DeferralRequestWindow, S::Met) | (_, S::Superseded) => {}
            other => panic!("cycle 0 deadline {other:?}: {dl:?}"),
        }
    }
    assert!(
        of_kind(&ds, K::SurveyClose)
            .iter()
            .any(|d| d.cycle == 0 && d.status() == S::Superseded)
    );
    assert_deadline(&ds, K::NotificationCall, None, eod(2027, 1, 18), S::Pending);
    assert_deadline(
        &ds,
        K::SurveyClose,
        None,
        utc(2027, 1, 27, 9, 0),
        S::Pending,
    );
    assert_eq!(j.survey().await.status(), SurveyStatus::Cancelled);

    // Submitted information is kept.
    let checklist = j.checklist().await;
    let partners = checklist
        .items
        .iter()
        .find(|i| i.item() == EvidenceItem::DeliveryPartners)
        .unwrap();
    assert_eq!(partners.status(), ChecklistStatus::Submitted);

    // Re-notification is required: no start on the new day 1 without a new call.
    j.at(london(2027, 1, 25, 9, 0));
    let status = j.start().await.unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    let (_, reason) = refusal(&status);
    assert!(
        reason.starts_with("R17_") || reason.starts_with("R10_"),
        "{reason}"
    );

    // The new call on Mon 2027-01-18 opens a new window closing 09:00 on the new day 3.
    j.at(london(2027, 1, 18, 9, 40));
    j.call().await.unwrap();
    let w = j.survey().await;
    assert_eq!(w.status(), SurveyStatus::Open);
    assert_eq!(instant(&w.opens_at), Some(utc(2027, 1, 18, 9, 40)));
    assert_eq!(instant(&w.closes_at), Some(utc(2027, 1, 27, 9, 0)));
    let ds = j.deadlines().await;
    assert_deadline(&ds, K::NotificationCall, None, eod(2027, 1, 18), S::Met);
    assert_eq!(j.summary().await.state(), InspectionState::Notified);
    stack.stop().await;
}
