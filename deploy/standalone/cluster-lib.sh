# shellcheck shell=bash disable=SC2154
# Functions shared by the deploy/standalone scripts (sourced, not run).
# Expects: $here (this folder), and for some functions $root, $dir, $conf, $rest.

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A PID counts as a process of the cluster in DIR only while it is alive and runs with DIR's
# config folder (PIDs get reused).
is_cluster_pid() {
  local pid="$1" conf_dir="$2"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
    && grep -qF -- "--configDir $conf_dir " < <(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)
}

# The cluster classpath from deploy/standalone/pom.xml, resolved once and cached in
# target/classpath.txt (again when the pom changes or a jar is gone). Falls back to the pom
# without the Prometheus reporter when that does not resolve.
cluster_classpath() {
  local cp_file="$here/target/classpath.txt" jar
  local valid=1
  if [[ -s "$cp_file" && "$cp_file" -nt "$here/pom.xml" ]]; then
    while IFS= read -r jar; do [[ -f "$jar" ]] || valid=0; done < <(tr ':' '\n' < "$cp_file")
  else
    valid=0
  fi
  if [[ $valid -eq 0 ]]; then
    mkdir -p "$here/target"
    echo "cluster: resolving the Flink classpath with Maven (once)..." >&2
    local t0
    t0=$(now_ms)
    if ! mvn -q -B -ntp -Dstyle.color=never -f "$here/pom.xml" dependency:build-classpath \
         -Dmdep.outputFile="$cp_file.tmp" >"$here/target/resolve.log" 2>&1; then
      if ! mvn -q -B -ntp -Dstyle.color=never -f "$here/pom.xml" -Dno-prometheus dependency:build-classpath \
           -Dmdep.outputFile="$cp_file.tmp" >>"$here/target/resolve.log" 2>&1; then
        echo "cluster: classpath resolution failed:" >&2
        tail -n 30 "$here/target/resolve.log" >&2
        return 1
      fi
    fi
    mv "$cp_file.tmp" "$cp_file"
    echo "cluster: classpath resolved in $(( $(now_ms) - t0 )) ms" >&2
  fi
  cat "$cp_file"
}

# Number of TaskManagers registered at the REST API $rest (0 when it does not answer).
registered_taskmanagers() {
  local body
  body="$(curl -sf -m 2 "$rest/taskmanagers" 2>/dev/null)" || { echo 0; return; }
  grep -o '"dataPort"' <<<"$body" | wc -l
}

# build_if_stale WHO FILE...: builds the reactor (mvn -Pcluster-jar package: the job jar and the
# connectors' Prometheus reporter jar) when a FILE is missing or older than a pom or a main
# source. Log in job/target/cluster-jar.log.
build_if_stale() {
  local who="$1" f stale=0
  shift
  for f in "$@"; do
    if [[ ! -f "$f" || -n "$(find "$root/pom.xml" "$root"/*/pom.xml "$root"/*/src/main -newer "$f" -print -quit 2>/dev/null)" ]]; then
      stale=1
    fi
  done
  [[ $stale -eq 1 ]] || return 0
  echo "$who: building the job jar and the reporter jar (mvn -Pcluster-jar package) ..." >&2
  mkdir -p "$root/job/target"
  if ! (cd "$root" && mvn -q -B -ntp -Pcluster-jar -DskipTests package >"$root/job/target/cluster-jar.log" 2>&1); then
    echo "$who: build failed, see $root/job/target/cluster-jar.log" >&2
    tail -n 30 "$root/job/target/cluster-jar.log" >&2
    return 1
  fi
}

# The jar with dev.bptt.connectors.metrics (the Prometheus reporter bound to one host), built by
# the connectors module; the newest one if several versions are there, empty when none is.
reporter_jar() {
  local jars
  jars="$(ls -t "$root"/connectors/target/bptt-connectors-*-prometheus-reporter.jar 2>/dev/null || true)"
  head -n 1 <<<"$jars"
}

# The Prometheus endpoints of the cluster in $dir, one "<process> <url>" per line (jobmanager,
# tm-1, ...), as each process's reporter logged it at start.
prometheus_endpoints() {
  local log name url
  for log in "$dir"/logs/jobmanager.log "$dir"/logs/taskmanager-*.log; do
    [[ -f "$log" ]] || continue
    name="$(basename "$log" .log)"
    name="${name#taskmanager-}"
    url="$(grep -o 'Serving Prometheus metrics at http://[^ ]*' "$log" | tail -n 1 | sed 's/.* at //')"
    [[ -n "$url" ]] && echo "$name $url"
  done
  return 0
}
