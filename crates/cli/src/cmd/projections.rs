//! `inspectionctl projections rebuild`: rebuild every read model from the event store without
//! downtime, through the projection crate's own rebuild (fresh tables filled from the store's
//! order, caught up, swapped in), with a progress bar.

use anyhow::Context as _;
use clap::{Args, Subcommand};
use domain::calendar::Calendar;

use super::output::Output;
use super::progress::Progress;

#[derive(Debug, Subcommand)]
pub enum ProjectionsCommand {
    /// Rebuild the read models from the event store and swap them in; queries keep being
    /// served from the current tables meanwhile.
    ///
    /// Reads the event store directly (read only) and writes the read-model database. Safe
    /// while the projection service runs: the copies never get ahead of the live tables.
    ///
    /// Example:
    ///   PROJECTION_DATABASE_URL=postgres://…/ofsted_projections \
    ///   EVENTSTORE_DATABASE_URL=postgres://…/ofsted inspectionctl projections rebuild --verify
    #[command(verbatim_doc_comment)]
    Rebuild(RebuildArgs),
}

/// `projections rebuild`.
#[derive(Debug, Args)]
pub struct RebuildArgs {
    /// Read-model database (the projection service's).
    #[arg(long, env = "PROJECTION_DATABASE_URL", default_value = projection::config::DEFAULT_DATABASE_URL)]
    pub database_url: String,
    /// Event store (read only).
    #[arg(long, env = "EVENTSTORE_DATABASE_URL", default_value = projection::config::DEFAULT_EVENTSTORE_URL)]
    pub eventstore_url: String,
    /// Compare every table with its rebuilt copy before swapping; refuse on a difference.
    #[arg(long)]
    pub verify: bool,
    /// Events per transaction.
    #[arg(long, default_value_t = 500)]
    pub batch_size: i64,
}

pub async fn run(out: Output, calendar: &Calendar, cmd: ProjectionsCommand) -> anyhow::Result<()> {
    let ProjectionsCommand::Rebuild(a) = cmd;
    anyhow::ensure!(
        (1..=10_000).contains(&a.batch_size),
        "--batch-size must be 1 to 10000"
    );
    let pool = projection::store::connect(&a.database_url, 4)
        .await
        .with_context(|| {
            format!(
                "connecting to the read models at {}",
                super::nats::redact(&a.database_url)
            )
        })?;
    projection::store::migrate(&pool)
        .await
        .context("migrating the read models")?;
    let store = projection::event_store(&a.eventstore_url).context("event store url")?;
    let options = projection::rebuild::RebuildOptions {
        batch_size: a.batch_size,
        verify: a.verify,
        progress_every: std::time::Duration::from_millis(200),
    };
    let mut bar = Progress::new("rebuild", 0);
    let report = projection::rebuild::rebuild(&pool, &store, calendar, &options, |p| {
        bar.draw_measured(p.done, p.total, p.rate, p.eta);
    })
    .await;
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!();
            return Err(
                anyhow::Error::new(e).context("rebuild failed; the live tables are untouched")
            );
        }
    };
    bar.finish(report.replayed);
    let summary = serde_json::json!({
        "replayed": report.replayed,
        "caught_up": report.caught_up,
        "held_streams": report.held_streams,
        "elapsed_ms": u64::try_from(report.elapsed.as_millis()).unwrap_or(u64::MAX),
        "rate_per_s": report.rate,
        "verified": a.verify,
    });
    if out.json {
        println!("{summary}");
    } else {
        println!(
            "rebuilt from {} events ({} caught up at the swap) in {:.1}s, {:.0} events/s{}",
            report.replayed,
            report.caught_up,
            report.elapsed.as_secs_f64(),
            report.rate,
            if a.verify { ", verified identical" } else { "" }
        );
    }
    Ok(())
}
