package dev.bptt.loop;

import dev.bptt.model.ModelShape;
import dev.bptt.model.Parameters;
import dev.bptt.records.ParameterVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parameter versions one forward subtask has received, and which version each event-time
 * bucket must use. With staleness s, a step in bucket b uses V(b - s - 1), where V(x) is the
 * version after all updates of buckets {@code <= x}; V(x) is known once some message reports
 * {@code completedThrough >= x}, and is the version of the last message with
 * {@code completedThrough <= x} (version 0 if none). Not thread-safe: used on the task thread.
 */
public final class VersionStore {

    private final ModelShape shape;
    private final Map<Long, Parameters> params = new HashMap<>();
    /** completedThrough -> version, one entry per message. */
    private final TreeMap<Long, Long> versionAt = new TreeMap<>();
    /** Every message applied, in order (what a snapshot keeps). */
    private final List<ParameterVersion> log = new ArrayList<>();
    private long completedThrough = Long.MIN_VALUE;
    private long latest;

    public VersionStore(Parameters initial) {
        this.shape = initial.shape();
        params.put(0L, initial.copy());
    }

    /**
     * Applies a message unless it is old news (a message is applied once, in order of
     * completedThrough and version). Returns true when it was applied.
     */
    public boolean apply(ParameterVersion message) {
        if (message.completedThrough() < completedThrough
                || message.completedThrough() == completedThrough && message.version() <= latest) {
            return false;
        }
        if (message.isUpdate()) {
            params.put(message.version(), Parameters.fromFlat(shape, message.params()));
        } else if (!params.containsKey(message.version())) {
            throw new IllegalStateException("progress message for version " + message.version()
                    + " whose parameters never arrived");
        }
        latest = Math.max(latest, message.version());
        completedThrough = message.completedThrough();
        versionAt.put(completedThrough, message.version());
        log.add(message);
        return true;
    }

    /** True when the version for steps of {@code bucket} under staleness {@code s} is known. */
    public boolean ready(long bucket, int staleness) {
        return completedThrough != Long.MIN_VALUE && completedThrough >= bucket - staleness - 1;
    }

    /** The version steps of {@code bucket} use under staleness {@code s}; requires {@link #ready}. */
    public long versionFor(long bucket, int staleness) {
        Map.Entry<Long, Long> entry = versionAt.floorEntry(bucket - staleness - 1);
        return entry == null ? 0 : entry.getValue();
    }

    /** The newest version received. */
    public long latest() {
        return latest;
    }

    /** Highest bucket whose updates are all in {@link #latest()}. */
    public long completedThrough() {
        return completedThrough;
    }

    /** Parameters of a version this store holds. */
    public Parameters params(long version) {
        Parameters p = params.get(version);
        if (p == null) {
            throw new IllegalStateException("parameter version " + version + " is not held by this subtask");
        }
        return p;
    }

    /** Messages applied so far, oldest first (replayed into a fresh store on restore). */
    public List<ParameterVersion> log() {
        return log;
    }
}
