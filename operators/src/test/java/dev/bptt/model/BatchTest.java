package dev.bptt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The batched forward step and window backward, and TbpttWindow, against the per-key step-by-step
 * path ({@link SequenceForward}, {@link StepwiseWindow}): states, predictions, losses and
 * parameter gradients to 1e-12; and a key's numbers independent of the rest of its batch.
 */
class BatchTest {

    static Stream<Arguments> shapes() {
        List<Arguments> out = new ArrayList<>();
        for (CellKind cell : CellKind.values()) {
            out.add(Arguments.of(new ModelShape(cell, 3, 5, 2), 7, Loss.MSE));
            out.add(Arguments.of(new ModelShape(cell, 16, 64, 4), 9, Loss.XENT));
            out.add(Arguments.of(new ModelShape(cell, 9, 33, 3), 1, Loss.MSE));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} keys={1}")
    @MethodSource("shapes")
    void batchForwardEqualsSequenceForward(ModelShape shape, int keys, Loss loss) {
        SplittableRandom random = new SplittableRandom(17);
        Parameters w = ParameterInit.uniform(shape, 3);
        int in = shape.inputSize();
        int st = shape.stateSize();
        int out = shape.outputSize();
        BatchForward batch = new BatchForward(shape, keys + 2);
        SequenceForward single = new SequenceForward(shape);
        double[] states = new double[keys * st];
        double[] predictions = new double[keys * out];
        double[][] keyStates = new double[keys][st];
        double[] keyPrediction = new double[out];
        for (int t = 0; t < 12; t++) {
            double[] inputs = uniform(random, keys * in, 2.0);
            batch.step(w, inputs, states, predictions, keys);
            for (int b = 0; b < keys; b++) {
                single.step(w, Arrays.copyOfRange(inputs, b * in, (b + 1) * in), keyStates[b], keyPrediction);
                assertClose(Arrays.copyOfRange(states, b * st, (b + 1) * st), keyStates[b], "t " + t + " key " + b);
                assertClose(Arrays.copyOfRange(predictions, b * out, (b + 1) * out), keyPrediction, "prediction");
            }
        }
    }

    @ParameterizedTest(name = "{0} keys={1}")
    @MethodSource("shapes")
    void aKeysNumbersDoNotDependOnTheRestOfTheBatch(ModelShape shape, int keys, Loss loss) {
        SplittableRandom random = new SplittableRandom(5);
        Parameters w = ParameterInit.uniform(shape, 8);
        int in = shape.inputSize();
        int st = shape.stateSize();
        int out = shape.outputSize();
        int wide = keys + 11;
        double[] inputs = uniform(random, wide * in, 2.0);
        double[] states = uniform(random, wide * st, 0.9);
        int from = wide - keys;
        double[] ownInputs = Arrays.copyOfRange(inputs, from * in, wide * in);
        double[] ownStates = Arrays.copyOfRange(states, from * st, wide * st);
        double[] predictions = new double[wide * out];
        double[] ownPredictions = new double[keys * out];

        new BatchForward(shape, wide).step(w, inputs, states, predictions, wide);
        new BatchForward(shape, keys).step(w, ownInputs, ownStates, ownPredictions, keys);

        assertThat(ownStates).isEqualTo(Arrays.copyOfRange(states, from * st, wide * st));
        assertThat(ownPredictions).isEqualTo(Arrays.copyOfRange(predictions, from * out, wide * out));
    }

    @ParameterizedTest(name = "{0} keys={1} {2}")
    @MethodSource("shapes")
    void batchBackwardEqualsPerKeyWindows(ModelShape shape, int keys, Loss loss) {
        SplittableRandom random = new SplittableRandom(29);
        Parameters w1 = ParameterInit.uniform(shape, 4);
        Parameters w2 = ParameterInit.uniform(shape, 5);
        int k1 = 4;
        int k2 = 7;
        StepRing[] rings = new StepRing[keys];
        StepRing[] copies = new StepRing[keys];
        StepRing[] perKey = new StepRing[keys];
        SequenceForward forward = new SequenceForward(shape);
        for (int b = 0; b < keys; b++) {
            rings[b] = StepRing.forShape(shape, k2);
            double[] state = new double[shape.stateSize()];
            for (int t = 0; t < 10; t++) {
                double[] x = uniform(random, shape.inputSize(), 1.5);
                int roll = random.nextInt(4);
                double[] target = loss == Loss.MSE && roll > 0 ? uniform(random, shape.outputSize(), 1.0) : null;
                int targetClass = roll == 0 ? StepRing.NO_TARGET : random.nextInt(shape.outputSize());
                long version = t < 6 ? 1 : 2;
                rings[b].push(x, 0, state, 0, target, 0, targetClass, version);
                forward.step(version == 1 ? w1 : w2, x, state, null);
            }
            rings[b].pendingLoss = k1;
            copies[b] = rings[b].copy();
            perKey[b] = rings[b].copy();
        }
        java.util.function.LongFunction<Parameters> versions = v -> v == 1 ? w1 : w2;

        Parameters expected = w1.zerosLike();
        StepwiseWindow window = new StepwiseWindow(shape, loss);
        double[] expectedLoss = new double[keys];
        int[] expectedTerms = new int[keys];
        for (int b = 0; b < keys; b++) {
            WindowLoss wl = window.backward(copies[b], versions, expected);
            expectedLoss[b] = wl.sum();
            expectedTerms[b] = wl.terms();
        }

        Parameters windows = w1.zerosLike();
        TbpttWindow tbptt = new TbpttWindow(shape, loss);
        for (int b = 0; b < keys; b++) {
            WindowLoss wl = tbptt.backward(perKey[b], versions, windows);
            assertThat(Math.abs(wl.sum() - expectedLoss[b])).isLessThanOrEqualTo(1e-12 * Math.abs(expectedLoss[b]));
            assertThat(wl.terms()).isEqualTo(expectedTerms[b]);
        }
        assertGradientsClose(windows, expected);

        StepRing[] rowRings = new StepRing[keys];
        for (int b = 0; b < keys; b++) {
            rowRings[b] = rings[b].copy();
        }
        Parameters rows = w1.zerosLike();
        double[] rowLoss = new double[keys];
        int[] rowTerms = new int[keys];
        new RowBackward(shape, loss, k2, keys).backward(rowRings, keys, versions, rows, rowLoss, rowTerms);
        assertClose(rowLoss, expectedLoss, "row losses");
        assertThat(rowTerms).isEqualTo(expectedTerms);
        assertGradientsClose(rows, expected);

        Parameters actual = w1.zerosLike();
        double[] lossSums = new double[keys];
        int[] lossTerms = new int[keys];
        new BatchBackward(shape, loss, keys + 1).backward(rings, keys, versions, actual, lossSums, lossTerms);
        assertClose(lossSums, expectedLoss, "window losses");
        assertThat(lossTerms).isEqualTo(expectedTerms);
        assertGradientsClose(actual, expected);
        for (StepRing ring : rings) {
            assertThat(ring.pendingLoss).isZero();
        }
    }

    /**
     * The forward pass keeps each step's activations in the ring; the backward pass takes them
     * instead of recomputing the step. The keys ran forward in two batches of other sizes and
     * lanes than the backward's, and under two parameter versions; still the losses and the
     * gradient are those of the recompute bit for bit, and a ring missing one step's activations
     * recomputes that step. Spoiling a kept value changes the gradient: they are used.
     */
    @ParameterizedTest(name = "{0} keys={1} {2}")
    @MethodSource("shapes")
    void keptActivationsGiveTheRecomputedWindowBitForBit(ModelShape shape, int keys, Loss loss) {
        SplittableRandom random = new SplittableRandom(41);
        Parameters w1 = ParameterInit.uniform(shape, 6);
        Parameters w2 = ParameterInit.uniform(shape, 7);
        int in = shape.inputSize();
        int st = shape.stateSize();
        int k2 = 6;
        int firstGroup = (keys + 1) / 2;
        BatchForward[] groups = {new BatchForward(shape, firstGroup + 3), new BatchForward(shape, keys)};
        int a = groups[0].activationSize();
        StepRing[] kept = new StepRing[keys];
        StepRing[] bare = new StepRing[keys];
        for (int b = 0; b < keys; b++) {
            kept[b] = StepRing.forShape(shape, k2);
            bare[b] = StepRing.forShape(shape, k2);
        }
        double[] states = uniform(random, keys * st, 0.5);
        double[] acts = new double[keys * a];
        for (int t = 0; t < 9; t++) {
            long version = t < 5 ? 1 : 2;
            double[] inputs = uniform(random, keys * in, 1.5);
            double[] targets = uniform(random, keys * shape.outputSize(), 1.0);
            for (int b = 0; b < keys; b++) {
                int targetClass = loss == Loss.MSE ? StepRing.NO_TARGET : random.nextInt(shape.outputSize());
                double[] target = loss == Loss.MSE ? targets : null;
                int off = b * shape.outputSize();
                kept[b].push(inputs, b * in, states, b * st, target, off, targetClass, version);
                bare[b].push(inputs, b * in, states, b * st, target, off, targetClass, version);
            }
            for (int g = 0; g < 2; g++) {
                int from = g == 0 ? 0 : firstGroup;
                int n = g == 0 ? firstGroup : keys - firstGroup;
                if (n == 0) {
                    continue;
                }
                double[] groupInputs = Arrays.copyOfRange(inputs, from * in, (from + n) * in);
                double[] groupStates = Arrays.copyOfRange(states, from * st, (from + n) * st);
                groups[g].step(version == 1 ? w1 : w2, groupInputs, groupStates, null, n);
                System.arraycopy(groupStates, 0, states, from * st, n * st);
                if (a > 0) {
                    groups[g].activations(acts, from * a, a, n);
                }
            }
            for (int b = 0; b < keys && a > 0; b++) {
                kept[b].keepActivations(kept[b].slot(kept[b].size - 1), acts, b * a, a);
            }
        }
        if (a > 0) {
            assertThat(kept[0].hasActivations(kept[0].slot(2), a)).isTrue();
            StepRing last = kept[keys - 1];
            int slot = last.slot(2);
            last.write(slot, last.inputs, slot * in, last.states, slot * st, null, 0, last.targetClasses[slot],
                    last.versions[slot]);
            assertThat(last.hasActivations(slot, a)).isFalse();
            assertThat(last).isEqualTo(bare[keys - 1]);
        }
        StepRing[] spoiled = new StepRing[keys];
        for (int b = 0; b < keys; b++) {
            kept[b].pendingLoss = 4;
            bare[b].pendingLoss = 4;
            spoiled[b] = kept[b].copy();
        }
        java.util.function.LongFunction<Parameters> versions = v -> v == 1 ? w1 : w2;

        Parameters recomputed = w1.zerosLike();
        double[] recomputedLoss = new double[keys];
        int[] recomputedTerms = new int[keys];
        new BatchBackward(shape, loss, keys + 2).backward(bare, keys, versions, recomputed, recomputedLoss,
                recomputedTerms);
        Parameters fromKept = w1.zerosLike();
        double[] keptLoss = new double[keys];
        int[] keptTerms = new int[keys];
        new BatchBackward(shape, loss, keys).backward(kept, keys, versions, fromKept, keptLoss, keptTerms);

        assertThat(keptLoss).isEqualTo(recomputedLoss);
        assertThat(keptTerms).isEqualTo(recomputedTerms);
        assertThat(fromKept.toFlat()).isEqualTo(recomputed.toFlat());
        if (a > 0) {
            spoiled[0].activations[spoiled[0].slot(1) * a] += 1e-3;
            Parameters fromSpoiled = w1.zerosLike();
            new BatchBackward(shape, loss, keys).backward(spoiled, keys, versions, fromSpoiled, new double[keys],
                    new int[keys]);
            assertThat(fromSpoiled.toFlat()).isNotEqualTo(recomputed.toFlat());
        }
    }

    /** Equal to 1e-12 relative, or 1e-15 of the largest entry for entries near zero. */
    private static void assertGradientsClose(Parameters actual, Parameters expected) {
        double[] e = expected.toFlat();
        double[] a = actual.toFlat();
        double scale = 0;
        for (double v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int p = 0; p < e.length; p++) {
            assertThat(Math.abs(a[p] - e[p])).as("parameter %d: batch %s vs per key %s", p, a[p], e[p])
                    .isLessThanOrEqualTo(1e-12 * Math.max(Math.abs(e[p]), 1e-3 * scale));
        }
    }

    @ParameterizedTest(name = "features={0} keys={1}")
    @org.junit.jupiter.params.provider.CsvSource({"1,1", "5,7", "8,8", "16,9", "33,17", "128,64", "13,65"})
    void laneTransposesMoveEveryEntryToItsPlace(int features, int keys) {
        int off = 3;
        int stride = features + 2;
        double[] keyMajor = uniform(new SplittableRandom(features * 100 + keys), off + keys * stride, 1.0);
        double[] lanes = new double[features * keys];
        BatchForward.toLanes(keyMajor, off, stride, features, keys, lanes);
        for (int f = 0; f < features; f++) {
            for (int b = 0; b < keys; b++) {
                assertThat(lanes[f * keys + b]).as("feature %d key %d", f, b).isEqualTo(keyMajor[off + b * stride + f]);
            }
        }
        double[] back = new double[keyMajor.length];
        Arrays.fill(back, -7.0);
        BatchForward.fromLanes(lanes, features, keys, back, off, stride);
        for (int i = 0; i < back.length; i++) {
            int b = (i - off) / stride;
            boolean entry = i >= off && (i - off) % stride < features;
            assertThat(back[i]).as("index %d (key %d)", i, b).isEqualTo(entry ? keyMajor[i] : -7.0);
        }
    }

    @org.junit.jupiter.api.Test
    void workspacesHaveRoomForWholeVectorsButTakeNoMoreKeysThanTheirCapacity() {
        int lanes = Kernels.lanes();
        for (int capacity = 1; capacity <= 70; capacity++) {
            int slots = LaneCell.slots(capacity);
            assertThat(slots % lanes).as("slots for %d keys", capacity).isZero();
            assertThat(slots).as("slots for %d keys", capacity).isBetween(capacity, capacity + lanes - 1);
        }
        ModelShape shape = new ModelShape(CellKind.LSTM, 2, 3, 1);
        Parameters w = ParameterInit.uniform(shape, 1);
        int capacity = lanes + 1; // room for 2 * lanes keys, yet lanes + 2 are refused
        assertThatThrownBy(() -> new BatchForward(shape, capacity).step(w, new double[2 * (capacity + 1)],
                new double[6 * (capacity + 1)], null, capacity + 1)).hasMessageContaining("capacity is " + capacity);
    }

    @org.junit.jupiter.api.Test
    void misalignedRingsAreRejected() {
        ModelShape shape = new ModelShape(CellKind.GRU, 2, 3, 1);
        StepRing a = StepRing.forShape(shape, 4);
        StepRing b = StepRing.forShape(shape, 4);
        double[] x = {1, 2};
        double[] s = new double[3];
        a.push(x, 0, s, 0, null, StepRing.NO_TARGET, StepRing.NO_TARGET, 1);
        b.push(x, 0, s, 0, null, StepRing.NO_TARGET, StepRing.NO_TARGET, 2);
        Parameters w = ParameterInit.uniform(shape, 1);
        BatchBackward backward = new BatchBackward(shape, Loss.MSE, 2);
        assertThatThrownBy(() -> backward.backward(new StepRing[] {a, b}, 2, v -> w, w.zerosLike(), new double[2],
                new int[2])).hasMessageContaining("different parameter versions");
        assertThatThrownBy(() -> new BatchForward(shape, 2).step(w, new double[6], new double[9], null, 3))
                .hasMessageContaining("capacity is 2");
    }

    private static void assertClose(double[] actual, double[] expected, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("%s [%d]: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(1e-12 * Math.max(1.0, Math.abs(expected[i])));
        }
    }

    private static double[] uniform(SplittableRandom random, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextDouble(-scale, scale);
        }
        return v;
    }
}
