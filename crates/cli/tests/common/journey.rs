//! One LPMV driven from plan to publication by the CLI alone, at the DOMAIN.md worked
//! example's dates, with a history full of personal data.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::stack::{Stack, poll};

const DOC: &str = "uri=https://docs.example.org/letter.pdf,sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08,size=2048,type=application/pdf";

pub fn london(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
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
pub async fn drive(stack: &Stack) -> Lifecycle {
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

/// Waits until the projection shows the lifecycle's last version (not found until then).
pub async fn caught_up(stack: &Stack, l: &Lifecycle) {
    poll("the projection to apply the last command", || async {
        let r = stack.cli(&["--json", "get", "-i", &l.inspection]).await;
        let v: Value = serde_json::from_str(r.stdout.trim()).ok()?;
        (v["version"].as_u64() == Some(l.version)).then_some(())
    })
    .await;
}
