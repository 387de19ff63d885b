package dev.bptt.flink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits the items one bucket releases (in arrival order) into rounds that hold each key at most
 * once, so that a round can run as one batch: round r holds the r-th item of every key that has
 * that many, keys in order of their first item. A key's items keep their order across rounds (a
 * key's steps are sequential: step t needs s_{t-1}). Plain Java.
 */
final class KeyRounds {

    private KeyRounds() {}

    static List<List<PendingStep>> of(List<PendingStep> bucket) {
        Map<String, ArrayDeque<PendingStep>> byKey = new LinkedHashMap<>();
        for (PendingStep pending : bucket) {
            byKey.computeIfAbsent(pending.key(), k -> new ArrayDeque<>()).add(pending);
        }
        List<List<PendingStep>> rounds = new ArrayList<>();
        while (!byKey.isEmpty()) {
            List<PendingStep> round = new ArrayList<>(byKey.size());
            for (Iterator<ArrayDeque<PendingStep>> keys = byKey.values().iterator(); keys.hasNext(); ) {
                ArrayDeque<PendingStep> items = keys.next();
                round.add(items.poll());
                if (items.isEmpty()) {
                    keys.remove();
                }
            }
            rounds.add(round);
        }
        return rounds;
    }
}
