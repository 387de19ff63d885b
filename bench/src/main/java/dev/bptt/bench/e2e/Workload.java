package dev.bptt.bench.e2e;

import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's input, the same for the job, the plain loop and (in shape) PyTorch: {@code keys}
 * sequences of {@code stepsPerKey} steps, input I and an mse target of O numbers at every step,
 * each number uniform in [-1, 1) from a hash of (seed, key, step, index), so any record can be made
 * on its own. All keys share one clock: step t has event time {@code t * STEP_MS}; a bucket of
 * {@code n * STEP_MS} holds n steps of every key.
 *
 * <p>Record order (generator and file alike): record i is step {@code i / keys} of key
 * {@code i % keys}. No step is {@code last}: every window closes by the k1 rule (choose
 * {@code stepsPerKey} a multiple of k1) and the keys stay in state, as long-lived sequences do.
 */
public record Workload(int keys, int stepsPerKey, int inputSize, int outputSize, long seed) implements Serializable {

    /** Event time between two steps of a key. */
    public static final long STEP_MS = 1000;

    public Workload {
        if (keys < 1 || stepsPerKey < 1 || inputSize < 1 || outputSize < 1) {
            throw new IllegalArgumentException("need keys, steps per key, input and output sizes >= 1, got "
                    + keys + ", " + stepsPerKey + ", " + inputSize + ", " + outputSize);
        }
    }

    /** All records. */
    public long records() {
        return (long) keys * stepsPerKey;
    }

    /** The name of key k. */
    public static String keyName(int k) {
        return String.format(Locale.ROOT, "k%06d", k);
    }

    /**
     * The first keys' names, made once per JVM: String.format cost the generator about a
     * microsecond a record, on the cores the job runs on.
     */
    private static final class KeyNames {
        private static final String[] FIRST = new String[100_000];

        static {
            for (int k = 0; k < FIRST.length; k++) {
                FIRST[k] = keyName(k);
            }
        }

        static String name(int k) {
            return k < FIRST.length ? FIRST[k] : keyName(k);
        }
    }

    /** Record number {@code index} in input order. */
    public SequenceStep step(long index) {
        int k = (int) (index % keys);
        int t = (int) (index / keys);
        double[] x = new double[inputSize];
        double[] y = new double[outputSize];
        for (int i = 0; i < inputSize; i++) {
            x[i] = uniform(k, t, i);
        }
        for (int j = 0; j < outputSize; j++) {
            y[j] = uniform(k, t, inputSize + j);
        }
        return new SequenceStep(KeyNames.name(k), t, t * STEP_MS, x, y, SequenceStep.NO_CLASS, false);
    }

    /** Record {@code index} as a CONTRACT.md §2 line. */
    public String line(long index) {
        return StepJson.write(step(index));
    }

    /** The step number of record {@code index}. */
    public long stepOf(long index) {
        return index / keys;
    }

    /** Every record in input order (for the plain loop). */
    public List<SequenceStep> steps() {
        List<SequenceStep> all = new ArrayList<>(Math.toIntExact(records()));
        for (long i = 0; i < records(); i++) {
            all.add(step(i));
        }
        return all;
    }

    /** The records of keys {@code [from, to)} in input order. */
    public List<SequenceStep> steps(int from, int to) {
        List<SequenceStep> part = new ArrayList<>(Math.multiplyExact(to - from, stepsPerKey));
        for (int t = 0; t < stepsPerKey; t++) {
            for (int k = from; k < to; k++) {
                part.add(step((long) t * keys + k));
            }
        }
        return part;
    }

    /** Writes every record to {@code file}, one JSON object per line. */
    public void writeJsonl(Path file) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (long i = 0; i < records(); i++) {
                out.write(line(i));
                out.write('\n');
            }
        }
    }

    /** Number {@code i} of (k, t): uniform in [-1, 1), from the SplitMix64 finalizer. */
    private double uniform(int k, int t, int i) {
        long z = seed + 0x9E3779B97F4A7C15L * ((((long) k * stepsPerKey + t) << 8) + i + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-52 - 1.0;
    }
}
