#!/usr/bin/env python3
"""CPU per thread of a running JVM (or any process), grouped by thread name, over a window.

Usage: bench/tools/threadcpu.py PID SECONDS
Reads /proc/PID/task/*/stat twice, SECONDS apart, and prints the cores each thread-name group used
(digits folded, so both "ForwardStep -> TbpttBackward (1/2)#0" and "(2/2)#0" count together; Linux
cuts thread names to 15 characters). Unlike JFR's samples, it counts time in native code, GC and
the JIT compiler threads.
"""
import collections
import os
import re
import signal
import sys
import time

signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under | head
pid, secs = sys.argv[1], float(sys.argv[2])
HZ = os.sysconf('SC_CLK_TCK')  # utime and stime are in clock ticks
def snap():
    d = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            st = open(f"/proc/{pid}/task/{tid}/stat").read()
            name = st[st.index('(')+1:st.rindex(')')]
            f = st[st.rindex(')')+2:].split()
            d[tid] = (name, int(f[11]) + int(f[12]))
        except (FileNotFoundError, ProcessLookupError):
            pass  # the thread ended between the listing and the read
    return d
a = snap(); t0 = time.time(); time.sleep(secs); b = snap(); el = time.time() - t0
g = collections.Counter()
for tid, (name, ticks) in b.items():
    g[re.sub(r'\d+', 'N', name)] += ticks - a.get(tid, (name, 0))[1]
tot = sum(g.values())
print(f"elapsed {el:.1f}s, total {tot/HZ/el:.2f} cores")
for n, v in g.most_common(15):
    print(f"  {v/HZ/el:5.2f} cores  {n}")
