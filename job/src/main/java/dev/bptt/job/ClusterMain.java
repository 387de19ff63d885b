package dev.bptt.job;

import dev.bptt.cli.Inputs;
import dev.bptt.cli.JobOptions;
import dev.bptt.cli.UpdateOptions;
import dev.bptt.cli.UsageException;
import dev.bptt.cli.WindowOptions;
import dev.bptt.model.Parameters;
import dev.bptt.model.TrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Entry class of the cluster job jar ({@code job/target/bptt-job.jar}): the options of
 * {@code ./bptt train} plus checkpointing, submitted to the cluster the jar runs on (its
 * {@code main} runs in the JobManager when submitted over REST). Results go to {@code --out}
 * through sinks ({@link ClusterTraining}). Checkpoints and a fixed-delay restart strategy are on
 * by default.
 *
 * <p>Bad options throw a {@link UsageException} naming the option (the REST answer carries it);
 * it never calls {@code System.exit}, which would end the JobManager.
 */
@Command(
        name = "bptt-cluster",
        mixinStandardHelpOptions = true,
        description = {
            "Submits the training job to the cluster it runs on. Options as 'bptt train', plus checkpointing.",
            "Writes DIR/params-final.npz (newest version), DIR/metrics.csv and DIR/dead-letters.jsonl."
        })
public final class ClusterMain {

    /** Restart attempts of the fixed-delay strategy (each TaskManager loss may take a few). */
    static final int RESTART_ATTEMPTS = 20;

    @Option(names = "--params", required = true,
            description = "Initial parameters (.npz), read where main() runs (the JobManager).")
    Path params;

    @Option(names = "--steps", required = true,
            description = "Sequence steps, one JSON object per line: a path or URI every TaskManager can read.")
    String steps;

    @Mixin
    WindowOptions window;

    @Mixin
    UpdateOptions update;

    @Mixin
    JobOptions job;

    @Option(names = "--out", required = true, description = "Run folder, on a file system every TaskManager can write.")
    Path out;

    @Option(names = "--checkpoint-dir",
            description = "Checkpoint storage URI (e.g. file:///shared/checkpoints); default: the cluster's.")
    String checkpointDir;

    @Option(names = "--checkpoint-interval-ms", defaultValue = "1000",
            description = "Checkpoint interval in ms (default: ${DEFAULT-VALUE}; 0: no checkpoints).")
    long checkpointIntervalMs;

    @Option(names = "--restart-delay-ms", defaultValue = "1000",
            description = "Delay between restart attempts in ms (default: ${DEFAULT-VALUE}; "
                    + RESTART_ATTEMPTS + " attempts).")
    long restartDelayMs;

    @Option(names = "--job-name", defaultValue = "bptt-train", description = "Job name (default: ${DEFAULT-VALUE}).")
    String jobName;

    public static void main(String[] args) throws Exception {
        ClusterMain command = parse(args);
        if (command != null) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(command.configuration());
            command.define(env);
            env.execute(command.jobName);
        }
    }

    /**
     * Parses a command line; null when it asked for help or the version (printed to stdout).
     *
     * @throws UsageException naming the bad option
     */
    static ClusterMain parse(String... args) {
        ClusterMain command = new ClusterMain();
        CommandLine cli = new CommandLine(command);
        try {
            cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new UsageException("bptt-cluster: " + e.getMessage().replace('\n', ' '), e);
        }
        if (cli.isUsageHelpRequested() || cli.isVersionHelpRequested()) {
            cli.usage(System.out);
            return null;
        }
        return command;
    }

    /** The job's configuration: no generic types, checkpoints, restarts. */
    Configuration configuration() {
        if (checkpointIntervalMs < 0) {
            throw new UsageException("--checkpoint-interval-ms must be >= 0, got " + checkpointIntervalMs);
        }
        if (restartDelayMs < 0) {
            throw new UsageException("--restart-delay-ms must be >= 0, got " + restartDelayMs);
        }
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        if (checkpointIntervalMs > 0) {
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(checkpointIntervalMs));
        }
        if (checkpointDir != null) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
        }
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, RESTART_ATTEMPTS);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(restartDelayMs));
        return conf;
    }

    /** Checks the options, reads the initial parameters and adds the job to {@code env}. */
    void define(StreamExecutionEnvironment env) throws Exception {
        TrainingOptions options = job.training(window, update);
        Parameters initial = Inputs.parameters("--params", params);
        if (!ClusterTraining.hasScheme(steps)) {
            Inputs.requireFile("--steps", Path.of(steps));
        }
        Files.createDirectories(out);
        env.setParallelism(1);
        ClusterTraining.define(env, new ClusterTraining.Run(steps, initial, options, job.outOfOrdernessMs(),
                job.parallelism(), out));
    }
}
