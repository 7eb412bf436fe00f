//! Every query over one whole full inspection, now and as of earlier moments of its life,
//! plus health and the error model.

mod common;

use chrono::Days;
use common::author::{Author, d, london};
use common::{Env, Running, ts};
use projection::clock::ManualClock;
use proto::pb;
use testkit::TestDb;
use tonic::Code;
use tonic_types::StatusExt;

#[tokio::test]
async fn queries_serve_every_read_model_now_and_as_of_the_past() -> anyhow::Result<()> {
    let env = Env::new().await;
    let start = d(2027, 1, 11);
    let mut author = Author::new(env.store.clone(), london(d(2026, 11, 2), 9, 0)).await;
    let id = author.lifecycle(start).await.to_string();
    let lp = author.lp_id.to_string();
    let relay = env.spawn_relay().await;
    let db = TestDb::new().await;
    let clock = ManualClock::new(london(d(2027, 4, 1), 12, 0));
    let service = Running::start(env.config(&db, &clock)).await;
    let mut c = service.client().await;
    env.wait_caught_up(db.pool()).await?;
    let day = |n: u64| start.checked_add_days(Days::new(n)).expect("date");

    // Summary and lists.
    let summary = c
        .get_inspection(pb::GetInspectionRequest {
            inspection_id: id.clone(),
        })
        .await?
        .into_inner();
    assert_eq!(summary.state, pb::InspectionState::Published as i32);
    assert_eq!(summary.kind, pb::InspectionKind::Full as i32);
    assert_eq!(
        summary.planned_days,
        ["2027-01-11", "2027-01-12", "2027-01-13", "2027-01-14"]
    );
    assert_eq!(
        summary.team_sizing.expect("sizing").delivery_partners,
        Some(1)
    );
    let published = c
        .list_inspections(pb::ListInspectionsRequest {
            lead_provider_id: lp.clone(),
            state: pb::InspectionState::Published as i32,
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(published.inspections.len(), 1);
    let planned = c
        .list_inspections(pb::ListInspectionsRequest {
            state: pb::InspectionState::Planned as i32,
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(planned.inspections.is_empty());

    // R20–R22: open mid-week, closed now.
    let open = c
        .get_survey_window(pb::GetSurveyWindowRequest {
            inspection_id: id.clone(),
            as_of: Some(ts(london(day(1), 12, 0))),
        })
        .await?
        .into_inner();
    assert_eq!(open.status, pb::SurveyStatus::Open as i32);
    assert_eq!(open.closes_at, Some(ts(london(day(2), 9, 0))));
    assert_eq!(open.responses[0].cumulative_count, 310);
    let closed = c
        .get_survey_window(pb::GetSurveyWindowRequest {
            inspection_id: id.clone(),
            as_of: None,
        })
        .await?
        .into_inner();
    assert_eq!(closed.status, pb::SurveyStatus::Closed as i32);

    // R24–R28: both published now; the drafts issued and the ECF one shared, earlier.
    let reports = c
        .get_report_status(pb::GetReportStatusRequest {
            inspection_id: id.clone(),
            as_of: None,
        })
        .await?
        .into_inner()
        .reports;
    assert_eq!(reports.len(), 2);
    assert!(
        reports
            .iter()
            .all(|r| r.progress == pb::ReportProgress::Published as i32)
    );
    let then = c
        .get_report_status(pb::GetReportStatusRequest {
            inspection_id: id.clone(),
            as_of: Some(ts(london(day(26), 12, 0))),
        })
        .await?
        .into_inner()
        .reports;
    assert!(
        then.iter()
            .all(|r| r.progress == pb::ReportProgress::DraftIssued as i32)
    );
    let shared = c
        .list_reports(pb::ListReportsRequest {
            shared_with_dfe: Some(true),
            ..Default::default()
        })
        .await?
        .into_inner()
        .reports;
    assert_eq!(shared.len(), 1);
    let status = shared[0].status.as_ref().expect("status");
    assert_eq!(status.report, pb::ReportKey::EcfReport as i32);
    assert_eq!(
        status.shared_with_dfe[0].stage,
        pb::ReportStage::Draft as i32
    );
    assert!(status.shared_with_dfe[0].whole);

    // R15–R16: outstanding before the call, submitted in time now.
    let before = c
        .get_evidence_checklist(pb::GetEvidenceChecklistRequest {
            inspection_id: id.clone(),
            as_of: Some(ts(london(d(2026, 12, 20), 12, 0))),
        })
        .await?
        .into_inner();
    assert!(
        before
            .items
            .iter()
            .all(|i| i.status == pb::ChecklistStatus::Outstanding as i32)
    );
    let now = c
        .get_evidence_checklist(pb::GetEvidenceChecklistRequest {
            inspection_id: id.clone(),
            as_of: None,
        })
        .await?
        .into_inner();
    assert!(!now.items.is_empty());
    assert!(
        now.items
            .iter()
            .all(|i| i.status == pb::ChecklistStatus::Submitted as i32)
    );

    // R30: NPQ graded 3 → the next inspection within 12 months of the end.
    let provider = c
        .get_lead_provider(pb::GetLeadProviderRequest {
            lead_provider_id: lp.clone(),
            as_of: None,
        })
        .await?
        .into_inner();
    assert_eq!(provider.name, "Best Training Trust");
    assert_eq!(provider.inspections, 1);
    assert_eq!(provider.representatives, 1);
    let next = provider.next_inspection.expect("R30 deadline");
    assert_eq!(
        next.due_at,
        Some(ts(domain::london::end_of_day(d(2028, 1, 14))))
    );
    assert_eq!(next.status, pb::DeadlineStatus::Pending as i32);

    // Errors: bad input names the field; unknown ids are NOT_FOUND with a reason.
    let bad = c
        .get_inspection(pb::GetInspectionRequest {
            inspection_id: "nope".into(),
        })
        .await
        .expect_err("malformed id");
    assert_eq!(bad.code(), Code::InvalidArgument);
    let details = bad.check_error_details()?;
    assert_eq!(details.error_info().expect("info").reason, "ID_MALFORMED");
    assert_eq!(
        details.bad_request().expect("bad request").field_violations[0].field,
        "inspection_id"
    );
    let missing = c
        .get_deadlines(pb::GetDeadlinesRequest {
            inspection_id: uuid::Uuid::new_v4().to_string(),
            as_of: None,
        })
        .await
        .expect_err("unknown id");
    assert_eq!(missing.code(), Code::NotFound);
    assert_eq!(
        missing
            .check_error_details()?
            .error_info()
            .expect("info")
            .reason,
        "INSPECTION_NOT_FOUND"
    );

    // Health.
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", service.addr))?
        .connect()
        .await?;
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    let serving = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "ofsted.inspections.v1.InspectionQueryService".into(),
        })
        .await?
        .into_inner();
    assert_eq!(
        serving.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    service.stop().await?;
    relay.stop().await;
    db.cleanup().await;
    env.cleanup().await;
    Ok(())
}
