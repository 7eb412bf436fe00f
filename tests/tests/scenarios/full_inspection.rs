//! Full inspection, ECF + NPQ (DOMAIN.md's first worked example), plan to publication.

use e2e::clock::london;
use e2e::journey::instant;
use e2e::script::FullInspection;
use proto::pb::{
    ChecklistStatus, DeadlineKind as K, DeadlineStatus as S, InspectionState, ReportKey,
    ReportProgress as P, SurveyStatus,
};

use crate::support::*;

#[tokio::test]
async fn full_inspection_ecf_and_npq_plan_to_publication() {
    let stack = stack().await;
    let mut full = FullInspection::plan(&stack).await.unwrap();

    // Planned (R7, R8): four consecutive days, the standard timeline, two reports.
    let s = full.journey.summary().await;
    assert_eq!(s.state(), InspectionState::Planned);
    assert_eq!(
        s.planned_days,
        ["2027-01-11", "2027-01-12", "2027-01-13", "2027-01-14"]
    );
    let ds = full.journey.deadlines().await;
    assert_deadline(&ds, K::NotificationCall, None, eod(2027, 1, 4), S::Pending);
    assert_deadline(
        &ds,
        K::SurveyClose,
        None,
        utc(2027, 1, 13, 9, 0),
        S::Pending,
    );
    assert_eq!(
        progress(&full.journey).await,
        [P::AwaitingJudgements, P::AwaitingJudgements]
    );
    assert_eq!(full.journey.survey().await.status(), SurveyStatus::NotOpen);

    // The call at 09:45 on Mon 2027-01-04 (R10): met; the surveys open (R12, R20).
    full.notification_call().await.unwrap();
    let s = full.journey.summary().await;
    assert_eq!(s.state(), InspectionState::Notified);
    assert_eq!(
        instant(&s.notification_call_at),
        Some(utc(2027, 1, 4, 9, 45))
    );
    let ds = full.journey.deadlines().await;
    let call = assert_deadline(&ds, K::NotificationCall, None, eod(2027, 1, 4), S::Met);
    assert_eq!(instant(&call.met_at), Some(utc(2027, 1, 4, 9, 45)));
    assert_deadline(
        &ds,
        K::PreparationInformation,
        None,
        eod(2027, 1, 4),
        S::Pending,
    );
    let w = full.journey.survey().await;
    assert_eq!(w.status(), SurveyStatus::Open);
    assert_eq!(instant(&w.opens_at), Some(utc(2027, 1, 4, 9, 45)));
    assert_eq!(instant(&w.closes_at), Some(utc(2027, 1, 13, 9, 0)));

    // R15 information on the conversation day: met, team-sizing inputs known.
    let n = full.conversation_day_information().await.unwrap();
    assert_eq!(n, 8, "R15 items for ECF + NPQ");
    let ds = full.journey.deadlines().await;
    assert_deadline(
        &ds,
        K::PreparationInformation,
        None,
        eod(2027, 1, 4),
        S::Met,
    );
    let checklist = full.journey.checklist().await;
    assert_eq!(
        checklist.team_sizing.as_ref().unwrap().delivery_partners,
        Some(2)
    );

    // Links sent (R21); R16 information by the start.
    let n = full.links_and_start_information().await.unwrap();
    assert_eq!(n, 8, "R16 items for ECF + NPQ");
    let checklist = full.journey.checklist().await;
    assert_eq!(checklist.items.len(), 16);
    assert!(
        checklist
            .items
            .iter()
            .all(|i| i.status() == ChecklistStatus::Submitted),
        "{checklist:#?}"
    );
    assert_eq!(full.journey.survey().await.links_sent.len(), 4);
    let ds = full.journey.deadlines().await;
    assert_deadline(
        &ds,
        K::StartInformation,
        None,
        utc(2027, 1, 11, 9, 0),
        S::Met,
    );

    // On site; responses counted on day 2.
    full.on_site().await.unwrap();
    let s = full.journey.summary().await;
    assert_eq!(s.state(), InspectionState::OnSite);
    assert_eq!(s.started_on, "2027-01-11");
    let w = full.journey.survey().await;
    assert_eq!(w.status(), SurveyStatus::Open);
    assert_eq!(w.responses[0].cumulative_count, 310);
    assert_deadline(
        &full.journey.deadlines().await,
        K::DeferralRequestWindow,
        None,
        utc(2027, 1, 11, 9, 0),
        S::Closed,
    );

    // Day 3, 09:00: the window closes with no event (R20, R29: status follows the clock).
    stack.clocks.set(london(2027, 1, 13, 9, 1));
    assert_eq!(full.journey.survey().await.status(), SurveyStatus::Closed);

    // The end and the follow-up call the next working day (R19).
    full.end().await.unwrap();
    let s = full.journey.summary().await;
    assert_eq!(s.state(), InspectionState::Ended);
    assert_eq!(s.ended_on, "2027-01-14");
    let ds = full.journey.deadlines().await;
    assert_deadline(&ds, K::FollowUpCall, None, eod(2027, 1, 15), S::Met);
    for r in [ReportKey::EcfReport, ReportKey::NpqReport] {
        assert_deadline(&ds, K::DraftReport, Some(r), eod(2027, 2, 9), S::Pending);
        assert_deadline(&ds, K::FinalReport, Some(r), eod(2027, 2, 25), S::Pending);
    }

    // Judgements (R23), moderation amending ECF to outstanding (R24), QA (R25).
    full.judgements().await.unwrap();
    assert_eq!(progress(&full.journey).await, [P::Judged, P::Judged]);
    full.moderation_and_qa().await.unwrap();
    let ecf = full.journey.report(ReportKey::EcfReport).await;
    assert_eq!(ecf.progress(), P::InReview);
    assert_eq!(ecf.grades.as_ref().unwrap().overall_effectiveness, 1);
    assert_eq!(ecf.amendments.len(), 1);
    assert_eq!(ecf.amendments[0].from, "grade 2");
    assert!(ecf.moderated_at.is_some() && ecf.quality_assured_at.is_some());
    let npq = full.journey.report(ReportKey::NpqReport).await;
    assert_eq!(npq.grades.as_ref().unwrap().overall_effectiveness, 3);

    // Drafts in time (R25), the ECF draft shared with DfE (R26).
    full.drafts().await.unwrap();
    for r in full.journey.reports().await {
        assert_eq!(r.progress(), P::DraftIssued);
        assert!(!r.draft_late);
        assert_eq!(r.comments_close, "2027-02-12");
    }
    let ecf = full.journey.report(ReportKey::EcfReport).await;
    assert_eq!(ecf.shared_with_dfe.len(), 1);
    assert!(ecf.shared_with_dfe[0].whole);
    assert!(
        full.journey
            .report(ReportKey::NpqReport)
            .await
            .shared_with_dfe
            .is_empty()
    );
    let ds = full.journey.deadlines().await;
    assert_deadline(
        &ds,
        K::DraftReport,
        Some(ReportKey::EcfReport),
        eod(2027, 2, 9),
        S::Met,
    );
    assert_deadline(
        &ds,
        K::CommentWindow,
        Some(ReportKey::EcfReport),
        eod(2027, 2, 12),
        S::Pending,
    );

    // Comments in time (R27).
    full.comments().await.unwrap();
    let ecf = full.journey.report(ReportKey::EcfReport).await;
    assert_eq!(ecf.comments_received_at.len(), 1);
    assert_deadline(
        &full.journey.deadlines().await,
        K::CommentWindow,
        Some(ReportKey::EcfReport),
        eod(2027, 2, 12),
        S::Met,
    );

    // Finals in time, published (R28); the next inspection within 12 months (NPQ grade 3, R30).
    full.finals().await.unwrap();
    assert_eq!(state(&full.journey).await, InspectionState::Published);
    for r in full.journey.reports().await {
        assert_eq!(r.progress(), P::Published);
        assert!(!r.final_late);
        assert_eq!(instant(&r.published_at), Some(utc(2027, 2, 19, 10, 0)));
    }
    let ds = full.journey.deadlines().await;
    assert_deadline(
        &ds,
        K::FinalReport,
        Some(ReportKey::NpqReport),
        eod(2027, 2, 25),
        S::Met,
    );
    assert_deadline(&ds, K::NextInspection, None, eod(2028, 1, 14), S::Pending);
    let provider = full.journey.provider_view().await;
    assert_eq!(provider.inspections, 1);
    assert_eq!(
        instant(&provider.next_inspection.unwrap().due_at),
        Some(eod(2028, 1, 14))
    );
    stack.stop().await;
}
