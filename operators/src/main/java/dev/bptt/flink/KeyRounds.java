package dev.bptt.flink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits the items one bucket releases (in arrival order) into rounds that hold each key at most
 * once, so that a round can run as one batch: round r holds the r-th item of every key that has
 * that many, in the order those items arrived. A key's items keep their order across rounds (a
 * key's steps are sequential: step t needs s_{t-1}). One map entry per key and no per-key queue:
 * a release in a steady stream is some 64 steps of as many keys, and the queues were 0.1 us a
 * step of the forward threads. Plain Java.
 */
final class KeyRounds {

    private KeyRounds() {}

    static List<List<PendingStep>> of(List<PendingStep> bucket) {
        Map<String, int[]> itemsOfKey = new HashMap<>(bucket.size() * 2);
        List<List<PendingStep>> rounds = new ArrayList<>();
        for (PendingStep pending : bucket) {
            int round = itemsOfKey.computeIfAbsent(pending.key(), k -> new int[1])[0]++;
            if (round == rounds.size()) {
                rounds.add(new ArrayList<>(round == 0 ? bucket.size() : 8));
            }
            rounds.get(round).add(pending);
        }
        return rounds;
    }
}
