//! The CLI alone drives an inspection through its whole lifecycle against both real services
//! (Postgres, NATS, gRPC on port 0), and its `--json` output agrees with the query API.

mod common;

use chrono::DateTime;
use common::journey::{caught_up, drive, london};
use common::stack::Stack;
use proto::pb;
use proto::pb::inspection_query_service_client::InspectionQueryServiceClient;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_drives_a_full_lpmv_lifecycle_and_its_json_matches_the_query_api() {
    let stack = Stack::start(london(2027, 3, 1, 9, 0)).await;
    let l = drive(&stack).await;
    caught_up(&stack, &l).await;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", stack.query_addr))
        .expect("uri")
        .tcp_nodelay(true)
        .connect()
        .await
        .expect("query service");
    let operator = auth::Identity::new("e2e-operator", domain::permissions::Role::Operator, None)
        .expect("identity");
    let bearer = auth::grpc::Bearer::new(&auth::dev::token_for(&operator)).expect("token");
    let mut q = InspectionQueryServiceClient::with_interceptor(channel, bearer);

    let summary = stack.cli_json(&["get", "-i", &l.inspection]).await;
    let api = q
        .get_inspection(pb::GetInspectionRequest {
            inspection_id: l.inspection.clone(),
        })
        .await
        .expect("get")
        .into_inner();
    assert_eq!(summary["state"], api.state().as_str_name());
    assert_eq!(summary["state"], "INSPECTION_STATE_PUBLISHED");
    assert_eq!(summary["version"].as_u64(), Some(api.version));
    assert_eq!(summary["lead_provider_id"], api.lead_provider_id.as_str());
    assert_eq!(summary["planned_days"], serde_json::json!(api.planned_days));
    assert_eq!(summary["ended_on"], api.ended_on.as_str());

    let as_of = "2027-05-10T12:00:00Z";
    let deadlines = stack
        .cli_json(&["deadlines", "-i", &l.inspection, "--as-of", as_of])
        .await;
    let api = q
        .get_deadlines(pb::GetDeadlinesRequest {
            inspection_id: l.inspection.clone(),
            as_of: Some(prost_types::Timestamp {
                seconds: DateTime::parse_from_rfc3339(as_of).unwrap().timestamp(),
                nanos: 0,
            }),
        })
        .await
        .expect("deadlines")
        .into_inner();
    let listed = deadlines["deadlines"].as_array().expect("deadlines");
    assert_eq!(listed.len(), api.deadlines.len());
    for (cli, api) in listed.iter().zip(&api.deadlines) {
        assert_eq!(cli["kind"], api.kind().as_str_name());
        assert_eq!(cli["status"], api.status().as_str_name());
        assert_eq!(cli["rule"], api.rule.as_str());
    }

    let reports = stack.cli_json(&["reports", "-i", &l.inspection]).await;
    let api = q
        .get_report_status(pb::GetReportStatusRequest {
            inspection_id: l.inspection.clone(),
            as_of: None,
        })
        .await
        .expect("reports")
        .into_inner();
    assert_eq!(
        reports["reports"][0]["progress"],
        api.reports[0].progress().as_str_name()
    );
    assert_eq!(
        reports["reports"][0]["progress"],
        "REPORT_PROGRESS_PUBLISHED"
    );
    assert_eq!(
        reports["reports"][0]["shared_with_dfe"]
            .as_array()
            .map(Vec::len),
        Some(api.reports[0].shared_with_dfe.len())
    );
    assert_eq!(api.reports[0].shared_with_dfe.len(), 2);

    let list = stack
        .cli_json(&["list", "--lead-provider", &l.lead_provider])
        .await;
    assert_eq!(
        list["inspections"][0]["inspection_id"],
        l.inspection.as_str()
    );
    let provider = stack
        .cli_json(&["lead-provider", "get", "--id", &l.lead_provider])
        .await;
    assert_eq!(provider["representatives"], 2);
    assert_eq!(provider["inspections"], 1);
    let window = stack
        .cli_json(&["survey-window", "-i", &l.inspection])
        .await;
    let api = q
        .get_survey_window(pb::GetSurveyWindowRequest {
            inspection_id: l.inspection.clone(),
            as_of: None,
        })
        .await
        .expect("window")
        .into_inner();
    assert_eq!(window["status"], api.status().as_str_name());
    let checklist = stack.cli_json(&["checklist", "-i", &l.inspection]).await;
    let api = q
        .get_evidence_checklist(pb::GetEvidenceChecklistRequest {
            inspection_id: l.inspection.clone(),
            as_of: None,
        })
        .await
        .expect("checklist")
        .into_inner();
    assert_eq!(
        checklist["items"].as_array().map(Vec::len),
        Some(api.items.len())
    );

    // Human output: a table with London times and zones, no colour codes off a terminal.
    let text = stack
        .cli(&["deadlines", "-i", &l.inspection, "--as-of", as_of])
        .await;
    assert!(text.success(), "{text:?}");
    assert!(text.stdout.starts_with("RULE"), "{}", text.stdout);
    assert!(
        text.stdout.contains(" BST") && !text.stdout.contains('\x1b'),
        "{}",
        text.stdout
    );

    // A refusal is the rule code and its message, with a non-zero exit.
    let refused = stack
        .cli(&[
            "--as-role",
            "quality_assurer",
            "report",
            "publish",
            "-i",
            &l.inspection,
            "--report",
            "lpmv-letter",
        ])
        .await;
    assert!(!refused.success());
    let first = refused.stderr.lines().next().unwrap_or("");
    let (code, message) = first.split_once(": ").expect("CODE: message");
    assert!(
        code.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
        "{first}"
    );
    assert!(
        !message.is_empty() && !refused.stderr.contains("Status {"),
        "{refused:?}"
    );
    let denied = stack
        .cli(&[
            "--as-role",
            "dfe",
            "inspection",
            "start",
            "-i",
            &l.inspection,
        ])
        .await;
    assert_eq!(denied.code, Some(3), "{denied:?}");

    // Operators: re-publishing every stored event inside the window stores nothing again,
    // and a rebuild replays every event.
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(stack.events.pool())
        .await
        .expect("count");
    let replay = stack
        .cli_json(&["events", "replay", "--from", "start"])
        .await;
    assert_eq!(replay["selected"].as_i64(), Some(events));
    assert_eq!(replay["duplicates"].as_i64(), Some(events), "{replay}");
    let rebuild = stack
        .cli_json(&["projections", "rebuild", "--verify"])
        .await;
    assert_eq!(rebuild["replayed"].as_i64(), Some(events), "{rebuild}");
    let after = stack.cli_json(&["get", "-i", &l.inspection]).await;
    assert_eq!(after["version"].as_u64(), Some(l.version));

    stack.stop().await;
}
