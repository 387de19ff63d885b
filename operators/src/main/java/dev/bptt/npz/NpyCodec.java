package dev.bptt.npz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Converts between one {@code .npy} file image and an {@link NdArray}. */
final class NpyCodec {

  private NpyCodec() {}

  /**
   * Decodes a complete {@code .npy} image (format version 1.0, 2.0 or 3.0).
   *
   * @param entryName zip entry name, used in error messages
   * @throws NpzFormatException if the image is malformed or holds an unsupported array
   */
  static NdArray decode(String entryName, byte[] bytes) throws NpzFormatException {
    int magicLength = NpyHeader.MAGIC.length;
    if (bytes.length < magicLength + 2 || !startsWithMagic(bytes)) {
      throw NpzFormatException.inEntry(entryName, "not a .npy array (missing \\x93NUMPY magic)");
    }
    int major = bytes[magicLength] & 0xFF;
    int minor = bytes[magicLength + 1] & 0xFF;
    if (major < 1 || major > 3 || minor != 0) {
      throw NpzFormatException.inEntry(
          entryName, "unsupported .npy format version " + major + "." + minor);
    }
    int lengthBytes = major == 1 ? 2 : 4;
    int headerStart = magicLength + 2 + lengthBytes;
    if (bytes.length < headerStart) {
      throw NpzFormatException.inEntry(entryName, "truncated .npy header");
    }
    ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = major == 1
        ? Short.toUnsignedLong(le.getShort(magicLength + 2))
        : Integer.toUnsignedLong(le.getInt(magicLength + 2));
    if (headerStart + headerLength > bytes.length) {
      throw NpzFormatException.inEntry(entryName, "truncated .npy header: declares "
          + headerLength + " bytes but only " + (bytes.length - headerStart) + " follow");
    }
    Charset charset = major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
    String text = new String(bytes, headerStart, (int) headerLength, charset);
    NpyHeader header;
    try {
      header = NpyHeader.parse(text);
    } catch (IllegalArgumentException e) {
      throw NpzFormatException.inEntry(entryName, e.getMessage());
    }
    int dataStart = headerStart + (int) headerLength;
    int count = header.count();
    long expected = (long) count * header.itemSize();
    long actual = bytes.length - dataStart;
    if (actual != expected) {
      String problem = actual < expected ? "truncated data" : "trailing data";
      throw NpzFormatException.inEntry(entryName, problem + ": shape "
          + Arrays.toString(header.shape()) + " needs " + expected + " bytes but " + actual
          + " follow the header");
    }
    ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) actual).order(header.byteOrder());
    double[] values = new double[count];
    if (header.itemSize() == 8) {
      data.asDoubleBuffer().get(values);
    } else {
      FloatBuffer floats = data.asFloatBuffer();
      for (int i = 0; i < count; i++) {
        values[i] = floats.get(i);
      }
    }
    if (header.fortranOrder() && header.shape().length > 1) {
      values = fortranToRowMajor(values, header.shape());
    }
    return new NdArray(header.shape(), values);
  }

  /** Encodes {@code array} as a version 1.0, little-endian float64, C-order {@code .npy} image. */
  static byte[] encode(NdArray array) {
    byte[] preamble = NpyHeader.preamble(array.shape());
    double[] values = array.data();
    byte[] out = new byte[Math.addExact(preamble.length, Math.multiplyExact(values.length, 8))];
    System.arraycopy(preamble, 0, out, 0, preamble.length);
    DoubleBuffer data = ByteBuffer.wrap(out, preamble.length, out.length - preamble.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asDoubleBuffer();
    data.put(values);
    return out;
  }

  private static boolean startsWithMagic(byte[] bytes) {
    for (int i = 0; i < NpyHeader.MAGIC.length; i++) {
      if (bytes[i] != NpyHeader.MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reorders column-major values into row-major order. Walks the output in row-major order with
   * an odometer over the indices while tracking the matching column-major offset.
   */
  static double[] fortranToRowMajor(double[] columnMajor, int[] shape) {
    int rank = shape.length;
    int[] strides = new int[rank]; // column-major strides: the first axis varies fastest
    int stride = 1;
    for (int axis = 0; axis < rank; axis++) {
      strides[axis] = stride;
      stride *= shape[axis];
    }
    double[] rowMajor = new double[columnMajor.length];
    int[] index = new int[rank];
    int source = 0;
    for (int target = 0; target < rowMajor.length; target++) {
      rowMajor[target] = columnMajor[source];
      for (int axis = rank - 1; axis >= 0; axis--) {
        if (++index[axis] < shape[axis]) {
          source += strides[axis];
          break;
        }
        index[axis] = 0;
        source -= strides[axis] * (shape[axis] - 1);
      }
    }
    return rowMajor;
  }
}
