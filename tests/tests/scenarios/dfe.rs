//! A DfE subscriber (R26, R31): a durable consumer on the public report-shared subject
//! (`<public prefix>.report_shared.<lead provider>`, its own stream) receives each shared
//! report exactly once, PII-free, and nothing before moderation or QA.

use std::collections::HashSet;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer};
use domain::public::ReportSharedV1;
use e2e::journey::{instant, refusal};
use e2e::poll;
use e2e::script::FullInspection;
use futures::StreamExt;
use proto::pb::{ReportKey, ReportStage};
use tonic::Code;

use crate::support::*;

type Consumer = consumer::PullConsumer;

/// The durable "dfe" consumer on the public report-shared subject of the stack's bus.
async fn subscribe(js: &jetstream::Context, public: &bus::PublicConfig) -> Option<Consumer> {
    let stream = js.get_stream(&public.stream_name).await.ok()?;
    stream
        .get_or_create_consumer(
            "dfe",
            consumer::pull::Config {
                durable_name: Some("dfe".into()),
                filter_subject: public.topic_subjects("report_shared"),
                ack_policy: consumer::AckPolicy::Explicit,
                deliver_policy: consumer::DeliverPolicy::All,
                ..Default::default()
            },
        )
        .await
        .ok()
}

/// Messages available within a short fetch window, acked: (body text, parsed).
async fn receive(consumer: &Consumer) -> Vec<(String, ReportSharedV1)> {
    let mut batch = consumer
        .fetch()
        .max_messages(50)
        .expires(Duration::from_millis(300))
        .messages()
        .await
        .expect("fetch");
    let mut out = vec![];
    while let Some(message) = batch.next().await {
        let message = message.expect("message");
        let text = String::from_utf8(message.payload.to_vec()).expect("utf-8 json");
        let parsed: ReportSharedV1 = serde_json::from_str(&text).expect("a report_shared v1");
        out.push((text, parsed));
        message.ack_with(AckKind::Ack).await.expect("ack");
    }
    out
}

#[tokio::test]
async fn r26_dfe_subscriber_gets_each_shared_report_once_and_nothing_before_moderation_or_qa() {
    let stack = stack().await;
    let mut full = FullInspection::plan(&stack).await.unwrap();
    let js = stack.nats.jetstream().clone();
    let public = bus::PublicConfig::derived_from(&stack.bus);
    let consumer = poll::until("the public stream exists", poll::DEADLINE, || {
        let (js, public) = (js.clone(), public.clone());
        async move { subscribe(&js, &public).await }
    })
    .await;

    full.notification_call().await.unwrap();
    full.conversation_day_information().await.unwrap();
    full.links_and_start_information().await.unwrap();
    full.on_site().await.unwrap();
    full.end().await.unwrap();
    full.judgements().await.unwrap();

    // Before moderation or QA: refused, and nothing for DfE.
    let status = full
        .journey
        .share(ReportKey::EcfReport, ReportStage::Draft)
        .await
        .unwrap_err();
    assert_eq!(
        refusal(&status),
        (
            Code::FailedPrecondition,
            "R26_SHARE_BEFORE_MODERATION_OR_QA".to_owned()
        )
    );
    assert!(receive(&consumer).await.is_empty());

    // Shares: the ECF draft (in `drafts`), the NPQ draft, then the ECF final.
    full.moderation_and_qa().await.unwrap();
    full.drafts().await.unwrap();
    full.journey
        .share(ReportKey::NpqReport, ReportStage::Draft)
        .await
        .unwrap();
    full.comments().await.unwrap();
    full.finals().await.unwrap();
    full.journey
        .share(ReportKey::EcfReport, ReportStage::Final)
        .await
        .unwrap();

    // The relay publishes the public message before the internal one, and the projection has
    // applied every internal one: all three are there.
    // Each fetch waits up to 300 ms for messages, so this loop does not spin.
    let mut all = vec![];
    let deadline = tokio::time::Instant::now() + poll::DEADLINE;
    while all.len() < 3 && tokio::time::Instant::now() < deadline {
        all.extend(receive(&consumer).await);
    }
    let shared: Vec<String> = all
        .iter()
        .map(|(_, m)| format!("{:?} {:?}", m.report, m.stage))
        .collect();
    assert_eq!(
        shared,
        ["EcfReport Draft", "NpqReport Draft", "EcfReport Final"],
        "each share once, in order"
    );
    let ids: HashSet<_> = all.iter().map(|(_, m)| m.message_id).collect();
    assert_eq!(ids.len(), 3);

    // Each after its report's moderation and QA; no personal data (R31).
    let reports = full.journey.reports().await;
    for (text, m) in &all {
        assert_eq!(m.inspection_id.to_string(), full.journey.id);
        assert!(!text.contains(&full.journey.representative.name), "{text}");
        assert!(!text.contains("@"), "no email in {text}");
        let key = match m.report {
            domain::values::ReportKey::EcfReport => ReportKey::EcfReport,
            domain::values::ReportKey::NpqReport => ReportKey::NpqReport,
            domain::values::ReportKey::LpmvLetter => ReportKey::LpmvLetter,
        };
        let report = reports.iter().find(|r| r.report == key as i32).unwrap();
        let moderated = instant(&report.moderated_at).unwrap();
        let assured = instant(&report.quality_assured_at).unwrap();
        assert!(m.shared_at > moderated.max(assured), "{m:?}");
    }

    // Nothing more, and nothing redelivered to a subscriber reconnecting to the durable.
    assert!(receive(&consumer).await.is_empty());
    let again = subscribe(&js, &public).await.unwrap();
    assert!(receive(&again).await.is_empty());
    let mut again = again;
    let info = again.info().await.unwrap();
    assert_eq!((info.num_pending, info.num_ack_pending), (0, 0));
    stack.stop().await;
}
