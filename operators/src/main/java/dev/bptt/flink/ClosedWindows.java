package dev.bptt.flink;

import dev.bptt.model.BatchBackward;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * TbpttBackward's closed windows that wait for their bucket to complete, by bucket, and the
 * batches they then run in. The batches depend only on which windows a bucket holds, never on
 * their arrival order: the windows are ordered by key (a key's own in closing order), grouped by
 * {@link BatchBackward#aligned} (groups in order of their first window) and cut into batches of
 * at most {@code capacity}. So a bucket's gradient sum is the same after a restore, whatever
 * order the keys' steps came in. Plain Java.
 */
final class ClosedWindows {

    private final TreeMap<Long, List<ClosedWindow>> buckets = new TreeMap<>();

    void add(ClosedWindow window) {
        buckets.computeIfAbsent(window.bucket(), b -> new ArrayList<>()).add(window);
    }

    /**
     * Removes the windows of every bucket {@code <= lastBucket} and returns them as batches, oldest
     * bucket first; each batch holds windows of one bucket with aligned rings.
     */
    List<List<ClosedWindow>> takeBatchesThrough(long lastBucket, int capacity) {
        List<List<ClosedWindow>> out = new ArrayList<>();
        while (!buckets.isEmpty() && buckets.firstKey() <= lastBucket) {
            out.addAll(batches(buckets.pollFirstEntry().getValue(), capacity));
        }
        return out;
    }

    /** One bucket's windows in batches: by key, grouped by alignment, at most {@code capacity} each. */
    static List<List<ClosedWindow>> batches(List<ClosedWindow> bucket, int capacity) {
        List<ClosedWindow> byKey = new ArrayList<>(bucket);
        byKey.sort(Comparator.comparing(ClosedWindow::key)); // stable: a key's windows keep their order
        List<List<ClosedWindow>> groups = new ArrayList<>();
        for (ClosedWindow window : byKey) {
            List<ClosedWindow> group = groups.stream()
                    .filter(g -> BatchBackward.aligned(g.get(0).ring(), window.ring())).findFirst().orElse(null);
            if (group == null) {
                group = new ArrayList<>();
                groups.add(group);
            }
            group.add(window);
        }
        List<List<ClosedWindow>> out = new ArrayList<>();
        for (List<ClosedWindow> group : groups) {
            for (int from = 0; from < group.size(); from += capacity) {
                out.add(group.subList(from, Math.min(group.size(), from + capacity)));
            }
        }
        return out;
    }

    /** Every waiting window, oldest bucket first (for a snapshot). */
    List<ClosedWindow> all() {
        List<ClosedWindow> out = new ArrayList<>();
        buckets.values().forEach(out::addAll);
        return out;
    }
}
