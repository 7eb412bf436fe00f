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
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUN_DIR=${RUN_DIR:-$ROOT/.run}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
CARGO=${CARGO:-cargo}
COMMAND_ADDR=${COMMAND_GRPC_ADDR:-127.0.0.1:50051}
QUERY_ADDR=${QUERY_GRPC_ADDR:-127.0.0.1:50052}
SERVICES=(command-service projection-service)

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
  GRPC_ADDR=$addr nohup "$TARGET_DIR/release/$name" >>"$RUN_DIR/$name.log" 2>&1 </dev/null &
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

start() {
  mkdir -p "$RUN_DIR"
  RUN_DIR=$RUN_DIR bash "$ROOT/deploy/local/ensure-services.sh"
  log "building the services (release)"
  (cd "$ROOT" && $CARGO build --release -p command-service -p projection-service --bins)
  for name in "${SERVICES[@]}"; do start_service "$name"; done
  cat <<EOF

The inspections system is running:
  command service (gRPC, InspectionCommandService)  $COMMAND_ADDR   log $RUN_DIR/command-service.log
  projection service (gRPC, InspectionQueryService) $QUERY_ADDR   log $RUN_DIR/projection-service.log
  Postgres 127.0.0.1:5432 (databases ofsted, ofsted_projections), NATS 127.0.0.1:4222 (stream INSPECTION_EVENTS)
Stop it with: make stop
EOF
}

stop() {
  for name in "${SERVICES[@]}"; do stop_service "$name"; done
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
