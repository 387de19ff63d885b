package dev.bptt.flink;

/**
 * Where a key's TBPTT ring stands (its slots are kept apart, {@link KeyedRing}): the slot the next
 * step writes, how many steps the ring holds and how many of the newest have losses no window has
 * counted yet. Immutable; a few bytes in keyed state.
 */
public record RingHead(int next, int size, int pendingLoss) {

    /** A ring that holds no step. */
    static final RingHead EMPTY = new RingHead(0, 0, 0);

    /** True when the next step overwrites the oldest of a ring of {@code capacity} slots. */
    boolean full(int capacity) {
        return size == capacity;
    }

    /** The head after one more step in a ring of {@code capacity} slots (as {@code StepRing.push} moves). */
    RingHead pushed(int capacity) {
        int held = Math.min(size + 1, capacity);
        return new RingHead((next + 1) % capacity, held, Math.min(pendingLoss + 1, held));
    }

    /** The head once a window has counted every pending loss. */
    RingHead counted() {
        return new RingHead(next, size, 0);
    }
}
