//! Creating (or bringing up to date) the internal JetStream stream.

use async_nats::jetstream::{self, stream};

use crate::config::BusConfig;

/// Why the stream could not be created or updated.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// JetStream refused or did not answer the create/update request.
    #[error("failed to create or update stream {name}")]
    CreateOrUpdate {
        name: String,
        #[source]
        source: jetstream::context::CreateStreamError,
    },
    /// JetStream did not answer a stream lookup.
    #[error("failed to look up stream")]
    Lookup(#[source] jetstream::context::GetStreamError),
}

/// The stream configuration the write side expects: every subject under the prefix, file
/// storage (the stream is the delivery log consumers resume from), and the duplicate window
/// set explicitly rather than left to the server default, since the relay's reasoning about
/// re-publishes depends on it.
pub fn stream_config(cfg: &BusConfig) -> stream::Config {
    stream::Config {
        name: cfg.stream_name.clone(),
        description: Some("committed events of the inspections write side, in store order".into()),
        subjects: vec![cfg.stream_subjects()],
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::Limits,
        duplicate_window: cfg.duplicate_window,
        num_replicas: cfg.replicas,
        ..Default::default()
    }
}

/// Creates the stream, or updates it to [`stream_config`] when it exists (e.g. a changed
/// duplicate window), and returns its info.
#[tracing::instrument(skip_all, fields(stream = %cfg.stream_name, prefix = %cfg.subject_prefix))]
pub async fn ensure_stream(
    js: &jetstream::Context,
    cfg: &BusConfig,
) -> Result<stream::Info, StreamError> {
    let info = js
        .create_or_update_stream(stream_config(cfg))
        .await
        .map_err(|source| StreamError::CreateOrUpdate {
            name: cfg.stream_name.clone(),
            source,
        })?;
    tracing::debug!(
        last_sequence = info.state.last_sequence,
        duplicate_window_ms = info.config.duplicate_window.as_millis() as u64,
        "stream ready"
    );
    Ok(info)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn config_binds_the_prefix_and_sets_the_window() {
        let cfg = BusConfig {
            stream_name: "S".into(),
            subject_prefix: "a.b".into(),
            duplicate_window: Duration::from_secs(3),
            ..BusConfig::default()
        };
        let sc = stream_config(&cfg);
        assert_eq!(sc.subjects, vec!["a.b.>".to_owned()]);
        assert_eq!(sc.duplicate_window, Duration::from_secs(3));
        assert_eq!(sc.storage, stream::StorageType::File);
    }
}
