package dev.bptt.model;

import dev.bptt.steps.SequenceStep;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent, deliberately plain implementation of the contract's TBPTT(k1, k2) objective
 * for tests: the PyTorch cell formulas written again over dual numbers, sequences split by key
 * and {@code last}, and the windows listed explicitly. It shares no code with the production
 * recursion (only {@link Parameters} as a container).
 *
 * <p>The truncated objective is {@code J(w) = sum over windows of the window's loss}, each
 * window re-run from the state before its first step, that state computed once with the
 * unperturbed parameters and then held fixed. Its derivative is what TBPTT computes.
 */
final class ReferenceModel {

    /** One window: steps [first, close] of a sequence, losses counted for (counted, close]. */
    record Window(List<SequenceStep> seq, int first, int countedFrom, int close, double[] startState) {}

    private final Parameters base;
    private final Loss loss;
    private final List<Window> windows = new ArrayList<>();

    ReferenceModel(Parameters base, Loss loss, List<SequenceStep> input, int k1, int k2) {
        this.base = base;
        this.loss = loss;
        for (List<SequenceStep> seq : sequences(input)) {
            List<double[]> statesBefore = statesBefore(seq);
            int previousClose = -1;
            for (int t = 0; t < seq.size(); t++) {
                boolean end = t == seq.size() - 1;
                if ((t + 1) % k1 == 0 || seq.get(t).last() || end) {
                    int first = Math.max(0, t - k2 + 1);
                    windows.add(new Window(seq, first, previousClose + 1, t, statesBefore.get(first)));
                    previousClose = t;
                }
            }
        }
    }

    List<Window> windows() {
        return windows;
    }

    /** Splits input order into sequences: per key, a new sequence after each {@code last}. */
    static List<List<SequenceStep>> sequences(List<SequenceStep> input) {
        Map<String, List<SequenceStep>> open = new LinkedHashMap<>();
        List<List<SequenceStep>> all = new ArrayList<>();
        for (SequenceStep step : input) {
            List<SequenceStep> seq = open.computeIfAbsent(step.key(), k -> {
                List<SequenceStep> fresh = new ArrayList<>();
                all.add(fresh);
                return fresh;
            });
            seq.add(step);
            if (step.last()) {
                open.remove(step.key());
            }
        }
        return all;
    }

    /** s_{t-1} for every t of a sequence under the base parameters, s_{-1} = 0. */
    private List<double[]> statesBefore(List<SequenceStep> seq) {
        ModelShape shape = base.shape();
        List<double[]> states = new ArrayList<>();
        Dual[] s = zeros(shape.stateSize());
        for (SequenceStep step : seq) {
            states.add(values(s));
            s = cell(shape, base, -1, step.input(), s);
        }
        return states;
    }

    /** J(w) and dJ/dw[param] with w = base + delta at flat index {@code param} (param -1: no seed). */
    Dual objective(int param, double delta) {
        Parameters w = base.copy();
        if (param >= 0) {
            double[] flat = w.toFlat();
            flat[param] += delta;
            w = Parameters.fromFlat(base.shape(), flat);
        }
        Dual total = Dual.ZERO;
        for (Window win : windows) {
            Dual[] s = constants(win.startState());
            for (int t = win.first(); t <= win.close(); t++) {
                SequenceStep step = win.seq().get(t);
                s = cell(base.shape(), w, param, step.input(), s);
                if (t >= win.countedFrom() && step.hasTarget()) {
                    total = total.plus(lossTerm(w, param, s, step));
                }
            }
        }
        return total;
    }

    /** Full-sequence states h_t (for comparing the production forward pass). */
    List<double[]> states(List<SequenceStep> seq) {
        List<double[]> out = new ArrayList<>();
        Dual[] s = zeros(base.shape().stateSize());
        for (SequenceStep step : seq) {
            s = cell(base.shape(), base, -1, step.input(), s);
            out.add(values(s));
        }
        return out;
    }

    // ---- the formulas, over dual numbers; a parameter is seeded when its flat index == param ----

    private static Dual p(Parameters w, int tensor, int index, int param) {
        int flat = index;
        for (int t = 0; t < tensor; t++) {
            flat += w.tensor(t).getNumElements();
        }
        return new Dual(w.tensor(tensor).data[index], flat == param ? 1 : 0);
    }

    /** Row r of (W x + b) for tensors (weight, bias) and a vector of duals. */
    private static Dual affine(Parameters w, int weight, int bias, int param, int r, Dual[] x) {
        int cols = w.tensor(weight).numCols;
        Dual sum = p(w, bias, r, param);
        for (int c = 0; c < cols; c++) {
            sum = sum.plus(p(w, weight, r * cols + c, param).times(x[c]));
        }
        return sum;
    }

    static Dual[] cell(ModelShape shape, Parameters w, int param, double[] input, Dual[] s) {
        int h = shape.hiddenSize();
        Dual[] x = constants(input);
        Dual[] hPrev = java.util.Arrays.copyOf(s, h);
        int wi = 0, wh = 1, bi = 2, bh = 3;
        Dual[] out = new Dual[shape.stateSize()];
        switch (shape.cell()) {
            case RNN -> {
                for (int j = 0; j < h; j++) {
                    out[j] = affine(w, wi, bi, param, j, x).plus(affine(w, wh, bh, param, j, hPrev)).tanh();
                }
            }
            case GRU -> {
                for (int j = 0; j < h; j++) {
                    Dual r = affine(w, wi, bi, param, j, x).plus(affine(w, wh, bh, param, j, hPrev)).sigmoid();
                    Dual z = affine(w, wi, bi, param, h + j, x).plus(affine(w, wh, bh, param, h + j, hPrev)).sigmoid();
                    Dual n = affine(w, wi, bi, param, 2 * h + j, x)
                            .plus(r.times(affine(w, wh, bh, param, 2 * h + j, hPrev))).tanh();
                    out[j] = Dual.of(1).minus(z).times(n).plus(z.times(hPrev[j]));
                }
            }
            case LSTM -> {
                for (int j = 0; j < h; j++) {
                    Dual i = gate(w, param, j, x, hPrev).sigmoid();
                    Dual f = gate(w, param, h + j, x, hPrev).sigmoid();
                    Dual g = gate(w, param, 2 * h + j, x, hPrev).tanh();
                    Dual o = gate(w, param, 3 * h + j, x, hPrev).sigmoid();
                    Dual c = f.times(s[h + j]).plus(i.times(g));
                    out[h + j] = c;
                    out[j] = o.times(c.tanh());
                }
            }
        }
        return out;
    }

    private static Dual gate(Parameters w, int param, int row, Dual[] x, Dual[] hPrev) {
        return affine(w, 0, 2, param, row, x).plus(affine(w, 1, 3, param, row, hPrev));
    }

    private Dual lossTerm(Parameters w, int param, Dual[] s, SequenceStep step) {
        int o = base.shape().outputSize();
        Dual[] y = new Dual[o];
        for (int j = 0; j < o; j++) {
            y[j] = affine(w, 4, 5, param, j, s);
        }
        if (loss == Loss.MSE) {
            Dual sum = Dual.ZERO;
            for (int j = 0; j < o; j++) {
                Dual diff = y[j].minus(Dual.of(step.target()[j]));
                sum = sum.plus(diff.times(diff));
            }
            return sum.times(Dual.of(0.5));
        }
        Dual sumExp = Dual.ZERO;
        for (Dual v : y) {
            sumExp = sumExp.plus(v.exp());
        }
        return sumExp.log().minus(y[step.targetClass()]);
    }

    private static Dual[] zeros(int n) {
        Dual[] out = new Dual[n];
        java.util.Arrays.fill(out, Dual.ZERO);
        return out;
    }

    private static Dual[] constants(double[] v) {
        Dual[] out = new Dual[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Dual.of(v[i]);
        }
        return out;
    }

    private static double[] values(Dual[] s) {
        double[] out = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i].v();
        }
        return out;
    }
}
