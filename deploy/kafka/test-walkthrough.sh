#!/usr/bin/env bash
# Runs the README's Kafka walkthrough ("Online learning from Kafka", step by step) as a new user
# would, and checks what each step should show. The commands are taken from the README itself,
# so the README cannot drift from what works; only the port (a free one instead of 9092), the
# broker's directory (a temp dir) and the paths of ./bptt and deploy/ are substituted, and the
# training runs in the background and is stopped with SIGTERM (what Ctrl-C does in a terminal).
# Installs kcat and python3-numpy with apt-get if missing. Last line: "N passed, M failed".
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=test-lib.sh
source "$root/deploy/kafka/test-lib.sh"

# --- tools ---------------------------------------------------------------------------------
need=()
command -v kcat >/dev/null 2>&1 || need+=(kcat)
python3 -c 'import numpy' >/dev/null 2>&1 || need+=(python3-numpy)
if [[ ${#need[@]} -gt 0 ]]; then
  echo "installing ${need[*]} (apt-get)..."
  if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null 2>&1
fi
command -v kcat >/dev/null 2>&1 && python3 -c 'import numpy' >/dev/null 2>&1 \
  && ok "kcat and numpy are installed" || { bad "kcat and numpy are installed"; finish; }

# --- the walkthrough's commands, from the README -------------------------------------------
port="$(free_port_pair)" || { bad "found a free port"; finish; }

work="$(mktemp -d "${TMPDIR:-/tmp}/bptt-walkthrough.XXXXXX")"
train_pid=""
cleanup() {
  [[ -n "$train_pid" ]] && kill -KILL -- "-$train_pid" 2>/dev/null
  [[ -f "$work/broker/broker.pid" ]] && "$root/deploy/kafka/stop-broker.sh" --dir "$work/broker" --timeout 10 >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

# Splits the README's walkthrough block at its "# N." comments into step-N.sh, with the
# substitutions above.
python3 - "$root/README.md" "$work" "$port" "$root" <<'EOF' || { bad "the README has the walkthrough"; finish; }
import re, sys
readme, work, port, root = sys.argv[1:]
text = open(readme).read()
start = text.index('Step by step, on a fresh clone')
block = text[text.index('```bash\n', start) + 8:]
block = block[:block.index('```')]
steps = re.split(r'^# (\d)\. .*$', block, flags=re.M)
for number, body in zip(steps[1::2], steps[2::2]):
    body = body.replace('127.0.0.1:9092', '127.0.0.1:' + port)
    body = body.replace('start-broker.sh --port 9092', 'start-broker.sh --port ' + port + ' --dir ' + work + '/broker')
    body = body.replace('stop-broker.sh', 'stop-broker.sh --dir ' + work + '/broker')
    body = body.replace('deploy/kafka/', root + '/deploy/kafka/').replace('./bptt ', root + '/bptt ')
    open(f'{work}/step-{number}.sh', 'w').write('set -euo pipefail\n' + body)
EOF
cd "$work" || finish

# 1 and 2: the broker, a model, the steps produced with kcat
if out=$(bash step-1.sh 2>&1) && grep -q "^bootstrap: 127.0.0.1:$port$" <<<"$out"; then
  ok "step 1 starts the broker and prints its bootstrap address"
else
  bad "step 1 starts the broker" "$out"; finish
fi
if out=$(bash step-2.sh 2>&1) && [[ -f params.npz && $(wc -l <steps.kv) -eq 1201 ]]; then
  ok "step 2 writes params.npz and produces 1,201 step records"
else
  bad "step 2 writes a model and produces the steps" "$out"; finish
fi
produced=$(kcat -b "127.0.0.1:$port" -t steps -C -e -q -f '%o\n' | wc -l)
[[ $produced -eq 1201 ]] && ok "the steps topic holds the 1,201 records" || bad "the steps topic holds 1,201 records (has $produced)"

# 3: train, in its own process group, until SIGTERM
setsid bash step-3.sh >train.out 2>train.err &
train_pid=$!
versions() { kcat -b "127.0.0.1:$port" -t params -C -e -q -X isolation.level=read_committed -f '%o\n' 2>/dev/null | wc -l; }
deadline=$((SECONDS + 180))
while [[ $(versions) -lt 29 && $SECONDS -lt $deadline ]] && kill -0 "$train_pid" 2>/dev/null; do sleep 2; done
n=$(versions)
[[ $n -eq 29 ]] && ok "step 3 trains: 29 versions on the params topic (buckets 0..28; 29 is still open)" \
  || bad "step 3 publishes 29 versions (has $n)" "$(tail -n 20 train.out train.err)"
cat train.out train.err >train.log
grep -q "^created topics dead-letters, params, predictions$" train.log && grep -q "until stopped (Ctrl-C)" train.log \
  && ok "step 3 says which topics it created and that it runs until stopped" \
  || bad "step 3's first lines" "$(head -n 5 train.log)"

# 4: read the model, predictions and dead letters back
if out=$(bash step-4.sh 2>&1); then ok "step 4 runs"; else bad "step 4 runs" "$out"; fi
# offsets depend on where the transactions' commit markers fell: match the headers only
grep -q "^[0-9]* version=29,bucket_end=1700000028999,loss_mean=" <<<"$out" \
  && ok "the newest version is 29, for the bucket ending at 1700000028999" || bad "the newest version's headers" "$out"
grep -q "{'weight_ih_l0': (24, 1), 'weight_hh_l0': (24, 8), 'bias_ih_l0': (24,), 'bias_hh_l0': (24,), 'readout.weight': (1, 8), 'readout.bias': (1,)}" <<<"$out" \
  && ok "model.npz loads with NumPy with the GRU's arrays" || bad "model.npz loads with NumPy" "$out"
[[ $(grep -c '^{"key":"s[0-3]","step":0,"time":17000000000[0-3][0-9],"prediction":\[' <<<"$out") -eq 2 ]] \
  && ok "predictions are JSON, one per step" || bad "two predictions" "$out"
grep -q '^{"reason":"malformed_json: .*"topic":"steps","partition":0,"offset":1200}$' <<<"$out" \
  && ok "the broken record is a dead letter with its reason and offset" || bad "the dead letter" "$out"

# 5: stop: SIGTERM to the training JVM (what Ctrl-C does in a terminal), then the broker
kill -TERM $(pgrep -g "$train_pid" -f 'dev.bptt.cli.Main train') 2>/dev/null
status=""
for _ in $(seq 60); do kill -0 "$train_pid" 2>/dev/null || break; sleep 1; done
if ! kill -0 "$train_pid" 2>/dev/null; then wait "$train_pid"; status=$?; fi
[[ "$status" == "0" ]] && cat train.out train.err | grep -q "^stopped after" \
  && ok "step 5: train stops on SIGTERM with status 0" \
  || bad "train stops on SIGTERM with status 0 (status '$status')" "$(tail -n 5 train.out train.err)"
# ./bptt's stderr filter (a process substitution) ends just after the JVM: give it a moment
for _ in $(seq 20); do [[ -z "$(pgrep -g "$train_pid" 2>/dev/null)" ]] && break; sleep 0.5; done
left="$(pgrep -g "$train_pid" -a 2>/dev/null)"
[[ -z "$left" ]] && ok "no training process is left" || bad "no training process is left" "$left"
train_pid=""
if out=$(bash step-5.sh 2>&1) && [[ ! -f "$work/broker/broker.pid" ]] && ! port_open "$port"; then
  ok "step 5 stops the broker: PID file and port gone"
else
  bad "step 5 stops the broker" "$out"
fi
finish
