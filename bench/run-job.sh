#!/usr/bin/env bash
# End-to-end benchmark of the whole training job against PyTorch and a plain loop, in one run:
#   1. builds the project (mvn -B -DskipTests package, whole reactor; never install),
#   2. runs bench/torch_bench.py at batch 64 and the job's sizes with 1 and 2 threads (Debian
#      python3-torch with OpenBLAS, installed with apt-get if missing), before the job and again
#      after it (3.): the better counts, as this machine's speed drifts by up to 30% within a run,
#   3. runs dev.bptt.bench.e2e.JobBenchmark: the job on an embedded MiniCluster at parallelism 2
#      (1,000 keys x 2,048 steps, input 16, hidden 64, output 4, mse at every step, TBPTT(32, 32),
#      buckets of 32 steps: one update per window as PyTorch, float64, SGD), fed by a generator of
#      step objects (no text, as PyTorch starts from tensors) and by a JSONL steps file (parsed);
#      each run once for the JIT, then measured over its second half (all runs on one MiniCluster,
#      as a cluster runs its jobs); the same work in a plain
#      loop on 1 and 2 threads, with the per-key kernels (ReferenceTrainer) and with the
#      operators' batched kernels (BatchedTrainer: a model per thread, and on 2 threads also one
#      model with a barrier per bucket, as the job), no Flink, before the job and after it (the
#      better counts); Flink's record path alone on the same cluster (RecordPathRun: the steps
#      input's source, check, watermarks and keyBy into keyed functions that only count, 8 times the
#      steps); then the state per key on RocksDB at 1,000 / 10,000 / 100,000 keys (small model),
#   4. writes table.md: steps/s, latency p50/p99, the ratios job / PyTorch and job / plain loop,
#      where the job's CPU a step goes (plain loop, record path, the operators' own), state bytes
#      per key, with the acceptance targets.
# Usage: bench/run-job.sh [--quick] [--out DIR] [-- JobBenchmark options]
#   --quick    300 keys x 128 steps, state at 1,000 and 10,000 keys, PyTorch 1 repeat (a smoke run)
#   --out DIR  where job.jsonl, torch.jsonl, the logs and table.md go (default bench/results/job-<time>)
#   after --, options for JobBenchmark, e.g. -- --cell lstm --keys 2000 (see --help there)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source "$root/bench/common.sh"
bench_args=()
torch_args=(--seconds 2 --repeats 3)
out="$root/bench/results/job-$(date -u +%Y%m%d-%H%M%S)"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) bench_args+=(--keys 300 --steps 128 --state-keys 1000,10000 --plain-repeats 1); torch_args=(--seconds 1 --repeats 1) ;;
    --out) out="$2"; shift ;;
    --) shift; bench_args+=("$@"); break ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "run-job: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"

echo "run-job: building (mvn -B -DskipTests package) ..." >&2
mvn -B -q -DskipTests package >"$out/build.log" 2>&1 || { tail -n 30 "$out/build.log" >&2; exit 1; }
ensure_torch
machine_info "$out" "batch 64, 1 and 2 threads"
cp="$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")"
# The heap fixed at 4 GB (-Xms = -Xmx), as Flink's own scripts start a TaskManager (BashJavaUtils
# gives -Xmx and -Xms the same size). With only -Xmx, G1 shrank the heap to 200-460 MB once the
# plain loops' steps were garbage, and the job then ran with young pauses and concurrent marking
# cycles back to back (9-10% fewer steps/s, BENCHMARKS.md session 10).
cmd=(java --add-modules jdk.incubator.vector -XX:PerMethodTrapLimit=1000 -Xms4g -Xmx4g -Djava.io.tmpdir="$root/bench/target"
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
  -cp "$cp" dev.bptt.bench.e2e.JobBenchmark --work "$root/bench/target/job-bench" "${bench_args[@]}")
echo "command: bench/run-job.sh ${bench_args[*]}" >>"$out/machine.txt"

# PyTorch at batch 64, 1 and 2 threads ($1: before or after the job; the better run counts, as the
# machine's speed drifts within a run).
torch_runs() {
  local threads
  for threads in 1 2; do
    echo "run-job: PyTorch $cell hidden $hidden batch 64, $threads thread(s), $1 the job -> $out/torch.jsonl" >&2
    OPENBLAS_NUM_THREADS=$threads LD_LIBRARY_PATH="$openblas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
      "$py" bench/torch_bench.py "${torch_args[@]}" --cells "$cell" --hidden "$hidden" --batch 64 --threads "$threads" \
      | sed "s/}\$/, \"when\": \"$1\"}/" | tee -a "$out/torch.jsonl" >&2
  done
}
# The job's sizes: what JobBenchmark is given (--cell, --hidden), else its defaults.
cell=rnn
hidden=64
for ((i = 0; i < ${#bench_args[@]}; i++)); do
  case "${bench_args[$i]}" in
    --cell) cell="${bench_args[$((i + 1))]}" ;;
    --cell=*) cell="${bench_args[$i]#--cell=}" ;;
    --hidden) hidden="${bench_args[$((i + 1))]}" ;;
    --hidden=*) hidden="${bench_args[$i]#--hidden=}" ;;
  esac
done
: >"$out/torch.jsonl"
torch_runs before

echo "run-job: JobBenchmark -> $out/job.jsonl (log: $out/job.log)" >&2
"${cmd[@]}" 2> >(grep --line-buffered -v -e '^WARNING: Using incubator modules' -e '^SLF4J' >"$out/job.log") \
  | tee "$out/job.jsonl" >&2

torch_runs after
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
"$py" bench/job_table.py "$out" | tee "$out/table.md"
echo "run-job: results in $out" >&2
