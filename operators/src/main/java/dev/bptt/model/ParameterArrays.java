package dev.bptt.model;

import dev.bptt.npz.NdArray;
import dev.bptt.npz.Npz;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link Parameters} as named NumPy arrays with PyTorch's names, shapes and gate order
 * (CONTRACT.md §3). The cell and sizes follow from the arrays: {@code weight_hh_l0} is gates*H x H
 * (gates 1, 3 or 4), {@code weight_ih_l0} gates*H x I, {@code readout.weight} O x H. Arrays with
 * other names are ignored on reading.
 */
public final class ParameterArrays {

    private ParameterArrays() {}

    /** The tensors as float64 arrays, weights 2-d and biases 1-d, in {@link Parameters#NAMES} order. */
    public static Map<String, NdArray> toArrays(Parameters p) {
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        for (int i = 0; i < p.tensorCount(); i++) {
            arrays.put(Parameters.NAMES.get(i),
                    new NdArray(p.torchShape(i), java.util.Arrays.copyOf(p.tensor(i).data, p.tensor(i).getNumElements())));
        }
        return arrays;
    }

    /**
     * Parameters from named arrays.
     *
     * @throws IllegalArgumentException naming the array and what is wrong with it
     */
    public static Parameters fromArrays(Map<String, NdArray> arrays) {
        NdArray hh = require(arrays, Parameters.WEIGHT_HH, 2);
        CellKind cell = CellKind.fromWeightHh(hh.shape()[0], hh.shape()[1]);
        int hidden = hh.shape()[1];
        NdArray ih = require(arrays, Parameters.WEIGHT_IH, 2);
        NdArray readout = require(arrays, Parameters.READOUT_WEIGHT, 2);
        ModelShape shape = new ModelShape(cell, ih.shape()[1], hidden, readout.shape()[0]);
        Parameters p = Parameters.zeros(shape);
        for (int i = 0; i < p.tensorCount(); i++) {
            String name = Parameters.NAMES.get(i);
            int[] expected = p.torchShape(i);
            NdArray array = require(arrays, name, expected.length);
            if (!java.util.Arrays.equals(array.shape(), expected)) {
                throw new IllegalArgumentException("'" + name + "' has shape " + java.util.Arrays.toString(array.shape())
                        + ", expected " + java.util.Arrays.toString(expected) + " for " + shape);
            }
            System.arraycopy(array.data(), 0, p.tensor(i).data, 0, array.data().length);
        }
        return p;
    }

    /** Reads parameters from an .npz file (float32 or float64). */
    public static Parameters read(Path file) throws IOException {
        try {
            return fromArrays(Npz.read(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes parameters, then {@code extras} (e.g. 0-d {@code loss_sum}), as float64 .npz. */
    public static void write(Path file, Parameters p, Map<String, NdArray> extras) throws IOException {
        Map<String, NdArray> arrays = toArrays(p);
        arrays.putAll(extras);
        Npz.write(file, arrays);
    }

    private static NdArray require(Map<String, NdArray> arrays, String name, int rank) {
        NdArray array = arrays.get(name);
        if (array == null) {
            throw new IllegalArgumentException("missing array '" + name + "' (have " + arrays.keySet() + ")");
        }
        if (array.shape().length != rank) {
            throw new IllegalArgumentException("'" + name + "' has " + array.shape().length + " dimensions, expected "
                    + rank);
        }
        return array;
    }
}
