//! Rebuild during live traffic: the copies are swapped in equal, row for row, to the live
//! tables (checked inside the swap and again against a reference once traffic stops), and a
//! client querying in a loop throughout never sees an error.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::author::{Author, d, london};
use common::{Env, Running, assert_same};
use domain::calendar::Calendar;
use projection::clock::ManualClock;
use projection::rebuild::{RebuildOptions, rebuild};
use proto::pb;
use testkit::TestDb;

const STARTS: [(i32, u32, u32); 5] = [
    (2027, 1, 11),
    (2027, 1, 18),
    (2027, 1, 25),
    (2027, 2, 1),
    (2027, 2, 8),
];

#[tokio::test]
async fn a_rebuild_during_live_traffic_ends_equal_and_queries_never_fail() -> anyhow::Result<()> {
    let env = Env::new().await;
    let mut first = Author::new(env.store.clone(), london(d(2026, 11, 2), 9, 0)).await;
    let mut known = Vec::new();
    for (y, m, day) in STARTS {
        known.push(first.lifecycle(d(y, m, day)).await.to_string());
    }
    let relay = env.spawn_relay().await;
    let db = TestDb::new().await;
    let clock = ManualClock::new(london(d(2027, 2, 10), 12, 0));
    let service = Running::start(env.config(&db, &clock)).await;
    env.wait_caught_up(db.pool()).await?;

    // A client querying in a loop until told to stop; every answer must be a success.
    let stop = Arc::new(AtomicBool::new(false));
    let queries = {
        let mut c = service.client().await;
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            let mut answered = 0u64;
            let mut errors = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                for id in &known {
                    let results = [
                        c.get_inspection(pb::GetInspectionRequest {
                            inspection_id: id.clone(),
                        })
                        .await
                        .map(|_| ()),
                        c.get_deadlines(pb::GetDeadlinesRequest {
                            inspection_id: id.clone(),
                            as_of: None,
                        })
                        .await
                        .map(|_| ()),
                        c.list_inspections(pb::ListInspectionsRequest::default())
                            .await
                            .map(|_| ()),
                        c.list_deadlines(pb::ListDeadlinesRequest {
                            statuses: vec![pb::DeadlineStatus::Missed as i32],
                            ..Default::default()
                        })
                        .await
                        .map(|_| ()),
                        c.list_reports(pb::ListReportsRequest::default())
                            .await
                            .map(|_| ()),
                    ];
                    for r in results {
                        match r {
                            Ok(()) => answered += 1,
                            Err(e) => errors.push(e.to_string()),
                        }
                    }
                }
            }
            (answered, errors)
        })
    };

    // Live traffic from two more providers while the rebuild runs.
    let traffic = {
        let store = env.store.clone();
        tokio::spawn(async move {
            for _ in 0..2 {
                let mut author = Author::new(store.clone(), london(d(2026, 11, 2), 9, 0)).await;
                for (y, m, day) in STARTS {
                    author.lifecycle(d(y, m, day)).await;
                }
            }
        })
    };
    let calendar = Calendar::bundled().clone();
    let options = RebuildOptions {
        batch_size: 20,
        verify: true,
        ..RebuildOptions::default()
    };
    let mut reports = 0;
    let report = rebuild(db.pool(), &env.store, &calendar, &options, |_| reports += 1).await?;
    assert!(reports >= 1, "progress is reported");
    assert!(
        report.differences.iter().all(|(_, n)| *n == 0),
        "{report:?}"
    );
    assert_eq!(report.differences.len(), 6);
    traffic.await?;
    env.wait_caught_up(db.pool()).await?;

    // Once traffic stops: equal to a projection applied straight from the store.
    let reference = env.reference().await?;
    assert_same(db.pool(), reference.pool(), true).await?;

    // A second rebuild, on the tables the first swapped in (their index names differ).
    let quick = RebuildOptions {
        verify: true,
        ..RebuildOptions::default()
    };
    let again = rebuild(db.pool(), &env.store, &calendar, &quick, |p| {
        eprintln!("{p}")
    })
    .await?;
    eprintln!(
        "rebuild of {} events: {:.0} events/s, swapped in after {:.2}s",
        again.replayed,
        again.rate,
        again.elapsed.as_secs_f64()
    );
    assert_same(db.pool(), reference.pool(), true).await?;

    stop.store(true, Ordering::Relaxed);
    let (answered, errors) = queries.await?;
    assert!(
        errors.is_empty(),
        "queries failed during the rebuild: {errors:?}"
    );
    assert!(answered > 0);

    service.stop().await?;
    relay.stop().await;
    db.cleanup().await;
    reference.cleanup().await;
    env.cleanup().await;
    Ok(())
}
