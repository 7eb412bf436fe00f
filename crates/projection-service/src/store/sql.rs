//! The SQL that writes read models, once per table set: the live tables and the `_rebuild`
//! copies a rebuild fills. One macro builds both sets from the same text with `concat!`, so
//! every statement stays a `&'static str` (no SQL assembled at run time) and the two sets
//! cannot drift apart.

/// The statements that apply events to one set of read-model tables. Inspection rows are
/// written many inspections at a time (`UNNEST` of one array per column), by the live
/// consumer's batches and the rebuild alike (see `bulk.rs`).
#[derive(Debug, Clone, Copy)]
pub struct Statements {
    /// Which set (for logs).
    pub name: &'static str,
    pub applied_versions_of: &'static str,
    pub all_applied: &'static str,
    pub upsert_applied: &'static str,
    pub inspection_histories: &'static str,
    pub insert_inspection_events: &'static str,
    pub upsert_inspections: &'static str,
    pub delete_deadlines: &'static str,
    pub insert_deadlines: &'static str,
    pub delete_reports: &'static str,
    pub insert_reports: &'static str,
    pub lead_provider_aggregate: &'static str,
    pub upsert_lead_provider: &'static str,
}

macro_rules! statements {
    ($name:literal, $sfx:literal) => {
        Statements {
            name: $name,
            applied_versions_of: concat!(
                "SELECT stream_id, version FROM applied",
                $sfx,
                " WHERE stream_id = ANY($1)"
            ),
            all_applied: concat!("SELECT stream_id, stream_kind, version FROM applied", $sfx),
            upsert_applied: concat!(
                "INSERT INTO applied",
                $sfx,
                " (stream_id, stream_kind, version) \
                 SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::bigint[]) \
                 ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version"
            ),
            inspection_histories: concat!(
                "SELECT inspection_id, version, payload FROM inspection_events",
                $sfx,
                " WHERE inspection_id = ANY($1) ORDER BY inspection_id, version"
            ),
            insert_inspection_events: concat!(
                "INSERT INTO inspection_events",
                $sfx,
                " (inspection_id, version, event_id, event_type, payload, recorded_at) \
                 SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::uuid[], $4::text[], \
                 $5::jsonb[], $6::timestamptz[])"
            ),
            upsert_inspections: concat!(
                "INSERT INTO inspections",
                $sfx,
                " (inspection_id, lead_provider_id, kind, state, version, first_recorded_at, \
                 last_recorded_at, summary) \
                 SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], \
                 $5::bigint[], $6::timestamptz[], $7::timestamptz[], $8::text[]::jsonb[]) \
                 ON CONFLICT (inspection_id) DO UPDATE SET \
                 lead_provider_id = EXCLUDED.lead_provider_id, kind = EXCLUDED.kind, \
                 state = EXCLUDED.state, version = EXCLUDED.version, \
                 first_recorded_at = EXCLUDED.first_recorded_at, \
                 last_recorded_at = EXCLUDED.last_recorded_at, summary = EXCLUDED.summary"
            ),
            delete_deadlines: concat!(
                "DELETE FROM deadlines",
                $sfx,
                " WHERE inspection_id = ANY($1)"
            ),
            insert_deadlines: concat!(
                "INSERT INTO deadlines",
                $sfx,
                " (inspection_id, ordinal, kind, rule, report, cycle, opens_at, due_at, status, \
                 done_at, provisional, lead_provider_id) \
                 SELECT * FROM UNNEST($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], \
                 $6::int[], $7::timestamptz[], $8::timestamptz[], $9::text[], \
                 $10::timestamptz[], $11::bool[], $12::uuid[])"
            ),
            delete_reports: concat!("DELETE FROM reports", $sfx, " WHERE inspection_id = ANY($1)"),
            insert_reports: concat!(
                "INSERT INTO reports",
                $sfx,
                " (inspection_id, lead_provider_id, report, stage, shared_with_dfe, view) \
                 SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], \
                 $5::bool[], $6::text[]::jsonb[])"
            ),
            lead_provider_aggregate: concat!(
                "SELECT aggregate FROM lead_providers",
                $sfx,
                " WHERE lead_provider_id = $1"
            ),
            upsert_lead_provider: concat!(
                "INSERT INTO lead_providers",
                $sfx,
                " (lead_provider_id, name, framework, contracts, representatives, version, \
                 aggregate) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (lead_provider_id) DO UPDATE SET name = EXCLUDED.name, \
                 framework = EXCLUDED.framework, contracts = EXCLUDED.contracts, \
                 representatives = EXCLUDED.representatives, version = EXCLUDED.version, \
                 aggregate = EXCLUDED.aggregate"
            ),
        }
    };
}

/// The tables queries read and the consumer writes.
pub const LIVE: Statements = statements!("live", "");

/// The copies a rebuild fills before swapping them in.
pub const REBUILD: Statements = statements!("rebuild", "_rebuild");

/// The tables a rebuild replaces, in the order they are created, compared and swapped.
/// `changes` and `change_counter` are not among them: the Watch log survives a rebuild.
pub const REBUILT_TABLES: [&str; 6] = [
    "inspections",
    "inspection_events",
    "deadlines",
    "reports",
    "lead_providers",
    "applied",
];

/// Reserve `$1` consecutive sequence numbers in the Watch log; returns the last. Taken from
/// the counter row in the applying transaction, so numbers are gap-free, and a number
/// becomes visible only after every smaller one (the row lock orders the commits).
pub const RESERVE_SEQS: &str = "UPDATE change_counter SET seq = seq + $1 RETURNING seq";

/// Record changes in the Watch log, one row per applied event. See [`RESERVE_SEQS`].
pub const INSERT_CHANGES: &str = "INSERT INTO changes \
     (seq, stream_id, stream_kind, lead_provider_id, event_type, version, recorded_at, state) \
     SELECT * FROM UNNEST($1::bigint[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], \
     $6::bigint[], $7::timestamptz[], $8::text[])";

/// Wakes Watch streams; the payload is the new sequence number. Sent after the applying
/// transaction commits, never inside it: a transaction that notifies holds a server-wide lock
/// from its commit until the commit is flushed, so notifying inside queues every other
/// notifying commit behind it. A lost wake-up is covered by the feed's poll.
pub const NOTIFY_CHANGE: &str = "SELECT pg_notify('projection_changes', $1::text)";

/// The channel of [`NOTIFY_CHANGE`].
pub const CHANGES_CHANNEL: &str = "projection_changes";

/// Serialises applies with the rebuild's swap: each apply transaction takes it, and so does
/// the swap, so no event is applied to tables that are being renamed.
pub const LOCK_APPLY: &str = "SELECT pg_advisory_xact_lock(7379807847376107570)";
