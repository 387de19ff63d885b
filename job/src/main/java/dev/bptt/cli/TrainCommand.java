package dev.bptt.cli;

import dev.bptt.job.KafkaTraining;
import dev.bptt.job.LocalTraining;
import dev.bptt.model.Parameters;
import dev.bptt.model.TrainingOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bptt train}: the Flink training job on an embedded MiniCluster, on a bounded steps file
 * ({@code --steps}, ends with the input) or online from Kafka ({@code --kafka-bootstrap}, runs
 * until stopped).
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Trains with the streaming job (embedded Flink MiniCluster).",
            "--steps FILE: ends with the input; writes DIR/params-final.npz, DIR/metrics.csv, DIR/dead-letters.jsonl",
            "and DIR/loss.png.",
            "--kafka-bootstrap HOST:PORT --steps-topic T: runs until Ctrl-C or SIGTERM; publishes to the topics given",
            "(created when missing), exactly once at each checkpoint."
        })
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--params", required = true, description = "Initial parameters (.npz), e.g. from 'bptt init'.")
    Path params;

    @Option(names = "--steps", description = "Sequence steps, one JSON object per line (or --kafka-bootstrap).")
    Path steps;

    @Mixin
    WindowOptions window;

    @Mixin
    UpdateOptions update;

    @Mixin
    JobOptions job;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--out", description = "Run folder to write (with --steps).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (steps != null && kafka.selected()) {
            throw new UsageException("--steps and " + KafkaOptions.BOOTSTRAP + " are mutually exclusive: give one");
        }
        if (steps == null && !kafka.selected()) {
            throw new UsageException("--steps FILE or " + KafkaOptions.BOOTSTRAP + " HOST:PORT is required");
        }
        return kafka.selected() ? fromKafka() : fromFile();
    }

    private int fromFile() throws Exception {
        kafka.rejectWithoutBootstrap();
        if (out == null) {
            throw new UsageException("--out is required with --steps");
        }
        TrainingOptions options = job.training(window, update);
        Parameters initial = Inputs.parameters("--params", params);
        Inputs.requireFile("--steps", steps);
        LocalTraining.Summary summary = LocalTraining.run(new LocalTraining.Run(LocalTraining.fileSource(steps), initial, options,
                job.outOfOrdernessMs, job.parallelism, out, "TBPTT(" + options.k1() + ", " + options.k2() + ") "
                        + initial.shape()), System.err);
        System.out.printf("wrote %s: params-final.npz, metrics.csv (%d versions), dead-letters.jsonl (%d), loss.png%n",
                out, summary.metrics().size(), summary.deadLetters());
        return Main.OK;
    }

    private int fromKafka() throws Exception {
        if (out != null) {
            throw new UsageException("--out is for --steps; from Kafka the outputs go to --params-topic, "
                    + "--predictions-topic and --dead-letter-topic");
        }
        TrainingOptions options = job.training(window, update);
        var settings = kafka.settings();
        long checkpointIntervalMs = kafka.checkpointIntervalMs();
        Parameters initial = Inputs.parameters("--params", params);
        KafkaTraining.Summary summary = KafkaTraining.run(new KafkaTraining.Run(settings, initial, options,
                job.outOfOrdernessMs, job.parallelism, checkpointIntervalMs), System.err);
        System.out.printf("%s after %.1f s%n", summary.stopped() ? "stopped" : "input ended", summary.seconds());
        return Main.OK;
    }
}
