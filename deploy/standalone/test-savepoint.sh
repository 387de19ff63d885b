#!/usr/bin/env bash
# The savepoint test: a training run on a standalone cluster, stopped with a savepoint in the
# middle and resumed from it (once at the same parallelism, once at another), ends with the
# parameters of an uninterrupted local run.
#
#   deploy/standalone/test-savepoint.sh
#
# 1. builds the job jar, writes steps, trains locally for the expected parameters (as
#    test-cluster.sh)
# 2. starts a cluster: 3 TaskManagers x 1 slot
# 3. submits at parallelism 2; once a quarter of the versions are made, stops the job with a
#    savepoint (POST /jobs/<id>/stop, drain false); the run folder then holds part of the run
# 4. copies the run folder; resumes from the savepoint at parallelism 2 into the folder and at
#    parallelism 3 into the copy (POST /jars/<id>/run with savepointPath)
# 5. both: params-final.npz equals the local run's (max relative difference <= 1e-9) and
#    metrics.csv has every version once; stops the cluster
#
# Environment: KEYS (60), LENGTH (3000), STALENESS (2), WORK, COMPARE_WITH=java, as for
# test-cluster.sh. Last line: "N passed, M failed"; exit status 1 when a check failed.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=test-lib.sh
source "$here/test-lib.sh"
start_test bptt-savepoint-test
expected_versions="$(versions_of "$work/local/metrics.csv" | wc -l)"

note "cluster"
t0=$(now_ms)
if ! "$here/start-cluster.sh" --taskmanagers 3 --slots 1 --dir "$cluster" --rest-port "$(free_port 18081)" \
     --rpc-port "$(free_port 16123)" > "$work/start.log" 2>&1; then
  cat "$work/start.log"; fail "start-cluster.sh"; summary; exit 1
fi
rest="$(cat "$cluster/rest-address")"
pass "cluster up in $(seconds_since "$t0") s"

# submit_job OUT PARALLELISM [SAVEPOINT]: prints the job id.
submit_job() {
  local from=()
  [[ -n "${3:-}" ]] && from=(--from-savepoint "$3")
  # shellcheck disable=SC2046
  "$here/submit.sh" --dir "$cluster" "${from[@]}" --params "$work/init.npz" --steps "$work/demo/steps.jsonl" \
    $(train_options) --parallelism "$2" --out "$1" 2>&1 | sed -n 's/^job: //p'
}

# finish JOB WHAT: waits until the job ends and checks it FINISHED.
finish() {
  local deadline=$(( $(date +%s) + 300 ))
  until [[ "$(job_state "$1")" =~ ^(FINISHED|FAILED|CANCELED)$ ]]; do
    (( $(date +%s) < deadline )) || break
    sleep 0.5
  done
  check "$2: FINISHED after $(rest_get "/jobs/$1" | jq '.duration / 1000') s" test "$(job_state "$1")" == FINISHED
}

note "run at parallelism 2, stop with a savepoint mid-run"
out="$work/out-p2"
t_submit=$(now_ms)
job="$(submit_job "$out" 2)"
[[ -n "$job" ]] || { fail "submit"; summary; exit 1; }
pass "submitted job $job"
quarter=$(( expected_versions / 4 ))
deadline=$(( $(date +%s) + 120 ))
until [[ "$(versions_of "$out/metrics.csv" 2>/dev/null | tail -n 1)" -ge "$quarter" ]]; do
  (( $(date +%s) < deadline )) || break
  sleep 0.2
done
t_stop=$(now_ms)
trigger="$(curl -sf -m 10 -X POST -H 'Content-Type: application/json' \
  -d "{\"drain\": false, \"targetDirectory\": \"file://$cluster/savepoints\"}" "$rest/jobs/$job/stop" | jq -r '."request-id"')"
savepoint=""
deadline=$(( $(date +%s) + 120 ))
while (( $(date +%s) < deadline )); do
  answer="$(rest_get "/jobs/$job/savepoints/$trigger")"
  status="$(jq -r '.status.id' <<<"$answer")"
  if [[ "$status" == COMPLETED ]]; then
    savepoint="$(jq -r '.operation.location // empty' <<<"$answer")"
    [[ -n "$savepoint" ]] || echo "savepoint failed: $(jq -c '.operation."failure-cause".["stack-trace"] // .operation' <<<"$answer" | head -c 600)"
    break
  fi
  sleep 0.2
done
check "stop with savepoint $(seconds_since "$t_submit") s after the submission, savepoint in $(seconds_since "$t_stop") s: ${savepoint:-none}" \
  test -n "$savepoint"
finish "$job" "the stopped job"
stopped_at="$(versions_of "$out/metrics.csv" | tail -n 1)"
check "stopped mid-run: version $stopped_at of $expected_versions" test "$stopped_at" -lt "$expected_versions"
cp -r "$out" "$work/out-p3"

for p in 2 3; do
  note "resume from the savepoint at parallelism $p"
  job="$(submit_job "$work/out-p$p" "$p" "$savepoint")"
  [[ -n "$job" ]] || { fail "resubmit at parallelism $p"; continue; }
  forward="$(vertex_id "$job" ForwardStep)"
  check "job $job runs ForwardStep at parallelism $p" \
    test "$(rest_get "/jobs/$job/vertices/$forward" | jq .parallelism)" == "$p"
  finish "$job" "the resumed job (parallelism $p)"
  restored="$(rest_get "/jobs/$job/checkpoints" | jq -r '.latest.restored | "\(.is_savepoint) \(.external_path)"')"
  check "restored from the savepoint ($restored)" test "$restored" == "true $savepoint"
  check_params "params-final.npz after the savepoint, resumed at parallelism $p, vs the local run" \
    "$work/out-p$p/params-final.npz" "$work/local/params-final.npz"
  check_rows "metrics.csv resumed at parallelism $p" "$work/out-p$p/metrics.csv" "$work/local/metrics.csv"
done

note "stop"
"$here/stop-cluster.sh" --dir "$cluster" > "$work/stop.log" 2>&1
check "stop-cluster.sh: $(tail -n 1 "$work/stop.log")" test -z "$(ls "$cluster"/*.pid 2>/dev/null)"
summary
