//! kill -9 the command service during a load of 2,000+ commands.

use std::path::Path;
use std::time::Duration;

use e2e::api::Api;
use e2e::load::Load;
use e2e::poll;
use e2e::process::ServiceProcess;
use proto::pb;

use crate::support::*;

pub const COMMAND_BIN: &str = env!("CARGO_BIN_EXE_e2e-command-service");
pub const PROJECTION_BIN: &str = env!("CARGO_BIN_EXE_e2e-projection-service");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_command_service_under_load_loses_no_acknowledged_command() {
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

    let load = Load::start(&api, lp, 8, 2_000);
    poll::until(
        "600 commands acknowledged",
        Duration::from_secs(120),
        || {
            let acked = load.tally.acked();
            async move { (acked >= 600).then_some(()) }
        },
    )
    .await;
    command.kill9().await;
    let at_kill = load.tally.acked();
    command.restart().await;
    e2e::stack::wait_serving(command.addr(), pb::COMMAND_SERVICE_NAME).await;
    let tally = load.finish().await;
    assert!(tally.acked() >= 2_000);
    assert!(
        tally.acked() > at_kill + 1_000,
        "the load went on after the restart"
    );

    let counts = assert_exactly_once(
        "kill_9_command_service",
        &tally,
        env.events.pool(),
        env.views.pool(),
    )
    .await;
    assert!(counts.acknowledged >= 2_000);
    command.stop().await;
    projection.stop().await;
    env.cleanup().await;
}
