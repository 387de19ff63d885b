package dev.bptt.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code bptt} launcher's entry point. Exit status (CONTRACT.md §1): 0 success; 2 bad usage
 * or configuration, reported as one line naming the option and why; 1 runtime failure.
 */
@Command(
        name = "bptt",
        mixinStandardHelpOptions = true,
        version = "bptt 0.1.0",
        description = "Online truncated back-propagation through time for recurrent networks on Apache Flink.",
        subcommands = {InitCommand.class, GradCommand.class, UpdateCommand.class, TrainCommand.class, DemoCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static final int OK = 0;
    public static final int RUNTIME_FAILURE = 1;
    public static final int USAGE = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit status (no System.exit: usable from tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((ex, argv) -> {
            usageLine(ex.getCommandLine(), ex.getMessage());
            return USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof UsageException) {
                usageLine(commandLine, ex.getMessage());
                return USAGE;
            }
            PrintWriter err = commandLine.getErr();
            err.println(commandLine.getCommandName() + ": error: " + ex);
            if (System.getenv("BPTT_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            err.flush();
            return RUNTIME_FAILURE;
        });
        return cli.execute(args);
    }

    private static void usageLine(CommandLine commandLine, String message) {
        PrintWriter err = commandLine.getErr();
        err.println("bptt " + commandLine.getCommandName() + ": " + message.replace('\n', ' ')
                + " (see: ./bptt " + commandLine.getCommandName() + " --help)");
        err.flush();
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
