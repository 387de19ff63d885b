package dev.bptt.model;

/**
 * The forward pass of one sequence, a step at a time: keeps {@code s_{t-1}} and computes
 * {@code s_t = f(s_{t-1}, x_t; w)} and the prediction {@code y_t = W_out h_t + b_out}. Not
 * thread-safe; one per operator (state vectors are passed in, so one object serves all keys).
 */
public final class SequenceForward {

    private final Cell cell;
    private final Readout readout;
    private final double[] next;

    public SequenceForward(ModelShape shape) {
        this.cell = Cell.create(shape);
        this.readout = new Readout(shape);
        this.next = new double[shape.stateSize()];
    }

    /**
     * One step: {@code state <- f(state, x; w)} and {@code prediction <- y_t}.
     *
     * @param state s_{t-1} on entry, s_t on return (modified)
     * @param prediction receives y_t, length O (modified); may be null to skip the readout
     */
    public void step(Parameters w, double[] x, double[] state, double[] prediction) {
        cell.forward(w, x, 0, state, 0, next);
        System.arraycopy(next, 0, state, 0, next.length);
        if (prediction != null) {
            readout.predict(w, state, prediction);
        }
    }
}
