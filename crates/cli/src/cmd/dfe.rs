//! `inspectionctl dfe follow`: the reference subscriber for DfE integrators.
//!
//! It runs in DfE's own NATS account (see `deploy/nats/accounts.conf`), where the public
//! report-shared subject is imported. It keeps the messages in a stream of DfE's own
//! (created when missing, bound to the imported subject only) and reads them through a
//! DURABLE pull consumer with explicit acks: each message is printed, then acked (and the ack
//! confirmed by the server), so a restart resumes after the last acknowledged report. A crash
//! between printing and acking prints that report again: subscribers deduplicate on
//! `message_id`, which is stable per share.

use std::io::Write;
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, consumer, stream};
use clap::{Args, Subcommand};
use futures::StreamExt;

use super::output::{Output, london_utc};

/// The stream DfE keeps in its own account.
pub const DEFAULT_DFE_STREAM: &str = "DFE_REPORT_SHARED";
/// The imported subject.
pub const DEFAULT_DFE_SUBJECT: &str = "ofsted.inspections.v1.public.report_shared.>";

#[derive(Debug, Subcommand)]
pub enum DfeCommand {
    /// Follow shared reports on a durable consumer, printing each once and acknowledging it.
    ///
    /// Run it as DfE's user. The stream and the durable consumer are created when missing;
    /// a second run with the same --durable resumes after the last acknowledged report.
    ///
    /// Examples:
    ///   inspectionctl dfe follow --durable dfe-ingest --nats-url nats://dfe:PASSWORD@nats.example:4222
    ///   inspectionctl dfe follow --durable dfe-ingest --json | my-importer
    #[command(verbatim_doc_comment)]
    Follow(FollowArgs),
}

/// `dfe follow`.
#[derive(Debug, Args)]
pub struct FollowArgs {
    /// Durable consumer name (one per integration; instances sharing it share the work).
    #[arg(long)]
    pub durable: String,
    /// NATS server, with DfE's credentials.
    #[arg(long, env = "DFE_NATS_URL", default_value = bus::config::DEFAULT_NATS_URL)]
    pub nats_url: String,
    /// DfE's stream (in DfE's account).
    #[arg(long, env = "DFE_STREAM", default_value = DEFAULT_DFE_STREAM)]
    pub stream: String,
    /// The imported public subject.
    #[arg(long, env = "DFE_SUBJECT", default_value = DEFAULT_DFE_SUBJECT)]
    pub subject: String,
    /// Stop after this many reports.
    #[arg(long)]
    pub count: Option<u64>,
}

pub async fn run(out: Output, cmd: DfeCommand) -> anyhow::Result<()> {
    let DfeCommand::Follow(a) = cmd;
    let client = super::nats::connect(&a.nats_url).await?;
    let js = jetstream::new(client);
    let mut stream = js
        .get_or_create_stream(stream::Config {
            name: a.stream.clone(),
            description: Some("Ofsted report-shared messages imported into DfE's account".into()),
            subjects: vec![a.subject.clone()],
            storage: stream::StorageType::File,
            duplicate_window: Duration::from_secs(120),
            ..Default::default()
        })
        .await
        .with_context(|| format!("opening stream {} in this account", a.stream))?;
    let consumer: consumer::PullConsumer = stream
        .get_or_create_consumer(
            &a.durable,
            consumer::pull::Config {
                durable_name: Some(a.durable.clone()),
                ack_policy: consumer::AckPolicy::Explicit,
                deliver_policy: consumer::DeliverPolicy::All,
                ..Default::default()
            },
        )
        .await
        .with_context(|| format!("opening durable consumer {}", a.durable))?;
    let pending = stream.info().await.map(|i| i.state.messages).unwrap_or(0);
    eprintln!(
        "following {} on stream {} as {} ({} kept; Ctrl-C to stop)",
        a.subject, a.stream, a.durable, pending
    );
    let mut messages = consumer.messages().await.context("starting the consumer")?;
    let mut seen = 0u64;
    while a.count.is_none_or(|n| seen < n) {
        let Some(message) = messages.next().await else {
            break;
        };
        let message = message.map_err(|e| anyhow::anyhow!("consumer interrupted: {e}"))?;
        print_report(out, &message.payload)?;
        message
            .double_ack()
            .await
            .map_err(|e| anyhow::anyhow!("ack failed (the report will be redelivered): {e}"))?;
        seen += 1;
    }
    Ok(())
}

fn print_report(out: Output, payload: &[u8]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    if out.json {
        stdout.write_all(payload)?;
        writeln!(stdout)?;
        return Ok(stdout.flush()?);
    }
    match serde_json::from_slice::<domain::public::ReportSharedV1>(payload) {
        Ok(m) => {
            let judgements = match &m.judgements {
                Some(j) => format!("  judgements {}", serde_json::to_string(j)?),
                None => String::new(),
            };
            writeln!(
                stdout,
                "{}  {} {} report {}  lead provider {}  inspection {}  {:?}{}  [{}]",
                london_utc(m.shared_at),
                json_str(&m.stage)?,
                json_str(&m.report)?,
                json_str(&m.scope)?,
                m.lead_provider_id,
                m.inspection_id,
                m.contracts
                    .iter()
                    .map(|c| json_str(c).unwrap_or_default())
                    .collect::<Vec<_>>(),
                judgements,
                m.message_id,
            )?;
        }
        Err(e) => writeln!(stdout, "(a message this tool does not understand: {e})")?,
    }
    Ok(stdout.flush()?)
}

/// A serde enum as its JSON string (`"draft"` → `draft`).
fn json_str(v: &impl serde::Serialize) -> anyhow::Result<String> {
    Ok(serde_json::to_value(v)?
        .as_str()
        .map(str::to_owned)
        .unwrap_or_default())
}
