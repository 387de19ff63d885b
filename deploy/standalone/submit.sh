#!/usr/bin/env bash
# Submits the training job to a session cluster over its REST API and prints the job id.
#
#   deploy/standalone/submit.sh [--dir DIR | --rest URL] [--from-savepoint PATH]
#        [--allow-non-restored-state] [--] <train options>
#
#   --dir DIR         the cluster's folder (start-cluster.sh --dir), default deploy/standalone/run:
#                     the REST address is read from DIR/rest-address
#   --rest URL        the REST address instead, e.g. http://127.0.0.1:8081
#   --from-savepoint PATH
#                     resume from a savepoint (or retained checkpoint) path
#   --allow-non-restored-state
#                     let the resumed job skip savepoint state no operator claims
#   <train options>   the options of `./bptt train` plus --checkpoint-dir URI and
#                     --checkpoint-interval-ms MS (default 1000), for dev.bptt.job.ClusterMain;
#                     relative --params, --steps, --out and --checkpoint-dir are made absolute
#                     (the JobManager and TaskManagers resolve them, not this shell)
#
# Builds job/target/bptt-job.jar first if it is missing or older than the sources
# (mvn -Pcluster-jar package), uploads it (POST /jars/upload), runs it (POST /jars/<id>/run, entry class dev.bptt.job.ClusterMain),
# deletes the upload again and prints "job: <id>". The job runs detached; follow it at
# <rest>/#/job/running or GET <rest>/jobs/<id>. Exits 2 when the job rejects its options
# (the answer's message names the option), 1 on other failures.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="$here/run"
rest=""
savepoint=""
allow_non_restored=false
jar="$root/job/target/bptt-job.jar"
entry=dev.bptt.job.ClusterMain

need() { [[ $# -ge 2 && -n "$2" ]] || { echo "submit: $1 needs a value" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) need "$@"; dir="$2"; shift 2 ;;
    --rest) need "$@"; rest="$2"; shift 2 ;;
    --from-savepoint) need "$@"; savepoint="$2"; shift 2 ;;
    --allow-non-restored-state) allow_non_restored=true; shift ;;
    -h|--help) sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
if [[ -z "$rest" ]]; then
  [[ -f "$dir/rest-address" ]] || { echo "submit: no cluster in $dir (no rest-address file); give --dir or --rest" >&2; exit 2; }
  rest="$(cat "$dir/rest-address")"
fi
[[ $# -gt 0 ]] || { echo "submit: no train options given (see ./bptt train --help)" >&2; exit 2; }

# --- the job's arguments, with paths made absolute --------------------------------------
absolute() { [[ "$1" == /* ]] && echo "$1" || echo "$PWD/$1"; }
has_scheme() { [[ "$1" =~ ^[A-Za-z][A-Za-z0-9+.-]*:/ ]]; }
args=()
while [[ $# -gt 0 ]]; do
  opt="$1"
  value=""
  if [[ "$opt" == --*=* ]]; then
    value="${opt#*=}"
    opt="${opt%%=*}"
    shift
  elif [[ $# -ge 2 && "$opt" =~ ^--(params|steps|out|checkpoint-dir)$ ]]; then
    value="$2"
    shift 2
  else
    args+=("$opt")
    shift
    continue
  fi
  case "$opt" in
    --params|--out) value="$(absolute "$value")" ;;
    --steps) has_scheme "$value" || value="$(absolute "$value")" ;;
    --checkpoint-dir) has_scheme "$value" || value="file://$(absolute "$value")" ;;
  esac
  args+=("$opt" "$value")
done

# --- the jar (built when missing or older than a pom or a main source) -----------------
if [[ ! -f "$jar" || -n "$(find "$root/pom.xml" "$root"/*/pom.xml "$root"/*/src/main -newer "$jar" -print -quit 2>/dev/null)" ]]; then
  echo "submit: building $jar (mvn -Pcluster-jar package) ..." >&2
  if ! (cd "$root" && mvn -q -B -ntp -Pcluster-jar -DskipTests package >"$root/job/target/cluster-jar.log" 2>&1); then
    echo "submit: build failed, see $root/job/target/cluster-jar.log" >&2
    tail -n 30 "$root/job/target/cluster-jar.log" >&2
    exit 1
  fi
fi

json_string() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\t'/\\t}"
  s="${s//$'\r'/\\r}"
  printf '"%s"' "$s"
}

# --- upload, run, clean up --------------------------------------------------------------
answer="$(curl -sS -m 120 -X POST -H "Expect:" -F "jarfile=@$jar" "$rest/jars/upload")" \
  || { echo "submit: upload to $rest failed" >&2; exit 1; }
uploaded="$(sed -n 's/.*"filename" *: *"\([^"]*\)".*/\1/p' <<<"$answer")"
[[ -n "$uploaded" ]] || { echo "submit: upload failed: $answer" >&2; exit 1; }
jar_id="$(basename "$uploaded")"

body="{\"entryClass\":$(json_string "$entry"),\"programArgsList\":["
sep=""
for a in "${args[@]}"; do body+="$sep$(json_string "$a")"; sep=","; done
body+="]"
if [[ -n "$savepoint" ]]; then
  body+=",\"savepointPath\":$(json_string "$savepoint"),\"allowNonRestoredState\":$allow_non_restored"
fi
body+="}"

answer="$(curl -sS -m 300 -X POST -H 'Content-Type: application/json' -d "$body" "$rest/jars/$jar_id/run")" || true
curl -sS -m 30 -X DELETE "$rest/jars/$jar_id" >/dev/null 2>&1 || true
job="$(sed -n 's/.*"jobid" *: *"\([0-9a-f]*\)".*/\1/p' <<<"$answer")"
if [[ -z "$job" ]]; then
  # The message of a rejected option comes from ClusterMain's UsageException.
  message="$(grep -o 'UsageException: [^\\"]*' <<<"$answer" | head -n 1 || true)"
  if [[ -n "$message" ]]; then
    echo "submit: ${message#UsageException: }" >&2
    exit 2
  fi
  echo "submit: run failed: $(head -c 2000 <<<"$answer")" >&2
  exit 1
fi
echo "job: $job"
