package dev.bptt.npz;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes NumPy {@code .npz} archives: zip files of {@code .npy} arrays, as made by
 * {@code np.savez} and {@code np.savez_compressed} and read by {@code np.load}.
 *
 * <p>Reading accepts float32 and float64 arrays of either byte order, C or Fortran order, any
 * rank, in stored or deflated entries, with {@code .npy} format versions 1.0 to 3.0. Writing
 * produces what {@code np.savez} produces: stored entries holding version 1.0, little-endian
 * float64, C-order arrays. Map keys are the entry names without the {@code .npy} suffix, in
 * archive order.
 */
public final class Npz {

  private static final String SUFFIX = ".npy";

  /** Fixed entry timestamp (the DOS epoch, as Python's zipfile uses) for reproducible output. */
  private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

  private Npz() {}

  /**
   * Reads every array of the {@code .npz} file. The file is read into memory whole, so it must
   * be smaller than 2 GiB.
   *
   * @return arrays by name, in archive order
   * @throws NpzFormatException if the file is not a valid {@code .npz} of float arrays; the
   *     message starts with the file name
   * @throws IOException if the file cannot be read
   */
  public static Map<String, NdArray> read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    try {
      return read(bytes);
    } catch (NpzFormatException e) {
      throw new NpzFormatException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads every array of an in-memory {@code .npz} archive.
   *
   * @return arrays by name, in archive order
   * @throws NpzFormatException if the bytes are not a valid {@code .npz} of float arrays
   */
  public static Map<String, NdArray> read(byte[] bytes) throws IOException {
    checkSignature(bytes);
    long listed = ZipEnd.entryCount(bytes);
    Map<String, NdArray> arrays = new LinkedHashMap<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      ZipEntry entry;
      while ((entry = nextEntry(zip)) != null) {
        String name = entry.getName();
        if (entry.isDirectory() || !name.endsWith(SUFFIX)) {
          throw NpzFormatException.inEntry(name, "not a .npy array entry");
        }
        byte[] npy = entryBytes(zip, name);
        String key = name.substring(0, name.length() - SUFFIX.length());
        if (arrays.put(key, NpyCodec.decode(name, npy)) != null) {
          throw NpzFormatException.inEntry(name, "duplicate entry");
        }
      }
    }
    if (arrays.size() != listed) {
      throw new NpzFormatException("corrupt zip archive: the central directory lists " + listed
          + " entries but " + arrays.size() + " were found");
    }
    return arrays;
  }

  /**
   * Writes the arrays to {@code file} as a {@code .npz} archive. The archive is written to a
   * temporary file in the same directory, forced to disk and then moved into place, so readers
   * see either the old file or the complete new one.
   *
   * @param arrays arrays by name; each becomes entry {@code name + ".npy"}, in map order
   */
  public static void write(Path file, Map<String, NdArray> arrays) throws IOException {
    Path target = file.toAbsolutePath();
    // Not Files.createTempFile: that makes the file owner-only, and the move would keep that.
    Path temp = target.resolveSibling(
        "." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel channel =
              FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
        writeZip(out, arrays);
        out.flush();
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Returns the arrays as an in-memory {@code .npz} archive, the same bytes {@link #write} puts
   * in a file.
   *
   * @param arrays arrays by name; each becomes entry {@code name + ".npy"}, in map order
   */
  public static byte[] toBytes(Map<String, NdArray> arrays) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeZip(out, arrays);
    } catch (IOException e) {
      throw new UncheckedIOException("unexpected I/O error writing to memory", e);
    }
    return out.toByteArray();
  }

  private static void writeZip(OutputStream out, Map<String, NdArray> arrays) throws IOException {
    ZipOutputStream zip = new ZipOutputStream(out);
    for (Map.Entry<String, NdArray> e : arrays.entrySet()) {
      String name = Objects.requireNonNull(e.getKey(), "array name") + SUFFIX;
      NdArray array = Objects.requireNonNull(e.getValue(), () -> "array '" + e.getKey() + "'");
      byte[] npy = NpyCodec.encode(array);
      CRC32 crc = new CRC32();
      crc.update(npy);
      ZipEntry entry = new ZipEntry(name);
      entry.setMethod(ZipEntry.STORED);
      entry.setSize(npy.length);
      entry.setCompressedSize(npy.length);
      entry.setCrc(crc.getValue());
      entry.setTimeLocal(ENTRY_TIME);
      zip.putNextEntry(entry);
      zip.write(npy);
      zip.closeEntry();
    }
    zip.finish();
  }

  /** Checks for a zip signature at the start, explaining common mix-ups. */
  private static void checkSignature(byte[] bytes) throws NpzFormatException {
    if (bytes.length >= 4 && bytes[0] == 'P' && bytes[1] == 'K'
        && (bytes[2] == 3 && bytes[3] == 4 || bytes[2] == 5 && bytes[3] == 6)) {
      return; // a local entry header, or the end record of an empty archive
    }
    if (bytes.length >= 6 && bytes[0] == (byte) 0x93 && bytes[1] == 'N' && bytes[2] == 'U') {
      throw new NpzFormatException("not a zip archive: this is a single .npy array, not .npz");
    }
    throw new NpzFormatException(bytes.length == 0
        ? "not a zip archive: the input is empty"
        : "not a zip archive: no zip signature at the start of the input");
  }

  /** Returns the next entry, or null after the last; zip damage becomes NpzFormatException. */
  private static ZipEntry nextEntry(ZipInputStream zip) throws IOException {
    try {
      return zip.getNextEntry();
    } catch (EOFException e) {
      throw new NpzFormatException("truncated zip archive", e);
    } catch (ZipException e) {
      throw new NpzFormatException("corrupt zip archive: " + e.getMessage(), e);
    }
  }

  /** Returns the current entry's bytes, translating zip-level damage like {@link #nextEntry}. */
  private static byte[] entryBytes(ZipInputStream zip, String name) throws IOException {
    try {
      return zip.readAllBytes();
    } catch (EOFException e) {
      throw NpzFormatException.inEntry(name, "truncated zip entry", e);
    } catch (ZipException e) {
      throw NpzFormatException.inEntry(name, "corrupt zip entry: " + e.getMessage(), e);
    }
  }
}
