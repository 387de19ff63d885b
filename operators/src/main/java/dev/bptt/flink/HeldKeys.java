package dev.bptt.flink;

import dev.bptt.steps.KeyProgress;
import java.util.List;
import java.util.Map;

/**
 * ForwardStep's per-key values held in its own memory, by key, for at most {@code maxKeys} keys:
 * the order progress and s_{t-1}, read from keyed state once and then changed in place; keyed
 * state gets the changed ones only when the operator writes them back (at a snapshot). A key
 * beyond the room gets an entry for one access, which the operator writes through at once. Plain
 * Java.
 */
final class HeldKeys extends HeldByKey<HeldKeys.Entry> {

    /** One key's progress and state (null: none), and which of them keyed state lacks. */
    static final class Entry {

        /** The last step accepted, or null. */
        KeyProgress progress;
        /** s_{t-1}, or null (before the key's first step, after its last). */
        double[] state;
        boolean progressChanged;
        boolean stateChanged;
        /** True while held ({@link #take}); false: an entry for one access, or one let go, written through. */
        boolean held;

        Entry(KeyProgress progress, double[] state, boolean held) {
            this.progress = progress;
            this.state = state;
            this.held = held;
        }

        /** The key has neither progress nor state: keyed state is to hold nothing of it. */
        boolean empty() {
            return progress == null && state == null;
        }

        /** Keyed state now holds both values. */
        void written() {
            progressChanged = false;
            stateChanged = false;
        }
    }

    /** @param maxKeys the most keys held at once (0: none, every access goes to keyed state) */
    HeldKeys(int maxKeys) {
        super(maxKeys);
    }

    /**
     * The key's values as read from keyed state: held from now on while there is room (with a copy
     * of {@code state}: a held array changes in place, and the stored one may still be read by a
     * snapshot that began; both values must have been read), else an entry for one access (which
     * may carry only the value that access reads). Requires the key not held.
     */
    Entry take(String key, KeyProgress progress, double[] state) {
        if (!hasRoom()) {
            return new Entry(progress, state, false);
        }
        Entry e = new Entry(progress, state == null ? null : state.clone(), true);
        if (!add(key, e)) {
            throw new IllegalStateException("the key " + key + " is held already");
        }
        return e;
    }

    /** The key is no longer held: its entry, if any, is written through from now on. */
    @Override
    Entry drop(String key) {
        Entry e = super.drop(key);
        if (e != null) {
            e.held = false;
        }
        return e;
    }

    /** The held entries keyed state is behind, with their keys. */
    List<Map.Entry<String, Entry>> changed() {
        return where(e -> e.progressChanged || e.stateChanged);
    }
}
