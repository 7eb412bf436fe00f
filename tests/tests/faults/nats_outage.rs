//! NATS stopped for 10+ s under load (a private nats-server): commands keep succeeding, and
//! after the restart the read models converge to the store, nothing lost or doubled.

use std::time::{Duration, Instant};

use e2e::load::Load;
use e2e::nats_server::PrivateNats;
use e2e::poll;
use e2e::stack::{Stack, StackOptions};
use proto::pb;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_down_10s_under_load_commands_succeed_and_read_models_converge() {
    let mut nats = PrivateNats::start().await;
    let mut options = StackOptions::at(e2e::clock::london(2026, 12, 1, 10, 0));
    options.nats_url = Some(nats.url());
    let stack = Stack::start(options).await;
    let (lp, _) =
        e2e::journey::register_provider(&stack.api, "Load Provider", &[pb::Contract::Ecf])
            .await
            .unwrap();

    let load = Load::start(&stack.api, lp, 3, u64::MAX);
    let tally = &load.tally;
    poll::until("300 commands acknowledged", Duration::from_secs(60), || {
        let acked = tally.acked();
        async move { (acked >= 300).then_some(()) }
    })
    .await;

    nats.stop().await;
    let down_at = Instant::now();
    let (acked_before, failed_before) = (tally.acked(), tally.failed());
    // The outage lasts as long as it takes for 10 s to pass, with the load running.
    poll::until("10 s of outage", Duration::from_secs(30), || {
        let elapsed = down_at.elapsed();
        async move { (elapsed >= Duration::from_secs(10)).then_some(()) }
    })
    .await;
    let acked_during = tally.acked() - acked_before;
    let failed_during = tally.failed() - failed_before;
    let outage = down_at.elapsed();
    nats.restart().await;
    eprintln!(
        "nats_outage: NATS down {:.1} s; {acked_during} commands acknowledged and {failed_during} failed meanwhile",
        outage.as_secs_f64()
    );
    assert!(
        acked_during >= 100,
        "commands keep succeeding: {acked_during}"
    );
    assert_eq!(failed_during, 0, "no command fails: {:?}", tally.failures());

    let acked = tally.acked();
    poll::until(
        "300 more commands after the restart",
        Duration::from_secs(60),
        || {
            let now = tally.acked();
            async move { (now >= acked + 300).then_some(()) }
        },
    )
    .await;
    load.tally.stop();
    let tally = load.finish().await;
    assert_exactly_once(
        "nats_outage",
        &tally,
        stack.events.pool(),
        stack.views.pool(),
    )
    .await;
    stack.stop().await;
}
