package dev.bptt.cli;

import dev.bptt.job.TrainingJob;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bptt train}: the Flink training job on a bounded steps file, on an embedded MiniCluster. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Trains on a steps file with the streaming job (embedded Flink MiniCluster); ends with the input.",
            "Writes DIR/params-final.npz, DIR/metrics.csv, DIR/dead-letters.jsonl and DIR/loss.png."
        })
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--params", description = "Initial parameters (.npz); required until a default model exists.", required = true)
    Path params;

    @Option(names = "--steps", required = true, description = "Sequence steps, one JSON object per line.")
    Path steps;

    @Mixin
    WindowOptions window;

    @Mixin
    UpdateOptions update;

    @Option(names = "--bucket-ms", required = true, description = "Event-time bucket length: one update per bucket.")
    long bucketMs;

    @Option(names = "--staleness", defaultValue = "0", description = "0..N (reproducible) or async.")
    String staleness;

    @Option(names = "--out-of-orderness-ms", defaultValue = "0", description = "Allowed event-time disorder.")
    long outOfOrdernessMs;

    @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism of the keyed operators.")
    int parallelism;

    @Option(names = "--out", required = true, description = "Run folder to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        TrainingOptions options = options();
        Parameters initial = Inputs.parameters("--params", params);
        Inputs.requireFile("--steps", steps);
        Files.createDirectories(out);

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        FileSource<String> source = FileSource.forRecordStreamFormat(new TextLineInputFormat(),
                new org.apache.flink.core.fs.Path(steps.toAbsolutePath().toUri())).build();
        DataStream<String> lines = env.fromSource(source, WatermarkStrategy.noWatermarks(), "steps-file");
        TrainingJob.Outputs job = TrainingJob.build(lines, initial, options, outOfOrdernessMs, parallelism);
        CloseableIterator<ParameterVersion> versions = job.versions().collectAsync();
        CloseableIterator<DeadLetter> deadLetters = job.deadLetters().collectAsync();
        env.executeAsync("bptt-train");

        Thread letters = new Thread(() -> writeDeadLetters(deadLetters), "dead-letters");
        letters.start();
        List<VersionMetrics> metrics = new ArrayList<>();
        double[] last = initial.toFlat();
        long started = System.nanoTime();
        long trained = 0;
        while (versions.hasNext()) {
            ParameterVersion v = versions.next();
            if (!v.isUpdate()) {
                continue;
            }
            last = v.params();
            trained += v.steps();
            double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
            long bucketEnd = v.bucket() == GradientPartial.END_OF_INPUT ? -1 : options.bucketEnd(v.bucket());
            metrics.add(new VersionMetrics(v.version(), bucketEnd, v.lossSum() / v.lossTerms(), v.lossTerms(),
                    v.gradNorm(), trained / seconds, v.staleness()));
            System.err.printf("\rsteps %d  version %d  loss %.6f  %.0f steps/s   ", trained, v.version(),
                    v.lossSum() / v.lossTerms(), trained / seconds);
        }
        letters.join();
        System.err.println();
        ParameterArrays.write(out.resolve("params-final.npz"), Parameters.fromFlat(initial.shape(), last), Map.of());
        MetricsCsv.write(out.resolve("metrics.csv"), metrics);
        LossPlot.write(out.resolve("loss.png"), "TBPTT(" + window.k1 + ", " + options.k2() + ") " + initial.shape(), metrics);
        System.out.println("wrote " + out + ": params-final.npz, metrics.csv (" + metrics.size()
                + " versions), dead-letters.jsonl, loss.png");
        return Main.OK;
    }

    private void writeDeadLetters(CloseableIterator<DeadLetter> letters) {
        try (DeadLetterFile file = DeadLetterFile.open(out.resolve("dead-letters.jsonl"))) {
            long n = 0;
            while (letters.hasNext()) {
                DeadLetter d = letters.next();
                file.write(d.reason(), d.record(), ++n);
            }
        } catch (Exception e) {
            throw new IllegalStateException("writing dead letters failed", e);
        }
    }

    private TrainingOptions options() {
        int k2 = window.k2();
        double lr = update.lr();
        int s;
        try {
            s = "async".equalsIgnoreCase(staleness) ? TrainingOptions.ASYNC : Integer.parseInt(staleness);
        } catch (NumberFormatException e) {
            throw new UsageException("--staleness must be a number >= 0 or async, got '" + staleness + "'");
        }
        if (s < TrainingOptions.ASYNC) {
            throw new UsageException("--staleness must be >= 0 or async, got " + s);
        }
        if (bucketMs < 1) {
            throw new UsageException("--bucket-ms must be >= 1, got " + bucketMs);
        }
        if (parallelism < 1) {
            throw new UsageException("--parallelism must be >= 1, got " + parallelism);
        }
        if (outOfOrdernessMs < 0) {
            throw new UsageException("--out-of-orderness-ms must be >= 0, got " + outOfOrdernessMs);
        }
        return new TrainingOptions(window.loss, window.k1, k2, update.optimizer, lr, update.momentum, update.clipNorm,
                update.reduction, bucketMs, s);
    }
}
