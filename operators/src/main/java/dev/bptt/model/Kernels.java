package dev.bptt.model;

import org.ejml.data.DMatrixRMaj;

/**
 * The dense kernels the cells are made of, on EJML row-major matrices and offsets into plain
 * arrays. They allocate nothing, check nothing in their loops and accumulate ({@code +=}) into
 * their output, so callers can build sums without temporaries.
 */
public final class Kernels {

    private Kernels() {}

    /**
     * {@code y[yOff + r] += sum_c A[r, c] * x[xOff + c]} for every row r of A. Modifies y.
     */
    public static void multAdd(DMatrixRMaj a, double[] x, int xOff, double[] y, int yOff) {
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

    /**
     * {@code y[yOff + c] += sum_r A[r, c] * v[vOff + r]}, i.e. {@code y += A^T v}. Modifies y.
     */
    public static void multTransAdd(DMatrixRMaj a, double[] v, int vOff, double[] y, int yOff) {
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

    /** {@code A[r, c] += u[uOff + r] * v[vOff + c]}, the outer product {@code A += u v^T}. Modifies A. */
    public static void outerAdd(DMatrixRMaj a, double[] u, int uOff, double[] v, int vOff) {
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

    /** {@code y[yOff + j] += x[xOff + j]} for j in [0, n). Modifies y. */
    public static void addTo(double[] x, int xOff, double[] y, int yOff, int n) {
        for (int j = 0; j < n; j++) {
            y[yOff + j] += x[xOff + j];
        }
    }

    /** Logistic sigmoid {@code 1 / (1 + exp(-x))}, as PyTorch computes it. */
    public static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }
}
