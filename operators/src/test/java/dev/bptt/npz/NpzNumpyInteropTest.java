package dev.bptt.npz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes an archive with {@link Npz#write} and has real NumPy load it. Skipped when
 * {@code /usr/bin/python3} with numpy is not installed.
 */
class NpzNumpyInteropTest {

  private static final Path PYTHON = Path.of("/usr/bin/python3");

  /**
   * Prints, per array in archive order: name, dtype, shape repr, C-contiguity and the raw IEEE
   * bits of every value as 16 hex digits. np.load runs with its default allow_pickle=False.
   */
  private static final String LOADER = String.join("\n",
      "import sys",
      "import numpy as np",
      "with np.load(sys.argv[1]) as z:",
      "    for name in z.files:",
      "        a = z[name]",
      "        bits = np.ascontiguousarray(a, dtype='<f8').reshape(-1).view('<u8')",
      "        hexes = ' '.join('%016x' % int(b) for b in bits)",
      "        print(name, a.dtype.str, repr(a.shape), a.flags.c_contiguous, hexes, sep='\\t')");

  @TempDir Path dir;

  @Test
  void numpyLoadsWrittenFileExactly() throws Exception {
    Assumptions.assumeTrue(numpyAvailable(), "needs /usr/bin/python3 with numpy");
    Map<String, NdArray> arrays = new LinkedHashMap<>(NpzRoundTripTest.sampleArrays());
    arrays.put("special", NdArray.vector(new double[] {
      -0.0, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE,
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1.0 / 3
    }));
    Path file = dir.resolve("from-java.npz");
    Npz.write(file, arrays);

    List<String> lines = runPython(LOADER, file.toString());

    List<String> expected = new ArrayList<>();
    arrays.forEach((name, array) -> expected.add(describe(name, array)));
    assertThat(lines).containsExactlyElementsOf(expected);
  }

  /** The line the loader script prints for an array NumPy loaded as '<f8'. */
  private static String describe(String name, NdArray array) {
    int[] shape = array.shape();
    StringBuilder tuple = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      tuple.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    tuple.append(shape.length == 1 ? ",)" : ")");
    List<String> hexes = new ArrayList<>();
    for (double v : array.data()) {
      hexes.add(String.format("%016x", Double.doubleToRawLongBits(v)));
    }
    return String.join("\t", name, "<f8", tuple, "True", String.join(" ", hexes));
  }

  private static boolean numpyAvailable() {
    if (!Files.isExecutable(PYTHON)) {
      return false;
    }
    try {
      runPython("import numpy");
      return true;
    } catch (IOException | AssertionError e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static List<String> runPython(String script, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "-c", script));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("python timed out");
    }
    String text = new String(output, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("python exit status, output:%n%s", text).isZero();
    return text.lines().toList();
  }
}
