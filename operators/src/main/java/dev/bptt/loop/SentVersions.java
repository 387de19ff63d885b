package dev.bptt.loop;

import dev.bptt.records.ParameterVersion;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What ParameterUpdate has sent into the loop that a restored forward subtask may lack, so it can
 * be sent again after a restore. Forward subtasks restore their own versions from the checkpoint;
 * a forward snapshot for checkpoint N is taken after the last checkpoint before N completed, by
 * when every message ParameterUpdate sent before its own snapshot for that checkpoint had reached
 * the forward subtasks. So what must be kept is everything sent since ParameterUpdate's snapshot
 * for the last completed checkpoint, and the newest version and completion. Plain Java.
 */
public final class SentVersions {

    /** Messages sent since the snapshot of the last completed checkpoint, oldest first. */
    private final List<ParameterVersion> recent = new ArrayList<>();
    /** Checkpoint id -> how many of {@link #recent} had been sent at its snapshot. */
    private final TreeMap<Long, Integer> snapshots = new TreeMap<>();
    private ParameterVersion lastUpdate;
    private ParameterVersion lastProgress;

    /** Records a message sent into the loop. */
    public void sent(ParameterVersion message) {
        recent.add(message);
        if (message.isUpdate()) {
            lastUpdate = message;
        } else if (lastProgress == null || message.completedThrough() > lastProgress.completedThrough()) {
            lastProgress = message;
        }
    }

    /** A snapshot for {@code checkpointId} is taken now: returns what it must keep. */
    public List<ParameterVersion> snapshot(long checkpointId) {
        snapshots.put(checkpointId, recent.size());
        return replay();
    }

    /** Checkpoint {@code checkpointId} completed: what was sent before its snapshot may go. */
    public void checkpointCompleted(long checkpointId) {
        Integer sentAtSnapshot = snapshots.get(checkpointId);
        if (sentAtSnapshot == null) {
            return;
        }
        recent.subList(0, sentAtSnapshot).clear();
        Iterator<Map.Entry<Long, Integer>> it = snapshots.entrySet().iterator();
        TreeMap<Long, Integer> later = new TreeMap<>();
        while (it.hasNext()) {
            Map.Entry<Long, Integer> e = it.next();
            if (e.getKey() > checkpointId) {
                later.put(e.getKey(), e.getValue() - sentAtSnapshot);
            }
        }
        snapshots.clear();
        snapshots.putAll(later);
    }

    /** The messages to send again, in the order a forward subtask applies them (completion, then version). */
    public List<ParameterVersion> replay() {
        List<ParameterVersion> out = new ArrayList<>(recent);
        for (ParameterVersion newest : new ParameterVersion[] {lastUpdate, lastProgress}) {
            if (newest != null && !recent.contains(newest)) {
                out.add(newest);
            }
        }
        out.sort(java.util.Comparator.comparingLong(ParameterVersion::completedThrough)
                .thenComparingLong(ParameterVersion::version));
        return out;
    }

    /** Number of messages kept. */
    public int kept() {
        return replay().size();
    }
}
