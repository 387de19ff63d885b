package dev.bptt.npz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Java-to-Java round trips through {@link Npz} and the layout of what it writes. */
class NpzRoundTripTest {

  @TempDir Path dir;

  static Map<String, NdArray> sampleArrays() {
    Map<String, NdArray> arrays = new LinkedHashMap<>();
    arrays.put("step", NdArray.scalar(42));
    arrays.put("readout.bias", NdArray.vector(new double[] {0.1, -0.2, 0.3}));
    arrays.put("readout.weight", NdArray.matrix(2, 3, new double[] {1, 2, 3, 4, 5, 6}));
    double[] cube = new double[24];
    for (int i = 0; i < cube.length; i++) {
      cube[i] = i / 7.0 - 1;
    }
    arrays.put("cell.l0.weight_ih", new NdArray(new int[] {2, 3, 4}, cube));
    arrays.put("empty", new NdArray(new int[] {0, 3}, new double[0]));
    return arrays;
  }

  @Test
  void writtenFileReadsBackExactly() throws IOException {
    Path file = dir.resolve("model.npz");
    Map<String, NdArray> arrays = sampleArrays();
    Npz.write(file, arrays);

    Map<String, NdArray> back = Npz.read(file);

    assertThat(back).containsExactlyEntriesOf(arrays);
    assertThat(back.keySet()).containsExactlyElementsOf(arrays.keySet());
  }

  @Test
  void specialValuesSurviveBitExactly() throws IOException {
    double[] special = {
      -0.0, 0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL,
      Math.nextDown(Double.MIN_NORMAL), Double.MAX_VALUE, -Double.MAX_VALUE,
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN,
      Double.longBitsToDouble(0x7ff0_0000_0000_0001L),
      Double.longBitsToDouble(0xfff8_dead_beef_0000L),
      0.1, Math.PI
    };
    Map<String, NdArray> back = Npz.read(Npz.toBytes(Map.of("s", NdArray.vector(special))));

    double[] data = back.get("s").data();
    assertThat(data).hasSameSizeAs(special);
    for (int i = 0; i < special.length; i++) {
      assertThat(Double.doubleToRawLongBits(data[i]))
          .as("value %d", i)
          .isEqualTo(Double.doubleToRawLongBits(special[i]));
    }
  }

  @Test
  void emptyMapMakesAnEmptyArchive() throws IOException {
    assertThat(Npz.read(Npz.toBytes(Map.of()))).isEmpty();
  }

  @Test
  void writeReplacesExistingFileAndLeavesNoTemporaryFiles() throws IOException {
    Path file = dir.resolve("ckpt.npz");
    Files.writeString(file, "old contents");
    Npz.write(file, Map.of("x", NdArray.scalar(1)));
    Npz.write(file, Map.of("y", NdArray.scalar(2)));

    assertThat(Npz.read(file)).containsExactly(Map.entry("y", NdArray.scalar(2)));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void fileAndByteOutputAreIdenticalAndDeterministic() throws IOException {
    Path file = dir.resolve("a.npz");
    Npz.write(file, sampleArrays());
    assertThat(Files.readAllBytes(file))
        .isEqualTo(Npz.toBytes(sampleArrays()))
        .isEqualTo(Npz.toBytes(sampleArrays()));
  }

  @Test
  void entriesAreStoredWithNumpyStyleHeaders() throws IOException {
    Map<String, NdArray> arrays = new LinkedHashMap<>();
    arrays.put("m", NdArray.matrix(3, 4, new double[12]));
    arrays.put("v", NdArray.vector(new double[3]));
    arrays.put("s", NdArray.scalar(0));
    List<String> headers = new ArrayList<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(Npz.toBytes(arrays)))) {
      ZipEntry entry;
      while ((entry = zip.getNextEntry()) != null) {
        assertThat(entry.getMethod()).as(entry.getName()).isEqualTo(ZipEntry.STORED);
        byte[] npy = zip.readAllBytes();
        assertThat(npy[6]).as("major version").isEqualTo((byte) 1);
        assertThat(npy[7]).as("minor version").isEqualTo((byte) 0);
        int headerLength = (npy[8] & 0xFF) | (npy[9] & 0xFF) << 8;
        assertThat((10 + headerLength) % 64).as("preamble alignment").isZero();
        String header = new String(npy, 10, headerLength, StandardCharsets.US_ASCII);
        assertThat(header).endsWith(" \n");
        headers.add(entry.getName() + " " + header.strip());
      }
    }
    assertThat(headers).containsExactly(
        "m.npy {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }",
        "v.npy {'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
        "s.npy {'descr': '<f8', 'fortran_order': False, 'shape': (), }");
  }

  @Test
  void fortranOrderIsConvertedToRowMajor() {
    // Column-major 2x3 [[0, 1, 2], [3, 4, 5]] is stored as 0, 3, 1, 4, 2, 5.
    assertThat(NpyCodec.fortranToRowMajor(new double[] {0, 3, 1, 4, 2, 5}, new int[] {2, 3}))
        .containsExactly(0, 1, 2, 3, 4, 5);
    // 2x3x2, value = 100 i + 10 j + k, stored with i fastest.
    double[] columnMajor = new double[12];
    double[] rowMajor = new double[12];
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 2; k++) {
          columnMajor[i + 2 * j + 6 * k] = 100 * i + 10 * j + k;
          rowMajor[6 * i + 2 * j + k] = 100 * i + 10 * j + k;
        }
      }
    }
    assertThat(NpyCodec.fortranToRowMajor(columnMajor, new int[] {2, 3, 2}))
        .containsExactly(rowMajor);
  }
}
