#!/usr/bin/env bash
# Smoke test of the single-node broker scripts, on a fresh machine with java, mvn and apt:
# installs Debian's kcat if missing, starts a broker on a free port in a temp dir, produces
# 3 keyed messages with kcat, consumes them back (plain and as a consumer group), stops the
# broker and checks that its PID is gone. Last line: "N passed, M failed"; exits 1 on failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=test-lib.sh
source "$here/test-lib.sh"
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# --- tools --------------------------------------------------------------------------------
for tool in java mvn; do
  command -v "$tool" >/dev/null 2>&1 || { bad "$tool is installed"; finish; }
done
if ! command -v kcat >/dev/null 2>&1; then
  echo "installing kcat (apt-get)..."
  if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq kcat >/dev/null 2>&1
fi
if command -v kcat >/dev/null 2>&1; then ok "kcat is installed"; else bad "kcat is installed"; finish; fi

# --- a free port pair (client P, controller P+1) on 127.0.0.1 ----------------------------
port="$(free_port_pair)" || { bad "found a free port"; finish; }

dir="$(mktemp -d "${TMPDIR:-/tmp}/kafka-smoke.XXXXXX")"
cleanup() {
  [[ -f "$dir/broker.pid" ]] && "$here/stop-broker.sh" --dir "$dir" --timeout 10 >/dev/null 2>&1
  rm -rf "$dir"
}
trap cleanup EXIT

# --- start --------------------------------------------------------------------------------
t0=$(date +%s%N)
out="$("$here/start-broker.sh" --port "$port" --dir "$dir" 2>"$dir/start.err")"
status=$?
start_ms=$(ms_since "$t0")
if [[ $status -eq 0 && "$out" == "bootstrap: 127.0.0.1:$port" ]]; then
  ok "start-broker.sh printed '$out' (${start_ms} ms, classpath resolution included if not cached)"
else
  bad "start-broker.sh starts the broker (exit $status, output '$out')" "$(tail -n 40 "$dir/start.err")"
  finish
fi
grep -E 'classpath resolved|ready in' "$dir/start.err" | sed 's/^/       /'
bootstrap="127.0.0.1:$port"
pid="$(cat "$dir/broker.pid" 2>/dev/null)"
if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
  rss_kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")"
  ok "broker PID $pid is alive (RSS $((rss_kb / 1024)) MB)"
else
  bad "broker PID file names a live process ('$pid')"
fi

# Idempotent: a second start finds the running broker.
t0=$(date +%s%N)
out2="$("$here/start-broker.sh" --port "$port" --dir "$dir" 2>/dev/null)"
if [[ $? -eq 0 && "$out2" == "bootstrap: $bootstrap" && "$(cat "$dir/broker.pid")" == "$pid" ]]; then
  ok "second start-broker.sh reuses the running broker ($(ms_since "$t0") ms)"
else
  bad "second start-broker.sh reuses the running broker (output '$out2')"
fi

# Listens on 127.0.0.1 only, with one broker in the metadata.
meta="$(timeout 20 kcat -b "$bootstrap" -L -m 10 2>&1)"
if grep -q ' 1 brokers:' <<<"$meta" && grep -q "broker 1 at $bootstrap" <<<"$meta"; then
  ok "metadata lists broker 1 at $bootstrap"
else
  bad "metadata lists broker 1 at $bootstrap" "$meta"
fi

# --- produce and consume ------------------------------------------------------------------
expected=$'k1:one\nk2:two\nk3:three'
if perr="$(printf '%s\n' "$expected" | timeout 30 kcat -b "$bootstrap" -t smoke -K: -P -X acks=all 2>&1)"; then
  ok "produced 3 keyed messages to topic smoke"
else
  bad "produced 3 keyed messages to topic smoke" "$perr"
fi

got="$(timeout 30 kcat -b "$bootstrap" -t smoke -C -e -o beginning -q -K: -f '%k:%s\n' 2>&1)"
if [[ "$got" == "$expected" ]]; then
  ok "consumed the 3 messages back with keys, in order"
else
  bad "consumed the 3 messages back with keys, in order" "$got"
fi

# A consumer group needs __consumer_offsets, which needs replication factor 1 on one node.
got="$(timeout 60 kcat -b "$bootstrap" -G smoke-group -X auto.offset.reset=earliest -e -q \
        -K: -f '%k:%s\n' smoke 2>&1)"
if [[ "$got" == "$expected" ]]; then
  ok "a consumer group reads the 3 messages (offsets topic on one node)"
else
  bad "a consumer group reads the 3 messages (offsets topic on one node)" "$got"
fi

# --- stop ---------------------------------------------------------------------------------
t0=$(date +%s%N)
if sout="$("$here/stop-broker.sh" --dir "$dir" 2>&1)"; then
  ok "stop-broker.sh exited 0 ($(ms_since "$t0") ms)"
else
  bad "stop-broker.sh exited 0" "$sout"
fi
if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
  ok "broker PID $pid is gone"
else
  bad "broker PID $pid is gone"
fi
if [[ ! -e "$dir/broker.pid" ]]; then ok "PID file removed"; else bad "PID file removed"; fi
if ! port_open "$port"; then ok "port $port is closed"; else bad "port $port is closed"; fi

finish
