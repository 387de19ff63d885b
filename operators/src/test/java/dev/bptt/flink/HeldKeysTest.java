package dev.bptt.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bptt.steps.KeyProgress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Held keys: room for a fixed number, the held state array a copy, changed ones listed for the write-back. */
class HeldKeysTest {

    private static final KeyProgress P = new KeyProgress(3, 30, false);

    @Test
    void keysAreHeldWhileThereIsRoomAndLaterOnesGetAnEntryForOneAccess() {
        HeldKeys keys = new HeldKeys(1);
        HeldKeys.Entry a = keys.take("a", P, null);
        HeldKeys.Entry b = keys.take("b", P, null);

        assertThat(a.held).isTrue();
        assertThat(keys.get("a")).isSameAs(a);
        assertThat(b.held).as("no room").isFalse();
        assertThat(keys.get("b")).isNull();
        assertThat(keys.size()).isEqualTo(1);
        HeldKeys roomy = new HeldKeys(2);
        roomy.take("a", P, null);
        assertThatThrownBy(() -> roomy.take("a", P, null)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aHeldKeyKeepsACopyOfTheStoredStateArray() {
        double[] stored = {1, 2};
        HeldKeys.Entry e = new HeldKeys(4).take("a", P, stored);

        e.state[0] = 9;

        assertThat(stored).as("a snapshot may still read the stored array").containsExactly(1, 2);
        assertThat(new HeldKeys(0).take("a", P, stored).state).as("not held: the array itself").isSameAs(stored);
    }

    @Test
    void theChangedHeldKeysAreListedUntilWrittenAndADroppedOneIsHeldNoMore() {
        HeldKeys keys = new HeldKeys(4);
        HeldKeys.Entry a = keys.take("a", P, null);
        HeldKeys.Entry b = keys.take("b", null, new double[] {1});
        assertThat(keys.changed()).isEmpty();

        a.progressChanged = true;
        b.stateChanged = true;
        assertThat(keys.changed()).extracting(Map.Entry::getKey).containsExactlyInAnyOrder("a", "b");
        a.written();
        assertThat(keys.changed()).extracting(Map.Entry::getKey).containsExactly("b");

        keys.drop("b");
        assertThat(b.held).isFalse();
        assertThat(keys.changed()).isEmpty();
        assertThat(keys.take("b", null, null)).as("room again").isNotSameAs(b);
        assertThat(new HeldKeys.Entry(null, null, true).empty()).isTrue();
        assertThat(a.empty()).isFalse();
    }
}
