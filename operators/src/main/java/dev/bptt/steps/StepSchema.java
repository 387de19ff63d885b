package dev.bptt.steps;

import java.io.Serializable;

/**
 * What a step record must look like for one model: {@code input} has exactly {@code inputSize}
 * numbers; the target is an array of {@code outputSize} numbers ({@code mse}, {@code classTargets
 * == false}) or an integer class in {@code [0, outputSize)} ({@code xent}, {@code classTargets ==
 * true}); {@code time} must be present when {@code timeRequired} (training on event time).
 *
 * <p>Both sizes must be at least 1.
 */
public record StepSchema(int inputSize, int outputSize, boolean classTargets, boolean timeRequired)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Rejects sizes below 1. */
    public StepSchema {
        if (inputSize < 1) {
            throw new IllegalArgumentException("inputSize must be >= 1, got " + inputSize);
        }
        if (outputSize < 1) {
            throw new IllegalArgumentException("outputSize must be >= 1, got " + outputSize);
        }
    }

    /** {@code "xent"} for class targets, {@code "mse"} for vector targets. */
    public String lossName() {
        return classTargets ? "xent" : "mse";
    }
}
