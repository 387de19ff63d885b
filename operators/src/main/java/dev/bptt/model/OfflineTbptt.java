package dev.bptt.model;

import dev.bptt.steps.SequenceStep;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The TBPTT(k1, k2) gradient of a whole input under fixed parameters (no training), the
 * contract's semantics in a plain loop: steps arrive in input order (keys interleaved); each key
 * runs its forward pass from {@code s_{-1} = 0}, keeps its last k2 steps, and closes a window at
 * every step t with {@code (t+1) % k1 == 0}, at {@code last}, and at the end of the input.
 * Window gradients and loss terms are summed over all keys. Steps must already be valid
 * (see {@code dev.bptt.steps}).
 */
public final class OfflineTbptt {

    private final ModelShape shape;
    private final Parameters params;
    private final int k1;
    private final int k2;
    private final Parameters grad;
    private final TbpttWindow window;
    private final SequenceForward forward;
    private final Map<String, KeySequence> keys = new LinkedHashMap<>();
    private double lossSum;
    private long lossTerms;
    private long windows;

    /** One key's running sequence: s_{t-1} and the ring of its last k2 steps. */
    private static final class KeySequence {
        final double[] state;
        final StepRing ring;

        KeySequence(ModelShape shape, int k2) {
            state = new double[shape.stateSize()];
            ring = StepRing.forShape(shape, k2);
        }
    }

    public OfflineTbptt(Parameters params, Loss loss, int k1, int k2) {
        if (k1 < 1 || k2 < k1) {
            throw new IllegalArgumentException("need k2 >= k1 >= 1, got k1 = " + k1 + ", k2 = " + k2);
        }
        this.shape = params.shape();
        this.params = params;
        this.k1 = k1;
        this.k2 = k2;
        this.grad = params.zerosLike();
        this.window = new TbpttWindow(shape, loss);
        this.forward = new SequenceForward(shape);
    }

    /** Runs one step of its key's sequence, and the window it closes, if any. */
    public void accept(SequenceStep step) {
        if (step.input().length != shape.inputSize()) {
            throw new IllegalArgumentException("step input has " + step.input().length + " numbers, model expects "
                    + shape.inputSize());
        }
        KeySequence seq = keys.computeIfAbsent(step.key(), k -> new KeySequence(shape, k2));
        seq.ring.push(step.input(), 0, seq.state, 0, step.target(), 0, step.targetClass(), 0L);
        forward.step(params, step.input(), seq.state, null);
        if (TbpttWindow.closesAt(step.step(), step.last(), k1)) {
            close(seq);
        }
        if (step.last()) {
            keys.remove(step.key());
        }
    }

    /** End of input: closes every open window. */
    public void finish() {
        for (KeySequence seq : keys.values()) {
            if (seq.ring.pendingLoss > 0) {
                close(seq);
            }
        }
        keys.clear();
    }

    private void close(KeySequence seq) {
        WindowLoss loss = window.backward(seq.ring, version -> params, grad);
        lossSum += loss.sum();
        lossTerms += loss.terms();
        windows++;
    }

    /** The summed window gradients so far (live buffer). */
    public Parameters gradient() {
        return grad;
    }

    /** Sum of all counted loss terms. */
    public double lossSum() {
        return lossSum;
    }

    /** Number of counted loss terms. */
    public long lossTerms() {
        return lossTerms;
    }

    /** Number of windows closed. */
    public long windows() {
        return windows;
    }
}
