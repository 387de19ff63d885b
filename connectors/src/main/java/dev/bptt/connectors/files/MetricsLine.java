package dev.bptt.connectors.files;

/**
 * One row of a run's {@code metrics.csv}: comma separated numbers under {@link #HEADER}, doubles
 * written with {@link Double#toString(double)} (they read back exactly), NaN when unknown.
 */
public final class MetricsLine {

    /** The first line of every metrics CSV. */
    public static final String HEADER = "version,bucket_end,loss_mean,loss_terms,grad_norm,steps_per_second,staleness";

    /** Number of fields of a row. */
    public static final int COLUMNS = 7;

    /** {@code bucket_end} of the update made at the end of a bounded input. */
    public static final long END_OF_INPUT = -1;

    private MetricsLine() {}

    /** A row (no newline). */
    public static String format(long version, long bucketEnd, double lossMean, long lossTerms, double gradNorm,
            double stepsPerSecond, long staleness) {
        return version + "," + bucketEnd + "," + lossMean + "," + lossTerms + "," + gradNorm + "," + stepsPerSecond
                + "," + staleness;
    }
}
