package dev.bptt.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A JVM started without {@code --add-modules jdk.incubator.vector} (as a cluster JVM whose
 * options lack it) runs the model on the scalar kernels: no {@code NoClassDefFoundError}, and the
 * numbers of the vector kernels to rounding.
 */
class KernelsWithoutVectorModuleTest {

    @Test
    void aJvmWithoutTheVectorModuleFallsBackToTheScalarKernels() throws Exception {
        Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), KernelProbe.class.getName())
                .redirectErrorStream(true)
                .start();
        List<String> lines = output(probe);
        assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(probe.exitValue()).as(String.join("\n", lines)).isZero();

        assertThat(lines.get(0)).isEqualTo("scalar (JVM started without --add-modules jdk.incubator.vector)");
        List<Double> expected = KernelProbe.numbers();
        assertThat(lines).hasSize(expected.size() + 1);
        for (int i = 0; i < expected.size(); i++) {
            double scalar = Double.parseDouble(lines.get(i + 1));
            assertThat(Math.abs(scalar - expected.get(i))).as("number %d: scalar %s vs vector %s", i, scalar,
                    expected.get(i)).isLessThanOrEqualTo(1e-12 * Math.max(1.0, Math.abs(expected.get(i))));
        }
    }

    private static List<String> output(Process process) throws IOException {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
}
