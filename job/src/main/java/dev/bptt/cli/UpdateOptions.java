package dev.bptt.cli;

import dev.bptt.model.OptimizerKind;
import dev.bptt.model.Reduction;
import dev.bptt.model.UpdateRule;
import picocli.CommandLine.Option;

/** The update-rule options shared by {@code update}, {@code train} and the cluster entry point (CONTRACT.md §4). */
public final class UpdateOptions {

    @Option(names = "--optimizer", defaultValue = "sgd", converter = Converters.OptimizerName.class,
            description = "sgd or adam (default: ${DEFAULT-VALUE}).")
    OptimizerKind optimizer;

    @Option(names = "--lr", description = "Learning rate (default 0.01 for sgd, 0.001 for adam).")
    Double lr;

    @Option(names = "--momentum", defaultValue = "0", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--clip-norm", defaultValue = "0", description = "Clip g to this global 2-norm (0: off).")
    double clipNorm;

    @Option(names = "--reduction", defaultValue = "mean", converter = Converters.ReductionName.class,
            description = "mean (g = G / n) or sum (g = G). Default: ${DEFAULT-VALUE}.")
    Reduction reduction;

    /** The learning rate, checked; the optimizer's default when not given. Also checks the other options. */
    double lr() {
        double rate = lr == null ? optimizer.defaultLr() : lr;
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new UsageException("--lr must be a finite number >= 0, got " + rate);
        }
        if (!(momentum >= 0) || optimizer != OptimizerKind.SGD && momentum != 0) {
            throw new UsageException("--momentum must be >= 0 and is for sgd only, got " + momentum);
        }
        if (!(clipNorm >= 0)) {
            throw new UsageException("--clip-norm must be > 0 (0 for none), got " + clipNorm);
        }
        return rate;
    }

    /** A fresh update rule. */
    UpdateRule newRule() {
        return new UpdateRule(optimizer.create(lr(), momentum), reduction, clipNorm);
    }
}
