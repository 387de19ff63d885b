package dev.bptt.model;

import java.util.Arrays;
import java.util.List;
import org.ejml.data.DMatrixRMaj;

/**
 * The weights of one network, or a buffer of the same shape (a gradient, an optimizer moment),
 * as EJML row-major matrices named and shaped as PyTorch names them (biases are column
 * vectors). Tensors are kept in the fixed order of {@link #NAMES}; every flat view (
 * {@link #copyTo(double[])}, optimizers, norms) walks them in that order.
 */
public final class Parameters {

    public static final String WEIGHT_IH = "weight_ih_l0";
    public static final String WEIGHT_HH = "weight_hh_l0";
    public static final String BIAS_IH = "bias_ih_l0";
    public static final String BIAS_HH = "bias_hh_l0";
    public static final String READOUT_WEIGHT = "readout.weight";
    public static final String READOUT_BIAS = "readout.bias";
    /** Tensor names in storage order. */
    public static final List<String> NAMES =
            List.of(WEIGHT_IH, WEIGHT_HH, BIAS_IH, BIAS_HH, READOUT_WEIGHT, READOUT_BIAS);

    private final ModelShape shape;
    /** Stacked input weights, gates*H x I. */
    public final DMatrixRMaj weightIh;
    /** Stacked recurrent weights, gates*H x H. */
    public final DMatrixRMaj weightHh;
    /** Input bias, gates*H x 1. */
    public final DMatrixRMaj biasIh;
    /** Recurrent bias, gates*H x 1. */
    public final DMatrixRMaj biasHh;
    /** Readout weight, O x H. */
    public final DMatrixRMaj readoutWeight;
    /** Readout bias, O x 1. */
    public final DMatrixRMaj readoutBias;

    private final DMatrixRMaj[] tensors;

    private Parameters(ModelShape shape) {
        this.shape = shape;
        int g = shape.gateRows();
        int h = shape.hiddenSize();
        weightIh = new DMatrixRMaj(g, shape.inputSize());
        weightHh = new DMatrixRMaj(g, h);
        biasIh = new DMatrixRMaj(g, 1);
        biasHh = new DMatrixRMaj(g, 1);
        readoutWeight = new DMatrixRMaj(shape.outputSize(), h);
        readoutBias = new DMatrixRMaj(shape.outputSize(), 1);
        tensors = new DMatrixRMaj[] {weightIh, weightHh, biasIh, biasHh, readoutWeight, readoutBias};
    }

    /** All-zero tensors of the given shape. */
    public static Parameters zeros(ModelShape shape) {
        return new Parameters(shape);
    }

    /** Tensors filled from a flat array laid out as {@link #copyTo(double[])} writes it. Not modified. */
    public static Parameters fromFlat(ModelShape shape, double[] flat) {
        Parameters p = new Parameters(shape);
        if (flat.length != p.size()) {
            throw new IllegalArgumentException(
                    "flat parameters have " + flat.length + " values, " + shape + " needs " + p.size());
        }
        int offset = 0;
        for (DMatrixRMaj t : p.tensors) {
            System.arraycopy(flat, offset, t.data, 0, t.getNumElements());
            offset += t.getNumElements();
        }
        return p;
    }

    public ModelShape shape() {
        return shape;
    }

    /** Number of tensors (6). */
    public int tensorCount() {
        return tensors.length;
    }

    /** Tensor {@code i} in the order of {@link #NAMES}; the live matrix, not a copy. */
    public DMatrixRMaj tensor(int i) {
        return tensors[i];
    }

    /** The live tensor with a PyTorch name from {@link #NAMES}. */
    public DMatrixRMaj tensor(String name) {
        int i = NAMES.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("unknown parameter '" + name + "', expected one of " + NAMES);
        }
        return tensors[i];
    }

    /** PyTorch shape of tensor {@code i}: 2-d for weights, 1-d for biases. */
    public int[] torchShape(int i) {
        DMatrixRMaj t = tensors[i];
        return NAMES.get(i).contains("bias") ? new int[] {t.numRows} : new int[] {t.numRows, t.numCols};
    }

    /** Total number of scalars. */
    public int size() {
        int n = 0;
        for (DMatrixRMaj t : tensors) {
            n += t.getNumElements();
        }
        return n;
    }

    /** Writes all values, tensor after tensor, into {@code flat} (modified). */
    public void copyTo(double[] flat) {
        int offset = 0;
        for (DMatrixRMaj t : tensors) {
            System.arraycopy(t.data, 0, flat, offset, t.getNumElements());
            offset += t.getNumElements();
        }
    }

    /** A new flat array of all values, tensor after tensor. */
    public double[] toFlat() {
        double[] flat = new double[size()];
        copyTo(flat);
        return flat;
    }

    /** A deep copy. */
    public Parameters copy() {
        Parameters p = new Parameters(shape);
        p.setTo(this);
        return p;
    }

    /** A zero buffer of the same shape. */
    public Parameters zerosLike() {
        return new Parameters(shape);
    }

    /** this := other. Modifies this. */
    public void setTo(Parameters other) {
        checkSameShape(other);
        for (int i = 0; i < tensors.length; i++) {
            System.arraycopy(other.tensors[i].data, 0, tensors[i].data, 0, tensors[i].getNumElements());
        }
    }

    /** this := 0. Modifies this. */
    public void zero() {
        for (DMatrixRMaj t : tensors) {
            Arrays.fill(t.data, 0, t.getNumElements(), 0.0);
        }
    }

    /** this += other. Modifies this. */
    public void addInPlace(Parameters other) {
        checkSameShape(other);
        for (int i = 0; i < tensors.length; i++) {
            double[] a = tensors[i].data;
            double[] b = other.tensors[i].data;
            for (int j = 0, n = tensors[i].getNumElements(); j < n; j++) {
                a[j] += b[j];
            }
        }
    }

    /** this *= factor. Modifies this. */
    public void scaleInPlace(double factor) {
        for (DMatrixRMaj t : tensors) {
            double[] a = t.data;
            for (int j = 0, n = t.getNumElements(); j < n; j++) {
                a[j] *= factor;
            }
        }
    }

    /** this /= divisor, element by element. Modifies this. */
    public void divideInPlace(double divisor) {
        for (DMatrixRMaj t : tensors) {
            double[] a = t.data;
            for (int j = 0, n = t.getNumElements(); j < n; j++) {
                a[j] /= divisor;
            }
        }
    }

    /**
     * Global 2-norm over all tensors, computed as PyTorch's {@code clip_grad_norm_} does: the norm
     * of the vector of per-tensor 2-norms.
     */
    public double globalNorm() {
        double sum = 0;
        for (DMatrixRMaj t : tensors) {
            double sq = 0;
            double[] a = t.data;
            for (int j = 0, n = t.getNumElements(); j < n; j++) {
                sq += a[j] * a[j];
            }
            double norm = Math.sqrt(sq);
            sum += norm * norm;
        }
        return Math.sqrt(sum);
    }

    /** True when every value is finite. */
    public boolean allFinite() {
        for (DMatrixRMaj t : tensors) {
            for (int j = 0, n = t.getNumElements(); j < n; j++) {
                if (!Double.isFinite(t.data[j])) {
                    return false;
                }
            }
        }
        return true;
    }

    private void checkSameShape(Parameters other) {
        if (!shape.equals(other.shape)) {
            throw new IllegalArgumentException("parameter shapes differ: " + shape + " vs " + other.shape);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Parameters p) || !shape.equals(p.shape)) {
            return false;
        }
        for (int i = 0; i < tensors.length; i++) {
            if (!Arrays.equals(tensors[i].data, 0, tensors[i].getNumElements(),
                    p.tensors[i].data, 0, p.tensors[i].getNumElements())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toFlat()) * 31 + shape.hashCode();
    }

    @Override
    public String toString() {
        return "Parameters[" + shape + ", " + size() + " values]";
    }
}
