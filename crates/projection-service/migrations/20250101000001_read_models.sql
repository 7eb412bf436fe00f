-- Read models of the projection service, in its own database.
--
-- Everything in the first group is derived from events only (no wall clock), so a rebuild
-- from the store produces the same rows: `rebuild` creates `<table>_rebuild` copies with
-- `CREATE TABLE ... (LIKE <table> INCLUDING ALL)`, fills them, and renames them in.
-- `changes` and `change_counter` are NOT rebuilt: they are the Watch log, whose sequence
-- numbers clients resume from, and they survive a rebuild unchanged.

-- One row per inspection: the folded aggregate and its summary (domain::views::summary).
CREATE TABLE inspections (
    inspection_id     uuid PRIMARY KEY,
    lead_provider_id  uuid NOT NULL,
    kind              text NOT NULL,
    state             text NOT NULL,
    version           bigint NOT NULL,
    first_recorded_at timestamptz NOT NULL,
    last_recorded_at  timestamptz NOT NULL,
    aggregate         jsonb NOT NULL,
    summary           jsonb NOT NULL
);
CREATE INDEX inspections_lead_provider_idx ON inspections (lead_provider_id, inspection_id);

-- The projection's copy of each inspection's events: `as_of` queries fold them up to a time.
CREATE TABLE inspection_events (
    inspection_id uuid NOT NULL,
    version       bigint NOT NULL,
    event_id      uuid NOT NULL,
    event_type    text NOT NULL,
    payload       jsonb NOT NULL,
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (inspection_id, version)
);

-- Deadlines (R29) as of the inspection's last event; the query recomputes status against
-- the clock or `as_of`, so `status` here only narrows which inspections to recompute.
CREATE TABLE deadlines (
    inspection_id uuid NOT NULL,
    ordinal       integer NOT NULL,
    kind          text NOT NULL,
    rule          text NOT NULL,
    report        text,
    cycle         integer NOT NULL,
    opens_at      timestamptz,
    due_at        timestamptz NOT NULL,
    status        text NOT NULL,
    done_at       timestamptz,
    provisional   boolean NOT NULL,
    PRIMARY KEY (inspection_id, ordinal)
);
CREATE INDEX deadlines_due_idx ON deadlines (due_at);

-- Report status per report (domain::views::report_status).
CREATE TABLE reports (
    inspection_id    uuid NOT NULL,
    report           text NOT NULL,
    lead_provider_id uuid NOT NULL,
    stage            text NOT NULL,
    shared_with_dfe  boolean NOT NULL,
    view             jsonb NOT NULL,
    PRIMARY KEY (inspection_id, report)
);
CREATE INDEX reports_stage_idx ON reports (stage, shared_with_dfe);

-- Lead providers (R6) without personal data: representatives are only counted.
CREATE TABLE lead_providers (
    lead_provider_id uuid PRIMARY KEY,
    name             text,
    framework        text,
    contracts        text[] NOT NULL,
    representatives  integer NOT NULL,
    version          bigint NOT NULL,
    aggregate        jsonb NOT NULL
);

-- The last applied version per stream: an event at or below it is a no-op.
CREATE TABLE applied (
    stream_id   uuid PRIMARY KEY,
    stream_kind text NOT NULL,
    version     bigint NOT NULL
);

-- The Watch log: one row per applied event, numbered densely from 1.
CREATE TABLE change_counter (
    id  boolean PRIMARY KEY DEFAULT true CHECK (id),
    seq bigint NOT NULL
);
INSERT INTO change_counter (id, seq) VALUES (true, 0);

CREATE TABLE changes (
    seq              bigint PRIMARY KEY,
    stream_id        uuid NOT NULL,
    stream_kind      text NOT NULL,
    lead_provider_id uuid NOT NULL,
    event_type       text NOT NULL,
    version          bigint NOT NULL,
    recorded_at      timestamptz NOT NULL,
    state            text
);
CREATE INDEX changes_stream_idx ON changes (stream_id, seq);
CREATE INDEX changes_lead_provider_idx ON changes (lead_provider_id, seq);
