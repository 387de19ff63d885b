package dev.bptt.connectors.demo;

import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The built-in demo task, one that needs memory: recall the input of {@code delay} steps ago.
 *
 * <p>Each of {@code keys} sequences ("seq-0000", "seq-0001", ...) has {@code length} steps. Step t
 * of a key has input {@code [x_t, c_t]}: {@code x_t} is -1 or +1 at random, {@code c_t} is the
 * recall cue, 1 when the step carries a target and 0 otherwise. The target ({@code mse}, one
 * number) is {@code x_{t-delay}}; steps t &lt; delay have none. A model without memory of at
 * least {@code delay} steps can do no better than predicting 0 (loss 1/2 per term); TBPTT with
 * {@code k2 <= delay} cannot learn the task.
 *
 * <p>All keys share one clock: step t has event time {@code startMs + t * stepMs}, so every
 * event-time bucket holds steps of many keys. The last step of each sequence has {@code last}.
 * Deterministic: {@code x_t} is a hash (SplitMix64) of seed, key index and t, so any step can be
 * made on its own and the same arguments give the same task on every machine.
 */
public record DelayedRecallTask(int keys, int length, int delay, long stepMs, long startMs, long seed)
        implements java.io.Serializable {

    /** Numbers per input: the value to remember and the recall cue. */
    public static final int INPUT_SIZE = 2;

    /** Numbers per target. */
    public static final int OUTPUT_SIZE = 1;

    /** Checks keys &gt;= 1, 1 &lt;= delay &lt; length, stepMs &gt;= 1 and that the last time fits a long. */
    public DelayedRecallTask {
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be >= 1, got " + keys);
        }
        if (delay < 1 || delay >= length) {
            throw new IllegalArgumentException("need 1 <= delay < length, got delay " + delay + ", length " + length);
        }
        if (stepMs < 1) {
            throw new IllegalArgumentException("stepMs must be >= 1, got " + stepMs);
        }
        Math.addExact(startMs, Math.multiplyExact(length - 1L, stepMs)); // ArithmeticException if not
    }

    /** The name of key number {@code k}: "seq-0000", "seq-0001", ... */
    public static String keyName(int k) {
        return String.format(Locale.ROOT, "seq-%04d", k);
    }

    /** Step {@code t} of key number {@code k}. */
    public SequenceStep step(int k, int t) {
        if (k < 0 || k >= keys || t < 0 || t >= length) {
            throw new IndexOutOfBoundsException("no step " + t + " of key " + k);
        }
        boolean cued = t >= delay;
        double[] input = {value(k, t), cued ? 1 : 0};
        double[] target = cued ? new double[] {value(k, t - delay)} : null;
        return new SequenceStep(keyName(k), t, startMs + t * stepMs, input, target, SequenceStep.NO_CLASS,
                t == length - 1);
    }

    /** Every step in time order: step t of all keys (keys in order) before step t + 1 of any key. */
    public List<SequenceStep> steps() {
        List<SequenceStep> all = new ArrayList<>(Math.multiplyExact(keys, length));
        for (int t = 0; t < length; t++) {
            for (int k = 0; k < keys; k++) {
                all.add(step(k, t));
            }
        }
        return all;
    }

    /** Writes {@link #steps()} to {@code file}, one CONTRACT.md §2 JSON object per line. */
    public void writeJsonl(Path file) throws IOException {
        StepJson.writeLines(file, steps());
    }

    /** x_t of key k: -1 or +1, from the SplitMix64 finalizer of (seed, k, t). */
    private double value(int k, int t) {
        long z = seed + 0x9E3779B97F4A7C15L * ((long) k * length + t + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return z < 0 ? -1.0 : 1.0;
    }
}
