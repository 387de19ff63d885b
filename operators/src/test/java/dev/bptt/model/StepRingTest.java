package dev.bptt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A ring copied into a reused ring (a closing window's copy in a spare ring) carries nothing of the spare's past. */
class StepRingTest {

    private static final int A = 3;

    /** A ring of capacity 3 (input 2, state 2, output 1) after {@code steps} pushes, each keeping activations if asked. */
    private static StepRing ring(int steps, double base, boolean activations) {
        StepRing r = new StepRing(3, 2, 2, 1);
        for (int t = 0; t < steps; t++) {
            double v = base + t;
            int slot = r.push(new double[] {v, -v}, 0, new double[] {v / 2, v / 4}, 0,
                    t % 2 == 0 ? new double[] {v * 3} : null, 0, t % 2 == 0 ? StepRing.NO_TARGET : 0, 10 + t);
            if (activations) {
                r.keepActivations(slot, new double[] {v, v + 1, v + 2}, 0, A);
            }
        }
        return r;
    }

    @Test
    void copyToAReusedRingGivesAnEqualIndependentRingWithItsActivations() {
        StepRing source = ring(4, 1.0, true);
        StepRing spare = ring(2, 100.0, true);

        source.copyTo(spare);

        assertThat(spare).isEqualTo(source);
        assertThat(spare.activations).containsExactly(source.activations);
        for (int slot = 0; slot < 3; slot++) {
            assertThat(spare.hasActivations(slot, A)).isEqualTo(source.hasActivations(slot, A));
        }
        source.push(new double[] {9, 9}, 0, new double[] {9, 9}, 0, null, 0, 1, 99);
        assertThat(spare).as("the copy does not follow the source").isNotEqualTo(source);
        assertThat(spare.versions).containsExactly(13, 11, 12);
    }

    @Test
    void copyToFromARingWithoutActivationsLeavesNoneOfTheSparesKept() {
        StepRing source = ring(3, 1.0, false);
        StepRing spare = ring(3, 100.0, true);

        source.copyTo(spare);

        assertThat(spare).isEqualTo(source);
        for (int slot = 0; slot < 3; slot++) {
            assertThat(spare.hasActivations(slot, A)).as("slot %d", slot).isFalse();
        }
    }

    @Test
    void copyToARingOfAnotherShapeIsRefused() {
        assertThatThrownBy(() -> ring(1, 0, false).copyTo(new StepRing(4, 2, 2, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
