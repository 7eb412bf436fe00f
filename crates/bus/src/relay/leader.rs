//! The loop a relay runs while it holds the leader lock.

use eventstore::Cursor;
use sqlx::postgres::PgListener;
use sqlx::{Connection, PgConnection};

use super::backoff::Backoff;
use super::{Ctx, NOTIFY_CHANNEL, RelayError, Shutdown, nats, pg};

/// Why leading ended without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LeadEnd {
    /// Shutdown was requested; the lock was released.
    Shutdown,
    /// The leader session died or the cursor moved under us: back to standing by.
    LostLeadership,
}

/// What one iteration decided.
enum Step {
    Continue,
    End(LeadEnd),
}

/// The leader's state: its session (holding the lock), cursor and view of the stream's tail.
pub(super) struct Leader<'c> {
    ctx: &'c Ctx,
    conn: PgConnection,
    cursor: Cursor,
    /// The stream's last sequence as far as this relay knows; `None` means "read the tail
    /// before publishing again" (at start, and after any failure or duplicate ack).
    tail: Option<u64>,
    listener: Option<PgListener>,
    backoff: Backoff,
}

impl<'c> Leader<'c> {
    pub(super) fn new(ctx: &'c Ctx, conn: PgConnection) -> Self {
        Self {
            ctx,
            conn,
            cursor: Cursor::START,
            tail: None,
            listener: None,
            backoff: Backoff::new(ctx.config.min_backoff, ctx.config.max_backoff),
        }
    }

    /// Leads until shutdown, lost leadership, or an unrecoverable error.
    pub(super) async fn lead(mut self, shutdown: &mut Shutdown<'_>) -> Result<LeadEnd, RelayError> {
        let limit = self.ctx.pg_timeout();
        if let Err(e) = pg::bounded(limit, pg::migrate(&mut self.conn)).await {
            self.ctx.failed(&e);
            return Ok(LeadEnd::LostLeadership);
        }
        self.cursor = match pg::load_cursor(&mut self.conn, &self.ctx.config.name).await {
            Ok(cursor) => cursor,
            Err(RelayError::Postgres(e)) => {
                self.ctx.failed(&e);
                return Ok(LeadEnd::LostLeadership);
            }
            Err(e) => return Err(e),
        };
        let cursor = self.cursor;
        self.ctx.status.send_modify(|s| {
            s.is_leader = true;
            s.cursor = Some(cursor);
        });
        self.listener = self.listen().await;
        loop {
            if shutdown.is_triggered() {
                return Ok(self.step_down().await);
            }
            match self.step(shutdown).await? {
                Step::Continue => {}
                Step::End(LeadEnd::Shutdown) => return Ok(self.step_down().await),
                Step::End(LeadEnd::LostLeadership) => return Ok(LeadEnd::LostLeadership),
            }
        }
    }

    /// One round: check the session, reconcile if needed, read a batch, publish it, advance.
    async fn step(&mut self, shutdown: &mut Shutdown<'_>) -> Result<Step, RelayError> {
        let limit = self.ctx.pg_timeout();
        if let Err(e) = pg::bounded(limit, pg::ping(&mut self.conn)).await {
            self.ctx.failed(&e);
            return Ok(Step::End(LeadEnd::LostLeadership));
        }
        let tail = match self.tail {
            Some(tail) => tail,
            None => match self.reconcile().await {
                Ok(Some(tail)) => tail,
                Ok(None) => return Ok(Step::End(LeadEnd::LostLeadership)),
                Err(e) => {
                    self.ctx.failed(&e);
                    return Ok(self.back_off(shutdown).await);
                }
            },
        };
        let events = match self
            .ctx
            .store
            .read_all(Some(&self.cursor), self.ctx.config.batch_size)
            .await
        {
            Ok(events) => events,
            Err(e) => {
                self.ctx.failed(&e);
                return Ok(self.back_off(shutdown).await);
            }
        };
        if events.is_empty() {
            self.ctx.succeeded();
            return Ok(self.wait_for_work(shutdown).await);
        }
        let outcome = nats::publish_batch(
            &self.ctx.js,
            &self.ctx.client,
            &self.ctx.bus,
            self.ctx.public.as_ref(),
            &events,
            tail,
        )
        .await;
        if outcome.acked > 0 {
            if self.ctx.config.fail_after_ack_before_cursor_update {
                tracing::error!(
                    acked = outcome.acked,
                    "failpoint: stopping before the cursor update"
                );
                return Err(RelayError::Failpoint);
            }
            let new = events[outcome.acked - 1].cursor;
            if !self.advance(new).await {
                return Ok(Step::End(LeadEnd::LostLeadership));
            }
            self.tail = Some(outcome.last_sequence);
            let (acked, sequence) = (outcome.acked as u64, outcome.last_sequence);
            self.ctx.status.send_modify(|s| {
                s.published += acked;
                s.stream_sequence = sequence;
            });
        }
        if outcome.saw_duplicate {
            tracing::info!("duplicate ack: re-reading the stream's tail");
            self.tail = None;
        }
        if let Some(e) = outcome.error {
            self.tail = None;
            self.ctx.failed(&e);
            return Ok(self.back_off(shutdown).await);
        }
        self.backoff.reset();
        self.ctx.succeeded();
        Ok(Step::Continue)
    }

    /// Reads the stream's tail and moves the cursor up to it when the stream is ahead (a
    /// crash between ack and cursor update, or publishes flushed after an outage).
    /// `Ok(None)`: the cursor moved under us, leadership is lost.
    #[tracing::instrument(skip_all, fields(cursor = %self.cursor))]
    async fn reconcile(&mut self) -> Result<Option<u64>, nats::NatsError> {
        let tail = nats::read_tail(
            &self.ctx.js,
            &self.ctx.client,
            &self.ctx.bus,
            self.ctx.public.as_ref(),
        )
        .await?;
        match tail.cursor {
            Some(stream_cursor) if stream_cursor > self.cursor => {
                tracing::info!(%stream_cursor, "stream is ahead of the stored cursor: advancing");
                if !self.advance(stream_cursor).await {
                    return Ok(None);
                }
            }
            // A stream recreated or purged by an operator: what precedes the stored cursor is
            // not re-published; to refill, reset the cursor row.
            Some(stream_cursor) if stream_cursor < self.cursor => {
                tracing::warn!(%stream_cursor, "stream is behind the stored cursor");
            }
            None if self.cursor != Cursor::START => {
                tracing::warn!("stream is empty but the stored cursor is not at the start");
            }
            _ => {}
        }
        self.tail = Some(tail.sequence);
        self.ctx
            .status
            .send_modify(|s| s.stream_sequence = tail.sequence);
        Ok(Some(tail.sequence))
    }

    /// Compare-and-set of the cursor on the leader session; `false` when leadership is lost.
    async fn advance(&mut self, new: Cursor) -> bool {
        let cas = pg::compare_and_set(&mut self.conn, &self.ctx.config.name, self.cursor, new);
        match pg::bounded(self.ctx.pg_timeout(), cas).await {
            Ok(true) => {
                self.cursor = new;
                self.ctx.status.send_modify(|s| s.cursor = Some(new));
                true
            }
            Ok(false) => {
                tracing::warn!("cursor moved by another relay");
                false
            }
            Err(e) => {
                self.ctx.failed(&e);
                false
            }
        }
    }

    /// Waits the next backoff delay; ends leading if shutdown comes first.
    async fn back_off(&mut self, shutdown: &mut Shutdown<'_>) -> Step {
        let delay = self.backoff.next_delay();
        tracing::debug!(delay_ms = delay.as_millis() as u64, "backing off");
        if shutdown.sleep(delay).await {
            Step::End(LeadEnd::Shutdown)
        } else {
            Step::Continue
        }
    }

    /// Waits for a `NOTIFY` from an append, the poll interval, or shutdown.
    async fn wait_for_work(&mut self, shutdown: &mut Shutdown<'_>) -> Step {
        let poll = self.ctx.config.poll_interval;
        let notified = async {
            match self.listener.as_mut() {
                Some(listener) => match listener.recv().await {
                    Ok(_) => {
                        // Many appends, one read: drop the notifications already buffered.
                        while listener.next_buffered().is_some() {}
                    }
                    Err(e) => {
                        tracing::debug!(error = %e, "listener failed: polling");
                        tokio::time::sleep(poll).await;
                    }
                },
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = shutdown.wait() => Step::End(LeadEnd::Shutdown),
            () = notified => Step::Continue,
            () = tokio::time::sleep(poll) => Step::Continue,
        }
    }

    /// Subscribes to the store's append notifications; polling alone still works without.
    async fn listen(&self) -> Option<PgListener> {
        let mut listener = match PgListener::connect_with(&self.ctx.pool).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for appends: polling");
                return None;
            }
        };
        match listener.listen(NOTIFY_CHANNEL).await {
            Ok(()) => Some(listener),
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for appends: polling");
                None
            }
        }
    }

    /// Releases the lock and closes the session, best effort: either way the session ends.
    async fn step_down(mut self) -> LeadEnd {
        if let Err(e) = pg::unlock(&mut self.conn, self.ctx.config.lock_key).await {
            tracing::debug!(error = %e, "unlock failed; the session end releases it");
        }
        let _ = self.conn.close().await;
        LeadEnd::Shutdown
    }
}
