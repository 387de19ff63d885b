# shellcheck shell=bash disable=SC2154
# Functions shared by the deploy/standalone scripts (sourced, not run).
# Expects: $here (this folder), and for some functions $dir, $conf, $rest.

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
