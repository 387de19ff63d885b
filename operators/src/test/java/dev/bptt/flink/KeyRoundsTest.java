package dev.bptt.flink;

import static dev.bptt.flink.HarnessFixtures.step;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A bucket's items split into rounds that hold each key once and keep every key's order. */
class KeyRoundsTest {

    @Test
    void roundRHoldsTheRthItemOfEveryKeyInArrivalOrder() {
        List<PendingStep> bucket = List.of(item("b", 0), item("a", 0), item("a", 1), item("b", 1), item("b", 2),
                item("c", 0), PendingStep.expiry(1, "c", 190), item("a", 2));

        List<List<PendingStep>> rounds = KeyRounds.of(bucket);

        assertThat(rounds).extracting(round -> round.stream().map(KeyRoundsTest::name).toList()).containsExactly(
                List.of("b0", "a0", "c0"), List.of("a1", "b1", "c-expiry"), List.of("b2", "a2"));
    }

    @Test
    void anEmptyBucketHasNoRounds() {
        assertThat(KeyRounds.of(List.of())).isEmpty();
    }

    private static PendingStep item(String key, long step) {
        return PendingStep.of(1, step(key, step, 100 + step));
    }

    private static String name(PendingStep p) {
        return p.step() == null ? p.key() + "-expiry" : p.key() + p.step().step();
    }
}
