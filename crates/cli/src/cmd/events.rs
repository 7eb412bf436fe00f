//! `inspectionctl events …`: the internal stream, for operators.
//!
//! - `watch`: a live tail through an ephemeral ORDERED consumer (no acks, no durable state:
//!   the server removes it when the tool exits), filtered by subject tokens.
//! - `replay`: re-publish stored events from a store cursor or a time (see `bus::replay` for
//!   why that is idempotent, and where it is not).

use std::io::Write;

use anyhow::Context as _;
use async_nats::jetstream::consumer::DeliverPolicy;
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use eventstore::{Cursor, EventStore};
use futures::StreamExt;

use super::args;
use super::nats::StreamOpts;
use super::output::{Output, london_utc};
use super::progress::Progress;

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Tail the internal event stream live, one line per event (Ctrl-C to stop).
    ///
    /// Starts with new events; --since or --from-seq start earlier. Filters are subject
    /// tokens, so they cost nothing on the server.
    ///
    /// Examples:
    ///   inspectionctl events watch
    ///   inspectionctl events watch --inspection $ID --since 1h
    ///   inspectionctl events watch --event-type report_shared_with_dfe --since 2027-01-01T00:00:00Z
    ///   inspectionctl events watch --from-seq 1 --json | jq .event_type
    #[command(verbatim_doc_comment)]
    Watch(WatchArgs),
    /// Re-publish stored events into the stream, from a store cursor or a time.
    ///
    /// Each message keeps Nats-Msg-Id = event id: JetStream drops those still inside the
    /// stream's duplicate window (default 2 minutes); older ones are stored again, and
    /// consumers ignore them (idempotent by stream version). Use it to refill a stream that
    /// was purged or recreated, or to re-deliver history to a new consumer. It reads the
    /// event store directly (read only) and does not move the relay's cursor.
    ///
    /// Examples:
    ///   inspectionctl events replay --from start
    ///   inspectionctl events replay --from 2027-01-04T00:00:00Z --dry-run
    ///   inspectionctl events replay --from 1.7431.1043   # a store cursor, e.g. from a command's --json answer
    #[command(verbatim_doc_comment)]
    Replay(ReplayArgs),
}

/// `events watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub stream: StreamOpts,
    /// Only this lead provider's events.
    #[arg(long, value_parser = args::uuid)]
    pub lead_provider: Option<String>,
    /// Only this inspection's events.
    #[arg(long, short = 'i', value_parser = args::uuid)]
    pub inspection: Option<String>,
    /// Only events of this type, e.g. notification_call_made.
    #[arg(long)]
    pub event_type: Option<String>,
    /// Start from this time: RFC 3339, or a duration back from now (90s, 15m, 2h, 3d).
    #[arg(long, conflicts_with = "from_seq")]
    pub since: Option<String>,
    /// Start from this stream sequence (1: everything kept).
    #[arg(long)]
    pub from_seq: Option<u64>,
    /// Stop after this many events.
    #[arg(long)]
    pub count: Option<u64>,
}

/// `events replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub stream: StreamOpts,
    /// Event store (read only).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgres://postgres:postgres@127.0.0.1:5432/ofsted"
    )]
    pub database_url: String,
    /// `start`, a store cursor (events AFTER it), or an RFC 3339 time (events recorded at or
    /// after it).
    #[arg(long)]
    pub from: String,
    /// Count what would be re-published, publish nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Events per batch.
    #[arg(long, default_value_t = 500)]
    pub batch_size: i64,
}

pub async fn run(out: Output, cmd: EventsCommand) -> anyhow::Result<()> {
    match cmd {
        EventsCommand::Watch(a) => watch(out, a).await,
        EventsCommand::Replay(a) => replay(out, a).await,
    }
}

/// The subject filter of the watch: `<prefix>.<lp|*>.<stream|*>.<type|*>`.
fn filter_subject(prefix: &str, a: &WatchArgs) -> String {
    let token = |v: &Option<String>| v.clone().unwrap_or_else(|| "*".into());
    format!(
        "{prefix}.{}.{}.{}",
        token(&a.lead_provider),
        token(&a.inspection),
        token(&a.event_type)
    )
}

/// `--since`: an instant, or a duration back from `now`.
fn since(raw: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = args::instant(raw) {
        return Ok(t);
    }
    let d = args::duration(raw)
        .map_err(|_| format!("--since {raw:?}: expected RFC 3339 or a duration such as 15m"))?;
    Ok(now - chrono::Duration::from_std(d).map_err(|e| e.to_string())?)
}

async fn watch(out: Output, a: WatchArgs) -> anyhow::Result<()> {
    let bus = a.stream.bus();
    let policy = match (&a.since, a.from_seq) {
        (Some(raw), _) => {
            let t = since(raw, Utc::now()).map_err(|e| anyhow::anyhow!(e))?;
            let nanos = t.timestamp_nanos_opt().context("--since is out of range")?;
            DeliverPolicy::ByStartTime {
                start_time: async_nats::datetime::from_nanos(i128::from(nanos))
                    .map_err(|e| anyhow::anyhow!("--since: {e}"))?,
            }
        }
        (None, Some(seq)) => DeliverPolicy::ByStartSequence {
            start_sequence: seq.max(1),
        },
        (None, None) => DeliverPolicy::New,
    };
    let client = a.stream.connect().await?;
    let js = async_nats::jetstream::new(client);
    let filter = filter_subject(&bus.subject_prefix, &a);
    let consumer = bus::ephemeral_ordered_consumer(&js, &bus, &filter, policy)
        .await
        .with_context(|| format!("opening a watch on stream {}", bus.stream_name))?;
    let mut messages = consumer.messages().await.context("starting the watch")?;
    eprintln!("watching {filter} on {} (Ctrl-C to stop)", bus.stream_name);
    let mut seen = 0u64;
    let mut stdout = std::io::stdout().lock();
    while a.count.is_none_or(|n| seen < n) {
        let Some(message) = messages.next().await else {
            break;
        };
        let message = message.map_err(|e| anyhow::anyhow!("watch interrupted: {e}"))?;
        seen += 1;
        if out.json {
            stdout.write_all(&message.payload)?;
            writeln!(stdout)?;
        } else {
            let seq = message
                .info()
                .map(|i| i.stream_sequence)
                .unwrap_or_default();
            match bus::Envelope::from_json(&message.payload) {
                Ok(e) => writeln!(
                    stdout,
                    "{seq:>7}  {}  lp {}  {} {}  v{:<3} {}  by {} ({})",
                    london_utc(e.recorded_at),
                    short(&e.lead_provider_id.to_string()),
                    e.stream_kind.as_str(),
                    e.stream_id,
                    e.version,
                    out.bold(&e.event_type),
                    e.metadata.actor,
                    e.metadata.role,
                )?,
                Err(err) => writeln!(
                    stdout,
                    "{seq:>7}  {}  (not an envelope: {err})",
                    message.subject
                )?,
            }
        }
        stdout.flush()?;
    }
    Ok(())
}

/// The first 8 characters of an id: enough to tell providers apart on a terminal line.
fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// Where a replay starts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum From {
    Cursor(Option<Cursor>),
    Time(DateTime<Utc>),
}

fn parse_from(raw: &str) -> anyhow::Result<From> {
    if raw == "start" {
        return Ok(From::Cursor(None));
    }
    if let Ok(t) = args::instant(raw) {
        return Ok(From::Time(t));
    }
    raw.parse::<Cursor>()
        .map(|c| From::Cursor(Some(c)))
        .map_err(|_| {
            anyhow::anyhow!("--from {raw:?}: expected start, a store cursor or an RFC 3339 time")
        })
}

async fn replay(out: Output, a: ReplayArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=4096).contains(&a.batch_size),
        "--batch-size must be 1 to 4096"
    );
    let from = parse_from(&a.from)?;
    let store = EventStore::connect(&a.database_url, 2)
        .await
        .with_context(|| {
            format!(
                "connecting to the event store at {}",
                super::nats::redact(&a.database_url)
            )
        })?;
    let total = u64::try_from(store.count_events().await?).unwrap_or(0);
    let bus = a.stream.bus();
    let js = if a.dry_run {
        None
    } else {
        Some(async_nats::jetstream::new(a.stream.connect().await?))
    };
    let mut cursor = match from {
        From::Cursor(c) => c,
        From::Time(_) => None,
    };
    let mut progress = Progress::new("replay", total);
    let (mut read, mut selected) = (0u64, 0u64);
    let mut outcome = bus::replay::ReplayOutcome::default();
    loop {
        let events = store.read_all(cursor.as_ref(), a.batch_size).await?;
        let Some(last) = events.last() else { break };
        cursor = Some(last.cursor);
        read += events.len() as u64;
        let chosen: Vec<_> = events
            .into_iter()
            .filter(|e| match from {
                From::Time(t) => e.recorded_at >= t,
                From::Cursor(_) => true,
            })
            .collect();
        selected += chosen.len() as u64;
        if let Some(js) = &js {
            let o = bus::replay::republish(js, &bus, &chosen).await?;
            outcome.stored += o.stored;
            outcome.duplicates += o.duplicates;
        }
        progress.update(read);
    }
    progress.finish(read);
    let summary = serde_json::json!({
        "read": read,
        "selected": selected,
        "stored": outcome.stored,
        "duplicates": outcome.duplicates,
        "dry_run": a.dry_run,
        "last_cursor": cursor.map(|c| c.to_string()),
    });
    if out.json {
        println!("{summary}");
    } else if a.dry_run {
        println!("would re-publish {selected} of {read} events read (dry run)");
    } else {
        println!(
            "re-published {selected} events: {} stored, {} dropped as duplicates inside the window",
            outcome.stored, outcome.duplicates
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_an_instant_or_a_duration_back() {
        let now = args::instant("2027-01-04T10:00:00Z").unwrap();
        assert_eq!(
            since("15m", now).unwrap(),
            args::instant("2027-01-04T09:45:00Z").unwrap()
        );
        assert_eq!(
            since("2027-01-01T00:00:00Z", now).unwrap(),
            args::instant("2027-01-01T00:00:00Z").unwrap()
        );
        assert!(since("yesterday", now).is_err());
    }

    #[test]
    fn replay_starts_from_start_a_time_or_a_cursor() {
        assert_eq!(parse_from("start").unwrap(), From::Cursor(None));
        assert!(matches!(
            parse_from("2027-01-01T00:00:00Z").unwrap(),
            From::Time(_)
        ));
        assert!(parse_from("nonsense").is_err());
    }
}
