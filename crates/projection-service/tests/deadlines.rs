//! R29 through the service, with a controlled clock: pending → missed on the clock alone,
//! met when the event arrives in time, superseded by a granted deferral, and `as_of` in the
//! past showing the status as it was then.

mod common;

use chrono::{DateTime, Utc};
use common::author::{Author, d, london};
use common::{Client, Env, Running, ts};
use projection::clock::ManualClock;
use proto::pb::{
    Deadline, DeadlineKind as K, DeadlineStatus as S, GetDeadlinesRequest, ListDeadlinesRequest,
};
use testkit::TestDb;
use uuid::Uuid;

async fn deadlines(c: &mut Client, id: Uuid, as_of: Option<DateTime<Utc>>) -> Vec<Deadline> {
    c.get_deadlines(GetDeadlinesRequest {
        inspection_id: id.to_string(),
        as_of: as_of.map(ts),
    })
    .await
    .expect("get deadlines")
    .into_inner()
    .deadlines
}

fn find(ds: &[Deadline], kind: K, cycle: u32) -> &Deadline {
    ds.iter()
        .find(|d| d.kind == kind as i32 && d.cycle == cycle)
        .unwrap_or_else(|| panic!("no {kind:?} in cycle {cycle}: {ds:#?}"))
}

fn status(d: &Deadline) -> S {
    S::try_from(d.status).expect("status")
}

async fn missed(c: &mut Client, as_of: Option<DateTime<Utc>>) -> Vec<(String, i32, u32)> {
    let mut out = Vec::new();
    let mut token = String::new();
    loop {
        let page = c
            .list_deadlines(ListDeadlinesRequest {
                statuses: vec![S::Missed as i32],
                as_of: as_of.map(ts),
                page_size: 2,
                page_token: token,
                ..Default::default()
            })
            .await
            .expect("list deadlines")
            .into_inner();
        for d in page.deadlines {
            let dl = d.deadline.expect("deadline");
            assert_eq!(status(&dl), S::Missed);
            out.push((d.inspection_id, dl.kind, dl.cycle));
        }
        if page.next_page_token.is_empty() {
            return out;
        }
        token = page.next_page_token;
    }
}

#[tokio::test]
async fn deadlines_follow_the_clock_the_events_and_as_of() -> anyhow::Result<()> {
    let env = Env::new().await;
    let start = d(2027, 1, 11);
    let call_day = d(2027, 1, 4);
    let mut author = Author::new(env.store.clone(), london(d(2026, 11, 2), 9, 0)).await;
    let late = author.plan(start, london(d(2026, 12, 1), 10, 0)).await;
    let prompt_id = author.plan(start, london(d(2026, 12, 1), 10, 5)).await;
    let (late, prompt) = (late.as_uuid(), prompt_id.as_uuid());
    let relay = env.spawn_relay().await;
    let db = TestDb::new().await;
    let clock = ManualClock::new(london(call_day, 9, 0));
    let service = Running::start(env.config(&db, &clock)).await;
    let mut c = service.client().await;
    env.wait_caught_up(db.pool()).await?;

    // Before the call day ends, both calls are pending.
    for id in [late, prompt] {
        let ds = deadlines(&mut c, id, None).await;
        assert_eq!(status(find(&ds, K::NotificationCall, 0)), S::Pending);
    }

    // One call is made in time: met at the time it was made.
    author.call(prompt_id, start).await;
    env.wait_caught_up(db.pool()).await?;
    clock.set(london(call_day, 12, 0));
    let ds = deadlines(&mut c, prompt, None).await;
    let call = find(&ds, K::NotificationCall, 0);
    assert_eq!(status(call), S::Met);
    assert_eq!(call.met_at, Some(ts(london(call_day, 9, 45))));
    assert_eq!(
        status(find(
            &deadlines(&mut c, late, None).await,
            K::NotificationCall,
            0
        )),
        S::Pending
    );
    assert!(missed(&mut c, None).await.is_empty());

    // The clock passes the end of the call day: missed, with no new event.
    clock.set(london(d(2027, 1, 5), 8, 0));
    let ds = deadlines(&mut c, late, None).await;
    let call = find(&ds, K::NotificationCall, 0);
    assert_eq!(status(call), S::Missed);
    assert_eq!(call.completed_at, None);
    let all_missed = missed(&mut c, None).await;
    assert!(all_missed.contains(&(late.to_string(), K::NotificationCall as i32, 0)));
    assert!(
        all_missed.iter().all(|(id, kind, _)| {
            id != &prompt.to_string() || *kind != K::NotificationCall as i32
        })
    );

    // As of the past, the status as it was then.
    let ds = deadlines(&mut c, late, Some(london(call_day, 12, 0))).await;
    assert_eq!(status(find(&ds, K::NotificationCall, 0)), S::Pending);
    let ds = deadlines(&mut c, prompt, Some(london(call_day, 9, 40))).await;
    assert_eq!(status(find(&ds, K::NotificationCall, 0)), S::Pending);
    assert!(
        missed(&mut c, Some(london(call_day, 12, 0)))
            .await
            .is_empty()
    );

    // A granted deferral supersedes the old cycle's deadlines; a new cycle starts.
    author.defer(prompt_id, start, d(2027, 2, 1)).await;
    env.wait_caught_up(db.pool()).await?;
    clock.set(london(d(2027, 1, 5), 12, 0));
    let ds = deadlines(&mut c, prompt, None).await;
    assert_eq!(status(find(&ds, K::NotificationCall, 0)), S::Met);
    for kind in [K::StartInformation, K::SurveyClose, K::FollowUpCall] {
        assert_eq!(status(find(&ds, kind, 0)), S::Superseded, "{kind:?}");
    }
    let new_call = find(&ds, K::NotificationCall, 1);
    assert_eq!(status(new_call), S::Pending);
    assert_eq!(
        new_call.due_at,
        Some(ts(domain::london::end_of_day(d(2027, 1, 25))))
    );
    // Before the grant was recorded, the old deadlines were still live.
    let before = deadlines(&mut c, prompt, Some(london(d(2027, 1, 5), 9, 30))).await;
    assert_eq!(status(find(&before, K::StartInformation, 0)), S::Pending);
    assert!(before.iter().all(|d| d.cycle == 0));

    // A filter on the provider and a due-before bound.
    let due_before = london(start, 0, 0);
    let page = c
        .list_deadlines(ListDeadlinesRequest {
            lead_provider_id: author.lp_id.to_string(),
            due_before: Some(ts(due_before)),
            page_size: 1000,
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(!page.deadlines.is_empty());
    for d in &page.deadlines {
        let dl = d.deadline.as_ref().expect("deadline");
        assert!(dl.due_at.expect("due").seconds < due_before.timestamp());
    }
    let other = c
        .list_deadlines(ListDeadlinesRequest {
            lead_provider_id: Uuid::new_v4().to_string(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(other.deadlines.is_empty());

    service.stop().await?;
    relay.stop().await;
    db.cleanup().await;
    env.cleanup().await;
    Ok(())
}

/// Every page of `ListDeadlines` (small pages, so several) for one request shape.
async fn list_all(c: &mut Client, base: ListDeadlinesRequest) -> Vec<(i64, String, i32, u32, i32)> {
    let mut out = Vec::new();
    let mut token = String::new();
    loop {
        let page = c
            .list_deadlines(ListDeadlinesRequest {
                page_size: 3,
                page_token: token,
                ..base.clone()
            })
            .await
            .expect("list deadlines")
            .into_inner();
        for d in page.deadlines {
            let dl = d.deadline.expect("deadline");
            let due = dl.due_at.expect("due").seconds;
            out.push((due, d.inspection_id, dl.kind, dl.cycle, dl.status));
        }
        if page.next_page_token.is_empty() {
            return out;
        }
        token = page.next_page_token;
    }
}

/// The same search done by hand: every inspection's deadlines from `GetDeadlines`, filtered and
/// sorted by due time then inspection (ties within an inspection keep their order).
async fn by_hand(
    c: &mut Client,
    ids: &[Uuid],
    as_of: Option<DateTime<Utc>>,
    wanted: &[S],
) -> Vec<(i64, String, i32, u32, i32)> {
    let mut out = Vec::new();
    let mut sorted = ids.to_vec();
    sorted.sort();
    for id in sorted {
        for dl in deadlines(c, id, as_of).await {
            if wanted.is_empty() || wanted.contains(&status(&dl)) {
                let due = dl.due_at.expect("due").seconds;
                out.push((due, id.to_string(), dl.kind, dl.cycle, dl.status));
            }
        }
    }
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    out
}

#[tokio::test]
async fn r29_list_deadlines_pages_equal_a_search_by_hand_now_and_as_of_the_past()
-> anyhow::Result<()> {
    let env = Env::new().await;
    let mut author = Author::new(env.store.clone(), london(d(2026, 11, 2), 9, 0)).await;
    let mut ids = Vec::new();
    for (n, start) in [d(2027, 1, 11), d(2027, 1, 18), d(2027, 2, 1)]
        .into_iter()
        .enumerate()
    {
        for m in 0..3 {
            let planned_at = london(d(2026, 12, 1), 10, (n * 3 + m) as u32);
            ids.push(author.plan(start, planned_at).await);
        }
    }
    // Some move on: a call in time, a granted deferral (a superseded cycle).
    author.call(ids[0], d(2027, 1, 11)).await;
    author.call(ids[3], d(2027, 1, 18)).await;
    author.call(ids[4], d(2027, 1, 18)).await;
    author.defer(ids[4], d(2027, 1, 18), d(2027, 2, 8)).await;
    let ids: Vec<Uuid> = ids.iter().map(|i| i.as_uuid()).collect();
    let relay = env.spawn_relay().await;
    let db = TestDb::new().await;
    let clock = ManualClock::new(london(d(2027, 1, 20), 9, 0));
    let service = Running::start(env.config(&db, &clock)).await;
    let mut c = service.client().await;
    env.wait_caught_up(db.pool()).await?;

    // Now (every inspection settled), in the past (some have events after it), with filters.
    for as_of in [
        None,
        Some(london(d(2027, 1, 4), 12, 0)),
        Some(london(d(2026, 12, 1), 10, 4)),
    ] {
        for wanted in [vec![], vec![S::Missed], vec![S::Pending, S::Superseded]] {
            let listed = list_all(
                &mut c,
                ListDeadlinesRequest {
                    as_of: as_of.map(ts),
                    statuses: wanted.iter().map(|s| *s as i32).collect(),
                    ..Default::default()
                },
            )
            .await;
            let expected = by_hand(&mut c, &ids, as_of, &wanted).await;
            assert_eq!(listed, expected, "as_of {as_of:?}, statuses {wanted:?}");
        }
    }

    service.stop().await?;
    relay.stop().await;
    db.cleanup().await;
    env.cleanup().await;
    Ok(())
}
