package dev.bptt.model;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;

/**
 * One recurrent step for n rows at once, as matrix-matrix products: row b of every operand is one
 * (step, key). Each row's numbers equal its {@link Cell} run alone to rounding (bit for bit below
 * a vector's width of rows, see {@link #preact}), and never depend on the other rows. Used by
 * {@link RowBackward}, the engine of {@link TbpttWindow}, where the rows are a window's steps. A
 * workspace for up to {@code capacity} rows; not thread-safe; allocates nothing after
 * construction.
 */
abstract class RowCell {

    protected final int hidden;
    protected final int stateSize;
    protected final int gateRows;
    protected final int capacity;
    /** Feature-major scratch for the lane products: an operand (K x n) and the sums (G x n). */
    private final double[] laneIn;
    private final double[] laneIn2;
    private final double[] laneOut;

    RowCell(ModelShape shape, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("batch capacity must be >= 1, got " + capacity);
        }
        this.hidden = shape.hiddenSize();
        this.stateSize = shape.stateSize();
        this.gateRows = shape.gateRows();
        this.capacity = capacity;
        this.laneIn = new double[Math.max(shape.inputSize(), shape.hiddenSize()) * capacity];
        this.laneIn2 = new double[shape.hiddenSize() * capacity];
        this.laneOut = new double[gateRows * capacity];
    }

    static RowCell create(ModelShape shape, int capacity) {
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

    /**
     * {@code s_t = f(s_{t-1}, x_t; w)} for n rows (keys, or steps of a window whose s_{t-1} are
     * known); remembers the gates as rows {@code [row0, row0 + n)} of this workspace.
     *
     * @param x row b's input at {@code xOff + b * xStride} (not modified)
     * @param s row b's s_{t-1} at {@code sOff + b * sStride} (not modified)
     * @param sOut receives row b's s_t at {@code (row0 + b) * S} (modified)
     */
    abstract void forward(Parameters w, double[] x, int xOff, int xStride, double[] s, int sOff, int sStride,
            double[] sOut, int row0, int n);

    /**
     * The vector-Jacobian products of the steps whose gates {@link #forward} left in rows
     * {@code [row0, row0 + n)} (same s):
     * {@code dsPrev = dL/ds_t ds_t/ds_{t-1}}, and the gate gradients whose outer products with
     * x_t and h_{t-1} are the parameter gradients.
     *
     * @param ds dL/ds_t, key b at {@code b * S} (not modified)
     * @param dsPrev receives dL/ds_{t-1}, key b at {@code b * S} (modified)
     * @param aIh receives the gradient towards W_ih x + b_ih, key b at {@code aOff + b * G} (modified)
     * @param aHh receives the gradient towards W_hh h + b_hh (modified); may be aIh unless
     *     {@link #separateRecurrentGradient()}
     */
    abstract void backward(Parameters w, double[] s, int sOff, int sStride, double[] ds, double[] dsPrev,
            double[] aIh, double[] aHh, int aOff, int row0, int n);

    final void checkBatch(int row0, int n) {
        if (n < 1 || row0 < 0 || row0 + n > capacity) {
            throw new IllegalArgumentException("batch of " + n + " rows from row " + row0 + ", capacity is "
                    + capacity);
        }
    }

    /**
     * {@code y_b += A x_b (+ B h_b)} for n rows, y_b at {@code yOff + b * yStride} (modified). With
     * at least a vector's width of rows it runs as lane products (the rows as vector lanes, no
     * horizontal sums: about twice the dot products' speed) between transposes; with fewer, as
     * the dot products of {@link Kernels#multAdd2Rows}. Either way a row's result does not depend
     * on the other rows, only on n's side of that threshold.
     */
    final void preact(DMatrixRMaj a, double[] x, int xOff, int xStride, DMatrixRMaj b, double[] h, int hOff,
            int hStride, double[] y, int yOff, int yStride, int n) {
        if (!Kernels.VECTOR || n < Kernels.lanes()) {
            if (b == null) {
                Kernels.multAddRows(a, x, xOff, xStride, y, yOff, yStride, n);
            } else {
                Kernels.multAdd2Rows(a, x, xOff, xStride, b, h, hOff, hStride, y, yOff, yStride, n);
            }
            return;
        }
        final int rows = a.numRows;
        BatchForward.toLanes(y, yOff, yStride, rows, n, laneOut);
        BatchForward.toLanes(x, xOff, xStride, a.numCols, n, laneIn);
        Kernels.laneMultAdd(a, laneIn, 0, n, laneOut, 0, n, n);
        if (b != null) {
            BatchForward.toLanes(h, hOff, hStride, b.numCols, n, laneIn);
            Kernels.laneMultAdd(b, laneIn, 0, n, laneOut, 0, n, n);
        }
        BatchForward.fromLanes(laneOut, rows, n, y, yOff, yStride);
    }

    /**
     * {@code y_b = (bi + bh) + A x_b (+ B h_b)} for n rows, y_b at {@code yOff + b * yStride}
     * (written; bh and B may be null): the same numbers as filling y with the bias and calling
     * {@link #preact}. With at least a vector's width of rows, one fused lane product
     * ({@link Kernels#laneBiasMult2}) between transposes, so y is not transposed in.
     */
    final void biasPreact(double[] bi, double[] bh, DMatrixRMaj a, double[] x, int xOff, int xStride, DMatrixRMaj b,
            double[] h, int hOff, int hStride, double[] y, int yOff, int yStride, int n) {
        final int rows = a.numRows;
        if (!Kernels.VECTOR || n < Kernels.lanes()) {
            for (int k = 0; k < n; k++) {
                int yb = yOff + k * yStride;
                for (int j = 0; j < rows; j++) {
                    y[yb + j] = bh == null ? bi[j] : bi[j] + bh[j];
                }
            }
            preact(a, x, xOff, xStride, b, h, hOff, hStride, y, yOff, yStride, n);
            return;
        }
        BatchForward.toLanes(x, xOff, xStride, a.numCols, n, laneIn);
        if (b != null) {
            BatchForward.toLanes(h, hOff, hStride, b.numCols, n, laneIn2);
        }
        Kernels.laneBiasMult2(bi, bh, a, laneIn, 0, n, b, laneIn2, 0, n, laneOut, 0, n, n);
        BatchForward.fromLanes(laneOut, rows, n, y, yOff, yStride);
    }

    /** As {@link RnnCell}. */
    static final class Rnn extends RowCell {
        private final double[] h;

        Rnn(ModelShape shape, int capacity) {
            super(shape, capacity);
            h = new double[capacity * hidden];
        }

        @Override
        void forward(Parameters w, double[] x, int xOff, int xStride, double[] s, int sOff, int sStride,
                double[] sOut, int row0, int n) {
            checkBatch(row0, n);
            final int o = row0 * hidden;
            biasPreact(w.biasIh.data, w.biasHh.data, w.weightIh, x, xOff, xStride, w.weightHh, s, sOff, sStride, sOut,
                    o, hidden, n);
            Kernels.tanhInPlace(sOut, o, n * hidden);
            System.arraycopy(sOut, o, h, o, n * hidden);
        }

        @Override
        void backward(Parameters w, double[] s, int sOff, int sStride, double[] ds, double[] dsPrev, double[] aIh,
                double[] aHh, int aOff, int row0, int n) {
            final int o = row0 * hidden;
            for (int i = 0; i < n * hidden; i++) {
                double hv = h[o + i];
                aIh[aOff + i] = ds[i] * (1.0 - hv * hv);
            }
            Arrays.fill(dsPrev, 0, n * hidden, 0.0);
            Kernels.multTransAddRows(w.weightHh, aIh, aOff, hidden, dsPrev, 0, hidden, n);
        }
    }

    /** As {@link GruCell}. */
    static final class Gru extends RowCell {
        private final double[] gi;
        private final double[] gh;
        private final double[] rz;
        private final double[] nn;

        Gru(ModelShape shape, int capacity) {
            super(shape, capacity);
            gi = new double[capacity * 3 * hidden];
            gh = new double[capacity * 3 * hidden];
            rz = new double[capacity * 2 * hidden];
            nn = new double[capacity * hidden];
        }

        @Override
        boolean separateRecurrentGradient() {
            return true;
        }

        @Override
        void forward(Parameters w, double[] x, int xOff, int xStride, double[] s, int sOff, int sStride,
                double[] sOut, int row0, int n) {
            checkBatch(row0, n);
            final int g = 3 * hidden;
            final int h2 = 2 * hidden;
            biasPreact(w.biasIh.data, null, w.weightIh, x, xOff, xStride, null, null, 0, 0, gi, row0 * g, g, n);
            biasPreact(w.biasHh.data, null, w.weightHh, s, sOff, sStride, null, null, 0, 0, gh, row0 * g, g, n);
            for (int b = row0; b < row0 + n; b++) {
                for (int j = 0; j < h2; j++) {
                    rz[b * h2 + j] = gi[b * g + j] + gh[b * g + j];
                }
            }
            Kernels.sigmoidInPlace(rz, row0 * h2, n * h2);
            for (int b = row0; b < row0 + n; b++) {
                for (int j = 0; j < hidden; j++) {
                    nn[b * hidden + j] = gi[b * g + h2 + j] + rz[b * h2 + j] * gh[b * g + h2 + j];
                }
            }
            Kernels.tanhInPlace(nn, row0 * hidden, n * hidden);
            for (int k = 0; k < n; k++) {
                int b = row0 + k;
                int sb = sOff + k * sStride;
                for (int j = 0; j < hidden; j++) {
                    double nv = nn[b * hidden + j];
                    sOut[b * hidden + j] = (s[sb + j] - nv) * rz[b * h2 + hidden + j] + nv;
                }
            }
        }

        @Override
        void backward(Parameters w, double[] s, int sOff, int sStride, double[] ds, double[] dsPrev, double[] aIh,
                double[] aHh, int aOff, int row0, int n) {
            final int g = 3 * hidden;
            final int h2 = 2 * hidden;
            for (int k = 0; k < n; k++) {
                int b = row0 + k;
                int sb = sOff + k * sStride;
                int ab = aOff + k * g;
                for (int j = 0; j < hidden; j++) {
                    double e = ds[k * hidden + j];
                    double r = rz[b * h2 + j];
                    double z = rz[b * h2 + hidden + j];
                    double nv = nn[b * hidden + j];
                    double nBar = e * (1.0 - z) * (1.0 - nv * nv);
                    double zBar = e * (s[sb + j] - nv) * z * (1.0 - z);
                    double rBar = nBar * gh[b * g + h2 + j] * r * (1.0 - r);
                    aIh[ab + j] = rBar;
                    aIh[ab + hidden + j] = zBar;
                    aIh[ab + h2 + j] = nBar;
                    aHh[ab + j] = rBar;
                    aHh[ab + hidden + j] = zBar;
                    aHh[ab + h2 + j] = nBar * r;
                    dsPrev[k * hidden + j] = e * z;
                }
            }
            Kernels.multTransAddRows(w.weightHh, aHh, aOff, g, dsPrev, 0, hidden, n);
        }
    }

    /** As {@link LstmCell}: the state is (h, c), h in {@code [0, H)} and c in {@code [H, 2H)}. */
    static final class Lstm extends RowCell {
        private final double[] a;
        private final double[] tanhC;

        Lstm(ModelShape shape, int capacity) {
            super(shape, capacity);
            a = new double[capacity * 4 * hidden];
            tanhC = new double[capacity * hidden];
        }

        @Override
        void forward(Parameters w, double[] x, int xOff, int xStride, double[] s, int sOff, int sStride,
                double[] sOut, int row0, int n) {
            checkBatch(row0, n);
            final int g4 = 4 * hidden;
            final int s2 = 2 * hidden;
            biasPreact(w.biasIh.data, w.biasHh.data, w.weightIh, x, xOff, xStride, w.weightHh, s, sOff, sStride, a,
                    row0 * g4, g4, n);
            for (int b = row0; b < row0 + n; b++) {
                Kernels.sigmoidInPlace(a, b * g4, 2 * hidden);
                Kernels.tanhInPlace(a, b * g4 + 2 * hidden, hidden);
                Kernels.sigmoidInPlace(a, b * g4 + 3 * hidden, hidden);
            }
            for (int k = 0; k < n; k++) {
                int b = row0 + k;
                int ab = b * g4;
                int sb = sOff + k * sStride;
                for (int j = 0; j < hidden; j++) {
                    double c = a[ab + hidden + j] * s[sb + hidden + j] + a[ab + j] * a[ab + 2 * hidden + j];
                    sOut[b * s2 + hidden + j] = c;
                    tanhC[b * hidden + j] = c;
                }
            }
            Kernels.tanhInPlace(tanhC, row0 * hidden, n * hidden);
            for (int b = row0; b < row0 + n; b++) {
                for (int j = 0; j < hidden; j++) {
                    sOut[b * s2 + j] = a[b * g4 + 3 * hidden + j] * tanhC[b * hidden + j];
                }
            }
        }

        @Override
        void backward(Parameters w, double[] s, int sOff, int sStride, double[] ds, double[] dsPrev, double[] aIh,
                double[] aHh, int aOff, int row0, int n) {
            final int g4 = 4 * hidden;
            final int s2 = 2 * hidden;
            for (int k = 0; k < n; k++) {
                int b = row0 + k;
                int ab = b * g4;
                int out = aOff + k * g4;
                int sb = sOff + k * sStride;
                for (int j = 0; j < hidden; j++) {
                    double i = a[ab + j];
                    double f = a[ab + hidden + j];
                    double g = a[ab + 2 * hidden + j];
                    double o = a[ab + 3 * hidden + j];
                    double tc = tanhC[b * hidden + j];
                    double dh = ds[k * s2 + j];
                    double cBar = ds[k * s2 + hidden + j] + dh * o * (1.0 - tc * tc);
                    aIh[out + j] = cBar * g * i * (1.0 - i);
                    aIh[out + hidden + j] = cBar * s[sb + hidden + j] * f * (1.0 - f);
                    aIh[out + 2 * hidden + j] = cBar * i * (1.0 - g * g);
                    aIh[out + 3 * hidden + j] = dh * tc * o * (1.0 - o);
                    dsPrev[k * s2 + hidden + j] = cBar * f;
                }
                Arrays.fill(dsPrev, k * s2, k * s2 + hidden, 0.0);
            }
            Kernels.multTransAddRows(w.weightHh, aIh, aOff, g4, dsPrev, 0, s2, n);
        }
    }
}
