#!/usr/bin/env bash
# Make sure the local services the command service needs are running:
#   - PostgreSQL on 127.0.0.1:5432, user postgres with password postgres (over TCP);
#   - NATS with JetStream on 127.0.0.1:4222.
# Installs the Debian packages (postgresql, nats-server) when missing, starts what is not
# running, and leaves running services alone. Idempotent: run it as often as you like.
#
# Environment: NATS_STORE_DIR (JetStream storage, default /var/tmp/ofsted-nats, or
# $RUN_DIR/nats); RUN_DIR (set by `make run`: record there what this script started —
# `started-postgres` holding "<version> main", `started-nats` and `nats-server.pid` — so that
# `make stop` stops those and nothing else).
set -euo pipefail

PG_PORT=5432
NATS_PORT=4222
RUN_DIR=${RUN_DIR:-}
if [ -n "$RUN_DIR" ]; then
  NATS_STORE_DIR=${NATS_STORE_DIR:-$RUN_DIR/nats}
else
  NATS_STORE_DIR=${NATS_STORE_DIR:-/var/tmp/ofsted-nats}
fi

# Record that this script started something (only for `make run`).
mark_started() {
  if [ -n "$RUN_DIR" ]; then
    mkdir -p "$RUN_DIR"
    printf '%s\n' "$2" >"$RUN_DIR/started-$1"
  fi
}

log() { printf 'ensure-services: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -c "$*"; else sudo -u postgres bash -c "$*"; fi
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_for_port() {
  local port=$1 what=$2
  for _ in $(seq 1 100); do
    if port_open "$port"; then return 0; fi
    sleep 0.1
  done
  log "$what did not open 127.0.0.1:$port"
  return 1
}

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  log "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  if ! port_open "$PG_PORT"; then
    if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
      apt_install postgresql
    fi
    local version
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$version main"; then
      log "creating cluster $version/main"
      as_root pg_createcluster "$version" main >/dev/null
    fi
    log "starting postgresql $version/main"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    wait_for_port "$PG_PORT" postgresql
    mark_started postgres "$version main"
  fi
  if ! command -v psql >/dev/null; then
    apt_install postgresql-client
  fi
  # Stock Debian: peer auth on the socket, password auth over TCP, and no password set.
  if ! PGPASSWORD=postgres PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -p "$PG_PORT" -U postgres \
      -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
    log "setting the postgres user's password"
    as_postgres "psql -p $PG_PORT -tAc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  fi
  log "postgresql ready on 127.0.0.1:$PG_PORT"
}

# Asks the server for JetStream account info over the plain NATS protocol.
jetstream_enabled() {
  local reply
  reply=$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/'"$NATS_PORT"'"
    printf "CONNECT {\"verbose\":false}\r\nSUB _INBOX.ensure 1\r\nPUB \$JS.API.INFO _INBOX.ensure 0\r\n\r\nPING\r\n" >&3
    timeout 2 cat <&3
  ' 2>/dev/null || true)
  grep -q 'account_info_response' <<<"$reply" && ! grep -q '"code":503' <<<"$reply"
}

ensure_nats() {
  if ! port_open "$NATS_PORT"; then
    if ! command -v nats-server >/dev/null; then
      apt_install nats-server
    fi
    mkdir -p "$NATS_STORE_DIR"
    log "starting nats-server with jetstream (store $NATS_STORE_DIR)"
    local pid_args=()
    if [ -n "$RUN_DIR" ]; then pid_args=(-P "$RUN_DIR/nats-server.pid"); fi
    nohup nats-server -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$NATS_STORE_DIR" "${pid_args[@]}" \
      >>"$NATS_STORE_DIR/nats-server.log" 2>&1 </dev/null &
    wait_for_port "$NATS_PORT" nats-server
    mark_started nats "$NATS_STORE_DIR"
  fi
  if ! jetstream_enabled; then
    log "the server on 127.0.0.1:$NATS_PORT does not answer JetStream requests; restart it with -js"
    return 1
  fi
  log "nats with jetstream ready on 127.0.0.1:$NATS_PORT"
}

ensure_postgres
ensure_nats
