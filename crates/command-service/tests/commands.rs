//! Commands over real gRPC: the happy path, domain refusals and bad input.

mod common;

use chrono::Duration;
use command_service::Clock;
use common::*;
use eventstore::EventStore;
use proto::pb;
use proto::pb::record_notification_call_request::Capacity;
use tonic::Code;
use uuid::Uuid;

fn call_request(
    inspection_id: &str,
    rep: &pb::PersonalDetails,
) -> pb::RecordNotificationCallRequest {
    pb::RecordNotificationCallRequest {
        meta: meta(inspection_id),
        spoke_to: Some(rep.clone()),
        capacity: Some(Capacity::NamedRepresentative(pb::Marker {})),
        override_reason: None,
    }
}

#[tokio::test]
async fn register_plan_call_and_confirm_over_grpc() {
    let app = spawn_app().await;
    let (lp, rep) = app.register_provider().await;

    // R8: a caller-supplied id makes a retried plan idempotent.
    let inspection = Uuid::now_v7();
    let mut client = app.client.clone();
    let planned = client
        .plan_inspection(as_scheduler(plan_request(lp, Some(inspection))))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(planned.inspection_id, inspection.to_string());
    assert_eq!(planned.new_version, 1);
    assert_eq!(planned.event_ids.len(), 1);
    assert!(!planned.cursor.is_empty());
    let again = client
        .plan_inspection(as_scheduler(plan_request(lp, Some(inspection))))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.new_version, 1);
    assert!(again.event_ids.is_empty(), "a retried plan appends nothing");
    assert_eq!(again.cursor, planned.cursor);

    // R10 on the right day after 09:30, with correlation and trace context.
    app.clock.set(call_time());
    let correlation = Uuid::now_v7();
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let id = inspection.to_string();
    let mut call = call_request(&id, &rep);
    call.meta.as_mut().unwrap().expected_version = Some(1);
    let mut request = as_inspector(call);
    request
        .metadata_mut()
        .insert("x-correlation-id", correlation.to_string().parse().unwrap());
    request
        .metadata_mut()
        .insert("traceparent", traceparent.parse().unwrap());
    let called = client
        .record_notification_call(request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(called.new_version, 2);
    assert_eq!(called.event_ids.len(), 1);

    // R11.
    app.clock.advance(Duration::minutes(20));
    let confirmed = client
        .record_confirmation_email(as_inspector(pb::RecordConfirmationEmailRequest {
            meta: meta(&id),
            recipients: vec![rep.clone()],
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(confirmed.new_version, 3);
    assert_ne!(confirmed.cursor, called.cursor);

    // The store holds exactly these events, with their metadata.
    let store = EventStore::from_pool(app.db.pool().clone());
    let events = store.read_stream(inspection, 1).await.unwrap();
    let types: Vec<_> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "inspection_planned",
            "notification_call_made",
            "confirmation_email_sent"
        ]
    );
    let ids: Vec<String> = events.iter().map(|e| e.event_id.to_string()).collect();
    let responded: Vec<String> = [&planned, &called, &confirmed]
        .iter()
        .flat_map(|r| r.event_ids.clone())
        .collect();
    assert_eq!(ids, responded);
    assert!(events.iter().all(|e| e.stream.lead_provider_id == lp));
    let call_event = &events[1];
    assert_eq!(call_event.metadata.actor, "inspector-1");
    assert_eq!(call_event.metadata.role, "inspector");
    assert_eq!(call_event.metadata.correlation_id, correlation);
    assert_eq!(
        call_event.metadata.traceparent.as_deref(),
        Some(traceparent)
    );
    assert_eq!(call_event.metadata.occurred_at, call_time());
    assert_eq!(call_event.recorded_at, call_time());
    assert_eq!(events[0].metadata.actor, "scheduler-1");
    app.stop().await;
}

#[tokio::test]
async fn r10_call_on_the_wrong_day_or_before_0930_is_failed_precondition_with_the_rule_code() {
    let app = spawn_app().await;
    let (lp, rep) = app.register_provider().await;
    let planned = app.plan(lp).await;
    let before = app.count_events().await;
    let mut client = app.client.clone();

    app.clock.set(call_time() + Duration::days(1));
    let status = client
        .record_notification_call(as_inspector(call_request(&planned.inspection_id, &rep)))
        .await
        .unwrap_err();
    assert_eq!(
        reason(&status, Code::FailedPrecondition),
        "R10_CALL_WRONG_DAY"
    );

    app.clock.set(call_time() - Duration::minutes(31));
    let status = client
        .record_notification_call(as_inspector(call_request(&planned.inspection_id, &rep)))
        .await
        .unwrap_err();
    assert_eq!(
        reason(&status, Code::FailedPrecondition),
        "R10_CALL_BEFORE_0930"
    );
    assert_eq!(
        app.count_events().await,
        before,
        "a refusal appends nothing"
    );
    app.stop().await;
}

#[tokio::test]
async fn permission_and_identity_refusals_change_nothing() {
    let app = spawn_app().await;
    let (lp, _) = app.register_provider().await;
    let before = app.count_events().await;
    let mut client = app.client.clone();

    let status = client
        .plan_inspection(as_inspector(plan_request(lp, None)))
        .await
        .unwrap_err();
    assert_eq!(
        reason(&status, Code::PermissionDenied),
        "ROLE_NOT_PERMITTED"
    );

    let status = client
        .plan_inspection(tonic::Request::new(plan_request(lp, None)))
        .await
        .unwrap_err();
    assert_eq!(reason(&status, Code::Unauthenticated), "TOKEN_MISSING");

    let status = client
        .start_inspection(as_inspector(pb::StartInspectionRequest {
            meta: meta(&Uuid::now_v7().to_string()),
        }))
        .await
        .unwrap_err();
    assert_eq!(reason(&status, Code::NotFound), "INSPECTION_NOT_FOUND");
    assert_eq!(app.count_events().await, before);
    app.stop().await;
}

#[tokio::test]
async fn bad_input_is_invalid_argument_naming_the_field_and_appends_nothing() {
    let app = spawn_app().await;
    let (lp, _) = app.register_provider().await;
    let planned = app.plan(lp).await;
    let id = planned.inspection_id.clone();
    let before = app.count_events().await;
    let mut client = app.client.clone();
    let too_long = "x".repeat(domain::values::Text::MAX_CHARS + 1);

    let mut cases = Vec::new();
    let plan = |f: &dyn Fn(&mut pb::PlanInspectionRequest)| {
        let mut r = plan_request(lp, None);
        f(&mut r);
        r
    };
    let plans = [
        (
            plan(&|r| r.lead_provider_id.clear()),
            "lead_provider_id",
            "FIELD_MISSING",
        ),
        (
            plan(&|r| r.lead_provider_id = "lp-1".into()),
            "lead_provider_id",
            "ID_MALFORMED",
        ),
        (
            plan(&|r| r.start = "2027-13-01".into()),
            "start",
            "DATE_MALFORMED",
        ),
        (
            plan(&|r| r.start = "11/01/2027".into()),
            "start",
            "DATE_MALFORMED",
        ),
        (plan(&|r| r.kind = 0), "kind", "ENUM_UNSPECIFIED"),
        (plan(&|r| r.kind = 42), "kind", "ENUM_UNKNOWN"),
        (
            plan(&|r| r.contracts = vec![0]),
            "contracts[0]",
            "ENUM_UNSPECIFIED",
        ),
        (
            plan(&|r| r.contracts.clear()),
            "contracts",
            "CONTRACTS_EMPTY",
        ),
        (plan(&|r| r.framework = 7), "framework", "ENUM_UNKNOWN"),
    ];
    for (request, field, code) in plans {
        let status = client
            .plan_inspection(as_scheduler(request))
            .await
            .unwrap_err();
        cases.push((bad_field(&status), field, code));
    }

    let status = client
        .cancel_inspection(as_scheduler(pb::CancelInspectionRequest {
            meta: None,
            reason: "no longer needed".into(),
        }))
        .await
        .unwrap_err();
    cases.push((bad_field(&status), "meta.inspection_id", "FIELD_MISSING"));
    let status = client
        .cancel_inspection(as_scheduler(pb::CancelInspectionRequest {
            meta: meta("not-a-uuid"),
            reason: "no longer needed".into(),
        }))
        .await
        .unwrap_err();
    cases.push((bad_field(&status), "meta.inspection_id", "ID_MALFORMED"));
    let status = client
        .reschedule_inspection(as_scheduler(pb::RescheduleInspectionRequest {
            meta: meta(&id),
            start: "2027-01-18".into(),
            days: None,
            reason: too_long.clone(),
        }))
        .await
        .unwrap_err();
    cases.push((bad_field(&status), "reason", "TEXT_TOO_LONG"));
    let mut register = pb::RegisterLeadProviderRequest {
        meta: None,
        lead_provider_id: Uuid::now_v7().to_string(),
        name: too_long.clone(),
        framework: pb::FrameworkVersion::FrameworkVersion2024 as i32,
        contracts: vec![pb::Contract::Ecf as i32],
        representatives: vec![person("Ada", Some("ada@example.org"))],
    };
    let status = client
        .register_lead_provider(as_scheduler(register.clone()))
        .await
        .unwrap_err();
    cases.push((bad_field(&status), "name", "TEXT_TOO_LONG"));
    register.name = "Trust".into();
    register.representatives[0].email = Some("ada-at-example".into());
    let status = client
        .register_lead_provider(as_scheduler(register))
        .await
        .unwrap_err();
    cases.push((
        bad_field(&status),
        "representatives[0].email",
        "EMAIL_INVALID",
    ));

    // R5: occurred_at after the server clock (+1 minute allowed).
    let future = app.clock.now() + Duration::hours(1);
    let status = client
        .cancel_inspection(as_scheduler(pb::CancelInspectionRequest {
            meta: Some(pb::CommandMeta {
                inspection_id: id.clone(),
                occurred_at: Some(prost_types::Timestamp {
                    seconds: future.timestamp(),
                    nanos: 0,
                }),
                ..Default::default()
            }),
            reason: "no longer needed".into(),
        }))
        .await
        .unwrap_err();
    cases.push((
        bad_field(&status),
        "meta.occurred_at",
        "R5_OCCURRED_AT_IN_FUTURE",
    ));
    let status = client
        .cancel_inspection(as_scheduler(pb::CancelInspectionRequest {
            meta: Some(pb::CommandMeta {
                inspection_id: id.clone(),
                idempotency_key: Some("has spaces".into()),
                ..Default::default()
            }),
            reason: "no longer needed".into(),
        }))
        .await
        .unwrap_err();
    cases.push((
        bad_field(&status),
        "meta.idempotency_key",
        "IDEMPOTENCY_KEY_INVALID",
    ));

    for ((got_field, got_reason), field, code) in cases {
        assert_eq!((got_field.as_str(), got_reason.as_str()), (field, code));
    }
    assert_eq!(
        app.count_events().await,
        before,
        "bad input appends nothing"
    );
    app.stop().await;
}
