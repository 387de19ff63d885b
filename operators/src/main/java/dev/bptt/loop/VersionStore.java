package dev.bptt.loop;

import dev.bptt.model.ModelShape;
import dev.bptt.model.Parameters;
import dev.bptt.records.ParameterVersion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parameter versions one forward subtask (and the backward operator chained to it) can still
 * need, and which version each event-time bucket must use. With staleness s, a step in bucket b
 * uses V(b - s - 1), where V(x) is the version after all updates of buckets {@code <= x}; V(x) is
 * known once some message reports {@code completedThrough >= x}, and is the version of the last
 * message with {@code completedThrough <= x} (version 0 if none).
 *
 * <p>Memory stays bounded: {@link #prune} drops every version that no bucket still to run can
 * use and no step kept for a backward pass references ({@link #retain}/{@link #release}). Not
 * thread-safe: used on the task thread.
 */
public final class VersionStore {

    /** A version's parameters and the update message that made it (parameters taken out). */
    private record Held(Parameters params, ParameterVersion made) {}

    private final ModelShape shape;
    private final Map<Long, Held> held = new HashMap<>();
    /** completedThrough -> version, one entry per message. */
    private final TreeMap<Long, Long> versionAt = new TreeMap<>();
    /**
     * How many steps kept for a backward pass use each version (a count per referenced version,
     * in a mutable cell). The cells that {@link #retain} and {@link #release} used last are kept
     * at hand: a step retains its version and releases the one of the step it replaces, and
     * runs of steps share both, so most calls touch no map (they were two map updates with
     * boxing per step: 1.8% of the forward threads' JFR samples in the job benchmark, 0 now).
     */
    private final Map<Long, int[]> references = new HashMap<>();
    private long retainedVersion;
    private int[] retainedCount;
    private long releasedVersion;
    private int[] releasedCount;
    private long completedThrough = Long.MIN_VALUE;
    private long latest;

    public VersionStore(Parameters initial) {
        this.shape = initial.shape();
        held.put(0L, new Held(initial.copy(), null));
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
            ParameterVersion made = new ParameterVersion(message.version(), message.completedThrough(), message.bucket(),
                    null, message.lossSum(), message.lossTerms(), message.gradNorm(), message.steps(), message.staleness());
            held.put(message.version(), new Held(Parameters.fromFlat(shape, message.params()), made));
        } else if (!held.containsKey(message.version())) {
            throw new IllegalStateException("progress message for version " + message.version()
                    + " whose parameters never arrived");
        }
        latest = Math.max(latest, message.version());
        completedThrough = message.completedThrough();
        versionAt.put(completedThrough, message.version());
        return true;
    }

    /**
     * Applies the {@link #snapshot} messages of any number of subtasks, in any order (a union list
     * state): sorted by completedThrough, then version, each version's update before a progress
     * message for it. In list order, one subtask's newer messages would make another's older ones
     * old news, and {@link #apply} would skip a version that only the other still held for the
     * steps in its rings (a savepoint resumed with the first subtask's list first then failed
     * with "parameter version 500 is not held").
     */
    public void restore(Iterable<ParameterVersion> messages) {
        List<ParameterVersion> sorted = new ArrayList<>();
        messages.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(ParameterVersion::completedThrough)
                .thenComparingLong(ParameterVersion::version)
                .thenComparing(m -> !m.isUpdate()));
        sorted.forEach(this::apply);
    }

    /** True when the version for steps of {@code bucket} under staleness (lead) {@code s} is known. */
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
        Held h = held.get(version);
        if (h == null) {
            throw new IllegalStateException("parameter version " + version + " is not held by this subtask");
        }
        return h.params();
    }

    /** A step kept for a backward pass uses {@code version}: keep it. */
    public void retain(long version) {
        if (retainedCount == null || retainedVersion != version) {
            retainedCount = references.computeIfAbsent(version, v -> new int[1]);
            retainedVersion = version;
        }
        retainedCount[0]++;
    }

    /** A step that used {@code version} left the backward pass. */
    public void release(long version) {
        if (releasedCount == null || releasedVersion != version) {
            releasedCount = references.get(version);
            releasedVersion = version;
            if (releasedCount == null) {
                return;
            }
        }
        if (--releasedCount[0] == 0) {
            references.remove(version);
            if (retainedCount == releasedCount) {
                retainedCount = null;
            }
            releasedCount = null;
        }
    }

    /** How many steps kept for a backward pass use {@code version} (0 when none). */
    public int references(long version) {
        int[] n = references.get(version);
        return n == null ? 0 : n[0];
    }

    /**
     * Drops what can no longer be used: steps still to run are in buckets {@code >= earliestBucket}
     * and use V(x) for {@code x >= earliestBucket - lead - 1} (or the newest version).
     */
    public void prune(long earliestBucket, int lead) {
        Map.Entry<Long, Long> floor = versionAt.floorEntry(earliestBucket - lead - 1);
        if (floor == null) {
            return;
        }
        versionAt.headMap(floor.getKey(), false).clear();
        long oldestForward = floor.getValue();
        held.keySet().removeIf(v -> v < oldestForward && v != latest && !references.containsKey(v));
    }

    /** Number of versions whose parameters are held. */
    public int heldVersions() {
        return held.size();
    }

    /**
     * Messages that rebuild this store's lookups for every bucket still to run when applied to a
     * fresh store: the update message of each version held (oldest first), then the newest
     * completion.
     */
    public List<ParameterVersion> snapshot() {
        List<ParameterVersion> out = new ArrayList<>();
        held.entrySet().stream()
                .filter(e -> e.getValue().made() != null)
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    ParameterVersion m = e.getValue().made();
                    out.add(new ParameterVersion(m.version(), m.completedThrough(), m.bucket(),
                            e.getValue().params().toFlat(), m.lossSum(), m.lossTerms(), m.gradNorm(), m.steps(),
                            m.staleness()));
                });
        if (completedThrough != Long.MIN_VALUE
                && (out.isEmpty() || out.get(out.size() - 1).completedThrough() < completedThrough)) {
            out.add(new ParameterVersion(latest, completedThrough, -1, null, 0, 0, Double.NaN, 0, 0));
        }
        return out;
    }
}
