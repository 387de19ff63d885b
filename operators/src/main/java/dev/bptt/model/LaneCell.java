package dev.bptt.model;

import java.util.Arrays;

/**
 * One recurrent step of n keys in feature-major layout: every array is (features x n), row j
 * holding feature j of all keys ({@code a[j * n + b]}), so the keys are the vector lanes of the
 * products ({@link Kernels#laneMultAdd}) and of the element loops. A key's numbers never mix
 * with another key's: they are the same whatever else is in the batch, and equal to its
 * {@link Cell} alone to rounding (the sums run in another order). Used by {@link BatchForward}
 * and {@link BatchBackward}. A workspace for up to {@code capacity} keys; not thread-safe;
 * allocates nothing after construction.
 */
abstract class LaneCell {

    protected final int hidden;
    protected final int capacity;
    /** {@link #slots}({@code capacity}): the keys a workspace array has room for. */
    protected final int slots;

    LaneCell(ModelShape shape, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("batch capacity must be >= 1, got " + capacity);
        }
        this.hidden = shape.hiddenSize();
        this.capacity = capacity;
        this.slots = slots(capacity);
    }

    /**
     * Room for {@code capacity} keys in a (features x n) workspace: capacity rounded up to a whole
     * vector ({@link Kernels#lanes()}). The kernels end a row of n keys with one masked vector,
     * which must lie inside its array: on JDK 17 a masked load that reaches past the end takes a
     * slow per-lane path. A batch of 60 keys in a workspace of exactly 60 ran its backward pass
     * 3.8 times slower than in one of 64 (JMH, BENCHMARKS.md section 1).
     */
    static int slots(int capacity) {
        int lanes = Kernels.lanes();
        return (capacity + lanes - 1) / lanes * lanes;
    }

    static LaneCell create(ModelShape shape, int capacity) {
        return switch (shape.cell()) {
            case RNN -> new Rnn(shape, capacity);
            case GRU -> new Gru(shape, capacity);
            case LSTM -> new Lstm(shape, capacity);
        };
    }

    /** True when the gradients towards W_hh and W_ih differ (gru), so backward needs two arrays. */
    boolean separateRecurrentGradient() {
        return false;
    }

    final void checkBatch(int n) {
        if (n < 1 || n > capacity) {
            throw new IllegalArgumentException("batch of " + n + " keys, capacity is " + capacity);
        }
    }

    /**
     * {@code s_t = f(s_{t-1}, x_t; w)} for n keys; remembers the gates.
     *
     * @param xt x_t, I x n (not modified)
     * @param st s_{t-1}, S x n (not modified)
     * @param out receives s_t, S x n (modified; must not alias st)
     */
    abstract void forward(Parameters w, double[] xt, double[] st, double[] out, int n);

    /**
     * The vector-Jacobian products of the step last computed by {@link #forward} (same st).
     *
     * @param ds dL/ds_t, S x n (not modified)
     * @param dsPrev receives dL/ds_{t-1}, S x n (modified)
     * @param aIh receives the gradient towards W_ih x + b_ih, G x n (modified)
     * @param aHh receives the gradient towards W_hh h + b_hh, G x n (modified); may be aIh unless
     *     {@link #separateRecurrentGradient()}
     */
    abstract void backward(Parameters w, double[] st, double[] ds, double[] dsPrev, double[] aIh, double[] aHh,
            int n);

    /**
     * True when all {@link #backward} needs of a step's forward pass is its result s_t (the Elman
     * cell: {@code dL/d(pre) = dL/ds_t (1 - s_t^2)}), so a step whose s_t is known (stored as the
     * next step's s_{t-1}) need not be recomputed: {@link #forwardKnown} instead of {@link #forward}.
     */
    boolean backwardNeedsOnlyTheState() {
        return false;
    }

    /**
     * Takes {@code out} = s_t of n keys (S x n, not modified) as the result of the step that
     * {@link #backward} runs next, in place of {@link #forward}; requires
     * {@link #backwardNeedsOnlyTheState()}.
     */
    void forwardKnown(double[] out, int n) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " needs its gates: recompute the step");
    }

    /**
     * Values per key that {@link #saveActivations} keeps of a step and {@link #forwardFrom} takes
     * back in place of recomputing it: 0 for the Elman cell (its backward needs only s_t), 4H for
     * the GRU (r, z, n and the hidden part of n) and the LSTM (i, f, g, o).
     */
    int activationSize() {
        return 0;
    }

    /**
     * Writes the activations of the step last computed by {@link #forward}, key b's row at
     * {@code dst[off + b * stride, + activationSize())} (modified), key-major: what a key keeps
     * of its step for the backward pass.
     */
    void saveActivations(double[] dst, int off, int stride, int n) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no activations");
    }

    /**
     * In place of {@link #forward}: the step of n keys from the activations that
     * {@link #saveActivations} kept when it ran with the same s_{t-1} and parameters, without its
     * products. Its s_t and what {@link #backward} needs are the same, bit for bit, as forward's:
     * the same element operations on the same numbers.
     *
     * @param src key b's activations at {@code [off + b * stride, + activationSize())} (not modified)
     * @param st s_{t-1}, S x n (not modified)
     * @param out receives s_t, S x n (modified)
     */
    void forwardFrom(double[] src, int off, int stride, double[] st, double[] out, int n) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no activations");
    }

    /** As {@link RnnCell}. */
    static final class Rnn extends LaneCell {
        private final double[] h;

        Rnn(ModelShape shape, int capacity) {
            super(shape, capacity);
            h = new double[hidden * slots];
        }

        @Override
        void forward(Parameters w, double[] xt, double[] st, double[] out, int n) {
            checkBatch(n);
            Kernels.laneBiasMult2(w.biasIh.data, w.biasHh.data, w.weightIh, xt, 0, n, w.weightHh, st, 0, n, out, 0,
                    n, n);
            Kernels.tanhInPlace(out, 0, hidden * n);
            System.arraycopy(out, 0, h, 0, hidden * n);
        }

        @Override
        boolean backwardNeedsOnlyTheState() {
            return true;
        }

        @Override
        void forwardKnown(double[] out, int n) {
            checkBatch(n);
            System.arraycopy(out, 0, h, 0, hidden * n);
        }

        @Override
        void backward(Parameters w, double[] st, double[] ds, double[] dsPrev, double[] aIh, double[] aHh, int n) {
            final int hn = hidden * n;
            for (int i = 0; i < hn; i++) {
                aIh[i] = ds[i] * (1.0 - h[i] * h[i]);
            }
            Arrays.fill(dsPrev, 0, hn, 0.0);
            Kernels.laneMultTransAdd(w.weightHh, aIh, 0, n, dsPrev, 0, n, n);
        }
    }

    /** As {@link GruCell}: gate blocks (r, z, n). */
    static final class Gru extends LaneCell {
        private final double[] gi;
        private final double[] gh;
        private final double[] rz;
        private final double[] nn;

        Gru(ModelShape shape, int capacity) {
            super(shape, capacity);
            gi = new double[3 * hidden * slots];
            gh = new double[3 * hidden * slots];
            rz = new double[2 * hidden * slots];
            nn = new double[hidden * slots];
        }

        @Override
        boolean separateRecurrentGradient() {
            return true;
        }

        @Override
        void forward(Parameters w, double[] xt, double[] st, double[] out, int n) {
            checkBatch(n);
            final int hn = hidden * n;
            Kernels.laneBiasMult2(w.biasIh.data, null, w.weightIh, xt, 0, n, null, null, 0, 0, gi, 0, n, n);
            Kernels.laneBiasMult2(w.biasHh.data, null, w.weightHh, st, 0, n, null, null, 0, 0, gh, 0, n, n);
            for (int i = 0; i < 2 * hn; i++) {
                rz[i] = gi[i] + gh[i];
            }
            Kernels.sigmoidInPlace(rz, 0, 2 * hn);
            for (int i = 0; i < hn; i++) {
                nn[i] = gi[2 * hn + i] + rz[i] * gh[2 * hn + i];
            }
            Kernels.tanhInPlace(nn, 0, hn);
            state(st, out, hn);
        }

        /** {@code s_t = (s_{t-1} - n) z + n}. */
        private void state(double[] st, double[] out, int hn) {
            for (int i = 0; i < hn; i++) {
                out[i] = (st[i] - nn[i]) * rz[hn + i] + nn[i];
            }
        }

        @Override
        int activationSize() {
            return 4 * hidden;
        }

        /** Row of a key: r, z (2H), n (H), the hidden part of n's pre-activation (H). */
        @Override
        void saveActivations(double[] dst, int off, int stride, int n) {
            final int hn = hidden * n;
            BatchForward.fromLanes(rz, 0, 2 * hidden, n, dst, off, stride);
            BatchForward.fromLanes(nn, 0, hidden, n, dst, off + 2 * hidden, stride);
            BatchForward.fromLanes(gh, 2 * hn, hidden, n, dst, off + 3 * hidden, stride);
        }

        @Override
        void forwardFrom(double[] src, int off, int stride, double[] st, double[] out, int n) {
            checkBatch(n);
            final int hn = hidden * n;
            BatchForward.toLanes(src, off, stride, 2 * hidden, n, rz, 0);
            BatchForward.toLanes(src, off + 2 * hidden, stride, hidden, n, nn, 0);
            BatchForward.toLanes(src, off + 3 * hidden, stride, hidden, n, gh, 2 * hn);
            state(st, out, hn);
        }

        @Override
        void backward(Parameters w, double[] st, double[] ds, double[] dsPrev, double[] aIh, double[] aHh, int n) {
            final int hn = hidden * n;
            for (int i = 0; i < hn; i++) {
                double e = ds[i];
                double r = rz[i];
                double z = rz[hn + i];
                double nv = nn[i];
                double nBar = e * (1.0 - z) * (1.0 - nv * nv);
                double zBar = e * (st[i] - nv) * z * (1.0 - z);
                double rBar = nBar * gh[2 * hn + i] * r * (1.0 - r);
                aIh[i] = rBar;
                aIh[hn + i] = zBar;
                aIh[2 * hn + i] = nBar;
                aHh[i] = rBar;
                aHh[hn + i] = zBar;
                aHh[2 * hn + i] = nBar * r;
                dsPrev[i] = e * z;
            }
            Kernels.laneMultTransAdd(w.weightHh, aHh, 0, n, dsPrev, 0, n, n);
        }
    }

    /** As {@link LstmCell}: gate blocks (i, f, g, o); the state is h in rows [0, H), c in [H, 2H). */
    static final class Lstm extends LaneCell {
        private final double[] a;
        private final double[] tanhC;

        Lstm(ModelShape shape, int capacity) {
            super(shape, capacity);
            a = new double[4 * hidden * slots];
            tanhC = new double[hidden * slots];
        }

        @Override
        void forward(Parameters w, double[] xt, double[] st, double[] out, int n) {
            checkBatch(n);
            final int hn = hidden * n;
            Kernels.laneBiasMult2(w.biasIh.data, w.biasHh.data, w.weightIh, xt, 0, n, w.weightHh, st, 0, n, a, 0, n,
                    n);
            Kernels.sigmoidInPlace(a, 0, 2 * hn);
            Kernels.tanhInPlace(a, 2 * hn, hn);
            Kernels.sigmoidInPlace(a, 3 * hn, hn);
            state(st, out, hn);
        }

        /** From the gates: {@code c_t = f c_{t-1} + i g}, {@code h_t = o tanh(c_t)}. */
        private void state(double[] st, double[] out, int hn) {
            for (int i = 0; i < hn; i++) {
                double c = a[hn + i] * st[hn + i] + a[i] * a[2 * hn + i];
                out[hn + i] = c;
                tanhC[i] = c;
            }
            Kernels.tanhInPlace(tanhC, 0, hn);
            for (int i = 0; i < hn; i++) {
                out[i] = a[3 * hn + i] * tanhC[i];
            }
        }

        @Override
        int activationSize() {
            return 4 * hidden;
        }

        /** Row of a key: the gates i, f, g, o (tanh(c_t) follows from them and c_{t-1}). */
        @Override
        void saveActivations(double[] dst, int off, int stride, int n) {
            BatchForward.fromLanes(a, 0, 4 * hidden, n, dst, off, stride);
        }

        @Override
        void forwardFrom(double[] src, int off, int stride, double[] st, double[] out, int n) {
            checkBatch(n);
            BatchForward.toLanes(src, off, stride, 4 * hidden, n, a, 0);
            state(st, out, hidden * n);
        }

        @Override
        void backward(Parameters w, double[] st, double[] ds, double[] dsPrev, double[] aIh, double[] aHh, int n) {
            final int hn = hidden * n;
            for (int k = 0; k < hn; k++) {
                double i = a[k];
                double f = a[hn + k];
                double g = a[2 * hn + k];
                double o = a[3 * hn + k];
                double tc = tanhC[k];
                double dh = ds[k];
                double cBar = ds[hn + k] + dh * o * (1.0 - tc * tc);
                aIh[k] = cBar * g * i * (1.0 - i);
                aIh[hn + k] = cBar * st[hn + k] * f * (1.0 - f);
                aIh[2 * hn + k] = cBar * i * (1.0 - g * g);
                aIh[3 * hn + k] = dh * tc * o * (1.0 - o);
                dsPrev[hn + k] = cBar * f;
            }
            Arrays.fill(dsPrev, 0, hn, 0.0);
            Kernels.laneMultTransAdd(w.weightHh, aIh, 0, n, dsPrev, 0, n, n);
        }
    }
}
