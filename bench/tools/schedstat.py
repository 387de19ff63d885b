#!/usr/bin/env python3
"""Where a running JVM's threads spend their time, grouped by thread name, over a window.

Usage: bench/tools/schedstat.py PID SECONDS
Reads /proc/PID/task/*/schedstat twice, SECONDS apart, and prints per thread-name group (digits
folded, names cut to 15 characters by Linux) the cores spent on the CPU, the cores spent runnable
but waiting in the run queue (a thread woken that has not got a CPU yet), and the context switches
a second. What is neither is asleep: blocked, or waiting for input. Beside threadcpu.py (CPU only),
it shows whether threads that are not running are starved of a CPU or have nothing to do.
"""
import collections
import os
import re
import signal
import sys
import time

signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under | head
pid, secs = sys.argv[1], float(sys.argv[2])


def snap():
    d = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
            on_cpu, queued, switches = map(int, open(f"/proc/{pid}/task/{tid}/schedstat").read().split())
            d[tid] = (name, on_cpu, queued, switches)
        except (FileNotFoundError, ProcessLookupError):
            pass  # the thread ended between the listing and the read
    return d


a = snap()
t0 = time.time()
time.sleep(secs)
b = snap()
elapsed = time.time() - t0
groups = collections.defaultdict(lambda: [0.0, 0.0, 0.0])
for tid, (name, on_cpu, queued, switches) in b.items():
    if tid in a:
        g = groups[re.sub(r'\d+', 'N', name)]
        g[0] += (on_cpu - a[tid][1]) / 1e9 / elapsed
        g[1] += (queued - a[tid][2]) / 1e9 / elapsed
        g[2] += (switches - a[tid][3]) / elapsed
print(f"elapsed {elapsed:.1f}s (cores: seconds per second)")
for name, (on_cpu, queued, switches) in sorted(groups.items(), key=lambda kv: -kv[1][0])[:12]:
    print(f"  {name:16s} on-cpu {on_cpu:5.2f}  run-queue {queued:5.2f}  switches/s {switches:6.0f}")
