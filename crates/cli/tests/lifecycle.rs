//! The CLI alone drives an inspection through its whole lifecycle against both real services
//! (Postgres, NATS, gRPC on port 0), and its `--json` output agrees with the query API.

mod common;

use chrono::{DateTime, Utc};
use common::stack::{Stack, poll};
use proto::pb;
use proto::pb::inspection_query_service_client::InspectionQueryServiceClient;
use serde_json::Value;

const DOC: &str = "uri=https://docs.example.org/letter.pdf,sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08,size=2048,type=application/pdf";

fn london(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    domain::london::at(
        chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date"),
        h,
        mi,
    )
}

/// What a lifecycle made.
#[derive(Debug)]
pub struct Lifecycle {
    pub lead_provider: String,
    pub inspection: String,
    pub version: u64,
}

/// Runs `inspectionctl --json --as-role ROLE args…` at `at`, returning the JSON answer.
async fn act(stack: &Stack, at: DateTime<Utc>, role: &str, args: &[&str]) -> Value {
    stack.set_now(at);
    let mut all = vec!["--as-role", role, "--as-subject", "e2e-tester"];
    all.extend_from_slice(args);
    stack.cli_json(&all).await
}

/// An LPMV from plan to publication (the DOMAIN.md worked example dates), by the CLI alone.
/// The history is full of personal data: representatives, the person called, email recipients.
async fn drive(stack: &Stack) -> Lifecycle {
    let at = london(2027, 3, 1, 10, 0);
    let lp = act(
        stack,
        at,
        "scheduler",
        &[
            "lead-provider",
            "register",
            "--name",
            "Northern Partnership",
            "--contract",
            "ECF",
            "--representative",
            "name=Ada Lovelace,email=ada.lovelace@example.org,phone=+44 20 7946 0001",
            "--representative",
            "name=Grace Hopper,email=grace@example.net,phone=020 7946 0002",
        ],
    )
    .await;
    let lead_provider = lp["lead_provider_id"].as_str().expect("id").to_owned();
    let plan = act(
        stack,
        at,
        "scheduler",
        &[
            "inspection",
            "plan",
            "--lead-provider",
            &lead_provider,
            "--kind",
            "lpmv",
            "--contract",
            "ECF",
            "--start",
            "2027-03-30",
        ],
    )
    .await;
    let id = plan["inspection_id"].as_str().expect("id").to_owned();
    let i = id.as_str();
    act(
        stack,
        london(2027, 3, 19, 9, 40),
        "inspector",
        &[
            "inspection",
            "call",
            "-i",
            i,
            "--spoke-to",
            "name=Katherine Johnson,email=kj@example.org,phone=07700 900123",
            "--senior-staff-role",
            "Director of Programmes",
        ],
    )
    .await;
    act(
        stack,
        london(2027, 3, 19, 10, 0),
        "inspector",
        &[
            "inspection",
            "confirm-email",
            "-i",
            i,
            "--to",
            "name=Katherine Johnson,email=kj@example.org",
            "--to",
            "name=Dorothy Vaughan,email=dorothy.vaughan@example.com",
        ],
    )
    .await;
    act(
        stack,
        london(2027, 3, 30, 9, 0),
        "inspector",
        &["inspection", "start", "-i", i],
    )
    .await;
    act(
        stack,
        london(2027, 4, 1, 15, 0),
        "inspector",
        &["inspection", "end", "-i", i],
    )
    .await;
    act(
        stack,
        london(2027, 4, 2, 11, 0),
        "inspector",
        &["inspection", "follow-up-call", "-i", i, "--notes", "fine"],
    )
    .await;
    let t = london(2027, 4, 2, 14, 0);
    act(
        stack,
        t,
        "inspector",
        &[
            "report",
            "lpmv-outcome",
            "-i",
            i,
            "--outcome",
            "not-effective",
        ],
    )
    .await;
    act(
        stack,
        t,
        "quality_assurer",
        &["report", "moderate", "-i", i, "--report", "lpmv-letter"],
    )
    .await;
    act(
        stack,
        t,
        "quality_assurer",
        &["report", "qa", "-i", i, "--report", "lpmv-letter"],
    )
    .await;
    let t = london(2027, 4, 20, 10, 0);
    act(
        stack,
        t,
        "quality_assurer",
        &[
            "report",
            "draft",
            "-i",
            i,
            "--report",
            "lpmv-letter",
            "--document",
            DOC,
        ],
    )
    .await;
    act(
        stack,
        t,
        "quality_assurer",
        &[
            "report",
            "share",
            "-i",
            i,
            "--report",
            "lpmv-letter",
            "--stage",
            "draft",
            "--part",
            "judgement section for Ada Lovelace",
        ],
    )
    .await;
    let t = london(2027, 5, 10, 10, 0);
    act(
        stack,
        t,
        "quality_assurer",
        &[
            "report",
            "final",
            "-i",
            i,
            "--report",
            "lpmv-letter",
            "--document",
            DOC,
        ],
    )
    .await;
    act(
        stack,
        t,
        "quality_assurer",
        &[
            "report",
            "share",
            "-i",
            i,
            "--report",
            "lpmv-letter",
            "--stage",
            "final",
            "--whole",
        ],
    )
    .await;
    let last = act(
        stack,
        t,
        "quality_assurer",
        &["report", "publish", "-i", i, "--report", "lpmv-letter"],
    )
    .await;
    Lifecycle {
        lead_provider,
        inspection: id,
        version: last["new_version"].as_u64().expect("version"),
    }
}

/// The CLI's JSON of `args`, once the projection shows `version`.
async fn caught_up(stack: &Stack, l: &Lifecycle) {
    poll("the projection to apply the last command", || async {
        let v = stack.cli_json(&["get", "-i", &l.inspection]).await;
        (v["version"].as_u64() == Some(l.version)).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_drives_a_full_lpmv_lifecycle_and_its_json_matches_the_query_api() {
    let stack = Stack::start(london(2027, 3, 1, 9, 0)).await;
    let l = drive(&stack).await;
    caught_up(&stack, &l).await;
    let mut q = InspectionQueryServiceClient::connect(format!("http://{}", stack.query_addr))
        .await
        .expect("query service");

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
