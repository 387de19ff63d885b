#!/usr/bin/env python3
"""table.md of bench/run-job.sh from OUT/machine.txt, OUT/job.jsonl and OUT/torch.jsonl."""
import json
import os
import sys

JOB_VS_TORCH, JOB_VS_PLAIN, STATE_VS_RAW = 1.0, 0.70, 1.25


def rows(path):
    return [json.loads(line) for line in open(path) if line.startswith("{")]


def met(ok):
    return "yes" if ok else "NO"


def cpu(r):
    return f"{r['cpu_us_per_step']:.2f}"


def main(out):
    for line in open(os.path.join(out, "machine.txt")):
        print(line.rstrip() + "  ")
    print()
    results = rows(os.path.join(out, "job.jsonl"))
    torch = rows(os.path.join(out, "torch.jsonl"))
    jobs = [r for r in results if r["kind"] == "job"]
    plain = [r for r in results if r["kind"] == "plain"]
    best_torch = max(torch, key=lambda r: r["steps_per_s"]) if torch else None
    # per kernel choice (older job.jsonl files have no "kernels": the per-key ReferenceTrainer)
    plain_by_kernels = {}
    for r in plain:
        plain_by_kernels.setdefault(r.get("kernels", "per-key"), []).append(r)
    if jobs:
        j = jobs[0]
        print(f"## Whole job: {j['cell']} input {j['input']}, hidden {j['hidden']}, output {j['output']}, "
              f"{j['keys']:,} keys x {j['steps_per_key']} steps, TBPTT({j['k1']}, {j['k2']}), float64, "
              f"{j.get('bucket_steps', 1)} step(s) of every key per bucket, staleness {j.get('staleness', 0)}, parallelism {j['parallelism']}, MiniCluster")
        print()
        print("Steady state: the updates of the run's second half (JobBenchmark --warmup 0.5: the first half is "
              "start-up, C2 still compiling; the last update, with the end of input, left out), best of the measured "
              "runs, each after a discarded run of the same input. Latency of a step: emission of the update whose "
              "gradient first includes the step's loss "
              "term (the update of the bucket where its window closes) minus the time the source emitted the step; "
              "it includes the wait for the window to fill (up to k1 - 1 steps). CPU a step: the process's CPU "
              "time (all threads) over the same interval / its steps; busy cores: that CPU time / the interval.")
        print()
        print("| input | steps/s (steady, best run) | all runs | steps/s (whole run) | start-up to first record (s) "
              "| to first update (s) | latency p50 (ms) | p99 (ms) | max (ms) | CPU a step (us) | busy cores |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in jobs:
            runs = ", ".join(f"{v / 1000:,.0f}k" for v in r.get("runs_steps_per_s", [r["steps_per_s"]]))
            print(f"| {r['source']} | {r['steps_per_s']:,.0f} | {runs} | {r['overall_steps_per_s']:,.0f} | {r['startup_s']:.2f} | "
                  f"{r['first_update_s']:.2f} | {r['latency_p50_ms']:,.0f} | {r['latency_p99_ms']:,.0f} | "
                  f"{r['latency_max_ms']:,.0f} | {cpu(r)} | {r['busy_cores']:.2f} |" if "busy_cores" in r else
                  f"| {r['source']} | {r['steps_per_s']:,.0f} | {runs} | {r['overall_steps_per_s']:,.0f} | {r['startup_s']:.2f} | "
                  f"{r['first_update_s']:.2f} | {r['latency_p50_ms']:,.0f} | {r['latency_p99_ms']:,.0f} | "
                  f"{r['latency_max_ms']:,.0f} | | |")
        print()
        by_input = {r["source"]: r["steps_per_s"] for r in jobs}
        order = [i for i in ("steps", "generator", "file") if i in by_input]
        print("| baseline | steps/s | " + " | ".join(f"job ({i}) / baseline" for i in order) + " | target | met (best input) |")
        print("|---|---|" + "---|" * len(order) + "---|---|")

        def ratio_row(name, rate, target):
            best = max(by_input.values())
            print(f"| {name} | {rate:,.0f} | " + " | ".join(f"{by_input[i] / rate:.2f}x" for i in order)
                  + f" | >= {target:g}x | {met(best / rate >= target)} |")

        def rate_row(name, rate):
            print(f"| {name} | {rate:,.0f} | " + " | ".join(f"{by_input[i] / rate:.2f}x" for i in order) + " | | |")

        def when(r):
            return f", {r['when']} the job" if "when" in r else ""

        for r in torch:
            rate_row(f"PyTorch {r['torch']} batch 64, {r['threads']} thread(s){when(r)}", r["steps_per_s"])
        if best_torch:
            ratio_row("PyTorch best of 1 and 2 threads" + (", before and after" if "when" in best_torch else ""),
                      best_torch["steps_per_s"], JOB_VS_TORCH)
        names = {"per-key": "per-key kernels (ReferenceTrainer)",
                 "batched": "batched kernels as the job (BatchedTrainer), a model per thread",
                 "batched-one-model": "batched kernels as the job, one model (BatchedTrainer, a barrier per bucket)"}
        for kernels, runs in plain_by_kernels.items():
            name = names.get(kernels, kernels)
            for r in runs:
                rate_row(f"plain loop, {name}, {r['threads']} thread(s){when(r)}", r["steps_per_s"])
            best = max(runs, key=lambda r: r["steps_per_s"])
            threads = " and ".join(sorted({str(r["threads"]) for r in runs}))
            ratio_row(f"plain loop, {name}, best of {threads} thread(s)" + (", before and after" if "when" in best else ""),
                      best["steps_per_s"], JOB_VS_PLAIN)
        print()
        with_cpu = [r for r in plain if "cpu_us_per_step" in r]
        if with_cpu and any("cpu_us_per_step" in r for r in jobs):
            print("CPU a step (the process's CPU time, all threads, / steps; lower is better): the job's against "
                  "each plain loop's, a ratio that leaves out how busy the cores were kept, and the difference: "
                  "what the job spends a step beyond that loop.")
            print()
            print("| run | CPU a step (us) | " + " | ".join(f"plain / job ({i})" for i in order) + " | "
                  + " | ".join(f"job ({i}) - plain (us)" for i in order) + " |")
            print("|---|---|" + "---|" * (2 * len(order)))
            job_cpu = {r["source"]: r["cpu_us_per_step"] for r in jobs if "cpu_us_per_step" in r}
            for r in jobs:
                if "cpu_us_per_step" in r:
                    print(f"| job, {r['source']} (best run) | {cpu(r)} | " + " | ".join("" for _ in 2 * order) + " |")
            for r in with_cpu:
                name = names.get(r.get("kernels", "per-key"), r.get("kernels"))
                print(f"| plain loop, {name}, {r['threads']} thread(s){when(r)} | {cpu(r)} | "
                      + " | ".join(f"{r['cpu_us_per_step'] / job_cpu[i]:.2f}x" if i in job_cpu else "" for i in order)
                      + " | "
                      + " | ".join(f"{job_cpu[i] - r['cpu_us_per_step']:.2f}" if i in job_cpu else "" for i in order)
                      + " |")
            print()
    record_path = [r for r in results if r["kind"] == "record-path"]
    steps_job = [r for r in jobs if r["source"] == "steps" and "cpu_us_per_step" in r]
    batched = [r for r in plain_by_kernels.get("batched", []) if r["threads"] == "2" and "cpu_us_per_step" in r]
    if record_path and steps_job and batched:
        rp, j = record_path[0], steps_job[0]
        p = min(batched, key=lambda r: r["cpu_us_per_step"])
        jc, pc, rc = j["cpu_us_per_step"], p["cpu_us_per_step"], rp["cpu_us_per_step"]
        runs = ", ".join(f"{v / 1e6:.2f}M" for v in rp.get("runs_steps_per_s", [rp["steps_per_s"]]))
        print("## Where the job's CPU a step goes (steps input)")
        print()
        print(f"Flink's record path alone (RecordPathRun: the steps input's source, check, watermarks and keyBy into "
              f"keyed functions that only count, {rp['keys']:,} keys x {rp['steps_per_key']:,} steps): "
              f"{rp['steps_per_s']:,.0f} steps/s (runs {runs}) at {rp['busy_cores']:.2f} busy cores.")
        print()
        print("| part | CPU a step (us) | share of the job's |")
        print("|---|---|---|")
        print(f"| the plain loop's work (batched kernels, 2 threads, a model per thread, {p.get('when', '')} the job) "
              f"| {pc:.2f} | {pc / jc:.0%} |")
        print(f"| Flink's record path alone | {rc:.2f} | {rc / jc:.0%} |")
        print(f"| the rest: the operators' own work (forward and backward bookkeeping, the hand-over, the loop) "
              f"and the kernels running slower beside Flink's threads | {jc - pc - rc:.2f} | {(jc - pc - rc) / jc:.0%} |")
        print(f"| **the job** | **{jc:.2f}** | 100% |")
        print()
        print(f"With only the record path added to the plain loop's work, the job would do that work at "
              f"{pc / (pc + rc):.2f}x of the plain loop's CPU efficiency; it does at {pc / jc:.2f}x.")
        print()
    state = [r for r in results if r["kind"] == "state-bytes"]
    checkpoints = [r for r in results if r["kind"] == "checkpoint"]
    if state:
        s = state[0]
        print(f"## State per key on RocksDB: {s['cell']} input {s['input']}, hidden {s['hidden']}, output {s['output']}, "
              f"k2 = {s['k2']}; raw ring = k2 x (I + S + O) x 8 = {s['raw_ring_bytes']:,} bytes")
        print()
        print("Serialized keyed state of one key (Flink's serializers for the state descriptors, plus RocksDB keys):")
        print()
        print("| entry | bytes |")
        print("|---|---|")
        for name, b in s["parts"].items():
            print(f"| {name} | {b:,} |")
        print(f"| **total** | **{s['state_bytes_per_key']:,}** ({s['ratio']:.2f}x raw; target <= {STATE_VS_RAW}x: "
              f"{met(s['ratio'] <= STATE_VS_RAW)}) |")
        print()
    if checkpoints:
        print("Measured with N keys, k2 steps each (every ring full): a canonical savepoint (each live entry once) "
              "and a native full checkpoint (RocksDB's SST files, including ring values replaced since the last "
              "compaction), keyed vertex ForwardStep -> TbpttBackward.")
        print()
        print("| keys | savepoint bytes/key | / raw ring | native checkpoint bytes/key | / raw ring | run (s) |")
        print("|---|---|---|---|---|---|")
        for r in checkpoints:
            raw = r["raw_ring_bytes"]
            print(f"| {r['keys']:,} | {r['savepoint_bytes_per_key']:,.0f} | {r['savepoint_bytes_per_key'] / raw:.2f}x | "
                  f"{r['native_bytes_per_key']:,.0f} | {r['native_bytes_per_key'] / raw:.2f}x | {r['seconds']:.0f} |")
        if len(checkpoints) >= 2:
            a, b = checkpoints[-2], checkpoints[-1]
            dk = b["keys"] - a["keys"]
            sp = (b["savepoint_bytes"] - a["savepoint_bytes"]) / dk
            nat = (b["native_keyed_bytes"] - a["native_keyed_bytes"]) / dk
            print(f"| marginal {a['keys']:,} -> {b['keys']:,} | {sp:,.0f} | {sp / b['raw_ring_bytes']:.2f}x | "
                  f"{nat:,.0f} | {nat / b['raw_ring_bytes']:.2f}x | |")


if __name__ == "__main__":
    main(sys.argv[1])
