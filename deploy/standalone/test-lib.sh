# shellcheck shell=bash disable=SC2154
# Functions shared by test-cluster.sh and test-savepoint.sh (sourced, not run).
# Expects: $here (deploy/standalone), $root (the repository), $work (a scratch folder).

# shellcheck source=cluster-lib.sh
source "$here/cluster-lib.sh"

passed=0
failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# check "what" <command...>: passes when the command succeeds.
check() { local what="$1"; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
note() { echo "---- $*"; }
seconds_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

summary() {
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}

# jq and curl (Debian packages), installed when missing.
ensure_tools() {
  local missing=()
  command -v jq >/dev/null || missing+=(jq)
  command -v curl >/dev/null || missing+=(curl)
  if [[ ${#missing[@]} -gt 0 ]]; then
    note "installing ${missing[*]} (apt-get)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null
  fi
}

# A free TCP port on 127.0.0.1 at or above $1.
free_port() {
  local p="$1"
  while port_open "$p"; do p=$((p + 1)); done
  echo "$p"
}

# The job jar and the launcher's classes (one reactor build).
build() {
  local t0
  t0=$(now_ms)
  if ! (cd "$root" && mvn -q -B -ntp -Pcluster-jar -DskipTests package >"$work/build.log" 2>&1); then
    tail -n 30 "$work/build.log"
    fail "build (mvn -Pcluster-jar package), see $work/build.log"
    summary
    exit 1
  fi
  pass "built job/target/bptt-job.jar ($(du -k "$root/job/target/bptt-job.jar" | cut -f1) KB) in $(seconds_since "$t0") s"
}

# The options of the delayed-recall demo, as train options (TBPTT(2, 8), Adam 0.03, clip 1,
# one bucket per time step); $STALENESS must be set.
train_options() {
  echo --k1 2 --k2 8 --optimizer adam --lr 0.03 --clip-norm 1 --bucket-ms 1000 --staleness "$STALENESS"
}

# Steps ($work/demo/steps.jsonl), initial parameters ($work/init.npz) and the expected result of
# a local run ($work/local/params-final.npz): ./bptt demo --write-steps, init, train.
prepare_data() {
  local t0
  t0=$(now_ms)
  if ! "$root/bptt" demo --write-steps --keys "$KEYS" --length "$LENGTH" --staleness "$STALENESS" \
       --out "$work/demo" >"$work/demo.log" 2>&1; then
    tail -n 20 "$work/demo.log"; fail "generating steps"; summary; exit 1
  fi
  pass "steps: $KEYS keys x $LENGTH steps ($(wc -l < "$work/demo/steps.jsonl") lines) in $(seconds_since "$t0") s"
  "$root/bptt" init --cell gru --input 2 --hidden 16 --output 1 --seed 1 --out "$work/init.npz" >/dev/null
  t0=$(now_ms)
  # shellcheck disable=SC2046
  if ! "$root/bptt" train --params "$work/init.npz" --steps "$work/demo/steps.jsonl" $(train_options) \
       --parallelism 2 --out "$work/local" >"$work/local.log" 2>&1; then
    tail -n 20 "$work/local.log"; fail "local run"; summary; exit 1
  fi
  local_seconds="$(seconds_since "$t0")"
  pass "local run (MiniCluster, parallelism 2): $(tail -n 1 "$work/local.log") in $local_seconds s"
}

# Largest relative difference |a - b| / max(1, |b|) between two parameter files: NumPy when
# /usr/bin/python3 has it (and COMPARE_WITH is not "java"), else the job's Java comparator.
params_diff() {
  if [[ "${COMPARE_WITH:-}" != java ]] && /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
    /usr/bin/python3 - "$1" "$2" <<'EOF'
import sys
import numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
assert sorted(a.files) == sorted(b.files), (a.files, b.files)
print(max(float(np.max(np.abs(a[k] - b[k]) / np.maximum(1.0, np.abs(b[k])))) for k in b.files))
EOF
  else
    java -cp "$root/job/target/test-classes:$root/job/target/classes:$(cat "$root/job/target/classpath.txt")" \
      dev.bptt.job.tools.CompareParams "$1" "$2"
  fi
}

# check_params "what" ACTUAL EXPECTED: the difference is at most 1e-9 (prints it).
check_params() {
  local diff
  diff="$(params_diff "$2" "$3" 2>&1)" || { fail "$1: cannot compare: $diff"; return; }
  if awk -v d="$diff" 'BEGIN { exit !(d <= 1e-9) }'; then
    pass "$1: max relative difference $diff (<= 1e-9)"
  else
    fail "$1: max relative difference $diff (> 1e-9)"
  fi
}

# The versions column of a metrics.csv, one per line.
versions_of() { tail -n +2 "$1" | cut -d, -f1; }

# check_rows "what" ACTUAL_CSV EXPECTED_CSV: the same versions, in order, each once.
check_rows() {
  if [[ "$(versions_of "$2")" == "$(versions_of "$3")" ]]; then
    pass "$1: $(versions_of "$2" | wc -l) metrics rows, versions as in the local run, each once"
  else
    fail "$1: metrics rows differ from the local run's ($(versions_of "$2" | wc -l) vs $(versions_of "$3" | wc -l) rows)"
  fi
}

# --- REST ($rest) -----------------------------------------------------------------------
rest_get() { curl -sf -m 5 "$rest$1"; }
job_state() { rest_get "/jobs/$1" | jq -r .state 2>/dev/null || echo UNKNOWN; }

# wait_state JOB STATE TIMEOUT_S: until the job is in STATE; fails early on a terminal state.
wait_state() {
  local deadline=$(( $(date +%s) + $3 )) s
  while :; do
    s="$(job_state "$1")"
    [[ "$s" == "$2" ]] && return 0
    [[ "$s" =~ ^(FAILED|CANCELED|FINISHED)$ ]] && { echo "job $1 is $s, expected $2" >&2; return 1; }
    (( $(date +%s) < deadline )) || { echo "job $1 still $s after $3 s, expected $2" >&2; return 1; }
    sleep 0.5
  done
}

# The id of the job's vertex whose name starts with $2.
vertex_id() { rest_get "/jobs/$1" | jq -r --arg n "$2" '.vertices[] | select(.name | startswith($n)) | .id'; }

# The TaskManager id of each subtask of vertex $2 of job $1, one per line (subtask order).
subtask_tms() { rest_get "/jobs/$1/vertices/$2" | jq -r '.subtasks | sort_by(.subtask)[] | ."taskmanager-id"'; }

# Subtasks of vertex $2 in state RUNNING.
running_subtasks() { rest_get "/jobs/$1/vertices/$2" | jq '[.subtasks[] | select(.status == "RUNNING")] | length'; }

completed_checkpoints() { rest_get "/jobs/$1/checkpoints" | jq -r '.counts.completed // 0' 2>/dev/null || echo 0; }

# The id of metric $3 on vertex $2 as the subtask aggregation wants it: "<operator>.<name>"
# (the vertex lists them per subtask, "<subtask>.<operator>.<name>").
metric_id() {
  rest_get "/jobs/$1/vertices/$2/metrics" \
    | jq -r --arg m "$3" '[.[] | .id | sub("^[0-9]+\\."; "") | select(. == $m or endswith("." + $m))] | unique | .[0] // empty'
}

# metric JOB VERTEX NAME FIELD: a metric aggregated over the subtasks (FIELD: min, max, sum, avg).
metric() {
  local id
  id="$(metric_id "$1" "$2" "$3")"
  [[ -n "$id" ]] || return 1
  rest_get "/jobs/$1/vertices/$2/subtasks/metrics?get=$id&agg=$4" | jq -r --arg f "$4" '.[0][$f] // empty'
}
