package dev.bptt.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link SequenceStep} invariants and content-based equality. */
class SequenceStepTest {

    private static SequenceStep of(double[] input, double[] target, int targetClass) {
        return new SequenceStep("k", 2, 5, input, target, targetClass, false);
    }

    @Test
    void equalityAndHashUseArrayContents() {
        SequenceStep a = of(new double[] {1, 2}, new double[] {3}, SequenceStep.NO_CLASS);
        SequenceStep b = of(new double[] {1, 2}, new double[] {3}, SequenceStep.NO_CLASS);

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(of(new double[] {1, 2.5}, new double[] {3}, SequenceStep.NO_CLASS));
        assertThat(a).isNotEqualTo(of(new double[] {1, 2}, new double[] {4}, SequenceStep.NO_CLASS));
        assertThat(a).isNotEqualTo(of(new double[] {1, 2}, null, SequenceStep.NO_CLASS));
        assertThat(a).isNotEqualTo(new SequenceStep("k", 2, 5, new double[] {1, 2}, new double[] {3}, -1, true));
        assertThat(a).isNotEqualTo(null).isNotEqualTo("k");
    }

    @Test
    void toStringShowsArrayContents() {
        assertThat(of(new double[] {1, -2.5}, new double[] {0.5}, SequenceStep.NO_CLASS).toString())
                .isEqualTo("SequenceStep[key=k, step=2, time=5, input=[1.0, -2.5], target=[0.5], targetClass=-1,"
                        + " last=false]");
        assertThat(new SequenceStep("k", 0, SequenceStep.NO_TIME, new double[] {1}, null, 2, true).toString())
                .isEqualTo("SequenceStep[key=k, step=0, time=none, input=[1.0], target=null, targetClass=2, last=true]");
    }

    @Test
    void aStepHasATargetWhenEitherFormIsSet() {
        assertThat(of(new double[] {1}, new double[] {0}, SequenceStep.NO_CLASS).hasTarget()).isTrue();
        assertThat(of(new double[] {1}, null, 0).hasTarget()).isTrue();
        assertThat(of(new double[] {1}, null, SequenceStep.NO_CLASS).hasTarget()).isFalse();
    }

    @Test
    void aStepHasATimeUnlessItIsNoTime() {
        assertThat(SequenceStep.NO_TIME).isEqualTo(Long.MIN_VALUE);
        assertThat(SequenceStep.NO_CLASS).isEqualTo(-1);
        assertThat(of(new double[] {1}, null, -1).hasTime()).isTrue();
        assertThat(new SequenceStep("k", 0, SequenceStep.NO_TIME, new double[] {1}, null, -1, false).hasTime()).isFalse();
    }

    @Test
    void bothTargetFormsAtOnceAreRejected() {
        assertThatThrownBy(() -> of(new double[] {1}, new double[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not both");
    }

    @Test
    void negativeStepsAndClassesBelowNoClassAreRejected() {
        assertThatThrownBy(() -> new SequenceStep("k", -1, 0, new double[] {1}, null, -1, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("step must be >= 0, got -1");
        assertThatThrownBy(() -> of(new double[] {1}, null, -2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keyAndInputAreRequired() {
        assertThatThrownBy(() -> new SequenceStep(null, 0, 0, new double[] {1}, null, -1, false))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("key");
        assertThatThrownBy(() -> of(null, null, -1)).isInstanceOf(NullPointerException.class).hasMessage("input");
    }
}
