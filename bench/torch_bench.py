#!/usr/bin/env python3
"""PyTorch's side of bench/run-kernels.sh and bench/run-job.sh: TBPTT k=32 training throughput in float64.

For each cell (rnn = Elman tanh, gru, lstm), hidden size and batch: windows of 32 steps through
the cell, a linear readout and mse at every step, then backward, one SGD step and the state
detached. --mode layer (the default, PyTorch's fastest form) runs each window through
torch.nn.RNN/GRU/LSTM in one call; --mode cells loops over RNNCell/GRUCell/LSTMCell in Python.
--threads sets torch.set_num_threads (default 1; run-job.sh also runs 2, with OPENBLAS_NUM_THREADS
set to match). Prints one JSON object per line: {"cell": ..., "hidden": ..., "batch": ..., "steps_per_s": ...}.
"""
import argparse
import json
import time

import torch

INPUT, OUTPUT, K = 16, 4, 32


def make_layer(cell, hidden):
    if cell == "rnn":
        return torch.nn.RNN(INPUT, hidden, nonlinearity="tanh")
    if cell == "gru":
        return torch.nn.GRU(INPUT, hidden)
    return torch.nn.LSTM(INPUT, hidden)


def make(cell, hidden):
    if cell == "rnn":
        return torch.nn.RNNCell(INPUT, hidden, nonlinearity="tanh")
    if cell == "gru":
        return torch.nn.GRUCell(INPUT, hidden)
    return torch.nn.LSTMCell(INPUT, hidden)


def measure(cell_name, hidden, batch, seconds, repeats, mode):
    torch.manual_seed(7)
    cell = make(cell_name, hidden) if mode == "cells" else make_layer(cell_name, hidden)
    readout = torch.nn.Linear(hidden, OUTPUT)
    params = list(cell.parameters()) + list(readout.parameters())
    opt = torch.optim.SGD(params, lr=1e-4)
    xs = torch.rand(K, batch, INPUT) * 2 - 1
    ys = torch.rand(K, batch, OUTPUT) * 2 - 1
    zero = torch.zeros(batch, hidden) if mode == "cells" else torch.zeros(1, batch, hidden)
    state = (zero, zero.clone()) if cell_name == "lstm" else zero

    def layer_window(state):
        out, state = cell(xs, state)
        loss = 0.5 * ((readout(out) - ys) ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return tuple(s.detach() for s in state) if cell_name == "lstm" else state.detach()

    def cells_window(state):
        loss = 0.0
        for t in range(K):
            state = cell(xs[t], state)
            h = state[0] if cell_name == "lstm" else state
            loss = loss + 0.5 * ((readout(h) - ys[t]) ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return tuple(s.detach() for s in state) if cell_name == "lstm" else state.detach()

    window = layer_window if mode == "layer" else cells_window
    end = time.perf_counter() + min(1.0, seconds)  # warm-up
    while time.perf_counter() < end:
        state = window(state)
    best = 0.0
    for _ in range(repeats):
        windows = 0
        start = time.perf_counter()
        end = start + seconds
        while True:
            state = window(state)
            windows += 1
            now = time.perf_counter()
            if now >= end:
                break
        best = max(best, windows * K * batch / (now - start))
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cells", default="rnn,gru,lstm")
    parser.add_argument("--hidden", default="64,256")
    parser.add_argument("--batch", default="1,64")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one timed repeat")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats; the best is reported")
    parser.add_argument("--mode", choices=("layer", "cells"), default="layer")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)
    for cell in args.cells.split(","):
        for hidden in map(int, args.hidden.split(",")):
            for batch in map(int, args.batch.split(",")):
                rate = measure(cell, hidden, batch, args.seconds, args.repeats, args.mode)
                print(json.dumps({"cell": cell, "hidden": hidden, "batch": batch, "steps_per_s": rate,
                                  "mode": args.mode, "torch": torch.__version__,
                                  "threads": torch.get_num_threads()}), flush=True)


if __name__ == "__main__":
    main()
