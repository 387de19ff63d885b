package dev.bptt.npz;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The header dict of one {@code .npy} array: element type, memory order and shape.
 *
 * <p>{@link #parse} validates a header read from a file; {@link #preamble} formats the complete
 * version 1.0 preamble (magic, version, length, dict, padding) the way NumPy writes it.
 *
 * @param byteOrder byte order of the stored values
 * @param itemSize bytes per value: 4 (float32) or 8 (float64)
 * @param fortranOrder whether values are stored in column-major (Fortran) order
 * @param shape dimension lengths
 */
record NpyHeader(ByteOrder byteOrder, int itemSize, boolean fortranOrder, int[] shape) {

  /** The {@code .npy} magic string, {@code \x93NUMPY}. */
  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  /** NumPy aligns the start of the array data to this many bytes. */
  private static final int ALIGN = 64;

  /** Spare header room NumPy leaves so the first axis length can grow in place. */
  private static final int GROWTH_AXIS_MAX_DIGITS = 21;

  private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

  /**
   * Parses and validates a header dict such as {@code {'descr': '<f8', 'fortran_order': False,
   * 'shape': (3, 4), }} followed by padding.
   *
   * @throws IllegalArgumentException describing what is wrong
   */
  static NpyHeader parse(String text) {
    Object parsed;
    try {
      parsed = PyLiteral.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed header: " + e.getMessage(), e);
    }
    if (!(parsed instanceof Map<?, ?> dict)) {
      throw new IllegalArgumentException(
          "header is not a dict: " + PyLiteral.quoteForMessage(text));
    }
    for (String key : KEYS) {
      if (!dict.containsKey(key)) {
        throw new IllegalArgumentException(
            "header lacks key '" + key + "': " + PyLiteral.quoteForMessage(text));
      }
    }
    for (Object key : dict.keySet()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("header has unexpected key " + describe(key));
      }
    }
    Object descr = dict.get("descr");
    ByteOrder order = byteOrder(descr);
    Object fortran = dict.get("fortran_order");
    if (!(fortran instanceof Boolean)) {
      throw new IllegalArgumentException(
          "fortran_order must be True or False, not " + describe(fortran));
    }
    int[] shape = parseShape(dict.get("shape"));
    return new NpyHeader(order, itemSize(descr), (Boolean) fortran, shape);
  }

  private static ByteOrder byteOrder(Object descr) {
    if (descr instanceof String s && s.length() == 3 && s.charAt(1) == 'f') {
      if (s.charAt(0) == '<' && (s.charAt(2) == '8' || s.charAt(2) == '4')) {
        return ByteOrder.LITTLE_ENDIAN;
      }
      if (s.charAt(0) == '>' && (s.charAt(2) == '8' || s.charAt(2) == '4')) {
        return ByteOrder.BIG_ENDIAN;
      }
    }
    throw new IllegalArgumentException(
        "unsupported dtype " + describe(descr) + " (float32 and float64 only)");
  }

  private static int itemSize(Object descr) {
    return ((String) descr).charAt(2) - '0';
  }

  private static int[] parseShape(Object shape) {
    if (!(shape instanceof PyLiteral.Tuple tuple)) {
      throw new IllegalArgumentException("shape must be a tuple, not " + describe(shape));
    }
    List<Object> items = tuple.items();
    int[] dims = new int[items.size()];
    long count = 1;
    for (int i = 0; i < dims.length; i++) {
      Object item = items.get(i);
      if (!(item instanceof Long dim) || dim < 0 || dim > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("invalid dimension " + describe(item) + " in shape");
      }
      dims[i] = (int) (long) dim;
      count *= dims[i];
      if (count > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(dims) + " is too large for a Java array");
      }
    }
    return dims;
  }

  /** Renders a parsed header value for an error message, as Python would show it. */
  private static String describe(Object value) {
    return PyLiteral.repr(value);
  }

  /** Number of values, product(shape). */
  int count() {
    int n = 1;
    for (int dim : shape) {
      n *= dim;
    }
    return n;
  }

  /**
   * Returns the version 1.0 preamble for a little-endian float64 C-order array of the given
   * shape, byte-for-byte as NumPy writes it: the dict, NumPy's spare room for a growing first
   * axis, then spaces and a newline so that the data starts at a multiple of 64 bytes.
   *
   * @throws IllegalArgumentException if the header does not fit a version 1.0 length field
   */
  static byte[] preamble(int[] shape) {
    StringBuilder dict = new StringBuilder("{'descr': '<f8', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < shape.length; i++) {
      dict.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    dict.append(shape.length == 1 ? ",), }" : "), }");
    if (shape.length > 0) {
      dict.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
    }
    int fixed = MAGIC.length + 2 + 2; // magic, version, u16 header length
    int pad = ALIGN - (fixed + dict.length() + 1) % ALIGN;
    dict.append(" ".repeat(pad)).append('\n');
    int headerLength = dict.length();
    if (headerLength > 0xFFFF) {
      throw new IllegalArgumentException(
          "rank " + shape.length + " header is too long for .npy format version 1.0");
    }
    byte[] out = new byte[fixed + headerLength];
    System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
    out[6] = 1; // major version
    out[7] = 0; // minor version
    out[8] = (byte) headerLength;
    out[9] = (byte) (headerLength >>> 8);
    byte[] ascii = dict.toString().getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(ascii, 0, out, fixed, ascii.length);
    return out;
  }
}
