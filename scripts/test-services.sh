#!/usr/bin/env bash
# Starts the servers the live-probe tests (test/probes) connect to, on loopback only:
#   PostgreSQL  127.0.0.1:55432  user/database "allthrive", scram-sha-256 password, TLS on (self-signed)
#   Redis       127.0.0.1:56379  requirepass, maxmemory 64mb
#   Redis       127.0.0.1:56380  no auth, maxmemory 0 (unlimited)
# Idempotent: installs Debian's postgresql and redis-server when missing, creates the
# PostgreSQL cluster once, starts whatever is not answering, and leaves running what is.
# Writes the URLs to $ALLTHRIVE_TEST_SERVICES_ENV (the tests read it when the variables
# are unset) and prints them as `export` lines: eval "$(bash scripts/test-services.sh)".
#   bash scripts/test-services.sh          start (or confirm) the servers
#   bash scripts/test-services.sh stop     stop them (data and env file are kept)
# Everything but the export lines goes to stderr.
set -euo pipefail

BASE=${ALLTHRIVE_TEST_SERVICES_DIR:-/tmp/allthrive-test-services}
ENV_FILE=${ALLTHRIVE_TEST_SERVICES_ENV:-/tmp/allthrive-test-services.env}
PG_PORT=${ALLTHRIVE_TEST_PG_PORT:-55432}
REDIS_PORT=${ALLTHRIVE_TEST_REDIS_PORT:-56379}
REDIS_PLAIN_PORT=${ALLTHRIVE_TEST_REDIS_PLAIN_PORT:-56380}
# Test-only credentials for servers bound to 127.0.0.1 (URL-safe characters only).
PG_PASSWORD=${ALLTHRIVE_TEST_PG_PASSWORD:-allthrive-test-pg-pw}
REDIS_PASSWORD=${ALLTHRIVE_TEST_REDIS_PASSWORD:-allthrive-test-redis-pw}

log() { echo "test-services: $*" >&2; }
die() { log "$*"; exit 1; }

for v in "$PG_PASSWORD" "$REDIS_PASSWORD"; do
  [[ $v =~ ^[A-Za-z0-9._~-]+$ ]] || die "test passwords may only hold A-Z a-z 0-9 . _ ~ - (they go into URLs unescaped)"
done

SUDO=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); fi

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

install_packages() {
  local missing=()
  pg_bindir >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  # policy-rc.d keeps the packages' own services (5432, 6379) from starting: only ours run.
  local policy=/usr/sbin/policy-rc.d created_policy=
  if [ ! -e $policy ]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee $policy >/dev/null
    "${SUDO[@]}" chmod +x $policy
    created_policy=1
  fi
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  [ -n "$created_policy" ] && "${SUDO[@]}" rm -f $policy
  return 0
}

# Run a command as the PostgreSQL owner: the postgres user when we are root, else ourselves.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

PGDATA="$BASE/pg/data"
PGRUN="$BASE/pg/run"
PGLOG="$BASE/pg/postgres.log"

pg_answers() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 1 >/dev/null 2>&1; }

init_postgres() {
  log "creating PostgreSQL cluster in $PGDATA"
  mkdir -p "$BASE/pg"
  rm -rf "$PGDATA" "$PGRUN"
  mkdir -p "$PGDATA" "$PGRUN"
  chmod 700 "$PGDATA" "$PGRUN"
  [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$BASE/pg"
  as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2 \
    || as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C >&2
  # A self-signed server certificate, so sslmode=require/verify-full can be tested.
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=localhost' \
    -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
    -keyout "$PGDATA/server.key" -out "$PGDATA/server.crt" 2>/dev/null
  chmod 600 "$PGDATA/server.key"
  cp "$PGDATA/server.crt" "$BASE/pg/ca.crt" && chmod 644 "$BASE/pg/ca.crt"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGDATA/server.key" "$PGDATA/server.crt"
  as_pg tee -a "$PGDATA/postgresql.conf" >/dev/null <<EOF
# allthrive test cluster
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PGRUN'
max_connections = 20
ssl = on
fsync = off
full_page_writes = off
synchronous_commit = off
password_encryption = 'scram-sha-256'
EOF
  as_pg tee "$PGDATA/pg_hba.conf" >/dev/null <<EOF
local all postgres           peer
host  all all 127.0.0.1/32   scram-sha-256
EOF
}

start_postgres() {
  PGBIN=$(pg_bindir) || die "PostgreSQL binaries not found under /usr/lib/postgresql"
  if pg_answers; then
    log "PostgreSQL already answers on 127.0.0.1:$PG_PORT"
  else
    [ -f "$PGDATA/PG_VERSION" ] && [ "$(cat "$PGDATA/PG_VERSION")" = "$(basename "$(dirname "$PGBIN")")" ] || init_postgres
    as_pg rm -f "$PGDATA/postmaster.pid" 2>/dev/null || true
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 30 start >&2 || { tail -20 "$PGLOG" >&2; die "PostgreSQL did not start"; }
  fi
  # Role and database (again on every run: cheap, and repairs a changed password).
  as_pg "$PGBIN/psql" -h "$PGRUN" -p "$PG_PORT" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 >&2 <<EOF
SELECT 'CREATE ROLE allthrive LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'allthrive')\gexec
ALTER ROLE allthrive PASSWORD '$PG_PASSWORD';
SELECT 'CREATE DATABASE allthrive OWNER allthrive' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'allthrive')\gexec
EOF
}

redis_answers() { redis-cli -h 127.0.0.1 -p "$1" ${2:+--no-auth-warning -a "$2"} ping 2>/dev/null | grep -q PONG; }

start_redis() {
  local port=$1 password=$2 maxmemory=$3 dir="$BASE/redis-$1"
  if redis_answers "$port" "$password"; then
    log "Redis already answers on 127.0.0.1:$port"
    return 0
  fi
  mkdir -p "$dir"
  log "starting Redis on 127.0.0.1:$port"
  local args=(--bind 127.0.0.1 --port "$port" --daemonize yes --dir "$dir" --pidfile "$dir/redis.pid"
    --logfile "$dir/redis.log" --save '' --appendonly no --maxmemory "$maxmemory" --protected-mode yes)
  [ -n "$password" ] && args+=(--requirepass "$password")
  redis-server "${args[@]}" >&2
  for _ in $(seq 1 50); do redis_answers "$port" "$password" && return 0; sleep 0.1; done
  tail -20 "$dir/redis.log" >&2
  die "Redis did not start on port $port"
}

stop_all() {
  PGBIN=$(pg_bindir) || true
  if [ -n "${PGBIN:-}" ] && [ -f "$PGDATA/postmaster.pid" ]; then as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >&2 || true; fi
  for port in "$REDIS_PORT" "$REDIS_PLAIN_PORT"; do
    local pidfile="$BASE/redis-$port/redis.pid"
    if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile"; fi
  done
  log "stopped"
}

if [ "${1:-start}" = stop ]; then stop_all; exit 0; fi

install_packages
mkdir -p "$BASE"
start_postgres
start_redis "$REDIS_PORT" "$REDIS_PASSWORD" 64mb
start_redis "$REDIS_PLAIN_PORT" '' 0

exports=$(cat <<EOF
export PGTEST_URL='postgres://allthrive:$PG_PASSWORD@127.0.0.1:$PG_PORT/allthrive'
export PGTEST_CA_FILE='$BASE/pg/ca.crt'
export REDISTEST_URL='redis://:$REDIS_PASSWORD@127.0.0.1:$REDIS_PORT/0'
export REDISTEST_PLAIN_URL='redis://127.0.0.1:$REDIS_PLAIN_PORT/0'
EOF
)
printf '%s\n' "$exports" >"$ENV_FILE"
printf '%s\n' "$exports"
log "ready; URLs in $ENV_FILE"
