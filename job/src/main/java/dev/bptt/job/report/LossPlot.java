package dev.bptt.job.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Loss-curve PNGs of training runs (XChart, headless): the mean loss per parameter version, and a
 * moving average over max(1, n/20) versions that shows the trend through the noise. The y axis is
 * logarithmic when the plotted values span more than two decades. Rows with a NaN loss are left
 * out. Files are written atomically.
 */
public final class LossPlot {

    /** Image width in pixels. */
    public static final int WIDTH = 900;

    /** Image height in pixels. */
    public static final int HEIGHT = 500;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private LossPlot() {}

    /** One run: the loss of every version as thin points and line, its moving average as a thick line. */
    public static void write(Path png, String title, List<VersionMetrics> rows) throws IOException {
        LossSeries raw = LossSeries.of(rows);
        LossSeries average = raw.movingAverage();
        XYChart chart = chart(title, List.of(raw, average));
        if (raw.size() > 0) {
            XYSeries points = chart.addSeries("loss per version", raw.versions(), raw.losses());
            points.setMarker(SeriesMarkers.CIRCLE);
            points.setMarkerColor(new Color(70, 130, 180, 110));
            points.setLineColor(new Color(70, 130, 180, 80));
            points.setLineStyle(new BasicStroke(0.7f));
            XYSeries trend = chart.addSeries(
                    "moving average (" + raw.window() + " versions)", average.versions(), average.losses());
            trend.setMarker(SeriesMarkers.NONE);
            trend.setLineColor(new Color(20, 50, 120));
            trend.setLineStyle(new BasicStroke(3f));
        }
        save(png, chart);
    }

    /**
     * Several runs in one chart: the moving average of each, thick lines, named in the legend by
     * the map keys in map order. A run without a finite loss is left out.
     */
    public static void compare(Path png, String title, LinkedHashMap<String, List<VersionMetrics>> curves)
            throws IOException {
        Map<String, LossSeries> averages = new LinkedHashMap<>();
        curves.forEach((name, rows) -> averages.put(name, LossSeries.of(rows).movingAverage()));
        XYChart chart = chart(title, new ArrayList<>(averages.values()));
        averages.forEach((name, average) -> {
            if (average.size() > 0) {
                XYSeries line = chart.addSeries(name, average.versions(), average.losses());
                line.setMarker(SeriesMarkers.NONE);
                line.setLineStyle(new BasicStroke(3f));
            }
        });
        save(png, chart);
    }

    private static XYChart chart(String title, List<LossSeries> plotted) {
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle("parameter version")
                .yAxisTitle("loss (mean per term)")
                .build();
        chart.getStyler().setYAxisLogarithmic(LossSeries.wantsLogScale(plotted));
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS); // never covers a curve
        chart.getStyler().setMarkerSize(4);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        return chart;
    }

    private static void save(Path png, XYChart chart) throws IOException {
        byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFile.write(png, out -> out.write(bytes));
    }
}
