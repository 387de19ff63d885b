package dev.bptt.loop;

import dev.bptt.records.ParameterVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What ParameterUpdate has sent into the loop that a forward subtask may still need, so it can be
 * sent again after a restore: the forward subtasks restore their own versions from the checkpoint,
 * but whatever was sent between their snapshot and ParameterUpdate's is lost with the in-JVM
 * channel. Kept: every update message from the oldest version any forward subtask still held when
 * it last reported (everything until all have reported), and the newest completion. Plain Java.
 */
public final class SentVersions {

    private final int subtasks;
    private final TreeMap<Long, ParameterVersion> updates = new TreeMap<>();
    private final Map<Integer, Long> oldestHeld = new HashMap<>();
    private ParameterVersion lastProgress;

    /** @param subtasks the forward operator's parallelism */
    public SentVersions(int subtasks) {
        this.subtasks = subtasks;
    }

    /** Records a message sent into the loop. */
    public void sent(ParameterVersion message) {
        if (message.isUpdate()) {
            updates.put(message.version(), message);
        } else if (lastProgress == null || message.completedThrough() > lastProgress.completedThrough()) {
            lastProgress = message;
        }
    }

    /** A forward subtask reported the oldest version it still holds: older updates may go. */
    public void reported(int subtask, long oldest) {
        if (oldest < 0) {
            return;
        }
        oldestHeld.put(subtask, oldest);
        if (oldestHeld.size() == subtasks) {
            long min = oldestHeld.values().stream().mapToLong(Long::longValue).min().orElseThrow();
            updates.headMap(min, false).clear();
        }
    }

    /** The messages to send again, in the order they were sent (what a snapshot keeps). */
    public List<ParameterVersion> replay() {
        List<ParameterVersion> out = new ArrayList<>(updates.values());
        long lastUpdate = updates.isEmpty() ? Long.MIN_VALUE : updates.lastEntry().getValue().completedThrough();
        if (lastProgress != null && lastProgress.completedThrough() > lastUpdate) {
            out.add(lastProgress);
        }
        return out;
    }

    /** Number of update messages kept. */
    public int keptUpdates() {
        return updates.size();
    }
}
