package dev.bptt.job.report;

import java.util.Arrays;
import java.util.List;

/**
 * The loss curve of one run as plotted: parameter versions and their mean loss, rows whose loss
 * is NaN or infinite left out, in the order given.
 */
record LossSeries(double[] versions, double[] losses) {

    /** The plottable rows of {@code rows}. */
    static LossSeries of(List<VersionMetrics> rows) {
        double[] x = new double[rows.size()];
        double[] y = new double[rows.size()];
        int n = 0;
        for (VersionMetrics r : rows) {
            if (Double.isFinite(r.lossMean())) {
                x[n] = r.version();
                y[n] = r.lossMean();
                n++;
            }
        }
        return new LossSeries(Arrays.copyOf(x, n), Arrays.copyOf(y, n));
    }

    /** Number of points. */
    int size() {
        return losses.length;
    }

    /** The moving-average window for this curve: max(1, size / 20) points. */
    int window() {
        return Math.max(1, size() / 20);
    }

    /**
     * The trailing moving average of the losses over {@link #window()} points: point i is the
     * mean of points max(0, i - window + 1) .. i, so the first points average fewer values.
     */
    LossSeries movingAverage() {
        int w = window();
        double[] out = new double[size()];
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            sum += losses[i];
            if (i >= w) {
                sum -= losses[i - w];
            }
            out[i] = sum / Math.min(i + 1, w);
        }
        return new LossSeries(versions, out);
    }

    /**
     * Whether a logarithmic y axis shows these curves better: every value is positive and the
     * largest is more than 100 times the smallest (the range spans more than two decades).
     */
    static boolean wantsLogScale(List<LossSeries> curves) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (LossSeries c : curves) {
            for (double v : c.losses) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return min > 0 && max > 100 * min;
    }
}
