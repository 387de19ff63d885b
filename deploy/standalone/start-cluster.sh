#!/usr/bin/env bash
# Starts a Flink 2.2.1 session cluster on 127.0.0.1 from the Maven Central jars listed by
# deploy/standalone/pom.xml: one JobManager and N TaskManagers, each its own `java` process.
# No Flink tarball, no Docker.
#
#   deploy/standalone/start-cluster.sh [--taskmanagers N] [--slots S] [--dir DIR]
#        [--rest-port P] [--rpc-port R] [--state-backend rocksdb|hashmap]
#        [--tm-memory SIZE] [--prometheus PORTS|off]
#
#   --taskmanagers N   TaskManager processes, default 2
#   --slots S          slots per TaskManager, default 2
#   --dir DIR          config, logs, PID files, checkpoints, savepoints; default deploy/standalone/run
#   --rest-port P      REST API and web UI on 127.0.0.1, default 8081
#   --rpc-port R       JobManager RPC port on 127.0.0.1, default 6123
#   --state-backend B  rocksdb (default) or hashmap; checkpoints under DIR/checkpoints
#   --tm-memory SIZE   taskmanager.memory.process.size, default 1280m (1024m leaves 26 MB task heap)
#   --prometheus PORTS every process serves its metrics for Prometheus on the first free port
#                      of this range on 127.0.0.1, default 9250-9260; "off" for none
#
# Resolves the classpath once (cached in deploy/standalone/target/classpath.txt), writes
# DIR/conf/config.yaml and DIR/conf/log4j2.properties, computes each process's JVM memory flags
# with BashJavaUtils (as Flink's own scripts do), starts the JobManager
# (StandaloneSessionClusterEntrypoint) and the TaskManagers (TaskManagerRunner, resource ids
# tm-1 .. tm-N) with nohup, writes DIR/jobmanager.pid and DIR/taskmanager-<i>.pid, waits until
# REST answers and N TaskManagers are registered, writes DIR/prometheus-endpoints ("<process>
# <url>" per line), prints "rest: http://127.0.0.1:P" and exits 0. The Prometheus reporter is
# dev.bptt.connectors.metrics.BindHostPrometheusReporterFactory from the connectors module's
# prometheus-reporter jar (built with the job jar when missing or stale), on the processes'
# classpath next to flink-metrics-prometheus.
# Exits 1 with the log tail (and stops what it started) if that takes longer than
# FLINK_READY_TIMEOUT seconds (default 90). Exits 1 if a cluster already runs from DIR.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
taskmanagers=2
slots=2
dir="$here/run"
rest_port=8081
rpc_port=6123
backend=rocksdb
tm_memory=1280m
prometheus=9250-9260

usage() { sed -n '2,31p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
need() { [[ $# -ge 2 && -n "$2" ]] || { echo "start-cluster: $1 needs a value" >&2; exit 2; }; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --taskmanagers) need "$@"; taskmanagers="$2"; shift 2 ;;
    --slots) need "$@"; slots="$2"; shift 2 ;;
    --dir) need "$@"; dir="$2"; shift 2 ;;
    --rest-port) need "$@"; rest_port="$2"; shift 2 ;;
    --rpc-port) need "$@"; rpc_port="$2"; shift 2 ;;
    --state-backend) need "$@"; backend="$2"; shift 2 ;;
    --tm-memory) need "$@"; tm_memory="$2"; shift 2 ;;
    --prometheus) need "$@"; prometheus="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "start-cluster: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for v in taskmanagers slots rest_port rpc_port; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "start-cluster: --${v//_/-} must be a positive number, got ${!v}" >&2; exit 2; }
done
[[ "$backend" == rocksdb || "$backend" == hashmap ]] \
  || { echo "start-cluster: --state-backend must be rocksdb or hashmap, got $backend" >&2; exit 2; }
[[ "$prometheus" == off ]] && prometheus=""
[[ -z "$prometheus" || "$prometheus" =~ ^[0-9]+(-[0-9]+)?$ ]] \
  || { echo "start-cluster: --prometheus must be a port, a range like 9250-9260 or off, got $prometheus" >&2; exit 2; }

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
conf="$dir/conf"
logs="$dir/logs"
timeout="${FLINK_READY_TIMEOUT:-90}"
rest="http://127.0.0.1:$rest_port"

# shellcheck source=cluster-lib.sh
source "$here/cluster-lib.sh"

# --- already running? -------------------------------------------------------------------
for pid_file in "$dir"/jobmanager.pid "$dir"/taskmanager-*.pid; do
  [[ -f "$pid_file" ]] || continue
  if is_cluster_pid "$(cat "$pid_file" 2>/dev/null)" "$conf"; then
    echo "start-cluster: a cluster already runs from $dir ($(basename "$pid_file") $(cat "$pid_file")); stop it with stop-cluster.sh --dir $dir" >&2
    exit 1
  fi
  rm -f "$pid_file"
done
for p in "$rest_port" "$rpc_port"; do
  if port_open "$p"; then
    echo "start-cluster: port $p on 127.0.0.1 is already in use" >&2
    exit 1
  fi
done

# --- classpath (resolved once, cached) --------------------------------------------------
classpath="$(cluster_classpath)"
if [[ -n "$prometheus" && "$classpath" != *flink-metrics-prometheus* ]]; then
  echo "start-cluster: flink-metrics-prometheus did not resolve; starting without the Prometheus reporter" >&2
  prometheus=""
fi
if [[ -n "$prometheus" ]]; then
  build_if_stale start-cluster "$(reporter_jar)" || exit 1
  classpath+=":$(reporter_jar)"
fi

# --- configuration ----------------------------------------------------------------------
mkdir -p "$conf" "$logs" "$dir/tmp" "$dir/uploads" "$dir/checkpoints" "$dir/savepoints"
cat > "$conf/config.yaml" <<EOF
# Written by deploy/standalone/start-cluster.sh: a session cluster on 127.0.0.1 only.
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $rpc_port
jobmanager.bind-host: 127.0.0.1
jobmanager.memory.process.size: 1024m
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.numberOfTaskSlots: $slots
taskmanager.memory.process.size: $tm_memory
# Spread a job's slots over the TaskManagers (parallel subtasks in different processes).
taskmanager.load-balance.mode: SLOTS
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $rest_port
web.upload.dir: $dir/uploads
io.tmp.dirs: $dir/tmp
parallelism.default: 1
state.backend.type: $backend
execution.checkpointing.dir: file://$dir/checkpoints
execution.checkpointing.savepoint-dir: file://$dir/savepoints
# A lost TaskManager is noticed within a few seconds (default: 50 s).
heartbeat.interval: 1000
heartbeat.timeout: 10000
# REST metrics at most 1 s old (default: 10 s).
metrics.fetcher.update-interval: 1000
EOF
if [[ -n "$prometheus" ]]; then
  cat >> "$conf/config.yaml" <<EOF
# Prometheus: each process on the first free port of the range, on 127.0.0.1 only (Flink's own
# PrometheusReporter would listen on every interface).
metrics.reporter.prom.factory.class: dev.bptt.connectors.metrics.BindHostPrometheusReporterFactory
metrics.reporter.prom.host: 127.0.0.1
metrics.reporter.prom.port: $prometheus
EOF
fi
cat > "$conf/log4j2.properties" <<'EOF'
# Written by deploy/standalone/start-cluster.sh: each process logs to its own file (log.file).
monitorInterval = 0
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = ${sys:log.file}
appender.file.filePattern = ${sys:log.file}.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
logger.pekko.name = org.apache.pekko
logger.pekko.level = INFO
logger.netty.name = org.apache.flink.shaded.netty4.io.netty.channel.DefaultChannelPipeline
logger.netty.level = ERROR
EOF

# JVM flags of every cluster process: those Flink's own scripts add (env.java.default-opts.all) for
# Kryo and RocksDB on Java 17, and the Vector API module the model's kernels use.
java_opts=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
  -XX:+UseG1GC -Djava.awt.headless=true -Djava.io.tmpdir="$dir/tmp"
  -Dlog4j.configurationFile="file:$conf/log4j2.properties"
  # The model's Vector API kernels (without it they fall back to plain loops, several times slower),
  # and the trap limit against their JIT cliff on Java 17 (README, "Vector kernels").
  --add-modules=jdk.incubator.vector -XX:PerMethodTrapLimit=1000
)

# Memory flags: line 1 JVM options, line 2 dynamic properties (as flink-dist's config.sh reads them).
resource_params() {
  local out
  if ! out="$(java -Xmx128m -cp "$classpath" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" \
              --configDir "$conf" 2>&1)"; then
    echo "start-cluster: BashJavaUtils $1 failed:" >&2
    tail -n 20 <<<"$out" >&2
    exit 1
  fi
  grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<<"$out" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}
mapfile -t jm_params < <(resource_params GET_JM_RESOURCE_PARAMS)
mapfile -t tm_params < <(resource_params GET_TM_RESOURCE_PARAMS)
[[ ${#jm_params[@]} -eq 2 && ${#tm_params[@]} -eq 2 ]] || { echo "start-cluster: unexpected BashJavaUtils output" >&2; exit 1; }
read -r -a jm_jvm <<<"${jm_params[0]}"
read -r -a jm_dyn <<<"${jm_params[1]}"
read -r -a tm_jvm <<<"${tm_params[0]}"
read -r -a tm_dyn <<<"${tm_params[1]}"

# One TaskManager process with resource id $1 (its PID in DIR/taskmanager-$1.pid).
start_taskmanager() {
  local id="$1"
  nohup java "${tm_jvm[@]}" "${java_opts[@]}" -Dlog.file="$logs/taskmanager-$id.log" -cp "$classpath" \
    org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    --configDir "$conf" "${tm_dyn[@]}" -D "taskmanager.resource-id=$id" \
    </dev/null >"$logs/taskmanager-$id.out" 2>&1 &
  echo $! > "$dir/taskmanager-$id.pid"
  disown $! 2>/dev/null || true
}

fail() {
  echo "start-cluster: $1" >&2
  for f in "$logs"/*.log; do
    [[ -f "$f" ]] || continue
    echo "--- $f (errors, tail) ---" >&2
    grep -E ' (ERROR|WARN) ' "$f" | tail -n 10 >&2 || true
  done
  for f in "$logs"/*.out; do
    [[ -s "$f" ]] && { echo "--- $f (tail) ---" >&2; tail -n 10 "$f" >&2; }
  done
  "$here/stop-cluster.sh" --dir "$dir" --timeout 10 >&2 || true
  exit 1
}

# --- start ------------------------------------------------------------------------------
t0=$(now_ms)
nohup java "${jm_jvm[@]}" "${java_opts[@]}" -Dlog.file="$logs/jobmanager.log" -cp "$classpath" \
  org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
  --configDir "$conf" --executionMode cluster "${jm_dyn[@]}" </dev/null >"$logs/jobmanager.out" 2>&1 &
echo $! > "$dir/jobmanager.pid"
disown $! 2>/dev/null || true

deadline=$(( $(date +%s) + timeout ))
until curl -sf -m 2 "$rest/config" >/dev/null 2>&1; do
  is_cluster_pid "$(cat "$dir/jobmanager.pid")" "$conf" || fail "the JobManager exited during startup"
  (( $(date +%s) < deadline )) || fail "REST did not answer within ${timeout} s"
  sleep 0.2
done
rest_ms=$(( $(now_ms) - t0 ))

t1=$(now_ms)
for i in $(seq 1 "$taskmanagers"); do
  start_taskmanager "tm-$i"
done
until [[ "$(registered_taskmanagers)" -ge "$taskmanagers" ]]; do
  for i in $(seq 1 "$taskmanagers"); do
    is_cluster_pid "$(cat "$dir/taskmanager-tm-$i.pid")" "$conf" || fail "TaskManager tm-$i exited during startup"
  done
  (( $(date +%s) < deadline )) || fail "$(registered_taskmanagers) of $taskmanagers TaskManagers registered within ${timeout} s"
  sleep 0.2
done
echo "start-cluster: REST up in ${rest_ms} ms, $taskmanagers TaskManagers x $slots slots registered" \
  "$(( $(now_ms) - t1 )) ms later; logs in $logs" >&2
echo "$rest" > "$dir/rest-address"
echo "rest: $rest"
if [[ -n "$prometheus" ]]; then
  prometheus_endpoints > "$dir/prometheus-endpoints"
  sed 's/^/prometheus: /' "$dir/prometheus-endpoints"
  if [[ "$(wc -l < "$dir/prometheus-endpoints")" -lt $(( taskmanagers + 1 )) ]]; then
    echo "start-cluster: only $(wc -l < "$dir/prometheus-endpoints") of $(( taskmanagers + 1 )) processes serve Prometheus metrics (ports $prometheus taken?); see their logs" >&2
  fi
fi
