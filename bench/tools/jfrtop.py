#!/usr/bin/env python3
"""Top frames of a JFR recording's CPU samples, for a time window and a thread.

Usage: jfr print --stack-depth 64 --events jdk.ExecutionSample REC.jfr > samples.txt
       bench/tools/jfrtop.py samples.txt [FROM_FRACTION] [THREAD_SUBSTRING]
(Without --stack-depth, jfr print cuts every stack after 5 frames and the inclusive shares count
only those: the tool then says so, as it did not before session 8.)
FROM_FRACTION (default 0): leave out the samples before this fraction of the recording (start
JFR with the JVM, -XX:StartFlightRecording=filename=REC.jfr,settings=profile, and cut the JIT's
warm-up here: starting a recording in a running JVM deoptimizes it). Prints the threads sampled,
the top self frames, and the inclusive share of our frames, serializers and heap state.
"""
import collections
import re
import signal
import sys

signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under | head
txt = open(sys.argv[1]).read()
frac = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
sub = sys.argv[3] if len(sys.argv) > 3 else ''
evs = txt.split('jdk.ExecutionSample')[1:]
def ts(e):
    m = re.search(r'startTime = (\d+):(\d+):([\d.]+)', e)
    return int(m.group(1))*3600 + int(m.group(2))*60 + float(m.group(3))
times = [ts(e) for e in evs]
t0, t1 = min(times), max(times)
cut = t0 + frac * (t1 - t0)
selfc = collections.Counter(); incl = collections.Counter(); thr = collections.Counter(); n = 0; cut_stacks = 0
for e, t in zip(evs, times):
    if t < cut: continue
    m = re.search(r'sampledThread = "([^"]*)"', e); th = m.group(1) if m else '?'
    thr[re.sub(r'\d+', 'N', th)[:50]] += 1
    if sub not in th: continue
    frames = re.findall(r'^\s+([\w.$<>]+)\(', e, re.M)
    if not frames: continue
    n += 1
    if re.search(r'^\s+\.\.\.$', e, re.M): cut_stacks += 1
    selfc[frames[0]] += 1
    for f in set(frames): incl[f] += 1
print('threads:', thr.most_common(6))
print(f'samples in selection: {n}')
if cut_stacks:
    print(f'WARNING: {cut_stacks} of {n} stacks were cut short by jfr print: the inclusive shares below count only '
          'their top frames (print with --stack-depth 64)')
print('-- self')
for k, v in selfc.most_common(25):
    print(f'{v * 100 / n:5.1f}% {k}')
print('-- inclusive (ours, serializers, heap state)')
for k, v in incl.most_common(300):
    if k.startswith('dev.bptt') or 'Serializer' in k or 'HeapValueState' in k or 'HeapMapState' in k or 'StateTable' in k:
        print(f'{v * 100 / n:5.1f}% {k}')
