#!/usr/bin/env bash
# Stops the broker that deploy/kafka/start-broker.sh started from DIR, by its PID.
#
#   deploy/kafka/stop-broker.sh [--dir DIR] [--timeout SECONDS]
#
#   --dir DIR          as given to start-broker.sh, default deploy/kafka/run
#   --timeout SECONDS  how long to wait after TERM before KILL, default 30
#
# Sends TERM (the broker shuts down cleanly), waits, sends KILL after the timeout, and
# removes DIR/broker.pid. Exits 0 when no broker runs from DIR afterwards (also when none
# was running). Data and logs stay in DIR.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$here/run"
timeout=30

while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --dir=*) dir="${1#*=}"; shift ;;
    --timeout) timeout="$2"; shift 2 ;;
    --timeout=*) timeout="${1#*=}"; shift ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "stop-broker: unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ "$timeout" =~ ^[0-9]+$ ]] || { echo "stop-broker: bad --timeout: $timeout" >&2; exit 2; }

if [[ ! -d "$dir" ]]; then
  echo "stop-broker: no directory $dir, nothing to stop"
  exit 0
fi
dir="$(cd "$dir" && pwd)"
pid_file="$dir/broker.pid"
if [[ ! -f "$pid_file" ]]; then
  echo "stop-broker: no PID file in $dir, nothing to stop"
  exit 0
fi
pid="$(cat "$pid_file" 2>/dev/null || true)"

# Only signal a live process that really is the broker of DIR (PIDs get reused).
is_broker_pid() {
  [[ "$1" =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null \
    && grep -qF " kafka.Kafka $dir/server.properties" < <(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null)
}

if ! is_broker_pid "$pid"; then
  echo "stop-broker: PID $pid is not running (stale PID file removed)"
  rm -f "$pid_file"
  exit 0
fi

kill -TERM "$pid" 2>/dev/null || true
deadline=$(( $(date +%s) + timeout ))
while kill -0 "$pid" 2>/dev/null && (( $(date +%s) < deadline )); do
  sleep 0.2
done
if kill -0 "$pid" 2>/dev/null; then
  echo "stop-broker: PID $pid still running after ${timeout} s, sending KILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
fi
if kill -0 "$pid" 2>/dev/null; then
  echo "stop-broker: PID $pid did not exit" >&2
  exit 1
fi
rm -f "$pid_file"
echo "stop-broker: stopped PID $pid"
