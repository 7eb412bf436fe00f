//! Settings of one relay.

use std::time::Duration;

/// Default leader-lock key: "ofstedr1" in ASCII, unlikely to collide with other advisory locks.
pub const DEFAULT_LOCK_KEY: i64 = 0x6f66_7374_6564_7231;

/// How a relay runs. Relays sharing a `name` share a cursor and must share a `lock_key`.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Cursor row name in `relay_cursors`: one per (store, stream) pair.
    pub name: String,
    /// Postgres `application_name` of the relay's sessions, so operators (and tests) can find
    /// and, if needed, terminate them.
    pub application_name: String,
    /// Events read from the store and published per round trip.
    pub batch_size: i64,
    /// Longest wait between store reads when no `NOTIFY` arrives (a notification can be lost
    /// when the listening connection drops, so polling is the safety net).
    pub poll_interval: Duration,
    /// First retry delay after a failure (and between leader-lock attempts).
    pub min_backoff: Duration,
    /// Retry delays double up to this.
    pub max_backoff: Duration,
    /// Bounds each JetStream request and publish ack: a dead connection is noticed within it.
    pub ack_timeout: Duration,
    /// Session-level advisory lock key electing the one active relay.
    pub lock_key: i64,
    /// Test failpoint: return an error after a batch was acked but before the cursor update,
    /// as a crash there would.
    #[doc(hidden)]
    pub fail_after_ack_before_cursor_update: bool,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            name: "default".to_owned(),
            application_name: "ofsted-relay".to_owned(),
            batch_size: 256,
            poll_interval: Duration::from_secs(1),
            min_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
            ack_timeout: Duration::from_secs(5),
            lock_key: DEFAULT_LOCK_KEY,
            fail_after_ack_before_cursor_update: false,
        }
    }
}
