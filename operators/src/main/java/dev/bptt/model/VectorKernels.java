package dev.bptt.model;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ejml.data.DMatrixRMaj;

/**
 * The kernels on the JDK Vector API ({@code jdk.incubator.vector}, {@link #SPECIES} = the
 * widest the CPU has). Loaded only when that module is in the boot layer; {@link Kernels}
 * decides. Contracts are those of {@link Kernels}.
 *
 * <p><b>Every output element gets one fixed sequence of IEEE operations</b>, whatever the
 * blocking around it and whatever the batch it is in: a dot product {@code A[r,:] . x} runs lane
 * accumulators over the full vectors of the row with {@code fma}, reduces them in lane order
 * ({@code reduceLanes(ADD)}: both the C2 intrinsic and the Java fallback add lanes 0..L-1 in
 * order), then adds the columns past the last full vector with scalar {@code Math.fma}; an update
 * {@code y[c] += sum_r A[r,c] v[r]} or {@code A[r,c] += sum_b u_b[r] v_b[c]} is one {@code fma}
 * chain in r (or b) order. So a key's numbers are bit-for-bit the same alone
 * ({@code n = 1}) and inside any batch, and the same before and after JIT compilation. The
 * element functions (exp, tanh, sigmoid) use only {@code +, *, /, fma}, compares and bit
 * operations, with a scalar twin for the tails that performs the identical operations.
 */
final class VectorKernels {

    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    private VectorKernels() {}

    // ---- y += A x (dot products) ----

    static void multAdd(DMatrixRMaj a, double[] x, int xOff, double[] y, int yOff) {
        dotRows(a.data, a.numCols, x, xOff, 0, a.data, 0, x, 0, 0, y, yOff, 0, a.numRows, 1);
    }

    static void multAdd2(DMatrixRMaj a, double[] x, int xOff, DMatrixRMaj b, double[] h, int hOff, double[] y,
            int yOff) {
        checkRows(a, b);
        dotRows(a.data, a.numCols, x, xOff, 0, b.data, b.numCols, h, hOff, 0, y, yOff, 0, a.numRows, 1);
    }

    static void multAddRows(DMatrixRMaj a, double[] x, int xOff, int xStride, double[] y, int yOff, int yStride,
            int n) {
        dotRows(a.data, a.numCols, x, xOff, xStride, a.data, 0, x, 0, 0, y, yOff, yStride, a.numRows, n);
    }

    static void multAdd2Rows(DMatrixRMaj a, double[] x, int xOff, int xStride, DMatrixRMaj bm, double[] h, int hOff,
            int hStride, double[] y, int yOff, int yStride, int n) {
        checkRows(a, bm);
        dotRows(a.data, a.numCols, x, xOff, xStride, bm.data, bm.numCols, h, hOff, hStride, y, yOff, yStride,
                a.numRows, n);
    }

    private static void checkRows(DMatrixRMaj a, DMatrixRMaj b) {
        if (a.numRows != b.numRows) {
            throw new IllegalArgumentException("row counts differ: " + a.numRows + "x" + a.numCols + " and "
                    + b.numRows + "x" + b.numCols);
        }
    }

    /**
     * {@code y_b[r] += A[r,:] . x_b + B[r,:] . h_b} for rows r and keys b; A is rows x ka, B rows x kb
     * (kb may be 0), key b's vectors start at {@code off + b * stride}. Blocks of 4 rows x 2 keys
     * share their loads; each element's arithmetic is that of {@link #dot1x1}.
     */
    private static void dotRows(double[] ad, int ka, double[] x, int xOff, int xStride, double[] bd, int kb,
            double[] h, int hOff, int hStride, double[] y, int yOff, int yStride, int rows, int n) {
        int b = 0;
        for (; b + 1 < n; b += 2) {
            int x0 = xOff + b * xStride;
            int h0 = hOff + b * hStride;
            int y0 = yOff + b * yStride;
            int r = 0;
            for (; r + 3 < rows; r += 4) {
                dot4x2(ad, ka, x, x0, x0 + xStride, bd, kb, h, h0, h0 + hStride, y, y0 + r, y0 + yStride + r, r);
            }
            for (; r < rows; r++) {
                y[y0 + r] += dot1x1(ad, ka, x, x0, bd, kb, h, h0, r);
                y[y0 + yStride + r] += dot1x1(ad, ka, x, x0 + xStride, bd, kb, h, h0 + hStride, r);
            }
        }
        for (; b < n; b++) {
            int x0 = xOff + b * xStride;
            int h0 = hOff + b * hStride;
            int y0 = yOff + b * yStride;
            int r = 0;
            for (; r + 3 < rows; r += 4) {
                dot4x1(ad, ka, x, x0, bd, kb, h, h0, y, y0 + r, r);
            }
            for (; r < rows; r++) {
                y[y0 + r] += dot1x1(ad, ka, x, x0, bd, kb, h, h0, r);
            }
        }
    }

    /** The reference sequence for one element: lanes, in-order reduction, then scalar tails. */
    private static double dot1x1(double[] ad, int ka, double[] x, int xo, double[] bd, int kb, double[] h, int ho,
            int r) {
        final int va = SPECIES.loopBound(ka);
        final int vb = SPECIES.loopBound(kb);
        final int ra = r * ka;
        final int rb = r * kb;
        DoubleVector acc = DoubleVector.zero(SPECIES);
        for (int c = 0; c < va; c += L) {
            acc = DoubleVector.fromArray(SPECIES, ad, ra + c).fma(DoubleVector.fromArray(SPECIES, x, xo + c), acc);
        }
        for (int c = 0; c < vb; c += L) {
            acc = DoubleVector.fromArray(SPECIES, bd, rb + c).fma(DoubleVector.fromArray(SPECIES, h, ho + c), acc);
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (int c = va; c < ka; c++) {
            s = Math.fma(ad[ra + c], x[xo + c], s);
        }
        for (int c = vb; c < kb; c++) {
            s = Math.fma(bd[rb + c], h[ho + c], s);
        }
        return s;
    }

    private static void dot4x1(double[] ad, int ka, double[] x, int xo, double[] bd, int kb, double[] h, int ho,
            double[] y, int yo, int r) {
        final int va = SPECIES.loopBound(ka);
        final int vb = SPECIES.loopBound(kb);
        final int ra = r * ka;
        final int rb = r * kb;
        DoubleVector a0 = DoubleVector.zero(SPECIES);
        DoubleVector a1 = a0;
        DoubleVector a2 = a0;
        DoubleVector a3 = a0;
        for (int c = 0; c < va; c += L) {
            DoubleVector xv = DoubleVector.fromArray(SPECIES, x, xo + c);
            a0 = DoubleVector.fromArray(SPECIES, ad, ra + c).fma(xv, a0);
            a1 = DoubleVector.fromArray(SPECIES, ad, ra + ka + c).fma(xv, a1);
            a2 = DoubleVector.fromArray(SPECIES, ad, ra + 2 * ka + c).fma(xv, a2);
            a3 = DoubleVector.fromArray(SPECIES, ad, ra + 3 * ka + c).fma(xv, a3);
        }
        for (int c = 0; c < vb; c += L) {
            DoubleVector hv = DoubleVector.fromArray(SPECIES, h, ho + c);
            a0 = DoubleVector.fromArray(SPECIES, bd, rb + c).fma(hv, a0);
            a1 = DoubleVector.fromArray(SPECIES, bd, rb + kb + c).fma(hv, a1);
            a2 = DoubleVector.fromArray(SPECIES, bd, rb + 2 * kb + c).fma(hv, a2);
            a3 = DoubleVector.fromArray(SPECIES, bd, rb + 3 * kb + c).fma(hv, a3);
        }
        y[yo] += tails(a0.reduceLanes(VectorOperators.ADD), ad, ra, ka, va, x, xo, bd, rb, kb, vb, h, ho);
        y[yo + 1] += tails(a1.reduceLanes(VectorOperators.ADD), ad, ra + ka, ka, va, x, xo, bd, rb + kb, kb, vb, h,
                ho);
        y[yo + 2] += tails(a2.reduceLanes(VectorOperators.ADD), ad, ra + 2 * ka, ka, va, x, xo, bd, rb + 2 * kb, kb,
                vb, h, ho);
        y[yo + 3] += tails(a3.reduceLanes(VectorOperators.ADD), ad, ra + 3 * ka, ka, va, x, xo, bd, rb + 3 * kb, kb,
                vb, h, ho);
    }

    private static void dot4x2(double[] ad, int ka, double[] x, int xo0, int xo1, double[] bd, int kb, double[] h,
            int ho0, int ho1, double[] y, int yo0, int yo1, int r) {
        final int va = SPECIES.loopBound(ka);
        final int vb = SPECIES.loopBound(kb);
        final int ra = r * ka;
        final int rb = r * kb;
        DoubleVector a00 = DoubleVector.zero(SPECIES);
        DoubleVector a10 = a00;
        DoubleVector a20 = a00;
        DoubleVector a30 = a00;
        DoubleVector a01 = a00;
        DoubleVector a11 = a00;
        DoubleVector a21 = a00;
        DoubleVector a31 = a00;
        for (int c = 0; c < va; c += L) {
            DoubleVector x0 = DoubleVector.fromArray(SPECIES, x, xo0 + c);
            DoubleVector x1 = DoubleVector.fromArray(SPECIES, x, xo1 + c);
            DoubleVector w0 = DoubleVector.fromArray(SPECIES, ad, ra + c);
            DoubleVector w1 = DoubleVector.fromArray(SPECIES, ad, ra + ka + c);
            DoubleVector w2 = DoubleVector.fromArray(SPECIES, ad, ra + 2 * ka + c);
            DoubleVector w3 = DoubleVector.fromArray(SPECIES, ad, ra + 3 * ka + c);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            a20 = w2.fma(x0, a20);
            a30 = w3.fma(x0, a30);
            a01 = w0.fma(x1, a01);
            a11 = w1.fma(x1, a11);
            a21 = w2.fma(x1, a21);
            a31 = w3.fma(x1, a31);
        }
        for (int c = 0; c < vb; c += L) {
            DoubleVector h0 = DoubleVector.fromArray(SPECIES, h, ho0 + c);
            DoubleVector h1 = DoubleVector.fromArray(SPECIES, h, ho1 + c);
            DoubleVector w0 = DoubleVector.fromArray(SPECIES, bd, rb + c);
            DoubleVector w1 = DoubleVector.fromArray(SPECIES, bd, rb + kb + c);
            DoubleVector w2 = DoubleVector.fromArray(SPECIES, bd, rb + 2 * kb + c);
            DoubleVector w3 = DoubleVector.fromArray(SPECIES, bd, rb + 3 * kb + c);
            a00 = w0.fma(h0, a00);
            a10 = w1.fma(h0, a10);
            a20 = w2.fma(h0, a20);
            a30 = w3.fma(h0, a30);
            a01 = w0.fma(h1, a01);
            a11 = w1.fma(h1, a11);
            a21 = w2.fma(h1, a21);
            a31 = w3.fma(h1, a31);
        }
        y[yo0] += tails(a00.reduceLanes(VectorOperators.ADD), ad, ra, ka, va, x, xo0, bd, rb, kb, vb, h, ho0);
        y[yo0 + 1] += tails(a10.reduceLanes(VectorOperators.ADD), ad, ra + ka, ka, va, x, xo0, bd, rb + kb, kb, vb, h,
                ho0);
        y[yo0 + 2] += tails(a20.reduceLanes(VectorOperators.ADD), ad, ra + 2 * ka, ka, va, x, xo0, bd, rb + 2 * kb, kb,
                vb, h, ho0);
        y[yo0 + 3] += tails(a30.reduceLanes(VectorOperators.ADD), ad, ra + 3 * ka, ka, va, x, xo0, bd, rb + 3 * kb, kb,
                vb, h, ho0);
        y[yo1] += tails(a01.reduceLanes(VectorOperators.ADD), ad, ra, ka, va, x, xo1, bd, rb, kb, vb, h, ho1);
        y[yo1 + 1] += tails(a11.reduceLanes(VectorOperators.ADD), ad, ra + ka, ka, va, x, xo1, bd, rb + kb, kb, vb, h,
                ho1);
        y[yo1 + 2] += tails(a21.reduceLanes(VectorOperators.ADD), ad, ra + 2 * ka, ka, va, x, xo1, bd, rb + 2 * kb, kb,
                vb, h, ho1);
        y[yo1 + 3] += tails(a31.reduceLanes(VectorOperators.ADD), ad, ra + 3 * ka, ka, va, x, xo1, bd, rb + 3 * kb, kb,
                vb, h, ho1);
    }

    /** Adds the columns past the last full vector of both rows, as {@link #dot1x1} does. */
    private static double tails(double s, double[] ad, int ra, int ka, int va, double[] x, int xo, double[] bd, int rb,
            int kb, int vb, double[] h, int ho) {
        for (int c = va; c < ka; c++) {
            s = Math.fma(ad[ra + c], x[xo + c], s);
        }
        for (int c = vb; c < kb; c++) {
            s = Math.fma(bd[rb + c], h[ho + c], s);
        }
        return s;
    }

    // ---- y += A^T v (one fma chain per element, rows in order) ----

    static void multTransAdd(DMatrixRMaj a, double[] v, int vOff, double[] y, int yOff) {
        multTransAddRows(a, v, vOff, 0, y, yOff, 0, 1);
    }

    /**
     * {@code y_b[c] += sum_r A[r,c] v_b[r]} for keys b: per element {@code acc = fma(A[r,c], v_b[r], acc)}
     * for r = 0..rows-1. Blocks of 2 keys x 4 vectors share their loads of A.
     */
    static void multTransAddRows(DMatrixRMaj a, double[] v, int vOff, int vStride, double[] y, int yOff, int yStride,
            int n) {
        final int rows = a.numRows;
        final int cols = a.numCols;
        final double[] ad = a.data;
        final int vc = SPECIES.loopBound(cols);
        int b = 0;
        for (; b + 1 < n; b += 2) {
            int v0 = vOff + b * vStride;
            int v1 = v0 + vStride;
            int y0 = yOff + b * yStride;
            int y1 = y0 + yStride;
            int c = 0;
            for (; c + 4 * L <= vc; c += 4 * L) {
                DoubleVector p0 = DoubleVector.fromArray(SPECIES, y, y0 + c);
                DoubleVector p1 = DoubleVector.fromArray(SPECIES, y, y0 + c + L);
                DoubleVector p2 = DoubleVector.fromArray(SPECIES, y, y0 + c + 2 * L);
                DoubleVector p3 = DoubleVector.fromArray(SPECIES, y, y0 + c + 3 * L);
                DoubleVector q0 = DoubleVector.fromArray(SPECIES, y, y1 + c);
                DoubleVector q1 = DoubleVector.fromArray(SPECIES, y, y1 + c + L);
                DoubleVector q2 = DoubleVector.fromArray(SPECIES, y, y1 + c + 2 * L);
                DoubleVector q3 = DoubleVector.fromArray(SPECIES, y, y1 + c + 3 * L);
                for (int r = 0; r < rows; r++) {
                    int base = r * cols + c;
                    DoubleVector s0 = DoubleVector.broadcast(SPECIES, v[v0 + r]);
                    DoubleVector s1 = DoubleVector.broadcast(SPECIES, v[v1 + r]);
                    DoubleVector w0 = DoubleVector.fromArray(SPECIES, ad, base);
                    DoubleVector w1 = DoubleVector.fromArray(SPECIES, ad, base + L);
                    DoubleVector w2 = DoubleVector.fromArray(SPECIES, ad, base + 2 * L);
                    DoubleVector w3 = DoubleVector.fromArray(SPECIES, ad, base + 3 * L);
                    p0 = w0.fma(s0, p0);
                    p1 = w1.fma(s0, p1);
                    p2 = w2.fma(s0, p2);
                    p3 = w3.fma(s0, p3);
                    q0 = w0.fma(s1, q0);
                    q1 = w1.fma(s1, q1);
                    q2 = w2.fma(s1, q2);
                    q3 = w3.fma(s1, q3);
                }
                p0.intoArray(y, y0 + c);
                p1.intoArray(y, y0 + c + L);
                p2.intoArray(y, y0 + c + 2 * L);
                p3.intoArray(y, y0 + c + 3 * L);
                q0.intoArray(y, y1 + c);
                q1.intoArray(y, y1 + c + L);
                q2.intoArray(y, y1 + c + 2 * L);
                q3.intoArray(y, y1 + c + 3 * L);
            }
            transTail(ad, rows, cols, c, vc, v, v0, y, y0);
            transTail(ad, rows, cols, c, vc, v, v1, y, y1);
        }
        for (; b < n; b++) {
            int v0 = vOff + b * vStride;
            int y0 = yOff + b * yStride;
            int c = 0;
            for (; c + 4 * L <= vc; c += 4 * L) {
                DoubleVector p0 = DoubleVector.fromArray(SPECIES, y, y0 + c);
                DoubleVector p1 = DoubleVector.fromArray(SPECIES, y, y0 + c + L);
                DoubleVector p2 = DoubleVector.fromArray(SPECIES, y, y0 + c + 2 * L);
                DoubleVector p3 = DoubleVector.fromArray(SPECIES, y, y0 + c + 3 * L);
                for (int r = 0; r < rows; r++) {
                    int base = r * cols + c;
                    DoubleVector s0 = DoubleVector.broadcast(SPECIES, v[v0 + r]);
                    p0 = DoubleVector.fromArray(SPECIES, ad, base).fma(s0, p0);
                    p1 = DoubleVector.fromArray(SPECIES, ad, base + L).fma(s0, p1);
                    p2 = DoubleVector.fromArray(SPECIES, ad, base + 2 * L).fma(s0, p2);
                    p3 = DoubleVector.fromArray(SPECIES, ad, base + 3 * L).fma(s0, p3);
                }
                p0.intoArray(y, y0 + c);
                p1.intoArray(y, y0 + c + L);
                p2.intoArray(y, y0 + c + 2 * L);
                p3.intoArray(y, y0 + c + 3 * L);
            }
            transTail(ad, rows, cols, c, vc, v, v0, y, y0);
        }
    }

    /** Columns from c on for one key: single vectors up to vc, then scalar fma chains. */
    private static void transTail(double[] ad, int rows, int cols, int c, int vc, double[] v, int v0, double[] y,
            int y0) {
        for (; c < vc; c += L) {
            DoubleVector p = DoubleVector.fromArray(SPECIES, y, y0 + c);
            for (int r = 0; r < rows; r++) {
                p = DoubleVector.fromArray(SPECIES, ad, r * cols + c).fma(DoubleVector.broadcast(SPECIES, v[v0 + r]), p);
            }
            p.intoArray(y, y0 + c);
        }
        for (; c < cols; c++) {
            double p = y[y0 + c];
            for (int r = 0; r < rows; r++) {
                p = Math.fma(ad[r * cols + c], v[v0 + r], p);
            }
            y[y0 + c] = p;
        }
    }

    // ---- A += sum_b u_b v_b^T (one fma chain per element, keys in order) ----

    static void outerAdd(DMatrixRMaj a, double[] u, int uOff, double[] v, int vOff) {
        outerAddRows(a, u, uOff, 0, v, vOff, 0, 1);
    }

    /**
     * {@code A[r,c] += sum_b u_b[r] v_b[c]}: per element {@code acc = fma(u_b[r], v_b[c], acc)} for
     * b = 0..n-1. Blocks of 4 rows x 2 vectors keep their sums in registers over all b.
     */
    static void outerAddRows(DMatrixRMaj a, double[] u, int uOff, int uStride, double[] v, int vOff, int vStride,
            int n) {
        outer(a, u, uOff, 1, uStride, v, vOff, vStride, n);
    }

    /** {@code A[r,c] += sum_b UT[r, b] V[b, c]}, U feature-major (row r of UT holds the keys' lanes). */
    static void outerAddLanes(DMatrixRMaj a, double[] ut, int uOff, int ldu, double[] v, int vOff, int vStride,
            int n) {
        outer(a, ut, uOff, ldu, 1, v, vOff, vStride, n);
    }

    /**
     * {@code A[r,c] += sum_b u[uOff + r * uRow + b * uKey] v[vOff + b * vStride + c]}: per element
     * {@code acc = fma(u_b[r], v_b[c], acc)} for b = 0..n-1, whatever the blocking. Blocks of 6
     * rows x 4 vectors keep 24 sums in registers over all b (4 x 4 before: 41 to 50 GFLOP/s at
     * 1024 x 256, 46 to 51 at 256 x 64, 64 keys); what they leave goes in blocks of 4 rows.
     */
    private static void outer(DMatrixRMaj a, double[] u, int uOff, int uRow, int uKey, double[] v, int vOff,
            int vStride, int n) {
        final int rows = a.numRows;
        final int cols = a.numCols;
        final double[] ad = a.data;
        final int c4 = cols / (4 * L) * (4 * L);
        int r6 = 0;
        if (c4 > 0) {
            for (; r6 + 5 < rows; r6 += 6) {
                for (int c = 0; c < c4; c += 4 * L) {
                    outer6x4(ad, cols, r6, c, u, uOff, uRow, uKey, v, vOff, vStride, n);
                }
            }
        }
        outerRest(a, 0, r6, c4, u, uOff, uRow, uKey, v, vOff, vStride, n);
        outerRest(a, r6, rows, 0, u, uOff, uRow, uKey, v, vOff, vStride, n);
    }

    /** {@link #outer} for rows [rowStart, rowEnd) from column colStart on, in blocks of 4 rows. */
    private static void outerRest(DMatrixRMaj a, int rowStart, int rowEnd, int colStart, double[] u, int uOff,
            int uRow, int uKey, double[] v, int vOff, int vStride, int n) {
        final int cols = a.numCols;
        final double[] ad = a.data;
        final int vc = SPECIES.loopBound(cols);
        int r = rowStart;
        for (; r + 3 < rowEnd; r += 4) {
            int c = colStart;
            for (; c + 4 * L <= vc; c += 4 * L) {
                outer4x4(ad, cols, r, c, u, uOff, uRow, uKey, v, vOff, vStride, n);
            }
            for (; c + 2 * L <= vc; c += 2 * L) {
                int o0 = r * cols + c;
                int o1 = o0 + cols;
                int o2 = o1 + cols;
                int o3 = o2 + cols;
                DoubleVector p00 = DoubleVector.fromArray(SPECIES, ad, o0);
                DoubleVector p01 = DoubleVector.fromArray(SPECIES, ad, o0 + L);
                DoubleVector p10 = DoubleVector.fromArray(SPECIES, ad, o1);
                DoubleVector p11 = DoubleVector.fromArray(SPECIES, ad, o1 + L);
                DoubleVector p20 = DoubleVector.fromArray(SPECIES, ad, o2);
                DoubleVector p21 = DoubleVector.fromArray(SPECIES, ad, o2 + L);
                DoubleVector p30 = DoubleVector.fromArray(SPECIES, ad, o3);
                DoubleVector p31 = DoubleVector.fromArray(SPECIES, ad, o3 + L);
                for (int b = 0; b < n; b++) {
                    int ub = uOff + b * uKey + r * uRow;
                    int vb = vOff + b * vStride + c;
                    DoubleVector x0 = DoubleVector.fromArray(SPECIES, v, vb);
                    DoubleVector x1 = DoubleVector.fromArray(SPECIES, v, vb + L);
                    DoubleVector s0 = DoubleVector.broadcast(SPECIES, u[ub]);
                    DoubleVector s1 = DoubleVector.broadcast(SPECIES, u[ub + uRow]);
                    DoubleVector s2 = DoubleVector.broadcast(SPECIES, u[ub + 2 * uRow]);
                    DoubleVector s3 = DoubleVector.broadcast(SPECIES, u[ub + 3 * uRow]);
                    p00 = s0.fma(x0, p00);
                    p01 = s0.fma(x1, p01);
                    p10 = s1.fma(x0, p10);
                    p11 = s1.fma(x1, p11);
                    p20 = s2.fma(x0, p20);
                    p21 = s2.fma(x1, p21);
                    p30 = s3.fma(x0, p30);
                    p31 = s3.fma(x1, p31);
                }
                p00.intoArray(ad, o0);
                p01.intoArray(ad, o0 + L);
                p10.intoArray(ad, o1);
                p11.intoArray(ad, o1 + L);
                p20.intoArray(ad, o2);
                p21.intoArray(ad, o2 + L);
                p30.intoArray(ad, o3);
                p31.intoArray(ad, o3 + L);
            }
            for (int k = 0; k < 4; k++) {
                outerTail(ad, cols, r + k, c, vc, u, uOff, uRow, uKey, v, vOff, vStride, n);
            }
        }
        for (; r < rowEnd; r++) {
            outerTail(ad, cols, r, colStart, vc, u, uOff, uRow, uKey, v, vOff, vStride, n);
        }
    }

    /** Rows r..r+5 x columns c..c+4L-1 of A, the 24 sums in registers over all b. */
    private static void outer6x4(double[] ad, int cols, int r, int c, double[] u, int uOff, int uRow, int uKey,
            double[] v, int vOff, int vStride, int n) {
        final int o0 = r * cols + c;
        final int o1 = o0 + cols;
        final int o2 = o1 + cols;
        final int o3 = o2 + cols;
        final int o4 = o3 + cols;
        final int o5 = o4 + cols;
        DoubleVector p00 = DoubleVector.fromArray(SPECIES, ad, o0);
        DoubleVector p01 = DoubleVector.fromArray(SPECIES, ad, o0 + L);
        DoubleVector p02 = DoubleVector.fromArray(SPECIES, ad, o0 + 2 * L);
        DoubleVector p03 = DoubleVector.fromArray(SPECIES, ad, o0 + 3 * L);
        DoubleVector p10 = DoubleVector.fromArray(SPECIES, ad, o1);
        DoubleVector p11 = DoubleVector.fromArray(SPECIES, ad, o1 + L);
        DoubleVector p12 = DoubleVector.fromArray(SPECIES, ad, o1 + 2 * L);
        DoubleVector p13 = DoubleVector.fromArray(SPECIES, ad, o1 + 3 * L);
        DoubleVector p20 = DoubleVector.fromArray(SPECIES, ad, o2);
        DoubleVector p21 = DoubleVector.fromArray(SPECIES, ad, o2 + L);
        DoubleVector p22 = DoubleVector.fromArray(SPECIES, ad, o2 + 2 * L);
        DoubleVector p23 = DoubleVector.fromArray(SPECIES, ad, o2 + 3 * L);
        DoubleVector p30 = DoubleVector.fromArray(SPECIES, ad, o3);
        DoubleVector p31 = DoubleVector.fromArray(SPECIES, ad, o3 + L);
        DoubleVector p32 = DoubleVector.fromArray(SPECIES, ad, o3 + 2 * L);
        DoubleVector p33 = DoubleVector.fromArray(SPECIES, ad, o3 + 3 * L);
        DoubleVector p40 = DoubleVector.fromArray(SPECIES, ad, o4);
        DoubleVector p41 = DoubleVector.fromArray(SPECIES, ad, o4 + L);
        DoubleVector p42 = DoubleVector.fromArray(SPECIES, ad, o4 + 2 * L);
        DoubleVector p43 = DoubleVector.fromArray(SPECIES, ad, o4 + 3 * L);
        DoubleVector p50 = DoubleVector.fromArray(SPECIES, ad, o5);
        DoubleVector p51 = DoubleVector.fromArray(SPECIES, ad, o5 + L);
        DoubleVector p52 = DoubleVector.fromArray(SPECIES, ad, o5 + 2 * L);
        DoubleVector p53 = DoubleVector.fromArray(SPECIES, ad, o5 + 3 * L);
        for (int b = 0; b < n; b++) {
            int ub = uOff + b * uKey + r * uRow;
            int vb = vOff + b * vStride + c;
            DoubleVector x0 = DoubleVector.fromArray(SPECIES, v, vb);
            DoubleVector x1 = DoubleVector.fromArray(SPECIES, v, vb + L);
            DoubleVector x2 = DoubleVector.fromArray(SPECIES, v, vb + 2 * L);
            DoubleVector x3 = DoubleVector.fromArray(SPECIES, v, vb + 3 * L);
            DoubleVector s = DoubleVector.broadcast(SPECIES, u[ub]);
            p00 = s.fma(x0, p00);
            p01 = s.fma(x1, p01);
            p02 = s.fma(x2, p02);
            p03 = s.fma(x3, p03);
            s = DoubleVector.broadcast(SPECIES, u[ub + uRow]);
            p10 = s.fma(x0, p10);
            p11 = s.fma(x1, p11);
            p12 = s.fma(x2, p12);
            p13 = s.fma(x3, p13);
            s = DoubleVector.broadcast(SPECIES, u[ub + 2 * uRow]);
            p20 = s.fma(x0, p20);
            p21 = s.fma(x1, p21);
            p22 = s.fma(x2, p22);
            p23 = s.fma(x3, p23);
            s = DoubleVector.broadcast(SPECIES, u[ub + 3 * uRow]);
            p30 = s.fma(x0, p30);
            p31 = s.fma(x1, p31);
            p32 = s.fma(x2, p32);
            p33 = s.fma(x3, p33);
            s = DoubleVector.broadcast(SPECIES, u[ub + 4 * uRow]);
            p40 = s.fma(x0, p40);
            p41 = s.fma(x1, p41);
            p42 = s.fma(x2, p42);
            p43 = s.fma(x3, p43);
            s = DoubleVector.broadcast(SPECIES, u[ub + 5 * uRow]);
            p50 = s.fma(x0, p50);
            p51 = s.fma(x1, p51);
            p52 = s.fma(x2, p52);
            p53 = s.fma(x3, p53);
        }
        p00.intoArray(ad, o0);
        p01.intoArray(ad, o0 + L);
        p02.intoArray(ad, o0 + 2 * L);
        p03.intoArray(ad, o0 + 3 * L);
        p10.intoArray(ad, o1);
        p11.intoArray(ad, o1 + L);
        p12.intoArray(ad, o1 + 2 * L);
        p13.intoArray(ad, o1 + 3 * L);
        p20.intoArray(ad, o2);
        p21.intoArray(ad, o2 + L);
        p22.intoArray(ad, o2 + 2 * L);
        p23.intoArray(ad, o2 + 3 * L);
        p30.intoArray(ad, o3);
        p31.intoArray(ad, o3 + L);
        p32.intoArray(ad, o3 + 2 * L);
        p33.intoArray(ad, o3 + 3 * L);
        p40.intoArray(ad, o4);
        p41.intoArray(ad, o4 + L);
        p42.intoArray(ad, o4 + 2 * L);
        p43.intoArray(ad, o4 + 3 * L);
        p50.intoArray(ad, o5);
        p51.intoArray(ad, o5 + L);
        p52.intoArray(ad, o5 + 2 * L);
        p53.intoArray(ad, o5 + 3 * L);
    }

    /** Rows r..r+3 x columns c..c+4L-1 of A, the sums in registers over all b. */
    private static void outer4x4(double[] ad, int cols, int r, int c, double[] u, int uOff, int uRow, int uKey,
            double[] v, int vOff, int vStride, int n) {
        final int o0 = r * cols + c;
        final int o1 = o0 + cols;
        final int o2 = o1 + cols;
        final int o3 = o2 + cols;
        DoubleVector p00 = DoubleVector.fromArray(SPECIES, ad, o0);
        DoubleVector p01 = DoubleVector.fromArray(SPECIES, ad, o0 + L);
        DoubleVector p02 = DoubleVector.fromArray(SPECIES, ad, o0 + 2 * L);
        DoubleVector p03 = DoubleVector.fromArray(SPECIES, ad, o0 + 3 * L);
        DoubleVector p10 = DoubleVector.fromArray(SPECIES, ad, o1);
        DoubleVector p11 = DoubleVector.fromArray(SPECIES, ad, o1 + L);
        DoubleVector p12 = DoubleVector.fromArray(SPECIES, ad, o1 + 2 * L);
        DoubleVector p13 = DoubleVector.fromArray(SPECIES, ad, o1 + 3 * L);
        DoubleVector p20 = DoubleVector.fromArray(SPECIES, ad, o2);
        DoubleVector p21 = DoubleVector.fromArray(SPECIES, ad, o2 + L);
        DoubleVector p22 = DoubleVector.fromArray(SPECIES, ad, o2 + 2 * L);
        DoubleVector p23 = DoubleVector.fromArray(SPECIES, ad, o2 + 3 * L);
        DoubleVector p30 = DoubleVector.fromArray(SPECIES, ad, o3);
        DoubleVector p31 = DoubleVector.fromArray(SPECIES, ad, o3 + L);
        DoubleVector p32 = DoubleVector.fromArray(SPECIES, ad, o3 + 2 * L);
        DoubleVector p33 = DoubleVector.fromArray(SPECIES, ad, o3 + 3 * L);
        for (int b = 0; b < n; b++) {
            int ub = uOff + b * uKey + r * uRow;
            int vb = vOff + b * vStride + c;
            DoubleVector x0 = DoubleVector.fromArray(SPECIES, v, vb);
            DoubleVector x1 = DoubleVector.fromArray(SPECIES, v, vb + L);
            DoubleVector x2 = DoubleVector.fromArray(SPECIES, v, vb + 2 * L);
            DoubleVector x3 = DoubleVector.fromArray(SPECIES, v, vb + 3 * L);
            DoubleVector s = DoubleVector.broadcast(SPECIES, u[ub]);
            p00 = s.fma(x0, p00);
            p01 = s.fma(x1, p01);
            p02 = s.fma(x2, p02);
            p03 = s.fma(x3, p03);
            s = DoubleVector.broadcast(SPECIES, u[ub + uRow]);
            p10 = s.fma(x0, p10);
            p11 = s.fma(x1, p11);
            p12 = s.fma(x2, p12);
            p13 = s.fma(x3, p13);
            s = DoubleVector.broadcast(SPECIES, u[ub + 2 * uRow]);
            p20 = s.fma(x0, p20);
            p21 = s.fma(x1, p21);
            p22 = s.fma(x2, p22);
            p23 = s.fma(x3, p23);
            s = DoubleVector.broadcast(SPECIES, u[ub + 3 * uRow]);
            p30 = s.fma(x0, p30);
            p31 = s.fma(x1, p31);
            p32 = s.fma(x2, p32);
            p33 = s.fma(x3, p33);
        }
        p00.intoArray(ad, o0);
        p01.intoArray(ad, o0 + L);
        p02.intoArray(ad, o0 + 2 * L);
        p03.intoArray(ad, o0 + 3 * L);
        p10.intoArray(ad, o1);
        p11.intoArray(ad, o1 + L);
        p12.intoArray(ad, o1 + 2 * L);
        p13.intoArray(ad, o1 + 3 * L);
        p20.intoArray(ad, o2);
        p21.intoArray(ad, o2 + L);
        p22.intoArray(ad, o2 + 2 * L);
        p23.intoArray(ad, o2 + 3 * L);
        p30.intoArray(ad, o3);
        p31.intoArray(ad, o3 + L);
        p32.intoArray(ad, o3 + 2 * L);
        p33.intoArray(ad, o3 + 3 * L);
    }

    /** Row r from column c on: single vectors up to vc, then scalar fma chains. */
    private static void outerTail(double[] ad, int cols, int r, int c, int vc, double[] u, int uOff, int uRow,
            int uKey, double[] v, int vOff, int vStride, int n) {
        final int row = r * cols;
        for (; c < vc; c += L) {
            DoubleVector p = DoubleVector.fromArray(SPECIES, ad, row + c);
            for (int b = 0; b < n; b++) {
                p = DoubleVector.broadcast(SPECIES, u[uOff + b * uKey + r * uRow])
                        .fma(DoubleVector.fromArray(SPECIES, v, vOff + b * vStride + c), p);
            }
            p.intoArray(ad, row + c);
        }
        for (; c < cols; c++) {
            double p = ad[row + c];
            for (int b = 0; b < n; b++) {
                p = Math.fma(u[uOff + b * uKey + r * uRow], v[vOff + b * vStride + c], p);
            }
            ad[row + c] = p;
        }
    }

    // ---- feature-major products: row k of XT holds the n keys' values, keys are lanes ----

    /**
     * {@code YT[r, b] += sum_k W[r,k] XT[k, b]}: per element {@code acc = fma(W[r,k], XT[k,b], acc)}
     * for k = 0..K-1. Keys are lanes and never mix, so a key's numbers do not depend on the others
     * in the batch. Blocks of 4 rows x 2 vectors of keys.
     */
    static void laneMultAdd(DMatrixRMaj w, double[] xt, int xOff, int ldx, double[] yt, int yOff, int ldy, int n) {
        final double[] wd = w.data;
        final int rows = w.numRows;
        final int inner = w.numCols;
        final int rows4 = rows & ~3;
        final int n4 = n / (4 * L) * (4 * L);
        for (int i = 0; i < rows4; i += 4) {
            for (int b = 0; b < n4; b += 4 * L) {
                block4x4(wd, inner, i, xt, xOff + b, ldx, yt, yOff + i * ldy + b, ldy);
            }
        }
        // The lanes past the 4-vector blocks, then the rows past the 4-row blocks.
        if (n4 < n) {
            lanes(wd, 0, rows, inner, inner, 1, xt, xOff + n4, ldx, yt, yOff + n4, ldy, n - n4);
        }
        if (rows4 < rows && n4 > 0) {
            lanes(wd, rows4, rows, inner, inner, 1, xt, xOff, ldx, yt, yOff, ldy, n4);
        }
    }

    /**
     * Feature-major {@code YT = bias + A XT + B HT}, written (not accumulated):
     * {@code yt[yOff + r * ldy + b] = (bi[r] + bh[r]) + sum_k A[r,k] xt[xOff + k * ldx + b]
     * + sum_k B[r,k] ht[hOff + k * ldh + b]} for rows r of A and keys b < n; bh may be null (the
     * bias is bi[r]), B may be null (no second product). Per element one fma chain: the bias,
     * then A's k in order, then B's k in order - the same bits as filling the bias rows and
     * calling {@link #laneMultAdd} for A, then for B. Keys are lanes and never mix. Modifies yt.
     */
    static void laneBiasMult2(double[] bi, double[] bh, DMatrixRMaj a, double[] xt, int xOff, int ldx, DMatrixRMaj bm,
            double[] ht, int hOff, int ldh, double[] yt, int yOff, int ldy, int n) {
        final int rows = a.numRows;
        final int ka = a.numCols;
        final int kb = bm == null ? 0 : bm.numCols;
        final double[] bd = bm == null ? a.data : bm.data;
        final int rows4 = rows & ~3;
        final int n4 = n / (4 * L) * (4 * L);
        for (int i = 0; i < rows4; i += 4) {
            double b0 = bh == null ? bi[i] : bi[i] + bh[i];
            double b1 = bh == null ? bi[i + 1] : bi[i + 1] + bh[i + 1];
            double b2 = bh == null ? bi[i + 2] : bi[i + 2] + bh[i + 2];
            double b3 = bh == null ? bi[i + 3] : bi[i + 3] + bh[i + 3];
            for (int b = 0; b < n4; b += 4 * L) {
                biasBlock4x4(b0, b1, b2, b3, a.data, ka, i, xt, xOff + b, ldx, bd, kb, ht, hOff + b, ldh, yt,
                        yOff + i * ldy + b, ldy);
            }
        }
        // What the blocks leave (lanes past the 4-vector blocks, rows past the 4-row blocks): the
        // bias, then the general products, the same chain per element.
        if (n4 < n) {
            for (int r = 0; r < rows; r++) {
                double bias = bh == null ? bi[r] : bi[r] + bh[r];
                Arrays.fill(yt, yOff + r * ldy + n4, yOff + r * ldy + n, bias);
            }
            lanes(a.data, 0, rows, ka, ka, 1, xt, xOff + n4, ldx, yt, yOff + n4, ldy, n - n4);
            if (bm != null) {
                lanes(bd, 0, rows, kb, kb, 1, ht, hOff + n4, ldh, yt, yOff + n4, ldy, n - n4);
            }
        }
        if (rows4 < rows && n4 > 0) {
            for (int r = rows4; r < rows; r++) {
                double bias = bh == null ? bi[r] : bi[r] + bh[r];
                Arrays.fill(yt, yOff + r * ldy, yOff + r * ldy + n4, bias);
            }
            lanes(a.data, rows4, rows, ka, ka, 1, xt, xOff, ldx, yt, yOff, ldy, n4);
            if (bm != null) {
                lanes(bd, rows4, rows, kb, kb, 1, ht, hOff, ldh, yt, yOff, ldy, n4);
            }
        }
    }

    /**
     * Rows i..i+3 x 4 vectors of keys of {@link #laneBiasMult2}: 16 sums in registers, started
     * from the rows' biases, over A's inner dimension and then B's (kb may be 0); stored once.
     * The two loops are written out on purpose: one loop over both panels (choosing the arrays
     * per pass) kept the bits but ran the batch-64 train benchmark 6x slower (rnn 444 to 76
     * windows/s), C2 no longer compiling the vector operations to registers.
     */
    private static void biasBlock4x4(double bias0, double bias1, double bias2, double bias3, double[] ad, int ka,
            int i, double[] xt, int x0, int ldx, double[] bd, int kb, double[] ht, int h0, int ldh, double[] yt,
            int y0, int ldy) {
        DoubleVector p00 = DoubleVector.broadcast(SPECIES, bias0);
        DoubleVector p01 = p00;
        DoubleVector p02 = p00;
        DoubleVector p03 = p00;
        DoubleVector p10 = DoubleVector.broadcast(SPECIES, bias1);
        DoubleVector p11 = p10;
        DoubleVector p12 = p10;
        DoubleVector p13 = p10;
        DoubleVector p20 = DoubleVector.broadcast(SPECIES, bias2);
        DoubleVector p21 = p20;
        DoubleVector p22 = p20;
        DoubleVector p23 = p20;
        DoubleVector p30 = DoubleVector.broadcast(SPECIES, bias3);
        DoubleVector p31 = p30;
        DoubleVector p32 = p30;
        DoubleVector p33 = p30;
        for (int k = 0, w0 = i * ka; k < ka; k++, w0++) {
            int xk = x0 + k * ldx;
            DoubleVector x0v = DoubleVector.fromArray(SPECIES, xt, xk);
            DoubleVector x1v = DoubleVector.fromArray(SPECIES, xt, xk + L);
            DoubleVector x2v = DoubleVector.fromArray(SPECIES, xt, xk + 2 * L);
            DoubleVector x3v = DoubleVector.fromArray(SPECIES, xt, xk + 3 * L);
            DoubleVector s = DoubleVector.broadcast(SPECIES, ad[w0]);
            p00 = s.fma(x0v, p00);
            p01 = s.fma(x1v, p01);
            p02 = s.fma(x2v, p02);
            p03 = s.fma(x3v, p03);
            s = DoubleVector.broadcast(SPECIES, ad[w0 + ka]);
            p10 = s.fma(x0v, p10);
            p11 = s.fma(x1v, p11);
            p12 = s.fma(x2v, p12);
            p13 = s.fma(x3v, p13);
            s = DoubleVector.broadcast(SPECIES, ad[w0 + 2 * ka]);
            p20 = s.fma(x0v, p20);
            p21 = s.fma(x1v, p21);
            p22 = s.fma(x2v, p22);
            p23 = s.fma(x3v, p23);
            s = DoubleVector.broadcast(SPECIES, ad[w0 + 3 * ka]);
            p30 = s.fma(x0v, p30);
            p31 = s.fma(x1v, p31);
            p32 = s.fma(x2v, p32);
            p33 = s.fma(x3v, p33);
        }
        for (int k = 0, w0 = i * kb; k < kb; k++, w0++) {
            int xk = h0 + k * ldh;
            DoubleVector x0v = DoubleVector.fromArray(SPECIES, ht, xk);
            DoubleVector x1v = DoubleVector.fromArray(SPECIES, ht, xk + L);
            DoubleVector x2v = DoubleVector.fromArray(SPECIES, ht, xk + 2 * L);
            DoubleVector x3v = DoubleVector.fromArray(SPECIES, ht, xk + 3 * L);
            DoubleVector s = DoubleVector.broadcast(SPECIES, bd[w0]);
            p00 = s.fma(x0v, p00);
            p01 = s.fma(x1v, p01);
            p02 = s.fma(x2v, p02);
            p03 = s.fma(x3v, p03);
            s = DoubleVector.broadcast(SPECIES, bd[w0 + kb]);
            p10 = s.fma(x0v, p10);
            p11 = s.fma(x1v, p11);
            p12 = s.fma(x2v, p12);
            p13 = s.fma(x3v, p13);
            s = DoubleVector.broadcast(SPECIES, bd[w0 + 2 * kb]);
            p20 = s.fma(x0v, p20);
            p21 = s.fma(x1v, p21);
            p22 = s.fma(x2v, p22);
            p23 = s.fma(x3v, p23);
            s = DoubleVector.broadcast(SPECIES, bd[w0 + 3 * kb]);
            p30 = s.fma(x0v, p30);
            p31 = s.fma(x1v, p31);
            p32 = s.fma(x2v, p32);
            p33 = s.fma(x3v, p33);
        }
        p00.intoArray(yt, y0);
        p01.intoArray(yt, y0 + L);
        p02.intoArray(yt, y0 + 2 * L);
        p03.intoArray(yt, y0 + 3 * L);
        p10.intoArray(yt, y0 + ldy);
        p11.intoArray(yt, y0 + ldy + L);
        p12.intoArray(yt, y0 + ldy + 2 * L);
        p13.intoArray(yt, y0 + ldy + 3 * L);
        p20.intoArray(yt, y0 + 2 * ldy);
        p21.intoArray(yt, y0 + 2 * ldy + L);
        p22.intoArray(yt, y0 + 2 * ldy + 2 * L);
        p23.intoArray(yt, y0 + 2 * ldy + 3 * L);
        p30.intoArray(yt, y0 + 3 * ldy);
        p31.intoArray(yt, y0 + 3 * ldy + L);
        p32.intoArray(yt, y0 + 3 * ldy + 2 * L);
        p33.intoArray(yt, y0 + 3 * ldy + 3 * L);
    }

    /** Rows i..i+3 of W x 4 vectors of keys: 16 sums in registers over the inner dimension. */
    private static void block4x4(double[] wd, int inner, int i, double[] xt, int x0, int ldx, double[] yt, int y0,
            int ldy) {
        final int w0 = i * inner;
        final int w1 = w0 + inner;
        final int w2 = w1 + inner;
        final int w3 = w2 + inner;
        DoubleVector p00 = DoubleVector.fromArray(SPECIES, yt, y0);
        DoubleVector p01 = DoubleVector.fromArray(SPECIES, yt, y0 + L);
        DoubleVector p02 = DoubleVector.fromArray(SPECIES, yt, y0 + 2 * L);
        DoubleVector p03 = DoubleVector.fromArray(SPECIES, yt, y0 + 3 * L);
        DoubleVector p10 = DoubleVector.fromArray(SPECIES, yt, y0 + ldy);
        DoubleVector p11 = DoubleVector.fromArray(SPECIES, yt, y0 + ldy + L);
        DoubleVector p12 = DoubleVector.fromArray(SPECIES, yt, y0 + ldy + 2 * L);
        DoubleVector p13 = DoubleVector.fromArray(SPECIES, yt, y0 + ldy + 3 * L);
        DoubleVector p20 = DoubleVector.fromArray(SPECIES, yt, y0 + 2 * ldy);
        DoubleVector p21 = DoubleVector.fromArray(SPECIES, yt, y0 + 2 * ldy + L);
        DoubleVector p22 = DoubleVector.fromArray(SPECIES, yt, y0 + 2 * ldy + 2 * L);
        DoubleVector p23 = DoubleVector.fromArray(SPECIES, yt, y0 + 2 * ldy + 3 * L);
        DoubleVector p30 = DoubleVector.fromArray(SPECIES, yt, y0 + 3 * ldy);
        DoubleVector p31 = DoubleVector.fromArray(SPECIES, yt, y0 + 3 * ldy + L);
        DoubleVector p32 = DoubleVector.fromArray(SPECIES, yt, y0 + 3 * ldy + 2 * L);
        DoubleVector p33 = DoubleVector.fromArray(SPECIES, yt, y0 + 3 * ldy + 3 * L);
        for (int k = 0; k < inner; k++) {
            int xk = x0 + k * ldx;
            DoubleVector x0v = DoubleVector.fromArray(SPECIES, xt, xk);
            DoubleVector x1v = DoubleVector.fromArray(SPECIES, xt, xk + L);
            DoubleVector x2v = DoubleVector.fromArray(SPECIES, xt, xk + 2 * L);
            DoubleVector x3v = DoubleVector.fromArray(SPECIES, xt, xk + 3 * L);
            DoubleVector s = DoubleVector.broadcast(SPECIES, wd[w0 + k]);
            p00 = s.fma(x0v, p00);
            p01 = s.fma(x1v, p01);
            p02 = s.fma(x2v, p02);
            p03 = s.fma(x3v, p03);
            s = DoubleVector.broadcast(SPECIES, wd[w1 + k]);
            p10 = s.fma(x0v, p10);
            p11 = s.fma(x1v, p11);
            p12 = s.fma(x2v, p12);
            p13 = s.fma(x3v, p13);
            s = DoubleVector.broadcast(SPECIES, wd[w2 + k]);
            p20 = s.fma(x0v, p20);
            p21 = s.fma(x1v, p21);
            p22 = s.fma(x2v, p22);
            p23 = s.fma(x3v, p23);
            s = DoubleVector.broadcast(SPECIES, wd[w3 + k]);
            p30 = s.fma(x0v, p30);
            p31 = s.fma(x1v, p31);
            p32 = s.fma(x2v, p32);
            p33 = s.fma(x3v, p33);
        }
        p00.intoArray(yt, y0);
        p01.intoArray(yt, y0 + L);
        p02.intoArray(yt, y0 + 2 * L);
        p03.intoArray(yt, y0 + 3 * L);
        p10.intoArray(yt, y0 + ldy);
        p11.intoArray(yt, y0 + ldy + L);
        p12.intoArray(yt, y0 + ldy + 2 * L);
        p13.intoArray(yt, y0 + ldy + 3 * L);
        p20.intoArray(yt, y0 + 2 * ldy);
        p21.intoArray(yt, y0 + 2 * ldy + L);
        p22.intoArray(yt, y0 + 2 * ldy + 2 * L);
        p23.intoArray(yt, y0 + 2 * ldy + 3 * L);
        p30.intoArray(yt, y0 + 3 * ldy);
        p31.intoArray(yt, y0 + 3 * ldy + L);
        p32.intoArray(yt, y0 + 3 * ldy + 2 * L);
        p33.intoArray(yt, y0 + 3 * ldy + 3 * L);
    }

    /**
     * {@code YT[c, b] += sum_r W[r,c] VT[r, b]}, i.e. {@code Y += V W} per key; as
     * {@link #laneMultAdd}: per element one fma chain over r in order, whatever the blocking.
     * Blocks of 6 columns x 4 vectors of keys (24 sums in registers; 8 x 2 before: 53 to 57
     * GFLOP/s for a 1024 x 256 W and 64 keys), then what they leave in blocks of 8 columns (a
     * cache line of a row of W) x 2 vectors.
     */
    static void laneMultTransAdd(DMatrixRMaj w, double[] vt, int vOff, int ldv, double[] yt, int yOff, int ldy,
            int n) {
        final double[] wd = w.data;
        final int rows = w.numRows;
        final int cols = w.numCols;
        final int n4 = n / (4 * L) * (4 * L);
        int c6 = 0;
        if (n4 > 0) {
            for (; c6 + 5 < cols; c6 += 6) {
                for (int b = 0; b < n4; b += 4 * L) {
                    trans6x4(wd, rows, cols, c6, vt, vOff + b, ldv, yt, yOff + c6 * ldy + b, ldy);
                }
            }
        }
        transRest(w, 0, c6, n4, vt, vOff, ldv, yt, yOff, ldy, n);
        transRest(w, c6, cols, 0, vt, vOff, ldv, yt, yOff, ldy, n);
    }

    /** Columns c..c+5 of W x 4 vectors of keys of {@link #laneMultTransAdd}: 24 sums in registers over the rows. */
    private static void trans6x4(double[] wd, int rows, int cols, int c, double[] vt, int v0, int ldv, double[] yt,
            int y0, int ldy) {
        final int y1 = y0 + ldy;
        final int y2 = y1 + ldy;
        final int y3 = y2 + ldy;
        final int y4 = y3 + ldy;
        final int y5 = y4 + ldy;
        DoubleVector p00 = DoubleVector.fromArray(SPECIES, yt, y0);
        DoubleVector p01 = DoubleVector.fromArray(SPECIES, yt, y0 + L);
        DoubleVector p02 = DoubleVector.fromArray(SPECIES, yt, y0 + 2 * L);
        DoubleVector p03 = DoubleVector.fromArray(SPECIES, yt, y0 + 3 * L);
        DoubleVector p10 = DoubleVector.fromArray(SPECIES, yt, y1);
        DoubleVector p11 = DoubleVector.fromArray(SPECIES, yt, y1 + L);
        DoubleVector p12 = DoubleVector.fromArray(SPECIES, yt, y1 + 2 * L);
        DoubleVector p13 = DoubleVector.fromArray(SPECIES, yt, y1 + 3 * L);
        DoubleVector p20 = DoubleVector.fromArray(SPECIES, yt, y2);
        DoubleVector p21 = DoubleVector.fromArray(SPECIES, yt, y2 + L);
        DoubleVector p22 = DoubleVector.fromArray(SPECIES, yt, y2 + 2 * L);
        DoubleVector p23 = DoubleVector.fromArray(SPECIES, yt, y2 + 3 * L);
        DoubleVector p30 = DoubleVector.fromArray(SPECIES, yt, y3);
        DoubleVector p31 = DoubleVector.fromArray(SPECIES, yt, y3 + L);
        DoubleVector p32 = DoubleVector.fromArray(SPECIES, yt, y3 + 2 * L);
        DoubleVector p33 = DoubleVector.fromArray(SPECIES, yt, y3 + 3 * L);
        DoubleVector p40 = DoubleVector.fromArray(SPECIES, yt, y4);
        DoubleVector p41 = DoubleVector.fromArray(SPECIES, yt, y4 + L);
        DoubleVector p42 = DoubleVector.fromArray(SPECIES, yt, y4 + 2 * L);
        DoubleVector p43 = DoubleVector.fromArray(SPECIES, yt, y4 + 3 * L);
        DoubleVector p50 = DoubleVector.fromArray(SPECIES, yt, y5);
        DoubleVector p51 = DoubleVector.fromArray(SPECIES, yt, y5 + L);
        DoubleVector p52 = DoubleVector.fromArray(SPECIES, yt, y5 + 2 * L);
        DoubleVector p53 = DoubleVector.fromArray(SPECIES, yt, y5 + 3 * L);
        for (int r = 0; r < rows; r++) {
            int vr = v0 + r * ldv;
            int wr = r * cols + c;
            DoubleVector x0 = DoubleVector.fromArray(SPECIES, vt, vr);
            DoubleVector x1 = DoubleVector.fromArray(SPECIES, vt, vr + L);
            DoubleVector x2 = DoubleVector.fromArray(SPECIES, vt, vr + 2 * L);
            DoubleVector x3 = DoubleVector.fromArray(SPECIES, vt, vr + 3 * L);
            DoubleVector s = DoubleVector.broadcast(SPECIES, wd[wr]);
            p00 = s.fma(x0, p00);
            p01 = s.fma(x1, p01);
            p02 = s.fma(x2, p02);
            p03 = s.fma(x3, p03);
            s = DoubleVector.broadcast(SPECIES, wd[wr + 1]);
            p10 = s.fma(x0, p10);
            p11 = s.fma(x1, p11);
            p12 = s.fma(x2, p12);
            p13 = s.fma(x3, p13);
            s = DoubleVector.broadcast(SPECIES, wd[wr + 2]);
            p20 = s.fma(x0, p20);
            p21 = s.fma(x1, p21);
            p22 = s.fma(x2, p22);
            p23 = s.fma(x3, p23);
            s = DoubleVector.broadcast(SPECIES, wd[wr + 3]);
            p30 = s.fma(x0, p30);
            p31 = s.fma(x1, p31);
            p32 = s.fma(x2, p32);
            p33 = s.fma(x3, p33);
            s = DoubleVector.broadcast(SPECIES, wd[wr + 4]);
            p40 = s.fma(x0, p40);
            p41 = s.fma(x1, p41);
            p42 = s.fma(x2, p42);
            p43 = s.fma(x3, p43);
            s = DoubleVector.broadcast(SPECIES, wd[wr + 5]);
            p50 = s.fma(x0, p50);
            p51 = s.fma(x1, p51);
            p52 = s.fma(x2, p52);
            p53 = s.fma(x3, p53);
        }
        p00.intoArray(yt, y0);
        p01.intoArray(yt, y0 + L);
        p02.intoArray(yt, y0 + 2 * L);
        p03.intoArray(yt, y0 + 3 * L);
        p10.intoArray(yt, y1);
        p11.intoArray(yt, y1 + L);
        p12.intoArray(yt, y1 + 2 * L);
        p13.intoArray(yt, y1 + 3 * L);
        p20.intoArray(yt, y2);
        p21.intoArray(yt, y2 + L);
        p22.intoArray(yt, y2 + 2 * L);
        p23.intoArray(yt, y2 + 3 * L);
        p30.intoArray(yt, y3);
        p31.intoArray(yt, y3 + L);
        p32.intoArray(yt, y3 + 2 * L);
        p33.intoArray(yt, y3 + 3 * L);
        p40.intoArray(yt, y4);
        p41.intoArray(yt, y4 + L);
        p42.intoArray(yt, y4 + 2 * L);
        p43.intoArray(yt, y4 + 3 * L);
        p50.intoArray(yt, y5);
        p51.intoArray(yt, y5 + L);
        p52.intoArray(yt, y5 + 2 * L);
        p53.intoArray(yt, y5 + 3 * L);
    }

    /**
     * {@link #laneMultTransAdd} for columns [cStart, cEnd) and keys [bStart, n) (bStart a multiple
     * of L): blocks of 8 columns x 2 vectors, then 4 columns x one (masked) vector, then single
     * columns.
     */
    private static void transRest(DMatrixRMaj w, int cStart, int cEnd, int bStart, double[] vt, int vOff, int ldv,
            double[] yt, int yOff, int ldy, int n) {
        final double[] wd = w.data;
        final int rows = w.numRows;
        final int cols = w.numCols;
        final int vb = SPECIES.loopBound(n);
        if (cStart >= cEnd || bStart >= n) {
            return;
        }
        int c = cStart;
        for (; c + 7 < cEnd; c += 8) {
            final int y0 = yOff + c * ldy;
            int b = bStart;
            for (; b + 2 * L <= vb; b += 2 * L) {
                DoubleVector p00 = DoubleVector.fromArray(SPECIES, yt, y0 + b);
                DoubleVector p01 = DoubleVector.fromArray(SPECIES, yt, y0 + b + L);
                DoubleVector p10 = DoubleVector.fromArray(SPECIES, yt, y0 + ldy + b);
                DoubleVector p11 = DoubleVector.fromArray(SPECIES, yt, y0 + ldy + b + L);
                DoubleVector p20 = DoubleVector.fromArray(SPECIES, yt, y0 + 2 * ldy + b);
                DoubleVector p21 = DoubleVector.fromArray(SPECIES, yt, y0 + 2 * ldy + b + L);
                DoubleVector p30 = DoubleVector.fromArray(SPECIES, yt, y0 + 3 * ldy + b);
                DoubleVector p31 = DoubleVector.fromArray(SPECIES, yt, y0 + 3 * ldy + b + L);
                DoubleVector p40 = DoubleVector.fromArray(SPECIES, yt, y0 + 4 * ldy + b);
                DoubleVector p41 = DoubleVector.fromArray(SPECIES, yt, y0 + 4 * ldy + b + L);
                DoubleVector p50 = DoubleVector.fromArray(SPECIES, yt, y0 + 5 * ldy + b);
                DoubleVector p51 = DoubleVector.fromArray(SPECIES, yt, y0 + 5 * ldy + b + L);
                DoubleVector p60 = DoubleVector.fromArray(SPECIES, yt, y0 + 6 * ldy + b);
                DoubleVector p61 = DoubleVector.fromArray(SPECIES, yt, y0 + 6 * ldy + b + L);
                DoubleVector p70 = DoubleVector.fromArray(SPECIES, yt, y0 + 7 * ldy + b);
                DoubleVector p71 = DoubleVector.fromArray(SPECIES, yt, y0 + 7 * ldy + b + L);
                for (int r = 0; r < rows; r++) {
                    int vr = vOff + r * ldv + b;
                    int wr = r * cols + c;
                    DoubleVector x0 = DoubleVector.fromArray(SPECIES, vt, vr);
                    DoubleVector x1 = DoubleVector.fromArray(SPECIES, vt, vr + L);
                    DoubleVector s = DoubleVector.broadcast(SPECIES, wd[wr]);
                    p00 = s.fma(x0, p00);
                    p01 = s.fma(x1, p01);
                    s = DoubleVector.broadcast(SPECIES, wd[wr + 1]);
                    p10 = s.fma(x0, p10);
                    p11 = s.fma(x1, p11);
                    s = DoubleVector.broadcast(SPECIES, wd[wr + 2]);
                    p20 = s.fma(x0, p20);
                    p21 = s.fma(x1, p21);
                    s = DoubleVector.broadcast(SPECIES, wd[wr + 3]);
                    p30 = s.fma(x0, p30);
                    p31 = s.fma(x1, p31);
                    s = DoubleVector.broadcast(SPECIES, wd[wr + 4]);
                    p40 = s.fma(x0, p40);
                    p41 = s.fma(x1, p41);
                    s = DoubleVector.broadcast(SPECIES, wd[wr + 5]);
                    p50 = s.fma(x0, p50);
                    p51 = s.fma(x1, p51);
                    s = DoubleVector.broadcast(SPECIES, wd[wr + 6]);
                    p60 = s.fma(x0, p60);
                    p61 = s.fma(x1, p61);
                    s = DoubleVector.broadcast(SPECIES, wd[wr + 7]);
                    p70 = s.fma(x0, p70);
                    p71 = s.fma(x1, p71);
                }
                p00.intoArray(yt, y0 + b);
                p01.intoArray(yt, y0 + b + L);
                p10.intoArray(yt, y0 + ldy + b);
                p11.intoArray(yt, y0 + ldy + b + L);
                p20.intoArray(yt, y0 + 2 * ldy + b);
                p21.intoArray(yt, y0 + 2 * ldy + b + L);
                p30.intoArray(yt, y0 + 3 * ldy + b);
                p31.intoArray(yt, y0 + 3 * ldy + b + L);
                p40.intoArray(yt, y0 + 4 * ldy + b);
                p41.intoArray(yt, y0 + 4 * ldy + b + L);
                p50.intoArray(yt, y0 + 5 * ldy + b);
                p51.intoArray(yt, y0 + 5 * ldy + b + L);
                p60.intoArray(yt, y0 + 6 * ldy + b);
                p61.intoArray(yt, y0 + 6 * ldy + b + L);
                p70.intoArray(yt, y0 + 7 * ldy + b);
                p71.intoArray(yt, y0 + 7 * ldy + b + L);
            }
            for (; b < n; b += L) {
                lanes4x1(wd, c, rows, 1, cols, vt, vOff, ldv, yt, yOff, ldy, b, n);
                lanes4x1(wd, c + 4, rows, 1, cols, vt, vOff, ldv, yt, yOff, ldy, b, n);
            }
        }
        for (; c + 3 < cEnd; c += 4) {
            for (int b = bStart; b < n; b += L) {
                lanes4x1(wd, c, rows, 1, cols, vt, vOff, ldv, yt, yOff, ldy, b, n);
            }
        }
        for (; c < cEnd; c++) {
            laneTail(wd, c, rows, 1, cols, vt, vOff, ldv, yt, yOff, ldy, bStart, vb, n);
        }
    }

    /**
     * {@code YT[i, b] += sum_k M[i,k] XT[k, b]} for rows i in [rowStart, rows), with
     * {@code M[i,k] = wd[i * wi + k * wk]}: W itself (wi = cols, wk = 1) or its transpose (wi = 1,
     * wk = cols). The general form, for what the specialised blocks leave.
     */
    private static void lanes(double[] wd, int rowStart, int rows, int inner, int wi, int wk, double[] xt, int xOff,
            int ldx, double[] yt, int yOff, int ldy, int n) {
        final int vb = SPECIES.loopBound(n);
        int i = rowStart;
        for (; i + 3 < rows; i += 4) {
            final int w0 = i * wi;
            final int y0 = yOff + i * ldy;
            int b = 0;
            for (; b + 2 * L <= vb; b += 2 * L) {
                DoubleVector p00 = DoubleVector.fromArray(SPECIES, yt, y0 + b);
                DoubleVector p01 = DoubleVector.fromArray(SPECIES, yt, y0 + b + L);
                DoubleVector p10 = DoubleVector.fromArray(SPECIES, yt, y0 + ldy + b);
                DoubleVector p11 = DoubleVector.fromArray(SPECIES, yt, y0 + ldy + b + L);
                DoubleVector p20 = DoubleVector.fromArray(SPECIES, yt, y0 + 2 * ldy + b);
                DoubleVector p21 = DoubleVector.fromArray(SPECIES, yt, y0 + 2 * ldy + b + L);
                DoubleVector p30 = DoubleVector.fromArray(SPECIES, yt, y0 + 3 * ldy + b);
                DoubleVector p31 = DoubleVector.fromArray(SPECIES, yt, y0 + 3 * ldy + b + L);
                for (int k = 0; k < inner; k++) {
                    int xk = xOff + k * ldx + b;
                    int wk0 = w0 + k * wk;
                    DoubleVector x0 = DoubleVector.fromArray(SPECIES, xt, xk);
                    DoubleVector x1 = DoubleVector.fromArray(SPECIES, xt, xk + L);
                    DoubleVector s0 = DoubleVector.broadcast(SPECIES, wd[wk0]);
                    DoubleVector s1 = DoubleVector.broadcast(SPECIES, wd[wk0 + wi]);
                    DoubleVector s2 = DoubleVector.broadcast(SPECIES, wd[wk0 + 2 * wi]);
                    DoubleVector s3 = DoubleVector.broadcast(SPECIES, wd[wk0 + 3 * wi]);
                    p00 = s0.fma(x0, p00);
                    p01 = s0.fma(x1, p01);
                    p10 = s1.fma(x0, p10);
                    p11 = s1.fma(x1, p11);
                    p20 = s2.fma(x0, p20);
                    p21 = s2.fma(x1, p21);
                    p30 = s3.fma(x0, p30);
                    p31 = s3.fma(x1, p31);
                }
                p00.intoArray(yt, y0 + b);
                p01.intoArray(yt, y0 + b + L);
                p10.intoArray(yt, y0 + ldy + b);
                p11.intoArray(yt, y0 + ldy + b + L);
                p20.intoArray(yt, y0 + 2 * ldy + b);
                p21.intoArray(yt, y0 + 2 * ldy + b + L);
                p30.intoArray(yt, y0 + 3 * ldy + b);
                p31.intoArray(yt, y0 + 3 * ldy + b + L);
            }
            for (; b < n; b += L) {
                lanes4x1(wd, i, inner, wi, wk, xt, xOff, ldx, yt, yOff, ldy, b, n);
            }
        }
        for (; i < rows; i++) {
            laneTail(wd, i, inner, wi, wk, xt, xOff, ldx, yt, yOff, ldy, 0, vb, n);
        }
    }

    /**
     * Rows i..i+3 of M ({@code M[i,k] = wd[i * wi + k * wk]}) x the keys b..b+L-1 that are below
     * n, as a masked vector when fewer than L are: four independent fma chains over k, the same
     * per element as the wider blocks. A batch of 52 keys (32 in 4 x 4 blocks, 16 in 4 x 2, 4
     * here) ran its product at 18 GFLOP/s with the keys past the last full vector taken one row
     * and one scalar chain at a time, and at 33 GFLOP/s with this block (64 x 80 times 80 x n).
     */
    private static void lanes4x1(double[] wd, int i, int inner, int wi, int wk, double[] xt, int xOff, int ldx,
            double[] yt, int yOff, int ldy, int b, int n) {
        final VectorMask<Double> m = SPECIES.indexInRange(b, n);
        final int y0 = yOff + i * ldy + b;
        final int w0 = i * wi;
        DoubleVector p0 = DoubleVector.fromArray(SPECIES, yt, y0, m);
        DoubleVector p1 = DoubleVector.fromArray(SPECIES, yt, y0 + ldy, m);
        DoubleVector p2 = DoubleVector.fromArray(SPECIES, yt, y0 + 2 * ldy, m);
        DoubleVector p3 = DoubleVector.fromArray(SPECIES, yt, y0 + 3 * ldy, m);
        for (int k = 0; k < inner; k++) {
            DoubleVector x = DoubleVector.fromArray(SPECIES, xt, xOff + k * ldx + b, m);
            int wk0 = w0 + k * wk;
            p0 = DoubleVector.broadcast(SPECIES, wd[wk0]).fma(x, p0);
            p1 = DoubleVector.broadcast(SPECIES, wd[wk0 + wi]).fma(x, p1);
            p2 = DoubleVector.broadcast(SPECIES, wd[wk0 + 2 * wi]).fma(x, p2);
            p3 = DoubleVector.broadcast(SPECIES, wd[wk0 + 3 * wi]).fma(x, p3);
        }
        p0.intoArray(yt, y0, m);
        p1.intoArray(yt, y0 + ldy, m);
        p2.intoArray(yt, y0 + 2 * ldy, m);
        p3.intoArray(yt, y0 + 3 * ldy, m);
    }

    /** Row i from key b on: single vectors up to vb, then scalar fma chains. */
    private static void laneTail(double[] wd, int i, int inner, int wi, int wk, double[] xt, int xOff, int ldx,
            double[] yt, int yOff, int ldy, int b, int vb, int n) {
        final int y0 = yOff + i * ldy;
        final int w0 = i * wi;
        for (; b < vb; b += L) {
            DoubleVector p = DoubleVector.fromArray(SPECIES, yt, y0 + b);
            for (int k = 0; k < inner; k++) {
                p = DoubleVector.broadcast(SPECIES, wd[w0 + k * wk]).fma(DoubleVector.fromArray(SPECIES, xt,
                        xOff + k * ldx + b), p);
            }
            p.intoArray(yt, y0 + b);
        }
        for (; b < n; b++) {
            double p = yt[y0 + b];
            for (int k = 0; k < inner; k++) {
                p = Math.fma(wd[w0 + k * wk], xt[xOff + k * ldx + b], p);
            }
            yt[y0 + b] = p;
        }
    }

    /** {@code sums[r] += sum_b a[off + r * ld + b]} for b < n: lanes, in-order reduction, scalar tail. */
    static void rowSumsAdd(double[] a, int off, int ld, int rows, int n, double[] sums) {
        final int vb = SPECIES.loopBound(n);
        for (int r = 0; r < rows; r++) {
            int row = off + r * ld;
            DoubleVector acc = DoubleVector.zero(SPECIES);
            int b = 0;
            for (; b < vb; b += L) {
                acc = acc.add(DoubleVector.fromArray(SPECIES, a, row + b));
            }
            double s = acc.reduceLanes(VectorOperators.ADD);
            for (; b < n; b++) {
                s += a[row + b];
            }
            sums[r] += s;
        }
    }

    // ---- element functions ----

    private static final double LOG2E = 1.4426950408889634;
    /** 1.5 * 2^52: adding it rounds to an integer held in the low mantissa bits. */
    private static final double ROUND_MAGIC = 0x1.8p52;
    private static final double LN2_HI = 6.93147180369123816490e-01;
    private static final double LN2_LO = 1.90821492927058770002e-10;
    private static final double EXP_MIN = -708.0;
    private static final double EXP_MAX = 709.0;
    /*
     * e^r on |r| <= ln(2)/2 as the [6/6] Pade approximant P(r) / P(-r), with
     * P(r) = sum_j (12-j)! 6! / (12! j! (6-j)!) r^j = E(r^2) + r O(r^2):
     * E = 1 + 5/44 r^2 + 1/792 r^4 + 1/665280 r^6, O = 1/2 + 1/66 r^2 + 1/15840 r^4.
     * Its error there is below 2e-19 (relative), against 1e-17 for the degree-13 Taylor
     * polynomial used before, in 8 operations instead of 13; and the quotient folds into the one
     * division that sigmoid and tanh need anyway. Measured per element (8 lanes, AVX-512): tanh
     * 1.34 to 1.12 ns, sigmoid 1.5 to 0.97 ns.
     */
    private static final double PADE_E1 = 5.0 / 44.0;
    private static final double PADE_E2 = 1.0 / 792.0;
    private static final double PADE_E3 = 1.0 / 665280.0;
    private static final double PADE_O0 = 0.5;
    private static final double PADE_O1 = 1.0 / 66.0;
    private static final double PADE_O2 = 1.0 / 15840.0;
    /** tanh(x) rounds to +-1 beyond this. */
    private static final double TANH_CLAMP = 20.0;

    /*
     * The loops below write the vector math out in their bodies, with the constants as vectors
     * made before the loop, rather than calling helpers that take and return vectors. Such a
     * helper is fast only while C2 inlines it: compiled on its own (as it was once in a
     * JFR-profiled run of the whole job, where C2 then kept it out of the loop), every call boxes
     * its vectors. expm1 and its boxing took 38% of the forward threads' samples there (expm1 21%,
     * broadcastBits 16%), and tanh 4% with the loop written out (whole-job steps/s under JFR: 264k
     * to 378k). In JMH, where the helpers were inlined, the two forms run at the same speed.
     *
     * Each scalar function below is the reference of its loop: the same operations in the same
     * order, so the same bits. With y = k ln2 + r (k an integer, |r| <= ln(2)/2) and scale = 2^k:
     * e^y = scale (E + rO) / (E - rO).
     */

    /** e^x within 2 ulp, clamped to [e^-708, e^709]. */
    static double exp(double x) {
        double t = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        double kd = Math.fma(t, LOG2E, ROUND_MAGIC);
        double r = reduced(t, kd);
        double e = padeEven(r * r);
        double ro = padeOdd(r * r) * r;
        return (e + ro) / (e - ro) * scale(kd);
    }

    /** r = y - k ln2 for {@code kd = k + ROUND_MAGIC}, k = round(y / ln2); ln2 in two parts. */
    private static double reduced(double y, double kd) {
        double k = kd - ROUND_MAGIC;
        return Math.fma(k, -LN2_LO, Math.fma(k, -LN2_HI, y));
    }

    /** E(r^2) of the Pade approximant. */
    private static double padeEven(double r2) {
        return Math.fma(Math.fma(Math.fma(PADE_E3, r2, PADE_E2), r2, PADE_E1), r2, 1.0);
    }

    /** O(r^2) of the Pade approximant. */
    private static double padeOdd(double r2) {
        return Math.fma(Math.fma(PADE_O2, r2, PADE_O1), r2, PADE_O0);
    }

    /** 2^k for {@code kd = k + ROUND_MAGIC}: k in the exponent bits. */
    private static double scale(double kd) {
        return Double.longBitsToDouble((Double.doubleToRawLongBits(kd) + 1023L) << 52);
    }

    /**
     * tanh within a few ulp: {@code sign(x) (e^y - 1) / (e^y + 1)} with {@code y = 2|x|}, which is
     * {@code ((scale - 1) E + (scale + 1) rO) / ((scale + 1) E + (scale - 1) rO)}: for small |x|
     * (k = 0) the numerator is exactly {@code 2 rO}, so no cancellation near 0.
     */
    static double tanh(double x) {
        double y = Math.min(Math.abs(x), TANH_CLAMP) * 2.0;
        double kd = Math.fma(y, LOG2E, ROUND_MAGIC);
        double r = reduced(y, kd);
        double e = padeEven(r * r);
        double ro = padeOdd(r * r) * r;
        double scale = scale(kd);
        double sm = scale - 1.0;
        double sp = scale + 1.0;
        double t = Math.fma(sm, e, sp * ro) / Math.fma(sp, e, sm * ro);
        return x < 0.0 ? -t : t;
    }

    /**
     * {@code 1 / (1 + e^{-x})} within a few ulp, as {@code (E - rO) / (scale (E + rO) + (E - rO))}
     * for {@code e^{-x}} clamped as in {@link #exp}: one division.
     */
    static double sigmoid(double x) {
        double t = Math.min(Math.max(-x, EXP_MIN), EXP_MAX);
        double kd = Math.fma(t, LOG2E, ROUND_MAGIC);
        double r = reduced(t, kd);
        double e = padeEven(r * r);
        double ro = padeOdd(r * r) * r;
        double d = e - ro;
        return d / Math.fma(scale(kd), e + ro, d);
    }

    /** {@code a[j] = tanh(a[j])}: per vector the operations of {@link #tanh(double)}, so the same bits. */
    static void tanhInPlace(double[] a, int off, int n) {
        final DoubleVector one = DoubleVector.broadcast(SPECIES, 1.0);
        final DoubleVector two = DoubleVector.broadcast(SPECIES, 2.0);
        final DoubleVector clamp = DoubleVector.broadcast(SPECIES, TANH_CLAMP);
        final DoubleVector log2e = DoubleVector.broadcast(SPECIES, LOG2E);
        final DoubleVector magic = DoubleVector.broadcast(SPECIES, ROUND_MAGIC);
        final DoubleVector ln2Hi = DoubleVector.broadcast(SPECIES, -LN2_HI);
        final DoubleVector ln2Lo = DoubleVector.broadcast(SPECIES, -LN2_LO);
        final DoubleVector e1 = DoubleVector.broadcast(SPECIES, PADE_E1);
        final DoubleVector e2 = DoubleVector.broadcast(SPECIES, PADE_E2);
        final DoubleVector e3 = DoubleVector.broadcast(SPECIES, PADE_E3);
        final DoubleVector o0 = DoubleVector.broadcast(SPECIES, PADE_O0);
        final DoubleVector o1 = DoubleVector.broadcast(SPECIES, PADE_O1);
        final DoubleVector o2 = DoubleVector.broadcast(SPECIES, PADE_O2);
        int j = 0;
        for (int bound = SPECIES.loopBound(n); j < bound; j += L) {
            DoubleVector x = DoubleVector.fromArray(SPECIES, a, off + j);
            DoubleVector y = x.abs().min(clamp).mul(two);
            DoubleVector kd = y.fma(log2e, magic);
            DoubleVector k = kd.sub(magic);
            DoubleVector r = k.fma(ln2Hi, y);
            r = k.fma(ln2Lo, r);
            DoubleVector r2 = r.mul(r);
            DoubleVector e = e3.fma(r2, e2).fma(r2, e1).fma(r2, one);
            DoubleVector ro = o2.fma(r2, o1).fma(r2, o0).mul(r);
            DoubleVector scale = kd.reinterpretAsLongs().add(1023L).lanewise(VectorOperators.LSHL, 52)
                    .reinterpretAsDoubles();
            DoubleVector sm = scale.sub(one);
            DoubleVector sp = scale.add(one);
            DoubleVector t = sm.fma(e, sp.mul(ro)).div(sp.fma(e, sm.mul(ro)));
            t.blend(t.neg(), x.lt(0.0)).intoArray(a, off + j);
        }
        for (; j < n; j++) {
            a[off + j] = tanh(a[off + j]);
        }
    }

    /** {@code a[j] = sigmoid(a[j])}: per vector the operations of {@link #sigmoid(double)}, so the same bits. */
    static void sigmoidInPlace(double[] a, int off, int n) {
        final DoubleVector one = DoubleVector.broadcast(SPECIES, 1.0);
        final DoubleVector min = DoubleVector.broadcast(SPECIES, EXP_MIN);
        final DoubleVector max = DoubleVector.broadcast(SPECIES, EXP_MAX);
        final DoubleVector log2e = DoubleVector.broadcast(SPECIES, LOG2E);
        final DoubleVector magic = DoubleVector.broadcast(SPECIES, ROUND_MAGIC);
        final DoubleVector ln2Hi = DoubleVector.broadcast(SPECIES, -LN2_HI);
        final DoubleVector ln2Lo = DoubleVector.broadcast(SPECIES, -LN2_LO);
        final DoubleVector e1 = DoubleVector.broadcast(SPECIES, PADE_E1);
        final DoubleVector e2 = DoubleVector.broadcast(SPECIES, PADE_E2);
        final DoubleVector e3 = DoubleVector.broadcast(SPECIES, PADE_E3);
        final DoubleVector o0 = DoubleVector.broadcast(SPECIES, PADE_O0);
        final DoubleVector o1 = DoubleVector.broadcast(SPECIES, PADE_O1);
        final DoubleVector o2 = DoubleVector.broadcast(SPECIES, PADE_O2);
        int j = 0;
        for (int bound = SPECIES.loopBound(n); j < bound; j += L) {
            // e^{-x}, clamped, as scale (E + rO) / (E - rO)
            DoubleVector t = DoubleVector.fromArray(SPECIES, a, off + j).neg().max(min).min(max);
            DoubleVector kd = t.fma(log2e, magic);
            DoubleVector k = kd.sub(magic);
            DoubleVector r = k.fma(ln2Hi, t);
            r = k.fma(ln2Lo, r);
            DoubleVector r2 = r.mul(r);
            DoubleVector e = e3.fma(r2, e2).fma(r2, e1).fma(r2, one);
            DoubleVector ro = o2.fma(r2, o1).fma(r2, o0).mul(r);
            DoubleVector scale = kd.reinterpretAsLongs().add(1023L).lanewise(VectorOperators.LSHL, 52)
                    .reinterpretAsDoubles();
            DoubleVector d = e.sub(ro);
            d.div(scale.fma(e.add(ro), d)).intoArray(a, off + j);
        }
        for (; j < n; j++) {
            a[off + j] = sigmoid(a[off + j]);
        }
    }
}
