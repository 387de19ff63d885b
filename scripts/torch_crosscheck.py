#!/usr/bin/env python3
"""Cross-check of ./bptt against PyTorch autograd and torch.optim, in float64.

Cases (all drawn from one seeded generator, so a seed always gives the same cases):
  init  ./bptt init loads into nn.RNN/nn.GRU/nn.LSTM + nn.Linear('readout') with strict
        load_state_dict, every value lies in [-1/sqrt(H), 1/sqrt(H)], the same seed gives the same file.
  grad  ./bptt grad against TBPTT(k1, k2) written here with torch autograd (CONTRACT.md section 4),
        for every cell x loss x (k1, k2), on random interleaved multi-key inputs.
  opt   ./bptt update against torch.optim.SGD / Adam and torch.nn.utils.clip_grad_norm_.

Prints one line per case, then "N passed, M failed". Exit status 1 if any case failed.
Run it through scripts/torch-crosscheck.sh (which installs torch if needed), from anywhere.
"""

import argparse
import concurrent.futures
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BPTT = os.path.join(ROOT, "bptt")
TOL = 1e-9
CELLS = ("rnn", "gru", "lstm")
LOSSES = ("mse", "xent")
GATES = {"rnn": 1, "gru": 3, "lstm": 4}
PARAM_NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "readout.weight", "readout.bias")

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)


class CaseFailure(Exception):
    """A failed case; full=True when the message is already the case's whole report."""

    def __init__(self, message, full=False):
        super().__init__(message)
        self.full = full


# ---------------------------------------------------------------------------------------------
# helpers

def run_bptt(args, timeout=300):
    """Runs ./bptt with args from the repository root; returns stdout, raises CaseFailure on failure."""
    proc = subprocess.run([BPTT] + [str(a) for a in args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        text = (proc.stderr.strip() or proc.stdout.strip())
        lines = text.splitlines()
        if len(text) > 800 and lines:  # e.g. a failed (re)build: its first line says so, the end why
            text = lines[0] + "\n ...\n" + text[-600:]
        raise CaseFailure("./bptt %s exited %d: %s" % (args[0], proc.returncode, text))
    return proc.stdout


def load_npz(path):
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def rel_err(a, b):
    """Norm-wise relative error of a against reference b: max|a - b| / max|b| (infinity norms).

    0 when a and b are both exactly zero; inf when b is all zero and a is not."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise CaseFailure("shape %s != reference shape %s" % (a.shape, b.shape))
    if not np.all(np.isfinite(a)):
        return math.inf
    diff = float(np.max(np.abs(a - b))) if a.size else 0.0
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    if diff == 0.0:
        return 0.0
    return diff / scale if scale > 0.0 else math.inf


def make_model(cell, n_in, n_hidden, n_out):
    """nn.RNN/GRU/LSTM (num_layers=1, batch_first) with an nn.Linear child named 'readout'.

    Its state_dict keys are exactly the contract's names, so files load with no renaming."""
    if cell == "rnn":
        m = nn.RNN(n_in, n_hidden, num_layers=1, nonlinearity="tanh", batch_first=True)
    elif cell == "gru":
        m = nn.GRU(n_in, n_hidden, num_layers=1, batch_first=True)
    else:
        m = nn.LSTM(n_in, n_hidden, num_layers=1, batch_first=True)
    m.add_module("readout", nn.Linear(n_hidden, n_out))
    return m.double()


def load_model(cell, arrays):
    """Model from npz arrays via strict load_state_dict (names, shapes and dtype checked)."""
    n_hidden = arrays["weight_hh_l0"].shape[1]
    n_in = arrays["weight_ih_l0"].shape[1]
    n_out = arrays["readout.weight"].shape[0]
    m = make_model(cell, n_in, n_hidden, n_out)
    state = {k: torch.from_numpy(np.asarray(arrays[k], dtype=np.float64).copy()) for k in PARAM_NAMES if k in arrays}
    m.load_state_dict(state, strict=True)  # raises on a missing/unexpected name or a wrong shape
    return m


def shapes(cell, n_in, n_hidden, n_out):
    g = GATES[cell]
    return {"weight_ih_l0": (g * n_hidden, n_in), "weight_hh_l0": (g * n_hidden, n_hidden),
            "bias_ih_l0": (g * n_hidden,), "bias_hh_l0": (g * n_hidden,),
            "readout.weight": (n_out, n_hidden), "readout.bias": (n_out,)}


def fmt(x):
    return "%.1e" % x


# ---------------------------------------------------------------------------------------------
# init cases

def init_case(rng, tmp, idx, cell):
    n_in, n_hidden, n_out = (int(v) for v in rng.integers(1, 6, size=3))
    seed = int(rng.integers(0, 2 ** 31))
    name = "init %s I=%d H=%d O=%d seed=%d" % (cell, n_in, n_hidden, n_out, seed)
    p1 = os.path.join(tmp, "init%d-a.npz" % idx)
    p2 = os.path.join(tmp, "init%d-b.npz" % idx)

    def run_java():
        for p in (p1, p2):
            run_bptt(["init", "--cell", cell, "--input", n_in, "--hidden", n_hidden, "--output", n_out,
                      "--seed", seed, "--out", p])

    def check():
        a = load_npz(p1)
        b = load_npz(p2)
        want = shapes(cell, n_in, n_hidden, n_out)
        if set(a) != set(want):
            raise CaseFailure("names %s, want %s" % (sorted(a), sorted(want)))
        for k, arr in a.items():
            if arr.dtype != np.float64:
                raise CaseFailure("%s has dtype %s, want float64" % (k, arr.dtype))
            if not np.array_equal(arr, b[k]):
                raise CaseFailure("%s differs between two runs with the same seed" % k)
        m = load_model(cell, a)  # strict load into nn.RNN/GRU/LSTM + Linear
        bound = 1.0 / math.sqrt(n_hidden)
        worst = 0.0
        for k, p in m.named_parameters():
            v = p.detach().numpy()
            worst = max(worst, float(np.max(np.abs(v))) / bound)
            if np.any(v < -bound) or np.any(v > bound):
                raise CaseFailure("%s has values outside [-1/sqrt(H), 1/sqrt(H)] = +-%.6g: min %.6g max %.6g"
                                  % (k, bound, v.min(), v.max()))
        allv = np.concatenate([v.ravel() for v in a.values()])
        if allv.size > 1 and np.unique(allv).size < allv.size // 2:
            raise CaseFailure("values are not random (%d distinct of %d)" % (np.unique(allv).size, allv.size))
        # The module runs: one forward pass.
        with torch.no_grad():
            out, _ = m(torch.zeros(1, 2, n_in))
            m.readout(out)
        return "%s: loads into nn.%s, max|w|*sqrt(H) = %.4f <= 1, same seed same file  ok" % (
            name, {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}[cell], worst)

    return run_java, check


# ---------------------------------------------------------------------------------------------
# grad cases

def make_steps(rng, n_in, n_out, loss, k1):
    """Random steps of 3-4 interleaved keys, as a list of dicts in input order.

    Covers: a mid-stream `last` followed by the same key at step 0 again, sequences of length 1,
    sequences shorter than k1, sequences longer than k1, keys ending without `last`
    (closed by the end of input), steps without target (key omitted or null), explicit last=false."""

    def long_len():
        return int(rng.integers(k1 + 1, 3 * k1 + 6))

    def short_len():
        return int(rng.integers(1, k1)) if k1 > 1 else 1

    # per key: list of (length, ends_with_last)
    plan = {
        "sensor-7": [(1, True), (long_len(), True), (short_len(), bool(rng.integers(0, 2)))],
        "b": [(short_len(), True), (long_len(), bool(rng.integers(0, 2)))],
        "k.3": [(long_len(), False)],
    }
    if rng.integers(0, 2):
        plan["key/4"] = [(int(rng.integers(1, 2 * k1 + 4)), True), (1, False)]

    streams = {}
    t_ms = 1700000000000
    for key, seqs in plan.items():
        recs = []
        for length, ends in seqs:
            for s in range(length):
                rec = {"key": key, "step": s, "time": 0,
                       "input": [float(v) for v in rng.normal(0.0, 1.0, size=n_in)]}
                r = rng.random()
                if r < 0.72:
                    if loss == "mse":
                        rec["target"] = [float(v) for v in rng.normal(0.0, 1.0, size=n_out)]
                    else:
                        rec["target"] = int(rng.integers(0, n_out))
                elif r < 0.86:
                    rec["target"] = None
                # else: no target key at all
                if s == length - 1 and ends:
                    rec["last"] = True
                elif rng.random() < 0.2:
                    rec["last"] = False
                recs.append(rec)
        streams[key] = recs

    # Interleave the keys at random, keeping each key's order.
    pos = {k: 0 for k in streams}
    out = []
    while True:
        left = [k for k in streams if pos[k] < len(streams[k])]
        if not left:
            break
        weights = np.array([len(streams[k]) - pos[k] for k in left], dtype=np.float64)
        k = left[int(rng.choice(len(left), p=weights / weights.sum()))]
        rec = streams[k][pos[k]]
        pos[k] += 1
        t_ms += int(rng.integers(0, 50))
        rec["time"] = t_ms
        out.append(rec)
    if not any(r.get("target") is not None for r in out):  # at least one loss term
        out[0]["target"] = [0.5] * n_out if loss == "mse" else 0
    return out


def split_sequences(records):
    """Sequences in the order they start, from records in input order (by key; `last` ends one)."""
    open_seq = {}
    seqs = []
    for rec in records:
        key = rec["key"]
        if key not in open_seq:
            if rec["step"] != 0:
                raise CaseFailure("generator bug: sequence of %s starts at step %d" % (key, rec["step"]))
            open_seq[key] = []
            seqs.append(open_seq[key])
        seq = open_seq[key]
        if rec["step"] != len(seq):
            raise CaseFailure("generator bug: step gap in %s" % key)
        seq.append(rec)
        if rec.get("last"):
            del open_seq[key]
    return seqs


def torch_tbptt(cell, arrays, records, k1, k2, loss):
    """TBPTT(k1, k2) gradient sum, loss sum and loss-term count, with torch autograd in float64."""
    m = load_model(cell, arrays)
    n_hidden = m.hidden_size
    for p in m.parameters():
        p.grad = None
    loss_sum = 0.0
    loss_terms = 0
    for seq in split_sequences(records):
        n = len(seq)
        x = torch.tensor([r["input"] for r in seq], dtype=torch.float64)  # (n, I)
        # States before each step, from a forward pass without gradient (held constant later).
        before = []
        h = torch.zeros(1, 1, n_hidden)
        c = torch.zeros(1, 1, n_hidden)
        with torch.no_grad():
            for t in range(n):
                before.append((h, c))
                xt = x[t].view(1, 1, -1)
                if cell == "lstm":
                    _, (h, c) = m(xt, (h, c))
                else:
                    _, h = m(xt, h)
        prev_close = -1
        for t in range(n):
            if not ((t + 1) % k1 == 0 or t == n - 1):
                continue
            loss_steps = [s for s in range(prev_close + 1, t + 1) if seq[s].get("target") is not None]
            prev_close = t
            if not loss_steps:
                continue
            start = max(0, t - k2 + 1)
            if loss_steps[0] < start:
                raise CaseFailure("reference bug: loss step before the window's first step")
            h0, c0 = before[start]
            h0 = h0.detach()
            c0 = c0.detach()
            xs = x[start:t + 1].unsqueeze(0)  # (1, L, I), batch_first
            if cell == "lstm":
                out, _ = m(xs, (h0, c0))
            else:
                out, _ = m(xs, h0)
            y = m.readout(out[0])  # (L, O)
            window_loss = torch.zeros(())
            for s in loss_steps:
                ys = y[s - start]
                tgt = seq[s]["target"]
                if loss == "mse":
                    window_loss = window_loss + 0.5 * torch.sum((ys - torch.tensor(tgt, dtype=torch.float64)) ** 2)
                else:
                    window_loss = window_loss + F.cross_entropy(ys.unsqueeze(0), torch.tensor([int(tgt)]),
                                                                reduction="sum")
            window_loss.backward()  # accumulates into .grad: the sum over windows and keys
            loss_sum += float(window_loss.detach())
            loss_terms += len(loss_steps)
    grads = {}
    for name, p in m.named_parameters():
        grads[name] = p.grad.numpy().copy() if p.grad is not None else np.zeros(tuple(p.shape))
    return grads, loss_sum, loss_terms


def grad_case(rng, tmp, idx, cell, loss, kpair, float32_params):
    n_in = int(rng.integers(1, 6))
    n_hidden = int(rng.integers(1, 6))
    n_out = int(rng.integers(2, 6)) if loss == "xent" else int(rng.integers(1, 6))
    k1, k2 = kpair
    records = make_steps(rng, n_in, n_out, loss, k1)
    if k2 is None:  # (k1, >= T): k2 at least the longest sequence
        longest = max(len(s) for s in split_sequences(records))
        k2 = max(k1, longest + int(rng.integers(0, 3)))
    params_path = os.path.join(tmp, "grad%d-params.npz" % idx)
    steps_path = os.path.join(tmp, "grad%d-steps.jsonl" % idx)
    out_path = os.path.join(tmp, "grad%d-out.npz" % idx)
    with open(steps_path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    if float32_params:
        arrs = {k: rng.uniform(-0.9, 0.9, size=s).astype(np.float32)
                for k, s in shapes(cell, n_in, n_hidden, n_out).items()}
        np.savez(params_path, **arrs)
        source = "numpy-f32"
        seed = None
    else:
        seed = int(rng.integers(0, 2 ** 31))
        source = "init"
    name = "grad %s %s k1=%d k2=%d I=%d H=%d O=%d steps=%d params=%s" % (
        cell, loss, k1, k2, n_in, n_hidden, n_out, len(records), source)

    def run_java():
        if seed is not None:
            run_bptt(["init", "--cell", cell, "--input", n_in, "--hidden", n_hidden, "--output", n_out,
                      "--seed", seed, "--out", params_path])
        run_bptt(["grad", "--params", params_path, "--steps", steps_path, "--k1", k1, "--k2", k2,
                  "--loss", loss, "--out", out_path])

    def check():
        params = load_npz(params_path)  # float32 values become exact float64 values
        got = load_npz(out_path)
        ref, ref_loss_sum, ref_terms = torch_tbptt(cell, params, records, k1, k2, loss)
        want_names = set(PARAM_NAMES) | {"loss_sum", "loss_terms"}
        if set(got) != want_names:
            raise CaseFailure("names %s, want %s" % (sorted(got), sorted(want_names)))
        worst = 0.0
        worst_name = ""
        for k in PARAM_NAMES:
            if got[k].dtype != np.float64:
                raise CaseFailure("%s has dtype %s, want float64" % (k, got[k].dtype))
            e = rel_err(got[k], ref[k])
            if e > worst or not worst_name:
                worst, worst_name = e, k
        for k in ("loss_sum", "loss_terms"):
            if got[k].shape != ():
                raise CaseFailure("%s has shape %s, want 0-d" % (k, got[k].shape))
        if float(got["loss_terms"]) != ref_terms:
            raise CaseFailure("loss_terms %s, torch %d" % (got["loss_terms"], ref_terms))
        e = rel_err(got["loss_sum"], ref_loss_sum)
        if e > worst:
            worst, worst_name = e, "loss_sum"
        ok = worst <= TOL
        line = "%s: terms=%d max rel err %s (%s)  %s" % (
            name, ref_terms, fmt(worst), worst_name, "ok" if ok else "FAILED (> %g)" % TOL)
        if not ok:
            details = []
            for k in PARAM_NAMES:
                details.append("    %s: rel err %s\n      bptt  %s\n      torch %s" % (
                    k, fmt(rel_err(got[k], ref[k])), np.array2string(got[k].ravel(), precision=10),
                    np.array2string(ref[k].ravel(), precision=10)))
            details.append("    loss_sum bptt %.17g torch %.17g" % (float(got["loss_sum"]), ref_loss_sum))
            details.append("    params %s steps %s" % (params_path, steps_path))
            raise CaseFailure(line + "\n" + "\n".join(details), full=True)
        return line

    return run_java, check


# ---------------------------------------------------------------------------------------------
# optimizer cases

def torch_update(params, grads, optimizer, lr, momentum, clip, reduction):
    """The update rule with torch.optim and clip_grad_norm_; returns new params and steps taken."""
    ps = {k: torch.tensor(np.asarray(params[k], dtype=np.float64), requires_grad=True) for k in PARAM_NAMES}
    plist = [ps[k] for k in PARAM_NAMES]
    if optimizer == "sgd":
        opt = torch.optim.SGD(plist, lr=lr, momentum=momentum)
    else:
        opt = torch.optim.Adam(plist, lr=lr)  # betas (0.9, 0.999), eps 1e-8, no weight decay
    steps = 0
    for g in grads:
        n = float(g["loss_terms"])
        if n == 0:
            continue
        for k in PARAM_NAMES:
            arr = np.asarray(g[k], dtype=np.float64)
            ps[k].grad = torch.tensor(arr / n if reduction == "mean" else arr)
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(plist, clip)
        opt.step()
        steps += 1
    return {k: ps[k].detach().numpy().copy() for k in PARAM_NAMES}, steps


def opt_case(rng, tmp, idx, optimizer, momentum, clip_mode, reduction, explicit_lr):
    cell = CELLS[idx % 3]
    n_in, n_hidden, n_out = (int(v) for v in rng.integers(1, 6, size=3))
    shp = shapes(cell, n_in, n_hidden, n_out)
    params = {k: rng.uniform(-0.5, 0.5, size=s) for k, s in shp.items()}
    n_files = int(rng.integers(3, 5))
    zero_at = int(rng.integers(1, n_files))  # never first, so the skipped step is mid-stream or last
    grads = []
    for i in range(n_files):
        terms = 0 if i == zero_at else int(rng.integers(1, 20))
        g = {k: (rng.normal(0.0, 1.0, size=s) * terms if terms else np.zeros(s)) for k, s in shp.items()}
        g["loss_sum"] = np.array(float(rng.uniform(0, 10)) * terms)
        g["loss_terms"] = np.array(float(terms))
        grads.append(g)
    norms = []
    for g in grads:
        n = float(g["loss_terms"])
        if n:
            norms.append(math.sqrt(sum(float(np.sum((g[k] / (n if reduction == "mean" else 1.0)) ** 2))
                                       for k in PARAM_NAMES)))
    clip = {"none": 0.0, "small": 0.25 * min(norms), "large": 10.0 * max(norms)}[clip_mode]
    if explicit_lr:
        lr = float(rng.uniform(0.005, 0.05)) if optimizer == "sgd" else float(rng.uniform(0.002, 0.02))
    else:
        lr = 0.01 if optimizer == "sgd" else 0.001
    p_path = os.path.join(tmp, "opt%d-params.npz" % idx)
    out_path = os.path.join(tmp, "opt%d-out.npz" % idx)
    np.savez(p_path, **params)
    g_paths = []
    for i, g in enumerate(grads):
        gp = os.path.join(tmp, "opt%d-grad%d.npz" % (idx, i))
        np.savez(gp, **g)
        g_paths.append(gp)
    clipped = sum(1 for nrm in norms if clip > 0 and clip / (nrm + 1e-6) < 1)
    label = optimizer + (" momentum=0.9" if momentum else "")
    name = "opt %s %s clip=%s(%s, clips %d/%d steps) %s lr=%s files=%d (loss_terms 0 at #%d)" % (
        label, reduction, clip_mode, "%.3g" % clip, clipped, len(norms), cell,
        ("%.4g" % lr) if explicit_lr else "default", n_files, zero_at + 1)
    if clip_mode == "small" and clipped != len(norms):
        raise CaseFailure("generator bug: small clip does not trigger")
    if clip_mode == "large" and clipped:
        raise CaseFailure("generator bug: large clip triggers")

    def run_java():
        args = ["update", "--params", p_path, "--optimizer", optimizer, "--reduction", reduction, "--out", out_path]
        for gp in g_paths:
            args += ["--grad", gp]
        if explicit_lr:
            args += ["--lr", repr(lr)]
        if momentum:
            args += ["--momentum", repr(momentum)]
        if clip_mode != "none":
            args += ["--clip-norm", repr(clip)]
        run_bptt(args)

    def check():
        got = load_npz(out_path)
        ref, steps = torch_update(params, grads, optimizer, lr, momentum, clip, reduction)
        if set(got) != set(PARAM_NAMES):
            raise CaseFailure("names %s, want %s" % (sorted(got), sorted(PARAM_NAMES)))
        worst = 0.0
        worst_name = ""
        for k in PARAM_NAMES:
            if got[k].dtype != np.float64:
                raise CaseFailure("%s has dtype %s, want float64" % (k, got[k].dtype))
            # Relative to the change the updates made (stricter than relative to the parameters).
            e = rel_err(got[k] - params[k], ref[k] - params[k])
            if e > worst or not worst_name:
                worst, worst_name = e, k
        ok = worst <= TOL
        line = "%s: %d steps, max rel err of the change %s (%s)  %s" % (
            name, steps, fmt(worst), worst_name, "ok" if ok else "FAILED (> %g)" % TOL)
        if not ok:
            details = ["    %s: bptt %s\n      torch %s" % (k, np.array2string(got[k].ravel(), precision=12),
                                                          np.array2string(ref[k].ravel(), precision=12))
                       for k in PARAM_NAMES]
            raise CaseFailure(line + "\n" + "\n".join(details), full=True)
        return line

    return run_java, check


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1, help="seed of every random choice (default 1)")
    ap.add_argument("--cases", type=int, default=30,
                    help="gradient cases; they cycle through every (k1, k2) x cell x loss, 30 covers each once "
                         "(default 30)")
    ap.add_argument("--jobs", type=int, default=max(2, min(4, os.cpu_count() or 2)),
                    help="./bptt processes run at once (default: 2..4 by CPU count)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir and print where it is")
    args = ap.parse_args()
    if args.cases < 0 or args.jobs < 1:
        ap.error("--cases must be >= 0 and --jobs >= 1")

    started = time.time()
    print("torch-crosscheck: torch %s, numpy %s, seed %d, tolerance %g" % (torch.__version__, np.__version__,
                                                                           args.seed, TOL))
    print("relative error of an array = max_i |bptt_i - torch_i| / max_i |torch_i| (infinity norms; 0 if both "
          "are all zero, inf if only torch is); a case's figure is the max over its arrays (grad: every "
          "parameter gradient and loss_sum, loss_terms must be equal; opt: the change params_out - params_in)",
          flush=True)

    passed = 0
    failed = 0
    tmp = tempfile.mkdtemp(prefix="torch-crosscheck-")
    try:
        # Build once (a fresh clone builds on first use) before running commands in parallel.
        proc = subprocess.run([BPTT, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=1800)
        if proc.returncode != 0:
            print("./bptt --help failed (exit %d): %s" % (proc.returncode, (proc.stderr or proc.stdout)[-2000:]))
            print("0 passed, 1 failed")
            return 1

        rng = np.random.default_rng(args.seed)
        cases = []  # (label, run_java, check) or (label, None, error)

        def add(label, factory, *fargs):
            try:
                run_java, check = factory(rng, tmp, len(cases), *fargs)
                cases.append((label, run_java, check))
            except Exception as e:  # a case that cannot even be prepared fails
                cases.append((label, None, e))

        for cell in CELLS:
            add("init %s" % cell, init_case, cell)
        kpairs = [(1, 1), (3, 3), (3, 7), (4, None), (2, 5)]  # None: k2 >= the longest sequence
        combos = [(cell, loss, kp) for kp in kpairs for cell in CELLS for loss in LOSSES]
        for i in range(args.cases):
            cell, loss, kp = combos[i % len(combos)]
            add("grad %s %s %s" % (cell, loss, kp), grad_case, cell, loss, kp, i % 4 == 3)
        for optimizer, momentum in (("sgd", 0.0), ("sgd", 0.9), ("adam", 0.0)):
            for clip_mode in ("none", "small", "large"):
                for reduction in ("mean", "sum"):
                    add("opt %s %s %s %s" % (optimizer, momentum, clip_mode, reduction), opt_case,
                        optimizer, momentum, clip_mode, reduction, reduction == "sum")

        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(run_java) if run_java else None for _, run_java, _ in cases]
            for (label, run_java, check), fut in zip(cases, futures):
                try:
                    if run_java is None:
                        raise check
                    fut.result()
                    line = check()
                    passed += 1
                    print(line, flush=True)
                except CaseFailure as e:
                    failed += 1
                    print(str(e) if e.full else "%s: FAILED: %s" % (label, e), flush=True)
                except Exception:
                    failed += 1
                    print("%s: FAILED with an unexpected error:\n%s" % (label, traceback.format_exc()), flush=True)
    except Exception:
        failed += 1
        print("unexpected error:\n%s" % traceback.format_exc(), flush=True)
    finally:
        if args.keep:
            print("kept temp dir %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("took %.1f s" % (time.time() - started))
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
