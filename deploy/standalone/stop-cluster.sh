#!/usr/bin/env bash
# Stops the cluster that deploy/standalone/start-cluster.sh started from DIR, by its PIDs.
#
#   deploy/standalone/stop-cluster.sh [--dir DIR] [--timeout SECONDS]
#
#   --dir DIR          as given to start-cluster.sh, default deploy/standalone/run
#   --timeout SECONDS  how long to wait after TERM before KILL, default 20
#
# Sends TERM to every TaskManager and the JobManager whose PID file is in DIR (only if that
# PID still runs with DIR's config), waits, sends KILL to what is left after the timeout, and
# removes the PID files. Exits 0 when nothing runs from DIR afterwards (also when nothing was
# running). Logs, checkpoints and savepoints stay in DIR.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$here/run"
timeout=20

need() { [[ $# -ge 2 && -n "$2" ]] || { echo "stop-cluster: $1 needs a value" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) need "$@"; dir="$2"; shift 2 ;;
    --timeout) need "$@"; timeout="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "stop-cluster: unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ "$timeout" =~ ^[0-9]+$ ]] || { echo "stop-cluster: bad --timeout: $timeout" >&2; exit 2; }
if [[ ! -d "$dir" ]]; then
  echo "stop-cluster: no directory $dir, nothing to stop"
  exit 0
fi
dir="$(cd "$dir" && pwd)"
conf="$dir/conf"
# shellcheck source=cluster-lib.sh
source "$here/cluster-lib.sh"

# TaskManagers first, then the JobManager.
pids=()
names=()
for pid_file in "$dir"/taskmanager-*.pid "$dir"/jobmanager.pid; do
  [[ -f "$pid_file" ]] || continue
  pid="$(cat "$pid_file" 2>/dev/null || true)"
  name="$(basename "$pid_file" .pid)"
  if is_cluster_pid "$pid" "$conf"; then
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
    names+=("$name")
  else
    rm -f "$pid_file"
  fi
done
if [[ ${#pids[@]} -eq 0 ]]; then
  echo "stop-cluster: nothing running from $dir"
  exit 0
fi

deadline=$(( $(date +%s) + timeout ))
alive() { local p; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
while alive && (( $(date +%s) < deadline )); do sleep 0.2; done
for i in "${!pids[@]}"; do
  if kill -0 "${pids[$i]}" 2>/dev/null; then
    echo "stop-cluster: ${names[$i]} (PID ${pids[$i]}) still running after ${timeout} s, sending KILL" >&2
    kill -KILL "${pids[$i]}" 2>/dev/null || true
  fi
done
for _ in $(seq 50); do alive || break; sleep 0.1; done
if alive; then
  echo "stop-cluster: some processes did not exit: ${pids[*]}" >&2
  exit 1
fi
for name in "${names[@]}"; do rm -f "$dir/$name.pid"; done
rm -f "$dir/rest-address"
echo "stop-cluster: stopped ${names[*]} (PIDs ${pids[*]})"
