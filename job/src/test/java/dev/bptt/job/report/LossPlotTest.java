package dev.bptt.job.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loss plots are PNG files of the documented size, whatever the losses look like. */
class LossPlotTest {

    /** A noisy decaying loss over {@code n} versions, with NaN every 17th version. */
    private static List<VersionMetrics> run(int n, double from, double to) {
        List<VersionMetrics> rows = new ArrayList<>();
        for (int v = 1; v <= n; v++) {
            double loss = v % 17 == 0 ? Double.NaN
                    : from * Math.pow(to / from, (v - 1.0) / Math.max(1, n - 1)) * (1 + 0.3 * Math.sin(v * 1.7));
            rows.add(new VersionMetrics(v, 1_700_000_000_000L + 1000L * v, loss, 64, 0.5, 1e4, 0));
        }
        return rows;
    }

    private static BufferedImage decoded(Path png) throws IOException {
        assertThat(png).exists();
        assertThat(Files.size(png)).isPositive();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        return image;
    }

    @Test
    void oneRunBecomesADecodablePngOfTheDocumentedSize(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("loss.png");
        LossPlot.write(png, "delayed recall, gru, k1=k2=20", run(300, 0.5, 0.4));

        BufferedImage image = decoded(png);
        assertThat(image.getWidth()).isEqualTo(LossPlot.WIDTH).isEqualTo(900);
        assertThat(image.getHeight()).isEqualTo(LossPlot.HEIGHT).isEqualTo(500);
    }

    @Test
    void lossesSpanningManyDecadesAndTinyOrEmptyRunsStillGiveAPng(@TempDir Path dir) throws IOException {
        LossPlot.write(dir.resolve("decades.png"), "log scale", run(500, 10, 1e-6));
        LossPlot.write(dir.resolve("one.png"), "one version", run(1, 0.5, 0.5));
        LossPlot.write(dir.resolve("empty.png"), "no versions", List.of());
        LossPlot.write(dir.resolve("nan.png"), "only NaN", List.of(new VersionMetrics(1, -1, Double.NaN, 0, 0, 0, 0)));

        for (String name : List.of("decades.png", "one.png", "empty.png", "nan.png")) {
            assertThat(decoded(dir.resolve(name)).getWidth()).isEqualTo(LossPlot.WIDTH);
        }
    }

    @Test
    void severalRunsBecomeOneDecodablePngOfTheDocumentedSize(@TempDir Path dir) throws IOException {
        LinkedHashMap<String, List<VersionMetrics>> curves = new LinkedHashMap<>();
        curves.put("k2 = 2 (shorter than the delay)", run(400, 0.5, 0.49));
        curves.put("k2 = 20", run(400, 0.5, 0.001));
        curves.put("no finite loss", List.of(new VersionMetrics(1, -1, Double.NaN, 0, 0, 0, 0)));
        Path png = dir.resolve("compare/k2.png");
        LossPlot.compare(png, "delayed recall: TBPTT window vs delay", curves);

        BufferedImage image = decoded(png);
        assertThat(image.getWidth()).isEqualTo(LossPlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(LossPlot.HEIGHT);
        try (var files = Files.list(png.getParent())) {
            assertThat(files).containsExactly(png);
        }
    }
}
