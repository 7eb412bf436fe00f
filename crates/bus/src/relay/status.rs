//! What the relay reports about itself, published through a `tokio::sync::watch` channel so
//! health checks, metrics and tests can observe it without locking.

use eventstore::Cursor;

/// A snapshot of the relay's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RelayStatus {
    /// Events acked by JetStream since this relay started (duplicates acked included).
    pub published: u64,
    /// The durable cursor as this relay last read or wrote it.
    pub cursor: Option<Cursor>,
    /// The JetStream sequence of the last message this relay knows is in the stream.
    pub stream_sequence: u64,
    /// Whether this relay holds the advisory lock and publishes.
    pub is_leader: bool,
    /// The last failure, kept after recovery for diagnosis.
    pub last_error: Option<String>,
    /// Failures since the last success; 0 when healthy.
    pub consecutive_failures: u32,
    /// Total failures since start (publish, ack, reconcile, store reads), for tests and metrics.
    pub total_failures: u64,
}
