//! Late information is accepted and marked late (R15, R16); comments after the 5 working days
//! are refused (R27); a formal complaint holds publication until answered (R27).

use e2e::clock::london;
use e2e::journey::{instant, refusal};
use proto::pb::{
    ChecklistStatus, Contract, DeadlineKind as K, DeadlineStatus as S, EvidenceItem, ReportKey,
    ReportProgress as P,
};
use tonic::Code;

use crate::support::*;

#[tokio::test]
async fn r15_late_information_is_marked_late_and_the_deadline_missed() {
    let stack = stack().await;
    let mut j = plan_full(&stack, &[Contract::Ecf]).await;
    j.at(london(2027, 1, 4, 9, 45));
    j.call().await.unwrap();
    j.submit(EvidenceItem::GeneralInformation).await.unwrap();

    // The conversation day ends with items outstanding: the deadline is missed, no event needed.
    j.at(london(2027, 1, 5, 0, 1));
    let ds = j.deadlines().await;
    assert_deadline(
        &ds,
        K::PreparationInformation,
        None,
        eod(2027, 1, 4),
        S::Missed,
    );
    let missing = j.checklist().await;
    let partners = missing
        .items
        .iter()
        .find(|i| i.item() == EvidenceItem::DeliveryPartners)
        .unwrap();
    assert_eq!(partners.status(), ChecklistStatus::Missing);

    // Submitted the next morning: accepted, marked late.
    j.at(london(2027, 1, 5, 10, 0));
    j.submit(EvidenceItem::DeliveryPartners).await.unwrap();
    let checklist = j.checklist().await;
    let status = |item: EvidenceItem| {
        checklist
            .items
            .iter()
            .find(|i| i.item() == item)
            .unwrap()
            .status()
    };
    assert_eq!(
        status(EvidenceItem::DeliveryPartners),
        ChecklistStatus::Late
    );
    assert_eq!(
        status(EvidenceItem::GeneralInformation),
        ChecklistStatus::Submitted
    );
    assert_eq!(
        status(EvidenceItem::TrainingCurriculum),
        ChecklistStatus::Outstanding
    );
    stack.stop().await;
}

#[tokio::test]
async fn r27_comments_after_5_working_days_refused_and_a_complaint_holds_publication() {
    let stack = stack().await;
    let mut j = plan_full(&stack, &[Contract::Ecf]).await;
    through_judgements(&mut j).await;
    let ecf = ReportKey::EcfReport;
    j.at(london(2027, 1, 25, 10, 0));
    j.moderate(ecf, vec![]).await.unwrap();
    j.quality_assure(ecf).await.unwrap();
    j.at(london(2027, 2, 5, 10, 0));
    j.draft(ecf).await.unwrap();
    assert_eq!(j.report(ecf).await.comments_close, "2027-02-12");

    // A complaint within the window holds publication.
    j.at(london(2027, 2, 8, 10, 0));
    let complaint = j.complain(ecf).await.unwrap();
    assert!(j.report(ecf).await.complaint_holding_publication);

    // Comments on Mon 15 Feb, after the 5 working days: refused, nothing recorded.
    j.at(london(2027, 2, 15, 10, 0));
    let before = j.version;
    let status = j.comment(ecf).await.unwrap_err();
    assert_eq!(
        refusal(&status),
        (Code::FailedPrecondition, "R27_WINDOW_CLOSED".to_owned())
    );
    assert_eq!(j.summary().await.version, before);
    assert!(j.report(ecf).await.comments_received_at.is_empty());
    // The window was met by the complaint, not by the refused comments.
    let window = assert_deadline(
        &j.deadlines().await,
        K::CommentWindow,
        Some(ecf),
        eod(2027, 2, 12),
        S::Met,
    );
    assert_eq!(instant(&window.met_at), Some(utc(2027, 2, 8, 10, 0)));

    // The final may be issued; publication waits for the answer.
    j.at(london(2027, 2, 19, 10, 0));
    j.final_report(ecf).await.unwrap();
    let status = j.publish(ecf).await.unwrap_err();
    assert_eq!(
        refusal(&status),
        (
            Code::FailedPrecondition,
            "R27_COMPLAINT_HOLDS_PUBLICATION".to_owned()
        )
    );
    let r = j.report(ecf).await;
    assert_eq!(r.progress(), P::FinalIssued);
    assert!(r.complaint_holding_publication);

    j.respond(&complaint).await.unwrap();
    assert!(!j.report(ecf).await.complaint_holding_publication);
    j.publish(ecf).await.unwrap();
    assert_eq!(j.report(ecf).await.progress(), P::Published);
    stack.stop().await;
}
