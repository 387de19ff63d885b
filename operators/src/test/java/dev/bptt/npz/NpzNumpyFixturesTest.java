package dev.bptt.npz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reads archives that NumPy itself wrote (see {@code make_fixtures.py} next to them) and checks
 * every value against the NumPy expression that made it.
 */
class NpzNumpyFixturesTest {

  static byte[] fixture(String name) throws IOException {
    try (InputStream in = NpzNumpyFixturesTest.class.getResourceAsStream(name)) {
      assertThat(in).as("fixture %s", name).isNotNull();
      return in.readAllBytes();
    }
  }

  static Map<String, NdArray> load(String name) throws IOException {
    return Npz.read(fixture(name));
  }

  /** np.arange(n) * scale + offset, computed in double like NumPy does. */
  static double[] arange(int n, double scale, double offset) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = i * scale + offset;
    }
    return v;
  }

  @Test
  void float64ArraysFromSavezReadExactlyInArchiveOrder() throws Exception {
    Path file = Path.of(NpzNumpyFixturesTest.class.getResource("float64.npz").toURI());
    Map<String, NdArray> arrays = Npz.read(file);

    assertThat(arrays.keySet())
        .containsExactly("scalar", "vec", "readout.weight", "cube", "empty", "special");
    assertThat(arrays.get("scalar")).isEqualTo(NdArray.scalar(2.5));
    assertThat(arrays.get("vec")).isEqualTo(NdArray.vector(arange(5, 1, 0)));
    assertThat(arrays.get("readout.weight"))
        .isEqualTo(NdArray.matrix(3, 4, arange(12, 1.0 / 8, 0)));
    assertThat(arrays.get("cube")).isEqualTo(new NdArray(new int[] {2, 3, 4}, arange(24, 1, -12)));
    assertThat(arrays.get("empty")).isEqualTo(new NdArray(new int[] {0, 3}, new double[0]));
  }

  @Test
  void specialValuesFromNumpyAreBitExact() throws IOException {
    double[] expected = {
      -0.0, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE,
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.1
    };
    double[] actual = load("float64.npz").get("special").data();
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(Double.doubleToRawLongBits(actual[i]))
          .as("value %d", i)
          .isEqualTo(Double.doubleToRawLongBits(expected[i]));
    }
  }

  @Test
  void float32ValuesWidenExactlyToDouble() throws IOException {
    Map<String, NdArray> arrays = load("float32.npz");
    double[] w = new double[6];
    for (int i = 0; i < 6; i++) {
      w[i] = (float) i / 3f; // float32 division, as NumPy did it
    }
    assertThat(arrays.get("w")).isEqualTo(NdArray.matrix(2, 3, w));
    assertThat(arrays.get("tiny"))
        .isEqualTo(NdArray.vector(new double[] {Float.MIN_VALUE, -0.0, Float.MAX_VALUE}));
  }

  @Test
  void compressedEntriesFromSavezCompressedAreInflated() throws IOException {
    Map<String, NdArray> arrays = load("compressed.npz");
    assertThat(arrays.keySet()).containsExactly("layer.0.bias", "m");
    assertThat(arrays.get("layer.0.bias")).isEqualTo(NdArray.vector(arange(100, 0.25, 0)));
    assertThat(arrays.get("m")).isEqualTo(NdArray.matrix(3, 4, arange(12, 1, 0)));
  }

  @Test
  void fortranOrderArraysComeBackRowMajor() throws IOException {
    Map<String, NdArray> arrays = load("fortran.npz");
    assertThat(arrays.get("f3")).isEqualTo(new NdArray(new int[] {2, 3, 4}, arange(24, 1, 0)));
    assertThat(arrays.get("f2")).isEqualTo(NdArray.matrix(2, 3, arange(6, 1, 0)));
  }

  @Test
  void bigEndianArraysAreDecoded() throws IOException {
    Map<String, NdArray> arrays = load("bigendian.npz");
    assertThat(arrays.get("d")).isEqualTo(NdArray.matrix(2, 3, arange(6, 1, 0)));
    assertThat(arrays.get("s")).isEqualTo(NdArray.vector(arange(4, 1, -1.5)));
  }

  @Test
  void headerFormatVersionsOneTwoAndThreeAreRead() throws IOException {
    Map<String, NdArray> arrays = load("versions.npz");
    assertThat(arrays).containsExactly(
        Map.entry("v1", NdArray.vector(arange(4, 1, 1))),
        Map.entry("v2", NdArray.vector(arange(4, 1, 2))),
        Map.entry("v3", NdArray.vector(arange(4, 1, 3))));
  }

  /** layout.npz holds a rank-16 array whose header needs NumPy's spare room to be copied. */
  @ParameterizedTest
  @ValueSource(strings = {"float64.npz", "layout.npz"})
  void writerReproducesNumpyEntryBytesExactly(String fixture) throws IOException {
    Map<String, byte[]> numpyEntries = rawEntries(fixture(fixture));
    Map<String, byte[]> ourEntries = rawEntries(Npz.toBytes(load(fixture)));

    assertThat(ourEntries.keySet()).containsExactlyElementsOf(numpyEntries.keySet());
    numpyEntries.forEach((name, bytes) ->
        assertThat(ourEntries.get(name)).as(name).isEqualTo(bytes));
  }

  @Test
  void int64ArrayIsRejectedNamingEntryAndDtype() {
    assertThatThrownBy(() -> load("int64.npz"))
        .isInstanceOf(NpzFormatException.class)
        .hasMessage("entry 'steps.npy': unsupported dtype '<i8' (float32 and float64 only)");
  }

  @Test
  void objectArrayIsRejectedWithoutUnpickling() {
    assertThatThrownBy(() -> load("object.npz"))
        .isInstanceOf(NpzFormatException.class)
        .hasMessageContaining("entry 'things.npy'")
        .hasMessageContaining("unsupported dtype '|O'");
  }

  @Test
  void fileErrorsNameTheFile() throws URISyntaxException {
    Path file = Path.of(NpzNumpyFixturesTest.class.getResource("int64.npz").toURI());
    assertThatThrownBy(() -> Npz.read(file))
        .isInstanceOf(NpzFormatException.class)
        .hasMessageStartingWith(file + ": entry 'steps.npy'");
  }

  /** Entry name to uncompressed entry bytes, in archive order. */
  static Map<String, byte[]> rawEntries(byte[] zipBytes) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(zipBytes))) {
      ZipEntry entry;
      while ((entry = zip.getNextEntry()) != null) {
        entries.put(entry.getName(), zip.readAllBytes());
      }
    }
    return entries;
  }
}
