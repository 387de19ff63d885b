#!/usr/bin/env bash
# The cluster test: the training job on a real standalone cluster (JobManager and four
# TaskManagers as separate processes on 127.0.0.1) survives kill -9 of a TaskManager that runs
# a ForwardStep subtask and ends with the parameters of a local run.
#
#   deploy/standalone/test-cluster.sh
#
# 1. builds job/target/bptt-job.jar; writes steps with ./bptt demo --write-steps; trains on them
#    locally (./bptt train, MiniCluster) for the expected parameters
# 2. starts a cluster: 4 TaskManagers x 1 slot (2 for the job, 2 spare), RocksDB, checkpoints.
#    Two spares, because the kill can take a second TaskManager with it: in Flink 2.2.1 a task
#    whose input channel lost the killed TaskManager may rethrow that error while its cleanup
#    recycles a buffer, which its TaskManager treats as fatal and exits (seen once in session 9,
#    taskmanager-tm-2.log: "FATAL - exception in exception handler", BufferManager.recycle), and
#    with one spare the restarted job then waited for a second slot until it failed.
# 3. submits the job at parallelism 2 with a checkpoint every 200 ms; checks that the two
#    ForwardStep subtasks (each with its end of the in-JVM parameter loop) run in different
#    TaskManager processes
# 4. once checkpoints completed, reads the job's metrics over REST and from the Prometheus
#    endpoints of the TaskManagers (each on 127.0.0.1 only) and checks them
# 5. kill -9 of the TaskManager running ForwardStep subtask 0; the job must restart on the
#    spares and finish
# 6. params-final.npz equals the local run's (max relative difference <= 1e-9); metrics.csv
#    has each version once; no dead letters
# 7. stops the cluster; no process is left
#
# Environment: KEYS (60), LENGTH (3000) steps per key, STALENESS (2), WORK (scratch folder,
# default a new /tmp/bptt-cluster-test.*, removed when every check passed, else kept for its
# logs; a WORK given is kept), COMPARE_WITH=java (skip NumPy).
# Needs java, mvn, curl and jq (jq and curl are installed with apt-get when missing).
# Last line: "N passed, M failed"; exit status 1 when a check failed.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=test-lib.sh
source "$here/test-lib.sh"
start_test bptt-cluster-test

note "cluster"
taskmanagers=4
rest_port="$(free_port 18081)"
rpc_port="$(free_port 16123)"
t0=$(now_ms)
if ! "$here/start-cluster.sh" --taskmanagers "$taskmanagers" --slots 1 --dir "$cluster" --rest-port "$rest_port" \
     --rpc-port "$rpc_port" > "$work/start.log" 2>&1; then
  cat "$work/start.log"; fail "start-cluster.sh"; summary; exit 1
fi
rest="$(cat "$cluster/rest-address")"
pass "cluster up in $(seconds_since "$t0") s ($(grep 'REST up' "$work/start.log" | sed 's/^start-cluster: //'))"

note "submit at parallelism 2"
out="$work/out-kill"
t_submit=$(now_ms)
# shellcheck disable=SC2046
answer="$("$here/submit.sh" --dir "$cluster" --params "$work/init.npz" --steps "$work/demo/steps.jsonl" \
  $(train_options) --parallelism 2 --out "$out" --checkpoint-interval-ms 200 2>&1)"
job="$(sed -n 's/^job: //p' <<<"$answer")"
[[ -n "$job" ]] || { echo "$answer"; fail "submit"; summary; exit 1; }
pass "submitted job $job in $(seconds_since "$t_submit") s"

forward="$(vertex_id "$job" ForwardStep)"
update="$(vertex_id "$job" ParameterUpdate)"
source_vertex="$(vertex_id "$job" "Source: steps")"
deadline=$(( $(date +%s) + 60 ))
until [[ "$(running_subtasks "$job" "$forward")" == 2 ]]; do
  (( $(date +%s) < deadline )) || break
  sleep 0.2
done
check "both ForwardStep subtasks running $(seconds_since "$t_submit") s after the submission" \
  test "$(running_subtasks "$job" "$forward")" == 2
mapfile -t tms < <(subtask_tms "$job" "$forward")
echo "ForwardStep subtasks run on: ${tms[*]}"
check "the two ForwardStep subtasks run in different TaskManager processes (${tms[*]})" \
  test "${#tms[@]}" -eq 2 -a "${tms[0]}" != "${tms[1]:-}"

deadline=$(( $(date +%s) + 60 ))
until [[ "$(completed_checkpoints "$job")" -ge 3 ]]; do
  (( $(date +%s) < deadline )) || break
  sleep 0.2
done
checkpoints="$(completed_checkpoints "$job")"
check "$checkpoints checkpoints completed $(seconds_since "$t_submit") s after the submission" test "$checkpoints" -ge 3

note "metrics of the running job (REST)"
# Gauges appear with the first metrics fetch (every second); wait for the loop to have made versions.
deadline=$(( $(date +%s) + 30 ))
until [[ "$(metric "$job" "$update" parameterVersion max 2>/dev/null || echo 0)" =~ ^[1-9] ]]; do
  (( $(date +%s) < deadline )) || break
  sleep 0.5
done
expected_versions="$(versions_of "$work/local/metrics.csv" | wc -l)"
check_job_metrics REST rest_metric "$job" "$forward" "$update" "$source_vertex"

note "metrics of the running job (Prometheus, every TaskManager)"
prom_snapshot="$work/prometheus-tms.txt"
cat "$cluster/prometheus-endpoints"
check "a Prometheus endpoint for the JobManager and each of the $taskmanagers TaskManagers" \
  test "$(wc -l < "$cluster/prometheus-endpoints")" -eq $(( taskmanagers + 1 ))
while read -r name url; do
  port="${url##*:}"
  port="${port%%/*}"
  check "$name serves Prometheus metrics on 127.0.0.1:$port only" listens_on_loopback_only "$port"
done < "$cluster/prometheus-endpoints"
jm_url="$(awk '$1 == "jobmanager" { print $2 }' "$cluster/prometheus-endpoints")"
registered="$(curl -sf -m 5 "$jm_url" | awk '/^flink_jobmanager_numRegisteredTaskManagers[{ ]/ { print $NF + 0 }')"
check "JobManager over Prometheus: numRegisteredTaskManagers is $taskmanagers: $registered" test "$registered" == "$taskmanagers"
check "scraped the $taskmanagers TaskManagers" prometheus_snapshot "$prom_snapshot"
grep -E "^flink_taskmanager_job_task_operator_(steps|parameterVersion|loss)\{" "$prom_snapshot" \
  | grep -F "job_id=\"$job\"" | head -n 4 | cut -c 1-400
check_job_metrics Prometheus prometheus_metric "$job" "$forward" "$update" "$source_vertex"

note "kill -9 a TaskManager with a ForwardStep subtask"
victim="${tms[0]}"
victim_pid="$(cat "$cluster/taskmanager-$victim.pid")"
progress_at_kill="$(versions_of "$out/metrics.csv" | tail -n 1)"
state_at_kill="$(job_state "$job")"
kill -9 "$victim_pid"
t_kill=$(now_ms)
echo "killed $victim (PID $victim_pid) $(seconds_since "$t_submit") s after the submission, job $state_at_kill" \
  "at version ${progress_at_kill:-0} of $expected_versions"
check "the kill came mid-run (job RUNNING, version ${progress_at_kill:-0} < $expected_versions)" \
  test "$state_at_kill" == RUNNING -a "${progress_at_kill:-0}" -lt "$expected_versions"

# Recovered: both ForwardStep subtasks running again in a later attempt, on live TaskManagers.
deadline=$(( $(date +%s) + 120 ))
recovered=""
while (( $(date +%s) < deadline )); do
  s="$(job_state "$job")"
  [[ "$s" =~ ^(FAILED|CANCELED)$ ]] && break
  attempts="$(rest_get "/jobs/$job/vertices/$forward" | jq '[.subtasks[] | select(.status == "RUNNING" or .status == "FINISHED") | .attempt] | min // 0' 2>/dev/null || echo 0)"
  done_count="$(rest_get "/jobs/$job/vertices/$forward" | jq '[.subtasks[] | select(.status == "RUNNING" or .status == "FINISHED")] | length' 2>/dev/null || echo 0)"
  if [[ "$done_count" == 2 && "$attempts" -ge 1 ]]; then recovered="$(seconds_since "$t_kill")"; break; fi
  sleep 0.2
done
check "the job recovered: ForwardStep running again ${recovered:-never} s after the kill" test -n "$recovered"
mapfile -t tms_after < <(subtask_tms "$job" "$forward")
echo "ForwardStep subtasks now on: ${tms_after[*]}"
check "no subtask on the killed TaskManager $victim any more, two processes (${tms_after[*]})" \
  test "${tms_after[0]:-}" != "$victim" -a "${tms_after[1]:-}" != "$victim" -a "${tms_after[0]:-}" != "${tms_after[1]:-}"

deadline=$(( $(date +%s) + 300 ))
until [[ "$(job_state "$job")" =~ ^(FINISHED|FAILED|CANCELED)$ ]]; do
  (( $(date +%s) < deadline )) || break
  sleep 0.5
done
final_state="$(job_state "$job")"
duration_s="$(rest_get "/jobs/$job" | jq '.duration / 1000')"
restored="$(rest_get "/jobs/$job/checkpoints" | jq -r '.latest.restored.id // "none"')"
check "the job FINISHED ($final_state) after $duration_s s, $(seconds_since "$t_kill") s after the kill; restored from checkpoint $restored" \
  test "$final_state" == FINISHED

note "results"
check_params "params-final.npz after the kill vs the local run" "$out/params-final.npz" "$work/local/params-final.npz"
check_rows "metrics.csv after the kill" "$out/metrics.csv" "$work/local/metrics.csv"
check "dead-letters.jsonl is empty" test -f "$out/dead-letters.jsonl" -a ! -s "$out/dead-letters.jsonl"

note "stop"
pids="$(cat "$cluster"/*.pid 2>/dev/null | tr '\n' ' ')"
"$here/stop-cluster.sh" --dir "$cluster" > "$work/stop.log" 2>&1
left=""
for p in $pids; do kill -0 "$p" 2>/dev/null && left+=" $p"; done
check "stop-cluster.sh left no process (${pids% })" test -z "$left"
echo "timings: local run $local_seconds s; cluster run $duration_s s (kill after $(awk -v a="$t_submit" -v b="$t_kill" 'BEGIN { printf "%.1f", (b - a) / 1000 }') s, recovered ${recovered:-?} s later)"
summary
