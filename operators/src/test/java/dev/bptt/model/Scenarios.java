package dev.bptt.model;

import dev.bptt.steps.SequenceStep;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Test inputs with the awkward cases of the contract, generated from a seed. */
final class Scenarios {

    private Scenarios() {}

    /**
     * Several keys interleaved at random: key "long" runs 11 steps; "restart" ends with
     * {@code last} at step 4 and starts again for 6 more; "one" has a single step; "short" has
     * 2 steps; about one step in four has no target.
     */
    static List<SequenceStep> mixed(ModelShape shape, Loss loss, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<List<SequenceStep>> perKey = new ArrayList<>();
        perKey.add(sequence("long", 11, false, shape, loss, random));
        List<SequenceStep> restart = new ArrayList<>(sequence("restart", 5, true, shape, loss, random));
        restart.addAll(sequence("restart", 6, false, shape, loss, random));
        perKey.add(restart);
        perKey.add(sequence("one", 1, false, shape, loss, random));
        perKey.add(sequence("short", 2, false, shape, loss, random));
        return interleave(perKey, random);
    }

    /** One key's steps 0..length-1; the last one flagged {@code last} when asked. */
    static List<SequenceStep> sequence(
            String key, int length, boolean endWithLast, ModelShape shape, Loss loss, SplittableRandom random) {
        List<SequenceStep> steps = new ArrayList<>();
        for (int t = 0; t < length; t++) {
            double[] x = new double[shape.inputSize()];
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextDouble(-1.5, 1.5);
            }
            boolean hasTarget = t == length - 1 || random.nextInt(4) != 0;
            double[] target = null;
            int cls = SequenceStep.NO_CLASS;
            if (hasTarget && loss == Loss.MSE) {
                target = new double[shape.outputSize()];
                for (int j = 0; j < target.length; j++) {
                    target[j] = random.nextDouble(-1, 1);
                }
            } else if (hasTarget) {
                cls = random.nextInt(shape.outputSize());
            }
            steps.add(new SequenceStep(key, t, 1000L * t, x, target, cls, endWithLast && t == length - 1));
        }
        return steps;
    }

    /** Merges per-key lists in a random order that keeps each key's own order. */
    static List<SequenceStep> interleave(List<List<SequenceStep>> perKey, SplittableRandom random) {
        List<SequenceStep> out = new ArrayList<>();
        int[] next = new int[perKey.size()];
        int remaining = perKey.stream().mapToInt(List::size).sum();
        while (remaining > 0) {
            int k = random.nextInt(perKey.size());
            if (next[k] < perKey.get(k).size()) {
                out.add(perKey.get(k).get(next[k]++));
                remaining--;
            }
        }
        return out;
    }
}
