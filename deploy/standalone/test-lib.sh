# shellcheck shell=bash disable=SC2154
# Functions shared by test-cluster.sh and test-savepoint.sh (sourced, not run).
# Expects: $here (deploy/standalone) and $root (the repository); start_test sets the rest.

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

# The last line: "N passed, M failed". A scratch folder of our own ($WORK not given) is removed
# when every check passed (70-100 MB: the cluster's logs, checkpoints and state), else kept.
summary() {
  if [[ $failed -eq 0 && -n "${own_work:-}" ]]; then
    rm -rf "$work" && echo "work folder removed: $work"
  elif [[ -n "${work:-}" ]]; then
    echo "work folder kept: $work"
  fi
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

# --- Prometheus (the reporter of every process; start-cluster.sh wrote $cluster/prometheus-endpoints)

# prometheus_snapshot FILE: the metrics of every TaskManager, scraped once into FILE; fails when
# an endpoint does not answer.
prometheus_snapshot() {
  local name url
  : > "$1"
  while read -r name url; do
    [[ "$name" == jobmanager ]] && continue
    curl -sf -m 5 "$url" >> "$1" || { echo "no answer from $name at $url" >&2; return 1; }
  done < "$cluster/prometheus-endpoints"
}

# prometheus_metric JOB VERTEX NAME FIELD: operator metric NAME of the job's vertex (labels job_id,
# task_id) aggregated over its subtasks in the snapshot $prom_snapshot (FIELD: min, max, sum);
# empty when no subtask has it.
prometheus_metric() {
  awk -v name="flink_taskmanager_job_task_operator_$3{" -v job="job_id=\"$1\"" -v vertex="task_id=\"$2\"" -v f="$4" '
    index($0, name) == 1 && index($0, job) && index($0, vertex) {
      v = $NF + 0
      if (n == 0 || v < min) min = v
      if (n == 0 || v > max) max = v
      sum += v; n++
    }
    END {
      if (n == 0) exit
      if (f == "min") printf "%.15g\n", min
      else if (f == "max") printf "%.15g\n", max
      else printf "%.15g\n", sum
    }' "$prom_snapshot"
}

# rest_metric JOB VERTEX NAME FIELD: the same over REST (see metric).
rest_metric() { metric "$@"; }

# listens_on_loopback_only PORT: every listening socket on PORT is bound to 127.0.0.1 (Java's
# dual-stack sockets show as [::ffff:127.0.0.1]), and the machine's other addresses refuse
# connections to it.
listens_on_loopback_only() {
  local bound a
  bound="$(ss -Hltn "sport = :$1" | awk '{ print $4 }')"
  if [[ -z "$bound" ]] || grep -qvE "^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):$1\$" <<<"$bound"; then
    echo "port $1 bound to: ${bound:-nothing}" >&2
    return 1
  fi
  for a in $(hostname -I 2>/dev/null); do
    [[ "$a" == 127.* || "$a" == *:* ]] && continue
    if (exec 3<>"/dev/tcp/$a/$1") 2>/dev/null; then echo "port $1 answers on $a" >&2; return 1; fi
  done
}

# --- the job's metrics ------------------------------------------------------------------

# check_job_metrics VIA GETTER JOB FORWARD UPDATE SOURCE: reads the job's metrics with
# "GETTER JOB VERTEX NAME FIELD" (rest_metric or prometheus_metric) from the vertices ForwardStep,
# ParameterUpdate and the steps source, and checks that each is there with a sensible value for a
# running job of $KEYS x $LENGTH steps at $STALENESS ($work/local/metrics.csv: the versions).
check_job_metrics() {
  local via="$1" getter="$2" job="$3" forward="$4" update="$5" source_vertex="$6"
  local total_steps=$(( KEYS * LENGTH )) expected_versions
  expected_versions="$(versions_of "$work/local/metrics.csv" | wc -l)"
  get() { "$getter" "$job" "$1" "$2" "$3" 2>/dev/null || true; }
  local steps_sum windows_sum fwd_version_min upd_version loss grad_norm stale_max waiting_sum dead_forward dead_parse
  steps_sum="$(get "$forward" steps sum)"
  windows_sum="$(get "$forward" windows sum)"
  fwd_version_min="$(get "$forward" parameterVersion min)"
  upd_version="$(get "$update" parameterVersion max)"
  loss="$(get "$update" loss max)"
  grad_norm="$(get "$update" gradientNorm max)"
  stale_max="$(get "$update" staleness max)"
  waiting_sum="$(get "$forward" stepsWaitingForParameters sum)"
  dead_forward="$(get "$forward" deadLetters sum)"
  dead_parse="$(get "$source_vertex" deadLetters sum)"
  echo "$via: steps $steps_sum, windows $windows_sum, versions: forward >= $fwd_version_min, update $upd_version," \
    "loss $loss, gradientNorm $grad_norm, staleness $stale_max, waiting $waiting_sum, dead letters $dead_forward + $dead_parse"
  check "$via: metric steps (ForwardStep) in 1..$total_steps: $steps_sum" within "$steps_sum" 1 "$total_steps"
  check "$via: metric windows (TbpttBackward) in 1..steps: $windows_sum" within "$windows_sum" 1 "${steps_sum:-0}"
  check "$via: metric parameterVersion (ParameterUpdate) in 1..$expected_versions: $upd_version" \
    within "$upd_version" 1 "$expected_versions"
  # Not against ParameterUpdate's reading: the JobManager serves each TaskManager's metrics from its
  # own fetch, so two vertices' values can be from moments apart (a forward subtask once showed
  # version 236 beside an update count of 235 fetched earlier).
  check "$via: metric parameterVersion (ForwardStep, every subtask) in 0..$expected_versions: $fwd_version_min" \
    within "$fwd_version_min" 0 "$expected_versions"
  check "$via: metric loss (ParameterUpdate) in (0, 5): $loss" within "$loss" 1e-12 5
  check "$via: metric gradientNorm (ParameterUpdate) >= 0 and finite: $grad_norm" within "$grad_norm" 0 1e12
  check "$via: metric staleness (ParameterUpdate) in 0..$((STALENESS + 1)): $stale_max" within "$stale_max" 0 $((STALENESS + 1))
  # Read-ahead is bounded (ForwardStep.LOOKAHEAD_BUCKETS = 8 beyond the staleness, one bucket per step).
  local max_waiting=$(( KEYS * (STALENESS + 8 + 3) ))
  check "$via: metric stepsWaitingForParameters in 0..$max_waiting (bounded read-ahead): $waiting_sum" \
    within "$waiting_sum" 0 "$max_waiting"
  check "$via: metric deadLetters (ForwardStep + ParseSteps) is 0: $dead_forward + $dead_parse" \
    within "$(awk -v a="$dead_forward" -v b="$dead_parse" 'BEGIN { if (a == "" || b == "") print ""; else print a + b }')" 0 0
}

# within V LO HI: V is a number in [LO, HI].
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v == v + 0 && v >= lo && v <= hi) }'; }

# The common start of a cluster test: KEYS, LENGTH and STALENESS defaults, the work folder
# ($WORK, or a new /tmp/$1.* that summary removes when all passed) and $cluster in it, the
# tools, the cluster's stop on exit, the build and the local run to compare with.
start_test() {
  KEYS="${KEYS:-60}"
  LENGTH="${LENGTH:-3000}"
  STALENESS="${STALENESS:-2}"
  own_work=""
  [[ -n "${WORK:-}" ]] || own_work=1
  work="${WORK:-$(mktemp -d "/tmp/$1.XXXXXX")}"
  mkdir -p "$work"
  work="$(cd "$work" && pwd)"
  cluster="$work/cluster"
  ensure_tools
  echo "work folder: $work"
  trap '"$here/stop-cluster.sh" --dir "$cluster" >/dev/null 2>&1 || true' EXIT
  note "build and data"
  build
  prepare_data
}
