#!/usr/bin/env bash
# Builds the job image: deploy/docker/build.sh [JOB_JAR]
# JOB_JAR defaults to job/target/bptt-job.jar (the shaded jar of `mvn -B -q install -DskipTests`).
# The image is tagged with the name in image.txt. Needs a Docker (or compatible) engine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
image="$(tr -d '[:space:]' < "$here/image.txt")"
jar="${1:-$root/job/target/bptt-job.jar}"

if [[ ! -f "$jar" ]]; then
  echo "build.sh: no job jar at $jar; build it first: (cd $root && mvn -B -q install -DskipTests)" >&2
  exit 2
fi

# A build context with the jar alone: nothing else of the work tree is sent to the engine.
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
cp "$jar" "$context/bptt-job.jar"

docker build -f "$here/Dockerfile" --build-arg JOB_JAR=bptt-job.jar -t "$image" "$context"
echo "built $image"
