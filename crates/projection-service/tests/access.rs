//! Acceptance (issue 7): every query is authenticated; a provider user gets nothing of another
//! provider (Get* NOT_FOUND as if missing, lists and Watch filtered); DfE reads only the reports
//! shared with it; an operator reads everything.

mod common;

use std::time::Duration;

use auth::Identity;
use common::author::{Author, d, london};
use common::{Client, Env, Running};
use domain::ids::LeadProviderId;
use domain::permissions::Role;
use projection::clock::ManualClock;
use proto::pb;
use testkit::TestDb;
use tonic::{Code, Status};
use tonic_types::StatusExt;
use uuid::Uuid;

fn reason(status: &Status, code: Code) -> String {
    assert_eq!(status.code(), code, "{status:?}");
    status
        .check_error_details()
        .expect("details")
        .error_info()
        .expect("ErrorInfo")
        .reason
        .clone()
}

fn provider_user(lp: LeadProviderId) -> Identity {
    Identity::new("provider-user", Role::LeadProvider, Some(lp)).unwrap()
}

fn someone(role: Role) -> Identity {
    Identity::new(format!("{role}-1"), role, None).unwrap()
}

/// The next change of a watch within `wait`, if any.
async fn next_within(
    stream: &mut tonic::Streaming<pb::Change>,
    wait: Duration,
) -> Option<pb::Change> {
    match tokio::time::timeout(wait, stream.message()).await {
        Ok(r) => r.expect("watch stream"),
        Err(_) => None,
    }
}

/// Every per-inspection query of `id`, as `c`: the NOT_FOUND reasons and messages (with the
/// id blanked, so answers about different ids compare).
async fn per_inspection_answers(c: &mut Client, id: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |r: Result<(), Status>| {
        let s = r.expect_err("not found");
        out.push((reason(&s, Code::NotFound), s.message().replace(id, "<id>")));
    };
    push(
        c.get_inspection(pb::GetInspectionRequest {
            inspection_id: id.into(),
        })
        .await
        .map(drop),
    );
    push(
        c.get_deadlines(pb::GetDeadlinesRequest {
            inspection_id: id.into(),
            ..Default::default()
        })
        .await
        .map(drop),
    );
    push(
        c.get_survey_window(pb::GetSurveyWindowRequest {
            inspection_id: id.into(),
            ..Default::default()
        })
        .await
        .map(drop),
    );
    push(
        c.get_report_status(pb::GetReportStatusRequest {
            inspection_id: id.into(),
            ..Default::default()
        })
        .await
        .map(drop),
    );
    push(
        c.get_evidence_checklist(pb::GetEvidenceChecklistRequest {
            inspection_id: id.into(),
            ..Default::default()
        })
        .await
        .map(drop),
    );
    out
}

#[tokio::test]
async fn a_provider_user_gets_nothing_of_another_provider() -> anyhow::Result<()> {
    let env = Env::new().await;
    let mut theirs = Author::new(env.store.clone(), london(d(2026, 11, 2), 9, 0)).await;
    let their_id = theirs.lifecycle(d(2027, 1, 11)).await.to_string();
    let mut ours = Author::new(env.store.clone(), london(d(2026, 11, 2), 9, 30)).await;
    let our_id = ours
        .plan(d(2027, 3, 1), london(d(2026, 12, 1), 10, 0))
        .await
        .to_string();
    let (own_lp, their_lp) = (ours.lp_id, theirs.lp_id);
    let relay = env.spawn_relay().await;
    let db = TestDb::new().await;
    let clock = ManualClock::new(london(d(2027, 4, 1), 12, 0));
    let service = Running::start(env.config(&db, &clock)).await;
    env.wait_caught_up(db.pool()).await?;
    let mut c = service.client_as(&provider_user(own_lp)).await;

    // Get*: another provider's inspection is answered exactly as a missing one.
    let missing = Uuid::new_v4().to_string();
    let of_theirs = per_inspection_answers(&mut c, &their_id).await;
    assert_eq!(of_theirs, per_inspection_answers(&mut c, &missing).await);
    assert!(of_theirs.iter().all(|(r, _)| r == "INSPECTION_NOT_FOUND"));
    let s = c
        .get_lead_provider(pb::GetLeadProviderRequest {
            lead_provider_id: their_lp.to_string(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(reason(&s, Code::NotFound), "LEAD_PROVIDER_NOT_FOUND");
    // Its own are served.
    c.get_inspection(pb::GetInspectionRequest {
        inspection_id: our_id.clone(),
    })
    .await?;
    c.get_lead_provider(pb::GetLeadProviderRequest {
        lead_provider_id: own_lp.to_string(),
        ..Default::default()
    })
    .await?;

    // List*: filtered to its own provider, and empty when asking for another.
    let all = c
        .list_inspections(pb::ListInspectionsRequest::default())
        .await?
        .into_inner()
        .inspections;
    assert_eq!(
        all.iter()
            .map(|i| i.inspection_id.as_str())
            .collect::<Vec<_>>(),
        [our_id.as_str()]
    );
    let asked = c
        .list_inspections(pb::ListInspectionsRequest {
            lead_provider_id: their_lp.to_string(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(asked.inspections.is_empty());
    let deadlines = c
        .list_deadlines(pb::ListDeadlinesRequest::default())
        .await?
        .into_inner()
        .deadlines;
    assert!(!deadlines.is_empty());
    assert!(
        deadlines
            .iter()
            .all(|x| x.lead_provider_id == own_lp.to_string())
    );
    let their_deadlines = c
        .list_deadlines(pb::ListDeadlinesRequest {
            lead_provider_id: their_lp.to_string(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(their_deadlines.deadlines.is_empty());
    let reports = c
        .list_reports(pb::ListReportsRequest::default())
        .await?
        .into_inner();
    assert!(
        reports
            .reports
            .iter()
            .all(|r| r.lead_provider_id == own_lp.to_string() && r.inspection_id == our_id),
        "{reports:?}"
    );

    // Watch: its own changes only; another provider's inspection or provider shows nothing.
    let mut watch = c.watch(pb::WatchRequest::default()).await?.into_inner();
    let mut seen = Vec::new();
    while let Some(change) = next_within(&mut watch, Duration::from_secs(2)).await {
        seen.push(change);
    }
    assert_eq!(seen.len(), 2, "registration and plan: {seen:?}");
    assert!(
        seen.iter()
            .all(|x| x.lead_provider_id == own_lp.to_string())
    );
    for request in [
        pb::WatchRequest {
            inspection_id: their_id.clone(),
            ..Default::default()
        },
        pb::WatchRequest {
            lead_provider_id: their_lp.to_string(),
            ..Default::default()
        },
    ] {
        let mut w = c.watch(request).await?.into_inner();
        assert!(
            next_within(&mut w, Duration::from_secs(1)).await.is_none(),
            "nothing of theirs"
        );
    }

    // The operator sees both providers.
    let mut op = service.client().await;
    let everything = op
        .list_inspections(pb::ListInspectionsRequest::default())
        .await?
        .into_inner();
    assert_eq!(everything.inspections.len(), 2);
    op.get_inspection(pb::GetInspectionRequest {
        inspection_id: their_id.clone(),
    })
    .await?;

    service.stop().await?;
    relay.stop().await;
    db.cleanup().await;
    env.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn dfe_reads_only_shared_reports_and_roles_read_as_documented() -> anyhow::Result<()> {
    let env = Env::new().await;
    let mut author = Author::new(env.store.clone(), london(d(2026, 11, 2), 9, 0)).await;
    let id = author.lifecycle(d(2027, 1, 11)).await.to_string();
    author
        .plan(d(2027, 5, 10), london(d(2027, 3, 1), 10, 0))
        .await;
    let relay = env.spawn_relay().await;
    let db = TestDb::new().await;
    let clock = ManualClock::new(london(d(2027, 4, 1), 12, 0));
    let service = Running::start(env.config(&db, &clock)).await;
    env.wait_caught_up(db.pool()).await?;

    let mut op = service.client().await;
    let everything = op
        .list_reports(pb::ListReportsRequest::default())
        .await?
        .into_inner()
        .reports;
    let shared: Vec<_> = everything
        .iter()
        .filter(|r| !r.status.as_ref().unwrap().shared_with_dfe.is_empty())
        .collect();
    assert!(!shared.is_empty());

    let mut dfe = service.client_as(&someone(Role::Dfe)).await;
    let seen = dfe
        .list_reports(pb::ListReportsRequest::default())
        .await?
        .into_inner()
        .reports;
    assert_eq!(seen.len(), shared.len());
    for (r, full) in seen.iter().zip(&shared) {
        assert_eq!(r.inspection_id, id);
        let s = r.status.as_ref().unwrap();
        let f = full.status.as_ref().unwrap();
        assert_eq!((s.report, s.progress), (f.report, f.progress));
        assert_eq!(s.grades, f.grades);
        assert_eq!(s.shared_with_dfe, f.shared_with_dfe);
        // Nothing of moderation, QA, comments or complaints.
        assert!(s.moderated_at.is_none() && s.quality_assured_at.is_none());
        assert!(s.comments_received_at.is_empty() && s.amendments.is_empty());
        assert!(s.draft_due.is_empty() && s.comments_close.is_empty());
    }
    let unshared = dfe
        .list_reports(pb::ListReportsRequest {
            shared_with_dfe: Some(false),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(unshared.reports.is_empty());
    let denied = [
        dfe.get_inspection(pb::GetInspectionRequest {
            inspection_id: id.clone(),
        })
        .await
        .map(drop),
        dfe.list_inspections(pb::ListInspectionsRequest::default())
            .await
            .map(drop),
        dfe.get_report_status(pb::GetReportStatusRequest {
            inspection_id: id.clone(),
            ..Default::default()
        })
        .await
        .map(drop),
        dfe.watch(pb::WatchRequest::default()).await.map(drop),
    ];
    for r in denied {
        assert_eq!(
            reason(&r.unwrap_err(), Code::PermissionDenied),
            "ROLE_NOT_PERMITTED"
        );
    }

    // Ofsted staff read everything; the survey system reads its windows, not the reports.
    for role in [Role::Scheduler, Role::Inspector, Role::QualityAssurer] {
        let mut c = service.client_as(&someone(role)).await;
        c.get_report_status(pb::GetReportStatusRequest {
            inspection_id: id.clone(),
            ..Default::default()
        })
        .await?;
    }
    let mut survey = service.client_as(&someone(Role::SurveySystem)).await;
    survey
        .get_survey_window(pb::GetSurveyWindowRequest {
            inspection_id: id.clone(),
            ..Default::default()
        })
        .await?;
    let s = survey
        .list_reports(pb::ListReportsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(reason(&s, Code::PermissionDenied), "ROLE_NOT_PERMITTED");

    // No token, or a token signed by no trusted key: UNAUTHENTICATED.
    let mut anonymous = service.client_with(auth::grpc::Bearer::none()).await;
    let s = anonymous
        .list_inspections(pb::ListInspectionsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(reason(&s, Code::Unauthenticated), "TOKEN_MISSING");
    let forged = {
        let t = auth::dev::token_for(&someone(Role::Dfe));
        let op = auth::dev::token_for(&common::operator());
        let (t, o): (Vec<&str>, Vec<&str>) = (t.split('.').collect(), op.split('.').collect());
        format!("{}.{}.{}", t[0], o[1], t[2])
    };
    let mut forger = service
        .client_with(auth::grpc::Bearer::new(&forged).unwrap())
        .await;
    let s = forger.watch(pb::WatchRequest::default()).await.unwrap_err();
    assert_eq!(reason(&s, Code::Unauthenticated), "TOKEN_SIGNATURE");

    service.stop().await?;
    relay.stop().await;
    db.cleanup().await;
    env.cleanup().await;
    Ok(())
}
