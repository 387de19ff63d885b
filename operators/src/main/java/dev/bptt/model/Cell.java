package dev.bptt.model;

/**
 * One recurrent step {@code s_t = f(s_{t-1}, x_t; w)} and its two vector-Jacobian products.
 *
 * <p>A cell object is a workspace: {@link #forward} keeps the gate values of the step it computed,
 * and {@link #backward} back-propagates through that same step. The pair is how a window's
 * backward pass recomputes a step from the stored (input, previous state) and then pushes
 * {@code dL/ds_t} through it, so nothing but inputs and states has to be kept per step. Not
 * thread-safe; allocates nothing after construction.
 */
public abstract class Cell {

    protected final ModelShape shape;
    protected final int hidden;
    protected final int input;

    protected Cell(ModelShape shape) {
        this.shape = shape;
        this.hidden = shape.hiddenSize();
        this.input = shape.inputSize();
    }

    /** A new workspace for the shape's cell kind. */
    public static Cell create(ModelShape shape) {
        return switch (shape.cell()) {
            case RNN -> new RnnCell(shape);
            case GRU -> new GruCell(shape);
            case LSTM -> new LstmCell(shape);
        };
    }

    public ModelShape shape() {
        return shape;
    }

    /**
     * Computes {@code s_t = f(s_{t-1}, x_t; w)} and remembers this step's gates.
     *
     * @param w parameters (not modified)
     * @param x input array, x_t at {@code [xOff, xOff + I)} (not modified)
     * @param sPrev state array, s_{t-1} at {@code [sOff, sOff + S)} (not modified)
     * @param sOut receives s_t in {@code [0, S)} (modified; must not alias sPrev)
     */
    public abstract void forward(Parameters w, double[] x, int xOff, double[] sPrev, int sOff, double[] sOut);

    /**
     * Back-propagates through the step last computed by {@link #forward} with the same arguments:
     * {@code grad += dL/ds_t * ds_t/dw} (the partial derivative, s_{t-1} held fixed) and
     * {@code dsPrev = dL/ds_t * ds_t/ds_{t-1}}.
     *
     * @param w parameters of that step (not modified)
     * @param ds dL/ds_t, length S (not modified)
     * @param grad gradient buffer (modified: accumulated into)
     * @param dsPrev receives dL/ds_{t-1} (modified, overwritten; must not alias ds)
     */
    public abstract void backward(
            Parameters w, double[] x, int xOff, double[] sPrev, int sOff, double[] ds, Parameters grad, double[] dsPrev);
}
