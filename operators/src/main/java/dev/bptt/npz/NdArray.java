package dev.bptt.npz;

import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional array of float64 values in row-major (C) order.
 *
 * <p>{@code shape} {@code {}} is a 0-d scalar holding exactly one value. The shape is copied on
 * construction and on access; the data array is shared, not copied, so large arrays cost nothing
 * extra: treat it as read-only once the record is built. {@link #equals}, {@link #hashCode} and
 * {@link #toString} use the array contents; values compare like {@link Double#equals} (NaN equals
 * NaN, {@code -0.0} differs from {@code 0.0}).
 *
 * @param shape dimension lengths, each non-negative
 * @param data row-major values, exactly product(shape) of them
 */
public record NdArray(int[] shape, double[] data) {

  /** Values shown by {@link #toString} before it elides the rest. */
  private static final int TO_STRING_LIMIT = 16;

  /** Validates that the shape is non-negative and matches the data length. */
  public NdArray {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    shape = shape.clone();
    long count = 1;
    for (int dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      count *= dim;
      if (count > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large");
      }
    }
    if (count != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs " + count + " values but data has "
              + data.length);
    }
  }

  /** Returns a 0-d array (shape {@code {}}) holding {@code v}. */
  public static NdArray scalar(double v) {
    return new NdArray(new int[0], new double[] {v});
  }

  /** Returns a 1-d array of shape {@code {v.length}} backed by {@code v}. */
  public static NdArray vector(double[] v) {
    return new NdArray(new int[] {v.length}, v);
  }

  /** Returns a 2-d array of shape {@code {rows, cols}} backed by the row-major {@code rowMajor}. */
  public static NdArray matrix(int rows, int cols, double[] rowMajor) {
    return new NdArray(new int[] {rows, cols}, rowMajor);
  }

  /** Returns a copy of the shape. */
  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** Returns the number of values, product(shape). */
  public int size() {
    return data.length;
  }

  /** Returns the number of dimensions (0 for a scalar). */
  public int rank() {
    return shape.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NdArray other
        && Arrays.equals(shape, other.shape)
        && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  /** Shows the shape and the values, eliding all but the first 16 of larger arrays. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("NdArray[shape=").append(Arrays.toString(shape));
    sb.append(", data=[");
    int shown = Math.min(data.length, TO_STRING_LIMIT);
    for (int i = 0; i < shown; i++) {
      sb.append(i == 0 ? "" : ", ").append(data[i]);
    }
    if (shown < data.length) {
      sb.append(", ... (").append(data.length).append(" values)");
    }
    return sb.append("]]").toString();
  }
}
