//! The relay's public hook against the real Postgres and NATS: mapped messages reach the public
//! stream on their own subject, before the internal message of the same event, and a failure
//! between the two never loses the public one.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use bus::{PublicConfig, PublicMapError, PublicMapper, PublicMessage, PublicPublisher, Relay};
use chrono::Utc;
use common::{Harness, inspection_streams, new_event, poll_until};
use eventstore::{AppendRequest, ExpectedVersion, RecordedEvent};
use tokio::sync::oneshot;

/// Maps events of type `Shared` to `{"event_id": …}` on topic `shared`; fails the first
/// `fail_first` calls for a `Shared` event.
#[derive(Debug, Default)]
struct TestMapper {
    fail_first: usize,
    calls: AtomicUsize,
}

impl PublicMapper for TestMapper {
    fn map(&self, event: &RecordedEvent) -> Result<Option<PublicMessage>, PublicMapError> {
        if event.event_type != "Shared" {
            return Ok(None);
        }
        if self.calls.fetch_add(1, Ordering::SeqCst) < self.fail_first {
            return Err(PublicMapError {
                event_id: event.event_id,
                reason: "failing on purpose".into(),
            });
        }
        Ok(Some(PublicMessage {
            topic: "shared".into(),
            schema: "test.shared/1".into(),
            body: serde_json::to_vec(&serde_json::json!({ "event_id": event.event_id }))
                .expect("json"),
        }))
    }
}

async fn append(h: &Harness, types: &[&str]) -> anyhow::Result<()> {
    let stream = inspection_streams(1).remove(0);
    h.store
        .append(AppendRequest {
            stream,
            expected: ExpectedVersion::Any,
            events: types.iter().map(|t| new_event(t)).collect(),
            idempotency: None,
            recorded_at: Utc::now(),
        })
        .await?;
    Ok(())
}

async fn public_messages(
    h: &Harness,
    public: &PublicConfig,
) -> anyhow::Result<Vec<async_nats::jetstream::message::StreamMessage>> {
    let stream = h.nats.jetstream().get_stream(&public.stream_name).await?;
    let last = stream.get_info().await?.state.last_sequence;
    let mut out = Vec::new();
    for seq in 1..=last {
        out.push(stream.get_raw_message(seq).await?);
    }
    Ok(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_message_is_published_before_the_internal_one_and_never_lost() -> anyhow::Result<()>
{
    let h = Harness::new(Duration::from_secs(120)).await;
    let public = PublicConfig::derived_from(&h.bus);
    let mapper = Arc::new(TestMapper {
        fail_first: 2,
        ..TestMapper::default()
    });
    let client = testkit::nats::connect(&h.bus.nats_url).await;
    let relay = Relay::new(
        h.store.clone(),
        client,
        h.bus.clone(),
        h.relay_config("public"),
    )
    .with_public(PublicPublisher {
        config: public.clone(),
        mapper: mapper.clone(),
    });
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(relay.run(async move {
        let _ = stopped.await;
    }));

    append(&h, &["Planned", "Shared", "Other"]).await?;
    append(&h, &["Shared"]).await?;
    h.wait_caught_up().await?;
    let internal = h.assert_exactly_once_in_order().await?;
    assert_eq!(internal.len(), 4);
    let messages = poll_until("two public messages", || async {
        let m = public_messages(&h, &public).await?;
        Ok((m.len() >= 2).then_some(m))
    })
    .await?;
    assert_eq!(messages.len(), 2, "each public message once");
    assert!(
        mapper.calls.load(Ordering::SeqCst) >= 4,
        "the failed mappings were retried"
    );

    let internal_stream = h.nats.jetstream().get_stream(&h.bus.stream_name).await?;
    for message in &messages {
        let id = message
            .headers
            .get(bus::headers::MSG_ID)
            .context("public message has a msg id")?
            .as_str()
            .to_owned();
        let (seq, _, env) = internal
            .iter()
            .find(|(_, _, env)| env.event_id.to_string() == id)
            .context("public message id is an event id")?;
        assert_eq!(env.event_type, "Shared");
        assert_eq!(
            message.subject.as_str(),
            public.subject("shared", env.lead_provider_id)
        );
        let internal_message = internal_stream.get_raw_message(*seq).await?;
        assert!(
            message.time <= internal_message.time,
            "public message stored before the internal one"
        );
        let body: serde_json::Value = serde_json::from_slice(&message.payload)?;
        assert_eq!(body["event_id"], id.as_str());
    }

    let _ = stop.send(());
    handle.await??;
    h.cleanup().await;
    Ok(())
}
