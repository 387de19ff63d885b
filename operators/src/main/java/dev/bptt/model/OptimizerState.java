package dev.bptt.model;

/**
 * What an optimizer carries from step to step, as flat arrays laid out like
 * {@link Parameters#toFlat()}: SGD's momentum buffer in {@code first}, Adam's moments in
 * {@code first} and {@code second}. Arrays are null until the first step creates them.
 *
 * @param steps optimizer steps taken so far
 */
public record OptimizerState(long steps, double[] first, double[] second) {

    /** The state of an optimizer that has taken no step. */
    public static final OptimizerState INITIAL = new OptimizerState(0, null, null);
}
