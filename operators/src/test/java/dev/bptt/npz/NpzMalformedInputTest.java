package dev.bptt.npz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** Hand-made broken inputs: each must fail with an {@link NpzFormatException} that says why. */
class NpzMalformedInputTest {

  private static final String GOOD = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";

  /** A version-1.0 .npy image with the given header text and {@code dataBytes} bytes of data. */
  static byte[] npy(String header, int dataBytes) {
    return npy(1, header.getBytes(StandardCharsets.ISO_8859_1), dataBytes);
  }

  static byte[] npy(int major, byte[] header, int dataBytes) {
    int lengthBytes = major == 1 ? 2 : 4;
    ByteBuffer buf = ByteBuffer.allocate(8 + lengthBytes + header.length + dataBytes)
        .order(ByteOrder.LITTLE_ENDIAN);
    buf.put(NpyHeader.MAGIC).put((byte) major).put((byte) 0);
    if (major == 1) {
      buf.putShort((short) header.length);
    } else {
      buf.putInt(header.length);
    }
    buf.put(header);
    for (int i = 0; i < dataBytes / 8; i++) {
      buf.putDouble(i);
    }
    return buf.array();
  }

  /** A zip archive holding one deflated entry. */
  static byte[] zipOf(String name, byte[] content) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(name));
      zip.write(content);
      zip.closeEntry();
    }
    return out.toByteArray();
  }

  static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(byte[] archive) {
    return assertThatThrownBy(() -> Npz.read(archive)).isInstanceOf(NpzFormatException.class);
  }

  static AbstractThrowableAssert<?, ? extends Throwable> assertEntryRejected(String header,
      int dataBytes) throws IOException {
    return assertRejected(zipOf("weight_ih_l0.npy", npy(header, dataBytes)))
        .hasMessageStartingWith("entry 'weight_ih_l0.npy': ");
  }

  static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  @Test
  void wellFormedHandMadeEntryIsAccepted() throws IOException {
    assertThat(Npz.read(zipOf("w.npy", npy(GOOD + "  \n", 16))))
        .containsExactly(Map.entry("w", NdArray.vector(new double[] {0, 1})));
  }

  @Test
  void headerKeysMayComeInAnyOrderWithAnyWhitespaceAndQuotes() throws IOException {
    String header = "{ \"shape\" :(2 , 3) ,'fortran_order':True,\n 'descr':\"<f8\"}\n";
    assertThat(Npz.read(zipOf("w.npy", npy(header, 48))).get("w"))
        .isEqualTo(NdArray.matrix(2, 3, new double[] {0, 2, 4, 1, 3, 5}));
  }

  @Test
  void unsupportedDtypeIsRejectedNamingIt() throws IOException {
    assertEntryRejected(GOOD.replace("<f8", "<i8"), 16)
        .hasMessage("entry 'weight_ih_l0.npy': unsupported dtype '<i8' (float32 and float64 only)");
    assertEntryRejected(GOOD.replace("'<f8'", "[('a', '<f8')]"), 16)
        .hasMessageContaining("unsupported dtype [('a', '<f8')] (float32 and float64 only)");
  }

  @Test
  void truncatedDataIsRejected() throws IOException {
    assertEntryRejected(GOOD, 8)
        .hasMessageContaining("truncated data")
        .hasMessageContaining("needs 16 bytes but 8 follow");
  }

  @Test
  void extraDataAfterTheArrayIsRejected() throws IOException {
    assertEntryRejected(GOOD, 24).hasMessageContaining("trailing data");
  }

  @Test
  void trailingGarbageInHeaderIsRejected() throws IOException {
    assertEntryRejected(GOOD + " x\n", 16)
        .hasMessageContaining("malformed header")
        .hasMessageContaining("unexpected trailing text");
  }

  @Test
  void headerWithMissingOrUnknownKeysIsRejected() throws IOException {
    assertEntryRejected("{'descr': '<f8', 'shape': (2,)}", 16)
        .hasMessageContaining("lacks key 'fortran_order'");
    assertEntryRejected(GOOD.replace("}", "'extra': 1}"), 16)
        .hasMessageContaining("unexpected key 'extra'");
  }

  @Test
  void invalidShapesAndOrdersAreRejected() throws IOException {
    assertEntryRejected(GOOD.replace("(2,)", "(2)"), 16)
        .hasMessageContaining("shape must be a tuple, not 2");
    assertEntryRejected(GOOD.replace("(2,)", "[2]"), 16)
        .hasMessageContaining("shape must be a tuple, not [2]");
    assertEntryRejected(GOOD.replace("(2,)", "(-2,)"), 16)
        .hasMessageContaining("invalid dimension -2");
    assertEntryRejected(GOOD.replace("(2,)", "(65536, 65536)"), 16)
        .hasMessageContaining("too large");
    assertEntryRejected(GOOD.replace("False", "0"), 16)
        .hasMessageContaining("fortran_order must be True or False");
    assertEntryRejected("{'descr': '<f8', 'fortran_order': False, 'shape': (2,", 16)
        .hasMessageContaining("malformed header");
  }

  @Test
  void unsupportedVersionAndMissingMagicAreRejected() throws IOException {
    byte[] v4 = npy(GOOD, 16);
    v4[6] = 4;
    assertRejected(zipOf("a.npy", v4))
        .hasMessage("entry 'a.npy': unsupported .npy format version 4.0");
    assertRejected(zipOf("a.npy", "just text".getBytes(StandardCharsets.US_ASCII)))
        .hasMessageContaining("entry 'a.npy': not a .npy array");
  }

  @Test
  void headerLongerThanTheEntryIsRejected() throws IOException {
    byte[] v2 = npy(2, GOOD.getBytes(StandardCharsets.US_ASCII), 16);
    ByteBuffer.wrap(v2).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0x7FFF_FFF0);
    assertRejected(zipOf("a.npy", v2)).hasMessageContaining("entry 'a.npy': truncated .npy header");
  }

  @Test
  void notAZipIsRejected() {
    assertRejected("hello, world".getBytes(StandardCharsets.US_ASCII))
        .hasMessageContaining("not a zip archive");
    assertRejected(new byte[0]).hasMessageContaining("empty");
    assertRejected(npy(GOOD, 16)).hasMessageContaining("single .npy array");
  }

  @Test
  void nonArrayEntryIsRejected() throws IOException {
    assertRejected(zipOf("notes.txt", new byte[3]))
        .hasMessage("entry 'notes.txt': not a .npy array entry");
  }

  @Test
  void truncatedArchiveIsRejectedWhereverItIsCut() {
    byte[] archive = Npz.toBytes(Map.of("w", NdArray.vector(new double[] {1, 2, 3, 4})));
    for (int cut : new int[] {4, 20, 60, 150, archive.length - 30, archive.length - 1}) {
      assertRejected(Arrays.copyOf(archive, cut))
          .as("cut at %d", cut)
          .hasMessageStartingWith("truncated zip archive");
    }
  }

  @Test
  void archiveWithUnreachableEntriesIsRejected() {
    Map<String, NdArray> two = new LinkedHashMap<>();
    two.put("a", NdArray.scalar(1));
    two.put("b", NdArray.scalar(2));
    byte[] archive = Npz.toBytes(two);
    int second = indexOf(archive, new byte[] {'P', 'K', 3, 4}, 1);
    archive[second + 2] = 9; // the reader no longer sees entry 'b'
    assertRejected(archive).hasMessage(
        "corrupt zip archive: the central directory lists 2 entries but 1 were found");
  }

  @Test
  void corruptedEntryDataIsRejected() {
    byte[] archive = Npz.toBytes(Map.of("w", NdArray.vector(new double[] {1, 2, 3, 4})));
    byte[] flipped = archive.clone();
    flipped[140] ^= 1; // inside the stored array data: the CRC no longer matches
    assertRejected(flipped).hasMessageContaining("entry 'w.npy': corrupt zip entry");
  }
}
