package dev.bptt.connectors.files;

import dev.bptt.model.ModelShape;
import dev.bptt.model.ParameterArrays;
import dev.bptt.model.Parameters;
import dev.bptt.records.GradientPartial;
import dev.bptt.records.ParameterVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * Writes the parameter versions of a run (update messages only; run at parallelism 1) into its
 * folder: each version replaces {@value #PARAMS} atomically (readers see a whole file; the
 * newest version wins, and a replay after a restore rewrites the same versions in the same
 * order) and adds a row to {@value #METRICS} ({@link MetricsLine}). A fresh start writes the
 * initial parameters (version 0) first, so the file always holds the newest version.
 */
public final class ParameterFileSink extends LineLogSink<ParameterVersion> {

    private static final long serialVersionUID = 1L;

    public static final String PARAMS = "params-final.npz";
    public static final String METRICS = "metrics.csv";

    private final ModelShape shape;
    private final double[] initial;
    private final long bucketMs;

    /**
     * @param dir the run folder
     * @param initial version 0
     * @param bucketMs the bucket length (for the rows' bucket end)
     */
    public ParameterFileSink(String dir, Parameters initial, long bucketMs) {
        super(dir, METRICS, MetricsLine.HEADER);
        this.shape = initial.shape();
        this.initial = initial.toFlat();
        this.bucketMs = bucketMs;
    }

    @Override
    LineLogWriter<ParameterVersion> writer(Path dir, LineLog log, boolean restored) throws IOException {
        Writer writer = new Writer(dir.resolve(PARAMS), log);
        if (!restored) {
            writer.writeParams(initial);
        }
        return writer;
    }

    /** Replaces the npz and appends a metrics row per update. */
    private final class Writer extends LineLogWriter<ParameterVersion> {
        private final Path params;
        private final long started = System.nanoTime();
        private long steps;

        Writer(Path params, LineLog log) {
            super(log);
            this.params = params;
        }

        void writeParams(double[] flat) throws IOException {
            ParameterArrays.write(params, Parameters.fromFlat(shape, flat), Map.of());
        }

        @Override
        public void write(ParameterVersion v, SinkWriter.Context context) throws IOException {
            if (!v.isUpdate()) {
                return;
            }
            writeParams(v.params());
            steps += v.steps();
            double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
            long bucketEnd = v.bucket() == GradientPartial.END_OF_INPUT
                    ? MetricsLine.END_OF_INPUT : (v.bucket() + 1) * bucketMs - 1;
            log.append(MetricsLine.format(v.version(), bucketEnd, v.lossSum() / v.lossTerms(), v.lossTerms(),
                    v.gradNorm(), steps / seconds, v.staleness()));
        }
    }
}
