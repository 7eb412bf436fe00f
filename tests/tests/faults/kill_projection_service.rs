//! kill -9 the projection service mid-stream: on restart nothing is applied twice.

use std::path::Path;
use std::time::Duration;

use e2e::api::Api;
use e2e::counts;
use e2e::load::Load;
use e2e::poll;
use e2e::process::ServiceProcess;
use proto::pb;

use crate::kill_command_service::{COMMAND_BIN, PROJECTION_BIN};
use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_projection_service_mid_stream_applies_nothing_twice() {
    let env = Env::new(None).await;
    let mut command = ServiceProcess::start(
        "command service",
        Path::new(COMMAND_BIN),
        &env.command_env(),
    )
    .await;
    let mut projection = ServiceProcess::start(
        "projection service",
        Path::new(PROJECTION_BIN),
        &env.projection_env(),
    )
    .await;
    let api = Api::new(command.addr(), projection.addr());
    e2e::stack::wait_serving(command.addr(), pb::COMMAND_SERVICE_NAME).await;
    let (lp, _) = e2e::journey::register_provider(&api, "Load Provider", &[pb::Contract::Ecf])
        .await
        .unwrap();

    let load = Load::start(&api, lp, 8, u64::MAX);
    let views = env.views.pool().clone();
    poll::until("400 events projected", Duration::from_secs(120), || {
        let views = views.clone();
        async move { (counts::changes(&views).await >= 400).then_some(()) }
    })
    .await;
    projection.kill9().await;
    let at_kill = counts::changes(&views).await;
    // Commands go on while the projection is down; it restarts mid-load.
    let acked = load.tally.acked();
    poll::until(
        "300 more commands while it is down",
        Duration::from_secs(120),
        || {
            let now = load.tally.acked();
            async move { (now >= acked + 300).then_some(()) }
        },
    )
    .await;
    projection.restart().await;
    let acked = load.tally.acked();
    poll::until(
        "300 more commands after the restart",
        Duration::from_secs(120),
        || {
            let now = load.tally.acked();
            async move { (now >= acked + 300).then_some(()) }
        },
    )
    .await;
    load.tally.stop();
    let tally = load.finish().await;
    let counts = assert_exactly_once(
        "kill_9_projection_service",
        &tally,
        env.events.pool(),
        env.views.pool(),
    )
    .await;
    eprintln!(
        "kill_9_projection_service: {at_kill} events projected at the kill, {} after the restart",
        counts.projected + 1
    );
    assert!(at_kill < counts.stored as i64, "killed mid-stream");
    command.stop().await;
    projection.stop().await;
    env.cleanup().await;
}
