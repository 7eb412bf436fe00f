//! Small helpers to consume the internal stream: a durable pull consumer for services that
//! must resume where they stopped (the projection service), and an ephemeral ordered consumer
//! for one-off readers (the operator CLI tailing events).

use async_nats::jetstream::{self, consumer};

use crate::config::BusConfig;

/// Why a consumer could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConsumerError {
    /// The stream does not exist or JetStream did not answer.
    #[error("failed to look up stream {name}")]
    Stream {
        name: String,
        #[source]
        source: jetstream::context::GetStreamError,
    },
    /// JetStream refused the consumer (e.g. an existing one with another configuration).
    #[error("failed to create consumer on stream {name}")]
    Create {
        name: String,
        #[source]
        source: jetstream::stream::ConsumerError,
    },
}

/// Opens (creating when missing) the durable pull consumer `name` with explicit acks, from the
/// start of the stream, filtered to `filter_subject` (e.g. `<prefix>.>`).
///
/// Explicit acks because a consumer acks only once its read model committed; instances sharing
/// the name share the work.
#[tracing::instrument(skip(js, cfg), fields(stream = %cfg.stream_name))]
pub async fn durable_pull_consumer(
    js: &jetstream::Context,
    cfg: &BusConfig,
    name: &str,
    filter_subject: &str,
) -> Result<consumer::PullConsumer, ConsumerError> {
    let stream = get_stream(js, cfg).await?;
    stream
        .get_or_create_consumer(
            name,
            consumer::pull::Config {
                durable_name: Some(name.to_owned()),
                filter_subject: filter_subject.to_owned(),
                ack_policy: consumer::AckPolicy::Explicit,
                deliver_policy: consumer::DeliverPolicy::All,
                ..Default::default()
            },
        )
        .await
        .map_err(|source| ConsumerError::Create {
            name: cfg.stream_name.clone(),
            source,
        })
}

/// Opens an ephemeral ordered consumer on `filter_subject` from `deliver_policy`.
///
/// Ordered consumers need no acks and recreate themselves on gaps, which suits readers that
/// keep no state of their own.
#[tracing::instrument(skip(js, cfg), fields(stream = %cfg.stream_name))]
pub async fn ephemeral_ordered_consumer(
    js: &jetstream::Context,
    cfg: &BusConfig,
    filter_subject: &str,
    deliver_policy: consumer::DeliverPolicy,
) -> Result<consumer::Consumer<consumer::pull::OrderedConfig>, ConsumerError> {
    let stream = get_stream(js, cfg).await?;
    stream
        .create_consumer(consumer::pull::OrderedConfig {
            filter_subject: filter_subject.to_owned(),
            deliver_policy,
            ..Default::default()
        })
        .await
        .map_err(|source| ConsumerError::Create {
            name: cfg.stream_name.clone(),
            source,
        })
}

async fn get_stream(
    js: &jetstream::Context,
    cfg: &BusConfig,
) -> Result<jetstream::stream::Stream, ConsumerError> {
    js.get_stream(&cfg.stream_name)
        .await
        .map_err(|source| ConsumerError::Stream {
            name: cfg.stream_name.clone(),
            source,
        })
}
