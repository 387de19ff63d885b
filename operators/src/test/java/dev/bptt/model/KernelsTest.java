package dev.bptt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernels against the scalar ones on random shapes, odd sizes 1..67 included
 * (every vector tail), to 1e-12 relative; the batched kernels against their per-row kernels, bit
 * for bit; the lane kernels keep every key's bits independent of the batch.
 */
class KernelsTest {

    private static final double TOLERANCE = 1e-12;
    private static final int[] SIZES = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 67};

    private final SplittableRandom random = new SplittableRandom(345);

    @Test
    void theVectorKernelsRunInTests() {
        assertThat(Kernels.VECTOR).as(Kernels.implementation()).isTrue();
        assertThat(Kernels.implementation()).startsWith("vector");
    }

    @Test
    void modeIsCheckedByName() {
        assertThat(Kernels.selectVector("scalar")).isFalse();
        assertThat(Kernels.selectVector("auto")).isTrue();
        assertThatThrownBy(() -> Kernels.selectVector("simd")).hasMessageContaining("auto, vector or scalar");
    }

    @Test
    void multAddAgrees() {
        for (int rows : SIZES) {
            for (int cols : SIZES) {
                DMatrixRMaj a = matrix(rows, cols);
                double[] x = vector(cols + 3);
                double[] y = vector(rows + 2);
                double[] vy = y.clone();
                ScalarKernels.multAdd(a, x, 3, y, 2);
                VectorKernels.multAdd(a, x, 3, vy, 2);
                assertClose(vy, y, scaleMultAdd(a, x, 3, rows, 2), "multAdd %dx%d", rows, cols);
            }
        }
    }

    @Test
    void multAdd2Agrees() {
        for (int rows : SIZES) {
            for (int ka : SIZES) {
                int kb = SIZES[random.nextInt(SIZES.length)];
                DMatrixRMaj a = matrix(rows, ka);
                DMatrixRMaj b = matrix(rows, kb);
                double[] x = vector(ka + 1);
                double[] h = vector(kb);
                double[] y = vector(rows);
                double[] vy = y.clone();
                ScalarKernels.multAdd2(a, x, 1, b, h, 0, y, 0);
                VectorKernels.multAdd2(a, x, 1, b, h, 0, vy, 0);
                double[] scale = scaleMultAdd(a, x, 1, rows, 0);
                double[] scaleB = scaleMultAdd(b, h, 0, rows, 0);
                for (int r = 0; r < rows; r++) {
                    scale[r] += scaleB[r];
                }
                assertClose(vy, y, scale, "multAdd2 %dx(%d+%d)", rows, ka, kb);
            }
        }
    }

    @Test
    void multTransAddAgrees() {
        for (int rows : SIZES) {
            for (int cols : SIZES) {
                DMatrixRMaj a = matrix(rows, cols);
                double[] v = vector(rows + 1);
                double[] y = vector(cols + 5);
                double[] vy = y.clone();
                ScalarKernels.multTransAdd(a, v, 1, y, 5);
                VectorKernels.multTransAdd(a, v, 1, vy, 5);
                double[] scale = new double[y.length];
                for (int c = 0; c < cols; c++) {
                    scale[5 + c] = Math.abs(y[5 + c]);
                    for (int r = 0; r < rows; r++) {
                        scale[5 + c] += Math.abs(a.get(r, c) * v[1 + r]);
                    }
                }
                assertClose(vy, y, scale, "multTransAdd %dx%d", rows, cols);
            }
        }
    }

    @Test
    void outerAddAgrees() {
        for (int rows : SIZES) {
            for (int cols : SIZES) {
                DMatrixRMaj a = matrix(rows, cols);
                DMatrixRMaj va = a.copy();
                double[] u = vector(rows);
                double[] v = vector(cols + 2);
                ScalarKernels.outerAdd(a, u, 0, v, 2);
                VectorKernels.outerAdd(va, u, 0, v, 2);
                double[] scale = new double[rows * cols];
                Arrays.fill(scale, 2.0);
                assertClose(Arrays.copyOf(va.data, rows * cols), Arrays.copyOf(a.data, rows * cols), scale,
                        "outerAdd %dx%d", rows, cols);
            }
        }
    }

    @Test
    void batchedDotProductsEqualThePerRowKernelsBitForBit() {
        for (int n : new int[] {1, 2, 3, 5, 8}) {
            for (int rows : new int[] {1, 3, 4, 7, 64, 67}) {
                for (int ka : new int[] {1, 9, 16, 67}) {
                    int kb = SIZES[random.nextInt(SIZES.length)];
                    DMatrixRMaj a = matrix(rows, ka);
                    DMatrixRMaj b = matrix(rows, kb);
                    double[] x = vector(n * (ka + 2) + 1);
                    double[] h = vector(n * (kb + 1));
                    double[] y0 = vector(n * (rows + 3));
                    for (boolean vector : new boolean[] {true, false}) {
                        double[] batch = y0.clone();
                        double[] single = y0.clone();
                        double[] batch1 = y0.clone();
                        double[] single1 = y0.clone();
                        if (vector) {
                            VectorKernels.multAdd2Rows(a, x, 1, ka + 2, b, h, 0, kb + 1, batch, 0, rows + 3, n);
                            VectorKernels.multAddRows(a, x, 1, ka + 2, batch1, 0, rows + 3, n);
                        } else {
                            ScalarKernels.multAdd2Rows(a, x, 1, ka + 2, b, h, 0, kb + 1, batch, 0, rows + 3, n);
                            ScalarKernels.multAddRows(a, x, 1, ka + 2, batch1, 0, rows + 3, n);
                        }
                        for (int k = 0; k < n; k++) {
                            if (vector) {
                                VectorKernels.multAdd2(a, x, 1 + k * (ka + 2), b, h, k * (kb + 1), single,
                                        k * (rows + 3));
                                VectorKernels.multAdd(a, x, 1 + k * (ka + 2), single1, k * (rows + 3));
                            } else {
                                ScalarKernels.multAdd2(a, x, 1 + k * (ka + 2), b, h, k * (kb + 1), single,
                                        k * (rows + 3));
                                ScalarKernels.multAdd(a, x, 1 + k * (ka + 2), single1, k * (rows + 3));
                            }
                        }
                        assertThat(batch).as("vector %s n %d rows %d", vector, n, rows).isEqualTo(single);
                        assertThat(batch1).as("vector %s n %d rows %d", vector, n, rows).isEqualTo(single1);
                    }
                }
            }
        }
    }

    @Test
    void batchedTransposedProductsEqualThePerRowKernelsBitForBit() {
        for (int n : new int[] {1, 2, 3, 5}) {
            for (int rows : new int[] {1, 5, 64}) {
                for (int cols : new int[] {1, 7, 32, 33, 64, 67}) {
                    DMatrixRMaj a = matrix(rows, cols);
                    double[] v = vector(n * rows);
                    double[] y0 = vector(n * (cols + 1));
                    double[] batch = y0.clone();
                    double[] single = y0.clone();
                    VectorKernels.multTransAddRows(a, v, 0, rows, batch, 0, cols + 1, n);
                    for (int k = 0; k < n; k++) {
                        VectorKernels.multTransAdd(a, v, k * rows, single, k * (cols + 1));
                    }
                    assertThat(batch).as("n %d %dx%d", n, rows, cols).isEqualTo(single);
                }
            }
        }
    }

    @Test
    void outerAddRowsIsTheSumOfOuterProducts() {
        for (int n : new int[] {1, 2, 5, 64}) {
            for (int rows : new int[] {1, 3, 4, 9, 64}) {
                for (int cols : new int[] {1, 5, 16, 17, 67}) {
                    DMatrixRMaj a = matrix(rows, cols);
                    DMatrixRMaj va = a.copy();
                    double[] u = vector(n * rows);
                    double[] v = vector(n * (cols + 1));
                    ScalarKernels.outerAddRows(a, u, 0, rows, v, 0, cols + 1, n);
                    VectorKernels.outerAddRows(va, u, 0, rows, v, 0, cols + 1, n);
                    double[] scale = new double[rows * cols];
                    Arrays.fill(scale, 1.0 + n);
                    assertClose(Arrays.copyOf(va.data, rows * cols), Arrays.copyOf(a.data, rows * cols), scale,
                            "outerAddRows n %d %dx%d", n, rows, cols);
                }
            }
        }
    }

    @Test
    void laneKernelsAgreeAndKeepKeysApart() {
        for (int n : new int[] {1, 2, 7, 8, 9, 16, 17, 64, 67}) {
            for (int rows : new int[] {1, 3, 4, 5, 16, 67}) {
                for (int cols : new int[] {1, 4, 9, 64}) {
                    DMatrixRMaj w = matrix(rows, cols);
                    int ld = n + 3;
                    double[] xt = vector(cols * ld);
                    double[] vt = vector(rows * ld);
                    double[] y0 = vector(rows * ld);
                    double[] z0 = vector(cols * ld);
                    double[] y = y0.clone();
                    double[] vy = y0.clone();
                    ScalarKernels.laneMultAdd(w, xt, 1, ld, y, 2, ld, n);
                    VectorKernels.laneMultAdd(w, xt, 1, ld, vy, 2, ld, n);
                    double[] scale = new double[y.length];
                    Arrays.fill(scale, 1.0 + cols);
                    assertClose(vy, y, scale, "laneMultAdd n %d %dx%d", n, rows, cols);
                    double[] z = z0.clone();
                    double[] vz = z0.clone();
                    ScalarKernels.laneMultTransAdd(w, vt, 0, ld, z, 0, ld, n);
                    VectorKernels.laneMultTransAdd(w, vt, 0, ld, vz, 0, ld, n);
                    scale = new double[z.length];
                    Arrays.fill(scale, 1.0 + rows);
                    assertClose(vz, z, scale, "laneMultTransAdd n %d %dx%d", n, rows, cols);
                    // Key n-1 computed alone gets the same bits as inside the batch.
                    double[] xAlone = new double[cols];
                    double[] yAlone = new double[rows];
                    for (int k = 0; k < cols; k++) {
                        xAlone[k] = xt[1 + k * ld + n - 1];
                    }
                    for (int r = 0; r < rows; r++) {
                        yAlone[r] = y0[2 + r * ld + n - 1];
                    }
                    VectorKernels.laneMultAdd(w, xAlone, 0, 1, yAlone, 0, 1, 1);
                    for (int r = 0; r < rows; r++) {
                        assertThat(yAlone[r]).isEqualTo(vy[2 + r * ld + n - 1]);
                    }
                    DMatrixRMaj a = matrix(rows, cols);
                    DMatrixRMaj va = a.copy();
                    double[] keys = vector(n * (cols + 1));
                    ScalarKernels.outerAddLanes(a, vt, 0, ld, keys, 0, cols + 1, n);
                    VectorKernels.outerAddLanes(va, vt, 0, ld, keys, 0, cols + 1, n);
                    scale = new double[rows * cols];
                    Arrays.fill(scale, 1.0 + n);
                    assertClose(Arrays.copyOf(va.data, rows * cols), Arrays.copyOf(a.data, rows * cols), scale,
                            "outerAddLanes n %d %dx%d", n, rows, cols);
                }
            }
        }
    }

    @Test
    void laneBiasMult2IsBiasPlusTwoProductsAndKeepsKeysApart() {
        for (int n : new int[] {1, 2, 7, 8, 9, 31, 32, 33, 64, 67}) {
            for (int rows : new int[] {1, 3, 4, 5, 16, 67}) {
                for (int ka : new int[] {1, 9, 16}) {
                    for (int kb : new int[] {0, 5, 64}) {
                        DMatrixRMaj a = matrix(rows, ka);
                        DMatrixRMaj b = kb == 0 ? null : matrix(rows, kb);
                        double[] bi = vector(rows);
                        double[] bh = kb % 2 == 0 ? vector(rows) : null;
                        int ld = n + 3;
                        double[] xt = vector(ka * ld + 1);
                        double[] ht = vector(Math.max(kb, 1) * ld + 2);
                        // A naive double loop: bias, then the sums in k order.
                        double[] naive = new double[rows * ld + 2];
                        double[] scale = new double[naive.length];
                        for (int r = 0; r < rows; r++) {
                            for (int key = 0; key < n; key++) {
                                double y = bh == null ? bi[r] : bi[r] + bh[r];
                                double size = Math.abs(y);
                                for (int k = 0; k < ka; k++) {
                                    y += a.get(r, k) * xt[1 + k * ld + key];
                                    size += Math.abs(a.get(r, k) * xt[1 + k * ld + key]);
                                }
                                for (int k = 0; k < kb; k++) {
                                    y += b.get(r, k) * ht[2 + k * ld + key];
                                    size += Math.abs(b.get(r, k) * ht[2 + k * ld + key]);
                                }
                                naive[2 + r * ld + key] = y;
                                scale[2 + r * ld + key] = size;
                            }
                        }
                        double[] vy = vector(naive.length);
                        double[] sy = vy.clone();
                        double[] unfused = vy.clone();
                        VectorKernels.laneBiasMult2(bi, bh, a, xt, 1, ld, b, ht, 2, ld, vy, 2, ld, n);
                        ScalarKernels.laneBiasMult2(bi, bh, a, xt, 1, ld, b, ht, 2, ld, sy, 2, ld, n);
                        for (int r = 0; r < rows; r++) {
                            for (int key = 0; key < n; key++) {
                                unfused[2 + r * ld + key] = bh == null ? bi[r] : bi[r] + bh[r];
                            }
                        }
                        VectorKernels.laneMultAdd(a, xt, 1, ld, unfused, 2, ld, n);
                        if (b != null) {
                            VectorKernels.laneMultAdd(b, ht, 2, ld, unfused, 2, ld, n);
                        }
                        for (int r = 0; r < rows; r++) {
                            for (int key = 0; key < n; key++) {
                                int i = 2 + r * ld + key;
                                assertThat(Math.abs(vy[i] - naive[i])).as("vector n %d rows %d ka %d kb %d", n, rows,
                                        ka, kb).isLessThanOrEqualTo(TOLERANCE * Math.max(scale[i], 1.0));
                                assertThat(Math.abs(sy[i] - naive[i])).as("scalar").isLessThanOrEqualTo(
                                        TOLERANCE * Math.max(scale[i], 1.0));
                                // Bit for bit the unfused sequence (bias rows, then laneMultAdd twice).
                                assertThat(vy[i]).isEqualTo(unfused[i]);
                            }
                            // Columns past n are not touched.
                            assertThat(vy[2 + r * ld + n]).isEqualTo(unfused[2 + r * ld + n]);
                        }
                        // The last key alone gets the same bits as inside the batch.
                        double[] xAlone = new double[ka];
                        double[] hAlone = new double[Math.max(kb, 1)];
                        for (int k = 0; k < ka; k++) {
                            xAlone[k] = xt[1 + k * ld + n - 1];
                        }
                        for (int k = 0; k < kb; k++) {
                            hAlone[k] = ht[2 + k * ld + n - 1];
                        }
                        double[] yAlone = new double[rows];
                        VectorKernels.laneBiasMult2(bi, bh, a, xAlone, 0, 1, b, hAlone, 0, 1, yAlone, 0, 1, 1);
                        for (int r = 0; r < rows; r++) {
                            assertThat(yAlone[r]).isEqualTo(vy[2 + r * ld + n - 1]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void elementFunctionsMatchJavaMathAndTheirScalarTwins() {
        double worstTanh = 0;
        double worstSigmoid = 0;
        double worstExp = 0;
        for (int n : SIZES) {
            double[] x = new double[n];
            for (int j = 0; j < n; j++) {
                x[j] = random.nextDouble(-1, 1) * Math.pow(10, random.nextInt(-6, 3));
            }
            double[] t = x.clone();
            double[] s = x.clone();
            VectorKernels.tanhInPlace(t, 0, n);
            VectorKernels.sigmoidInPlace(s, 0, n);
            for (int j = 0; j < n; j++) {
                assertThat(t[j]).isEqualTo(VectorKernels.tanh(x[j]));
                assertThat(s[j]).isEqualTo(VectorKernels.sigmoid(x[j]));
                worstTanh = Math.max(worstTanh, rel(t[j], Math.tanh(x[j])));
                worstSigmoid = Math.max(worstSigmoid, rel(s[j], 1.0 / (1.0 + Math.exp(-x[j]))));
            }
        }
        for (int i = 0; i < 200_000; i++) {
            double x = random.nextDouble(-700, 700);
            worstExp = Math.max(worstExp, rel(VectorKernels.exp(x), Math.exp(x)));
            double y = random.nextDouble(-25, 25);
            worstTanh = Math.max(worstTanh, rel(VectorKernels.tanh(y), Math.tanh(y)));
            worstSigmoid = Math.max(worstSigmoid, rel(VectorKernels.sigmoid(y), 1.0 / (1.0 + Math.exp(-y))));
        }
        assertThat(worstExp).isLessThan(5e-16);
        assertThat(worstTanh).isLessThan(1e-15);
        assertThat(worstSigmoid).isLessThan(1e-15);
        assertThat(VectorKernels.tanh(0.0)).isZero();
        assertThat(VectorKernels.tanh(1e6)).isEqualTo(1.0);
        assertThat(VectorKernels.tanh(-1e6)).isEqualTo(-1.0);
        assertThat(VectorKernels.sigmoid(-1e6)).isLessThan(1e-300);
        assertThat(VectorKernels.sigmoid(1e6)).isEqualTo(1.0);
        assertThat(VectorKernels.exp(0.0)).isEqualTo(1.0);
        assertThat(Double.isNaN(VectorKernels.tanh(Double.NaN))).isTrue();
    }

    private static double rel(double a, double b) {
        return a == b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
    }

    /** |y0| + sum_c |A[r,c] x[c]| per row: the size of the terms a rounding error is relative to. */
    private static double[] scaleMultAdd(DMatrixRMaj a, double[] x, int xOff, int rows, int yOff) {
        double[] scale = new double[yOff + rows];
        for (int r = 0; r < rows; r++) {
            scale[yOff + r] = 1.0;
            for (int c = 0; c < a.numCols; c++) {
                scale[yOff + r] += Math.abs(a.get(r, c) * x[xOff + c]);
            }
        }
        return scale;
    }

    private static void assertClose(double[] actual, double[] expected, double[] scale, String what, Object... args) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            double s = i < scale.length ? Math.max(scale[i], Math.abs(expected[i])) : Math.abs(expected[i]);
            assertThat(Math.abs(actual[i] - expected[i]))
                    .as(String.format(what, args) + " element %d: vector %s vs scalar %s", i, actual[i], expected[i])
                    .isLessThanOrEqualTo(TOLERANCE * Math.max(s, Double.MIN_NORMAL));
        }
    }

    private DMatrixRMaj matrix(int rows, int cols) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < rows * cols; i++) {
            m.data[i] = random.nextDouble(-1, 1);
        }
        return m;
    }

    private double[] vector(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextDouble(-1, 1);
        }
        return v;
    }
}
