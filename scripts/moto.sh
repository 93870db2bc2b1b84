#!/usr/bin/env bash
# Start, stop and reset a local moto server (AWS emulator) for the e2e test and the bench.
#
#   scripts/moto.sh start | stop | restart | reset | status | logs | env
#
# It downloads nothing. It expects moto and botocore checked out beforehand (see the moto
# set-up notes, shared/moto/README.md):
#   ~/moto      getmoto/moto at tag 5.2.2
#   ~/botocore  boto/botocore at tag 1.43.24 (put ahead of Debian's python3-botocore: the
#               CloudWatch JSON protocol SDK v3 speaks is missing from Debian's botocore)
# and Debian's /usr/bin/python3 with the python3-* packages the notes list.
#
# Settings (environment): MOTO_DIR, BOTOCORE_DIR, MOTO_PORT (5055), MOTO_PID_FILE
# (/tmp/moto.pid), MOTO_LOG (/tmp/moto.log), MOTO_PYTHON (/usr/bin/python3).
# The server listens on 127.0.0.1 only.
set -euo pipefail

MOTO_DIR=${MOTO_DIR:-$HOME/moto}
BOTOCORE_DIR=${BOTOCORE_DIR:-$HOME/botocore}
PORT=${MOTO_PORT:-5055}
HOST=127.0.0.1
PID_FILE=${MOTO_PID_FILE:-/tmp/moto.pid}
LOG=${MOTO_LOG:-/tmp/moto.log}
PYTHON=${MOTO_PYTHON:-/usr/bin/python3}
MOTO_TAG=5.2.2
BOTOCORE_TAG=1.43.24
URL="http://$HOST:$PORT"

die() { echo "moto.sh: $*" >&2; exit 1; }
note() { echo "moto.sh: $*" >&2; }

usage() {
  sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

# The PID in the pid file when that process is alive and is a moto server, else nothing.
running_pid() {
  [ -f "$PID_FILE" ] || return 0
  local pid
  pid=$(cat "$PID_FILE" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'moto.server'; then
    echo "$pid"
  fi
}

healthy() { curl -s -o /dev/null --max-time 2 "$URL/moto-api/" 2>/dev/null; }

check_checkout() {
  local dir=$1 tag=$2 repo=$3 probe=$4 missing=0
  if [ ! -e "$dir/$probe" ]; then
    cat >&2 <<EOF
moto.sh: $repo is not checked out at $dir (no $dir/$probe).
  This script downloads nothing. Check out $repo at tag $tag into $dir first, as the
  moto set-up notes (shared/moto/README.md) describe, e.g. from a local git copy:
    git clone <local copy of $repo> $dir && git -C $dir checkout $tag
  or point ${5} at an existing checkout.
EOF
    missing=1
  else
    local at
    at=$(git -C "$dir" describe --tags --exact-match 2>/dev/null || echo "an untagged commit")
    [ "$at" = "$tag" ] || note "warning: $dir is at $at, not $tag (the version known to work with the SDK v3 here)."
  fi
  return $missing
}

preflight() {
  command -v curl >/dev/null || die "curl is needed (apt-get install -y curl)."
  [ -x "$PYTHON" ] || die "$PYTHON not found: install Debian's python3 (apt-get install -y python3), or set MOTO_PYTHON."
  local ok=0
  check_checkout "$MOTO_DIR" "$MOTO_TAG" getmoto/moto moto/server.py MOTO_DIR || ok=1
  check_checkout "$BOTOCORE_DIR" "$BOTOCORE_TAG" boto/botocore botocore/__init__.py BOTOCORE_DIR || ok=1
  [ "$ok" = 0 ] || exit 1
  local err
  if ! err=$(PYTHONPATH="$MOTO_DIR:$BOTOCORE_DIR" "$PYTHON" -c 'import moto.server, botocore' 2>&1); then
    cat >&2 <<EOF
moto.sh: moto cannot be imported with $PYTHON:
$(echo "$err" | tail -n 3 | sed 's/^/  /')
  Install its dependencies from Debian (see the moto set-up notes):
    apt-get install -y python3-boto3 python3-botocore python3-werkzeug python3-flask python3-flask-cors \\
      python3-xmltodict python3-responses python3-jinja2 python3-cryptography python3-dateutil python3-yaml python3-requests
EOF
    exit 1
  fi
}

start() {
  local pid
  pid=$(running_pid)
  if [ -n "$pid" ]; then
    echo "moto is already running (PID $pid) at $URL"
    return 0
  fi
  if healthy; then
    die "something already answers at $URL but $PID_FILE does not name it: stop it by its own PID, or set MOTO_PORT."
  fi
  preflight
  rm -f "$PID_FILE"
  # setsid: its own session, so it outlives this shell and a Ctrl+C in it.
  PYTHONPATH="$MOTO_DIR:$BOTOCORE_DIR" setsid nohup "$PYTHON" -m moto.server -H "$HOST" -p "$PORT" >"$LOG" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  for _ in $(seq 1 50); do
    if healthy; then
      echo "moto started (PID $pid) at $URL; log $LOG"
      echo "  export AWS_ENDPOINT_URL=$URL AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  note "moto did not come up at $URL; last lines of $LOG:"
  tail -n 20 "$LOG" >&2 || true
  if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  rm -f "$PID_FILE"
  exit 1
}

stop() {
  local pid
  pid=$(running_pid)
  if [ -z "$pid" ]; then
    rm -f "$PID_FILE"
    echo "moto is not running (no live moto process in $PID_FILE)"
    return 0
  fi
  kill "$pid"
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    note "PID $pid did not stop after 10s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  echo "moto stopped (PID $pid)"
}

reset() {
  local body
  body=$(curl -s --max-time 5 -X POST "$URL/moto-api/reset" -d '') || die "moto does not answer at $URL: scripts/moto.sh start"
  echo "moto reset: $body"
}

status() {
  local pid
  pid=$(running_pid)
  if [ -n "$pid" ] && healthy; then
    echo "moto running (PID $pid) at $URL; log $LOG"
  elif [ -n "$pid" ]; then
    echo "moto process $pid is alive but $URL does not answer (starting, or stuck: see $LOG)"
    exit 1
  elif healthy; then
    echo "a server answers at $URL but it was not started by this script ($PID_FILE names no moto process)"
  else
    echo "moto is not running"
    exit 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  reset) reset ;;
  status) status ;;
  logs) tail -n "${2:-50}" "$LOG" ;;
  env) echo "export AWS_ENDPOINT_URL=$URL AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test" ;;
  -h|--help|help) usage 0 ;;
  *) usage 2 ;;
esac
