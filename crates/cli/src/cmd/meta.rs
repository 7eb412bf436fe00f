//! The options every inspection command takes besides its own: which inspection, optimistic
//! concurrency, idempotency and R5's `occurred_at`.

use chrono::{DateTime, Utc};
use clap::Args;
use proto::pb;

use super::args;
use super::output::timestamp;

/// Options of `CommandMeta` other than the inspection id.
#[derive(Debug, Clone, Args)]
pub struct MetaOpts {
    /// Refuse (ABORTED) unless the inspection is at this version (from a previous answer).
    #[arg(long, value_name = "N")]
    pub expected_version: Option<u64>,
    /// Idempotency key: repeating the command with the same key changes nothing.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    /// R5: when the act really happened (RFC 3339); default: now. Not for lead providers.
    #[arg(long, value_parser = args::instant, value_name = "RFC3339")]
    pub occurred_at: Option<DateTime<Utc>>,
    /// R5: why --occurred-at is more than 5 working days ago.
    #[arg(long, value_name = "TEXT")]
    pub backdate_reason: Option<String>,
}

impl MetaOpts {
    /// The wire meta for `inspection_id` (empty for a plan without a chosen id).
    pub fn meta(&self, inspection_id: String) -> Option<pb::CommandMeta> {
        Some(pb::CommandMeta {
            inspection_id,
            expected_version: self.expected_version,
            idempotency_key: self.idempotency_key.clone(),
            occurred_at: self.occurred_at.map(timestamp),
            backdate_reason: self.backdate_reason.clone(),
        })
    }
}

/// The inspection acted on, with the meta options.
#[derive(Debug, Clone, Args)]
pub struct Target {
    /// The inspection (UUID, as printed by `inspection plan`).
    #[arg(long, short = 'i', value_parser = args::uuid, value_name = "UUID")]
    pub inspection: String,
    #[command(flatten)]
    pub opts: MetaOpts,
}

impl Target {
    /// The wire meta.
    pub fn meta(&self) -> Option<pb::CommandMeta> {
        self.opts.meta(self.inspection.clone())
    }
}
