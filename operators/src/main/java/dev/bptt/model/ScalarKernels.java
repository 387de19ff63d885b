package dev.bptt.model;

import org.ejml.data.DMatrixRMaj;

/**
 * The plain-Java kernels: loops the JIT compiles to scalar code. The reference for
 * {@link VectorKernels} and the path taken with {@code -Dbptt.kernels=scalar} or when the JVM
 * runs without {@code --add-modules jdk.incubator.vector}. Contracts are those of {@link Kernels};
 * a batched kernel is exactly its per-row kernel applied row after row.
 */
final class ScalarKernels {

    private ScalarKernels() {}

    static void multAdd(DMatrixRMaj a, double[] x, int xOff, double[] y, int yOff) {
        final int rows = a.numRows;
        final int cols = a.numCols;
        final double[] ad = a.data;
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += ad[base + c] * x[xOff + c];
            }
            y[yOff + r] += sum;
        }
    }

    static void multAdd2(DMatrixRMaj a, double[] x, int xOff, DMatrixRMaj b, double[] h, int hOff, double[] y,
            int yOff) {
        multAdd(a, x, xOff, y, yOff);
        multAdd(b, h, hOff, y, yOff);
    }

    static void multTransAdd(DMatrixRMaj a, double[] v, int vOff, double[] y, int yOff) {
        final int rows = a.numRows;
        final int cols = a.numCols;
        final double[] ad = a.data;
        for (int r = 0; r < rows; r++) {
            double vr = v[vOff + r];
            if (vr == 0.0) {
                continue;
            }
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                y[yOff + c] += ad[base + c] * vr;
            }
        }
    }

    static void outerAdd(DMatrixRMaj a, double[] u, int uOff, double[] v, int vOff) {
        final int rows = a.numRows;
        final int cols = a.numCols;
        final double[] ad = a.data;
        for (int r = 0; r < rows; r++) {
            double ur = u[uOff + r];
            if (ur == 0.0) {
                continue;
            }
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                ad[base + c] += ur * v[vOff + c];
            }
        }
    }

    static void multAddRows(DMatrixRMaj a, double[] x, int xOff, int xStride, double[] y, int yOff, int yStride,
            int n) {
        for (int b = 0; b < n; b++) {
            multAdd(a, x, xOff + b * xStride, y, yOff + b * yStride);
        }
    }

    static void multAdd2Rows(DMatrixRMaj a, double[] x, int xOff, int xStride, DMatrixRMaj bm, double[] h, int hOff,
            int hStride, double[] y, int yOff, int yStride, int n) {
        for (int b = 0; b < n; b++) {
            multAdd2(a, x, xOff + b * xStride, bm, h, hOff + b * hStride, y, yOff + b * yStride);
        }
    }

    static void multTransAddRows(DMatrixRMaj a, double[] v, int vOff, int vStride, double[] y, int yOff, int yStride,
            int n) {
        for (int b = 0; b < n; b++) {
            multTransAdd(a, v, vOff + b * vStride, y, yOff + b * yStride);
        }
    }

    static void outerAddRows(DMatrixRMaj a, double[] u, int uOff, int uStride, double[] v, int vOff, int vStride,
            int n) {
        for (int b = 0; b < n; b++) {
            outerAdd(a, u, uOff + b * uStride, v, vOff + b * vStride);
        }
    }

    static void outerAddLanes(DMatrixRMaj a, double[] ut, int uOff, int ldu, double[] v, int vOff, int vStride,
            int n) {
        final int rows = a.numRows;
        final int cols = a.numCols;
        final double[] ad = a.data;
        for (int b = 0; b < n; b++) {
            for (int r = 0; r < rows; r++) {
                double ur = ut[uOff + r * ldu + b];
                if (ur == 0.0) {
                    continue;
                }
                int base = r * cols;
                int vb = vOff + b * vStride;
                for (int c = 0; c < cols; c++) {
                    ad[base + c] += ur * v[vb + c];
                }
            }
        }
    }

    static void laneMultAdd(DMatrixRMaj w, double[] xt, int xOff, int ldx, double[] yt, int yOff, int ldy, int n) {
        final int rows = w.numRows;
        final int cols = w.numCols;
        final double[] wd = w.data;
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < cols; k++) {
                double wrk = wd[r * cols + k];
                int x0 = xOff + k * ldx;
                int y0 = yOff + r * ldy;
                for (int b = 0; b < n; b++) {
                    yt[y0 + b] += wrk * xt[x0 + b];
                }
            }
        }
    }

    static void laneBiasMult2(double[] bi, double[] bh, DMatrixRMaj a, double[] xt, int xOff, int ldx, DMatrixRMaj b,
            double[] ht, int hOff, int ldh, double[] yt, int yOff, int ldy, int n) {
        for (int r = 0; r < a.numRows; r++) {
            double bias = bh == null ? bi[r] : bi[r] + bh[r];
            for (int k = 0; k < n; k++) {
                yt[yOff + r * ldy + k] = bias;
            }
        }
        laneMultAdd(a, xt, xOff, ldx, yt, yOff, ldy, n);
        if (b != null) {
            laneMultAdd(b, ht, hOff, ldh, yt, yOff, ldy, n);
        }
    }

    static void laneMultTransAdd(DMatrixRMaj w, double[] vt, int vOff, int ldv, double[] yt, int yOff, int ldy,
            int n) {
        final int rows = w.numRows;
        final int cols = w.numCols;
        final double[] wd = w.data;
        for (int r = 0; r < rows; r++) {
            int v0 = vOff + r * ldv;
            for (int c = 0; c < cols; c++) {
                double wrc = wd[r * cols + c];
                int y0 = yOff + c * ldy;
                for (int b = 0; b < n; b++) {
                    yt[y0 + b] += wrc * vt[v0 + b];
                }
            }
        }
    }

    static void rowSumsAdd(double[] a, int off, int ld, int rows, int n, double[] sums) {
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int b = 0; b < n; b++) {
                s += a[off + r * ld + b];
            }
            sums[r] += s;
        }
    }

    static void tanhInPlace(double[] a, int off, int n) {
        for (int j = off; j < off + n; j++) {
            a[j] = Math.tanh(a[j]);
        }
    }

    static void sigmoidInPlace(double[] a, int off, int n) {
        for (int j = off; j < off + n; j++) {
            a[j] = Kernels.sigmoid(a[j]);
        }
    }
}
