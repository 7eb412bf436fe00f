-- Least privilege and append-only events.
--
-- What each service may do is decided here, next to the tables, as two group roles (NOLOGIN,
-- created when missing, shared by every database of the cluster); a deployment makes its
-- login roles members of them (deploy/postgres/roles.sql). Migrations run as the owner.
--   ofsted_eventstore_writer  the command service: append and read events, move stream
--                             versions, record idempotency keys; never change or remove an
--                             event. Tables created later by the owner (the relay's cursors,
--                             the person keys) are granted through default privileges.
--   ofsted_eventstore_reader  the projection service: read events and streams (gap fills,
--                             rebuilds); nothing else, in particular not the person keys.

DO $$
BEGIN
    BEGIN
        CREATE ROLE ofsted_eventstore_writer NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- exists, or created meanwhile by a concurrent migration of another database
    END;
    BEGIN
        CREATE ROLE ofsted_eventstore_reader NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
    END;
END
$$;

REVOKE ALL ON events, streams, idempotency_keys FROM PUBLIC;

GRANT SELECT, INSERT ON events TO ofsted_eventstore_writer;
REVOKE UPDATE, DELETE, TRUNCATE ON events FROM ofsted_eventstore_writer;
GRANT SELECT, INSERT, UPDATE ON streams TO ofsted_eventstore_writer;
GRANT SELECT, INSERT, UPDATE ON idempotency_keys TO ofsted_eventstore_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ofsted_eventstore_writer;
DO $$
BEGIN
    -- The relay's table, when it was created before this migration.
    IF to_regclass('relay_cursors') IS NOT NULL THEN
        GRANT SELECT, INSERT, UPDATE ON relay_cursors TO ofsted_eventstore_writer;
    END IF;
END
$$;

GRANT SELECT ON events, streams TO ofsted_eventstore_reader;

-- Defence in depth: events are never updated, deleted or truncated, whoever asks (R31 erases
-- a person by deleting their key, never by rewriting history). Only a superuser disabling the
-- trigger could.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
