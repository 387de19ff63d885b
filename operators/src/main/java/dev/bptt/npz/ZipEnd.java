package dev.bptt.npz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Finds a zip archive's end-of-central-directory record and reads how many entries the archive
 * lists. {@link java.util.zip.ZipInputStream} only walks the local entry headers and stops
 * quietly at the first thing it does not recognize, so a truncated archive would otherwise read
 * as one with fewer arrays.
 */
final class ZipEnd {

  private static final int END_SIGNATURE = 0x06054b50;
  private static final int END_SIZE = 22;
  private static final int ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
  private static final int ZIP64_LOCATOR_SIZE = 20;
  private static final int ZIP64_END_SIGNATURE = 0x06064b50;
  private static final int ZIP64_END_MIN_SIZE = 56;
  private static final int MAX_COMMENT = 0xFFFF;

  private ZipEnd() {}

  /**
   * Returns the total number of entries the central directory lists.
   *
   * @throws NpzFormatException if there is no intact end-of-central-directory record
   */
  static long entryCount(byte[] zip) throws NpzFormatException {
    ByteBuffer buf = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    int end = findEnd(buf);
    if (end < 0) {
      throw new NpzFormatException(
          "truncated zip archive: no end-of-central-directory record (" + zip.length + " bytes)");
    }
    int count = Short.toUnsignedInt(buf.getShort(end + 10));
    if (count != 0xFFFF) {
      return count;
    }
    int locator = end - ZIP64_LOCATOR_SIZE;
    if (locator < 0 || buf.getInt(locator) != ZIP64_LOCATOR_SIGNATURE) {
      throw new NpzFormatException("corrupt zip archive: zip64 end locator missing");
    }
    long zip64End = buf.getLong(locator + 8);
    if (zip64End < 0 || zip64End > locator - ZIP64_END_MIN_SIZE
        || buf.getInt((int) zip64End) != ZIP64_END_SIGNATURE) {
      throw new NpzFormatException("corrupt zip archive: bad zip64 end-of-directory record");
    }
    return buf.getLong((int) zip64End + 32);
  }

  /** Offset of the end record whose comment runs exactly to the end of the data, or -1. */
  private static int findEnd(ByteBuffer buf) {
    int last = buf.capacity() - END_SIZE;
    for (int pos = last; pos >= 0 && pos >= last - MAX_COMMENT; pos--) {
      if (buf.getInt(pos) == END_SIGNATURE
          && Short.toUnsignedInt(buf.getShort(pos + 20)) == last - pos) {
        return pos;
      }
    }
    return -1;
  }
}
