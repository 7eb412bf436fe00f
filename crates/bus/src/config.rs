//! Configuration shared by everything that talks to the internal event stream.

use std::time::Duration;

/// Default NATS server, the local development one.
pub const DEFAULT_NATS_URL: &str = "nats://127.0.0.1:4222";
/// Default JetStream stream holding every internal event.
pub const DEFAULT_STREAM_NAME: &str = "INSPECTION_EVENTS";
/// Default subject prefix; versioned so a breaking envelope change can live beside the old one.
pub const DEFAULT_SUBJECT_PREFIX: &str = "ofsted.inspections.v1.events";
/// JetStream's own default, made explicit: the relay's reconcile step, not this window, is
/// what keeps a long outage from re-publishing, but the window still absorbs the retries of a
/// short one.
pub const DEFAULT_DUPLICATE_WINDOW: Duration = Duration::from_secs(120);

/// Where the internal event stream lives and how it is named.
///
/// Stream name and subject prefix are configurable because environments and tests share one
/// NATS server: each picks its own pair so none sees another's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusConfig {
    /// Server URL, e.g. `nats://127.0.0.1:4222`.
    pub nats_url: String,
    /// JetStream stream name.
    pub stream_name: String,
    /// Subject prefix without a trailing dot; the stream binds `<prefix>.>`.
    pub subject_prefix: String,
    /// JetStream de-duplication window on `Nats-Msg-Id`, set explicitly on the stream.
    pub duplicate_window: Duration,
    /// Stream replicas: 1 locally, 3 on the production cluster.
    pub replicas: usize,
}

impl Default for BusConfig {
    fn default() -> Self {
        Self {
            nats_url: DEFAULT_NATS_URL.to_owned(),
            stream_name: DEFAULT_STREAM_NAME.to_owned(),
            subject_prefix: DEFAULT_SUBJECT_PREFIX.to_owned(),
            duplicate_window: DEFAULT_DUPLICATE_WINDOW,
            replicas: 1,
        }
    }
}

impl BusConfig {
    /// The wildcard subject the stream binds: every event under the prefix.
    pub fn stream_subjects(&self) -> String {
        format!("{}.>", self.subject_prefix)
    }
}
