//! Optimistic concurrency and idempotency over real gRPC.

mod common;

use common::*;
use proto::pb;
use proto::pb::inspection_command_service_client::InspectionCommandServiceClient;
use tonic::Code;
use tonic::transport::Channel;
use uuid::Uuid;

fn reschedule(
    inspection_id: &str,
    expected: Option<u64>,
    key: Option<&str>,
    reason: &str,
) -> pb::RescheduleInspectionRequest {
    pb::RescheduleInspectionRequest {
        meta: Some(pb::CommandMeta {
            inspection_id: inspection_id.to_owned(),
            expected_version: expected,
            idempotency_key: key.map(Into::into),
            ..Default::default()
        }),
        start: "2027-01-18".into(),
        days: None,
        reason: reason.into(),
    }
}

#[tokio::test]
async fn fifty_concurrent_commands_at_one_expected_version_one_wins_the_rest_are_aborted() {
    let app = spawn_app().await;
    let (lp, _) = app.register_provider().await;
    let planned = app.plan(lp).await;
    let before = app.count_events().await;

    let attempts = (0..50).map(|i| {
        let mut client = app.client.clone();
        let request = reschedule(&planned.inspection_id, Some(1), None, &format!("clash {i}"));
        async move { client.reschedule_inspection(as_scheduler(request)).await }
    });
    let results = futures::future::join_all(attempts).await;

    let wins: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(wins.len(), 1, "exactly one wins");
    assert_eq!(wins[0].get_ref().new_version, 2);
    for status in results.iter().filter_map(|r| r.as_ref().err()) {
        let d = details(status, Code::Aborted);
        let info = d.error_info().expect("ErrorInfo");
        assert_eq!(info.reason, "VERSION_CONFLICT");
        assert_eq!(info.metadata["current_version"], "2");
        assert_eq!(info.metadata["expected_version"], "1");
    }
    assert_eq!(app.count_events().await, before + 1);
    app.stop().await;
}

#[tokio::test]
async fn idempotency_same_key_twice_returns_the_first_response_and_appends_once() {
    let app = spawn_app().await;
    let (lp, _) = app.register_provider().await;
    let planned = app.plan(lp).await;
    let before = app.count_events().await;
    let mut client = app.client.clone();

    let request = reschedule(
        &planned.inspection_id,
        None,
        Some("resched-1"),
        "venue change",
    );
    let first = client
        .reschedule_inspection(as_scheduler(request.clone()))
        .await
        .unwrap()
        .into_inner();
    let second = client
        .reschedule_inspection(as_scheduler(request.clone()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first, second);
    assert_eq!(first.event_ids.len(), 1);
    assert_eq!(app.count_events().await, before + 1);

    // Keys are scoped to the caller: another subject's same key is another request.
    let other = client
        .reschedule_inspection(with_actor(request, "scheduler-2", "scheduler"))
        .await
        .unwrap()
        .into_inner();
    assert_ne!(other.event_ids, first.event_ids);
    assert_eq!(other.new_version, first.new_version + 1);

    // A plan without an id, retried with its key, names the same server-made inspection.
    let mut plan = plan_request(lp, None);
    plan.meta.as_mut().unwrap().idempotency_key = Some("plan-1".into());
    let a = client
        .plan_inspection(as_scheduler(plan.clone()))
        .await
        .unwrap()
        .into_inner();
    let b = client
        .plan_inspection(as_scheduler(plan))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(a, b);
    assert_eq!(
        Uuid::parse_str(&a.inspection_id).unwrap().get_version_num(),
        7
    );
    assert_eq!(app.count_events().await, before + 3);
    app.stop().await;
}

#[tokio::test]
async fn idempotency_ten_concurrent_retries_append_once_with_identical_responses() {
    let app = spawn_app().await;
    let (lp, _) = app.register_provider().await;
    let planned = app.plan(lp).await;
    let before = app.count_events().await;

    let request = reschedule(&planned.inspection_id, None, Some("burst"), "venue change");
    let attempts = (0..10).map(|_| {
        let mut client = app.client.clone();
        let request = request.clone();
        async move { client.reschedule_inspection(as_scheduler(request)).await }
    });
    let responses: Vec<_> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.expect("every retry succeeds").into_inner())
        .collect();
    assert!(
        responses.iter().all(|r| *r == responses[0]),
        "{responses:#?}"
    );
    assert_eq!(responses[0].new_version, 2);
    assert_eq!(app.count_events().await, before + 1);
    app.stop().await;
}

#[tokio::test]
async fn idempotency_same_key_with_a_different_request_is_refused_with_its_reason() {
    let app = spawn_app().await;
    let (lp, _) = app.register_provider().await;
    let planned = app.plan(lp).await;
    let mut client = app.client.clone();

    client
        .reschedule_inspection(as_scheduler(reschedule(
            &planned.inspection_id,
            None,
            Some("k-1"),
            "venue change",
        )))
        .await
        .unwrap();
    let before = app.count_events().await;
    let status = client
        .reschedule_inspection(as_scheduler(reschedule(
            &planned.inspection_id,
            None,
            Some("k-1"),
            "a different reason",
        )))
        .await
        .unwrap_err();
    assert_eq!(
        reason(&status, Code::FailedPrecondition),
        "IDEMPOTENCY_KEY_REUSED"
    );
    assert_eq!(app.count_events().await, before);
    app.stop().await;
}

/// Two instances over one store, each deciding first on its own cached states: whatever
/// the other instance appended meanwhile, an instance never acts on its stale copy — a lost
/// append is decided again, and neither a caller's `expected_version` nor a refusal is
/// answered from it.
#[tokio::test]
async fn an_instance_never_acts_on_a_state_another_instance_moved() {
    let a = spawn_app().await;
    let b = spawn_app_with(Options {
        database_url: Some(a.db.url().to_owned()),
        ..Options::default()
    })
    .await;
    b.wait_serving().await;
    let (lp, rep) = a.register_provider().await;
    let id = a.plan(lp).await.inspection_id; // A now holds the inspection at version 1.
    let move_on = |client: &InspectionCommandServiceClient<Channel>, expected| {
        let mut request = reschedule(&id, expected, None, "venue change");
        request.start = "2027-01-11".into();
        let mut client = client.clone();
        async move {
            let response = client.reschedule_inspection(as_scheduler(request)).await;
            response.unwrap().into_inner().new_version
        }
    };
    let (on_a, on_b) = (&a.client, &b.client);

    // An append on A's stale state loses to B's and is decided again.
    assert_eq!(move_on(on_b, None).await, 2);
    assert_eq!(move_on(on_a, None).await, 3);

    // The caller's expected version is checked against the stream, not A's copy.
    assert_eq!(move_on(on_b, None).await, 4);
    assert_eq!(move_on(on_a, Some(4)).await, 5);

    // A refusal (R11: no call yet, says A's copy) is not answered from a stale state.
    b.clock.set(call_time());
    let call = pb::RecordNotificationCallRequest {
        meta: meta(&id),
        spoke_to: Some(rep.clone()),
        capacity: Some(
            pb::record_notification_call_request::Capacity::NamedRepresentative(pb::Marker {}),
        ),
        override_reason: None,
    };
    assert_eq!(
        on_b.clone()
            .record_notification_call(as_inspector(call))
            .await
            .unwrap()
            .into_inner()
            .new_version,
        6
    );
    a.clock.set(call_time() + chrono::Duration::minutes(20));
    let confirmed = on_a
        .clone()
        .record_confirmation_email(as_inspector(pb::RecordConfirmationEmailRequest {
            meta: meta(&id),
            recipients: vec![rep],
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(confirmed.new_version, 7);
    assert_eq!(a.count_events().await, 8);
    b.stop().await;
    a.stop().await;
}
