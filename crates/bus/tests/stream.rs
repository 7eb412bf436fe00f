//! `ensure_stream` and subjects against the real NATS server.

use std::time::Duration;

use bus::{BusConfig, ensure_stream, event_subject};
use testkit::nats::TestNats;
use uuid::Uuid;

#[tokio::test]
async fn ensure_stream_sets_the_configured_duplicate_window() -> anyhow::Result<()> {
    let nats = TestNats::new().await;
    let mut cfg = BusConfig {
        nats_url: nats.url().to_owned(),
        stream_name: nats.stream_name().to_owned(),
        subject_prefix: nats.subject_prefix().to_owned(),
        duplicate_window: Duration::from_secs(3),
        replicas: 1,
    };
    let info = ensure_stream(nats.jetstream(), &cfg).await?;
    assert_eq!(info.config.duplicate_window, Duration::from_secs(3));
    assert_eq!(
        info.config.subjects,
        vec![format!("{}.>", nats.subject_prefix())]
    );

    // Idempotent, and a changed window is applied to the existing stream.
    cfg.duplicate_window = Duration::from_secs(5);
    ensure_stream(nats.jetstream(), &cfg).await?;
    let mut stream = nats.jetstream().get_stream(nats.stream_name()).await?;
    assert_eq!(
        stream.info().await?.config.duplicate_window,
        Duration::from_secs(5)
    );

    // The stream binds exactly the subjects event_subject produces.
    let lp = Uuid::now_v7();
    let subject = event_subject(nats.subject_prefix(), lp, lp, "LeadProviderRegistered");
    assert_eq!(
        subject,
        format!("{}.{lp}.{lp}.LeadProviderRegistered", nats.subject_prefix())
    );
    let ack = nats
        .jetstream()
        .publish(subject, "{}".into())
        .await?
        .await?;
    assert_eq!(ack.stream, nats.stream_name());
    nats.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn durable_pull_consumer_resumes_after_acked_messages() -> anyhow::Result<()> {
    use futures::StreamExt;

    let nats = TestNats::new().await;
    let cfg = BusConfig {
        nats_url: nats.url().to_owned(),
        stream_name: nats.stream_name().to_owned(),
        subject_prefix: nats.subject_prefix().to_owned(),
        ..BusConfig::default()
    };
    ensure_stream(nats.jetstream(), &cfg).await?;
    let lp = Uuid::now_v7();
    for i in 0..3 {
        let subject = event_subject(&cfg.subject_prefix, lp, lp, "Ping");
        nats.jetstream()
            .publish(subject, format!("{i}").into())
            .await?
            .await?;
    }
    let filter = cfg.stream_subjects();
    let consumer =
        bus::durable_pull_consumer(nats.jetstream(), &cfg, "projection", &filter).await?;
    let mut batch = consumer.fetch().max_messages(2).messages().await?;
    let mut got = 0;
    while let Some(msg) = batch.next().await {
        msg.map_err(|e| anyhow::anyhow!("{e}"))?
            .double_ack()
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        got += 1;
    }
    assert_eq!(got, 2);

    // Reopened by name: the same durable consumer, one message left (acks were confirmed).
    let mut again =
        bus::durable_pull_consumer(nats.jetstream(), &cfg, "projection", &filter).await?;
    let info = again.info().await?;
    assert_eq!((info.num_pending, info.num_ack_pending), (1, 0));
    nats.cleanup().await;
    Ok(())
}
