package dev.bptt.cli;

import dev.bptt.model.Loss;
import picocli.CommandLine.Option;

/** The TBPTT window and loss options shared by {@code grad}, {@code train} and the cluster entry point. */
public final class WindowOptions {

    @Option(names = "--k1", required = true, description = "Steps between window closes.")
    int k1;

    @Option(names = "--k2", description = "Steps each window back-propagates through (>= k1; default k1).")
    Integer k2;

    @Option(names = "--loss", defaultValue = "mse", converter = Converters.LossName.class,
            description = "mse (target: array of O numbers) or xent (target: class in [0, O)). Default: ${DEFAULT-VALUE}.")
    Loss loss;

    /** k2, checked: {@code k2 >= k1 >= 1}. */
    int k2() {
        if (k1 < 1) {
            throw new UsageException("--k1 must be >= 1, got " + k1);
        }
        int resolved = k2 == null ? k1 : k2;
        if (resolved < k1) {
            throw new UsageException("--k2 must be >= --k1 (" + k1 + "), got " + resolved);
        }
        return resolved;
    }
}
