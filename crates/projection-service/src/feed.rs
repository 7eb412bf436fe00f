//! The change feed behind `Watch`: one task learns the newest change sequence number from
//! Postgres `LISTEN` (the consumer notifies after each commit), with a poll as the safety net
//! for a lost notification or listener connection; each subscriber then reads the `changes`
//! table after its own last sequence number. Reading the table (not forwarding notifications)
//! is what makes a resumed subscriber see exactly what it missed, once and in order.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::{mpsc, watch};

use crate::store::query::{self, ChangeFilter, ChangeRow};
use crate::store::sql;

/// Changes read per round trip by a subscriber.
const BATCH: i64 = 500;

/// A handle on the newest known sequence number.
#[derive(Debug, Clone)]
pub struct ChangeFeed {
    latest: watch::Receiver<i64>,
    poll: Duration,
    stop: watch::Receiver<bool>,
}

impl ChangeFeed {
    /// Start the listener task; it ends when `stop` becomes true.
    pub fn spawn(pool: PgPool, poll: Duration, stop: watch::Receiver<bool>) -> ChangeFeed {
        let (tx, rx) = watch::channel(0);
        tokio::spawn(listen(pool, poll, tx, stop.clone()));
        ChangeFeed {
            latest: rx,
            poll,
            stop,
        }
    }

    /// Send every change after `after` that matches `filter` to `out`, then follow live ones,
    /// until `out` is closed or the service stops (so that a graceful shutdown is not held up
    /// by open streams). A database error is sent and ends the subscription.
    pub async fn follow(
        &self,
        pool: PgPool,
        filter: ChangeFilter,
        mut after: i64,
        out: mpsc::Sender<Result<ChangeRow, sqlx::Error>>,
    ) {
        let mut latest = self.latest.clone();
        let mut stop = self.stop.clone();
        loop {
            if *stop.borrow() {
                return;
            }
            // Mark the current value seen before reading, so a change committed meanwhile
            // still wakes the wait below.
            latest.borrow_and_update();
            let rows = match query::changes_after(&pool, &filter, after, BATCH).await {
                Ok(rows) => rows,
                Err(e) => {
                    let _ = out.send(Err(e)).await;
                    return;
                }
            };
            let full = rows.len() as i64 == BATCH;
            for row in rows {
                after = row.seq;
                if out.send(Ok(row)).await.is_err() {
                    return;
                }
            }
            if full {
                continue;
            }
            tokio::select! {
                changed = latest.changed() => if changed.is_err() { return },
                () = out.closed() => return,
                stopped = stop.changed() => if stopped.is_err() { return },
                () = tokio::time::sleep(self.poll) => {}
            }
        }
    }
}

async fn listen(
    pool: PgPool,
    poll: Duration,
    tx: watch::Sender<i64>,
    mut stop: watch::Receiver<bool>,
) {
    let mut listener = None::<PgListener>;
    loop {
        if listener.is_none() {
            listener = match PgListener::connect_with(&pool).await {
                Ok(mut l) => match l.listen(sql::CHANGES_CHANNEL).await {
                    Ok(()) => Some(l),
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for changes; polling");
                        None
                    }
                },
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for changes; polling");
                    None
                }
            };
        }
        let notified = async {
            match listener.as_mut() {
                Some(l) => l.try_recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            n = notified => match n {
                Ok(Some(n)) => {
                    if let Ok(seq) = n.payload().parse::<i64>() {
                        tx.send_if_modified(|v| bump(v, seq));
                    }
                    continue;
                }
                // The connection was lost: catch up by polling now, reconnect next round.
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "change listener failed");
                    listener = None;
                }
            },
            () = tokio::time::sleep(poll) => {}
        }
        match query::latest_seq(&pool).await {
            Ok(seq) => {
                tx.send_if_modified(|v| bump(v, seq));
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the change counter"),
        }
    }
}

fn bump(current: &mut i64, seq: i64) -> bool {
    if seq > *current {
        *current = seq;
        true
    } else {
        false
    }
}
