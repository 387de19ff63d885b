package dev.bptt.cli;

import dev.bptt.job.LocalTraining;
import dev.bptt.model.Parameters;
import dev.bptt.model.TrainingOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bptt train}: the Flink training job on a bounded steps file, on an embedded MiniCluster. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Trains with the streaming job on a steps file (embedded Flink MiniCluster); ends with the input.",
            "Writes DIR/params-final.npz, DIR/metrics.csv, DIR/dead-letters.jsonl and DIR/loss.png."
        })
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--params", required = true, description = "Initial parameters (.npz), e.g. from 'bptt init'.")
    Path params;

    @Option(names = "--steps", required = true, description = "Sequence steps, one JSON object per line.")
    Path steps;

    @Mixin
    WindowOptions window;

    @Mixin
    UpdateOptions update;

    @Mixin
    JobOptions job;

    @Option(names = "--out", required = true, description = "Run folder to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
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
}
