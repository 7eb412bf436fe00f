//! Watch: a subscriber sees a command's change live; one resuming from a sequence number
//! sees exactly what it missed, once and in order, then follows live changes.

mod common;

use std::time::Duration;

use common::author::{Author, d, london};
use common::{Env, Running};
use domain::inspection::InspectionCommand;
use domain::permissions::Role;
use domain::values::StakeholderGroup;
use futures::StreamExt;
use projection::clock::ManualClock;
use proto::pb;
use testkit::TestDb;
use tonic::Streaming;

async fn next(stream: &mut Streaming<pb::Change>) -> anyhow::Result<pb::Change> {
    let item = tokio::time::timeout(common::DEADLINE, stream.next())
        .await?
        .ok_or_else(|| anyhow::anyhow!("watch ended"))??;
    Ok(item)
}

#[tokio::test]
async fn a_watch_sees_changes_and_a_resumed_watch_sees_what_it_missed_once() -> anyhow::Result<()> {
    let env = Env::new().await;
    let relay = env.spawn_relay().await;
    let db = TestDb::new().await;
    let clock = ManualClock::new(london(d(2027, 1, 4), 12, 0));
    let service = Running::start(env.config(&db, &clock)).await;
    let mut c = service.client().await;

    // Everything, live from the start.
    let mut all = c.watch(pb::WatchRequest::default()).await?.into_inner();
    let start = d(2027, 1, 11);
    let mut author = Author::new(env.store.clone(), london(d(2026, 11, 2), 9, 0)).await;
    let id = author.plan(start, london(d(2026, 12, 1), 10, 0)).await;
    let registered = next(&mut all).await?;
    assert_eq!(registered.seq, 1);
    assert_eq!(registered.stream_kind, pb::StreamKind::LeadProvider as i32);
    let planned = next(&mut all).await?;
    assert_eq!(planned.seq, 2);
    assert_eq!(planned.stream_id, id.to_string());
    assert_eq!(planned.event_type, "inspection_planned");
    assert_eq!(planned.state, pb::InspectionState::Planned as i32);
    drop(all);

    // Missed while away: the call and what follows.
    author.call(id, start).await;
    author.submit(id, "R15", london(d(2027, 1, 4), 15, 0)).await;
    let missed = author.states_version(id);
    env.wait_caught_up(db.pool()).await?;

    // Resume after seq 2, for this inspection only: versions 2.. of it, each once, in order.
    let mut resumed = c
        .watch(pb::WatchRequest {
            inspection_id: id.to_string(),
            after_seq: 2,
            ..Default::default()
        })
        .await?
        .into_inner();
    let mut seen = Vec::new();
    for _ in 2..=missed {
        seen.push(next(&mut resumed).await?);
    }
    let versions: Vec<u64> = seen.iter().map(|c| c.version).collect();
    assert_eq!(versions, (2..=missed).collect::<Vec<_>>());
    let seqs: Vec<u64> = seen.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, (3..3 + seqs.len() as u64).collect::<Vec<_>>());
    assert_eq!(seen[0].event_type, "notification_call_made");
    assert_eq!(seen[0].state, pb::InspectionState::Notified as i32);

    // Then live: the next change is the very next sequence number (nothing repeated).
    author
        .run(
            id,
            Role::LeadProvider,
            InspectionCommand::RecordSurveyLinksSent {
                groups: StakeholderGroup::ALL.to_vec(),
            },
            london(d(2027, 1, 5), 11, 0),
        )
        .await;
    let live = next(&mut resumed).await?;
    assert_eq!(live.seq, seqs.last().copied().unwrap_or(2) + 1);
    assert_eq!(live.event_type, "survey_links_sent");

    // A provider-scoped watch from the start sees the provider's own stream too.
    let mut provider = c
        .watch(pb::WatchRequest {
            lead_provider_id: author.lp_id.to_string(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(next(&mut provider).await?.seq, 1);
    assert_eq!(next(&mut provider).await?.seq, 2);

    // Both scopes at once are refused.
    let both = c
        .watch(pb::WatchRequest {
            inspection_id: id.to_string(),
            lead_provider_id: author.lp_id.to_string(),
            after_seq: 0,
        })
        .await
        .expect_err("ambiguous");
    assert_eq!(both.code(), tonic::Code::InvalidArgument);

    // Shutdown ends open watches instead of waiting for them.
    tokio::time::timeout(Duration::from_secs(30), service.stop()).await??;
    relay.stop().await;
    db.cleanup().await;
    env.cleanup().await;
    Ok(())
}
