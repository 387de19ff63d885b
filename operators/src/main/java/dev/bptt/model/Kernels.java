package dev.bptt.model;

import org.ejml.data.DMatrixRMaj;

/**
 * The dense kernels the cells are made of, on EJML row-major matrices and offsets into plain
 * arrays. They allocate nothing, check nothing in their loops and accumulate ({@code +=}) into
 * their output, so callers can build sums without temporaries.
 *
 * <p>Two implementations, chosen once per JVM by the system property {@code bptt.kernels}:
 * {@code vector} ({@link VectorKernels}, the JDK Vector API; needs the JVM flag
 * {@code --add-modules jdk.incubator.vector}), {@code scalar} ({@link ScalarKernels}, plain
 * loops), or {@code auto} (the default: vector when that module is present, else scalar). They
 * agree to rounding (1e-12 relative, {@code KernelsTest}); within one implementation the result
 * of every element is independent of batching, so a batched kernel ({@code *Rows}) gives each
 * row exactly the numbers its per-row kernel gives.
 *
 * <p>The batched kernels take a block of n rows (keys), row b of an operand starting at
 * {@code off + b * stride}.
 */
public final class Kernels {

    /** System property that picks the implementation: {@code auto}, {@code vector} or {@code scalar}. */
    public static final String PROPERTY = "bptt.kernels";
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** True when the Vector API kernels run; constant for the JIT. */
    static final boolean VECTOR = selectVector(System.getProperty(PROPERTY, "auto"));

    private Kernels() {}

    static boolean selectVector(String mode) {
        boolean available = ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
        switch (mode) {
            case "scalar":
                return false;
            case "auto":
                return available;
            case "vector":
                if (!available) {
                    throw new IllegalStateException("-D" + PROPERTY + "=vector needs the JVM flag --add-modules "
                            + VECTOR_MODULE);
                }
                return true;
            default:
                throw new IllegalArgumentException(
                        "-D" + PROPERTY + "=" + mode + ": expected auto, vector or scalar");
        }
    }

    /** Doubles per vector of the running kernels (1 for scalar). */
    public static int lanes() {
        return VECTOR ? VectorKernels.SPECIES.length() : 1;
    }

    /** Which kernels run, e.g. {@code vector (8 x f64 lanes)} or {@code scalar (...)}, for logs and benchmarks. */
    public static String implementation() {
        if (VECTOR) {
            return "vector (" + VectorKernels.SPECIES.length() + " x f64 lanes)";
        }
        boolean available = ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
        return available ? "scalar (-D" + PROPERTY + "=scalar)" : "scalar (JVM started without --add-modules "
                + VECTOR_MODULE + ")";
    }

    /**
     * {@code y[yOff + r] += sum_c A[r, c] * x[xOff + c]} for every row r of A. Modifies y.
     */
    public static void multAdd(DMatrixRMaj a, double[] x, int xOff, double[] y, int yOff) {
        if (VECTOR) {
            VectorKernels.multAdd(a, x, xOff, y, yOff);
        } else {
            ScalarKernels.multAdd(a, x, xOff, y, yOff);
        }
    }

    /** {@code y += A x + B h}, A and B with the same number of rows. Modifies y. */
    public static void multAdd2(DMatrixRMaj a, double[] x, int xOff, DMatrixRMaj b, double[] h, int hOff, double[] y,
            int yOff) {
        if (VECTOR) {
            VectorKernels.multAdd2(a, x, xOff, b, h, hOff, y, yOff);
        } else {
            ScalarKernels.multAdd2(a, x, xOff, b, h, hOff, y, yOff);
        }
    }

    /**
     * {@code y[yOff + c] += sum_r A[r, c] * v[vOff + r]}, i.e. {@code y += A^T v}. Modifies y.
     */
    public static void multTransAdd(DMatrixRMaj a, double[] v, int vOff, double[] y, int yOff) {
        if (VECTOR) {
            VectorKernels.multTransAdd(a, v, vOff, y, yOff);
        } else {
            ScalarKernels.multTransAdd(a, v, vOff, y, yOff);
        }
    }

    /** {@code A[r, c] += u[uOff + r] * v[vOff + c]}, the outer product {@code A += u v^T}. Modifies A. */
    public static void outerAdd(DMatrixRMaj a, double[] u, int uOff, double[] v, int vOff) {
        if (VECTOR) {
            VectorKernels.outerAdd(a, u, uOff, v, vOff);
        } else {
            ScalarKernels.outerAdd(a, u, uOff, v, vOff);
        }
    }

    /** {@link #multAdd} for n rows: {@code Y += X A^T}. Modifies y. */
    public static void multAddRows(DMatrixRMaj a, double[] x, int xOff, int xStride, double[] y, int yOff,
            int yStride, int n) {
        if (VECTOR) {
            VectorKernels.multAddRows(a, x, xOff, xStride, y, yOff, yStride, n);
        } else {
            ScalarKernels.multAddRows(a, x, xOff, xStride, y, yOff, yStride, n);
        }
    }

    /** {@link #multAdd2} for n rows: {@code Y += X A^T + H B^T}. Modifies y. */
    public static void multAdd2Rows(DMatrixRMaj a, double[] x, int xOff, int xStride, DMatrixRMaj b, double[] h,
            int hOff, int hStride, double[] y, int yOff, int yStride, int n) {
        if (VECTOR) {
            VectorKernels.multAdd2Rows(a, x, xOff, xStride, b, h, hOff, hStride, y, yOff, yStride, n);
        } else {
            ScalarKernels.multAdd2Rows(a, x, xOff, xStride, b, h, hOff, hStride, y, yOff, yStride, n);
        }
    }

    /** {@link #multTransAdd} for n rows: {@code Y += V A}. Modifies y. */
    public static void multTransAddRows(DMatrixRMaj a, double[] v, int vOff, int vStride, double[] y, int yOff,
            int yStride, int n) {
        if (VECTOR) {
            VectorKernels.multTransAddRows(a, v, vOff, vStride, y, yOff, yStride, n);
        } else {
            ScalarKernels.multTransAddRows(a, v, vOff, vStride, y, yOff, yStride, n);
        }
    }

    /**
     * {@code A += sum_b u_b v_b^T = U^T V} over n rows of U and V (a sum over keys or steps;
     * unlike the other batched kernels it mixes rows). Modifies A.
     */
    public static void outerAddRows(DMatrixRMaj a, double[] u, int uOff, int uStride, double[] v, int vOff,
            int vStride, int n) {
        if (VECTOR) {
            VectorKernels.outerAddRows(a, u, uOff, uStride, v, vOff, vStride, n);
        } else {
            ScalarKernels.outerAddRows(a, u, uOff, uStride, v, vOff, vStride, n);
        }
    }

    /**
     * {@code A += sum_b u_b v_b^T} with U feature-major: {@code u_b[r] = ut[uOff + r * ldu + b]},
     * {@code v_b[c] = v[vOff + b * vStride + c]}. Modifies A.
     */
    public static void outerAddLanes(DMatrixRMaj a, double[] ut, int uOff, int ldu, double[] v, int vOff,
            int vStride, int n) {
        if (VECTOR) {
            VectorKernels.outerAddLanes(a, ut, uOff, ldu, v, vOff, vStride, n);
        } else {
            ScalarKernels.outerAddLanes(a, ut, uOff, ldu, v, vOff, vStride, n);
        }
    }

    /**
     * Feature-major {@code Y += X W^T} for n keys: {@code yt[yOff + r * ldy + b] += sum_k W[r,k]
     * xt[xOff + k * ldx + b]}. The keys are independent lanes: a key's result does not depend on
     * n or on the other keys. Modifies yt.
     */
    public static void laneMultAdd(DMatrixRMaj w, double[] xt, int xOff, int ldx, double[] yt, int yOff, int ldy,
            int n) {
        if (VECTOR) {
            VectorKernels.laneMultAdd(w, xt, xOff, ldx, yt, yOff, ldy, n);
        } else {
            ScalarKernels.laneMultAdd(w, xt, xOff, ldx, yt, yOff, ldy, n);
        }
    }

    /**
     * Feature-major {@code YT = bias + A XT + B HT} for n keys, written (not accumulated):
     * {@code yt[yOff + r * ldy + b] = (bi[r] + bh[r]) + sum_k A[r,k] xt[xOff + k * ldx + b]
     * + sum_k B[r,k] ht[hOff + k * ldh + b]}; bh may be null (bias bi[r]), B may be null (no
     * second product). The same numbers as filling the bias rows and calling {@link #laneMultAdd}
     * for A, then for B, in one pass; keys are independent lanes. Modifies yt.
     */
    public static void laneBiasMult2(double[] bi, double[] bh, DMatrixRMaj a, double[] xt, int xOff, int ldx,
            DMatrixRMaj b, double[] ht, int hOff, int ldh, double[] yt, int yOff, int ldy, int n) {
        if (b != null && b.numRows != a.numRows) {
            throw new IllegalArgumentException("row counts differ: " + a.numRows + " and " + b.numRows);
        }
        if (VECTOR) {
            VectorKernels.laneBiasMult2(bi, bh, a, xt, xOff, ldx, b, ht, hOff, ldh, yt, yOff, ldy, n);
        } else {
            ScalarKernels.laneBiasMult2(bi, bh, a, xt, xOff, ldx, b, ht, hOff, ldh, yt, yOff, ldy, n);
        }
    }

    /**
     * Feature-major {@code Y += V W} for n keys: {@code yt[yOff + c * ldy + b] += sum_r W[r,c]
     * vt[vOff + r * ldv + b]}; keys are independent lanes. Modifies yt.
     */
    public static void laneMultTransAdd(DMatrixRMaj w, double[] vt, int vOff, int ldv, double[] yt, int yOff,
            int ldy, int n) {
        if (VECTOR) {
            VectorKernels.laneMultTransAdd(w, vt, vOff, ldv, yt, yOff, ldy, n);
        } else {
            ScalarKernels.laneMultTransAdd(w, vt, vOff, ldv, yt, yOff, ldy, n);
        }
    }

    /** {@code sums[r] += sum_b a[off + r * ld + b]} for r < rows, b < n (a bias gradient over keys). Modifies sums. */
    public static void rowSumsAdd(double[] a, int off, int ld, int rows, int n, double[] sums) {
        if (VECTOR) {
            VectorKernels.rowSumsAdd(a, off, ld, rows, n, sums);
        } else {
            ScalarKernels.rowSumsAdd(a, off, ld, rows, n, sums);
        }
    }

    /** {@code a[j] = tanh(a[j])} for j in [off, off + n). Modifies a. */
    public static void tanhInPlace(double[] a, int off, int n) {
        if (VECTOR) {
            VectorKernels.tanhInPlace(a, off, n);
        } else {
            ScalarKernels.tanhInPlace(a, off, n);
        }
    }

    /** {@code a[j] = sigmoid(a[j])} for j in [off, off + n). Modifies a. */
    public static void sigmoidInPlace(double[] a, int off, int n) {
        if (VECTOR) {
            VectorKernels.sigmoidInPlace(a, off, n);
        } else {
            ScalarKernels.sigmoidInPlace(a, off, n);
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
