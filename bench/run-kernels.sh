#!/usr/bin/env bash
# Benchmarks the step kernels against PyTorch on this machine, in one run:
#   1. builds the project (mvn package -DskipTests, whole reactor incl. bench; never install: other
#      worktrees share ~/.m2),
#   2. runs the JMH benchmarks dev.bptt.bench.StepBenchmarks (3 x 1 s warm-up, 5 x 1 s measurement;
#      train in 3 forks, forwardStep and backwardWindow in 1, for rnn/gru/lstm, hidden 64/256,
#      batch 1/64; the table takes the median fork of train and lists all three: now and then a
#      fresh JVM compiles the vector kernels into code several times slower, see BENCHMARKS.md),
#   3. runs bench/torch_bench.py (Debian python3-torch with OpenBLAS, both installed with apt-get if
#      missing; one thread; torch.nn.RNN/GRU/LSTM over each window, see --torch-mode),
#   4. prints the table: steps/s (sequence-steps per second, forward + backward + update), ours and
#      PyTorch's, the ratio, and the acceptance targets.
# Usage: bench/run-kernels.sh [--quick] [--scalar] [--out DIR]
#   --quick    1 warm-up + 2 measurement iterations, PyTorch 1 repeat (a smoke run, not for the record)
#   --scalar   also run the train benchmark with -Dbptt.kernels=scalar (the plain-Java kernels)
#   --torch-mode cells   PyTorch loops over RNNCell/GRUCell/LSTMCell in Python (slower) instead
#   --out DIR  where the JMH JSON, PyTorch lines and the table go (default bench/results/<time>)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source "$root/bench/common.sh"
jmh_iter=(-wi 3 -w 1s -i 5 -r 1s)
train_forks=3
torch_args=(--seconds 2 --repeats 3)
scalar=0
torch_mode=layer
out="$root/bench/results/$(date -u +%Y%m%d-%H%M%S)"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) jmh_iter=(-wi 1 -w 1s -i 2 -r 1s); train_forks=1; torch_args=(--seconds 1 --repeats 1) ;;
    --scalar) scalar=1 ;;
    --torch-mode) torch_mode="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run-kernels: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"

echo "run-kernels: building (mvn -B -q -DskipTests package) ..." >&2
mvn -B -q -DskipTests package >"$out/build.log" 2>&1 || { tail -n 30 "$out/build.log" >&2; exit 1; }

ensure_torch

cp="$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")"
# The incubator warning is the only thing the JVM prints about the module: drop that one line.
jmh() { java --add-modules jdk.incubator.vector -cp "$cp" org.openjdk.jmh.Main "$@" 2> >(grep -v '^WARNING: Using incubator modules' >&2); }

machine_info "$out" "1 thread, mode $torch_mode"

echo "run-kernels: JMH train (${jmh_iter[*]}, $train_forks forks) -> $out/jmh-train.json" >&2
jmh 'dev.bptt.bench.StepBenchmarks.train' "${jmh_iter[@]}" -f "$train_forks" -rf json -rff "$out/jmh-train.json" \
  | tee "$out/jmh-train.txt" >&2
echo "run-kernels: JMH forwardStep, backwardWindow (${jmh_iter[*]}) -> $out/jmh.json" >&2
jmh 'dev.bptt.bench.StepBenchmarks.(forwardStep|backwardWindow)' "${jmh_iter[@]}" -f 1 -rf json -rff "$out/jmh.json" \
  | tee "$out/jmh.txt" >&2
if [[ $scalar -eq 1 ]]; then
  echo "run-kernels: JMH train with -Dbptt.kernels=scalar -> $out/jmh-scalar.json" >&2
  jmh 'dev.bptt.bench.StepBenchmarks.train' "${jmh_iter[@]}" -f 1 -jvmArgsAppend -Dbptt.kernels=scalar \
    -rf json -rff "$out/jmh-scalar.json" | tee "$out/jmh-scalar.txt" >&2
fi

echo "run-kernels: PyTorch (${torch_args[*]}) -> $out/torch.jsonl" >&2
OPENBLAS_NUM_THREADS=1 LD_LIBRARY_PATH="$openblas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  "$py" bench/torch_bench.py "${torch_args[@]}" --mode "$torch_mode" | tee "$out/torch.jsonl" >&2

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
"$py" - "$out" "$scalar" <<'PY' | tee "$out/table.md"
import json, sys, os
out, scalar = sys.argv[1], sys.argv[2] == "1"
for line in open(os.path.join(out, "machine.txt")):
    print(line.rstrip() + "  ")
print()
K = 32
forks = {}
def load(name):
    """steps/s per (benchmark, cell, hidden, batch): the median fork's mean; every fork's in `forks`."""
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return {}
    rows = {}
    for r in json.load(open(path)):
        p = r["params"]
        bench = r["benchmark"].rsplit(".", 1)[1]
        per_op = int(p["batch"]) * (1 if bench == "forwardStep" else K)
        key = (bench, p["cell"], int(p["hidden"]), int(p["batch"]))
        means = sorted(sum(f) / len(f) * per_op for f in r["primaryMetric"]["rawData"])
        forks[(name,) + key] = means
        rows[key] = means[(len(means) - 1) // 2]
    return rows
ours = load("jmh.json")
ours.update(load("jmh-train.json"))
plain = load("jmh-scalar.json") if scalar else {}
torch = {}
for line in open(os.path.join(out, "torch.jsonl")):
    r = json.loads(line)
    torch[(r["cell"], r["hidden"], r["batch"])] = r["steps_per_s"]
ANCHORS = {("rnn", 64, 1): 35000, ("rnn", 64, 64): 613000, ("rnn", 256, 1): 9500, ("rnn", 256, 64): 85000,
           ("lstm", 64, 1): 13000, ("lstm", 64, 64): 177000, ("lstm", 256, 1): 1700, ("lstm", 256, 64): 21000,
           ("gru", 64, 1): 12900, ("gru", 64, 64): 238000}
def target(hidden, batch):
    if hidden == 64:
        return 10.0 if batch == 1 else 1.5
    return None if batch == 1 else 1.0
print("| cell | hidden | batch | ours train (steps/s) | PyTorch (steps/s) | ours / PyTorch | target | met |"
      + " PLATFORM anchor | ours / anchor |"
      + (" scalar train (steps/s) |" if scalar else "") + " ours forward step | ours backward window |"
      + " train forks (k steps/s) |")
print("|---|---|---|---|---|---|---|---|---|---|" + ("---|" if scalar else "") + "---|---|---|")
for cell in ("rnn", "gru", "lstm"):
    for hidden in (64, 256):
        for batch in (1, 64):
            t = ours.get(("train", cell, hidden, batch))
            p = torch.get((cell, hidden, batch))
            if t is None or p is None:
                continue
            ratio = t / p
            tg = target(hidden, batch)
            met = "-" if tg is None else ("yes" if ratio >= tg else "NO")
            row = f"| {cell} | {hidden} | {batch} | {t:,.0f} | {p:,.0f} | {ratio:.2f}x | " \
                  + ("-" if tg is None else f">= {tg:g}x") + f" | {met} |"
            anchor = ANCHORS.get((cell, hidden, batch))
            row += f" {anchor:,} | {t / anchor:.2f}x |" if anchor else " - | - |"
            if scalar:
                s = plain.get(("train", cell, hidden, batch))
                row += f" {s:,.0f} |" if s else " - |"
            fw = ours.get(("forwardStep", cell, hidden, batch))
            bw = ours.get(("backwardWindow", cell, hidden, batch))
            row += f" {fw:,.0f} | {bw:,.0f} |"
            row += " " + ", ".join(f"{v / 1000:,.0f}" for v in forks[("jmh-train.json", "train", cell, hidden, batch)]) + " |"
            print(row)
slow = [(k, v) for k, v in forks.items() if len(v) > 1 and v[0] < 0.6 * v[(len(v) - 1) // 2]]
if slow:
    print()
    print("Forks below 0.6x their median (a fresh JVM's slow compile of the kernels): "
          + "; ".join(f"{k[2]} {k[3]} batch {k[4]}: {v[0] / 1000:,.0f}k" for k, v in slow))
PY
echo "run-kernels: results in $out" >&2
