package dev.bptt.flink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What an operator holds in its own memory by key, ahead of keyed state, for at most
 * {@code maxKeys} keys ({@link HeldKeys}, {@link HeldRings}): the bound, the lookup, and the held
 * values that keyed state is behind. Plain Java.
 */
abstract class HeldByKey<V> {

    private final Map<String, V> byKey = new HashMap<>();
    private final int maxKeys;

    /** @param maxKeys the most keys held at once (0: none, every access goes to keyed state) */
    HeldByKey(int maxKeys) {
        if (maxKeys < 0) {
            throw new IllegalArgumentException("maxKeys must be >= 0, got " + maxKeys);
        }
        this.maxKeys = maxKeys;
    }

    /** The key's held value, or null when the key is not held. */
    final V get(String key) {
        return byKey.get(key);
    }

    /** True when one more key can be held. */
    final boolean hasRoom() {
        return byKey.size() < maxKeys;
    }

    /** Holds {@code value} for {@code key}; false, holding nothing, when there is no room or the key is held already. */
    final boolean add(String key, V value) {
        if (!hasRoom()) {
            return false;
        }
        return byKey.putIfAbsent(key, value) == null;
    }

    /** The key is held no more; returns what was held, or null. */
    V drop(String key) {
        return byKey.remove(key);
    }

    /** The held values for which {@code behind} is true (keyed state lacks something of them), with their keys. */
    final List<Map.Entry<String, V>> where(Predicate<V> behind) {
        List<Map.Entry<String, V>> out = new ArrayList<>();
        for (Map.Entry<String, V> e : byKey.entrySet()) {
            if (behind.test(e.getValue())) {
                out.add(e);
            }
        }
        return out;
    }

    /** Holds nothing any more (keyed state must have been brought up to date). */
    final void clear() {
        byKey.clear();
    }

    /** Keys held. */
    final int size() {
        return byKey.size();
    }
}
