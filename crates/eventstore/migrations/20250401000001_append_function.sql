-- One append in one round trip: the steps of crates/eventstore/src/append.rs, in the same
-- order, as a function the store calls in autocommit mode (one statement = one transaction).
--
-- SECURITY INVOKER (the default): it runs with the caller's own table privileges, so the
-- command role needs nothing beyond what 20250301000001_least_privilege.sql grants it, and
-- the trigger refusing UPDATE/DELETE on events still applies. VOLATILE (the default): in
-- READ COMMITTED every statement below takes a fresh snapshot, so the stream read after the
-- lock sees what the lock holder before us committed, and the key read after a waited-for
-- insert sees the holder's result.
--
-- Outcomes (`status`):
--   appended         the events are in; `version` = new version, `last_xid`/`last_position`
--                    = the last event's cursor;
--   duplicate        the key was used before (possibly after waiting for its holder):
--                    `stored_hash`, `stored_result` — the caller compares the hash;
--   conflict         the expectation failed or the stream moved; nothing written;
--                    `version` = the stream's version (NULL: no stream);
--   stream_mismatch  the stream exists as another kind or lead provider (`existing_*`).
-- A conflict after the key was claimed cannot simply return (the claim would commit): it
-- raises SQLSTATE OFC01 with the current version in DETAIL, which rolls everything back.
-- A unique violation on events (a reused event id, or a writer that bypassed `streams`)
-- propagates as the error it is.
--
-- No pg_notify here: a notifying transaction holds a cluster-wide lock from its pre-commit
-- until its commit record is flushed, which serialises the commits (and fsyncs) of every
-- append. The store wakes listeners after commit instead (src/append.rs, `Notifier`).
--
-- The stored result has the JSON shape of `AppendResult` (serde), and its cursor the text
-- form of `Cursor` (`1.<xid>.<position>`): the idempotency tests compare a duplicate's result
-- with the first, field by field.

CREATE FUNCTION eventstore_append(
    p_lock_class       integer,
    p_stream_id        uuid,
    p_kind             text,
    p_lead_provider_id uuid,
    p_expected         bigint,   -- NULL: any version; 0: no stream; n: exactly n
    p_actor            text,     -- the idempotency key's actor, key and request hash, or NULLs
    p_key              text,
    p_request_hash     text,
    p_event_ids        uuid[],
    p_event_types      text[],
    p_schema_versions  integer[],
    p_payloads         jsonb[],
    p_metadata         jsonb[],
    p_recorded_at      timestamptz,
    OUT status                    text,
    OUT version                   bigint,
    OUT existing_kind             text,
    OUT existing_lead_provider_id uuid,
    OUT stored_hash               text,
    OUT stored_result             jsonb,
    OUT last_xid                  text,
    OUT last_position             bigint
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_found_stream boolean;
    v_current      bigint;
    v_base         bigint;
    v_count        bigint := cardinality(p_event_ids);
    v_claimed      boolean := false;
BEGIN
    -- 0. A retried request: its first result, before any lock (a read: no transaction id).
    IF p_key IS NOT NULL THEN
        SELECT k.request_hash, k.result INTO stored_hash, stored_result
        FROM idempotency_keys k WHERE k.actor = p_actor AND k.key = p_key;
        IF FOUND THEN
            status := 'duplicate';
            RETURN;
        END IF;
    END IF;

    -- 1. Queue behind other appends to this stream, without taking a transaction id.
    PERFORM pg_advisory_xact_lock(p_lock_class, hashtext(p_stream_id::text));

    -- 2. Read the stream before any write.
    SELECT s.kind, s.lead_provider_id, s.version
    INTO existing_kind, existing_lead_provider_id, v_current
    FROM streams s WHERE s.stream_id = p_stream_id;
    v_found_stream := FOUND;
    IF v_found_stream
       AND (existing_kind <> p_kind OR existing_lead_provider_id <> p_lead_provider_id) THEN
        status := 'stream_mismatch';
        RETURN;
    END IF;

    -- 3. Claim the idempotency key (the first write); waits for an in-flight holder.
    IF p_key IS NOT NULL THEN
        INSERT INTO idempotency_keys (actor, key, request_hash)
        VALUES (p_actor, p_key, p_request_hash)
        ON CONFLICT (actor, key) DO NOTHING;
        IF NOT FOUND THEN
            SELECT k.request_hash, k.result INTO stored_hash, stored_result
            FROM idempotency_keys k WHERE k.actor = p_actor AND k.key = p_key;
            status := 'duplicate';
            RETURN;
        END IF;
        v_claimed := true;
    END IF;

    -- 4. The caller's expectation, against what step 2 read.
    -- 5. Move the stream, only if nobody did since step 2.
    IF p_expected IS NULL OR p_expected = coalesce(v_current, 0) THEN
        v_base := coalesce(v_current, 0);
        IF NOT v_found_stream THEN
            INSERT INTO streams (stream_id, kind, lead_provider_id, version)
            VALUES (p_stream_id, p_kind, p_lead_provider_id, v_count)
            ON CONFLICT (stream_id) DO NOTHING;
        ELSE
            UPDATE streams s SET version = v_current + v_count
            WHERE s.stream_id = p_stream_id AND s.version = v_current;
        END IF;
        IF NOT FOUND THEN
            SELECT s.version INTO v_current FROM streams s WHERE s.stream_id = p_stream_id;
            v_base := NULL;
        END IF;
    END IF;
    IF v_base IS NULL THEN
        IF v_claimed THEN
            RAISE EXCEPTION 'stream % is at version %', p_stream_id, v_current
                USING ERRCODE = 'OFC01', DETAIL = coalesce(v_current::text, '');
        END IF;
        status := 'conflict';
        version := v_current;
        RETURN;
    END IF;

    -- 6. The events, versions in order (identity positions follow the insertion order).
    WITH inserted AS (
        INSERT INTO events (stream_id, stream_kind, lead_provider_id, version, event_id,
                            event_type, schema_version, payload, metadata, recorded_at)
        SELECT p_stream_id, p_kind, p_lead_provider_id, v_base + e.n, e.id, e.t, e.sv, e.p,
               e.m, p_recorded_at
        FROM unnest(p_event_ids, p_event_types, p_schema_versions, p_payloads, p_metadata)
             WITH ORDINALITY AS e(id, t, sv, p, m, n)
        ORDER BY e.n
        RETURNING events.position
    )
    SELECT max(inserted.position) INTO last_position FROM inserted;
    last_xid := pg_current_xact_id()::text;
    version := v_base + v_count;

    -- Store the result with the key.
    IF v_claimed THEN
        UPDATE idempotency_keys k SET result = jsonb_build_object(
            'stream_id', p_stream_id,
            'first_version', v_base + 1,
            'new_version', v_base + v_count,
            'event_ids', to_jsonb(p_event_ids),
            'cursor', '1.' || last_xid || '.' || last_position,
            'recorded_at', p_recorded_at)
        WHERE k.actor = p_actor AND k.key = p_key;
    END IF;

    status := 'appended';
END
$$;

REVOKE ALL ON FUNCTION eventstore_append(integer, uuid, text, uuid, bigint, text, text, text,
    uuid[], text[], integer[], jsonb[], jsonb[], timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eventstore_append(integer, uuid, text, uuid, bigint, text, text, text,
    uuid[], text[], integer[], jsonb[], jsonb[], timestamptz) TO ofsted_eventstore_writer;
