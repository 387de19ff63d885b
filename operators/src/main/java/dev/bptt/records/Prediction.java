package dev.bptt.records;

/**
 * The model's output y_t for a step, made before that step trains the model (test-then-train),
 * with the parameter version that made it.
 */
public record Prediction(String key, long step, long time, double[] prediction, long version) {}
