package dev.bptt.flink;

import dev.bptt.model.StepRing;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The rings TbpttBackward holds in its own memory, by key, for at most {@code maxKeys} keys: a
 * held key's ring is pushed in place, and keyed state ({@link KeyedRing}) gets its newest steps
 * and head only when the operator writes the held rings back (at a snapshot, and before the end
 * of input reads keyed state). Each ring knows how much keyed state lacks of it: its newest
 * {@link Held#unwritten} steps and, when {@link Held#changed}, its head. Plain Java.
 */
final class HeldRings extends HeldByKey<HeldRings.Held> {

    /**
     * One held key's ring and what keyed state lacks of it. A closing window borrows the ring
     * itself instead of a copy ({@link #lend}): until the window has run ({@link #returned}) the
     * ring must not change, and whoever would change it first takes {@link #own}, which copies it
     * then (copy on write). With staleness 0 the window runs before its key's next step arrives,
     * so no ring is copied.
     */
    static final class Held {

        private StepRing ring;
        /** True while a closed window that has not run yet reads {@link #ring}. */
        private boolean lent;
        /** The newest steps not in keyed state yet, at most the ring's capacity. */
        int unwritten;
        /** True when keyed state's head is behind the ring (a push or a counted window since the last write-back). */
        boolean changed;

        Held(StepRing ring) {
            this.ring = ring;
        }

        /**
         * The ring to change or read, with the losses of a lent window counted: while the ring is
         * lent, a copy of it (into a ring from {@code blank}, of the same shape, whose contents no
         * one needs) that is the key's ring from now on.
         */
        StepRing own(Supplier<StepRing> blank) {
            if (lent) {
                StepRing copy = blank.get();
                ring.copyTo(copy);
                copy.pendingLoss = 0; // the lent window counts them
                ring = copy;
                lent = false;
            }
            return ring;
        }

        /**
         * A window closes on the ring: it borrows the ring, whose pending losses it counts.
         * Requires the ring owned ({@link #own}). Returns the ring for the window.
         */
        StepRing lend() {
            if (lent) {
                throw new IllegalStateException("the ring is lent already");
            }
            lent = true;
            changed = true;
            return ring;
        }

        /**
         * The window that borrowed {@code windowRing} has run (and counted its losses, so the
         * ring's pendingLoss is 0). Returns true when that was this key's ring, which is its own
         * again; false when the ring was copied meanwhile (or is another key's), and the window's
         * ring is nobody's.
         */
        boolean returned(StepRing windowRing) {
            if (!lent || windowRing != ring) {
                return false;
            }
            lent = false;
            return true;
        }

        /** A step was pushed to the ring. */
        void pushed() {
            unwritten = Math.min(unwritten + 1, ring.capacity);
            changed = true;
        }

        /** Keyed state now holds the whole ring. */
        void written() {
            unwritten = 0;
            changed = false;
        }
    }

    /** @param maxKeys the most keys held at once (0: none, every ring stays in keyed state) */
    HeldRings(int maxKeys) {
        super(maxKeys);
    }

    /**
     * Holds {@code ring} as the key's ring from now on; it must equal the key's ring in keyed state
     * (nothing unwritten). Requires {@link #hasRoom()} and the key not held.
     */
    Held hold(String key, StepRing ring) {
        Held held = new Held(ring);
        if (!add(key, held)) {
            throw new IllegalStateException("cannot hold the ring of " + key);
        }
        return held;
    }

    /** The held rings that keyed state is behind, with their keys. */
    List<Map.Entry<String, Held>> changed() {
        return where(h -> h.changed);
    }
}
