package dev.bptt.cli;

import dev.bptt.connectors.demo.DelayedRecallSource;
import dev.bptt.connectors.demo.DelayedRecallTask;
import dev.bptt.job.LocalTraining;
import dev.bptt.job.report.LossPlot;
import dev.bptt.job.report.VersionMetrics;
import dev.bptt.model.CellKind;
import dev.bptt.model.Loss;
import dev.bptt.model.ModelShape;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Reduction;
import dev.bptt.model.TrainingOptions;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bptt demo}: the delayed-recall task end to end. Each key's target is its input of
 * {@code delay} steps before, so the network must carry it in its state: a TBPTT window of
 * {@code k2 > delay} steps can learn it, one of {@code k2 <= delay} cannot.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Trains on a built-in task that needs memory, end to end on an embedded Flink MiniCluster.",
            "Each of --keys sequences gets a random +-1 per step and must output the value it saw --delay steps",
            "earlier; the steps come from a generator source. Writes params-final.npz, metrics.csv and loss.png",
            "into a run folder.",
            "Try --k2 4 (a window no longer than the delay): it cannot learn the task."
        })
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--cell", defaultValue = "gru", converter = Converters.Cell.class, description = "rnn, gru or lstm (default: ${DEFAULT-VALUE}).")
    CellKind cell;

    @Option(names = "--hidden", defaultValue = "16", description = "Hidden size (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--keys", defaultValue = "300", description = "Sequences (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--length", defaultValue = "400", description = "Steps per sequence (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--delay", defaultValue = "4", description = "How far back the target looks (default: ${DEFAULT-VALUE}).")
    int delay;

    @Option(names = "--k1", defaultValue = "2", description = "Steps between window closes (default: ${DEFAULT-VALUE}).")
    int k1;

    @Option(names = "--k2", defaultValue = "8", description = "Window length (default: ${DEFAULT-VALUE}).")
    int k2;

    @Option(names = "--lr", defaultValue = "0.03", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--staleness", defaultValue = "0", description = "0..N or async (default: ${DEFAULT-VALUE}).")
    String staleness;

    @Option(names = "--parallelism", defaultValue = "2", description = "Keyed operators' parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the task and the initial parameters.")
    long seed;

    @Option(names = "--out", description = "Run folder (default: runs/demo-<time>).")
    Path out;

    @Option(names = "--write-steps", description = "Also write the generated steps to <out>/steps.jsonl "
            + "(to replay them with 'bptt train').")
    boolean writeSteps;

    @Option(names = "--compare-k2", description = "Also train with this window length (in <out>/compare-k2-<K>) and "
            + "draw both loss curves in <out>/loss-compare.png.")
    Integer compareK2;

    private List<VersionMetrics> train(ModelShape shape, TrainingOptions options, DelayedRecallTask task, Path dir)
            throws Exception {
        LocalTraining.Summary summary = LocalTraining.run(new LocalTraining.Run(DelayedRecallSource.of(task),
                ParameterInit.uniform(shape, seed),
                options, 0, parallelism, dir, "delayed recall (delay " + delay + "), " + label(options) + ", " + shape),
                System.err);
        List<VersionMetrics> m = summary.metrics();
        double first = m.get(0).lossMean();
        double last = m.get(m.size() - 1).lossMean();
        System.out.printf("%s: loss %.4f -> %.4f (%.1f%% of the first version's) over %d versions, %d steps in %.1f s%n",
                label(options), first, last, 100 * last / first, m.size(), summary.steps(), summary.seconds());
        if (last <= LEARNED * first) {
            System.out.println("  learned: the network carries each input " + delay + " steps in its state");
        } else if (options.k2() <= delay) {
            System.out.println("  not learned: with k2 <= delay no gradient reaches the input it must remember");
        } else {
            System.out.println("  not learned yet: try more --length or another --lr");
        }
        return m;
    }

    private static String label(TrainingOptions options) {
        return "TBPTT(" + options.k1() + ", " + options.k2() + ")";
    }

    /** A run counts as learned when its last loss is at most this fraction of its first. */
    static final double LEARNED = 0.3;

    /** One event-time bucket per time step: every step of every key at time t makes one update. */
    static final long STEP_MS = 1000;

    @Override
    public Integer call() throws Exception {
        if (keys < 1 || hidden < 1 || delay < 1 || length <= delay) {
            throw new UsageException("need --keys >= 1, --hidden >= 1 and 1 <= --delay < --length");
        }
        JobOptions job = new JobOptions();
        job.bucketMs = STEP_MS;
        job.staleness = staleness;
        job.parallelism = parallelism;
        WindowOptions window = new WindowOptions();
        window.k1 = k1;
        window.k2 = k2;
        window.loss = Loss.MSE;
        UpdateOptions update = new UpdateOptions();
        update.optimizer = OptimizerKind.ADAM;
        update.lr = lr;
        update.clipNorm = 1.0;
        update.reduction = Reduction.MEAN;
        TrainingOptions options = job.training(window, update);
        TrainingOptions compare = null;
        if (compareK2 != null) {
            window.k2 = compareK2;
            compare = job.training(window, update);
        }

        Path dir = out != null ? out
                : Path.of("runs", "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        DelayedRecallTask task = new DelayedRecallTask(keys, length, delay, STEP_MS, 0, seed);
        if (writeSteps) {
            java.nio.file.Files.createDirectories(dir);
            task.writeJsonl(dir.resolve("steps.jsonl"));
        }
        ModelShape shape = new ModelShape(cell, DelayedRecallTask.INPUT_SIZE, hidden, DelayedRecallTask.OUTPUT_SIZE);
        System.out.printf("demo: %d sequences x %d steps; target = input %d steps back; %s, adam %s%n",
                keys, length, delay, shape, lr);
        LinkedHashMap<String, List<VersionMetrics>> curves = new LinkedHashMap<>();
        curves.put(label(options), train(shape, options, task, dir));
        if (compare != null) {
            curves.put(label(compare), train(shape, compare, task, dir.resolve("compare-k2-" + compare.k2())));
            LossPlot.compare(dir.resolve("loss-compare.png"), "delayed recall (delay " + delay + "): "
                    + "the window must reach back past the delay", curves);
        }
        System.out.println("results in " + dir.toAbsolutePath() + " (params-final.npz, metrics.csv, loss.png"
                + (compare != null ? ", loss-compare.png" : "") + ")");
        return Main.OK;
    }
}
