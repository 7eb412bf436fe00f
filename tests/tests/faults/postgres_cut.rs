//! Postgres connections of the command service cut (`pg_terminate_backend` on its sessions,
//! found by `application_name`) under load: in-flight commands fail with UNAVAILABLE or
//! succeed, never half-applied, and the service recovers without a restart.

use std::time::Duration;

use e2e::load::Load;
use e2e::poll;
use e2e::stack::{Stack, StackOptions, wait_serving};
use proto::pb;

use crate::support::*;

/// Terminate the command service's sessions (its pool and its relay) on the test database.
async fn cut(stack: &Stack, application_name: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND application_name IN ($2, 'ofsted-relay')) t",
    )
    .bind(stack.events.name())
    .bind(application_name)
    .fetch_one(stack.events.pool())
    .await
    .expect("terminate the service's sessions")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sessions_cut_commands_fail_unavailable_or_succeed_and_the_service_recovers() {
    let app = format!("e2e_cmd_{}", testkit::unique_suffix());
    let mut options = StackOptions::at(e2e::clock::london(2026, 12, 1, 10, 0));
    options.command_application_name = Some(app.clone());
    let stack = Stack::start(options).await;
    let (lp, _) =
        e2e::journey::register_provider(&stack.api, "Load Provider", &[pb::Contract::Ecf])
            .await
            .unwrap();

    let load = Load::start(&stack.api, lp, 8, u64::MAX);
    let tally = &load.tally;
    let mut terminated = 0;
    for round in 1..=3u64 {
        let acked = tally.acked();
        poll::until("200 more commands", Duration::from_secs(60), || {
            let now = tally.acked();
            async move { (now >= acked + 200).then_some(()) }
        })
        .await;
        let n = cut(&stack, &app).await;
        assert!(n > 0, "round {round}: the service's sessions were found");
        terminated += n;
    }
    // Recovered without a restart: commands succeed again, health says SERVING.
    let acked = tally.acked();
    poll::until(
        "300 commands after the last cut",
        Duration::from_secs(60),
        || {
            let now = tally.acked();
            async move { (now >= acked + 300).then_some(()) }
        },
    )
    .await;
    wait_serving(stack.command_addr(), pb::COMMAND_SERVICE_NAME).await;
    load.tally.stop();
    let tally = load.finish().await;

    let failures = tally.failures();
    eprintln!("postgres_cut: {terminated} sessions terminated in 3 rounds; failures {failures:?}");
    assert!(
        failures.keys().all(|code| code == "Unavailable"),
        "failed commands fail with UNAVAILABLE only: {failures:?}"
    );
    // Never half-applied: every stream's version is its number of events, without gaps.
    let (streams, bad): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE s.version <> e.n OR e.n <> e.max) \
         FROM streams s JOIN (SELECT stream_id, count(*) AS n, max(version) AS max \
         FROM events GROUP BY stream_id) e USING (stream_id)",
    )
    .fetch_one(stack.events.pool())
    .await
    .unwrap();
    let pending_keys: i64 =
        sqlx::query_scalar("SELECT count(*) FROM idempotency_keys WHERE result IS NULL")
            .fetch_one(stack.events.pool())
            .await
            .unwrap();
    eprintln!(
        "postgres_cut: {streams} streams, {bad} inconsistent, {pending_keys} unfinished idempotency keys"
    );
    assert_eq!((bad, pending_keys), (0, 0));
    let stored = e2e::counts::stored(stack.events.pool()).await as u64;
    let unknown = stored - 1 - tally.acked();
    eprintln!(
        "postgres_cut: {unknown} stored events whose command was reported UNAVAILABLE (committed as the connection dropped)"
    );
    assert!(unknown <= tally.failed());
    assert_exactly_once(
        "postgres_cut",
        &tally,
        stack.events.pool(),
        stack.views.pool(),
    )
    .await;
    stack.stop().await;
}
