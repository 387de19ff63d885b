package dev.bptt.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bptt.model.StepRing;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A held ring lent to a closing window: the window reads the ring itself, a change before the
 * window ran copies it first (copy on write), and a window that ran first gives it back uncopied.
 */
class HeldRingsTest {

    /** A blank ring for a copy must not be asked for. */
    private static final Supplier<StepRing> NO_COPY = () -> {
        throw new AssertionError("copied a ring that was not lent");
    };

    /** A ring of capacity 3 (input 1, state 1, output 1) after {@code steps} pushes with targets. */
    private static StepRing ring(int steps) {
        StepRing r = new StepRing(3, 1, 1, 1);
        for (int t = 0; t < steps; t++) {
            r.push(new double[] {t}, 0, new double[] {-t}, 0, new double[] {2 * t}, 0, StepRing.NO_TARGET, 7);
        }
        return r;
    }

    private static void push(StepRing r, double v) {
        r.push(new double[] {v}, 0, new double[] {-v}, 0, new double[] {2 * v}, 0, StepRing.NO_TARGET, 8);
    }

    @Test
    void aWindowBorrowsTheRingItselfAndAChangeBeforeItRanCopiesItFirst() {
        HeldRings.Held h = new HeldRings(1).hold("a", ring(2));
        StepRing own = h.own(NO_COPY);
        StepRing lent = h.lend();
        assertThat(lent).isSameAs(own);
        StepRing asClosed = ring(2);
        assertThat(lent).isEqualTo(asClosed);

        StepRing blank = ring(3);
        StepRing next = h.own(() -> blank);
        push(next, 9);

        assertThat(next).as("the key's ring from now on: the copy").isSameAs(blank);
        assertThat(lent).as("the window's ring is left as it closed").isEqualTo(asClosed);
        assertThat(next.pendingLoss).as("the lent window counts the losses it closed on").isEqualTo(1);
        assertThat(h.returned(lent)).as("a ring copied meanwhile is nobody's after its window").isFalse();
        assertThat(h.own(NO_COPY)).isSameAs(next);
    }

    @Test
    void aWindowThatRanBeforeTheNextChangeGivesTheRingBackUncopied() {
        HeldRings.Held h = new HeldRings(1).hold("a", ring(2));
        StepRing lent = h.lend();
        lent.pendingLoss = 0; // the window's backward pass counted them

        assertThat(h.returned(lent)).isTrue();
        StepRing own = h.own(NO_COPY);
        assertThat(own).isSameAs(lent);
        push(own, 9);
        assertThat(h.returned(own)).as("not lent any more").isFalse();
    }

    @Test
    void lendingMarksTheHeadChangedAndARingIsLentOnceAtATime() {
        HeldRings.Held h = new HeldRings(1).hold("a", ring(1));
        h.written();
        h.lend();
        assertThat(h.changed).as("the counted losses change the head in keyed state").isTrue();
        assertThatThrownBy(h::lend).isInstanceOf(IllegalStateException.class);
        assertThat(h.returned(ring(1))).as("another ring, equal or not, is not the one lent").isFalse();
    }
}
