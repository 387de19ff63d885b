#!/usr/bin/env bash
# Starts a single-node Kafka broker (KRaft, broker + controller in one JVM) from the Maven
# Central jars listed by deploy/kafka/pom.xml. No Docker, no tarball.
#
#   deploy/kafka/start-broker.sh [--port P] [--controller-port C] [--dir DIR]
#
#   --port P             client (PLAINTEXT) port on 127.0.0.1, default 9092
#   --controller-port C  KRaft controller port on 127.0.0.1, default P+1
#   --dir DIR            config, data, logs and PID file, default deploy/kafka/run
#
# Environment: KAFKA_HEAP_OPTS (default "-Xms128m -Xmx512m"), KAFKA_READY_TIMEOUT (s, 60).
#
# Resolves the classpath once (cached in deploy/kafka/target/classpath.txt, refreshed when
# the pom changes), writes DIR/server.properties, formats DIR/data with a random cluster id
# if it is not formatted yet, starts `java kafka.Kafka` in the background (nohup), writes
# DIR/broker.pid, waits until the broker answers, prints "bootstrap: 127.0.0.1:P" and exits 0.
# Exits non-zero with the log tail if it is not ready in time. If a broker is already running
# from DIR (PID alive), prints its bootstrap and exits 0.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port=9092
cport=""
dir="$here/run"

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --port=*) port="${1#*=}"; shift ;;
    --controller-port) cport="$2"; shift 2 ;;
    --controller-port=*) cport="${1#*=}"; shift ;;
    --dir) dir="$2"; shift 2 ;;
    --dir=*) dir="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "start-broker: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$port" =~ ^[0-9]+$ ]] || { echo "start-broker: bad --port: $port" >&2; exit 2; }
[[ -z "$cport" ]] && cport=$((port + 1))
[[ "$cport" =~ ^[0-9]+$ && "$cport" != "$port" ]] || { echo "start-broker: bad --controller-port: $cport" >&2; exit 2; }

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
pid_file="$dir/broker.pid"
bootstrap_file="$dir/bootstrap"
log_dir="$dir/logs"
data_dir="$dir/data"
timeout="${KAFKA_READY_TIMEOUT:-60}"

# A PID counts as our broker only while it is alive and runs kafka.Kafka with DIR's config
# (PIDs get reused).
is_broker_pid() {
  local pid="$1"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
    && grep -qF " kafka.Kafka $dir/server.properties" < <(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- already running? -------------------------------------------------------------------
if [[ -f "$pid_file" ]]; then
  old_pid="$(cat "$pid_file" 2>/dev/null || true)"
  if is_broker_pid "$old_pid"; then
    running="$(cat "$bootstrap_file" 2>/dev/null || echo "127.0.0.1:$port")"
    if [[ "$running" != "127.0.0.1:$port" ]]; then
      echo "start-broker: already running from $dir (PID $old_pid) on $running, not on port $port" >&2
    fi
    echo "bootstrap: $running"
    exit 0
  fi
  echo "start-broker: removing stale PID file ($old_pid)" >&2
  rm -f "$pid_file"
fi

for p in "$port" "$cport"; do
  if port_open "$p"; then
    echo "start-broker: port $p on 127.0.0.1 is already in use" >&2
    exit 1
  fi
done

# --- classpath (resolved once, cached) --------------------------------------------------
cp_file="$here/target/classpath.txt"
cp_valid() {
  [[ -s "$cp_file" && "$cp_file" -nt "$here/pom.xml" ]] || return 1
  local jar
  # Every jar must still be in the local repository (it may have been wiped).
  while IFS= read -r jar; do [[ -f "$jar" ]] || return 1; done < <(tr ':' '\n' < "$cp_file")
}
if ! cp_valid; then
  mkdir -p "$here/target"
  echo "start-broker: resolving the broker classpath with Maven (once)..." >&2
  t0=$(date +%s%N)
  if ! mvn -q -B -ntp -Dstyle.color=never -f "$here/pom.xml" dependency:build-classpath \
       -Dmdep.outputFile="$cp_file.tmp" >"$here/target/resolve.log" 2>&1; then
    echo "start-broker: classpath resolution failed:" >&2
    tail -n 30 "$here/target/resolve.log" >&2
    exit 1
  fi
  mv "$cp_file.tmp" "$cp_file"
  echo "start-broker: classpath resolved in $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
fi
classpath="$(cat "$cp_file")"

# --- configuration ----------------------------------------------------------------------
mkdir -p "$log_dir" "$data_dir"
cat > "$dir/server.properties" <<EOF
# Written by deploy/kafka/start-broker.sh: single node, KRaft, 127.0.0.1 only.
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.bootstrap.servers=127.0.0.1:$cport
log.dirs=$data_dir
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
# One node: internal topics with replication factor 1 so that groups and transactions work.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=168
log.segment.bytes=104857600
EOF

cat > "$dir/log4j2.properties" <<EOF
# Written by deploy/kafka/start-broker.sh: everything to logs/server.log, rolled at 50 MB.
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = $log_dir/server.log
appender.file.filePattern = $log_dir/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = INFO
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF

jvm_common=(-Djava.awt.headless=true -Dlog4j2.configurationFile="$dir/log4j2.properties"
            -Dkafka.logs.dir="$log_dir" -Djava.io.tmpdir="$dir")

# --- format (once) ----------------------------------------------------------------------
if [[ ! -f "$data_dir/meta.properties" ]]; then
  # A Kafka Uuid: 16 random bytes, URL-safe base64 without padding, not starting with '-'.
  cluster_id=""
  while [[ -z "$cluster_id" || "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  done
  if ! java -Xmx256m "${jvm_common[@]}" -cp "$classpath" kafka.tools.StorageTool format \
       --config "$dir/server.properties" --cluster-id "$cluster_id" --standalone \
       --ignore-formatted >"$log_dir/format.log" 2>&1; then
    echo "start-broker: formatting $data_dir failed:" >&2
    tail -n 30 "$log_dir/format.log" >&2
    exit 1
  fi
fi

# --- start ------------------------------------------------------------------------------
read -r -a heap <<<"${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"
# Only what this start appends to server.log counts when looking for "started".
log_offset=$(( $(stat -c %s "$log_dir/server.log" 2>/dev/null || echo 0) + 1 ))
t0=$(date +%s%N)
nohup java -server "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
  "${jvm_common[@]}" -cp "$classpath" kafka.Kafka "$dir/server.properties" \
  </dev/null >>"$log_dir/broker.out" 2>&1 &
pid=$!
disown "$pid" 2>/dev/null || true
echo "$pid" > "$pid_file"
echo "127.0.0.1:$port" > "$bootstrap_file"

fail() {
  echo "start-broker: $1" >&2
  echo "--- $log_dir/broker.out (tail) ---" >&2
  tail -n 20 "$log_dir/broker.out" >&2 2>/dev/null || true
  echo "--- $log_dir/server.log (last log lines, config dumps left out) ---" >&2
  tail -c "+$log_offset" "$log_dir/server.log" 2>/dev/null | grep -E '^\[' | tail -n 30 >&2 || true
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
  exit 1
}

# Ready = the client port accepts connections, the server logged that it started, and
# (when kcat is installed) a metadata request lists this broker.
deadline=$(( $(date +%s) + timeout ))
while :; do
  kill -0 "$pid" 2>/dev/null || fail "the broker (PID $pid) exited during startup"
  if port_open "$port" && grep -q 'Kafka Server started' < <(tail -c "+$log_offset" "$log_dir/server.log" 2>/dev/null); then
    if ! command -v kcat >/dev/null 2>&1 \
       || grep -q ' 1 brokers:' < <(kcat -b "127.0.0.1:$port" -L -m 5 2>/dev/null); then
      break
    fi
  fi
  (( $(date +%s) < deadline )) || fail "not ready within ${timeout} s"
  sleep 0.2
done
echo "start-broker: PID $pid ready in $(( ($(date +%s%N) - t0) / 1000000 )) ms, logs in $log_dir" >&2
echo "bootstrap: 127.0.0.1:$port"
