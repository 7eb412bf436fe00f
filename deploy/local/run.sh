#!/usr/bin/env bash
# `make run` / `make stop`: the whole system on this machine, in the background.
#
#   run.sh start   make sure Postgres and NATS run (ensure-services.sh, which records in the
#                  run dir what it had to start), build both services in release mode and start
#                  each unless already running; print the addresses and how to stop.
#   run.sh stop    stop the services started here (pid files), then Postgres and NATS only if
#                  ensure-services.sh started them for `make run` (its markers).
#   run.sh status  what is running.
#
# Everything lives under the run dir (RUN_DIR, default `.run/` in the repository, git-ignored):
# `<service>.pid`, `<service>.log`, `nats/` (JetStream data when NATS is started here),
# `started-postgres`, `started-nats` (markers). Idempotent: a second `start` starts nothing.
#
# The services take their usual environment (see crates/*/src/config.rs); the defaults are
# Postgres 127.0.0.1:5432 (databases `ofsted` and `ofsted_projections`), NATS 127.0.0.1:4222,
# gRPC 127.0.0.1:50051 (commands) and 127.0.0.1:50052 (queries).
#
# Least privilege (ARCHITECTURE.md "Security and privacy"): `start` creates the services'
# Postgres roles (deploy/postgres/roles.sql: ofsted_command may insert and read events but not
# change or delete them; ofsted_projection reads the store and owns its own database) and
# starts a nats-server of its own with deploy/nats/accounts.conf on RUN_NATS_PORT (default
# 4223, so that the plain server tests use on 4222 is left alone; JetStream data in
# `nats-accounts/`). Each service connects as its own Postgres role and NATS user; only the
# command service's migrations run as the administrator (OFSTED_MIGRATION_DATABASE_URL).
# The passwords are development ones, as in accounts.conf.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUN_DIR=${RUN_DIR:-$ROOT/.run}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
CARGO=${CARGO:-cargo}
COMMAND_ADDR=${COMMAND_GRPC_ADDR:-127.0.0.1:50051}
QUERY_ADDR=${QUERY_GRPC_ADDR:-127.0.0.1:50052}
SERVICES=(command-service projection-service)
PG=${RUN_PG:-127.0.0.1:5432}
PG_ADMIN_URL=${RUN_PG_ADMIN_URL:-postgres://postgres:postgres@$PG}
NATS_PORT=${RUN_NATS_PORT:-4223}
COMMAND_DB_PASSWORD=dev-command-service
PROJECTION_DB_PASSWORD=dev-projection-service

log() { printf 'run: %s\n' "$*" >&2; }

# The pid of a service started here, if that process still runs that binary.
running_pid() {
  local name=$1 pidfile="$RUN_DIR/$1.pid" pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "release/$name" || return 1
  echo "$pid"
}

port_open() {
  local host=${1%:*} port=${1##*:}
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

addr_of() {
  case $1 in
    command-service) echo "$COMMAND_ADDR" ;;
    projection-service) echo "$QUERY_ADDR" ;;
  esac
}

start_service() {
  local name=$1 addr pid
  addr=$(addr_of "$name")
  if pid=$(running_pid "$name"); then
    log "$name already running (pid $pid)"
    return 0
  fi
  if port_open "$addr"; then
    log "$addr is taken by another process: not starting $name (set COMMAND_GRPC_ADDR / QUERY_GRPC_ADDR)"
    return 1
  fi
  log "starting $name on $addr (log $RUN_DIR/$name.log)"
  local env=(GRPC_ADDR="$addr" NATS_URL="nats://127.0.0.1:$NATS_PORT")
  case $name in
    command-service)
      env+=(DATABASE_URL="postgres://ofsted_command:$COMMAND_DB_PASSWORD@$PG/ofsted"
        OFSTED_MIGRATION_DATABASE_URL="$PG_ADMIN_URL/ofsted"
        NATS_USER=command-service NATS_PASSWORD=dev-command-service) ;;
    projection-service)
      env+=(PROJECTION_DATABASE_URL="postgres://ofsted_projection:$PROJECTION_DB_PASSWORD@$PG/ofsted_projections"
        EVENTSTORE_DATABASE_URL="postgres://ofsted_projection:$PROJECTION_DB_PASSWORD@$PG/ofsted"
        NATS_USER=projection-service NATS_PASSWORD=dev-projection-service) ;;
  esac
  env "${env[@]}" nohup "$TARGET_DIR/release/$name" >>"$RUN_DIR/$name.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$RUN_DIR/$name.pid"
  for _ in $(seq 1 300); do
    if port_open "$addr"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited during start-up; last lines of its log:"
      tail -n 20 "$RUN_DIR/$name.log" >&2
      rm -f "$RUN_DIR/$name.pid"
      return 1
    fi
    sleep 0.1
  done
  log "$name did not open $addr within 30 s (see $RUN_DIR/$name.log)"
  return 1
}

stop_service() {
  local name=$1 pid
  if ! pid=$(running_pid "$name"); then
    rm -f "$RUN_DIR/$name.pid"
    return 0
  fi
  log "stopping $name (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within 15 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN_DIR/$name.pid"
}

# The services' Postgres roles and the projection's database (idempotent).
ensure_roles() {
  log "postgres roles ofsted_command, ofsted_projection (deploy/postgres/roles.sql)"
  psql "$PG_ADMIN_URL/postgres" -q -v ON_ERROR_STOP=1 \
    -v command_password="$COMMAND_DB_PASSWORD" -v projection_password="$PROJECTION_DB_PASSWORD" \
    -v projection_db=ofsted_projections -f "$ROOT/deploy/postgres/roles.sql" >/dev/null
}

nats_pid() {
  local pid
  pid=$(cat "$RUN_DIR/nats-accounts.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q nats-server || return 1
  echo "$pid"
}

# A nats-server with the accounts and users of deploy/nats/accounts.conf.
ensure_nats_accounts() {
  local pid
  if pid=$(nats_pid); then
    log "nats-server with accounts already running (pid $pid)"
    return 0
  fi
  if port_open "127.0.0.1:$NATS_PORT"; then
    log "127.0.0.1:$NATS_PORT is taken by another process: set RUN_NATS_PORT"
    return 1
  fi
  mkdir -p "$RUN_DIR/nats-accounts"
  log "starting nats-server with deploy/nats/accounts.conf on 127.0.0.1:$NATS_PORT"
  OFSTED_NATS_STORE_DIR="$RUN_DIR/nats-accounts" nohup nats-server -c "$ROOT/deploy/nats/accounts.conf" \
    -a 127.0.0.1 -p "$NATS_PORT" -P "$RUN_DIR/nats-accounts.pid" \
    >>"$RUN_DIR/nats-accounts.log" 2>&1 </dev/null &
  for _ in $(seq 1 100); do
    if port_open "127.0.0.1:$NATS_PORT"; then return 0; fi
    sleep 0.1
  done
  log "nats-server did not open 127.0.0.1:$NATS_PORT (see $RUN_DIR/nats-accounts.log)"
  return 1
}

stop_nats_accounts() {
  local pid
  if pid=$(nats_pid); then
    log "stopping the nats-server with accounts (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$RUN_DIR/nats-accounts.pid"
}

start() {
  mkdir -p "$RUN_DIR"
  RUN_DIR=$RUN_DIR bash "$ROOT/deploy/local/ensure-services.sh"
  ensure_roles
  ensure_nats_accounts
  log "building the services (release)"
  (cd "$ROOT" && $CARGO build --release -p command-service -p projection-service --bins)
  for name in "${SERVICES[@]}"; do start_service "$name"; done
  cat <<EOF

The inspections system is running:
  command service (gRPC, InspectionCommandService)  $COMMAND_ADDR   log $RUN_DIR/command-service.log
  projection service (gRPC, InspectionQueryService) $QUERY_ADDR   log $RUN_DIR/projection-service.log
  Postgres $PG (databases ofsted, ofsted_projections; roles ofsted_command, ofsted_projection)
  NATS 127.0.0.1:$NATS_PORT with deploy/nats/accounts.conf (stream INSPECTION_EVENTS; users
    command-service, projection-service, operator, dfe), e.g.
    inspectionctl events watch --nats-url nats://operator:dev-operator@127.0.0.1:$NATS_PORT
Stop it with: make stop
EOF
}

stop() {
  for name in "${SERVICES[@]}"; do stop_service "$name"; done
  stop_nats_accounts
  if [ -f "$RUN_DIR/started-nats" ]; then
    local pid
    pid=$(cat "$RUN_DIR/nats-server.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q nats-server; then
      log "stopping the nats-server make run started (pid $pid)"
      kill -TERM "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$RUN_DIR/started-nats" "$RUN_DIR/nats-server.pid"
  fi
  if [ -f "$RUN_DIR/started-postgres" ]; then
    local cluster
    cluster=$(cat "$RUN_DIR/started-postgres")
    log "stopping the postgresql cluster make run started ($cluster)"
    # shellcheck disable=SC2086
    pg_ctlcluster --skip-systemctl-redirect $cluster stop || true
    rm -f "$RUN_DIR/started-postgres"
  fi
  log "stopped what make run started"
}

status() {
  for name in "${SERVICES[@]}"; do
    if pid=$(running_pid "$name"); then
      echo "$name: running (pid $pid) on $(addr_of "$name")"
    else
      echo "$name: not running"
    fi
  done
  [ -f "$RUN_DIR/started-postgres" ] && echo "postgresql: started by make run ($(cat "$RUN_DIR/started-postgres"))"
  [ -f "$RUN_DIR/started-nats" ] && echo "nats-server: started by make run"
  nats_pid >/dev/null && echo "nats-server with accounts: running on 127.0.0.1:$NATS_PORT"
  return 0
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
