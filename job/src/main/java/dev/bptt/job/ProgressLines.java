package dev.bptt.job;

import dev.bptt.model.TrainingOptions;
import dev.bptt.records.GradientPartial;
import dev.bptt.records.ParameterVersion;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * A progress line for a person watching an unbounded run: the newest version, the end of its
 * bucket, its mean loss and the steps trained since the last line, at most one line every
 * {@link #EVERY_NANOS} of wall time. Reads the clock, so it feeds only the log, never training.
 */
final class ProgressLines implements FlatMapFunction<ParameterVersion, String> {

    static final long EVERY_NANOS = 5_000_000_000L;

    private final TrainingOptions options;
    private transient long lastLine;
    private transient long steps;

    ProgressLines(TrainingOptions options) {
        this.options = options;
    }

    @Override
    public void flatMap(ParameterVersion v, Collector<String> out) {
        if (!v.isUpdate()) {
            return;
        }
        steps += v.steps();
        long now = System.nanoTime();
        if (lastLine != 0 && now - lastLine < EVERY_NANOS && v.bucket() != GradientPartial.END_OF_INPUT) {
            return;
        }
        lastLine = now;
        long bucketEnd = v.bucket() == GradientPartial.END_OF_INPUT ? -1 : options.bucketEnd(v.bucket());
        out.collect(String.format("version %d  bucket_end %d  loss %.6f  steps %d", v.version(), bucketEnd,
                v.lossSum() / v.lossTerms(), steps));
        steps = 0;
    }
}
