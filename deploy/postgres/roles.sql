-- Login roles of the services, least privilege (ARCHITECTURE.md "Security and privacy").
-- Run as an administrator (a superuser, or a role with CREATEROLE and CREATEDB), after or
-- before the services' migrations; idempotent:
--
--   psql "postgres://postgres:postgres@127.0.0.1:5432/postgres" -v ON_ERROR_STOP=1 \
--     -v command_password=… -v projection_password=… \
--     -v projection_db=ofsted_projections -f deploy/postgres/roles.sql
--
-- What each login may do:
--   ofsted_command     member of ofsted_eventstore_writer: in the event store, INSERT and
--                      SELECT on events (no UPDATE, DELETE or TRUNCATE: not granted, revoked,
--                      and refused by a trigger for everyone), INSERT/UPDATE on streams and
--                      idempotency keys, and the relay cursors and person keys. It cannot
--                      create tables: the command service runs its migrations through
--                      OFSTED_MIGRATION_DATABASE_URL (the owner) and serves as this role.
--   ofsted_projection  member of ofsted_eventstore_reader: SELECT on events and streams only
--                      (gap fills, rebuilds; not the person keys); owns its own read-model
--                      database, where it runs its migrations and rebuilds.
-- The group roles and their table privileges are in the event store's migrations
-- (crates/eventstore/migrations/*_least_privilege.sql); they are created here too so that the
-- order does not matter.

\set ON_ERROR_STOP on

-- Role changes of concurrent runs (tests, make run) would fail with "tuple concurrently
-- updated": take turns until \connect below ends this session.
SELECT pg_advisory_lock(hashtext('ofsted deploy/postgres/roles.sql')) \gset

SELECT 'CREATE ROLE ofsted_eventstore_writer NOLOGIN'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ofsted_eventstore_writer') \gexec
SELECT 'CREATE ROLE ofsted_eventstore_reader NOLOGIN'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ofsted_eventstore_reader') \gexec
SELECT 'CREATE ROLE ofsted_command LOGIN'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ofsted_command') \gexec
SELECT 'CREATE ROLE ofsted_projection LOGIN'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ofsted_projection') \gexec

-- No superuser, no role or database creation, no inheritance surprises.
ALTER ROLE ofsted_command LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'command_password';
ALTER ROLE ofsted_projection LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'projection_password';
GRANT ofsted_eventstore_writer TO ofsted_command;
GRANT ofsted_eventstore_reader TO ofsted_projection;

-- The projection's own database, owned by it.
SELECT format('CREATE DATABASE %I OWNER ofsted_projection', :'projection_db')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'projection_db') \gexec
SELECT format('ALTER DATABASE %I OWNER TO ofsted_projection', :'projection_db') \gexec

-- Tables made there earlier by another role (e.g. before this script existed) pass to it.
\connect :projection_db
SELECT format('ALTER TABLE public.%I OWNER TO ofsted_projection', tablename)
FROM pg_tables
WHERE schemaname = 'public' AND tableowner <> 'ofsted_projection' \gexec
