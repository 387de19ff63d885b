package dev.bptt.model;

/** One update rule {@code w <- step(w, g)} with the state it keeps between steps. */
public interface Optimizer {

    /**
     * One step. Modifies {@code params} and the optimizer's state.
     *
     * @param params parameters to update (modified)
     * @param grad the gradient (not modified)
     */
    void step(Parameters params, Parameters grad);

    /** A copy of the state carried between steps. */
    OptimizerState snapshot();

    /** Replaces the state carried between steps with a copy of {@code state}. */
    void restore(OptimizerState state);
}
