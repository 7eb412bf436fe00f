-- The event store: append-only events, one row per stream for optimistic concurrency,
-- and idempotency keys kept beside the events they produced.

CREATE TABLE streams (
    stream_id        uuid PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('inspection', 'lead_provider')),
    lead_provider_id uuid NOT NULL,
    -- version of the stream's last event; versions start at 1
    version          bigint NOT NULL CHECK (version >= 1)
);

CREATE TABLE events (
    -- taken before commit, so NOT a resume token on its own: see the crate docs
    position         bigint GENERATED ALWAYS AS IDENTITY,
    -- the writing transaction's id; tailing readers read (xid, position) order below xmin
    xid              xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_id        uuid NOT NULL,
    stream_kind      text NOT NULL CHECK (stream_kind IN ('inspection', 'lead_provider')),
    lead_provider_id uuid NOT NULL,
    version          bigint NOT NULL CHECK (version >= 1),
    event_id         uuid NOT NULL,
    event_type       text NOT NULL,
    schema_version   integer NOT NULL,
    payload          jsonb NOT NULL,
    metadata         jsonb NOT NULL,
    recorded_at      timestamptz NOT NULL,
    CONSTRAINT events_pkey PRIMARY KEY (position),
    CONSTRAINT events_event_id_key UNIQUE (event_id),
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, version)
);

CREATE INDEX events_xid_position_idx ON events (xid, position);

CREATE TABLE idempotency_keys (
    actor        text NOT NULL,
    key          text NOT NULL,
    request_hash text NOT NULL,
    -- NULL only inside the appending transaction; always set once committed
    result       jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (actor, key)
);
