package dev.bptt.job;

import dev.bptt.job.report.DeadLetterFile;
import dev.bptt.job.report.LossPlot;
import dev.bptt.job.report.MetricsCsv;
import dev.bptt.job.report.VersionMetrics;
import dev.bptt.model.ParameterArrays;
import dev.bptt.model.Parameters;
import dev.bptt.model.TrainingOptions;
import dev.bptt.records.DeadLetter;
import dev.bptt.records.GradientPartial;
import dev.bptt.records.ParameterVersion;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * A bounded training run on a steps file, on the embedded MiniCluster: runs {@link TrainingJob},
 * follows its versions with a live progress line, and writes the run folder:
 * {@code params-final.npz}, {@code metrics.csv}, {@code dead-letters.jsonl}, {@code loss.png}.
 */
public final class LocalTraining {

    /** What to run: step records from {@code source} (bounded; read at parallelism 1, in order). */
    public record Run(Source<String, ?, ?> source, Parameters initial, TrainingOptions options, long outOfOrdernessMs,
            int parallelism, Path out, String title) {}

    /** The lines of a steps file as a bounded source. */
    public static Source<String, ?, ?> fileSource(Path steps) {
        return FileSource.forRecordStreamFormat(new TextLineInputFormat(),
                new org.apache.flink.core.fs.Path(steps.toAbsolutePath().toUri())).build();
    }

    /** What came out. */
    public record Summary(List<VersionMetrics> metrics, Parameters finalParams, long deadLetters, long steps,
            double seconds) {}

    private LocalTraining() {}

    /** Runs to the end of the file; progress lines go to {@code progress} (may be null). */
    public static Summary run(Run run, PrintStream progress) throws Exception {
        Files.createDirectories(run.out());
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        try (EmbeddedEnvironment embedded = EmbeddedEnvironment.create(EmbeddedCluster.forBoundedRun(conf))) {
            return train(embedded.env(), run, progress);
        }
    }

    private static Summary train(StreamExecutionEnvironment env, Run run, PrintStream progress) throws Exception {
        env.setParallelism(1);
        TrainingJob.Outputs job = TrainingJob.build(
                TrainingJob.records(env.fromSource(run.source(), WatermarkStrategy.noWatermarks(), "steps")),
                run.initial(), run.options(), run.outOfOrdernessMs(), run.parallelism());
        CloseableIterator<ParameterVersion> versions = job.versions().collectAsync();
        CloseableIterator<DeadLetter> deadLetters = job.deadLetters().collectAsync();
        long started = System.nanoTime();
        env.executeAsync("bptt-train");

        AtomicLong letterCount = new AtomicLong();
        Thread letters = new Thread(() -> letterCount.set(writeDeadLetters(deadLetters, run.out())), "dead-letters");
        letters.start();
        List<VersionMetrics> metrics = new ArrayList<>();
        double[] last = run.initial().toFlat();
        long trained = 0;
        long lastPrint = 0;
        while (versions.hasNext()) {
            ParameterVersion v = versions.next();
            trained += v.isUpdate() ? v.steps() : 0;
            if (!v.isUpdate()) {
                continue;
            }
            last = v.params();
            double rate = trained / seconds(started);
            long bucketEnd = v.bucket() == GradientPartial.END_OF_INPUT ? -1 : run.options().bucketEnd(v.bucket());
            double lossMean = v.lossSum() / v.lossTerms();
            metrics.add(new VersionMetrics(v.version(), bucketEnd, lossMean, v.lossTerms(), v.gradNorm(), rate,
                    v.staleness()));
            if (progress != null && System.nanoTime() - lastPrint > PROGRESS_EVERY_NANOS) {
                lastPrint = System.nanoTime();
                progress.print(progressLine(trained, v.version(), lossMean, rate));
            }
        }
        letters.join();
        if (progress != null && !metrics.isEmpty()) {
            VersionMetrics m = metrics.get(metrics.size() - 1);
            progress.print(progressLine(trained, m.version(), m.lossMean(), trained / seconds(started)));
            if (TERMINAL) {
                progress.println();
            }
        }
        Parameters finalParams = Parameters.fromFlat(run.initial().shape(), last);
        ParameterArrays.write(run.out().resolve("params-final.npz"), finalParams, Map.of());
        MetricsCsv.write(run.out().resolve("metrics.csv"), metrics);
        LossPlot.write(run.out().resolve("loss.png"), run.title(), metrics);
        return new Summary(metrics, finalParams, letterCount.get(), trained, seconds(started));
    }

    /** On a terminal the line is rewritten in place; in a log it is a line every few seconds. */
    private static final boolean TERMINAL = System.console() != null;
    private static final long PROGRESS_EVERY_NANOS = TERMINAL ? 250_000_000L : 5_000_000_000L;

    private static String progressLine(long steps, long version, double loss, double rate) {
        String line = String.format("steps %d  version %d  loss %.6f  %.0f steps/s", steps, version, loss, rate);
        return TERMINAL ? "\r" + line + "   " : line + System.lineSeparator();
    }

    private static double seconds(long startedNanos) {
        return Math.max(1e-9, (System.nanoTime() - startedNanos) / 1e9);
    }

    private static long writeDeadLetters(CloseableIterator<DeadLetter> letters, Path out) {
        try (DeadLetterFile file = DeadLetterFile.open(out.resolve("dead-letters.jsonl"))) {
            while (letters.hasNext()) {
                DeadLetter d = letters.next();
                file.write(d.reason(), d.record(), d.origin());
            }
            return file.count();
        } catch (IOException e) {
            throw new UncheckedIOException("writing dead letters failed", e);
        }
    }
}
